"""Records to rows and back, for every record kind, by field name.

A row has a column per field of the entity, named like it. Values the column types store
as they are (ids, instants, dates, numbers, booleans, text, enum values) go in as they
are; nested values (tuples, sets, mappings, attrs values) become JSON text in their
column (the adapter's one encoder, :func:`.convert.dump`). One private cattrs converter
does both directions; ids, instants and dates read back through the adapter's one
conversion of each (:func:`.schema.stored_id`, :func:`.schema.stored_instant`,
:func:`.schema.stored_date`), whether a column's type or JSON text gave them.
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs
import cattrs

from clientcore.adapters.sql.convert import dump, load
from clientcore.adapters.sql.schema import stored_date, stored_id, stored_instant
from clientcore.entities.kinds import RecordKind

T = TypeVar("T")

SCALARS = (str, int, bool, float, UUID, datetime, date)
"""Types that a column stores as they are (enums store their value)."""


def _is_frozenset(cls: Any) -> bool:
    return getattr(cls, "__origin__", None) is frozenset


def _is_mapping(cls: Any) -> bool:
    return getattr(cls, "__origin__", None) in (Mapping, typing.Mapping, dict)


def make_row_converter() -> cattrs.Converter:
    """The converter of nested values to JSON-ready ones, and of stored values back."""
    converter = cattrs.Converter(unstruct_collection_overrides={tuple: list})
    for scalar in (UUID, datetime, date):
        converter.register_unstructure_hook(scalar, _json_ready)
    converter.register_structure_hook(UUID, lambda value, _: stored_id(value))
    converter.register_structure_hook(datetime, lambda value, _: stored_instant(value))
    converter.register_structure_hook(date, lambda value, _: stored_date(value))
    converter.register_unstructure_hook(time, lambda value: value.isoformat())
    converter.register_structure_hook(time, lambda value, _: time.fromisoformat(value))
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda value, _: Decimal(str(value)))
    converter.register_unstructure_hook_factory(_is_frozenset, _sorted_list(converter))
    converter.register_unstructure_hook_factory(_is_mapping, _plain_dict(converter))
    converter.register_structure_hook_func(_is_mapping, lambda value, _: dict(value))
    return converter


def _sorted_list(converter: cattrs.Converter) -> Any:
    """Sets as lists in a stable order, their items unstructured by their declared type."""

    def factory(cls: Any) -> Any:
        (item,) = typing.get_args(cls) or (Any,)
        return lambda items: sorted((converter.unstructure(i, item) for i in items), key=str)

    return factory


def _plain_dict(converter: cattrs.Converter) -> Any:
    """Mappings (read-only proxies too) as dicts, their values by their declared type."""

    def factory(cls: Any) -> Any:
        _key, value = typing.get_args(cls) or (Any, Any)
        return lambda mapping: {k: converter.unstructure(v, value) for k, v in mapping.items()}

    return factory


def _json_ready(value: UUID | datetime | date) -> str:
    """Ids, instants and dates nested in JSON, as text."""
    return value.hex if isinstance(value, UUID) else value.isoformat()


_SHAPES: dict[type, tuple[tuple[str, Any, bool], ...]] = {}


def _shapes(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """``(field name, resolved type, stored as JSON)`` of each field of an attrs class."""
    found = _SHAPES.get(cls)
    if found is None:
        fields = attrs.fields(attrs.resolve_types(cast(Any, cls)))
        found = tuple((field.name, field.type, not _is_scalar(field.type)) for field in fields)
        _SHAPES[cls] = found
    return found


def _is_scalar(annotation: Any) -> bool:
    options = typing.get_args(annotation) if isinstance(annotation, UnionType) else ()
    if typing.get_origin(annotation) is typing.Union:
        options = typing.get_args(annotation)
    if options:
        return all(option is NoneType or _is_scalar(option) for option in options)
    if not isinstance(annotation, type):
        return False
    return issubclass(annotation, SCALARS) or issubclass(annotation, enum.Enum)


class Rows:
    """Records of the kinds of one backend to rows and back."""

    def __init__(self) -> None:
        self._converter = make_row_converter()

    def row(self, tenant: str, record: object) -> dict[str, Any]:
        """The row of ``record``: its tenant and a column per field."""
        row: dict[str, Any] = {"tenant": tenant}
        for name, annotation, nested in _shapes(type(record)):
            value = getattr(record, name)
            if nested:
                row[name] = dump(self._converter.unstructure(value, annotation))
            else:
                row[name] = value.value if isinstance(value, enum.Enum) else value
        return row

    def record(self, kind: RecordKind[T], row: Mapping[Any, Any]) -> T:
        """The record of a row (extra columns, such as ``tenant``, are ignored)."""
        values = {}
        for name, annotation, nested in _shapes(kind.entity):
            value = row[name]
            if nested:
                value = load(value)
            values[name] = None if value is None else self._converter.structure(value, annotation)
        return kind.entity(**values)

    def value(self, kind: RecordKind[Any], name: str, value: object) -> object:
        """A field's value as its column stores it (for a WHERE clause)."""
        for field, annotation, nested in _shapes(kind.entity):
            if field == name:
                if nested:
                    return dump(self._converter.unstructure(value, annotation))
                return value.value if isinstance(value, enum.Enum) else value
        raise ValueError(f"{kind.entity.__name__} has no field {name!r}")


@functools.lru_cache(maxsize=1)
def shared_rows() -> Rows:
    """One :class:`Rows` for every backend of the process: its converter holds nothing but
    hooks made from the entities' classes, the same for every backend, so a core opened
    per request (on a host's ``Connection``) does not make them again."""
    return Rows()
