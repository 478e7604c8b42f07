"""Booking, changing, cancelling and deleting visits and breaks (V2-V8).

Every booking and reschedule is checked against the staff member's working hours here,
and against other entries by the store, atomically, when it writes the entry (so
concurrent writers can never double-book); the store's VisitOverlap names the entry in
the way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities import money, validation
from clientcore.entities.client import ClientStatus
from clientcore.entities.common import Role, utc_millis
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import SUBJECTS
from clientcore.entities.staff import StaffMember
from clientcore.entities.visit import (
    CHARGE_DESCRIPTION_MAX_LENGTH,
    MAX_DURATION_MINUTES,
    VISIT_NOTES_MAX_LENGTH,
    VISIT_SOURCE_MAX_LENGTH,
    Charge,
    ChargeKind,
    Visit,
    VisitKind,
    VisitStatus,
)
from clientcore.entities.working_hours import Schedule, within, working_intervals
from clientcore.errors import (
    ConcurrencyError,
    OutsideWorkingHours,
    ValidationError,
    VisitOverlap,
)
from clientcore.localtime import local_text
from clientcore.operations.context import Context, diff, save_change, tenant_zone
from clientcore.operations.redirects import creatable
from clientcore.operations.visit_documents import release_visit
from clientcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")
HOURS_OVERRIDE_ROLES = (Role.OWNER, Role.ADMINISTRATOR)
PAST_OVERRIDE_ROLES = (Role.OWNER, Role.ADMINISTRATOR)
"""Who may book or move an entry to a start that has passed (``allow_past=True``): recording
a visit afterwards, or entering old visits, is an owner's or administrator's decision."""
DELETE_ROLES = (Role.OWNER, Role.ADMINISTRATOR)
VISIT_FIELDS = (
    "kind",
    "staff_id",
    "start",
    "end",
    "client_id",
    "subject_id",
    "first_consultation",
    "asap",
    "notes",
    "source",
    "status",
    "charges",
    "settled",
)
_EVENTS: dict[tuple[VisitKind, str], EventKind] = {
    (VisitKind.VISIT, "booked"): EventKind.VISIT_BOOKED,
    (VisitKind.VISIT, "rescheduled"): EventKind.VISIT_RESCHEDULED,
    (VisitKind.VISIT, "updated"): EventKind.VISIT_UPDATED,
    (VisitKind.VISIT, VisitStatus.CANCELLED.value): EventKind.VISIT_CANCELLED,
    (VisitKind.VISIT, VisitStatus.ARRIVED.value): EventKind.VISIT_ARRIVED,
    (VisitKind.VISIT, VisitStatus.NO_SHOW.value): EventKind.VISIT_NO_SHOW,
    (VisitKind.VISIT, "deleted"): EventKind.VISIT_DELETED,
    (VisitKind.BREAK, "booked"): EventKind.BREAK_BOOKED,
    (VisitKind.BREAK, "rescheduled"): EventKind.BREAK_RESCHEDULED,
    (VisitKind.BREAK, "updated"): EventKind.BREAK_UPDATED,
    (VisitKind.BREAK, VisitStatus.CANCELLED.value): EventKind.BREAK_CANCELLED,
    (VisitKind.BREAK, "deleted"): EventKind.BREAK_DELETED,
}
"""The event of each change of a visit or a break (a break is only ever cancelled)."""


def check_start(value: object) -> datetime:
    """A timezone-aware instant on a whole minute, in UTC."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError("start", "must be a timezone-aware datetime")
    if value.second or value.microsecond:
        raise ValidationError("start", "must be on a whole minute")
    return utc_millis(value)


def check_duration(value: object) -> timedelta:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_DURATION_MINUTES
    ):
        raise ValidationError(
            "duration_minutes", f"must be a whole number from 1 to {MAX_DURATION_MINUTES}"
        )
    return timedelta(minutes=value)


def _check_hours(ctx: Context, schedule: Schedule, visit: Visit, override_hours: bool) -> None:
    """Inside the working hours of ``schedule`` (the visit's staff member's), unless a
    permitted actor overrides them.

    Other entries are not read here: the store refuses an overlap itself when the visit is
    written (``uow.visits.add`` / ``update`` raise VisitOverlap naming the first entry in
    the way), under the staff member's lock, which a read here could only repeat less
    reliably.
    """
    if override_hours:
        ctx.require_role(*HOURS_OVERRIDE_ROLES)
        return
    intervals = working_intervals(schedule.hours, schedule.zone, visit.start, visit.end)
    if not within(intervals, visit.start, visit.end):
        raise OutsideWorkingHours(visit.start, visit.end, schedule.zone)


def _check_not_past(ctx: Context, schedule: Schedule, start: datetime, allow_past: bool) -> None:
    """A start that has passed is refused, unless a permitted actor allows it (what free
    slots offer is exactly what this and the other checks accept)."""
    if allow_past:
        ctx.require_role(*PAST_OVERRIDE_ROLES)
        return
    now = ctx.now()
    if start < now:
        raise ValidationError(
            "start",
            f"{local_text(start, schedule.zone)} has passed (it is now "
            f"{local_text(now.replace(second=0, microsecond=0), schedule.zone)}); an owner or "
            "administrator may record it with allow_past=True",
        )


