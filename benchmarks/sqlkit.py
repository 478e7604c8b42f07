"""What the SQL benchmarks share: fresh databases, the adapter's own rows, driver-level writes.

Rows always come from the adapter's conversion functions (``clientcore.adapters.sql.convert``)
and, for the driver, through the dialect's own bind processors, so every baseline writes the
bytes our adapter writes. Server databases are created for one run and dropped after it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import sqlalchemy
from sqlalchemy import URL, Dialect, Table, make_url

from clientcore.adapters.sql import Tables, convert, make_tables, upgrade
from clientcore.entities.client import Client, ClientKind
from clientcore.entities.contacts import Email, Phone
from clientcore.entities.event import Event, EventKind
from clientcore.operations.clients import HISTORY_FIELDS, ClientFields
from clientcore.operations.context import Context, diff

SERVER_URLS = {
    "postgresql": os.environ.get(
        "CLIENTCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "CLIENTCORE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}
"""The server each engine's benchmark databases are made on (the tests' variables)."""
TENANT = "bench"
TABLES: Tables = make_tables()
"""clientcore's tables as ``clientcore.open(url)`` names them (the default prefix)."""


def _admin_url(engine: str) -> URL:
    return make_url(SERVER_URLS[engine])


@contextlib.contextmanager
def fresh_database(engine: str, label: str, *, migrate: bool = True) -> Iterator[str]:
    """The URL of a new database (a SQLite file, or a PostgreSQL or MariaDB database named
    ``bench_<label>_<random>``) with clientcore's schema, removed when the block ends."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            if migrate:
                upgrade(url)
            yield url
        return
    server = _admin_url(engine)
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            if migrate:
                upgrade(url)
            yield url
        finally:
            force = " WITH (FORCE)" if engine == "postgresql" else ""
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE {name}{force}")
    finally:
        admin.dispose()


def kept_database(engine: str, name: str, data: Path) -> str:
    """The URL of a database kept between runs, made now if it is not there, at the newest
    revision: the SQLite file ``data/<name>.db``, or the database ``name`` on the engine's
    server. What it holds is the caller's to check."""
    if engine == "sqlite":
        data.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{data / f'{name}.db'}"
    else:
        admin = sqlalchemy.create_engine(SERVER_URLS[engine], isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s"
                if engine == "postgresql"
                else "SELECT 1 FROM information_schema.schemata WHERE schema_name = %(name)s",
                {"name": name},
            ).first()
            if exists is None:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        url = _admin_url(engine).set(database=name).render_as_string(hide_password=False)
    upgrade(url)  # nothing to do once it is at the newest revision
    return url


def server_available(engine: str) -> str | None:
    """None if the engine can be used, else why not (SQLite always can)."""
    if engine == "sqlite":
        return None
    try:
        probe = sqlalchemy.create_engine(_admin_url(engine))
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
    except sqlalchemy.exc.SQLAlchemyError as error:
        return str(error).splitlines()[0]
    return None


def reachable(engines: Sequence[str], notes: list[str]) -> Iterator[str]:
    """The engines whose server can be used; each one skipped gets a note saying why."""
    for engine in engines:
        down = server_available(engine)
        if down is None:
            yield engine
        else:
            notes.append(f"{engine}: skipped, the server is unreachable ({down}).")


def connect(url: str, *, autocommit: bool = False, prepared: bool = True) -> Any:
    """A DB-API connection to ``url``: sqlite3 (always in autocommit mode: statements say
    ``BEGIN``; busy timeout and foreign keys as clientcore's engine sets them), psycopg or
    PyMySQL. psycopg prepares a statement run five times (its default, as for ours);
    ``prepared=False`` plans every run with its values (ours does, for a search)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        assert parsed.database, url
        connection = sqlite3.connect(parsed.database, isolation_level=None)
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection
    if backend == "postgresql":
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        threshold = 5 if prepared else None
        return psycopg.connect(conninfo, autocommit=autocommit, prepare_threshold=threshold)
    return pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.username,
        password=parsed.password or "",
        database=parsed.database,
        charset="utf8mb4",
        autocommit=autocommit,
    )


def placeholder(dialect: Dialect) -> str:
    """The driver's parameter mark: ``?`` for sqlite3, ``%s`` for psycopg and PyMySQL."""
    return "?" if dialect.name == "sqlite" else "%s"


