"""Engines for URLs, with the settings each engine needs to keep clientcore's promises.

SQLite (the embedded default) gets WAL, a busy timeout, foreign keys, and ``BEGIN
IMMEDIATE`` for every transaction that may write (SQLAlchemy's recipe "Serializable
isolation / Savepoints / Transactional DDL", which also makes SAVEPOINT work), so that
threads and processes writing at once wait for each other instead of failing with
"database is locked"; a connection with the :data:`READ_ONLY` execution option begins a
deferred transaction instead, which reads a snapshot while a writer holds the lock. A
host with its own SQLite engine can apply the same with :func:`configure_sqlite`.

MariaDB/MySQL connections use utf8mb4 and READ COMMITTED.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import URL, Engine, event, make_url
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _on_sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA secure_delete = ON")  # freed space zeroed (docs/privacy.md)
        cursor.execute("PRAGMA temp_store = MEMORY")
    finally:
        cursor.close()


READ_ONLY = "clientcore_read_only"
"""Execution option of a connection whose transaction only reads: it begins deferred."""


def begin_sqlite(connection: sqlalchemy.Connection, *, read_only: bool) -> None:
    """``BEGIN IMMEDIATE``, or ``BEGIN`` if the transaction only reads (SQLAlchemy's
    recipe for pysqlite: ``exec_driver_sql`` from the ``begin`` event)."""
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def in_sqlite_transaction(connection: sqlalchemy.Connection, *, read_only: bool) -> None:
    """Make sure ``connection`` (SQLite, of an engine that begins no transactions itself:
    clientcore's own, or a host's without :func:`configure_sqlite`) is in a real SQLite
    transaction: pysqlite's default (legacy) handling begins none before a SELECT, a
    SAVEPOINT or DDL, so such statements would run outside it and a savepoint's RELEASE
    would commit on its own, out of reach of a rollback. ``BEGIN IMMEDIATE`` (``BEGIN``
    if it only reads) unless one is open; the driver's commit and rollback end it."""
    driver_connection = connection.connection.dbapi_connection
    if not getattr(driver_connection, "in_transaction", True):
        begin_sqlite(connection, read_only=read_only)


def _on_sqlite_begin(connection: sqlalchemy.Connection) -> None:
    begin_sqlite(connection, read_only=connection.get_execution_options().get(READ_ONLY, False))


def configure_sqlite(engine: Engine) -> Engine:
    """Make a SQLite engine safe for concurrent writers (idempotent; returns the engine).

    Connections it opens from now on use WAL, wait up to 30 s for a lock, enforce foreign
    keys, keep temporary data (a SAVEPOINT's sub-journal) in memory, overwrite freed space
    (``secure_delete``), and start every transaction with ``BEGIN IMMEDIATE`` (``BEGIN``
    if it only reads).
    """
    _configure_connections(engine)
    if not begins_transactions(engine):
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _configure_connections(engine: Engine) -> None:
    """WAL, the busy timeout and foreign keys on every new connection, and pysqlite's own
    ``BEGIN`` off (what :func:`configure_sqlite` does but for the ``begin`` listener)."""
    if not is_configured(engine):
        event.listen(engine, "connect", _on_sqlite_connect)


def is_configured(engine: Engine) -> bool:
    """Whether the engine's connections get clientcore's settings (WAL, busy timeout,
    foreign keys): :func:`configure_sqlite`, or an engine made by :func:`create_engine` or
    :func:`backend_engine`."""
    return event.contains(engine, "connect", _on_sqlite_connect)


def begins_transactions(engine: Engine) -> bool:
    """Whether the engine itself begins each transaction with ``BEGIN IMMEDIATE`` (or
    ``BEGIN``), as :func:`configure_sqlite` makes it."""
    return event.contains(engine, "begin", _on_sqlite_begin)


def create_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for ``url`` configured for clientcore (on SQLite, :func:`configure_sqlite`,
    so the host's own transactions on it are safe too); ``options`` go to SQLAlchemy."""
    engine = backend_engine(url, **options)
    return configure_sqlite(engine) if engine.dialect.name == "sqlite" else engine


def backend_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for ``url`` that only clientcore's units of work use (``SqlBackend.from_url``
    makes one): on SQLite its connections get the settings of :func:`configure_sqlite` but
    not its ``begin`` listener. Each unit of work begins its own transaction
    (:func:`begin_sqlite`)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        options.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        if is_memory_sqlite(parsed):
            options.setdefault("poolclass", StaticPool)
        engine = sqlalchemy.create_engine(parsed, **options)
        _configure_connections(engine)
        return engine
    if backend in ("mysql", "mariadb"):
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        options.setdefault("isolation_level", "READ COMMITTED")
        options.setdefault("pool_recycle", 3600)
    return sqlalchemy.create_engine(parsed, **options)