def _store(write: Callable[[], T], schedule: Schedule) -> T:
    """``write()``, its VisitOverlap (raised by the store, in UTC) shown in the tenant's zone."""
    try:
        return write()
    except VisitOverlap as overlap:
        raise overlap.in_zone(schedule.zone) from None


def _check_client_and_subject(uow: UnitOfWork, client_id: UUID, subject_id: UUID | None) -> None:
    if creatable(uow, client_id) is not ClientStatus.ACTIVE:
        raise ValidationError(
            "client_id", "the client is inactive; reactivate them to book a visit"
        )
    if subject_id is not None:
        subject = uow.records(SUBJECTS).get(subject_id)
        if subject.client_id != client_id:
            raise ValidationError("subject_id", "the subject belongs to another client")
        if not subject.active:
            raise ValidationError("subject_id", f"{subject.name!r} is inactive")


def _active(member: StaffMember) -> UUID:
    if not member.active:
        raise ValidationError("staff_id", f"staff member {member.name!r} is inactive")
    return member.id


def _details(fields: Mapping[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "notes": lambda v: validation.text(
            "notes", v, max_length=VISIT_NOTES_MAX_LENGTH, multiline=True
        ),
        "source": lambda v: validation.text("source", v, max_length=VISIT_SOURCE_MAX_LENGTH),
        "first_consultation": lambda v: _flag("first_consultation", v),
        "asap": lambda v: _flag("asap", v),
    }
    unknown = sorted(set(fields) - set(checks))
    if unknown:
        raise ValidationError(unknown[0], f"is not a visit detail; known: {', '.join(checks)}")
    return {name: checks[name](value) for name, value in fields.items()}


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, "must be True or False")
    return value


def book(
    uow: UnitOfWork,
    ctx: Context,
    *,
    staff_id: UUID,
    start: datetime,
    duration_minutes: int,
    client_id: UUID | None,
    subject_id: UUID | None,
    kind: VisitKind,
    override_hours: bool,
    details: Mapping[str, Any],
    allow_past: bool = False,
) -> Visit:
    """Book a visit of a client, or a break (no client), with a staff member, at a start
    that has not passed (unless ``allow_past``, see :data:`PAST_OVERRIDE_ROLES`)."""
    ctx.acting()
    kind = validation.choice("kind", VisitKind, kind)
    begin = check_start(start)
    if kind is VisitKind.VISIT:
        if client_id is None:
            raise ValidationError("client_id", "a visit needs a client (book a break without one)")
        _check_client_and_subject(uow, client_id, subject_id)
    elif client_id is not None or subject_id is not None:
        raise ValidationError("client_id", "a break has no client or subject")
    schedule = uow.visits.schedule(staff_id, lock=True)
    _check_not_past(ctx, schedule, begin, allow_past)
    now = ctx.now()
    visit = Visit(
        id=ctx.ids(),
        staff_id=_active(schedule.member),
        kind=kind,
        start=begin,
        end=begin + check_duration(duration_minutes),
        created_at=now,
        updated_at=now,
        client_id=client_id,
        subject_id=subject_id,
        **_details(details),
    )
    _check_hours(ctx, schedule, visit, override_hours)
    _store(lambda: uow.visits.add(visit), schedule)
    ctx.record(
        uow,
        _EVENTS[kind, "booked"],
        entity_id=visit.id,
        client_id=client_id,
        changes=diff(None, visit, VISIT_FIELDS, schedule.zone),
    )
    return visit


def _save(
    uow: UnitOfWork,
    ctx: Context,
    old: Visit,
    new: Visit,
    kind: EventKind,
    zone: tzinfo | None = None,
) -> Visit:
    """Store a changed visit with its event. ``zone`` (the tenant's) is needed only where
    the time changes: the history shows it in local time."""
    return save_change(
        uow,
        ctx,
        kind,
        old,
        new,
        fields=VISIT_FIELDS,
        store=uow.visits.replace,
        client_id=old.client_id,
        zone=zone,
    )


def _load(uow: UnitOfWork, visit_id: UUID, expected_version: int | None) -> Visit:
    visit = uow.visits.get(visit_id)
    if expected_version is not None and visit.version != expected_version:
        raise ConcurrencyError("visit", visit_id, expected_version)
    return visit


def _load_booked(uow: UnitOfWork, visit_id: UUID, expected_version: int | None) -> Visit:
    visit = _load(uow, visit_id, expected_version)
    if visit.status is not VisitStatus.BOOKED:
        raise ValidationError(
            "status",
            f"the visit is {visit.status.value}; only a booked visit can move or change status",
        )
    return visit


BOOKED_ONLY_DETAILS = frozenset({"asap"})
"""Details that only a booked visit may change: "as soon as possible" asks for an earlier
time, which a visit that took place (or was cancelled) no longer needs."""