def fetch(connection: Any, sql: str, parameters: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
    """The rows of one statement, through a cursor (every driver has one)."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


# -- clients and their rows ------------------------------------------------------------


def direct_clients(
    rows: Sequence[ClientFields],
    *,
    first_code: int,
    now: datetime,
    ids: Callable[[], uuid.UUID] = uuid.uuid4,
) -> list[Client]:
    """The clients ``core.clients.import_many(rows)`` stores for ``benchmarks.data.client_rows``,
    built without validation (names are NFC already, phones and e-mails become their
    normalised forms by hand), with ids from ``ids``. :func:`check_direct_clients` proves
    the equivalence."""
    clients = []
    for offset, row in enumerate(rows):
        phones = tuple(
            Phone("+" + "".join(ch for ch in str(raw) if ch.isdigit()), "", index == 0)
            for index, raw in enumerate(row.get("phones", ()))
        )
        emails = tuple(
            Email(str(raw), "", index == 0) for index, raw in enumerate(row.get("emails", ()))
        )
        clients.append(
            Client(
                id=ids(),
                code=str(first_code + offset),
                kind=ClientKind.PERSON,
                created_at=now,
                updated_at=now,
                first_name=str(row.get("first_name", "")),
                last_name=str(row.get("last_name", "")),
                phones=phones,
                emails=emails,
            )
        )
    return clients


def check_direct_clients(rows: Sequence[ClientFields]) -> None:
    """Fail loudly if :func:`direct_clients` differs from what the API stores."""
    import attrs

    import clientcore

    core = clientcore.open("memory://", tenant=TENANT, actor=clientcore.Actor("bench"))
    core.setup.configure(default_region="PL")
    stored = core.clients.import_many(rows)
    built = direct_clients(rows, first_code=1, now=stored[0].created_at)
    for api, direct in zip(stored, built, strict=True):
        if attrs.evolve(direct, id=api.id) != api:
            raise AssertionError(f"direct_clients differs from the API: {direct} != {api}")


def registration_events(clients: Sequence[Client], context: Context) -> list[Event]:
    """The audit events ``register_many`` appends for these clients (at their creation)."""
    return [
        context.event(
            EventKind.CLIENT_REGISTERED,
            entity_id=client.id,
            client_id=client.id,
            changes=diff(None, client, HISTORY_FIELDS),
            at=client.created_at,
        )
        for client in clients
    ]


TableRows = dict[str, list[dict[str, Any]]]
"""Rows per table name, in the order they must be written."""


def client_table_rows(
    clients: Sequence[Client], events: Sequence[Event] = (), tenant: str = TENANT
) -> TableRows:
    """Every row the adapter writes for these clients (and events), by its own conversion."""
    rows: TableRows = {
        "clients": [convert.client_row(tenant, client) for client in clients],
        "client_search_keys": [],
        "client_search_pairs": [],
        "client_groups": [],
        "client_attributes": [],
        "events": [convert.event_row(tenant, event) for event in events],
    }
    for client, row in zip(clients, rows["clients"], strict=True):
        rows["client_search_keys"].extend(convert.search_key_rows(tenant, client, row["sort_key"]))
        rows["client_search_pairs"].extend(
            convert.search_pair_rows(tenant, client, row["sort_key"])
        )
        rows["client_groups"].extend(convert.group_rows(tenant, client))
        rows["client_attributes"].extend(convert.attribute_rows(tenant, client))
    return {name: table_rows for name, table_rows in rows.items() if table_rows}


def table(name: str) -> Table:
    """The table of a role (``"clients"``) or of a kind stored in a derived table
    (``"sales_documents"``), whose real name carries the prefix."""
    derived = dict(TABLES.derived)
    found: Table = derived[name] if name in derived else getattr(TABLES, name)
    return found


def name_of(role: str) -> str:
    """The real name of a role's table (``clientcore_clients``), for SQL written by hand."""
    return table(role).name


def count_rows(rows: TableRows) -> int:
    return sum(len(table_rows) for table_rows in rows.values())


# -- the driver alone ------------------------------------------------------------------


def dialect_of(url: str) -> Dialect:
    engine = sqlalchemy.create_engine(url)
    dialect = engine.dialect
    engine.dispose()
    return dialect


Processors = list[Callable[[Any], Any] | None]
"""A bind processor per column (None: the value goes to the driver as it is)."""


def bind_processors(name: str, columns: Sequence[str], dialect: Dialect) -> Processors:
    """The dialect's bind processor of each of ``columns`` of table ``name``, as SQLAlchemy
    applies them (hex ids on SQLite, naive UTC datetimes...)."""
    return [
        table(name).c[column].type.dialect_impl(dialect).bind_processor(dialect)
        for column in columns
    ]


def bound(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], processors: Processors
) -> list[tuple[Any, ...]]:
    """The values SQLAlchemy hands the driver for these rows, a tuple per row."""
    return [
        tuple(
            row[column] if process is None else process(row[column])
            for column, process in zip(columns, processors, strict=True)
        )
        for row in rows
    ]


