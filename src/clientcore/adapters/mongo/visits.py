"""Visits on MongoDB: the generic records of their kind, kept free of overlaps.

MongoDB has no exclusion constraint, so the no-overlap rule is kept with a lock per staff
member's calendar: ``add`` and ``replace`` of a time-holding entry take the lock (held until
the unit of work ends, i.e. after its commit), then check the latest committed entries,
read outside any transaction snapshot, plus this unit's own changes. Two writers of one
calendar are thus serialised; writers of different calendars never wait for each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from clientcore.adapters.mongo.convert import stored_instant, stored_uuid
from clientcore.adapters.mongo.layout import Layout
from clientcore.adapters.mongo.records import MongoRecords
from clientcore.adapters.mongo.store import Scoped, Sort
from clientcore.entities.visit import MAX_DURATION_MINUTES, Visit, VisitStatus
from clientcore.entities.working_hours import Schedule
from clientcore.errors import VisitOverlap
from clientcore.ports.repositories import Busy

_LONGEST = timedelta(minutes=MAX_DURATION_MINUTES)
_HOLDS_TIME = {"status": {"$ne": VisitStatus.CANCELLED.value}}
_BUSY_ORDER: Sort = (("staff_id", 1), ("start", 1))
"""The ``(tenant, staff_id, start)`` index's order; binary subtype 4 ids order like their
text."""
_BUSY_FIELDS = {"_id": 0, "staff_id": 1, "start": 1, "end": 1}


def _overlapping(staff: UUID | dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """Entries of the staff member(s) that ``staff`` selects (an id, or an operator such
    as ``$in``) overlapping ``[start, end)``. No entry is longer than :data:`_LONGEST` (in
    real time, hence UTC), so the lower bound on ``start`` lets the (tenant, staff_id,
    start) index bound the scan instead of reading the staff member's whole past."""
    return {
        "staff_id": staff,
        "start": {"$lt": end, "$gt": start.astimezone(UTC) - _LONGEST},
        "end": {"$gt": start},
    }


class MongoVisitRepository(MongoRecords[Visit]):
    """``read_schedule``: the unit of work's read of a staff member's schedule."""

    def __init__(
        self, layout: Layout[Visit], store: Scoped, read_schedule: Callable[[UUID], Schedule]
    ) -> None:
        super().__init__(layout, store)
        self._read_schedule = read_schedule

    def _lock_calendar(self, staff_id: UUID) -> None:
        self._store.work.hold(f"{self._store.tenant}/calendar/{staff_id}")

    def schedule(self, staff_id: UUID, *, lock: bool = False) -> Schedule:
        if lock:
            self._lock_calendar(staff_id)
        return self._read_schedule(staff_id)

    def _refuse_overlap(self, visit: Visit) -> None:
        if not visit.holds_time:
            return
        self._lock_calendar(visit.staff_id)
        query = {**_overlapping(visit.staff_id, visit.start, visit.end), **_HOLDS_TIME}
        documents = self._store.find(query, fresh=True)
        latest: dict[UUID, Visit | None] = {
            entry.id: entry for entry in (self._documents.structure(d, Visit) for d in documents)
        }
        latest.update({key: record for key, (record, _) in self._mine.items()})
        clashes = [
            other
            for other in latest.values()
            if other is not None
            and other.id != visit.id
            and other.staff_id == visit.staff_id
            and other.holds_time
            and other.overlaps(visit.start, visit.end)
        ]
        if clashes:
            first = min(clashes, key=lambda other: (other.start, str(other.id)))
            raise VisitOverlap(first.id, first.start, first.end)

    def add(self, *visits: Visit) -> None:
        for visit in visits:
            self._refuse_overlap(visit)
            super().add(visit)

    def replace(self, visit: Visit) -> None:
        found = self._replaceable(visit)
        self._refuse_overlap(visit)
        self._store_replacement(visit, found)

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        return self._select(
            _overlapping(staff_id, start, end),
            lambda v: v.staff_id == staff_id and v.overlaps(start, end),
        )

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        return self._select(
            {"staff_id": staff_id, "asap": True, "start": {"$gte": after}, **_HOLDS_TIME},
            lambda v: v.staff_id == staff_id and v.asap and v.holds_time and v.start >= after,
        )

    def busy(self, staff_ids: Sequence[UUID], start: datetime, end: datetime) -> list[Busy]:
        members = list(set(staff_ids))
        if not members:
            return []
        query = {**_overlapping({"$in": members}, start, end), **_HOLDS_TIME}
        if self._reads_mine:
            held = self._select(
                query,
                lambda v: v.staff_id in members and v.holds_time and v.overlaps(start, end),
            )
            found = [(v.staff_id, v.start, v.end) for v in held]
            found.sort(key=lambda entry: (str(entry[0]), entry[1]))
            return found
        documents = self._store.find(query, sort=_BUSY_ORDER, projection=_BUSY_FIELDS)
        return [
            (stored_uuid(d["staff_id"]), stored_instant(d["start"]), stored_instant(d["end"]))
            for d in documents
        ]
