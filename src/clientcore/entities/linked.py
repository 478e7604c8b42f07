"""Linked records (C9): subscriptions, orders, repairs, treatments, business trips... shown
on the client. One shape, :class:`LinkedRecord`, whose ``kind`` names what it is; the kinds
are declared as :class:`LinkedKind` values, clientcore's (:data:`SUBSCRIPTION`...) or the
host's own, without any new table or adapter code."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

import attrs

from clientcore.entities.common import pii
from clientcore.errors import ValidationError

LINKED_TITLE_MAX_LENGTH = 200
LINKED_DETAIL_MAX_LENGTH = 4000
LINKED_DETAILS_MAX = 50


class LinkedStatus(enum.StrEnum):
    OPEN = "open"
    """Running: an active subscription, an open order, a repair in progress."""
    CLOSED = "closed"
    """Finished or stopped: a stopped subscription, a delivered order."""


@attrs.frozen
class LinkedKind:
    """What kind of linked record this is: its ``name`` (lower case, a-z, 0-9, _), a
    ``label`` to show, and whether its records hold special-category data (health:
    treatments), which a host's role checks (and the export clientcore does not have yet) treat
    apart. Any other name a host
    declares is as good as clientcore's."""

    name: str
    label: str
    special_category: bool = False

    def __attrs_post_init__(self) -> None:
        name = self.name
        if not (
            isinstance(name, str)
            and 0 < len(name) <= 40
            and name[0].isascii()
            and name[0].isalpha()
            and all(ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_") for ch in name)
        ):
            raise ValidationError("kind", f"{name!r} must start with a letter and use a-z, 0-9, _")


SUBSCRIPTION = LinkedKind("subscription", "Subscription")
ORDER = LinkedKind("order", "Order")
REPAIR = LinkedKind("repair", "Repair")
TREATMENT = LinkedKind("treatment", "Treatment", special_category=True)
BUSINESS_TRIP = LinkedKind("business_trip", "Business trip")
LINKED_KINDS: tuple[LinkedKind, ...] = (SUBSCRIPTION, ORDER, REPAIR, TREATMENT, BUSINESS_TRIP)
"""clientcore's own linked kinds (a host passes its own :class:`LinkedKind` values too)."""

_NO_DETAILS: Mapping[str, str] = MappingProxyType({})


def frozen_details(value: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy of a linked record's details."""
    return MappingProxyType(dict(value)) if value else _NO_DETAILS


@attrs.frozen
class LinkedRecord:
    """A record linked to a client. ``kind`` is a :class:`LinkedKind` name; ``starts_on``
    / ``ends_on`` bound it in time (a subscription's term, a trip); ``details`` holds what
    the kind needs besides (an order number, a device, a destination), as text."""

    id: UUID
    client_id: UUID
    kind: str
    title: str
    created_at: datetime
    updated_at: datetime
    status: LinkedStatus = LinkedStatus.OPEN
    starts_on: date | None = None
    ends_on: date | None = None
    subject_id: UUID | None = None
    special_category: bool = False
    details: Mapping[str, str] = pii(factory=dict, converter=frozen_details)
    notes: str = pii(default="")
    version: int = 1