def driver_values(
    name: str, rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and the values SQLAlchemy hands the driver for these rows."""
    columns = list(rows[0]) if rows else []
    return columns, bound(rows, columns, bind_processors(name, columns, dialect))


def insert_sql(name: str, columns: Sequence[str], dialect: Dialect) -> str:
    """INSERT of ``columns`` into the table of role ``name``, names quoted where the dialect
    needs it (``key`` is a reserved word on MariaDB)."""
    quote = dialect.identifier_preparer.quote
    marks = ", ".join(placeholder(dialect) for _ in columns)
    names = ", ".join(quote(c) for c in columns)
    return f"INSERT INTO {quote(name_of(name))} ({names}) VALUES ({marks})"


def seed(url: str, rows: TableRows) -> None:
    """Write the rows as fast as the driver can (setting up a benchmark, not timed):
    ``executemany`` in one transaction on SQLite and MariaDB, ``COPY`` on PostgreSQL."""
    dialect = dialect_of(url)
    connection = connect(url)
    try:
        if dialect.name == "postgresql":
            for name, table_rows in rows.items():
                columns, values = driver_values(name, table_rows, dialect)
                with connection.cursor() as cursor:
                    copy_sql = f"COPY {name_of(name)} ({', '.join(columns)}) FROM STDIN"
                    with cursor.copy(copy_sql) as copy:
                        for value in values:
                            copy.write_row(value)
            connection.commit()
            return
        cursor = connection.cursor()
        if dialect.name == "sqlite":
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("BEGIN IMMEDIATE")
        for name, table_rows in rows.items():
            columns, values = driver_values(name, table_rows, dialect)
            sql = insert_sql(name, columns, dialect)
            for first in range(0, len(values), 5_000):
                cursor.executemany(sql, values[first : first + 5_000])
        cursor.close()
        connection.commit()
    finally:
        connection.close()


def settle(url: str, *, timeout: float = 120.0) -> None:
    """Make a freshly written database steady before anything is timed on it: the server's
    planner statistics refreshed (autovacuum would, some time later; SQLite is left as
    clientcore leaves it, without ``ANALYZE`` statistics), and the setup's writes on disk:
    SQLite's WAL checkpointed, a PostgreSQL ``CHECKPOINT``, MariaDB's dirty pages flushed
    and its purge done (InnoDB does both in the background for minutes after a bulk
    load), then the OS's page cache synced. Otherwise that background I/O falls on
    whichever search runs beside it, and the tail percentiles measure it."""
    backend = make_url(url).get_backend_name()
    connection = connect(url, autocommit=True)
    try:
        if backend == "sqlite":
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif backend == "postgresql":
            connection.execute("VACUUM ANALYZE")
            connection.execute("CHECKPOINT")
        else:
            analyzed = f"{name_of('clients')}, {name_of('client_search_keys')}"
            fetch(connection, f"ANALYZE TABLE {analyzed}", ())
            _innodb_quiet(connection, time.monotonic() + timeout)
    finally:
        connection.close()
    os.sync()


def _innodb_quiet(connection: Any, deadline: float) -> None:
    """Wait (until ``deadline``) for InnoDB to have flushed its dirty pages and purged the
    undo history of the setup's writes; say so on stderr if it has not by then (the times
    that follow are then taken beside its background work)."""
    dirty = "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'"
    history = "SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'"
    saved = fetch(connection, "SELECT @@GLOBAL.innodb_max_dirty_pages_pct", ())[0][0]
    fetch(connection, "SET GLOBAL innodb_max_dirty_pages_pct = 0", ())
    try:
        while True:
            left = [int(row[1]) for sql in (dirty, history) for row in fetch(connection, sql, ())]
            if all(count < 1_000 for count in left):
                return
            if time.monotonic() >= deadline:
                print(f"InnoDB not settled (dirty pages, history): {left}", file=sys.stderr)
                return
            time.sleep(1)
    finally:
        fetch(connection, f"SET GLOBAL innodb_max_dirty_pages_pct = {float(saved)}", ())


def now_utc() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
