"""SQL visits and working hours. No double-booking, enforced by locking.

A write that takes time (``add``, ``update``) first locks the staff member's row
(``SELECT ... FOR UPDATE`` on MariaDB/MySQL, an ``UPDATE`` that changes nothing on
PostgreSQL, see :meth:`SqlVisitRepository._lock_staff`; SQLite's ``BEGIN IMMEDIATE``
already holds the database's write lock, so nothing is run there), then looks for an
overlapping entry among the latest committed rows, then writes. Two bookings for one staff
member therefore run one after the other and the second sees the first; bookings for
different staff members do not wait for each other.

Every statement is made once per table and dialect (:func:`_visit_statements`) and bound to
the values when run.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Executable,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import BATCH
from clientcore.adapters.sql.records import WHERE_ID, WHERE_TENANT, SqlRecords, mine
from clientcore.adapters.sql.schema import Tables, stored_id
from clientcore.entities.kinds import STAFF, VISITS, WORKING_HOURS
from clientcore.entities.settings import TenantSettings
from clientcore.entities.visit import MAX_DURATION_MINUTES, Visit, VisitStatus
from clientcore.entities.working_hours import Schedule, WorkingHours
from clientcore.errors import ConcurrencyError, VisitOverlap
from clientcore.ports.repositories import Busy

_LONGEST = timedelta(minutes=MAX_DURATION_MINUTES)
_CANCELLED = VisitStatus.CANCELLED.value


def _earliest(start: datetime) -> datetime:
    """The earliest start of an entry that can overlap ``start``: no entry is longer than
    :data:`_LONGEST` (real time: a zone's wall clock would be an hour off across a change)."""
    return start.astimezone(UTC) - _LONGEST


def _overlapping(visits: Table, staff: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The tenant's entries of the staff member(s) that ``staff`` selects overlapping
    ``[start, end)``; ``earliest`` is ``start`` minus the longest entry, which lets the
    ``(tenant, staff_id, starts_at)`` index bound the scan from below."""
    c = visits.c
    return [
        mine(visits),
        staff,
        c.starts_at < bindparam("end", type_=c.starts_at.type),
        c.starts_at > bindparam("earliest", type_=c.starts_at.type),
        c.ends_at > bindparam("start", type_=c.ends_at.type),
    ]


def _one_member(visits: Table) -> list[ColumnElement[bool]]:
    """:func:`_overlapping` for the parameter ``staff_id``."""
    return _overlapping(visits, visits.c.staff_id == bindparam("staff_id"))


@attrs.frozen
class _VisitStatements:
    lock_staff: Executable | None
    """None on SQLite, whose ``BEGIN IMMEDIATE`` holds the write lock already."""
    add_if_free: Insert
    """INSERT the visit's row (its columns by name) unless a time-holding entry of the
    staff member overlaps it (the parameters of :data:`clash`): the check and the write in
    one statement, which inserts no row if the time is taken."""
    clash: Select[Any]
    stored_version: Select[Any]
    for_staff: Select[Any]
    asap_after: Select[Any]


@functools.lru_cache(maxsize=64)
def _visit_statements(tables: Tables, dialect: str) -> _VisitStatements:
    visits, staff = tables.visits, tables.staff
    c = visits.c
    order = (c.starts_at, c.id)
    lock: Executable | None = None
    the_member = (mine(staff, WHERE_TENANT), staff.c.id == bindparam(WHERE_ID))
    if dialect == "postgresql":
        lock = update(staff).where(*the_member).values(active=staff.c.active)
    elif dialect != "sqlite":
        lock = select(staff.c.id).where(*the_member).with_for_update()
    in_the_way = (*_one_member(visits), c.status != _CANCELLED, c.id != bindparam("id"))
    clash = select(c.id, c.starts_at, c.ends_at).where(*in_the_way).order_by(*order).limit(1)
    if dialect in ("mysql", "mariadb"):
        # a locking read sees the latest committed rows even under a host's REPEATABLE READ
        # (so does the SELECT of an INSERT ... SELECT there, which locks what it reads)
        clash = clash.with_for_update(read=True)
    row = select(*(bindparam(column.name, type_=column.type) for column in visits.columns))
    return _VisitStatements(
        lock_staff=lock,
        add_if_free=insert(visits)
        .from_select(
            [column.name for column in visits.columns], row.where(~exists().where(*in_the_way))
        )
        .execution_options(preserve_rowcount=True),  # SQLAlchemy keeps it for UPDATE, DELETE
        clash=clash,
        stored_version=select(c.version)
        .where(mine(visits), c.id == bindparam("id"))
        .with_for_update(),
        for_staff=select(visits).where(*_one_member(visits)).order_by(*order),
        asap_after=select(visits)
        .where(
            mine(visits),
            c.staff_id == bindparam("staff_id"),
            c.asap.is_(True),
            c.status != _CANCELLED,
            c.starts_at >= bindparam("after", type_=c.starts_at.type),
        )
        .order_by(*order),
    )


@functools.lru_cache(maxsize=64)
def _schedule_statement(tables: Tables, dialect: str, lock: bool) -> Select[Any]:
    """The staff member ``w_id`` of the tenant ``w_tenant`` with their working hours'
    ``weekly`` and ``overrides`` and the tenant's ``time_zone`` (NULL if never set), in one
    statement.

    With ``lock`` it takes the staff member's row lock too (see
    :meth:`SqlVisitRepository._lock_staff`): on PostgreSQL the row is the one returned by
    the UPDATE that locks it (a data-modifying CTE), on MariaDB/MySQL the statement is a
    ``SELECT ... FOR UPDATE``, which locks the staff row alone (the columns read by scalar
    subqueries are not locked); SQLite's ``BEGIN IMMEDIATE`` holds the lock already.
    """
    staff, hours, settings = tables.staff, tables.working_hours, tables.settings
    the_member = (mine(staff, WHERE_TENANT), staff.c.id == bindparam(WHERE_ID))
    member: Any = staff
    if lock and dialect == "postgresql":
        member = (
            update(staff)
            .where(*the_member)
            .values(active=staff.c.active)
            .returning(*staff.c)
            .cte("locked")
        )
    m = member.c
    of_member = (hours.c.tenant == m.tenant, hours.c.staff_id == m.id)
    columns: list[ColumnElement[Any]] = [
        *(m[column.name] for column in staff.columns),
        select(hours.c.weekly).where(*of_member).scalar_subquery().label("weekly"),
        select(hours.c.overrides).where(*of_member).scalar_subquery().label("overrides"),
        select(settings.c.time_zone)
        .where(settings.c.tenant == m.tenant)
        .scalar_subquery()
        .label("time_zone"),
    ]
    statement = select(*columns)
    if member is staff:
        statement = statement.where(*the_member)
    if lock and dialect in ("mysql", "mariadb"):
        statement = statement.with_for_update()
    return statement


@functools.lru_cache(maxsize=64)
def _busy_statement(visits: Table) -> Select[Any, datetime, datetime]:
    """Staff member, start and end of the time-holding entries of the parameter
    ``staff_ids`` (an expanding IN list) overlapping ``[start, end)``, in the order of the
    ``(tenant, staff_id, starts_at, id)`` index.

    The columns are read without the adapter's types (``Id``, ``Moment``): the staff
    member's id as the driver gives it (:func:`.schema.stored_id` converts it), start and
    end as the driver's (or SQLite's text parser's) datetimes, made UTC as ``Moment``
    does (naive ones are UTC, aware ones are converted)."""
    c = visits.c
    staff_ids: BindParameter[Any] = bindparam("staff_ids", expanding=True)
    return (
        select(
            type_coerce(c.staff_id, NullType()),
            type_coerce(c.starts_at, DateTime()),
            type_coerce(c.ends_at, DateTime()),
        )
        .where(*_overlapping(visits, c.staff_id.in_(staff_ids)), c.status != _CANCELLED)
        .order_by(c.staff_id, c.starts_at, c.id)
    )


class SqlVisitRepository(SqlRecords[Visit]):
    """Visits, in a table whose columns ``starts_at`` and ``ends_at`` hold their start and
    end (indexed with the staff member, for the overlap checks)."""

    columns = (("start", "starts_at"), ("end", "ends_at"))

    def _row(self, record: Visit) -> dict[str, Any]:
        return convert.visit_row(self._db.tenant, record)

    def _record(self, row: Any) -> Visit:
        return convert.visit_from_row(row)

    @functools.cached_property
    def _visit_statements(self) -> _VisitStatements:
        return _visit_statements(self._db.tables, self._db.dialect)

    def schedule(self, staff_id: UUID, *, lock: bool = False) -> Schedule:
        statement = _schedule_statement(self._db.tables, self._db.dialect, lock)
        row = self._db.row(statement, {WHERE_TENANT: self._db.tenant, WHERE_ID: staff_id})
        if row is None:
            raise STAFF.not_found(staff_id)
        if lock:
            self._db.locked_staff.add(staff_id)
        member = self._rows.record(STAFF, row)
        hours = WorkingHours(member.id)
        if row["weekly"] is not None:
            stored = {"staff_id": member.id, "weekly": row["weekly"], "overrides": row["overrides"]}
            hours = self._rows.record(WORKING_HOURS, stored)
        zone = TenantSettings().time_zone if row["time_zone"] is None else row["time_zone"]
        return Schedule(member, hours, zone)

    def _lock_staff(self, staff_id: UUID) -> None:
        """Hold the staff member's row lock until the transaction ends (unless this unit of
        work took it already, see :meth:`schedule`).

        On PostgreSQL the lock is taken with an UPDATE that changes nothing rather than a
        ``SELECT ... FOR UPDATE``: in a host's REPEATABLE READ or SERIALIZABLE transaction
        the overlap check reads the transaction's snapshot, which may predate a booking
        committed meanwhile. Updating a row that such a booking updated after the snapshot
        was taken fails with a serialization failure (StorageBusy, so the unit of work runs
        again on a fresh snapshot); merely locking it would not. Under READ COMMITTED both
        simply wait for the row. SQLite runs nothing: ``BEGIN IMMEDIATE`` (clientcore's
        engines, and a host's that it prepares) holds the database's write lock already,
        and SQLite has no row locks to take.
        """
        if staff_id in self._db.locked_staff:
            return
        lock = self._visit_statements.lock_staff
        if lock is not None:
            self._db.execute(lock, {WHERE_TENANT: self._db.tenant, WHERE_ID: staff_id})
        self._db.locked_staff.add(staff_id)

    def _window(self, staff_id: UUID, start: datetime, end: datetime) -> dict[str, Any]:
        return {
            "tenant": self._db.tenant,
            "staff_id": staff_id,
            "start": start,
            "end": end,
            "earliest": _earliest(start),
        }

    def _clash_parameters(self, visit: Visit) -> dict[str, Any]:
        parameters = self._window(visit.staff_id, visit.start, visit.end)
        parameters["id"] = visit.id
        return parameters

    def _refuse_overlap(self, visit: Visit) -> None:
        if not visit.holds_time:
            return
        other = self._db.row(self._visit_statements.clash, self._clash_parameters(visit))
        if other is not None:
            raise VisitOverlap(other["id"], other["starts_at"], other["ends_at"])

    def add(self, *visits: Visit) -> None:
        """Under the staff member's lock, one INSERT that writes a visit only if its time
        is free; if it wrote nothing, the entry in the way is read to be named. (If that
        entry was deleted in between, which takes no staff lock, the INSERT runs again.)"""
        for visit in visits:
            self._lock_staff(visit.staff_id)
            if not visit.holds_time:
                super().add(visit)
                continue
            parameters = {**self._row(visit), **self._clash_parameters(visit)}
            while self._db.changed(self._visit_statements.add_if_free, parameters) != 1:
                self._refuse_overlap(visit)

    def _stored_version(self, visit_id: UUID) -> int:
        version = self._db.execute(
            self._visit_statements.stored_version, {"tenant": self._db.tenant, "id": visit_id}
        ).scalar_one_or_none()
        if version is None:
            raise VISITS.not_found(visit_id)
        return int(version)

    def replace(self, visit: Visit) -> None:
        expected = visit.version - 1
        self._lock_staff(visit.staff_id)
        if self._stored_version(visit.id) != expected:
            raise ConcurrencyError("visit", visit.id, expected)
        self._refuse_overlap(visit)
        super().replace(visit)

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        statement = self._visit_statements.for_staff
        rows = self._db.rows(statement, self._window(staff_id, start, end))
        return [self._record(row) for row in rows]

    def busy(self, staff_ids: Sequence[UUID], start: datetime, end: datetime) -> list[Busy]:
        # in id order, so that the batches' rows (each in index order) follow each other
        members = sorted(set(staff_ids), key=lambda staff_id: staff_id.hex)
        statement = _busy_statement(self._db.tables.visits)
        parameters: dict[str, Any] = {
            "tenant": self._db.tenant,
            "start": start,
            "end": end,
            "earliest": _earliest(start),
        }
        found: list[Busy] = []
        for first in range(0, len(members), BATCH):
            parameters["staff_ids"] = members[first : first + BATCH]
            rows: Sequence[Any] = self._db.execute(statement, parameters).all()
            naive = bool(rows) and rows[0][1].tzinfo is None  # UTC (SQLite, MariaDB/MySQL)
            found.extend(
                [
                    (
                        stored_id(staff),
                        begins.replace(tzinfo=UTC) if naive else begins.astimezone(UTC),
                        ends.replace(tzinfo=UTC) if naive else ends.astimezone(UTC),
                    )
                    for staff, begins, ends in rows
                ]
            )
        return found

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        parameters = {"tenant": self._db.tenant, "staff_id": staff_id, "after": after}
        rows = self._db.rows(self._visit_statements.asap_after, parameters)
        return [self._record(row) for row in rows]
