"""clientcore on a host's own SQLAlchemy objects, on every engine.

On a host's ``Engine`` each operation takes a connection from the host's pool and gives it
back; ``core.close()`` leaves the engine alone. On a host's ``Connection`` each operation is
a SAVEPOINT inside the host's transaction: the host's commit keeps the host's rows and ours
together, its rollback drops both, and an operation that fails rolls back to its savepoint
without spoiling the host's transaction. A host's record kinds get tables beside
ours, written in the same unit of work.

A host's SQLite engine should get ``configure_sqlite``; one that did not is still kept
transactional, and refused if it does not enforce foreign keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKeyConstraint,
    MetaData,
    String,
    Table,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.pool import QueuePool

import clientcore
from clientcore import Actor
from clientcore.adapters.sql import (
    TENANT_LENGTH,
    Id,
    Key,
    Moment,
    SqlBackend,
    configure_sqlite,
    metadata,
    upgrade,
)
from clientcore.adapters.sql.referrers import named_table
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import ClientInUse, NotFound, UnsupportedTarget
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.kinds import HOST_KINDS, INVOICES, STAMPS, Invoice, Stamp
from tests.servers import fresh_database
from tests.sql.conftest import ENGINES

HOST = MetaData()
orders = Table(
    "host_orders",
    HOST,
    Column("id", String(32), primary_key=True),
    Column("note", String(100), nullable=False),
    Column("client_id", String(32), nullable=True),
)
clients = metadata.tables["clientcore_clients"]
host_pets = Table(
    "host_pets",
    HOST,
    Column("id", Id(), primary_key=True),
    Column("tenant", Key(TENANT_LENGTH), nullable=False),
    Column("client_id", Id(), nullable=False),
    Column("seen_at", Moment(), nullable=False),
    ForeignKeyConstraint(["tenant", "client_id"], [clients.c.tenant, clients.c.id]),
)
"""A host's table with a foreign key to our clients, made of the public column types."""
stamps = SqlBackend(sqlalchemy.create_engine("sqlite://"), kinds=HOST_KINDS).tables.of(STAMPS)
RITA = Actor("rita")


@pytest.fixture(scope="module", params=ENGINES)
def host_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A host's own engine (plain ``sqlalchemy.create_engine``), its own table, and
    clientcore's tables, upgraded on it."""
    with fresh_database(request.param, tmp_path_factory.mktemp("host")) as url:
        engine = sqlalchemy.create_engine(url)
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)  # WAL, busy timeout, BEGIN IMMEDIATE, working SAVEPOINTs
        try:
            upgrade(engine)
            HOST.create_all(engine)
            yield engine
        finally:
            engine.dispose()


