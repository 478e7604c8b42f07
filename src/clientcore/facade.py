"""The public facade: one tenant, one actor, every operation in its own unit of work."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar
from uuid import UUID

import attrs
from typing_extensions import Unpack

from clientcore.entities.attribute import AttributeDefinition, AttributeType
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.common import Actor, Role, check_tenant
from clientcore.entities.consent import Channel, ConsentKey, ConsentRecord, Purpose, has_consent
from clientcore.entities.event import Event
from clientcore.entities.group import Group
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS, NOTES, STAFF, SUBJECTS
from clientcore.entities.note import Note, NoteKind
from clientcore.entities.search import ClientPage, StatusFilter
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject
from clientcore.entities.visit import Charge, Visit, VisitKind, VisitStatus
from clientcore.entities.working_hours import DayOverride, WeeklySlot, WorkingHours
from clientcore.errors import StorageBusy
from clientcore.operations import (
    calendar,
    clients,
    consents,
    notes,
    setup,
    subjects,
    visits,
    working_hours,
)
from clientcore.operations.calendar import ClientVisits, FreeSlot
from clientcore.operations.clients import ClientFields
from clientcore.operations.context import Context
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.unit_of_work import Backend, Capabilities, UnitOfWork

R = TypeVar("R")


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@attrs.frozen
class Retry:
    """How a :class:`Core` runs an operation again when the storage was busy
    (:class:`~clientcore.errors.StorageBusy`: a deadlock, serialization failure, lock wait
    timeout, SQLite busy, MongoDB write conflict; nothing was changed).

    The whole operation, in a fresh unit of work, runs at most ``attempts`` times in all.
    Before run ``n + 1`` it pauses for a random time between half and all of
    ``min(longest_pause, first_pause * 2 ** (n - 1))`` seconds ("equal jitter"), so that
    writers that collided once do not collide again in step. ``sleep`` and ``jitter`` (a
    number in ``[0, 1)``) are replaceable for tests.
    """

    attempts: int = 8
    first_pause: float = 0.01
    longest_pause: float = 0.5
    sleep: Callable[[float], object] = time.sleep
    jitter: Callable[[], float] = random.random

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0 <= self.first_pause <= self.longest_pause:
            raise ValueError("pauses must satisfy 0 <= first_pause <= longest_pause")

    def pause(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.longest_pause, self.first_pause * 2.0 ** (retry - 1))
        return ceiling * (0.5 + self.jitter() / 2)


NO_RETRY = Retry(attempts=1)


class Core:
    """What a host application calls. Made by :func:`clientcore.open`.

    Each method runs in one unit of work and is all-or-nothing: if it raises, nothing it
    did is kept. Every change is recorded in the history with the acting :class:`Actor`.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        tenant: str,
        actor: Actor | None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        owns_backend: bool = True,
        retry: Retry | None = None,
    ) -> None:
        self._backend = backend
        self._retry = retry or Retry()
        self._tenant = check_tenant(tenant)
        self._context = Context(
            actor=actor,
            clock=clock or SystemClock(),
            ids=ids or uuid.uuid4,
        )
        self._owns_backend = owns_backend

    # -- binding -----------------------------------------------------------------------
    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def actor(self) -> Actor | None:
        return self._context.actor

    @property
    def capabilities(self) -> Capabilities:
        """What the storage behind this core guarantees (e.g. multi-record transactions)."""
        return self._backend.capabilities

    def acting_as(self, actor: Actor) -> Core:
        """The same store and tenant, with changes recorded as made by ``actor``."""
        return self._rebind(self._tenant, actor)

    def for_tenant(self, tenant: str) -> Core:
        """The same store and actor, scoped to another tenant."""
        return self._rebind(tenant, self._context.actor)

    def _rebind(self, tenant: str, actor: Actor | None) -> Core:
        return Core(
            self._backend,
            tenant=tenant,
            actor=actor,
            clock=self._context.clock,
            ids=self._context.ids,
            owns_backend=False,
            retry=self._retry,
        )

    def close(self) -> None:
        """Release connections this core opened (a host's own engine or client is left open)."""
        if self._owns_backend:
            self._backend.close()

    def __enter__(self) -> Core:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _read(self, operation: Callable[[UnitOfWork], R]) -> R:
        with self._backend.unit_of_work(self._tenant, read_only=True) as uow:
            return operation(uow)

    def _write(self, operation: Callable[[UnitOfWork, Context], R]) -> R:
        """Run ``operation`` in a unit of work and commit it; when the storage was busy
        (:class:`StorageBusy`: nothing was changed), run the whole of it again in a fresh
        unit of work, as :class:`Retry` says. Any other error is raised at once.

        A backend whose units of work are savepoints in a host's transaction
        (``capabilities.joins_host_transaction``) is not retried: a deadlock may have ended
        the host's whole transaction (MariaDB/MySQL roll all of it back), which only the
        host can run again, so the host gets the ``StorageBusy``.
        """
        retry = self._retry
        if self._backend.capabilities.joins_host_transaction:
            retry = NO_RETRY
        run = 1
        while True:
            try:
                with self._backend.unit_of_work(self._tenant) as uow:
                    result = operation(uow, self._context)
                    uow.commit()
                    return result
            except StorageBusy:
                if run >= retry.attempts:
                    raise
            retry.sleep(retry.pause(run))
            run += 1

    # -- tenant set-up -----------------------------------------------------------------
    def configure(
        self, *, default_region: str | None = None, time_zone: str = "UTC"
    ) -> TenantSettings:
        """Set the region for national phone numbers ("PL") and the tenant's IANA time zone."""
        return self._write(
            lambda uow, ctx: setup.configure(
                uow, ctx, default_region=default_region, time_zone=time_zone
            )
        )

    def settings(self) -> TenantSettings:
        return self._read(lambda uow: uow.settings.get())

    def add_staff(self, name: str, *, roles: Sequence[Role | str] = ()) -> StaffMember:
        return self._write(lambda uow, ctx: setup.add_staff(uow, ctx, name, roles))

    def staff_member(self, staff_id: UUID) -> StaffMember:
        return self._read(lambda uow: uow.records(STAFF).get(staff_id))

    def list_staff(self, *, active_only: bool = True) -> list[StaffMember]:
        return self._read(
            lambda uow: [m for m in uow.records(STAFF).find() if m.active or not active_only]
        )

    def deactivate_staff(self, staff_id: UUID) -> StaffMember:
        return self._write(lambda uow, ctx: setup.set_staff_active(uow, ctx, staff_id, False))

    def reactivate_staff(self, staff_id: UUID) -> StaffMember:
        return self._write(lambda uow, ctx: setup.set_staff_active(uow, ctx, staff_id, True))

    def define_group(self, name: str) -> Group:
        return self._write(lambda uow, ctx: setup.define_group(uow, ctx, name))

    def groups(self) -> list[Group]:
        return self._read(lambda uow: uow.records(GROUPS).find())

    def define_attribute(
        self, key: str, *, label: str, type: AttributeType | str, choices: Sequence[str] = ()
    ) -> AttributeDefinition:
        """Define a custom client attribute (text, number, date, choice or flag)."""
        return self._write(
            lambda uow, ctx: setup.define_attribute(
                uow, ctx, key, label=label, type=type, choices=choices
            )
        )

    def attribute_definitions(self) -> list[AttributeDefinition]:
        return self._read(lambda uow: uow.records(ATTRIBUTE_DEFINITIONS).find())

    # -- clients -----------------------------------------------------------------------
    def register_client(self, **fields: Unpack[ClientFields]) -> Client:
        """Create a client. Its code comes from the tenant's counter unless ``code`` is given."""
        return self._write(lambda uow, ctx: clients.register(uow, ctx, fields))

    def import_clients(self, rows: Sequence[ClientFields]) -> list[Client]:
        """Create many clients in one unit of work: all are stored, or none."""
        return self._write(lambda uow, ctx: clients.register_many(uow, ctx, rows))

    def get_client(self, client_id: UUID) -> Client:
        return self._read(lambda uow: uow.clients.get(client_id))

    def client_by_code(self, code: str) -> Client:
        return self._read(lambda uow: uow.clients.get_by_code(code))

    def update_client(
        self,
        client_id: UUID,
        *,
        expected_version: int | None = None,
        **fields: Unpack[ClientFields],
    ) -> Client:
        """Change the given fields. Pass the ``version`` you read as ``expected_version`` to
        get :class:`~clientcore.errors.ConcurrencyError` instead of overwriting a newer edit."""
        return self._write(
            lambda uow, ctx: clients.update(
                uow, ctx, client_id, fields, expected_version=expected_version
            )
        )

    def deactivate_client(self, client_id: UUID) -> Client:
        return self._write(
            lambda uow, ctx: clients.set_status(uow, ctx, client_id, ClientStatus.INACTIVE)
        )

    def reactivate_client(self, client_id: UUID) -> Client:
        return self._write(
            lambda uow, ctx: clients.set_status(uow, ctx, client_id, ClientStatus.ACTIVE)
        )

    def delete_client(self, client_id: UUID, *, expected_version: int | None = None) -> None:
        """Delete a client nothing refers to; otherwise raises ClientInUse (deactivate instead)."""
        self._write(
            lambda uow, ctx: clients.delete(uow, ctx, client_id, expected_version=expected_version)
        )

    def assign_groups(self, client_id: UUID, *group_ids: UUID) -> Client:
        return self._write(lambda uow, ctx: clients.assign_groups(uow, ctx, client_id, group_ids))

    def unassign_group(self, client_id: UUID, group_id: UUID) -> Client:
        return self._write(lambda uow, ctx: clients.unassign_group(uow, ctx, client_id, group_id))

    def set_attribute(self, client_id: UUID, key: str, value: object) -> Client:
        return self._write(lambda uow, ctx: clients.set_attribute(uow, ctx, client_id, key, value))

    def clear_attribute(self, client_id: UUID, key: str) -> Client:
        return self._write(lambda uow, ctx: clients.clear_attribute(uow, ctx, client_id, key))

    def search_clients(
        self,
        text: str = "",
        *,
        status: StatusFilter | str = StatusFilter.ACTIVE,
        group_id: UUID | None = None,
        caretaker_id: UUID | None = None,
        source: str | None = None,
        attribute: tuple[str, object] | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> ClientPage:
        """Clients whose name words, e-mail, phone or code start with each word of ``text``
        (case and accents ignored; a phone in any format), filtered; pass
        ``page.next_cursor`` as ``after`` for the next page."""
        return self._read(
            lambda uow: clients.search(
                uow,
                text,
                status=status,
                group_id=group_id,
                caretaker_id=caretaker_id,
                source=source,
                attribute=attribute,
                limit=limit,
                after=after,
            )
        )

    def history(self, client_id: UUID) -> list[Event]:
        """Every change of the client, oldest first."""
        return self._read(lambda uow: clients.history(uow, client_id))

    # -- notes -------------------------------------------------------------------------
    def add_note(
        self, client_id: UUID, text: str, *, kind: NoteKind | str = NoteKind.NOTE, project: str = ""
    ) -> Note:
        return self._write(
            lambda uow, ctx: notes.add_note(uow, ctx, client_id, text, kind=kind, project=project)
        )

    def notes(self, client_id: UUID) -> list[Note]:
        return self._read(lambda uow: notes.notes_of(uow, client_id))

    def project_notes(self, project: str) -> list[Note]:
        return self._read(lambda uow: uow.records(NOTES).find(project=project))

    # -- consents ----------------------------------------------------------------------
    def record_consent(
        self,
        client_id: UUID,
        purpose: Purpose | str,
        *,
        granted: bool,
        source: str,
        channel: Channel | str | None = None,
        evidence: str = "",
        at: datetime | None = None,
    ) -> ConsentRecord:
        """Append a grant (``granted=True``) or withdrawal to the client's consent ledger."""
        return self._write(
            lambda uow, ctx: consents.record_consent(
                uow,
                ctx,
                client_id,
                purpose,
                granted=granted,
                channel=channel,
                source=source,
                evidence=evidence,
                at=at,
            )
        )

    def consent_history(self, client_id: UUID) -> list[ConsentRecord]:
        return self._read(lambda uow: consents.consent_history(uow, client_id))

    def consents(self, client_id: UUID) -> Mapping[ConsentKey, bool]:
        """The current state per (purpose, channel), derived from the ledger."""
        return self._read(lambda uow: consents.consents_of(uow, client_id))

    def has_consent(
        self, client_id: UUID, purpose: Purpose, channel: Channel | None = None
    ) -> bool:
        return has_consent(self.consent_history(client_id), purpose, channel)

    # -- subjects ----------------------------------------------------------------------
    def add_subject(
        self, client_id: UUID, *, kind: str, name: str, details: Mapping[str, str] | None = None
    ) -> Subject:
        """Add a pet, vehicle or device (``kind`` is the host's word) to a client."""
        return self._write(
            lambda uow, ctx: subjects.add_subject(
                uow, ctx, client_id, kind=kind, name=name, details=details or {}
            )
        )

    def update_subject(
        self,
        subject_id: UUID,
        *,
        kind: str | None = None,
        name: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Subject:
        given = {
            k: v
            for k, v in {"kind": kind, "name": name, "details": details}.items()
            if v is not None
        }
        return self._write(lambda uow, ctx: subjects.update_subject(uow, ctx, subject_id, given))

    def get_subject(self, subject_id: UUID) -> Subject:
        return self._read(lambda uow: uow.records(SUBJECTS).get(subject_id))

    def subjects(self, client_id: UUID, *, include_inactive: bool = False) -> list[Subject]:
        return self._read(
            lambda uow: subjects.subjects_of(uow, client_id, include_inactive=include_inactive)
        )

    def deactivate_subject(self, subject_id: UUID) -> Subject:
        return self._write(
            lambda uow, ctx: subjects.set_subject_active(uow, ctx, subject_id, False)
        )

    def reactivate_subject(self, subject_id: UUID) -> Subject:
        return self._write(lambda uow, ctx: subjects.set_subject_active(uow, ctx, subject_id, True))

    def deactivate_subjects(self, client_id: UUID) -> list[Subject]:
        """Deactivate every subject of the client; returns those that changed."""
        return self._write(
            lambda uow, ctx: subjects.set_all_subjects_active(uow, ctx, client_id, False)
        )

    def reactivate_subjects(self, client_id: UUID) -> list[Subject]:
        """Reactivate every subject of the client; returns those that changed."""
        return self._write(
            lambda uow, ctx: subjects.set_all_subjects_active(uow, ctx, client_id, True)
        )

    # -- scheduling --------------------------------------------------------------------
    def set_working_hours(
        self, staff_id: UUID, weekly: Sequence[WeeklySlot], overrides: Sequence[DayOverride] = ()
    ) -> WorkingHours:
        """Replace a staff member's weekly hours (local time in the tenant's zone) and dated
        exceptions (a DayOverride with no hours is a day off)."""
        return self._write(
            lambda uow, ctx: working_hours.set_working_hours(uow, ctx, staff_id, weekly, overrides)
        )

    def working_hours(self, staff_id: UUID) -> WorkingHours:
        return self._read(
            lambda uow: working_hours.hours_of(uow, uow.records(STAFF).get(staff_id).id)
        )

    def book_visit(
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
    ) -> Visit:
        """Book a visit. Raises VisitOverlap (the time is taken) or OutsideWorkingHours
        (only an owner or administrator may pass ``override_hours=True``)."""
        details = {
            "first_consultation": first_consultation,
            "asap": asap,
            "notes": notes,
            "source": source,
        }
        return self._write(
            lambda uow, ctx: visits.book(
                uow,
                ctx,
                staff_id=staff_id,
                start=start,
                duration_minutes=duration_minutes,
                client_id=client_id,
                subject_id=subject_id,
                kind=VisitKind.VISIT,
                override_hours=override_hours,
                details=details,
            )
        )

    def book_break(
        self,
        staff_id: UUID,
        start: datetime,
        duration_minutes: int,
        *,
        notes: str = "",
        override_hours: bool = False,
    ) -> Visit:
        """Block time in a staff member's calendar with a break instead of a client."""
        return self._write(
            lambda uow, ctx: visits.book(
                uow,
                ctx,
                staff_id=staff_id,
                start=start,
                duration_minutes=duration_minutes,
                client_id=None,
                subject_id=None,
                kind=VisitKind.BREAK,
                override_hours=override_hours,
                details={"notes": notes},
            )
        )

    def get_visit(self, visit_id: UUID) -> Visit:
        return self._read(lambda uow: uow.visits.get(visit_id))

    def reschedule_visit(
        self,
        visit_id: UUID,
        *,
        start: datetime | None = None,
        duration_minutes: int | None = None,
        staff_id: UUID | None = None,
        override_hours: bool = False,
        expected_version: int | None = None,
    ) -> Visit:
        """Move a booked visit or break; the same checks as booking apply."""
        return self._write(
            lambda uow, ctx: visits.reschedule(
                uow,
                ctx,
                visit_id,
                start=start,
                duration_minutes=duration_minutes,
                staff_id=staff_id,
                override_hours=override_hours,
                expected_version=expected_version,
            )
        )

    def update_visit(
        self,
        visit_id: UUID,
        *,
        expected_version: int | None = None,
        notes: str | None = None,
        source: str | None = None,
        first_consultation: bool | None = None,
        asap: bool | None = None,
    ) -> Visit:
        given = {
            name: value
            for name, value in {
                "notes": notes,
                "source": source,
                "first_consultation": first_consultation,
                "asap": asap,
            }.items()
            if value is not None
        }
        return self._write(
            lambda uow, ctx: visits.update_details(
                uow, ctx, visit_id, given, expected_version=expected_version
            )
        )

    def cancel_visit(self, visit_id: UUID) -> Visit:
        """Cancel a booked visit or break; its time is free again (see asap_candidates)."""
        return self._write(
            lambda uow, ctx: visits.set_status(uow, ctx, visit_id, VisitStatus.CANCELLED)
        )

    def mark_arrived(self, visit_id: UUID) -> Visit:
        return self._write(
            lambda uow, ctx: visits.set_status(uow, ctx, visit_id, VisitStatus.ARRIVED)
        )

    def mark_no_show(self, visit_id: UUID) -> Visit:
        return self._write(
            lambda uow, ctx: visits.set_status(uow, ctx, visit_id, VisitStatus.NO_SHOW)
        )

    def set_charges(self, visit_id: UUID, charges: Sequence[Charge]) -> Visit:
        """Replace the services and goods charged on a visit (Decimal prices, one currency)."""
        return self._write(lambda uow, ctx: visits.set_charges(uow, ctx, visit_id, charges))

    def settle_visit(self, visit_id: UUID) -> Visit:
        """Record that the visit's charges are paid (``to_be_paid`` becomes False)."""
        return self._write(lambda uow, ctx: visits.settle(uow, ctx, visit_id))

    def delete_visit(self, visit_id: UUID) -> None:
        """Delete a visit and its charges; owners and administrators only (PermissionDenied)."""
        self._write(lambda uow, ctx: visits.delete(uow, ctx, visit_id))

    def client_visits(self, client_id: UUID) -> ClientVisits:
        """The client's visits, split into past and upcoming at the current time."""
        now = self._context.now()
        return self._read(lambda uow: calendar.client_visits(uow, client_id, now))

    def staff_calendar(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        return self._read(lambda uow: calendar.staff_calendar(uow, staff_id, start, end))

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
        length would be accepted, for any of the staff members."""
        return self._read(
            lambda uow: calendar.free_slots(
                uow, staff_ids, duration_minutes, start, end, step_minutes
            )
        )

    def asap_candidates(self, visit_id: UUID) -> list[Visit]:
        """After cancelling ``visit_id``: later ASAP-flagged visits that fit the freed time."""
        return self._read(lambda uow: calendar.asap_candidates(uow, visit_id))

    def export_calendar(self, staff_id: UUID, start: datetime, end: datetime) -> bytes:
        """The staff member's booked entries in the range as iCalendar (RFC 5545) bytes."""
        return self._read(lambda uow: calendar.to_ical(uow, staff_id, start, end))
