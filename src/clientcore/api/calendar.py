"""``core.calendar``: reading visits by client and staff member, free slots, iCalendar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.client import Client
from clientcore.entities.visit import Visit
from clientcore.operations import calendar
from clientcore.operations.calendar import ClientVisits, FreeSlot, code_summary

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Calendar:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def for_client(self, client_id: UUID) -> ClientVisits:
        """The client's visits, split into past and upcoming at the current time."""
        return self._run.read(calendar.client_visits, client_id, self._run.now())

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        """Every entry of the staff member overlapping the range, cancelled ones included."""
        return self._run.read(calendar.staff_calendar, staff_id, start, end)

    def free_slots(
        self,
        staff_ids: Sequence[UUID],
        duration_minutes: int,
        start: datetime,
        end: datetime,
        *,
        step_minutes: int = 15,
    ) -> list[FreeSlot]:
        """Start times (every ``step_minutes`` of local time) at which a booking of this
        length would be accepted now, for any of the staff members: none that has passed,
        none for an inactive staff member; more than ``FREE_SLOTS_MAX`` (10,000) raise
        ValidationError: ask for a shorter range."""
        return self._run.read(
            calendar.free_slots,
            staff_ids,
            duration_minutes,
            start,
            end,
            step_minutes,
            self._run.now(),
        )

    def asap_candidates(self, visit_id: UUID) -> list[Visit]:
        """After cancelling ``visit_id``: later ASAP-flagged visits that fit the freed time."""
        return self._run.read(calendar.asap_candidates, visit_id)

    def export_ical(
        self,
        staff_id: UUID,
        start: datetime,
        end: datetime,
        *,
        summary: Callable[[Visit, Client | None], str] = code_summary,
    ) -> bytes:
        """The staff member's booked entries in the range as iCalendar (RFC 5545) bytes.

        Each event's summary is ``summary(visit, client)`` (``client`` None for a break);
        the default, :func:`~clientcore.code_summary`, writes "Visit" and the client's code
        or "Break", nothing personal, so that a feed may be shared. Pass a function to
        write more, e.g. ``lambda visit, client: client.display_name if client else
        "Break"``."""
        return self._run.read(calendar.to_ical, staff_id, start, end, summary)
