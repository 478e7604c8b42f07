"""SQL visits and working hours. No double-booking, enforced by locking.

A write that takes time (``add``, ``update``) first locks the staff member's row
(``SELECT ... FOR UPDATE`` on MariaDB/MySQL, an ``UPDATE`` that changes nothing on
PostgreSQL, see :meth:`SqlVisitRepository._lock_staff`; SQLite's ``BEGIN IMMEDIATE``
already holds the database's write lock), then looks for an overlapping entry among the
latest committed rows, then writes. Two bookings for one staff member therefore run one
after the other and the second sees the first; bookings for different staff members do not
wait for each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, select, update

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.linked import SqlLinkedRecords
from clientcore.adapters.sql.records import SqlRepository
from clientcore.entities.visit import MAX_DURATION_MINUTES, Visit, VisitStatus
from clientcore.entities.working_hours import WorkingHours
from clientcore.errors import ConcurrencyError, VisitOverlap

_LONGEST = timedelta(minutes=MAX_DURATION_MINUTES)
_CANCELLED = VisitStatus.CANCELLED.value


class SqlVisitRepository(SqlLinkedRecords[Visit]):
    def _lock_staff(self, staff_id: UUID) -> None:
        """Hold the staff member's row lock until the transaction ends.

        On PostgreSQL the lock is taken with an UPDATE that changes nothing rather than a
        ``SELECT ... FOR UPDATE``: in a host's REPEATABLE READ or SERIALIZABLE transaction
        the overlap check reads the transaction's snapshot, which may predate a booking
        committed meanwhile. Updating a row that such a booking updated after the snapshot
        was taken fails with a serialization failure (StorageBusy, so the unit of work runs
        again on a fresh snapshot); merely locking it would not. Under READ COMMITTED both
        simply wait for the row.
        """
        staff = self._db.tables.staff
        mine = (staff.c.tenant == self._db.tenant, staff.c.id == staff_id)
        if self._db.dialect == "postgresql":
            self._db.execute(update(staff).where(*mine).values(active=staff.c.active))
            return
        self._db.execute(self._db.for_update(select(staff.c.id).where(*mine)))

    def _overlapping(
        self, staff_id: UUID, start: datetime, end: datetime
    ) -> list[ColumnElement[bool]]:
        """Conditions of entries of the staff member overlapping ``[start, end)``."""
        c = self._table.c
        return [
            c.staff_id == staff_id,
            c.starts_at < end,
            c.starts_at > start - _LONGEST,  # no entry is longer: lets the index bound the scan
            c.ends_at > start,
        ]

    def _refuse_overlap(self, visit: Visit) -> None:
        if not visit.holds_time:
            return
        c = self._table.c
        statement = (
            select(c.id, c.starts_at, c.ends_at)
            .where(
                *self._mine(*self._overlapping(visit.staff_id, visit.start, visit.end)),
                c.status != _CANCELLED,
                c.id != visit.id,
            )
            .order_by(*self._order_by)
            .limit(1)
        )
        other = self._db.row(self._db.latest(statement))
        if other is not None:
            raise VisitOverlap(other["id"], other["starts_at"], other["ends_at"])

    def add(self, visit: Visit) -> None:
        self._lock_staff(visit.staff_id)
        self._refuse_overlap(visit)
        self._insert([visit])

    def get(self, visit_id: UUID) -> Visit:
        return self._get(visit_id)

    def _stored_version(self, visit_id: UUID) -> int:
        c = self._table.c
        version = self._db.execute(
            self._db.for_update(select(c.version).where(*self._by_id(visit_id)))
        ).scalar_one_or_none()
        if version is None:
            raise self._not_found(visit_id)
        return int(version)

    def update(self, visit: Visit) -> None:
        expected = visit.version - 1
        self._lock_staff(visit.staff_id)
        if self._stored_version(visit.id) != expected:
            raise ConcurrencyError("visit", visit.id, expected)
        self._refuse_overlap(visit)
        if self._replace(visit, self._table.c.version == expected) != 1:
            raise ConcurrencyError("visit", visit.id, expected)

    def delete(self, visit: Visit) -> None:
        if self._stored_version(visit.id) != visit.version:
            raise ConcurrencyError("visit", visit.id, visit.version)
        self._remove(visit.id)

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        return self._select(*self._overlapping(staff_id, start, end))

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        c = self._table.c
        return self._select(
            c.staff_id == staff_id, c.asap.is_(True), c.status != _CANCELLED, c.starts_at >= after
        )


class SqlWorkingHoursRepository(SqlRepository):
    def get(self, staff_id: UUID) -> WorkingHours:
        table = self._db.tables.working_hours
        row = self._db.row(select(table).where(*self._mine(table, table.c.staff_id == staff_id)))
        return WorkingHours(staff_id) if row is None else convert.working_hours_from_row(row)

    def put(self, hours: WorkingHours) -> None:
        self._db.upsert(
            self._db.tables.working_hours,
            convert.working_hours_row(self._db.tenant, hours),
            key=("tenant", "staff_id"),
        )
