"""Visits and working hours on MongoDB.

MongoDB has no exclusion constraint, so the no-overlap rule is kept with a lock per staff
member's calendar: ``add`` and ``update`` of a time-holding entry take the lock (held until
the unit of work ends, i.e. after its commit), then check the latest committed entries,
read outside any transaction snapshot, plus this unit's own changes. Two writers of one
calendar are thus serialised; writers of different calendars never wait for each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from bson.binary import Binary, UuidRepresentation

from clientcore.adapters.mongo.linked import MongoLinkedRecords
from clientcore.adapters.mongo.store import Scoped, Sort
from clientcore.entities.visit import MAX_DURATION_MINUTES, Visit, VisitStatus
from clientcore.entities.working_hours import Schedule, WorkingHours
from clientcore.errors import ConcurrencyError, VisitOverlap
from clientcore.ports.repositories import Busy

BY_START: Sort = (("start", 1), ("sid", 1))
_LONGEST = timedelta(minutes=MAX_DURATION_MINUTES)
_HOLDS_TIME = {"status": {"$ne": VisitStatus.CANCELLED.value}}
_BUSY_ORDER: Sort = (("staff_id", 1), ("start", 1))
"""The ``(tenant, staff_id, start)`` index's order; binary subtype 4 ids order like their
text."""
_BUSY_FIELDS = {"_id": 0, "staff_id": 1, "start": 1, "end": 1}


def _uuid(value: Binary | UUID) -> UUID:
    """A stored id (binary subtype 4), which a host's client may decode as a UUID itself."""
    return value if isinstance(value, UUID) else value.as_uuid(UuidRepresentation.STANDARD)


def _utc(value: datetime) -> datetime:
    """A BSON datetime, decoded naive or aware (the adapter's collections are aware)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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


class MongoVisitRepository(MongoLinkedRecords[Visit]):
    """``read_schedule``: the unit of work's read of a staff member's schedule."""

    def __init__(self, store: Scoped, read_schedule: Callable[[UUID], Schedule]) -> None:
        super().__init__("visits", Visit, blocks_deletion=True, order=BY_START, store=store)
        self._read_schedule = read_schedule
        self._mine: dict[UUID, Visit | None] = {}
        """This unit's own writes (None: deleted), which a read outside it cannot see."""

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
            entry.id: entry
            for entry in (self._store.work.documents.structure(d, Visit) for d in documents)
        }
        latest.update(self._mine)
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

    def _check_version(self, visit_id: UUID, version: int) -> None:
        if self._get(visit_id).version != version:
            raise ConcurrencyError("visit", visit_id, version)

    def add(self, visit: Visit) -> None:
        self._refuse_overlap(visit)
        self._insert([visit])
        self._mine[visit.id] = visit

    def get(self, visit_id: UUID) -> Visit:
        return self._get(visit_id)

    def update(self, visit: Visit) -> None:
        self._check_version(visit.id, visit.version - 1)
        self._refuse_overlap(visit)
        self._replace(visit, version=visit.version - 1)
        self._mine[visit.id] = visit

    def delete(self, visit: Visit) -> None:
        self._check_version(visit.id, visit.version)
        self._store.delete(
            {"id": visit.id, "version": visit.version},
            missing=self._store.stale("visit", visit.id, visit.version),
            on_conflict=lambda: ConcurrencyError("visit", visit.id, visit.version),
        )
        self._mine[visit.id] = None

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        return self._select(_overlapping(staff_id, start, end))

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        return self._select(
            {"staff_id": staff_id, "asap": True, "start": {"$gte": after}, **_HOLDS_TIME}
        )

    def busy(self, staff_ids: Sequence[UUID], start: datetime, end: datetime) -> list[Busy]:
        members = list(set(staff_ids))
        if not members:
            return []
        query = {**_overlapping({"$in": members}, start, end), **_HOLDS_TIME}
        documents = self._store.find(query, sort=_BUSY_ORDER, projection=_BUSY_FIELDS)
        return [(_uuid(d["staff_id"]), _utc(d["start"]), _utc(d["end"])) for d in documents]


class MongoWorkingHoursRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def get(self, staff_id: UUID) -> WorkingHours:
        return self._store.maybe({"staff_id": staff_id}, WorkingHours) or WorkingHours(staff_id)

    def get_many(self, staff_ids: Sequence[UUID]) -> dict[UUID, WorkingHours]:
        found = {staff_id: WorkingHours(staff_id) for staff_id in staff_ids}
        if found:
            query = {"staff_id": {"$in": list(found)}}
            structure = self._store.work.documents.structure
            for document in self._store.find(query):
                hours = structure(document, WorkingHours)
                found[hours.staff_id] = hours
        return found

    def put(self, hours: WorkingHours) -> None:
        document = self._store.work.documents.unstructure(hours)
        self._store.update({"staff_id": hours.staff_id}, document)
