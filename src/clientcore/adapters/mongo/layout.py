"""How one record kind is kept on MongoDB: its collection, the fields the adapter adds to
its documents, the order they are read in, and its indexes. Derived from the
:class:`~clientcore.entities.kinds.RecordKind` alone, so a host's kind needs nothing more.

Besides the entity's own fields (see :mod:`.convert`) a document holds ``tenant``, the
writing unit's token ``_w`` and:

* a text copy of every id field the kind is ordered on (``sid`` for ``id``,
  ``sid_<field>`` for another): ids are ordered as their text, as on every store;
* ``seq``, for a kind kept in the order written (an empty ``order_by``): a per-tenant
  number taken from the counters when the record is added;
* for a kind whose ``order_by`` leaves ties (neither its key nor a unique field in it),
  ties are read in ``_id`` order, which follows the order written within a process.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

import attrs
from pymongo import ASCENDING, IndexModel

from clientcore.adapters.mongo.store import Sort
from clientcore.entities.kinds import RecordKind
from clientcore.errors import ValidationError

T = TypeVar("T")

RESERVED = frozenset({"_id", "_w", "tenant", "seq", "sid"})
"""Fields the adapter keeps in documents of its own; no entity may have one of them."""


def _holds_id(annotation: object) -> bool:
    """A field declared ``UUID`` or ``UUID | None``."""
    return annotation is UUID or UUID in getattr(annotation, "__args__", ())


def text_copy(field: str) -> str:
    """The field that holds the text of the id field ``field``."""
    return "sid" if field == "id" else f"sid_{field}"


def sortable(value: object) -> tuple[Any, ...]:
    """An entity's field value in the order MongoDB sorts its stored form: missing values
    first, ids as their text, enums by their value."""
    if value is None:
        return (0,)
    if isinstance(value, UUID):
        return (1, str(value))
    if isinstance(value, enum.Enum):
        return (1, value.value)
    return (1, value)


def index(*fields: str, unique: bool = False) -> IndexModel:
    return IndexModel([(field, ASCENDING) for field in fields], unique=unique)


class Layout(Generic[T]):
    """The kind's collection name, added fields, order and indexes (see the module)."""

    def __init__(
        self, kind: RecordKind[T], collection: str, extra_indexes: Sequence[IndexModel] = ()
    ) -> None:
        self.kind = kind
        self.collection = collection
        try:
            entity = attrs.resolve_types(cast(Any, kind.entity))
        except NameError as error:
            raise ValidationError(
                "kinds",
                f"the field types of {kind.entity.__name__} ({kind.name}) cannot be resolved "
                f"({error}): define the class in a module, or call attrs.resolve_types on it",
            ) from error
        self.types: Mapping[str, Any] = {f.name: f.type for f in attrs.fields(entity)}
        self.text_copies: Mapping[str, str] = {
            name: text_copy(name) for name in kind.order_by if _holds_id(self.types[name])
        }
        self.as_written = not kind.order_by
        total = any(name in kind.order_by for name in (kind.key, *kind.unique))
        self.tiebreak: str | None = "seq" if self.as_written else None if total else "_id"
        """The stored field that orders records equal in ``order_by`` (None: none are)."""
        order = [(self.text_copies.get(name, name), ASCENDING) for name in kind.order_by]
        if self.tiebreak is not None:
            order.append((self.tiebreak, ASCENDING))
        self.sort: Sort = tuple(order)
        self._extra_indexes = tuple(extra_indexes)
        taken = (RESERVED | set(self.text_copies.values())) & set(self.types)
        if taken:
            raise ValidationError(
                "kinds",
                f"{kind.entity.__name__} ({kind.name}) has fields the MongoDB adapter keeps "
                f"in its documents itself: {', '.join(sorted(taken))}; rename them",
            )

    def order(self, record: T, tiebreak: Any) -> tuple[Any, ...]:
        """Where ``record`` (with its stored ``tiebreak`` value) comes in :attr:`sort`."""
        if self.as_written:
            return (tiebreak,)
        place = tuple(sortable(getattr(record, name)) for name in self.kind.order_by)
        return place if self.tiebreak is None else (*place, tiebreak)

    def indexes(self) -> list[IndexModel]:
        """(tenant, key) unique; (tenant, client field, order...) for a kind that refers to
        clients, (tenant, order...) for another; (tenant, field) unique for each unique
        field; then the extra ones. One index per key pattern, unique where any is."""
        kind = self.kind
        ordered = [name for name, _ in self.sort]
        models = [index("tenant", kind.key, unique=True)]
        if kind.client_field is not None:
            models.append(index("tenant", kind.client_field, *ordered))
        elif ordered:
            models.append(index("tenant", *ordered))
        models += [index("tenant", name, unique=True) for name in kind.unique]
        models += self._extra_indexes
        by_keys: dict[tuple[str, ...], IndexModel] = {}
        for model in models:
            keys = tuple(name for name, _ in model.document["key"].items())
            if keys not in by_keys or model.document.get("unique"):
                by_keys[keys] = model
        return list(by_keys.values())
