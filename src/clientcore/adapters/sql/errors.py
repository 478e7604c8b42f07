"""The one place where SQLAlchemy and driver errors become clientcore errors.

Every statement, connect, begin and commit of the adapter runs inside :func:`translated`.
A repository says what a unique or foreign-key violation means for its write (for
example ``DuplicateCode(code)``); a transient failure (deadlock, serialization failure,
lock wait timeout, SQLite busy) becomes :class:`~clientcore.errors.StorageBusy`, which the
facade retries; everything else the database reports becomes a
:class:`~clientcore.errors.StorageError` whose message says what to do, chained to the
driver's error (``raise StorageError(...) from error``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from clientcore.errors import ClientCoreError, Conflict, StorageBusy, StorageError

Explain = Callable[[str], ClientCoreError]
"""Makes our error for a violation, given the driver's message."""


class Failure(enum.Enum):
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    BUSY = "busy"
    MISSING_TABLE = "missing table"
    CONNECTION = "connection"
    OTHER = "other"


_POSTGRES = {
    "23505": Failure.UNIQUE,
    "23503": Failure.FOREIGN_KEY,
    "40001": Failure.BUSY,
    "40P01": Failure.BUSY,
    "55P03": Failure.BUSY,
    "42P01": Failure.MISSING_TABLE,
    "57P01": Failure.CONNECTION,
}
_MYSQL = {
    1062: Failure.UNIQUE,
    1586: Failure.UNIQUE,
    1216: Failure.FOREIGN_KEY,
    1217: Failure.FOREIGN_KEY,
    1451: Failure.FOREIGN_KEY,
    1452: Failure.FOREIGN_KEY,
    1020: Failure.BUSY,  # MariaDB 11.6+ snapshot isolation: record changed since last read
    1205: Failure.BUSY,
    1213: Failure.BUSY,
    3572: Failure.BUSY,  # MySQL 8: NOWAIT and the lock is taken
    1146: Failure.MISSING_TABLE,
    2003: Failure.CONNECTION,
    2006: Failure.CONNECTION,
    2013: Failure.CONNECTION,
    2055: Failure.CONNECTION,
}
_SQLITE = {
    "SQLITE_CONSTRAINT_UNIQUE": Failure.UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": Failure.UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": Failure.FOREIGN_KEY,
    "SQLITE_BUSY": Failure.BUSY,
    "SQLITE_BUSY_SNAPSHOT": Failure.BUSY,
    "SQLITE_BUSY_RECOVERY": Failure.BUSY,
    "SQLITE_BUSY_TIMEOUT": Failure.BUSY,
    "SQLITE_LOCKED": Failure.BUSY,
    "SQLITE_LOCKED_SHAREDCACHE": Failure.BUSY,
    "SQLITE_CANTOPEN": Failure.CONNECTION,
}


def classify(error: SQLAlchemyError) -> Failure:
    """What kind of failure a driver error is, read from the driver's own codes."""
    if not isinstance(error, DBAPIError):
        return Failure.CONNECTION if "pool" in type(error).__module__ else Failure.OTHER
    if error.connection_invalidated:
        return Failure.CONNECTION
    orig = error.orig
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):  # MySQL drivers: (error number, message)
        return _MYSQL.get(args[0], Failure.OTHER)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        if "no such table" in str(orig):
            return Failure.MISSING_TABLE
        return _SQLITE.get(name, Failure.OTHER)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith("08"):
            return Failure.CONNECTION
        return _POSTGRES.get(sqlstate, Failure.OTHER)
    return Failure.OTHER


def translate(
    error: SQLAlchemyError,
    *,
    unique: Explain | None = None,
    foreign_key: Explain | None = None,
) -> ClientCoreError:
    """Our error for a driver error; ``unique`` / ``foreign_key`` explain violations."""
    failure = classify(error)
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    if failure is Failure.UNIQUE:
        return unique(detail) if unique else Conflict(f"the row already exists: {detail}")
    if failure is Failure.FOREIGN_KEY:
        if foreign_key:
            return foreign_key(detail)
        return Conflict(f"the change refers to a missing row, or is referred to: {detail}")
    if failure is Failure.BUSY:
        return StorageBusy(
            f"the database was too busy to finish the change (lock timeout, deadlock or "
            f"serialization failure); nothing was changed, retry it: {detail}"
        )
    if failure is Failure.MISSING_TABLE:
        return StorageError(
            "clientcore's tables are missing: upgrade the database first with "
            "clientcore.adapters.sql.upgrade(url_or_engine, prefix=..., schema=...) or "
            f"`clientcore migrate URL`: {detail}"
        )
    if failure is Failure.CONNECTION:
        return StorageError(f"the database connection failed: {detail}")
    return StorageError(f"the database refused the operation: {detail}")


def translated(*, unique: Explain | None = None, foreign_key: Explain | None = None) -> _Translated:
    """Run a block of database work; driver errors leave it as clientcore errors."""
    return _Translated(unique, foreign_key)


class _Translated:
    """The block of :func:`translated`."""

    __slots__ = ("_foreign_key", "_unique")

    def __init__(self, unique: Explain | None, foreign_key: Explain | None) -> None:
        self._unique = unique
        self._foreign_key = foreign_key

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, SQLAlchemyError):
            raise translate(error, unique=self._unique, foreign_key=self._foreign_key) from error
