"""Every byte each store holds, for the canary scan of the privacy contract: the
``store_contents`` fixture of each adapter's contract class."""

from __future__ import annotations

import enum
import threading
import types
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import Engine, select

from clientcore.adapters.memory import MemoryBackend
from clientcore.adapters.mongo import MongoBackend
from clientcore.adapters.sql import SqlBackend

_OPAQUE = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    type,
    type(threading.Lock()),
    type(threading.RLock()),
)


def _texts(value: object, seen: set[int]) -> Iterator[str]:
    """Every text reachable from ``value``: strings, and the repr of every other leaf."""
    if isinstance(value, str):
        yield value
        return
    if isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
        return
    if isinstance(value, _OPAQUE) or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key, seen)
            yield from _texts(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item, seen)
    elif isinstance(value, enum.Enum):
        yield str(value.value)
    elif hasattr(value, "__dict__") or hasattr(type(value), "__slots__"):
        for name in getattr(type(value), "__slots__", ()):
            if hasattr(value, name):
                yield from _texts(getattr(value, name), seen)
        for item in getattr(value, "__dict__", {}).values():
            yield from _texts(item, seen)
    else:
        yield repr(value)


def memory_contents(backend: MemoryBackend) -> bytes:
    """Every object the in-memory store holds, walked from the backend."""
    return "\n".join(_texts(backend, set())).encode("utf-8", "surrogatepass")


def sql_contents(backend: SqlBackend, *, whole_file: bool = True) -> bytes:
    """Every row of every table; on SQLite also the raw bytes of its WAL and, with
    ``whole_file``, of the database file. Without it, what an anonymisation's light purge
    answers for (docs/privacy.md): SQLite may keep stale copies of cells in a page's unused
    space after rebalancing its B-tree, which ``secure_delete`` does not clear and only a
    thorough purge (VACUUM) removes."""
    engine = backend.bind
    assert isinstance(engine, Engine)
    parts: list[bytes] = []
    with engine.connect() as connection:
        for table in backend.tables.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            parts.append(repr(rows).encode("utf-8", "surrogatepass"))
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database:
        paths = [Path(database)] if whole_file else []
        for path in (*paths, Path(database + "-wal")):
            if path.exists():
                parts.append(path.read_bytes())
    return b"\n".join(parts)


def mongo_contents(backend: MongoBackend) -> bytes:
    """Every document of every collection of the database."""
    database = backend.database
    return "\n".join(
        repr(list(database[name].find())) for name in database.list_collection_names()
    ).encode("utf-8", "surrogatepass")
