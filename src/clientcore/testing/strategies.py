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
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar, Union
from uuid import UUID

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.client import Client
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.event import Event
from clientcore.entities.group import Group
from clientcore.entities.note import Note
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject
from clientcore.entities.visit import Visit
from clientcore.entities.working_hours import WorkingHours
from clientcore.errors import ValidationError

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
