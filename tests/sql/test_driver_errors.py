"""Driver errors of the adapter's statements become ours, on every engine: a primary key or
foreign key violation a ``Conflict``, a value the column refuses a ``StorageError``, and a
lost connection a ``StorageError`` after which the pool hands out a new connection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy

import clientcore
from clientcore import Actor
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.db import COPY_FROM
from clientcore.entities.event import Event
from clientcore.entities.kinds import STAFF
from clientcore.entities.staff import StaffMember
from clientcore.entities.visit import Visit, VisitKind
from clientcore.errors import Conflict, StorageError
from clientcore.testing.clock import new_tenant

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_key_violations_are_conflicts(sql_backend: SqlBackend) -> None:
    tenant = new_tenant("errors")
    member = StaffMember(uuid.uuid4(), "Dr Ewa", NOW)
    with sql_backend.unit_of_work(tenant) as uow:
        uow.records(STAFF).add(member)
        with pytest.raises(Conflict, match="already exists"):
            uow.records(STAFF).add(member)  # insert_many: the primary key
    with sql_backend.unit_of_work(tenant) as uow:
        uow.records(STAFF).add(member)
        unknown_client = Visit(
            uuid.uuid4(),
            member.id,
            VisitKind.VISIT,
            MONDAY,
            MONDAY,
            NOW,
            NOW,
            client_id=uuid.uuid4(),
        )
        with pytest.raises(Conflict, match="refers to a missing row"):
            uow.visits.add(unknown_client)  # the visit's checked insert: the client's key


def test_a_value_the_column_refuses_is_a_storage_error(sql_backend: SqlBackend) -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    member = StaffMember(uuid.uuid4(), "Dr Ewa", NOW)
    with sql_backend.unit_of_work(new_tenant("naive")) as uow:
        uow.records(STAFF).add(member)
        with pytest.raises(StorageError, match="naive datetimes are ambiguous"):
            uow.visits.add(Visit(uuid.uuid4(), member.id, VisitKind.BREAK, naive, naive, NOW, NOW))


def _events(count: int, client_id: uuid.UUID, at: datetime = NOW) -> list[Event]:
    return [
        Event(uuid.uuid4(), "client_registered", client_id, client_id, "importer", at)
        for _ in range(count)
    ]


def test_bulk_events_read_back_and_their_errors_are_ours(sql_backend: SqlBackend) -> None:
    """As many events as an import appends at once (on PostgreSQL a COPY): they read back
    as written; a repeated id is a ``Conflict``, a naive instant a ``StorageError``."""
    tenant, client_id = new_tenant("bulk-events"), uuid.uuid4()
    written = _events(COPY_FROM, client_id)
    with sql_backend.unit_of_work(tenant) as uow:
        uow.events.append(written)
        uow.commit()
    with sql_backend.unit_of_work(tenant) as uow:
        assert sorted(uow.events.for_client(client_id), key=str) == sorted(written, key=str)
        with pytest.raises(Conflict, match="already exists"):
            uow.events.append([*_events(COPY_FROM - 1, client_id), written[0]])
    with sql_backend.unit_of_work(tenant) as uow:
        naive = _events(COPY_FROM, client_id, datetime(2026, 3, 2, 9, 0))
        with pytest.raises(StorageError, match="naive datetimes are ambiguous"):
            uow.events.append(naive)


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


def test_a_lost_connection_is_refused_and_not_reused(
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
