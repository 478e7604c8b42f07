"""``core.visits``: booking, changing, cancelling, charging and deleting visits and breaks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.api.unset import UNSET, Unset, given, or_none
from clientcore.entities.visit import Charge, Visit, VisitKind, VisitStatus
from clientcore.operations import visits

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Visits:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def book(
        self,
        client_id: UUID,
        staff_id: UUID,
        start: datetime,
        duration_minutes: int,
        *,
        subject_id: UUID | None = None,
        first_consultation: bool = False,
        asap: bool = False,
        notes: str = "",
        source: str = "",
        override_hours: bool = False,
        allow_past: bool = False,
    ) -> Visit:
        """Book a visit. Raises VisitOverlap (the time is taken), OutsideWorkingHours (only
        an owner or administrator may pass ``override_hours=True``), or ValidationError for
        a start that has passed (only an owner or administrator may pass
        ``allow_past=True``, to record a visit afterwards)."""
        return self._run.write(
            visits.book,
            staff_id=staff_id,
            start=start,
            duration_minutes=duration_minutes,
            client_id=client_id,
            subject_id=subject_id,
            kind=VisitKind.VISIT,
            override_hours=override_hours,
            allow_past=allow_past,
            details={
                "first_consultation": first_consultation,
                "asap": asap,
                "notes": notes,
                "source": source,
            },
        )

    def book_break(
        self,
        staff_id: UUID,
        start: datetime,
        duration_minutes: int,
        *,
        notes: str = "",
        override_hours: bool = False,
        allow_past: bool = False,
    ) -> Visit:
        """Block time in a staff member's calendar with a break instead of a client (the
        checks of :meth:`book`)."""
        return self._run.write(
            visits.book,
            staff_id=staff_id,
            start=start,
            duration_minutes=duration_minutes,
            client_id=None,
            subject_id=None,
            kind=VisitKind.BREAK,
            override_hours=override_hours,
            allow_past=allow_past,
            details={"notes": notes},
        )

    def get(self, visit_id: UUID) -> Visit:
        return self._run.read(lambda uow: uow.visits.get(visit_id))

    def reschedule(
        self,
        visit_id: UUID,
        *,
        start: datetime | Unset = UNSET,
        duration_minutes: int | Unset = UNSET,
        staff_id: UUID | Unset = UNSET,
        override_hours: bool = False,
        expected_version: int | None = None,
        allow_past: bool = False,
    ) -> Visit:
        """Move a booked visit or break (the fields given, see :data:`UNSET`); the same
        checks as booking apply (a new start, or another staff member, must not have
        passed; a new length alone keeps the start)."""
        return self._run.write(
            visits.reschedule,
            visit_id,
            start=or_none(start),
            duration_minutes=or_none(duration_minutes),
            staff_id=or_none(staff_id),
            override_hours=override_hours,
            expected_version=expected_version,
            allow_past=allow_past,
        )

    def update(
        self,
        visit_id: UUID,
        *,
        expected_version: int | None = None,
        notes: str | Unset = UNSET,
        source: str | Unset = UNSET,
        first_consultation: bool | Unset = UNSET,
        asap: bool | Unset = UNSET,
    ) -> Visit:
        """Change the details given (see :data:`UNSET`) of a visit or break. Notes, source
        and ``first_consultation`` stay editable after the visit (arrived, no-show or
        cancelled); ``asap`` only while it is booked. The time never changes here: only a
        booked visit can be moved (:meth:`reschedule`)."""
        details = given(
            notes=notes, source=source, first_consultation=first_consultation, asap=asap
        )
        return self._run.write(
            visits.update_details, visit_id, details, expected_version=expected_version
        )

    def cancel(self, visit_id: UUID) -> Visit:
        """Cancel a booked visit or break; its time is free again (see asap_candidates)."""
        return self._run.write(visits.set_status, visit_id, VisitStatus.CANCELLED)

    def mark_arrived(self, visit_id: UUID) -> Visit:
        return self._run.write(visits.set_status, visit_id, VisitStatus.ARRIVED)

    def mark_no_show(self, visit_id: UUID) -> Visit:
        return self._run.write(visits.set_status, visit_id, VisitStatus.NO_SHOW)

    def set_charges(self, visit_id: UUID, charges: Sequence[Charge]) -> Visit:
        """Replace the services and goods charged on a visit (Decimal prices, one currency)."""
        return self._run.write(visits.set_charges, visit_id, charges)

    def settle(self, visit_id: UUID) -> Visit:
        """Record that the visit's charges are paid (``to_be_paid`` becomes False)."""
        return self._run.write(visits.settle, visit_id)

    def delete(self, visit_id: UUID) -> None:
        """Delete a visit and its charges; owners and administrators only (PermissionDenied)."""
        self._run.write(visits.delete, visit_id)
