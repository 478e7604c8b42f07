"""Setting a staff member's working hours (V1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from itertools import pairwise
from uuid import UUID

from clientcore.entities import validation
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import STAFF, WORKING_HOURS
from clientcore.entities.working_hours import DayOverride, TimeRange, WeeklySlot, WorkingHours
from clientcore.errors import ValidationError
from clientcore.operations.context import Context, diff
from clientcore.ports.unit_of_work import UnitOfWork


def hours_of(uow: UnitOfWork, staff_id: UUID) -> WorkingHours:
    """The staff member's working hours (empty if never set)."""
    return hours_of_many(uow, [staff_id])[staff_id]


def hours_of_member(uow: UnitOfWork, staff_id: UUID) -> WorkingHours:
    """The working hours of a staff member of the tenant (NotFound for anyone else)."""
    return hours_of(uow, uow.records(STAFF).get(staff_id).id)


def hours_of_many(uow: UnitOfWork, staff_ids: Sequence[UUID]) -> dict[UUID, WorkingHours]:
    """The working hours of each of the staff members, by id (empty if never set), read at
    once."""
    found = uow.records(WORKING_HOURS).get_many(staff_ids)
    return {staff_id: found.get(staff_id) or WorkingHours(staff_id) for staff_id in staff_ids}


def _range(field: str, raw: object) -> TimeRange:
    if not isinstance(raw, TimeRange):
        raise ValidationError(field, "must be a TimeRange(start, end)")
    for value in (raw.start, raw.end):
        if (
            not isinstance(value, time)
            or value.tzinfo is not None
            or value.second
            or value.microsecond
        ):
            raise ValidationError(
                field, "times are local wall-clock datetime.time on whole minutes"
            )
    if not raw.start < raw.end:
        raise ValidationError(
            field, f"{raw.start:%H:%M} to {raw.end:%H:%M}: the end must be after the start"
        )
    return raw


def _no_overlaps(field: str, ranges: Sequence[TimeRange]) -> None:
    ordered = sorted(ranges, key=lambda r: r.start)
    for first, second in pairwise(ordered):
        if second.start < first.end:
            raise ValidationError(
                field,
                f"{first.start:%H:%M}-{first.end:%H:%M} overlaps "
                f"{second.start:%H:%M}-{second.end:%H:%M}",
            )


def set_working_hours(
    uow: UnitOfWork,
    ctx: Context,
    staff_id: UUID,
    weekly: Sequence[WeeklySlot],
    overrides: Sequence[DayOverride],
) -> WorkingHours:
    """Replace the staff member's weekly pattern and dated exceptions."""
    ctx.acting()
    member = uow.records(STAFF).get(staff_id)
    slots = []
    for raw in validation.sequence("weekly", weekly):
        if (
            not isinstance(raw, WeeklySlot)
            or isinstance(raw.weekday, bool)
            or raw.weekday not in range(7)
        ):
            raise ValidationError("weekly", "each entry is a WeeklySlot(weekday 0-6, TimeRange)")
        slots.append(WeeklySlot(raw.weekday, _range("weekly", raw.hours)))
    for day in range(7):
        _no_overlaps("weekly", [s.hours for s in slots if s.weekday == day])
    days = []
    for raw in validation.sequence("overrides", overrides):
        if (
            not isinstance(raw, DayOverride)
            or not isinstance(raw.day, date)
            or isinstance(raw.day, datetime)
        ):
            raise ValidationError(
                "overrides", "each entry is a DayOverride(date, (TimeRange, ...))"
            )
        validation.day("overrides", raw.day)
        ranges = tuple(_range("overrides", r) for r in validation.sequence("overrides", raw.hours))
        _no_overlaps("overrides", ranges)
        days.append(DayOverride(raw.day, tuple(sorted(ranges, key=lambda r: r.start))))
    if len({d.day for d in days}) != len(days):
        raise ValidationError("overrides", "one override per date")
    old = hours_of(uow, member.id)
    new = WorkingHours(
        member.id,
        weekly=tuple(sorted(slots, key=lambda s: (s.weekday, s.hours.start))),
        overrides=tuple(sorted(days, key=lambda d: d.day)),
    )
    stored = uow.records(WORKING_HOURS)
    if stored.count(staff_id=member.id):
        stored.replace(new)
    else:
        stored.add(new)
    ctx.record(
        uow,
        EventKind.STAFF_HOURS_SET,
        entity_id=member.id,
        client_id=None,
        changes=diff(old, new, ("weekly", "overrides")),
    )
    return new
