"""Reading the calendar: a client's visits, a staff member's days, free slots, the ASAP
list, and iCalendar export (RFC 5545, written with the ``icalendar`` library)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs
import icalendar

from clientcore.entities.client import Client
from clientcore.entities.kinds import STAFF, TASKS
from clientcore.entities.task import Task
from clientcore.entities.visit import Visit, VisitKind
from clientcore.entities.working_hours import WorkingHours, working_intervals
from clientcore.errors import ValidationError
from clientcore.operations.context import tenant_zone
from clientcore.operations.redirects import live_client
from clientcore.operations.visits import check_duration
from clientcore.operations.working_hours import hours_of, hours_of_many
from clientcore.ports.unit_of_work import UnitOfWork

MAX_RANGE = timedelta(days=366)
FREE_SLOTS_MAX = 10_000
"""The most free slots one call returns; past it, ValidationError (ask for less)."""
Interval = tuple[datetime, datetime]


@attrs.frozen
class ClientVisits:
    past: tuple[Visit, ...]
    upcoming: tuple[Visit, ...]


@attrs.frozen
class FreeSlot:
    staff_id: UUID
    start: datetime
    end: datetime


def check_range(start: datetime, end: datetime) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValidationError(name, "must be a timezone-aware datetime")
    if not start < end or end - start > MAX_RANGE:
        raise ValidationError("end", "must be after start, at most 366 days later")


def client_visits(uow: UnitOfWork, client_id: UUID, now: datetime) -> ClientVisits:
    """The client's visits that have begun (past) and those still to come (V8)."""
    live_client(uow, client_id)
    visits = uow.visits.find(client_id=client_id)
    return ClientVisits(
        past=tuple(v for v in visits if v.start <= now),
        upcoming=tuple(v for v in visits if v.start > now),
    )


