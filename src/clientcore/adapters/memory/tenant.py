"""In-memory tenant settings, counters and the history (append-only)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.event import Event, scrub_changes
from clientcore.entities.settings import TenantSettings


class MemorySettingsRepository:
    def __init__(self, tenant: str, table: Table[str, TenantSettings], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def get(self) -> TenantSettings:
        return self._table.get(self._tenant, "settings") or TenantSettings()

    def put(self, settings: TenantSettings) -> None:
        self._table.put(self._tenant, "settings", settings, self._journal)


class MemoryCounters:
    def __init__(self, tenant: str, table: Table[str, int], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def next(self, name: str, count: int = 1) -> int:
        if count < 1:
            raise ValueError("count must be at least 1")
        first = (self._table.get(self._tenant, name) or 0) + 1
        self._table.put(self._tenant, name, first + count - 1, self._journal)
        return first


class MemoryEventLog:
    """Events in the order appended; only :meth:`scrub` ever changes one."""

    def __init__(
        self,
        tenant: str,
        table: Table[UUID, tuple[int, Event]],
        journal: Journal,
        sequence: Callable[[], int],
    ) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal
        self._sequence = sequence

    def append(self, events: Sequence[Event]) -> None:
        for event in events:
            self._table.put(self._tenant, event.id, (self._sequence(), event), self._journal)

    def _of(self, client_id: UUID) -> list[tuple[int, Event]]:
        rows = [row for row in self._table.rows(self._tenant) if row[1].client_id == client_id]
        return sorted(rows, key=lambda row: row[0])

    def for_client(self, client_id: UUID) -> Sequence[Event]:
        return [event for _, event in self._of(client_id)]

    def scrub(self, client_id: UUID, fields: frozenset[str]) -> int:
        changed = 0
        for seq, event in self._of(client_id):
            clean = scrub_changes(event, fields)
            if clean != event:
                self._table.put(self._tenant, event.id, (seq, clean), self._journal)
                changed += 1
        return changed
