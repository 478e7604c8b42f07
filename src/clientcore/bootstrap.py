"""Choose the backend for what a host passes to :func:`clientcore.open`.

Adapters are imported only when their URL scheme or host object is seen, so a host that
uses SQLite never imports pymongo, and nothing connects at import time.
"""

from __future__ import annotations

from clientcore.errors import UnsupportedTarget
from clientcore.ports.unit_of_work import Backend

SQL_SCHEMES = frozenset({"sqlite", "postgresql", "postgres", "mysql", "mariadb"})
MONGO_SCHEMES = frozenset({"mongodb", "mongodb+srv"})
SUPPORTED = (
    "memory://, sqlite:///file.db, postgresql+psycopg://..., mysql+pymysql://..., mongodb://..."
)


def backend_for(target: object) -> tuple[Backend, bool]:
    """The backend for a URL or a host object, and whether clientcore owns (and closes) it.

    A host's own SQLAlchemy ``Engine`` or ``Connection`` and pymongo ``Database`` are
    used as they are and never closed by clientcore.
    """
    if isinstance(target, str):
        return _backend_for_url(target), True
    module = type(target).__module__
    if module.startswith("sqlalchemy."):
        from clientcore.adapters.sql import SqlBackend

        return SqlBackend.on_host(target), False
    if module.startswith(("pymongo.", "mongomock")):
        from clientcore.adapters.mongo import MongoBackend

        return MongoBackend.on_database(target), False
    if callable(getattr(target, "unit_of_work", None)) and hasattr(target, "capabilities"):
        return target, False  # type: ignore[return-value]
    raise UnsupportedTarget(
        f"cannot open a {type(target).__name__}: pass a URL ({SUPPORTED}), a SQLAlchemy "
        "Engine or Connection, a pymongo Database, or a backend"
    )


def _backend_for_url(url: str) -> Backend:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "memory":
        from clientcore.adapters.memory import MemoryBackend

        return MemoryBackend()
    if scheme.split("+", 1)[0] in SQL_SCHEMES:
        from clientcore.adapters.sql import SqlBackend

        return SqlBackend.from_url(url)
    if scheme in MONGO_SCHEMES:
        from clientcore.adapters.mongo import MongoBackend

        return MongoBackend.from_url(url)
    raise UnsupportedTarget(f"cannot open {url!r}: use one of {SUPPORTED}")
