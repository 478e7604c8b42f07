"""Bulk rows into PostgreSQL with ``COPY ... FROM STDIN`` through psycopg 3 (``cursor.copy``).

An import's search keys and audit events are most of its rows; COPY sends them as one
stream, without a statement per row, and without SQLAlchemy's work per row for an
executemany. The driver's connection is reached through SQLAlchemy's public
``Connection.connection.driver_connection``, inside the unit of work's transaction. Each
value goes through its column type's own bind processor first, so it is stored as an
INSERT would store it. Other drivers (asyncpg, psycopg's async connection) and engines
get no COPY: :func:`copier` says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError, StatementError

Copy = Callable[[Table, Sequence[Mapping[str, Any]]], None]
"""Writes the rows (all with the same keys) into the table."""


def copier(connection: Connection) -> Copy | None:
    """A COPY writer on ``connection``, or None when its driver is not psycopg 3's."""
    if connection.dialect.name != "postgresql":
        return None
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is how we reach PostgreSQL
        return None
    driver = connection.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        return None
    return functools.partial(_copy, driver, connection.dialect, psycopg.Error)


def _copy(
    driver: Any,
    dialect: Dialect,
    driver_error: type[Exception],
    table: Table,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    if not rows:
        return
    keys = tuple(rows[0])
    sql, processors = _statement(table, dialect, keys)
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[key] if process is None else process(row[key])
                        for key, process in zip(keys, processors, strict=True)
                    ]
                )
    except driver_error as error:  # as SQLAlchemy wraps a statement's errors
        raise DBAPIError.instance(sql, None, error, driver_error, dialect=dialect) from error
    except (ValueError, TypeError) as error:  # a bind processor refused a value
        raise StatementError(str(error), sql, None, error) from error


@functools.lru_cache(maxsize=128)
def _statement(
    table: Table, dialect: Dialect, keys: tuple[str, ...]
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    """The COPY statement for these columns, and each column's bind processor."""
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(table.c[key].name) for key in keys)
    processors = tuple(
        table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys
    )
    return f"COPY {quote.format_table(table)} ({columns}) FROM STDIN", processors
