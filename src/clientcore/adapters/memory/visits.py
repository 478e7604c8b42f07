"""In-memory visits. The overlap rule is checked under the store's lock,
which every unit of work holds, so check and write are one atomic step here too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from clientcore.adapters.memory.records import MemoryRecords
from clientcore.entities.kinds import VISITS
from clientcore.entities.visit import Visit
from clientcore.entities.working_hours import Schedule
from clientcore.errors import VisitOverlap
from clientcore.ports.repositories import Busy


class MemoryVisitRepository(MemoryRecords[Visit]):
    """Visits, checked for overlaps under the store's lock. ``read_schedule``: the unit of
    work's read of a staff member's schedule; ``records``: what every kind is made with."""

    def __init__(self, read_schedule: Callable[[UUID], Schedule], **records: Any) -> None:
        super().__init__(VISITS, **records)
        self._read_schedule = read_schedule

    def schedule(self, staff_id: UUID, *, lock: bool = False) -> Schedule:
        return self._read_schedule(staff_id)  # every unit of work holds the store's lock

    def _refuse_overlap(self, visit: Visit) -> None:
        if not visit.holds_time:
            return
        for other in self.for_staff(visit.staff_id, visit.start, visit.end):
            if other.id != visit.id and other.holds_time:
                raise VisitOverlap(other.id, other.start, other.end)

    def add(self, *visits: Visit) -> None:
        for visit in visits:
            self._refuse_overlap(visit)
            super().add(visit)

    def replace(self, visit: Visit) -> None:
        self._check_version(self.get(visit.id), visit.version - 1)
        self._refuse_overlap(visit)
        super().replace(visit)

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
