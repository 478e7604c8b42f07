"""Checks for user-supplied text: NFC, length limits, no control characters.

A value is either stored exactly as its NFC form or refused with a
:class:`~clientcore.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import UTC, date, datetime
from typing import TypeVar

from clientcore.errors import ValidationError

E = TypeVar("E", bound=enum.Enum)

_MULTILINE_ALLOWED = frozenset("\n\t\r")

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest instant (and, by its date, the earliest day) clientcore takes."""
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""The first instant past the range clientcore takes: far from the end of ``datetime``'s
range (year 9999), so a day, a zone's offset or a visit's length added never overflows."""


def _refuse_unstorable(field: str, value: str, *, multiline: bool) -> None:
    if value.isprintable():
        return
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ValidationError(field, "contains a lone surrogate, which is not valid text")
        if category == "Cc" and not (multiline and ch in _MULTILINE_ALLOWED):
            where = "line breaks and tabs only" if multiline else "no line breaks or tabs"
            raise ValidationError(
                field, f"contains the control character U+{ord(ch):04X} ({where} allowed)"
            )


def text(field: str, value: object, *, max_length: int, multiline: bool = False) -> str:
    """Optional free text: NFC-normalised, at most ``max_length`` characters; may be empty."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, got {type(value).__name__}")
    _refuse_unstorable(field, value, multiline=multiline)
    normalized = unicodedata.normalize("NFC", value)
    if len(normalized) > max_length:
        raise ValidationError(
            field, f"is {len(normalized)} characters long; at most {max_length} are allowed"
        )
    return normalized


def required_text(field: str, value: object, *, max_length: int, multiline: bool = False) -> str:
    """Like :func:`text`, but blank values are refused."""
    normalized = text(field, value, max_length=max_length, multiline=multiline)
    if not normalized.strip():
        raise ValidationError(field, "must not be empty")
    return normalized


def optional_text(field: str, value: object, *, max_length: int) -> str | None:
    """Single-line text or None; an empty string is stored as None."""
    if value is None:
        return None
    normalized = text(field, value, max_length=max_length)
    return normalized or None


def identifier(field: str, value: object, *, max_length: int) -> str:
    """A key such as an attribute key: lowercase ASCII letters, digits and ``_``."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "must be a non-empty key")
    if len(value) > max_length:
        raise ValidationError(field, f"is longer than {max_length} characters")
    if not (value[0].isascii() and value[0].isalpha()) or not all(
        ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_") for ch in value
    ):
        raise ValidationError(
            field, f"{value!r} must start with a letter and use only a-z, 0-9 and _"
        )
    return value


def sequence(field: str, raw: object) -> tuple[object, ...]:
    """A list or tuple of entries (a lone string is refused, not split into letters)."""
    if not isinstance(raw, list | tuple):
        raise ValidationError(field, "must be a list")
    return tuple(raw)


def choice(field: str, cls: type[E], raw: object) -> E:
    """A member of the enum ``cls``, given as a member or its value."""
    try:
        return cls(raw)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in cls)
        raise ValidationError(field, f"{raw!r} is not one of {allowed}") from None


def unstorable(field: str, value: str) -> None:
    """Refuse text no store keeps: a lone surrogate or NUL (stored text refuses more; a
    lookup argument is refused for these alike on every adapter, before reaching a store)."""
    if "\x00" in value:
        raise ValidationError(field, "contains the control character U+0000")
    if not value.isascii():
        for ch in value:
            if 0xD800 <= ord(ch) <= 0xDFFF:
                raise ValidationError(field, "contains a lone surrogate, which is not valid text")


def moment(field: str, value: object) -> datetime:
    """A timezone-aware datetime from 1900 up to (not including) the year 9000."""
    if not isinstance(value, datetime):
        raise ValidationError(
            field, f"must be a timezone-aware datetime, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must be a timezone-aware datetime (naive ones are ambiguous)")
    try:
        inside = EARLIEST <= value < LATEST
    except OverflowError:  # an offset that moves it past datetime's own range
        inside = False
    if not inside:
        raise ValidationError(field, "must be from the year 1900 up to (not including) 9000")
    return value


def day(field: str, value: object) -> date:
    """A ``datetime.date`` (not a datetime) from the year 1900 up to (not including) 9000."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(field, f"must be a datetime.date, got {type(value).__name__}")
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValidationError(field, "must be from the year 1900 up to (not including) 9000")
    return value
