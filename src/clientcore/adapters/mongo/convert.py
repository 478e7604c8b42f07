"""Entities <-> BSON documents: the adapter's private cattrs converter.

Built from ``cattrs.preconf.bson.make_converter`` and configured here only (never the global
converter). What BSON lacks is spelled out:

* ``UUID`` is written as BSON binary subtype 4 (the standard UUID form) by the converter
  itself, and :func:`encode` does the same for query values, so documents do not depend on
  the ``uuidRepresentation`` a host's ``MongoClient`` was created with.
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

from clientcore.entities.attribute import comparable, value_tag
from clientcore.entities.client import AttributeValue

T = TypeVar("T")

CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)
"""How the adapter's collections decode BSON: datetimes timezone-aware, in UTC."""

TextMapping = Mapping[str, str]


def stored_uuid(value: object) -> UUID:
    """A stored id: binary subtype 4 (or a UUID, when a host's client decodes it itself)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, Binary):
        return value.as_uuid(UuidRepresentation.STANDARD)
    return UUID(str(value))


def stored_instant(value: object) -> datetime:
    """A BSON datetime, a UTC instant: aware in UTC, whether the decoder made it naive or aware."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def encode(value: Any) -> Any:
    """A query value with every UUID (at any depth) in its stored form, binary subtype 4."""
    if isinstance(value, UUID):
        return Binary.from_uuid(value, UuidRepresentation.STANDARD)
    if isinstance(value, Mapping):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def _decimal128(value: Decimal) -> Decimal128:
    return Decimal128(value)


def _decimal(value: object, _: object) -> Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return Decimal(str(value))


_ATTRIBUTE_TAGS: dict[str, Callable[[Any], AttributeValue]] = {
    "text": str,
    "number": lambda v: _decimal(v, None),
    "date": date.fromisoformat,
    "flag": bool,
}


def attribute_document(value: AttributeValue) -> dict[str, Any]:
    """The tagged form of a custom attribute value."""
    if isinstance(value, Decimal):
        return {"number": Decimal128(value)}
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"date": value.isoformat()}
    return {value_tag(value): value}


def _attribute_value(value: Mapping[str, Any], _: object) -> AttributeValue:
    ((tag, raw),) = value.items()
    return _ATTRIBUTE_TAGS[tag](raw)


def attribute_match_key(key: str, value: AttributeValue) -> str:
    """One element of a client's ``attribute_keys``: the key and the comparable value."""
    return f"{key}\x1f{comparable(value)}"


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def make_document_converter() -> BsonConverter:
    """A new converter for the adapter's documents (see the module docstring)."""
    converter = make_converter(unstruct_collection_overrides={tuple: list})
    converter.register_unstructure_hook(UUID, encode)
    converter.register_structure_hook(UUID, lambda v, _: stored_uuid(v))
    converter.register_unstructure_hook(Decimal, _decimal128)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(datetime, lambda v, _: stored_instant(v))
    converter.register_unstructure_hook(time, lambda v: v.isoformat())
    converter.register_structure_hook(time, lambda v, _: time.fromisoformat(v))
    converter.register_unstructure_hook_factory(_is_enum, lambda _: lambda v: v.value)
    converter.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", None) is frozenset,
        lambda items: [converter.unstructure(item) for item in sorted(items, key=str)],
    )
    converter.register_unstructure_hook_func(
        lambda t: t == TextMapping, lambda v: [[k, x] for k, x in v.items()]
    )
    converter.register_structure_hook_func(lambda t: t == TextMapping, lambda v, _: dict(v))
    converter.register_unstructure_hook_func(lambda t: t == AttributeValue, attribute_document)
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

    def value(self, value: object, annotation: Any) -> Any:
        """A value of a field declared as ``annotation``, as the field is stored (what an
        equality query on the field compares with)."""
        return self._converter.unstructure(value, unstructure_as=annotation)

    def structure(self, document: Mapping[str, Any], cls: type[T]) -> T:
        """The entity; keys the entity does not have (``_id``, ``tenant``...) are ignored."""
        return self._converter.structure(document, cls)


__all__ = [
    "CODEC_OPTIONS",
    "Documents",
    "attribute_document",
    "attribute_match_key",
    "encode",
    "make_document_converter",
    "stored_instant",
    "stored_uuid",
]
