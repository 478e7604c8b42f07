"""Visits and breaks in a staff member's calendar (V2-V8), with charges (V6)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from clientcore.entities.common import pii

VISIT_NOTES_MAX_LENGTH = 2000
VISIT_SOURCE_MAX_LENGTH = 100
CHARGE_DESCRIPTION_MAX_LENGTH = 200
MAX_DURATION_MINUTES = 24 * 60


class VisitKind(enum.StrEnum):
    VISIT = "visit"
    BREAK = "break"


class VisitStatus(enum.StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class ChargeKind(enum.StrEnum):
    SERVICE = "service"
    GOODS = "goods"


@attrs.frozen
class Charge:
    """One line of what a visit costs: ``quantity`` x ``unit_price`` in ``currency``."""

    kind: ChargeKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price


@attrs.frozen
class Visit:
    """A visit of a client (or a break) with one staff member, from ``start`` to ``end``.

    Cancelled entries keep their place in the history but no longer hold the time.
    """

    id: UUID
    staff_id: UUID
    kind: VisitKind
    start: datetime
    end: datetime
    created_at: datetime
    updated_at: datetime
    client_id: UUID | None = None
    subject_id: UUID | None = None
    first_consultation: bool = False
    asap: bool = False
    notes: str = pii(default="")
    source: str = ""
    status: VisitStatus = VisitStatus.BOOKED
    charges: tuple[Charge, ...] = ()
    settled: bool = False
    version: int = 1

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def holds_time(self) -> bool:
        """True unless cancelled: only entries that hold time can conflict."""
        return self.status is not VisitStatus.CANCELLED

    @property
    def to_be_paid(self) -> bool:
        """Charges are recorded and not yet settled (the calendar's "€€" mark)."""
        return bool(self.charges) and not self.settled

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Half-open intervals: touching end-to-start is not an overlap."""
        return self.start < end and start < self.end
