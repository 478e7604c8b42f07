"""In-memory visits and working hours. The overlap rule is checked under the store's lock,
which every unit of work holds, so check and write are one atomic step here too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from clientcore.adapters.memory.linked import MemoryLinkedRecords
from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.visit import Visit
from clientcore.entities.working_hours import Schedule, WorkingHours
from clientcore.errors import ConcurrencyError, VisitOverlap
from clientcore.ports.repositories import Busy


def by_start(row: Visit, _seq: int) -> tuple[datetime, str]:
    return (row.start, str(row.id))


class MemoryVisitRepository(MemoryLinkedRecords[Visit]):
    """``read_schedule``: the unit of work's read of a staff member's schedule; ``records``:
    what every kind of client-linked record is made with."""

    def __init__(self, read_schedule: Callable[[UUID], Schedule], **records: Any) -> None:
        super().__init__("visits", **records)
        self._read_schedule = read_schedule

    def schedule(self, staff_id: UUID, *, lock: bool = False) -> Schedule:
        return self._read_schedule(staff_id)  # every unit of work holds the store's lock

    def _refuse_overlap(self, visit: Visit) -> None:
        if not visit.holds_time:
            return
        for other in self.for_staff(visit.staff_id, visit.start, visit.end):
            if other.id != visit.id and other.holds_time:
                raise VisitOverlap(other.id, other.start, other.end)

    def add(self, visit: Visit) -> None:
        self._refuse_overlap(visit)
        self._insert(visit)

    def get(self, visit_id: UUID) -> Visit:
        return self._get(visit_id)

    def update(self, visit: Visit) -> None:
        if self._get(visit.id).version != visit.version - 1:
            raise ConcurrencyError("visit", visit.id, visit.version - 1)
        self._refuse_overlap(visit)
        self._replace(visit)

    def delete(self, visit: Visit) -> None:
        if self._get(visit.id).version != visit.version:
            raise ConcurrencyError("visit", visit.id, visit.version)
        self._remove(visit.id)

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        return self._select(lambda v: v.staff_id == staff_id and v.overlaps(start, end))

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        return self._select(
            lambda v: v.staff_id == staff_id and v.asap and v.holds_time and v.start >= after
        )

    def busy(self, staff_ids: Sequence[UUID], start: datetime, end: datetime) -> list[Busy]:
        members = set(staff_ids)
        held = self._select(
            lambda v: v.staff_id in members and v.holds_time and v.overlaps(start, end)
        )
        found = [(v.staff_id, v.start, v.end) for v in held]
        found.sort(key=lambda entry: entry[0].hex)  # a stable sort: each one's stay by start
        return found


class MemoryWorkingHoursRepository:
    def __init__(self, tenant: str, table: Table[UUID, WorkingHours], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def get(self, staff_id: UUID) -> WorkingHours:
        return self._table.get(self._tenant, staff_id) or WorkingHours(staff_id)

    def get_many(self, staff_ids: Sequence[UUID]) -> dict[UUID, WorkingHours]:
        return {staff_id: self.get(staff_id) for staff_id in staff_ids}

    def put(self, hours: WorkingHours) -> None:
        self._table.put(self._tenant, hours.staff_id, hours, self._journal)
