"""The in-memory records port: one generic implementation for every record kind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.kinds import RecordKind, key_text
from clientcore.errors import ConcurrencyError

T = TypeVar("T")

Stored = tuple[int, Any]
"""A stored record with the number of its insertion (the order written)."""


def _sortable(value: object) -> object:
    """Ids sort as their text, as every store orders them."""
    return str(value) if isinstance(value, UUID) else value


class MemoryRecords(Generic[T]):
    """The records of one kind in one tenant: a journaled :class:`Table` of them by key."""

    def __init__(
        self,
        kind: RecordKind[T],
        *,
        tenant: str,
        table: Table[Any, Stored],
        journal: Journal,
        sequence: Callable[[], int],
    ) -> None:
        self._kind = kind
        self._tenant = tenant
        self._table = table
        self._journal = journal
        self._sequence = sequence
        self._order_key = self._order(kind.order_by)

    @staticmethod
    def _order(fields: tuple[str, ...]) -> Callable[[Stored], Any]:
        if not fields:
            return lambda stored: stored[0]
        return lambda stored: tuple(_sortable(getattr(stored[1], name)) for name in fields)

    @property
    def kind(self) -> RecordKind[T]:
        return self._kind

    def _stored(self, key: Any) -> Stored:
        stored = self._table.get(self._tenant, key)
        if stored is None:
            raise self._kind.not_found(key)
        return stored

    def _refuse_duplicates(self, record: T) -> None:
        """A ``unique`` field's value taken by another record refuses ``record``."""
        key = self._kind.key_of(record)
        for name in self._kind.unique:
            value = getattr(record, name)
            for _, other in self._table.rows(self._tenant):
                if getattr(other, name) == value and self._kind.key_of(other) != key:
                    raise self._kind.duplicate(record)

    def add(self, *records: T) -> None:
        for record in records:
            key = self._kind.key_of(record)
            if self._table.get(self._tenant, key) is not None:
                raise self._kind.duplicate(record)
            self._refuse_duplicates(record)
            self._table.put(self._tenant, key, (self._sequence(), record), self._journal)

    def get(self, key: Any) -> T:
        record: T = self._stored(key)[1]
        return record

    def get_many(self, keys: Sequence[Any]) -> dict[Any, T]:
        found = {key: self._table.get(self._tenant, key) for key in keys}
        return {key: stored[1] for key, stored in found.items() if stored is not None}

    def _select(self, keep: Callable[[T], bool]) -> list[T]:
        rows = [stored for stored in self._table.rows(self._tenant) if keep(stored[1])]
        rows.sort(key=self._order_key)
        return [stored[1] for stored in rows]

    def find(self, **fields: Any) -> list[T]:
        self._kind.check_fields(fields)
        wanted = list(fields.items())
        return self._select(lambda row: all(getattr(row, k) == v for k, v in wanted))

    def count(self, **fields: Any) -> int:
        return len(self.find(**fields))

    def _check_version(self, stored: T, version: int) -> None:
        if self._kind.versioned and getattr(stored, "version") != version:  # noqa: B009
            raise ConcurrencyError(self._kind.singular, self._kind.key_of(stored), version)

    def replace(self, record: T) -> None:
        key = self._kind.key_of(record)
        seq, stored = self._stored(key)
        if self._kind.versioned:
            self._check_version(stored, getattr(record, "version") - 1)  # noqa: B009
        self._refuse_duplicates(record)
        self._table.put(self._tenant, key, (seq, record), self._journal)

    def delete(self, record: T) -> None:
        key = self._kind.key_of(record)
        stored = self._stored(key)[1]
        if self._kind.versioned:
            self._check_version(stored, getattr(record, "version"))  # noqa: B009
        self._table.put(self._tenant, key, None, self._journal)

    def _rewrite(self, records: Sequence[T], change: Callable[[T], T]) -> int:
        changed = 0
        for record in records:
            new = change(record)
            if new != record:
                key = self._kind.key_of(record)
                self._table.put(self._tenant, key, (self._stored(key)[0], new), self._journal)
                changed += 1
        return changed

    def reassign(self, source: UUID, target: UUID) -> int:
        moved = self.find(**self._kind.of_client(source))
        return self._rewrite(moved, lambda record: self._kind.moved(record, target))

    def move(self, source: UUID, target: UUID) -> list[str]:
        keys = [key_text(self._kind.key_of(r)) for r in self.find(**self._kind.of_client(source))]
        self.reassign(source, target)
        return keys

    def scrub(self, client_id: UUID) -> int:
        return self._rewrite(self.find(**self._kind.of_client(client_id)), self._kind.scrubbed)
