"""The booking lock that ``uow.visits.schedule(staff_id, lock=True)`` takes on PostgreSQL
and MariaDB holds the staff member's row and nothing else that the same statement reads
(the working hours, the tenant's settings): bookings with other staff members and changes
of the settings never wait for it. SQLite has no row locks (``BEGIN IMMEDIATE`` holds the
database's write lock for every writing unit of work)."""

from __future__ import annotations

from datetime import time
from uuid import UUID

import pytest
from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import OperationalError

import clientcore
from clientcore import Actor, Role
from clientcore.adapters.sql import SqlBackend
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.testing.clock import new_tenant


def test_the_booking_lock_holds_the_staff_members_row_alone(
    server_backend: SqlBackend,
) -> None:
    core = clientcore.open(
        server_backend, tenant=new_tenant(), actor=Actor("o", roles=[Role.OWNER])
    )
    core.setup.configure(time_zone="Europe/Warsaw")
    vet, other = core.staff.add("Dr Ewa").id, core.staff.add("Dr Adam").id
    for member in (vet, other):
        core.staff.set_hours(member, [WeeklySlot(0, TimeRange(time(8), time(16)))])
    tables, engine = server_backend.tables, server_backend.bind
    assert isinstance(engine, Engine)

    def lock_now(table: Table, staff_id: UUID | None = None) -> None:
        """Lock the tenant's row(s) of ``table`` (of ``staff_id``), failing at once if held."""
        where = [table.c.tenant == core.tenant]
        if staff_id is not None:
            where.append((table.c.id if table is tables.staff else table.c.staff_id) == staff_id)
        statement = select(table).where(*where).with_for_update(nowait=True)
        with engine.connect() as observer:
            assert observer.execute(statement).all()

    with server_backend.unit_of_work(core.tenant) as uow:
        schedule = uow.visits.schedule(vet, lock=True)
        assert schedule.time_zone == "Europe/Warsaw"
        lock_now(tables.settings)
        lock_now(tables.working_hours, vet)
        lock_now(tables.staff, other)
        with pytest.raises(OperationalError):
            lock_now(tables.staff, vet)
    lock_now(tables.staff, vet)  # released with the unit of work
