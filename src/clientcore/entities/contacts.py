"""Phones, e-mail addresses and postal addresses, validated and normalised.

Phones are parsed with ``phonenumbers`` (Google's libphonenumber metadata: every country's
numbering plan, kept current upstream; the common international form read directly:
:mod:`clientcore.entities.phones`) and stored in E.164. E-mail addresses are checked
with ``email-validator`` without any DNS look-up and stored in its normalised form (each
domain checked once: :mod:`clientcore.entities.emails`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import TypeVar

import attrs
import phonenumbers
from email_validator import EmailNotValidError

from clientcore.entities import phones, validation
from clientcore.entities.common import pii
from clientcore.entities.emails import normalized_email
from clientcore.errors import ValidationError

PHONE_INPUT_MAX_LENGTH = 40
EMAIL_MAX_LENGTH = 254
LABEL_MAX_LENGTH = 40
ADDRESS_LINE_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
POSTAL_CODE_MAX_LENGTH = 20


@attrs.frozen
class Phone:
    """A phone number in E.164 (``+48601234567``), with an optional label."""

    number: str = pii()
    label: str = ""
    primary: bool = False


@attrs.frozen
class Email:
    """A normalised e-mail address, with an optional label."""

    address: str = pii()
    label: str = ""
    primary: bool = False


class AddressKind(enum.StrEnum):
    RESIDENCE = "residence"
    CORRESPONDENCE = "correspondence"
    REGISTERED = "registered"
    WORKPLACE = "workplace"


@attrs.frozen
class Address:
    """A postal address of one kind; a client has at most one address per kind."""

    kind: AddressKind
    street: str = pii(default="")
    postal_code: str = pii(default="")
    city: str = pii(default="")
    country: str = ""
    """ISO 3166-1 alpha-2 code, upper case, or empty."""


_COUNTRY = re.compile(r"[A-Za-z]{2}")


def normalize_phone(raw: object, *, region: str | None, field: str = "phones") -> str:
    """E.164 form of ``raw``; a number without ``+`` is read in the tenant's ``region``."""
    number = validation.required_text(field, raw, max_length=PHONE_INPUT_MAX_LENGTH)
    known = phones.known_e164(number, region)
    if known is not None:
        return known
    try:
        parsed = phones.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region else " (no default region is set: write it with +country code)"
        raise ValidationError(field, f"{number!r} is not a phone number{hint}") from exc
    if not phones.is_valid(parsed):
        raise ValidationError(field, f"{number!r} is not a valid phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def phone_search_keys(e164: str) -> tuple[str, ...]:
    """Digit strings a person may type to find this number: international and national.

    Derived from the country-code table instead of re-parsing the number.
    """
    digits = e164.lstrip("+")
    found = phones.split_country_code(digits)
    if found is None:
        return (digits,)
    code, national = found
    keys = {digits, national}
    region = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code][0]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is not None and metadata.national_prefix:
        keys.add(metadata.national_prefix + national)
    return tuple(sorted(keys))


def normalize_email(raw: object, *, field: str = "emails") -> str:
    """The normalised address; no DNS look-up is made."""
    address = validation.required_text(field, raw, max_length=EMAIL_MAX_LENGTH)
    try:
        normalized = normalized_email(address)
    except EmailNotValidError as exc:
        raise ValidationError(field, f"{address!r} is not a valid e-mail address: {exc}") from exc
    if len(normalized) > EMAIL_MAX_LENGTH:
        raise ValidationError(field, f"is longer than {EMAIL_MAX_LENGTH} characters")
    return normalized


def normalize_country(raw: object, *, field: str = "addresses.country") -> str:
    """Two letters A-Z (either case: "pl" is "PL"), or empty. Checked before the case is
    changed: "ß" would otherwise become "SS" and "ﬀ" "FF"."""
    country = validation.text(field, raw, max_length=2)
    if country and not _COUNTRY.fullmatch(country):
        raise ValidationError(field, f"{raw!r} is not an ISO 3166-1 alpha-2 code such as 'PL'")
    return country.upper()


def _one_primary(items: list[tuple[str, str, bool]], field: str) -> list[tuple[str, str, bool]]:
    if len(items) == 1:  # the commonest list: its one entry is primary
        value, label, _ = items[0]
        return [(value, label, True)]
    primaries = [item for item in items if item[2]]
    if len(primaries) > 1:
        raise ValidationError(field, "at most one entry can be primary")
    seen: set[str] = set()
    for value, _, _ in items:
        if value in seen:
            raise ValidationError(field, f"{value!r} is listed twice")
        seen.add(value)
    if items and not primaries:
        first = items[0]
        items[0] = (first[0], first[1], True)
    return items


def normalize_phones(raw: object, *, region: str | None) -> tuple[Phone, ...]:
    """Validated phones; the first becomes primary unless one is marked."""
    return _contacts(
        "phones",
        raw,
        Phone,
        lambda phone: phone.number,
        lambda n: normalize_phone(n, region=region),
    )


def normalize_emails(raw: object) -> tuple[Email, ...]:
    """Validated e-mail addresses; the first becomes primary unless one is marked."""
    return _contacts("emails", raw, Email, lambda email: email.address, normalize_email)


_Contact = TypeVar("_Contact", Phone, Email)


def _contacts(
    field: str,
    raw: object,
    kind: type[_Contact],
    value_of: Callable[[_Contact], str],
    normalize: Callable[[object], str],
) -> tuple[_Contact, ...]:
    """The entries of ``raw`` (each a ``kind`` or a bare value) as ``kind``, each value
    normalised and each label checked; the first becomes primary unless one is marked."""
    if isinstance(raw, list | tuple) and len(raw) == 1 and type(raw[0]) is str:
        return (kind(normalize(raw[0]), "", True),)  # the commonest: one bare value, primary
    items = []
    for entry in validation.sequence(field, raw):
        value, label, primary = (
            (value_of(entry), entry.label, entry.primary)
            if isinstance(entry, kind)
            else (entry, "", False)
        )
        items.append(
            (
                normalize(value),
                validation.text(f"{field}.label", label, max_length=LABEL_MAX_LENGTH),
                primary,
            )
        )
    return tuple([kind(v, lbl, p) for v, lbl, p in _one_primary(items, field)])


def normalize_addresses(raw: object) -> tuple[Address, ...]:
    """Validated addresses, at most one per kind, ordered by kind."""
    by_kind: dict[AddressKind, Address] = {}
    for entry in validation.sequence("addresses", raw):
        if not isinstance(entry, Address):
            raise ValidationError("addresses", "each address must be an Address(...)")
        kind = validation.choice("addresses.kind", AddressKind, entry.kind)
        if kind in by_kind:
            raise ValidationError("addresses", f"two addresses of kind {kind.value!r}")
        by_kind[kind] = Address(
            kind=kind,
            street=validation.text(
                "addresses.street", entry.street, max_length=ADDRESS_LINE_MAX_LENGTH
            ),
            postal_code=validation.text(
                "addresses.postal_code", entry.postal_code, max_length=POSTAL_CODE_MAX_LENGTH
            ),
            city=validation.text("addresses.city", entry.city, max_length=CITY_MAX_LENGTH),
            country=normalize_country(entry.country),
        )
    return tuple(by_kind[kind] for kind in AddressKind if kind in by_kind)
