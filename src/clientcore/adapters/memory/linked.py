"""One generic in-memory implementation of every client-linked record kind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.common import scrubbed
from clientcore.errors import NotFound
from clientcore.ports.linked import Linked

T = TypeVar("T", bound=Linked)


class MemoryLinkedRecords(Generic[T]):
    """Rows of one kind that refer to clients, ordered by ``order`` (a sort key of a row).

    ``order`` receives the row and its insertion number, so kinds kept "in the order
    written" (events, consents) and kinds ordered by creation time use the same class.
    """

    def __init__(
        self,
        kind: str,
        *,
        blocks_deletion: bool,
        order: Callable[[T, int], Any],
        tenant: str,
        table: Table[UUID, tuple[int, T]],
        journal: Journal,
        sequence: Callable[[], int],
    ) -> None:
        self._kind = kind
        self._blocks_deletion = blocks_deletion
        self._order = order
        self._tenant = tenant
        self._table = table
        self._journal = journal
        self._sequence = sequence

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def blocks_deletion(self) -> bool:
        return self._blocks_deletion

    def _insert(self, record: T) -> None:
        self._table.put(self._tenant, record.id, (self._sequence(), record), self._journal)

    def _replace(self, record: T) -> None:
        stored = self._table.get(self._tenant, record.id)
        if stored is None:
            raise NotFound(self._kind.rstrip("s"), record.id)
        self._table.put(self._tenant, record.id, (stored[0], record), self._journal)

    def _remove(self, record_id: UUID) -> None:
        self._get(record_id)
        self._table.put(self._tenant, record_id, None, self._journal)

    def _get(self, record_id: UUID) -> T:
        stored = self._table.get(self._tenant, record_id)
        if stored is None:
            raise NotFound(self._kind.rstrip("s"), record_id)
        return stored[1]

    def _select(self, keep: Callable[[T], bool]) -> list[T]:
        rows = [(seq, row) for seq, row in self._table.rows(self._tenant) if keep(row)]
        rows.sort(key=lambda item: self._order(item[1], item[0]))
        return [row for _, row in rows]

    def for_client(self, client_id: UUID) -> Sequence[T]:
        return self._select(lambda row: row.client_id == client_id)

    def count_for_client(self, client_id: UUID) -> int:
        return len(self.for_client(client_id))

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        moved = self.for_client(source_id)
        for row in moved:
            self._replace(attrs.evolve(row, client_id=target_id))  # type: ignore[misc]
        return len(moved)

    def scrub_client(self, client_id: UUID) -> int:
        changed = 0
        for row in self.for_client(client_id):
            clean = scrubbed(row)
            if clean != row:
                self._replace(clean)
                changed += 1
        return changed
