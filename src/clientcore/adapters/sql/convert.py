"""Explicit conversion between entities and rows. No ORM: a row is a plain mapping.

Nested values (phones, attributes, charges, history changes...) are stored as JSON text
written here, with Decimals and dates as strings, so that every engine stores the same
bytes and every value reads back equal (``==``) to what was written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import starmap
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import RowMapping

from clientcore.adapters.sql.schema import STEM_LENGTH, stored_id
from clientcore.entities.attribute import (
    AttributeDefinition,
    AttributeType,
    comparable,
    value_tag,
)
from clientcore.entities.client import (
    AttributeValue,
    Client,
    ClientKind,
    ClientStatus,
    DocumentKind,
    IdentityDocument,
    NameDay,
)
from clientcore.entities.common import Role
from clientcore.entities.consent import Channel, ConsentRecord, Purpose
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.entities.event import Event, FieldChange
from clientcore.entities.group import Group
from clientcore.entities.note import Note, NoteKind
from clientcore.entities.search import client_search_keys, client_sort_key
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject
from clientcore.entities.visit import Charge, ChargeKind, Visit, VisitKind, VisitStatus
from clientcore.entities.working_hours import (
    DayOverride,
    Schedule,
    TimeRange,
    WeeklySlot,
    WorkingHours,
)

Row = RowMapping
T = TypeVar("T")

# Stored enum values to members: a dict lookup per row instead of an Enum call.
_CLIENT_KINDS = {kind.value: kind for kind in ClientKind}
_CLIENT_STATUSES = {status.value: status for status in ClientStatus}
_VISIT_KINDS = {kind.value: kind for kind in VisitKind}
_VISIT_STATUSES = {status.value: status for status in VisitStatus}


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


def dump(value: object) -> str:
    """Compact JSON text, as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``."""
    return _encode(value)


def load(text: str) -> Any:
    """The value of JSON text written by :func:`dump`."""
    return _decode(text)


def _contacts(items: list[tuple[str, str, bool]]) -> str:
    """Phones or e-mail addresses as ``[[value, label, primary], ...]``."""
    return dump([list(item) for item in items])


def _roles(roles: frozenset[Role]) -> str:
    """The roles' values in order (an actor's, on each of its events)."""
    return dump(sorted(role.value for role in roles))


def _attribute_value(tag: str, text: str) -> AttributeValue:
    if tag == "flag":
        return text == "1"
    if tag == "number":
        return Decimal(text)
    if tag == "date":
        return date.fromisoformat(text)
    return text


def _stored_attribute(value: AttributeValue) -> list[str]:
    """An attribute value as [tag, text]; a number keeps its digits as given."""
    if isinstance(value, Decimal):
        return [value_tag(value), str(value)]
    return comparable(value).split(":", 1)


# -- clients -------------------------------------------------------------------------


def client_row(tenant: str, client: Client) -> dict[str, Any]:
    name_day = client.name_day
    return {
        "tenant": tenant,
        "id": client.id,
        "code": client.code,
        "kind": client.kind.value,
        "created_at": client.created_at,
        "updated_at": client.updated_at,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "company_name": client.company_name,
        "phones": _contacts([(p.number, p.label, p.primary) for p in client.phones]),
        "emails": _contacts([(e.address, e.label, e.primary) for e in client.emails]),
        "addresses": dump(
            [[a.kind.value, a.street, a.postal_code, a.city, a.country] for a in client.addresses]
        ),
        "description": client.description,
        "source": client.source,
        "caretaker_id": client.caretaker_id,
        "name_day_month": None if name_day is None else name_day.month,
        "name_day_day": None if name_day is None else name_day.day,
        "birthday": client.birthday,
        "identity_documents": dump([[d.kind.value, d.number] for d in client.identity_documents]),
        "remarks": client.remarks,
        "group_ids": dump(sorted(str(group_id) for group_id in client.group_ids)),
        "attributes": dump({k: _stored_attribute(v) for k, v in client.attributes.items()}),
        "status": client.status.value,
        "version": client.version,
        "sort_key": client_sort_key(client),
    }


CLIENT_COLUMNS = (
    "id",
    "code",
    "kind",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "company_name",
    "phones",
    "emails",
    "addresses",
    "description",
    "source",
    "caretaker_id",
    "name_day_month",
    "name_day_day",
    "birthday",
    "identity_documents",
    "remarks",
    "group_ids",
    "attributes",
    "status",
    "version",
)
"""The ``clients`` columns :func:`client_from_row` reads, in the order it reads them."""


def client_from_row(row: Sequence[Any]) -> Client:
    """The client of a row of :data:`CLIENT_COLUMNS`, read without the columns' SQLAlchemy
    types (the driver's values: :func:`.schema.stored_id`, :func:`_moment` and
    :func:`_date` convert them)."""
    (
        client_id,
        code,
        kind,
        created_at,
        updated_at,
        first_name,
        last_name,
        company_name,
        phones,
        emails,
        addresses,
        description,
        source,
        caretaker_id,
        month,
        day,
        birthday,
        identity_documents,
        remarks,
        group_ids,
        attributes,
        status,
        version,
    ) = row
    created = _moment(created_at)
    return Client(  # the fields in their order (the call costs less without their names)
        stored_id(client_id),
        code,
        _CLIENT_KINDS[kind],
        created,
        created if updated_at == created_at else _moment(updated_at),
        first_name,
        last_name,
        company_name,
        _made(Phone, phones),
        _made(Email, emails),
        _made(_address, addresses),
        description,
        source,
        None if caretaker_id is None else stored_id(caretaker_id),
        None if month is None else NameDay(month, day),
        _date(birthday),
        _made(_document, identity_documents),
        remarks,
        frozenset(map(UUID, load(group_ids))),
        {k: _attribute_value(t, v) for k, (t, v) in load(attributes).items()},
        _CLIENT_STATUSES[status],
        version,
    )


def _made(make: Callable[..., T], text: str) -> tuple[T, ...]:
    """``make(*item)`` for each item of a JSON list written by :func:`dump`."""
    return tuple(starmap(make, load(text)))


def _address(kind: str, street: str, postal_code: str, city: str, country: str) -> Address:
    return Address(AddressKind(kind), street, postal_code, city, country)


def _document(kind: str, number: str) -> IdentityDocument:
    return IdentityDocument(DocumentKind(kind), number)


def _moment(stored: datetime | str) -> datetime:
    """A ``Moment`` column's value as the driver gives it, aware in UTC as ``Moment`` reads
    it: SQLite's ISO text and a naive datetime (MariaDB/MySQL) are UTC, an aware one
    (PostgreSQL) is converted."""
    if isinstance(stored, str):
        return datetime.fromisoformat(stored + "+00:00")
    if stored.tzinfo is None:
        return datetime.combine(stored.date(), stored.time(), UTC)
    return stored.astimezone(UTC)


def _date(stored: date | str | None) -> date | None:
    """A ``Date`` column's value as the driver gives it: a date, or SQLite's ISO text."""
    return date.fromisoformat(stored) if isinstance(stored, str) else stored


def search_key_rows(tenant: str, client: Client, sort_key: str) -> list[dict[str, Any]]:
    """A row per search key, with the key's stem and the client's sort key (``sort_key``,
    as its :func:`client_row` has it) and status: what a search reads from the key index
    alone."""
    status = client.status.value
    return [
        {
            "tenant": tenant,
            "key": key,
            "client_id": client.id,
            "stem": key[:STEM_LENGTH],
            "sort_key": sort_key,
            "status": status,
        }
        for key in sorted(client_search_keys(client))
    ]


def group_rows(tenant: str, client: Client) -> list[dict[str, Any]]:
    return [
        {"tenant": tenant, "client_id": client.id, "group_id": group_id}
        for group_id in sorted(client.group_ids)
    ]


def attribute_rows(tenant: str, client: Client) -> list[dict[str, Any]]:
    return [
        {"tenant": tenant, "client_id": client.id, "key": key, "value": comparable(value)}
        for key, value in sorted(client.attributes.items())
    ]


# -- set-up records ------------------------------------------------------------------


def staff_row(tenant: str, member: StaffMember) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": member.id,
        "name": member.name,
        "created_at": member.created_at,
        "roles": _roles(member.roles),
        "active": member.active,
    }


def staff_from_row(row: Row) -> StaffMember:
    return StaffMember(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        roles=frozenset(Role(role) for role in load(row["roles"])),
        active=bool(row["active"]),
    )


def group_row(tenant: str, group: Group) -> dict[str, Any]:
    return {"tenant": tenant, "id": group.id, "name": group.name, "created_at": group.created_at}


def group_from_row(row: Row) -> Group:
    return Group(id=row["id"], name=row["name"], created_at=row["created_at"])


def definition_row(tenant: str, definition: AttributeDefinition) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "key": definition.key,
        "id": definition.id,
        "label": definition.label,
        "type": definition.type.value,
        "created_at": definition.created_at,
        "choices": dump(list(definition.choices)),
    }


def definition_from_row(row: Row) -> AttributeDefinition:
    return AttributeDefinition(
        id=row["id"],
        key=row["key"],
        label=row["label"],
        type=AttributeType(row["type"]),
        created_at=row["created_at"],
        choices=tuple(load(row["choices"])),
    )


def settings_row(tenant: str, settings: TenantSettings) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "default_region": settings.default_region,
        "time_zone": settings.time_zone,
    }


# -- client-linked records -------------------------------------------------------------


def subject_row(tenant: str, subject: Subject) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": subject.id,
        "client_id": subject.client_id,
        "kind": subject.kind,
        "name": subject.name,
        "created_at": subject.created_at,
        "updated_at": subject.updated_at,
        "details": dump(dict(subject.details)),
        "active": subject.active,
    }


def subject_from_row(row: Row) -> Subject:
    return Subject(
        id=row["id"],
        client_id=row["client_id"],
        kind=row["kind"],
        name=row["name"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        details=load(row["details"]),
        active=bool(row["active"]),
    )


def note_row(tenant: str, note: Note) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": note.id,
        "client_id": note.client_id,
        "kind": note.kind.value,
        "text": note.text,
        "project": note.project,
        "author_id": note.author_id,
        "created_at": note.created_at,
    }


def note_from_row(row: Row) -> Note:
    return Note(
        id=row["id"],
        client_id=row["client_id"],
        kind=NoteKind(row["kind"]),
        text=row["text"],
        project=row["project"],
        author_id=row["author_id"],
        created_at=row["created_at"],
    )


def consent_row(tenant: str, record: ConsentRecord) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": record.id,
        "client_id": record.client_id,
        "purpose": record.purpose.value,
        "channel": None if record.channel is None else record.channel.value,
        "granted": record.granted,
        "at": record.at,
        "source": record.source,
        "evidence": record.evidence,
        "recorded_by": record.recorded_by,
        "recorded_at": record.recorded_at,
    }


def consent_from_row(row: Row) -> ConsentRecord:
    channel = row["channel"]
    return ConsentRecord(
        id=row["id"],
        client_id=row["client_id"],
        purpose=Purpose(row["purpose"]),
        channel=None if channel is None else Channel(channel),
        granted=bool(row["granted"]),
        at=row["at"],
        source=row["source"],
        evidence=row["evidence"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


def event_row(tenant: str, event: Event) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": event.id,
        "kind": event.kind,
        "entity_id": event.entity_id,
        "client_id": event.client_id,
        "actor_id": event.actor_id,
        "at": event.at,
        "actor_roles": _roles(event.actor_roles),
        "changes": dump([[c.field, c.old, c.new] for c in event.changes]),
    }


def event_from_row(row: Row) -> Event:
    return Event(
        id=row["id"],
        kind=row["kind"],
        entity_id=row["entity_id"],
        client_id=row["client_id"],
        actor_id=row["actor_id"],
        at=row["at"],
        actor_roles=frozenset(Role(role) for role in load(row["actor_roles"])),
        changes=tuple(FieldChange(f, old, new) for f, old, new in load(row["changes"])),
    )


def visit_row(tenant: str, visit: Visit) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": visit.id,
        "staff_id": visit.staff_id,
        "kind": visit.kind.value,
        "starts_at": visit.start,
        "ends_at": visit.end,
        "created_at": visit.created_at,
        "updated_at": visit.updated_at,
        "client_id": visit.client_id,
        "subject_id": visit.subject_id,
        "first_consultation": visit.first_consultation,
        "asap": visit.asap,
        "notes": visit.notes,
        "source": visit.source,
        "status": visit.status.value,
        "charges": dump(
            [
                [c.kind.value, c.description, str(c.quantity), str(c.unit_price), c.currency]
                for c in visit.charges
            ]
        ),
        "settled": visit.settled,
        "version": visit.version,
    }


def visit_from_row(row: Row) -> Visit:
    return Visit(
        id=row["id"],
        staff_id=row["staff_id"],
        kind=_VISIT_KINDS[row["kind"]],
        start=row["starts_at"],
        end=row["ends_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        client_id=row["client_id"],
        subject_id=row["subject_id"],
        first_consultation=bool(row["first_consultation"]),
        asap=bool(row["asap"]),
        notes=row["notes"],
        source=row["source"],
        status=_VISIT_STATUSES[row["status"]],
        charges=tuple(
            Charge(ChargeKind(k), d, Decimal(q), Decimal(p), c)
            for k, d, q, p, c in load(row["charges"])
        ),
        settled=bool(row["settled"]),
        version=row["version"],
    )


def _range(hours: TimeRange) -> list[str]:
    return [hours.start.isoformat(), hours.end.isoformat()]


def _time_range(pair: list[str]) -> TimeRange:
    return TimeRange(time.fromisoformat(pair[0]), time.fromisoformat(pair[1]))


def working_hours_row(tenant: str, hours: WorkingHours) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "staff_id": hours.staff_id,
        "weekly": dump([[slot.weekday, *_range(slot.hours)] for slot in hours.weekly]),
        "overrides": dump(
            [[o.day.isoformat(), [_range(h) for h in o.hours]] for o in hours.overrides]
        ),
    }


def working_hours_from_row(row: Row) -> WorkingHours:
    return _working_hours(row["staff_id"], row["weekly"], row["overrides"])


@functools.lru_cache(maxsize=1024)
def _working_hours(staff_id: UUID, weekly: str, overrides: str) -> WorkingHours:
    """The hours stored as ``weekly`` and ``overrides``, parsed once per text: every booking
    reads its staff member's hours, which rarely change (the result is immutable)."""
    return WorkingHours(
        staff_id=staff_id,
        weekly=tuple(
            WeeklySlot(day, _time_range([start, end])) for day, start, end in load(weekly)
        ),
        overrides=tuple(
            DayOverride(date.fromisoformat(day), tuple(_time_range(pair) for pair in ranges))
            for day, ranges in load(overrides)
        ),
    )


SCHEDULE_STAFF_COLUMNS = ("id", "name", "created_at", "roles", "active")
"""The ``staff`` columns that :func:`schedule_from_row` reads first, in its order."""


def schedule_from_row(row: Sequence[Any]) -> Schedule:
    """The staff member's :data:`SCHEDULE_STAFF_COLUMNS`, their working hours' ``weekly``
    and ``overrides`` and the tenant's ``time_zone`` (each NULL if never set), read without
    the columns' SQLAlchemy types (as :func:`client_from_row`)."""
    staff_id, name, created_at, roles, active, weekly, overrides, zone = row
    member = StaffMember(
        stored_id(staff_id),
        name,
        _moment(created_at),
        frozenset(map(Role, load(roles))),
        bool(active),
    )
    hours = (
        WorkingHours(member.id) if weekly is None else _working_hours(member.id, weekly, overrides)
    )
    return Schedule(member, hours, TenantSettings().time_zone if zone is None else zone)