def order_exists(engine: Engine, order_id: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(select(func.count()).where(orders.c.id == order_id))
        return found.scalar_one() == 1


def stored_version(connection: Connection, client_id: UUID) -> int | None:
    found = connection.execute(select(clients.c.version).where(clients.c.id == client_id))
    return found.scalar_one_or_none()


def test_a_hosts_listener_sees_every_statement_of_a_booking(host_engine: Engine) -> None:
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(host_engine, "before_cursor_execute", record)
    try:
        core = clientcore.open(host_engine, tenant=new_tenant(), actor=RITA, clock=TickingClock())
        staff = core.staff.add("Dr Ewa")
        core.staff.set_hours(staff.id, [WeeklySlot(0, TimeRange(time(8), time(18)))])
        client = core.clients.register(first_name="Łukasz", last_name="Żółć")
        visit = core.visits.book(client.id, staff.id, datetime(2026, 3, 2, 9, tzinfo=UTC), 30)
        core.visits.cancel(visit.id)
        assert core.clients.search("lukasz").clients == (core.clients.get(client.id),)
    finally:
        event.remove(host_engine, "before_cursor_execute", record)

    starts = {statement.split(" (")[0] for statement in seen if not statement.startswith("S")}
    reads = " ".join(statement for statement in seen if statement.startswith("SELECT"))
    inserts = {"INSERT INTO clientcore_visits", "INSERT INTO clientcore_events"}
    assert {*inserts, "INSERT INTO clientcore_clients"} <= starts
    assert any(statement.startswith("UPDATE clientcore_visits") for statement in seen)
    assert "FROM clientcore_clients" in reads
    assert "FROM clientcore_staff" in reads
    assert "clientcore_client_search_keys" in reads


def test_a_core_on_a_hosts_engine_uses_its_pool_and_leaves_it_open(host_engine: Engine) -> None:
    pool = host_engine.pool
    core = clientcore.open(host_engine, tenant=new_tenant(), actor=RITA)
    client = core.clients.register(last_name="Nowak")
    core.close()
    assert host_engine.pool is pool  # dispose() would have replaced the pool
    if isinstance(pool, QueuePool):
        assert pool.checkedout() == 0  # every connection went back to the host's pool
    with host_engine.connect() as connection:
        assert stored_version(connection, client.id) == 1
    again = clientcore.open(host_engine, tenant=core.tenant, actor=RITA)
    assert again.clients.get(client.id) == client


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_the_hosts_transaction_decides_for_its_rows_and_ours(
    host_engine: Engine, outcome: str
) -> None:
    tenant, order_id = new_tenant(), uuid4().hex
    with host_engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(orders.insert().values(id=order_id, note="first visit"))
        core = clientcore.open(connection, tenant=tenant, actor=RITA)
        client = core.clients.register(last_name="Nowak")
        assert core.clients.get(client.id) == client  # visible inside the host's transaction
        core.close()
        if outcome == "commit":
            transaction.commit()
        else:
            transaction.rollback()

    after = clientcore.open(host_engine, tenant=tenant, actor=RITA)
    if outcome == "commit":
        assert order_exists(host_engine, order_id)
        assert after.clients.get(client.id) == client
        assert len(after.clients.history(client.id)) == 1
    else:
        assert not order_exists(host_engine, order_id)
        with pytest.raises(NotFound):
            after.clients.get(client.id)
        assert after.clients.search(status="all").clients == ()
        assert after.clients.register(last_name="Kowalski").code == "1"  # the counter too


class FailingIds:
    """An id factory that, once armed, fails; first it looks (on the host's connection) at
    the version our unit of work has written so far inside its savepoint."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.watched: UUID | None = None
        self.seen_version: int | None = None

    def __call__(self) -> UUID:
        if self.watched is None:
            return uuid4()
        self.seen_version = stored_version(self.connection, self.watched)
        raise RuntimeError("the host's id service is down")


def test_a_failed_operation_rolls_back_to_its_savepoint_only(host_engine: Engine) -> None:
    tenant, order_id = new_tenant(), uuid4().hex
    with host_engine.connect() as connection, connection.begin():
        connection.execute(orders.insert().values(id=order_id, note="first visit"))
        ids = FailingIds(connection)
        core = clientcore.open(connection, tenant=tenant, actor=RITA, ids=ids)
        client = core.clients.register(last_name="Nowak")
        ids.watched = client.id
        with pytest.raises(RuntimeError, match="id service"):
            core.clients.update(client.id, last_name="Kowalski")  # its event needs an id
        assert ids.seen_version == 2  # the update was written before the failure...
        assert stored_version(connection, client.id) == 1  # ...and undone with its savepoint
        ids.watched = None
        core.clients.update(client.id, remarks="the host's transaction goes on")
    after = clientcore.open(host_engine, tenant=tenant, actor=RITA)
    assert order_exists(host_engine, order_id)
    kept = after.clients.get(client.id)
    assert (kept.last_name, kept.remarks, kept.version) == (
        "Nowak",
        "the host's transaction goes on",
        2,
    )
    assert [event.kind for event in after.clients.history(client.id)] == [
        "client.registered",
        "client.updated",
    ]


def test_configure_sqlite_sets_the_documented_pragmas(tmp_path: Path) -> None:
    """Every connection of a configured engine runs with the settings docs/sql.md lists:
    WAL, the busy timeout, foreign keys, and temporary data (a SAVEPOINT's sub-journal) in
    memory (``temp_store`` 2)."""
    engine = configure_sqlite(sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    try:
        with engine.connect() as connection:
            read = {
                pragma: connection.exec_driver_sql(f"PRAGMA {pragma}").scalar_one()
                for pragma in ("journal_mode", "busy_timeout", "foreign_keys", "temp_store")
            }
    finally:
        engine.dispose()
    assert read == {
        "journal_mode": "wal",
        "busy_timeout": 30000,
        "foreign_keys": 1,
        "temp_store": 2,
    }


def test_a_plain_sqlite_engine_is_refused_without_foreign_keys_and_kept_transactional(
    tmp_path: Path,
) -> None:
    """A host's SQLite engine that configure_sqlite was not applied to runs pysqlite's
    legacy transactions, which begin nothing before a SAVEPOINT: our unit of work begins
    the transaction itself, so the host's rollback still undoes our writes. Foreign keys,
    off by default in SQLite, must be on."""
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    upgrade(url)
    plain = sqlalchemy.create_engine(url)
    try:
        with pytest.raises(UnsupportedTarget, match="configure_sqlite"):
            clientcore.open(plain, tenant=new_tenant(), actor=RITA).clients.register(last_name="A")

        @event.listens_for(plain, "connect")
        def enforce_foreign_keys(driver_connection: Any, _record: object) -> None:
            driver_connection.execute("PRAGMA foreign_keys = ON")

        plain.dispose()  # connections opened from now on run the listener
        tenant = new_tenant()
        with plain.connect() as connection:
            transaction = connection.begin()
            core = clientcore.open(connection, tenant=tenant, actor=RITA)
            client = core.clients.register(last_name="Nowak")
            transaction.rollback()
        with pytest.raises(NotFound):
            clientcore.open(plain, tenant=tenant, actor=RITA).clients.get(client.id)
    finally:
        plain.dispose()


def test_a_host_kinds_records_live_in_the_units_transaction(host_engine: Engine) -> None:
    """A host's record kind gets a table beside ours on the host's engine; its records are
    written in our unit of work, and a kind that blocks deletion keeps its client."""
    backend = SqlBackend.on_host(host_engine, kinds=HOST_KINDS)
    backend.create_host_tables()
    core = clientcore.open(backend, tenant=new_tenant(), actor=RITA)
    client = core.clients.register(last_name="Nowak")
    stamp = Stamp(uuid4(), client.id, datetime(2026, 12, 7, 10, tzinfo=UTC), "first visit")
    invoice = Invoice(uuid4(), client.id, "FV/1", stamp.at, Decimal("9.99"))
    with backend.unit_of_work(core.tenant) as uow:
        uow.records(STAMPS).add(stamp)
        uow.records(INVOICES).add(invoice)
        uow.rollback()
    with host_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(stamps)).scalar_one() == 0
    with backend.unit_of_work(core.tenant) as uow:
        uow.records(STAMPS).add(stamp)
        uow.records(INVOICES).add(invoice)
        uow.commit()
    with host_engine.connect() as connection:
        assert connection.execute(select(stamps.c.note)).scalars().all() == ["first visit"]
    with pytest.raises(ClientInUse) as refused:
        core.clients.delete(client.id)
    assert refused.value.referenced_by == ("invoices",)
    with backend.unit_of_work(core.tenant) as uow:
        uow.records(INVOICES).delete(invoice)
        uow.commit()
    core.clients.delete(client.id)  # the stamps, which do not block it, go with the client
    with host_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(stamps)).scalar_one() == 0


def test_a_core_opened_per_request_reuses_the_tables(host_engine: Engine) -> None:
    """Opening a core on each request's connection builds no tables: every backend with the
    same prefix, schema and kinds shares one set (and the statements made from it); another
    prefix or other kinds get their own."""
    shared = SqlBackend.on_host(host_engine, kinds=HOST_KINDS)
    tenant = new_tenant()
    for number in range(3):
        with host_engine.connect() as connection, connection.begin():
            backend = SqlBackend.on_host(connection, kinds=list(HOST_KINDS))
            assert backend.tables is shared.tables
            assert backend.rows is shared.rows
            clientcore.open(backend, tenant=tenant, actor=RITA).clients.register(
                last_name=f"Request {number}"
            )
    found = clientcore.open(host_engine, tenant=tenant, actor=RITA).clients.search("request")
    assert len(found.clients) == 3
    assert SqlBackend.on_host(host_engine).tables is not shared.tables
    assert SqlBackend.on_host(host_engine, prefix="other_").tables.clients.name == "other_clients"


def test_a_hosts_table_refers_to_our_clients_with_the_public_column_types(
    host_engine: Engine,
) -> None:
    """``Key``, ``Id`` and ``Moment`` from ``clientcore.adapters.sql`` make a host's foreign
    key (tenant, client_id) to our clients that every engine accepts and enforces."""
    core = clientcore.open(host_engine, tenant=new_tenant(), actor=RITA)
    client = core.clients.register(last_name="Nowak")
    seen = datetime(2026, 12, 7, 10, 30, 15, 123000, tzinfo=UTC)
    pet = {"id": uuid4(), "tenant": core.tenant, "client_id": client.id, "seen_at": seen}
    with host_engine.begin() as connection:
        connection.execute(host_pets.insert().values(**pet))
    with host_engine.connect() as connection:
        mine = select(host_pets).where(host_pets.c.id == pet["id"])
        stored = connection.execute(mine).mappings().one()
    assert dict(stored) == pet
    stranger = {**pet, "id": uuid4(), "client_id": uuid4()}
    with pytest.raises(sqlalchemy.exc.IntegrityError), host_engine.begin() as connection:
        connection.execute(host_pets.insert().values(**stranger))
    other_tenant = {**pet, "id": uuid4(), "tenant": new_tenant()}
    with pytest.raises(sqlalchemy.exc.IntegrityError), host_engine.begin() as connection:
        connection.execute(host_pets.insert().values(**other_tenant))
    with pytest.raises(ClientInUse):
        core.clients.delete(client.id)


PET = uuid4()


def test_a_hosts_foreign_key_that_blocks_a_deletion_is_named(host_engine: Engine) -> None:
    core = clientcore.open(host_engine, tenant=new_tenant(), actor=RITA)
    client = core.clients.register(last_name="Nowak")
    other = core.clients.register(last_name="Lis")
    with host_engine.begin() as connection:
        connection.execute(
            insert(host_pets).values(
                id=PET, tenant=core.tenant, client_id=client.id, seen_at=datetime.now(UTC)
            )
        )
    with pytest.raises(ClientInUse) as refused:
        core.clients.delete(client.id)
    assert refused.value.referenced_by == ("host_pets",)
    assert "host_pets refer to it" in str(refused.value)
    assert core.clients.get(client.id) == client
    core.clients.delete(other.id)  # nothing refers to it
    with host_engine.begin() as connection:
        connection.execute(host_pets.delete().where(host_pets.c.id == PET))
    core.clients.delete(client.id)


@pytest.mark.parametrize(
    ("message", "table"),
    [
        (
            'update or delete on table "clients" violates foreign key constraint '
            '"host_pets_tenant_client_id_fkey" on table "host_pets"',
            "host_pets",
        ),
        (
            'update or delete on table "clients" violates foreign key constraint '
            '"fk ""odd""" on table "pets ""of"" host"',
            'pets "of" host',
        ),
        (
            "(1451, 'Cannot delete or update a parent row: a foreign key constraint fails "
            "(`host_db`.`host_pets`, CONSTRAINT `host_pets_ibfk_1` FOREIGN KEY (`tenant`, "
            "`client_id`) REFERENCES `clients` (`tenant`, `id`))')",
            "host_pets",
        ),
        ("(sqlite3.IntegrityError) FOREIGN KEY constraint failed", None),
    ],
)
def test_the_referring_table_is_read_from_the_drivers_message(
    message: str, table: str | None
) -> None:
    assert named_table(message) == table
