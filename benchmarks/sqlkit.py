"""What the SQL benchmarks share: fresh databases, the adapter's own rows, driver-level writes.

Rows always come from the adapter's conversion functions (``clientcore.adapters.sql.convert``)
and, for the driver, through the dialect's own bind processors, so every baseline writes the
bytes our adapter writes. Server databases are created for one run and dropped after it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy
from sqlalchemy import URL, Dialect, Table, make_url

from clientcore.adapters.sql import Tables, convert, make_tables, upgrade
from clientcore.entities.client import Client, ClientKind
from clientcore.entities.contacts import Email, Phone
from clientcore.entities.event import Event
from clientcore.operations.clients import HISTORY_FIELDS, ClientFields
from clientcore.operations.context import Context, diff

POSTGRES_URL = os.environ.get(
    "CLIENTCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgresql")
TENANT = "bench"
TABLES: Tables = make_tables()


def _admin_url() -> URL:
    return make_url(POSTGRES_URL)


@contextlib.contextmanager
def fresh_database(engine: str, label: str, *, migrate: bool = True) -> Iterator[str]:
    """The URL of a new database (a SQLite file, or a PostgreSQL database named
    ``bench_<label>_<random>``) with clientcore's schema, removed when the block ends."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            if migrate:
                upgrade(url)
            yield url
        return
    server = _admin_url()
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
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        admin.dispose()


def server_available(engine: str) -> str | None:
    """None if the engine can be used, else why not (SQLite always can)."""
    if engine == "sqlite":
        return None
    try:
        probe = sqlalchemy.create_engine(_admin_url())
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
    except sqlalchemy.exc.SQLAlchemyError as error:
        return str(error).splitlines()[0]
    return None


# -- clients and their rows ------------------------------------------------------------


def direct_clients(rows: Sequence[ClientFields], *, first_code: int, now: datetime) -> list[Client]:
    """The clients ``core.import_clients(rows)`` stores for ``benchmarks.data.client_rows``,
    built without validation (names are NFC already, phones and e-mails become their
    normalised forms by hand). :func:`check_direct_clients` proves the equivalence."""
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
                id=uuid.uuid4(),
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
    core.configure(default_region="PL")
    stored = core.import_clients(rows)
    built = direct_clients(rows, first_code=1, now=stored[0].created_at)
    for api, direct in zip(stored, built, strict=True):
        if attrs.evolve(direct, id=api.id) != api:
            raise AssertionError(f"direct_clients differs from the API: {direct} != {api}")


def registration_events(clients: Sequence[Client], context: Context) -> list[Event]:
    """The audit events ``register_many`` appends for these clients."""
    return [
        context.event(
            "client.registered",
            entity_id=client.id,
            client_id=client.id,
            changes=diff(None, client, HISTORY_FIELDS),
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
        "client_groups": [],
        "client_attributes": [],
        "events": [convert.event_row(tenant, event) for event in events],
    }
    for client, row in zip(clients, rows["clients"], strict=True):
        rows["client_search_keys"].extend(convert.search_key_rows(tenant, client, row["sort_key"]))
        rows["client_groups"].extend(convert.group_rows(tenant, client))
        rows["client_attributes"].extend(convert.attribute_rows(tenant, client))
    return {name: table_rows for name, table_rows in rows.items() if table_rows}


def table(name: str) -> Table:
    found: Table = getattr(TABLES, name)
    return found


def count_rows(rows: TableRows) -> int:
    return sum(len(table_rows) for table_rows in rows.values())


# -- the driver alone ------------------------------------------------------------------


def dialect_of(url: str) -> Dialect:
    engine = sqlalchemy.create_engine(url)
    dialect = engine.dialect
    engine.dispose()
    return dialect


def driver_values(
    name: str, rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and the values SQLAlchemy hands the driver for these rows (the
    dialect's bind processors applied: hex ids on SQLite, naive UTC datetimes...)."""
    columns = list(rows[0]) if rows else []
    processors: list[Callable[[Any], Any] | None] = [
        table(name).c[column].type.dialect_impl(dialect).bind_processor(dialect)
        for column in columns
    ]
    values = [
        tuple(
            row[column] if process is None else process(row[column])
            for column, process in zip(columns, processors, strict=True)
        )
        for row in rows
    ]
    return columns, values


def insert_sql(name: str, columns: Sequence[str], placeholder: str) -> str:
    marks = ", ".join(placeholder for _ in columns)
    return f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})"


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    assert database, url
    return database


def postgres_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_connect(url: str) -> sqlite3.Connection:
    """A plain sqlite3 connection with the settings clientcore's engine uses (WAL is kept
    by the file; foreign keys and the busy timeout are per connection)."""
    connection = sqlite3.connect(sqlite_path(url), isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def seed(url: str, rows: TableRows) -> None:
    """Write the rows as fast as the driver can (setting up a benchmark, not timed):
    ``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL."""
    dialect = dialect_of(url)
    if dialect.name == "sqlite":
        connection = sqlite_connect(url)
        try:
            connection.execute("PRAGMA cache_size = -262144")
            connection.execute("BEGIN IMMEDIATE")
            for name, table_rows in rows.items():
                columns, values = driver_values(name, table_rows, dialect)
                connection.executemany(insert_sql(name, columns, "?"), values)
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    with psycopg.connect(postgres_conninfo(url)) as pg:
        for name, table_rows in rows.items():
            columns, values = driver_values(name, table_rows, dialect)
            with pg.cursor() as cursor:
                copy_sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(copy_sql) as copy:
                    for value in values:
                        copy.write_row(value)
        pg.commit()


def analyze(url: str) -> None:
    """Refresh PostgreSQL's planner statistics (autovacuum would, some time later).
    SQLite is left as clientcore leaves it: without ``ANALYZE`` statistics."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    with psycopg.connect(postgres_conninfo(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def now_utc() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
