"""hypothesis strategies for every entity, with values as the domain lets them reach a store.

Built from the entities' own type hints, so a field added to an entity is generated
without anyone remembering to add it here. The values are the ones validation lets
through: text without lone surrogates or control characters (line breaks and tabs aside),
timezone-aware datetimes in UTC truncated to milliseconds, finite Decimals of at most 18
digits, dates between the years 1000 and 9999 (what every engine stores).
"""

from __future__ import annotations

import enum
import types
import typing
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar, Union, cast
from uuid import UUID

import attrs
import phonenumbers
from hypothesis import reject
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.client import Client, ClientKind, DocumentKind, IdentityDocument, NameDay
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.contacts import Address, AddressKind
from clientcore.entities.event import Event
from clientcore.entities.group import Group
from clientcore.entities.note import Note
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject
from clientcore.entities.visit import Visit
from clientcore.entities.working_hours import WorkingHours
from clientcore.errors import ValidationError
from clientcore.operations.clients import ClientFields

T = TypeVar("T")

STORED_ENTITIES: tuple[type, ...] = (
    Client,
    StaffMember,
    Group,
    AttributeDefinition,
    TenantSettings,
    Subject,
    Note,
    ConsentRecord,
    Event,
    Visit,
    WorkingHours,
)
"""Every entity an adapter stores."""

texts = st.text(
    st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t\r"), max_size=30
)
moments = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=6).filter(
    lambda number: len(number.as_tuple().digits) <= 18
)
_SIMPLE: dict[Any, st.SearchStrategy[Any]] = {
    str: texts,
    int: st.integers(min_value=-(2**31), max_value=2**31 - 1),
    bool: st.booleans(),
    UUID: st.uuids(),
    datetime: moments,
    date: st.dates(min_value=date(1000, 1, 1)),
    time: st.times().map(lambda moment: moment.replace(microsecond=0)),
    Decimal: decimals,
}


def values(kind: Any) -> st.SearchStrategy[Any]:
    """Values of a type as written in an entity's hints (attrs classes, enums, unions,
    tuples, frozensets and mappings of them)."""
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(kind)
    if isinstance(kind, type) and attrs.has(kind):
        return entities(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        return st.one_of([values(arg) for arg in args])
    if origin is tuple:
        return st.lists(values(args[0]), max_size=3).map(tuple)
    if origin is frozenset:
        return st.frozensets(values(args[0]), max_size=3)
    if origin is Mapping:
        return st.dictionaries(texts, values(args[1]), max_size=3)
    if kind is type(None):
        return st.none()
    raise TypeError(f"no strategy for {kind!r}: extend clientcore.testing.strategies.values")


def entities(cls: type[T]) -> st.SearchStrategy[T]:
    """Instances of an attrs entity with every field drawn from :func:`values`; instances its
    own checks refuse (a 31 February name day) are not generated."""
    hints = typing.get_type_hints(cls)
    fields = {field.name: values(hints[field.name]) for field in attrs.fields(cls)}  # type: ignore[arg-type]

    @st.composite
    def build(draw: st.DrawFn) -> T:
        drawn = {name: draw(strategy) for name, strategy in fields.items()}
        try:
            return cls(**drawn)
        except ValidationError:
            reject()

    return build()


# -- inputs of the API ---------------------------------------------------------------------

_NAME_CHARACTERS = st.characters(categories=("Lu", "Ll", "Lo")) | st.sampled_from(" -'’.")
_PHONE_REGIONS = ("PL", "DE", "GB", "FR", "NL", "LT", "CZ", "ES", "IT", "US")
_FREE_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=60
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _names(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_NAME_CHARACTERS, max_size=max_size).map(_nfc)


def _phones() -> st.SearchStrategy[list[str]]:
    """Valid mobile numbers (libphonenumber's example for a region), written in E.164 or
    in the international format with spaces; at most one per region."""

    def written(region: str, spaced: bool) -> str:
        number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        assert number is not None, region
        form = PhoneNumberFormat.INTERNATIONAL if spaced else PhoneNumberFormat.E164
        return str(phonenumbers.format_number(number, form))

    regions = st.lists(st.sampled_from(_PHONE_REGIONS), max_size=3, unique=True)
    return regions.flatmap(
        lambda chosen: st.tuples(*(st.builds(written, st.just(r), st.booleans()) for r in chosen))
    ).map(list)


_EMAILS = st.lists(
    st.from_regex(
        r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8})?@[a-z][a-z0-9]{1,10}\.(com|pl|de|eu|org)",
        fullmatch=True,
    ),
    max_size=3,
    unique=True,
)
_ADDRESSES = st.lists(
    st.builds(
        Address,
        kind=st.sampled_from(AddressKind),
        street=_names(40),
        postal_code=st.from_regex(r"[0-9]{2}-[0-9]{3}", fullmatch=True),
        city=_names(30),
        country=st.sampled_from(("", "PL", "DE", "NL", "LT")),
    ),
    max_size=3,
    unique_by=lambda address: address.kind,
)
_DOCUMENTS = st.lists(
    st.builds(
        IdentityDocument,
        kind=st.sampled_from(DocumentKind),
        number=st.from_regex(r"[A-Z]{3}[0-9]{6}", fullmatch=True),
    ),
    max_size=2,
)


def registrations(*, codes: bool = False) -> st.SearchStrategy[ClientFields]:
    """Keyword arguments that ``core.clients.register(**fields)`` accepts in any tenant with
    no set-up (so no caretaker, groups or custom attributes, which refer to records of the
    tenant): a person (a first or a last name, or both) or a company (a company name),
    with names in any script, valid phones (E.164 or spaced) and e-mail addresses,
    addresses of distinct kinds, a name day, a birthday in 1900-2020 (in the past for any
    clock a test is likely to fix), identity documents,
    a source and multi-line free text (already in NFC, so a stored field equals what was
    given; phones are stored in E.164).

    ``codes=True`` also draws a ``code``, which the test must keep unique per tenant
    (``DuplicateCode`` otherwise); by default the tenant's counter gives one. Hosts install
    hypothesis with ``pip install 'clientcore[testing]'``.
    """

    @st.composite
    def build(draw: st.DrawFn) -> ClientFields:
        fields: dict[str, Any] = {}
        kind = draw(st.sampled_from(ClientKind))
        fields["kind"] = kind
        if kind is ClientKind.COMPANY:
            fields["company_name"] = draw(_names(60).filter(str.strip))
        else:
            first, last = draw(_names(30)), draw(_names(30))
            if not (first.strip() or last.strip()):
                last = draw(_names(30).filter(str.strip))
            fields["first_name"], fields["last_name"] = first, last
        optional: dict[str, st.SearchStrategy[Any]] = {
            "phones": _phones(),
            "emails": _EMAILS,
            "addresses": _ADDRESSES,
            "description": _FREE_TEXT.map(_nfc),
            "remarks": _FREE_TEXT.map(_nfc),
            "source": _names(30),
            "name_day": st.builds(NameDay, st.integers(1, 12), st.integers(1, 28)),
            "birthday": st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
            "identity_documents": _DOCUMENTS,
        }
        if codes:
            optional["code"] = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9/_-]{0,15}", fullmatch=True)
        for name, strategy in optional.items():
            if draw(st.booleans()):
                fields[name] = draw(strategy)
        return cast(ClientFields, fields)

    return build()
