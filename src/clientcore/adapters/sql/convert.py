"""Explicit conversion between entities and rows. No ORM: a row is a plain mapping.

Nested values (phones, attributes, charges, history changes...) are stored as JSON text
written here, with Decimals and dates as strings, so that every engine stores the same
bytes and every value reads back equal (``==``) to what was written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import combinations, starmap
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import RowMapping

from clientcore.adapters.sql.schema import (
    STEM_LENGTH,
    STEMS,
    stored_date,
    stored_id,
    stored_instant,
)
from clientcore.entities.attribute import (
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
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.entities.event import Event, FieldChange
from clientcore.entities.likeness import profile_of
from clientcore.entities.profile_table import profile_text
from clientcore.entities.search import client_search_keys, client_sort_key
from clientcore.entities.settings import TenantSettings
from clientcore.entities.visit import Charge, ChargeKind, Visit, VisitKind, VisitStatus

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


def _listed(items: list[Any]) -> str:
    """A list as :func:`dump` writes it; most of a client's lists are empty, written as
    ``[]`` without the encoder (an import writes several per client)."""
    return dump(items) if items else "[]"


def _contacts(items: list[tuple[str, str, bool]]) -> str:
    """Phones or e-mail addresses as ``[[value, label, primary], ...]``."""
    return _listed([list(item) for item in items])


@functools.lru_cache(maxsize=64)
def _roles(roles: frozenset[Role]) -> str:
    """The roles' values in order (an actor's, on each of its events: the same few sets
    again and again, so each is written once)."""
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
        "addresses": _listed(
            [[a.kind.value, a.street, a.postal_code, a.city, a.country] for a in client.addresses]
        ),
        "description": client.description,
        "source": client.source,
        "caretaker_id": client.caretaker_id,
        "name_day_month": None if name_day is None else name_day.month,
        "name_day_day": None if name_day is None else name_day.day,
        "birthday": client.birthday,
        "identity_documents": _listed(
            [[d.kind.value, d.number] for d in client.identity_documents]
        ),
        "remarks": client.remarks,
        "group_ids": _listed(sorted(str(group_id) for group_id in client.group_ids)),
        "attributes": (
            dump({k: _stored_attribute(v) for k, v in client.attributes.items()})
            if client.attributes
            else "{}"
        ),
        "status": client.status.value,
        "version": client.version,
        "sort_key": client_sort_key(client),
        "profile": profile_text(profile_of(client)),
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
    types (the driver's values: :func:`.schema.stored_id`, :func:`.schema.stored_instant`
    and :func:`.schema.stored_date` convert them)."""
    stored = dict(zip(CLIENT_COLUMNS, row, strict=True))
    caretaker_id, month, birthday = (
        stored["caretaker_id"],
        stored["name_day_month"],
        stored["birthday"],
    )
    return Client(
        id=stored_id(stored["id"]),
        code=stored["code"],
        kind=_CLIENT_KINDS[stored["kind"]],
        created_at=stored_instant(stored["created_at"]),
        updated_at=stored_instant(stored["updated_at"]),
        first_name=stored["first_name"],
        last_name=stored["last_name"],
        company_name=stored["company_name"],
        phones=_made(Phone, stored["phones"]),
        emails=_made(Email, stored["emails"]),
        addresses=_made(_address, stored["addresses"]),
        description=stored["description"],
        source=stored["source"],
        caretaker_id=None if caretaker_id is None else stored_id(caretaker_id),
        name_day=None if month is None else NameDay(month, stored["name_day_day"]),
        birthday=None if birthday is None else stored_date(birthday),
        identity_documents=_made(_document, stored["identity_documents"]),
        remarks=stored["remarks"],
        group_ids=group_ids_from_text(stored["group_ids"]),
        attributes=attributes_from_text(stored["attributes"]),
        status=_CLIENT_STATUSES[stored["status"]],
        version=stored["version"],
    )


def _made(make: Callable[..., T], text: str) -> tuple[T, ...]:
    """``make(*item)`` for each item of a JSON list written by :func:`dump`."""
    return tuple(starmap(make, load(text)))


def _address(kind: str, street: str, postal_code: str, city: str, country: str) -> Address:
    return Address(AddressKind(kind), street, postal_code, city, country)


def _document(kind: str, number: str) -> IdentityDocument:
    return IdentityDocument(DocumentKind(kind), number)


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
            "sort_key": sort_key,
            "status": status,
            **{column: key[:length] for length, column in STEMS.items()},
        }
        for key in sorted(client_search_keys(client))
    ]


def paired(key: str) -> bool:
    """Whether ``key`` is in :func:`search_pair_rows`: it does not start with an ASCII
    digit (a test revision ``clientcore_0008`` makes in SQL too). A term matches only keys
    that start with its first character, so whether all of a term's keys are paired is
    known from the term alone; phone forms and numeric codes, several per client, stay
    out."""
    return not "0" <= key[:1] <= "9"


def search_pair_rows(tenant: str, client: Client, sort_key: str) -> list[dict[str, Any]]:
    """A row per two of the client's :func:`paired` keys: the lesser (``word``) and the
    greater (``other``), each with its stem, with the client's sort key and status."""
    status = client.status.value
    return [
        {
            "tenant": tenant,
            "stem": word[:STEM_LENGTH],
            "other": other,
            "word": word,
            "client_id": client.id,
            "sort_key": sort_key,
            "status": status,
            "other_stem": other[:STEM_LENGTH],
        }
        for word, other in combinations(
            sorted(key for key in client_search_keys(client) if paired(key)), 2
        )
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


def settings_row(tenant: str, settings: TenantSettings) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "default_region": settings.default_region,
        "time_zone": settings.time_zone,
    }


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


def stored_attribute_text(value: AttributeValue) -> str:
    """One attribute value as the ``attributes`` column holds it, ``[tag, text]`` as JSON
    (for a bulk change that writes it into that column in SQL)."""
    return dump(_stored_attribute(value))


def attributes_from_text(text: str) -> dict[str, AttributeValue]:
    """The attributes of an ``attributes`` column's JSON text."""
    if text == "{}":  # most clients have none
        return {}
    return {key: _attribute_value(tag, value) for key, (tag, value) in load(text).items()}


def group_ids_from_text(text: str) -> frozenset[UUID]:
    """The group ids of a ``group_ids`` column's JSON text."""
    if text == "[]":  # most clients are in none
        return frozenset()
    return frozenset(map(stored_id, load(text)))
