"""The generic records port: one interface through which every adapter stores every
:class:`~clientcore.entities.kinds.RecordKind`, clientcore's and the host's.

Scoped to the tenant of its unit of work like every repository: a key of another tenant
reads as :class:`~clientcore.errors.NotFound`, and writes with it change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

from clientcore.entities.kinds import RecordKind

T = TypeVar("T")


class Records(Protocol[T]):
    """The records of one kind in one unit of work."""

    @property
    def kind(self) -> RecordKind[T]: ...

    def add(self, *records: T) -> None:
        """Store new records. Raises DuplicateName (a ``unique`` field is taken; none of
        ``records`` is stored)."""
        ...

    def get(self, key: Any) -> T:
        """The record whose ``kind.key`` field is ``key``. Raises NotFound."""
        ...

    def get_many(self, keys: Sequence[Any]) -> dict[Any, T]:
        """The records of those of ``keys`` that exist, by key, read at once."""
        ...

    def find(self, **fields: Any) -> list[T]:
        """The records whose fields equal the given values (all of them if none is given),
        in ``kind.order_by`` order (the order written when it is empty). Raises
        ValidationError for a field the entity does not have."""
        ...

    def count(self, **fields: Any) -> int:
        """How many records :meth:`find` would return."""
        ...

    def replace(self, record: T) -> None:
        """Replace the stored record with the same key. A versioned kind's stored version must
        be ``record.version - 1``. Raises NotFound, ConcurrencyError, DuplicateName."""
        ...

    def delete(self, record: T) -> None:
        """Remove the record (a versioned kind's only at ``record.version``). Raises
        NotFound, ConcurrencyError."""
        ...

    def reassign(self, source: UUID, target: UUID) -> int:
        """Make every record that refers to client ``source`` refer to ``target``
        (:meth:`RecordKind.moved`: a versioned kind's version bumped); how many changed.
        Raises ValueError for a kind that refers to no client."""
        ...

    def move(self, source: UUID, target: UUID) -> list[str]:
        """:meth:`reassign`, returning the keys of the records it moved as text
        (:func:`~clientcore.entities.kinds.key_text`), in no set order: what a merge
        journals, read with the move itself where the store can (``UPDATE ... RETURNING``)."""
        ...

    def scrub(self, client_id: UUID) -> int:
        """Blank the personal fields (nested values included) of every record of the client
        (:meth:`RecordKind.scrubbed`: a versioned kind's version bumped); how many records
        changed."""
        ...
