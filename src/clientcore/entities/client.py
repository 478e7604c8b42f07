"""The client record (C1-C4, C6, O6): who the business serves."""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from uuid import UUID

import attrs

from clientcore.entities.common import id_set, pii
from clientcore.entities.contacts import Address, Email, Phone
from clientcore.errors import ValidationError

AttributeValue = str | Decimal | date | bool
"""A custom attribute value: text or choice (str), number (Decimal), date, or flag (bool)."""

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 100
COMPANY_NAME_MAX_LENGTH = 200
SOURCE_MAX_LENGTH = 100
LONG_TEXT_MAX_LENGTH = 4000
DOCUMENT_NUMBER_MAX_LENGTH = 50


class ClientKind(enum.StrEnum):
    PERSON = "person"
    COMPANY = "company"


class ClientStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    MERGED = "merged"
    """Merged into another client (see ``core.merges``): the row stays, its code reserved."""
    FORGOTTEN = "forgotten"
    """Forgotten at the client's request (P1): inactive, hidden from search and pickers
    but for the "all clients" filter, refused for new visits and records."""


class DocumentKind(enum.StrEnum):
    ID_CARD = "id_card"
    PASSPORT = "passport"


@attrs.frozen
class NameDay:
    """A name day: day and month, no year (29 February is allowed)."""

    month: int
    day: int

    def __attrs_post_init__(self) -> None:
        for value in (self.month, self.day):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError("name_day", f"month and day are whole numbers, got {value!r}")
        if not 1 <= self.month <= 12:
            raise ValidationError("name_day", f"month {self.month} is not between 1 and 12")
        last = calendar.monthrange(2000, self.month)[1]
        if not 1 <= self.day <= last:
            raise ValidationError("name_day", f"day {self.day} is not in month {self.month}")


@attrs.frozen
class IdentityDocument:
    kind: DocumentKind
    number: str = pii()


_NO_ATTRIBUTES: Mapping[str, AttributeValue] = MappingProxyType({})


def frozen_mapping(value: Mapping[str, AttributeValue]) -> Mapping[str, AttributeValue]:
    """A read-only copy, so a stored entity can never be changed behind the store's back
    (an empty one is shared: most clients have no attributes)."""
    return MappingProxyType(dict(value)) if value else _NO_ATTRIBUTES


@attrs.frozen
class Client:
    """A client record. Change it with the operations, which validate and record history."""

    id: UUID
    code: str
    kind: ClientKind
    created_at: datetime
    updated_at: datetime
    first_name: str = pii(default="")
    last_name: str = pii(default="")
    company_name: str = pii(default="")
    phones: tuple[Phone, ...] = pii(default=())
    emails: tuple[Email, ...] = pii(default=())
    addresses: tuple[Address, ...] = pii(default=())
    description: str = pii(default="")
    source: str = ""
    caretaker_id: UUID | None = None
    name_day: NameDay | None = pii(default=None)
    birthday: date | None = pii(default=None)
    identity_documents: tuple[IdentityDocument, ...] = pii(default=())
    remarks: str = pii(default="")
    group_ids: frozenset[UUID] = attrs.field(default=frozenset(), converter=id_set)
    attributes: Mapping[str, AttributeValue] = pii(factory=dict, converter=frozen_mapping)
    status: ClientStatus = ClientStatus.ACTIVE
    version: int = 1

    @property
    def display_name(self) -> str:
        """Company name for a company; "first last" for a person."""
        return " ".join(part for part in self.name_parts if part)

    @property
    def name_parts(self) -> tuple[str, ...]:
        """The parts of :attr:`display_name`: the company name, or first and last name."""
        if self.kind is ClientKind.COMPANY:
            return (self.company_name,)
        return (self.first_name, self.last_name)

    @property
    def primary_phone(self) -> Phone | None:
        return next((p for p in self.phones if p.primary), None)

    @property
    def primary_email(self) -> Email | None:
        return next((e for e in self.emails if e.primary), None)
