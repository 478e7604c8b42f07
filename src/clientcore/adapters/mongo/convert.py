"""Entities <-> BSON documents: the adapter's private cattrs converter.

Built from ``cattrs.preconf.bson.make_converter`` and configured here only (never the global
converter). What BSON lacks is spelled out:

* ``UUID`` is kept as a UUID (binary subtype 4, ``uuidRepresentation="standard"``).
* ``Decimal`` is stored as ``Decimal128``, which keeps every digit and the exponent, so
  ``Decimal("1.50")`` reads back as ``Decimal("1.50")`` and ``Decimal("1.5")`` as itself.
  A value that Decimal128 cannot hold exactly (more than 34 digits) is refused, never rounded.
* ``datetime.date`` (BSON has no date type) is an ISO string ``"2020-02-29"``, which sorts
  like the date; ``datetime.time`` is an ISO string too.
* ``datetime`` is a BSON UTC datetime; read back timezone-aware in UTC.
* Enums are their values; tuples and frozensets are arrays (sets sorted, so documents are
  stable); a text-to-text mapping (subject details, keys written by people) is an array of
  ``[key, value]`` pairs, because a key may contain ``.`` or start with ``$``.
* A custom attribute value (``str | Decimal | date | bool``) is tagged:
  ``{"text": "12"}``, ``{"number": Decimal128("12")}``, ``{"date": "2020-01-01"}``,
  ``{"flag": true}``; so a text that looks like a number stays text.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from bson import CodecOptions, Decimal128
from bson.binary import Binary, UuidRepresentation
from cattrs.preconf.bson import BsonConverter, make_converter

from clientcore.entities.client import AttributeValue

T = TypeVar("T")

CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True, tzinfo=UTC, uuid_representation=UuidRepresentation.STANDARD
)
"""How the adapter's collections encode and decode BSON."""

TextMapping = Mapping[str, str]


def _uuid(value: object, _: object) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, Binary):
        return value.as_uuid(UuidRepresentation.STANDARD)
    return UUID(str(value))


def _decimal128(value: Decimal) -> Decimal128:
    return Decimal128(value)


def _decimal(value: object, _: object) -> Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return Decimal(str(value))


def _utc(value: object, _: object) -> datetime:
    """A BSON datetime is a UTC instant; a decoder set to naive times returns it naive."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_ATTRIBUTE_TAGS: dict[str, Callable[[Any], AttributeValue]] = {
    "text": str,
    "number": lambda v: _decimal(v, None),
    "date": date.fromisoformat,
    "flag": bool,
}


def attribute_document(value: AttributeValue) -> dict[str, Any]:
    """The tagged form of a custom attribute value."""
    if isinstance(value, bool):
        return {"flag": value}
    if isinstance(value, Decimal):
        return {"number": Decimal128(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return {"text": value}


def _attribute_value(value: Mapping[str, Any], _: object) -> AttributeValue:
    ((tag, raw),) = value.items()
    return _ATTRIBUTE_TAGS[tag](raw)


def attribute_match_key(key: str, value: AttributeValue) -> str:
    """A string equal for two values exactly when the in-memory filter finds them equal.

    Python's ``==`` on Decimals ignores trailing zeros and the sign of zero; ``True`` and
    ``Decimal(1)`` differ (the memory adapter compares the bool-ness too); text is exact.
    """
    if isinstance(value, bool):
        tagged = f"flag:{int(value)}"
    elif isinstance(value, Decimal):
        tagged = "number:" + ("0" if value.is_zero() else format(value.normalize(), "f"))
    elif isinstance(value, date):
        tagged = f"date:{value.isoformat()}"
    else:
        tagged = f"text:{value}"
    return f"{key}\x1f{tagged}"


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _sorted_list(items: frozenset[Any]) -> list[Any]:
    return sorted(items, key=str)


def make_document_converter() -> BsonConverter:
    """A new converter for the adapter's documents (see the module docstring)."""
    converter = make_converter(unstruct_collection_overrides={tuple: list})
    converter.register_unstructure_hook(UUID, lambda v: v)
    converter.register_structure_hook(UUID, _uuid)
    converter.register_unstructure_hook(Decimal, _decimal128)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(datetime, _utc)
    converter.register_unstructure_hook(time, lambda v: v.isoformat())
    converter.register_structure_hook(time, lambda v, _: time.fromisoformat(v))
    converter.register_unstructure_hook_factory(_is_enum, lambda _: lambda v: v.value)
    converter.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", None) is frozenset, _sorted_list
    )
    converter.register_unstructure_hook(TextMapping, lambda v: [[k, x] for k, x in v.items()])
    converter.register_structure_hook_func(
        lambda t: t == TextMapping, lambda v, _: {k: x for k, x in v}
    )
    converter.register_unstructure_hook(AttributeValue, attribute_document)
    converter.register_structure_hook_func(lambda t: t == AttributeValue, _attribute_value)
    return converter


class Documents:
    """Entities to documents and back, with the fields the adapter adds for its queries."""

    def __init__(self) -> None:
        self._converter = make_document_converter()

    def unstructure(self, entity: object) -> dict[str, Any]:
        document = self._converter.unstructure(entity)
        assert isinstance(document, dict)
        return document

    def structure(self, document: Mapping[str, Any], cls: type[T]) -> T:
        """The entity; keys the entity does not have (``_id``, ``tenant``...) are ignored."""
        return self._converter.structure(document, cls)


def prefix_bound(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` (None: no bound).

    The last code point that can grow is incremented (skipping surrogates, which no stored
    text contains), so a key holding U+10FFFF after the prefix is still in the range.
    """
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF:
            following = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1
            return "".join(chars) + chr(following)
    return None


__all__ = [
    "CODEC_OPTIONS",
    "Documents",
    "attribute_document",
    "attribute_match_key",
    "make_document_converter",
    "prefix_bound",
]