def staff_calendar(uow: UnitOfWork, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
    """Every entry of the staff member overlapping the range, cancelled ones included."""
    check_range(start, end)
    uow.records(STAFF).get(staff_id)
    return uow.visits.for_staff(staff_id, start, end)


def subtract(free: list[Interval], busy: Sequence[Interval]) -> list[Interval]:
    """``free`` minus every ``busy`` interval (both sorted by start, half-open), in one pass
    over each: busy intervals that end before a free one are not looked at again."""
    result = []
    first = 0
    for begin, finish in free:
        while first < len(busy) and busy[first][1] <= begin:
            first += 1
        cursor = begin
        for index in range(first, len(busy)):
            b_start, b_end = busy[index]
            if b_start >= finish:
                break
            if b_end <= cursor:
                continue
            if b_start > cursor:
                result.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < finish:
            result.append((cursor, finish))
    return result


def _work(hours: WorkingHours, zone: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """The working time of ``hours`` inside ``[start, end)``, in order."""
    return [(max(a, start), min(b, end)) for a, b in working_intervals(hours, zone, start, end)]


def free_intervals(
    uow: UnitOfWork,
    staff_id: UUID,
    start: datetime,
    end: datetime,
    zone: ZoneInfo | None = None,
) -> list[Interval]:
    """Working time of the staff member in the range that no entry holds (``zone``: the
    tenant's, read from the settings if not given)."""
    work = _work(hours_of(uow, staff_id), zone or tenant_zone(uow), start, end)
    busy = sorted((begin, finish) for _, begin, finish in uow.visits.busy([staff_id], start, end))
    return subtract(work, busy)


def _active_staff(uow: UnitOfWork, staff_ids: Sequence[UUID]) -> set[UUID]:
    """The ids of active staff members among ``staff_ids``; NotFound (as the store words it)
    for the first id of no staff member. One read of them all rather than one per id, when
    there are several."""
    if len(staff_ids) == 1:
        return {staff_ids[0]} if uow.records(STAFF).get(staff_ids[0]).active else set()
    members = {member.id: member for member in uow.records(STAFF).find()}
    for staff_id in staff_ids:
        if staff_id not in members:
            uow.records(STAFF).get(staff_id)
    return {staff_id for staff_id in staff_ids if members[staff_id].active}


def _next_minute(instant: datetime) -> datetime:
    """``instant`` on a whole minute, or the next whole minute."""
    whole = instant.replace(second=0, microsecond=0)
    return whole if whole == instant else whole + timedelta(minutes=1)


def free_slots(
    uow: UnitOfWork,
    staff_ids: Sequence[UUID],
    duration_minutes: int,
    start: datetime,
    end: datetime,
    step_minutes: int,
    now: datetime,
) -> list[FreeSlot]:
    """Start times a booking of this length would be accepted at, at ``now``, every
    ``step_minutes`` of local time, for each staff member; ordered by start, then staff.
    None before ``now`` (a booking refuses a start that has passed) and none for an
    inactive staff member (a booking refuses them). More than :data:`FREE_SLOTS_MAX` of
    them are refused (ValidationError), never built.

    The working hours and the entries are read for all the staff members at once, the
    entries as bare intervals (``uow.visits.busy``); each one's working time minus them
    gives the free time.
    """
    check_range(start, end)
    length = check_duration(duration_minutes)
    step = check_duration(step_minutes)
    every = int(step.total_seconds() // 60)
    active = _active_staff(uow, list(dict.fromkeys(staff_ids)))
    members = [member for member in dict.fromkeys(staff_ids) if member in active]
    start = max(start, _next_minute(now))
    if not members or start >= end:
        return []
    zone = tenant_zone(uow)
    taken: dict[UUID, list[Interval]] = {member: [] for member in members}
    for staff_id, begin, finish in uow.visits.busy(members, start, end):
        held = taken.get(staff_id)
        if held is not None:
            held.append((begin, finish))
    hours = hours_of_many(uow, members)
    found: list[tuple[datetime, str, UUID]] = []
    for member in members:
        text = str(member)
        work = _work(hours[member], zone, start, end)
        for begin, finish in subtract(work, sorted(taken[member])):
            local = begin.astimezone(zone)
            candidate = begin + timedelta(minutes=(-(local.hour * 60 + local.minute)) % every)
            while candidate + length <= finish:
                if len(found) >= FREE_SLOTS_MAX:
                    raise ValidationError(
                        "end",
                        f"more than {FREE_SLOTS_MAX} free slots; ask for a shorter range, "
                        "fewer staff members or a longer step",
                    )
                found.append((candidate, text, member))
                candidate += step
    found.sort(key=lambda slot: (slot[0], slot[1]))
    return [FreeSlot(member, begin, begin + length) for begin, _, member in found]


def asap_candidates(uow: UnitOfWork, visit_id: UUID) -> list[Visit]:
    """ASAP-flagged visits of the same staff member, later than the freed time, that fit
    into the free gap that a cancelled (or moved) visit leaves (V3)."""
    freed = uow.visits.get(visit_id)
    gap = next(
        (
            (a, b)
            for a, b in free_intervals(
                uow, freed.staff_id, freed.start - timedelta(days=1), freed.end + timedelta(days=1)
            )
            if a <= freed.start and freed.end <= b
        ),
        None,
    )
    if gap is None:
        return []
    return [
        v
        for v in uow.visits.asap_after(freed.staff_id, freed.end)
        if v.id != freed.id and v.kind is VisitKind.VISIT and gap[1] - gap[0] >= v.duration
    ]


IcalSummary = Callable[[Visit, Client | None], str]
"""What an iCalendar event's summary says: a function of the entry and its client (None
for a break)."""


def code_summary(visit: Visit, client: Client | None) -> str:
    """The default summary: "Visit" and the client's code, or "Break". No name or other
    personal data, so the feed may be shared (a calendar app, a screen in a waiting room);
    a host passes its own function to show more."""
    return "Break" if client is None else f"Visit {client.code}"


def staff_tasks(
    uow: UnitOfWork, staff_id: UUID, start: datetime, end: datetime, *, done: bool = True
) -> list[Task]:
    """The tasks assigned to the staff member due in ``[start, end)`` by due time (done
    ones too unless ``done`` is false): their calendar's tasks."""
    check_range(start, end)
    uow.records(STAFF).get(staff_id)
    return [
        task
        for task in uow.records(TASKS).find(assigned_to=staff_id)
        if start <= task.due < end and (done or not task.done)
    ]


def to_ical(
    uow: UnitOfWork,
    staff_id: UUID,
    start: datetime,
    end: datetime,
    summary: IcalSummary = code_summary,
) -> bytes:
    """The staff member's booked entries in the range as an iCalendar file, each event's
    summary written by ``summary``, and the tasks assigned to them due in the range as
    to-dos (their subject as the summary: a task's content, which may be personal, stays
    out)."""
    if not callable(summary):
        raise ValidationError("summary", "must be a function of (visit, client or None)")
    member = uow.records(STAFF).get(staff_id)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//clientcore//calendar export//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", member.name)
    for visit in staff_calendar(uow, staff_id, start, end):
        if not visit.holds_time:
            continue
        client = None if visit.client_id is None else uow.clients.get(visit.client_id)
        text = summary(visit, client)
        if not isinstance(text, str):
            raise ValidationError("summary", f"must return text, not {type(text).__name__}")
        event = icalendar.Event()
        event.add("uid", f"{visit.id}@clientcore")
        event.add("dtstamp", visit.updated_at)
        event.add("dtstart", visit.start)
        event.add("dtend", visit.end)
        event.add("summary", text)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    for task in staff_tasks(uow, staff_id, start, end):
        todo = icalendar.Todo()
        todo.add("uid", f"{task.id}@clientcore")
        todo.add("dtstamp", task.updated_at)
        todo.add("due", task.due)
        todo.add("summary", task.subject)
        todo.add("status", "COMPLETED" if task.done else "NEEDS-ACTION")
        calendar.add_component(todo)
    return bytes(calendar.to_ical())
