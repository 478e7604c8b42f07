"""Working hours (V1): a weekly pattern of local wall-clock times plus dated exceptions.

Times are local to the tenant's zone; :func:`working_intervals` turns them into UTC
instants day by day through ``zoneinfo``, so a shift from 08:00 to 16:00 stays 08:00 to
16:00 on the days the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs

from clientcore.entities.staff import StaffMember


@attrs.frozen
class TimeRange:
    """Local wall-clock ``start`` to ``end`` on one day; ``end`` after ``start``."""

    start: time
    end: time


@attrs.frozen
class WeeklySlot:
    """Hours on a weekday (0 = Monday ... 6 = Sunday)."""

    weekday: int
    hours: TimeRange


@attrs.frozen
class DayOverride:
    """The hours of one date, replacing the weekly pattern: empty ``hours`` is a day off."""

    day: date
    hours: tuple[TimeRange, ...] = ()


@attrs.frozen
class WorkingHours:
    staff_id: UUID
    weekly: tuple[WeeklySlot, ...] = ()
    overrides: tuple[DayOverride, ...] = ()

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        for override in self.overrides:
            if override.day == day:
                return override.hours
        return tuple(slot.hours for slot in self.weekly if slot.weekday == day.weekday())


@attrs.frozen
class Schedule:
    """What decides when a staff member can be booked: the member (active or not), their
    working hours, and the tenant's time zone, in which the hours' wall-clock times are."""

    member: StaffMember
    hours: WorkingHours
    time_zone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def working_intervals(
    hours: WorkingHours, zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """UTC intervals of work that touch ``[start, end)``, merged where they meet, in order."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    intervals = []
    for day in _days(first, last):
        for local in hours.ranges_on(day):
            begin = datetime.combine(day, local.start, tzinfo=zone).astimezone(UTC)
            finish = datetime.combine(day, local.end, tzinfo=zone).astimezone(UTC)
            if begin < end and start < finish and begin < finish:
                intervals.append((begin, finish))
    intervals.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in intervals:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def within(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    """True if ``[start, end)`` lies inside one of the intervals."""
    return any(begin <= start and end <= finish for begin, finish in intervals)