def reschedule(
    uow: UnitOfWork,
    ctx: Context,
    visit_id: UUID,
    *,
    start: datetime | None,
    duration_minutes: int | None,
    staff_id: UUID | None,
    override_hours: bool,
    expected_version: int | None,
    allow_past: bool = False,
) -> Visit:
    """Move a booked visit in time or to another staff member, with the booking checks: a
    new start, or another staff member, must not have passed (unless ``allow_past``); a
    change of length alone keeps the start it has."""
    ctx.acting()
    old = _load_booked(uow, visit_id, expected_version)
    begin = old.start if start is None else check_start(start)
    length = old.duration if duration_minutes is None else check_duration(duration_minutes)
    schedule = uow.visits.schedule(old.staff_id if staff_id is None else staff_id, lock=True)
    if staff_id is not None:
        _active(schedule.member)
    if begin != old.start or schedule.member.id != old.staff_id:
        _check_not_past(ctx, schedule, begin, allow_past)
    new = attrs.evolve(old, start=begin, end=begin + length, staff_id=schedule.member.id)
    _check_hours(ctx, schedule, new, override_hours)
    return _store(
        lambda: _save(uow, ctx, old, new, _EVENTS[old.kind, "rescheduled"], schedule.zone),
        schedule,
    )


def update_details(
    uow: UnitOfWork,
    ctx: Context,
    visit_id: UUID,
    details: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> Visit:
    """Change notes, source or the first-consultation flag of a visit or break in any status
    (a vet adds notes after the patient arrived; the time stays: see :func:`reschedule`),
    and the ASAP flag of a booked one."""
    ctx.acting()
    old = _load(uow, visit_id, expected_version)
    if old.status is not VisitStatus.BOOKED:
        for name in sorted(BOOKED_ONLY_DETAILS & details.keys()):
            raise ValidationError(
                name, f"the visit is {old.status.value}; only a booked visit can change it"
            )
    return _save(
        uow, ctx, old, attrs.evolve(old, **_details(details)), _EVENTS[old.kind, "updated"]
    )


def set_status(uow: UnitOfWork, ctx: Context, visit_id: UUID, status: VisitStatus) -> Visit:
    """Cancel, or mark arrived / did not arrive; only a booked visit changes status."""
    ctx.acting()
    old = _load_booked(uow, visit_id, None)
    if old.kind is VisitKind.BREAK and status is not VisitStatus.CANCELLED:
        raise ValidationError("status", "a break can only be cancelled")
    return _save(uow, ctx, old, attrs.evolve(old, status=status), _EVENTS[old.kind, status.value])


AMOUNTS = ("quantity", "unit_price")


def _charge(raw: object) -> Charge:
    if not isinstance(raw, Charge):
        raise ValidationError("charges", "each charge must be a Charge(...)")
    amounts = {name: money.amount(f"charges.{name}", getattr(raw, name)) for name in AMOUNTS}
    currency = money.currency_code("charges.currency", raw.currency)
    return Charge(
        kind=validation.choice("charges.kind", ChargeKind, raw.kind),
        description=validation.required_text(
            "charges.description", raw.description, max_length=CHARGE_DESCRIPTION_MAX_LENGTH
        ),
        quantity=amounts["quantity"],
        unit_price=amounts["unit_price"],
        currency=currency,
    )


def set_charges(uow: UnitOfWork, ctx: Context, visit_id: UUID, charges: Sequence[Charge]) -> Visit:
    """Replace the services and goods on a visit; a change makes it to be paid again."""
    ctx.acting()
    old = uow.visits.get(visit_id)
    if old.kind is VisitKind.BREAK:
        raise ValidationError("charges", "a break has no charges")
    lines = tuple(_charge(line) for line in validation.sequence("charges", charges))
    if len({line.currency for line in lines}) > 1:
        raise ValidationError("charges.currency", "all charges of a visit are in one currency")
    new = attrs.evolve(old, charges=lines, settled=old.settled and lines == old.charges)
    return _save(uow, ctx, old, new, EventKind.VISIT_CHARGED)


def settle(uow: UnitOfWork, ctx: Context, visit_id: UUID) -> Visit:
    """Record that the visit's charges are paid."""
    ctx.acting()
    old = uow.visits.get(visit_id)
    if not old.charges:
        raise ValidationError("charges", "the visit has no charges to settle")
    return _save(uow, ctx, old, attrs.evolve(old, settled=True), EventKind.VISIT_SETTLED)


def delete(uow: UnitOfWork, ctx: Context, visit_id: UUID) -> None:
    """Delete a visit with its charges and the drafts billing it; only an owner or
    administrator may (V7). Raises VisitInvoiced if an issued document bills it."""
    ctx.require_role(*DELETE_ROLES)
    visit = uow.visits.get(visit_id)
    release_visit(uow, ctx, visit)
    uow.visits.delete(visit)
    ctx.record(
        uow,
        _EVENTS[visit.kind, "deleted"],
        entity_id=visit.id,
        client_id=visit.client_id,
        changes=diff(visit, None, VISIT_FIELDS, tenant_zone(uow)),
    )
