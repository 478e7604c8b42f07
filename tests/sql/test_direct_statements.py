"""The statements the adapter builds once run on the driver's cursor only while nothing
observes the connection (``clientcore.adapters.sql.direct``): a host's listener sees every
statement of a booking, the two ways give the same results, and a driver error on the
direct path is translated as one through SQLAlchemy is, a lost connection included."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import event

import clientcore
from clientcore import Actor, Core
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.direct import unobserved
from clientcore.entities.staff import StaffMember
from clientcore.entities.visit import Visit, VisitKind
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import Conflict, StorageError, VisitOverlap
from clientcore.testing.clock import TickingClock, new_tenant

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _counted_ids() -> Callable[[], uuid.UUID]:
    numbers = itertools.count(1)
    return lambda: uuid.UUID(int=next(numbers))


def _story(backend: SqlBackend, tenant: str) -> list[object]:
    """Every kind of statement that runs direct: set-up rows, a registration (codes, search
    keys, events), reads by id, a search, a booking, a refused one, a cancellation, the
    history. What each step returned, with fixed time and ids."""
    core: Core = clientcore.open(
        backend,
        tenant=tenant,
        actor=Actor("rita", roles={"owner"}),
        clock=TickingClock(),
        ids=_counted_ids(),
    )
    core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
    staff = core.staff.add("Dr Ewa")
    hours = core.staff.set_hours(staff.id, [WeeklySlot(0, TimeRange(time(8), time(18)))])
    client = core.clients.register(
        first_name="Łukasz", last_name="Żółć", phones=["601 234 567"], emails=["l@example.com"]
    )
    visit = core.visits.book(client.id, staff.id, MONDAY, 30)
    with pytest.raises(VisitOverlap) as refused:
        core.visits.book(client.id, staff.id, MONDAY, 15)
    cancelled = core.visits.cancel(visit.id)
    return [
        staff,
        hours,
        client,
        core.clients.get(client.id),
        core.clients.search("lukasz").clients,
        visit,
        str(refused.value),
        cancelled,
        core.calendar.for_client(client.id),
        [(e.kind, e.at, e.changes) for e in core.clients.history(client.id)],
    ]


@pytest.fixture
def observed(sql_url: str) -> Iterator[tuple[SqlBackend, list[str]]]:
    """A backend whose engine has a listener on every statement, as a host's tracing has,
    and the statements it saw."""
    backend = SqlBackend.from_url(sql_url)
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(backend.bind, "before_cursor_execute", record)
    yield backend, seen
    backend.close()


def test_direct_and_observed_statements_give_the_same_results(
    sql_backend: SqlBackend, observed: tuple[SqlBackend, list[str]]
) -> None:
    direct_story = _story(sql_backend, new_tenant("direct"))
    observed_story = _story(observed[0], new_tenant("observed"))

    assert direct_story == observed_story


def test_a_hosts_listener_sees_every_statement_of_a_booking(
    observed: tuple[SqlBackend, list[str]],
) -> None:
    backend, seen = observed
    _story(backend, new_tenant("seen"))

    starts = {statement.split(" (")[0] for statement in seen if not statement.startswith("S")}
    reads = " ".join(statement for statement in seen if statement.startswith("SELECT"))
    assert {"INSERT INTO visits", "INSERT INTO events", "INSERT INTO clients"} <= starts
    assert any(statement.startswith("UPDATE visits") for statement in seen)
    assert "FROM clients" in reads
    assert "FROM staff" in reads
    assert "client_search_keys" in reads


def test_statements_run_direct_only_while_nothing_observes_them(sql_url: str) -> None:
    engine = sqlalchemy.create_engine(sql_url)
    echoing = sqlalchemy.create_engine(sql_url, echo=True)
    try:
        with engine.connect() as connection:
            assert unobserved(connection)
            translated = connection.execution_options(schema_translate_map={None: "other"})
            assert not unobserved(translated)
        with echoing.connect() as connection:
            assert not unobserved(connection)
        event.listen(engine, "after_cursor_execute", lambda *_args: None)
        with engine.connect() as connection:
            assert not unobserved(connection)
    finally:
        engine.dispose()
        echoing.dispose()


def test_driver_errors_on_the_direct_path_are_ours(sql_backend: SqlBackend) -> None:
    tenant = new_tenant("errors")
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    member = StaffMember(uuid.uuid4(), "Dr Ewa", now)
    with sql_backend.unit_of_work(tenant) as uow:
        uow.staff.add(member)
        with pytest.raises(Conflict, match="already exists"):
            uow.staff.add(member)  # insert_many: the primary key
    with sql_backend.unit_of_work(tenant) as uow:
        uow.staff.add(member)
        unknown_client = Visit(
            uuid.uuid4(),
            member.id,
            VisitKind.VISIT,
            MONDAY,
            MONDAY,
            now,
            now,
            client_id=uuid.uuid4(),
        )
        with pytest.raises(Conflict, match="refers to a missing row"):
            uow.visits.add(unknown_client)  # changed(): the client's foreign key


@pytest.mark.parametrize("watched", [False, True])
def test_a_value_the_column_refuses_is_the_same_error_both_ways(
    sql_backend: SqlBackend, observed: tuple[SqlBackend, list[str]], watched: bool
) -> None:
    backend = observed[0] if watched else sql_backend
    tenant = new_tenant("naive")
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    naive = datetime(2026, 3, 2, 9, 0)
    member = StaffMember(uuid.uuid4(), "Dr Ewa", now)
    with backend.unit_of_work(tenant) as uow:
        uow.staff.add(member)
        with pytest.raises(StorageError, match="naive datetimes are ambiguous"):
            uow.visits.add(Visit(uuid.uuid4(), member.id, VisitKind.BREAK, naive, naive, now, now))


def _kill(server_url: str, session: object) -> None:
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if admin.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(str(session))})")
            else:
                connection.exec_driver_sql(f"KILL {int(str(session))}")
    finally:
        admin.dispose()


def test_a_connection_lost_on_the_direct_path_is_refused_and_not_reused(
    server_backend: SqlBackend, server_url: str
) -> None:
    core = clientcore.open(server_backend, tenant=new_tenant("lost"), actor=Actor("rita"))
    client = core.clients.register(first_name="Anna", last_name="Nowak")
    session_of = (
        "SELECT pg_backend_pid()"
        if server_backend.bind.dialect.name == "postgresql"
        else "SELECT CONNECTION_ID()"
    )
    with server_backend.unit_of_work(core.tenant) as uow:
        _kill(server_url, uow.connection.exec_driver_sql(session_of).scalar_one())
        with pytest.raises(StorageError, match="connection failed"):
            uow.clients.get(client.id)

    assert core.clients.get(client.id) == client  # a new connection from the pool
