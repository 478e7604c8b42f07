"""Choose the backend for what a host passes to :func:`clientcore.open`.

Adapters are imported only when their URL scheme or host object is seen, so a host that
uses SQLite never imports pymongo, and nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clientcore.entities.kinds import RecordKind
from clientcore.errors import UnsupportedTarget
from clientcore.ports.unit_of_work import Backend

if TYPE_CHECKING:
    from clientcore.api.bridge import Bridge

SQL_SCHEMES = frozenset({"sqlite", "postgresql", "postgres", "mysql", "mariadb"})
MONGO_SCHEMES = frozenset({"mongodb", "mongodb+srv"})
SUPPORTED = (
    "memory://, sqlite:///file.db, postgresql+psycopg://..., mysql+pymysql://..., mongodb://..."
)


def backend_for(target: object, kinds: Sequence[RecordKind[Any]] = ()) -> tuple[Backend, bool]:
    """The backend for a URL or a host object, storing clientcore's record kinds and the
    host's ``kinds``, and whether clientcore owns (and closes) it.

    A host's own SQLAlchemy ``Engine`` or ``Connection`` and pymongo ``Database`` are
    used as they are and never closed by clientcore. A backend object comes with its own
    kinds: ``kinds`` must then be empty or the ones it has.
    """
    if isinstance(target, str):
        return _backend_for_url(target, kinds), True
    module = type(target).__module__
    if module.startswith("sqlalchemy."):
        from clientcore.adapters.sql import SqlBackend

        return SqlBackend.on_host(target, kinds=kinds), False
    if module.startswith(("pymongo.", "mongomock")):
        from clientcore.adapters.mongo import MongoBackend

        return MongoBackend.on_database(target, kinds=kinds), False
    if callable(getattr(target, "unit_of_work", None)) and hasattr(target, "capabilities"):
        backend: Backend = target  # type: ignore[assignment]
        if any(kind not in backend.kinds for kind in kinds):
            raise UnsupportedTarget(
                "this backend was made without some of the given kinds: pass kinds= to the "
                "backend when making it"
            )
        return backend, False
    raise UnsupportedTarget(
        f"cannot open a {type(target).__name__}: pass a URL ({SUPPORTED}), a SQLAlchemy "
        "Engine or Connection, a pymongo Database, or a backend"
    )


def _backend_for_url(url: str, kinds: Sequence[RecordKind[Any]]) -> Backend:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "memory":
        from clientcore.adapters.memory import MemoryBackend

        return MemoryBackend(kinds)
    if scheme.split("+", 1)[0] in SQL_SCHEMES:
        from clientcore.adapters.sql import SqlBackend

        return SqlBackend.from_url(url, kinds=kinds)
    if scheme in MONGO_SCHEMES:
        from clientcore.adapters.mongo import MongoBackend

        return MongoBackend.from_url(url, kinds=kinds)
    raise UnsupportedTarget(f"cannot open {url!r}: use one of {SUPPORTED}")


ASYNC_DRIVERS = frozenset({"aiosqlite", "asyncpg", "asyncmy", "aiomysql", "psycopg_async"})


def async_bridge_for(target: object, kinds: Sequence[RecordKind[Any]] = ()) -> tuple[Bridge, bool]:
    """The bridge an :class:`~clientcore.AsyncCore` stands on, and whether clientcore owns
    (and closes) it: ``run_sync`` on a SQLAlchemy ``AsyncEngine`` or ``AsyncConnection``,
    worker threads on whatever :func:`backend_for` takes; a bridge as it is (an
    ``AsyncSqlBridge`` made with a table prefix or schema)."""
    module = type(target).__module__
    kind = type(target)  # not the object: a pymongo Database has any attribute
    if callable(getattr(kind, "session", None)) and callable(getattr(kind, "aclose", None)):
        if kinds:
            raise UnsupportedTarget("pass kinds= to the bridge when making it")
        bridge: Bridge = target  # type: ignore[assignment]
        return bridge, False
    if module.startswith("sqlalchemy.ext.asyncio"):
        from clientcore.adapters.sql.bridge import AsyncSqlBridge

        return AsyncSqlBridge(target, kinds=kinds), False  # type: ignore[arg-type]
    if module.startswith("pymongo.asynchronous"):
        raise UnsupportedTarget(
            "pymongo's asynchronous client cannot run clientcore's (synchronous) MongoDB "
            "adapter: pass the synchronous pymongo Database, whose calls then run in worker "
            "threads (see docs/async.md)"
        )
    if isinstance(target, str) and "+" in target.split(":", 1)[0]:
        driver = target.split(":", 1)[0].split("+", 1)[1].lower()
        if driver in ASYNC_DRIVERS:
            raise UnsupportedTarget(
                f"{driver} is an asyncio driver: pass "
                "sqlalchemy.ext.asyncio.create_async_engine(url) (see docs/async.md)"
            )
    from clientcore.api.bridge import ThreadBridge

    backend, owned = backend_for(target, kinds)
    return ThreadBridge(backend, owns_backend=owned), owned
