"""In-memory bulk changes: the change of :func:`~clientcore.entities.bulk.new_value` written
to each client of the table (memory has no round trips to save)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.bulk import (
    CHANGED_FIELD,
    UNCHANGED,
    BulkChange,
    ClientState,
    new_value,
)
from clientcore.entities.client import Client
from clientcore.errors import NotFound
from clientcore.ports.bulk import WritesNoEvents


def state_of(client: Client) -> ClientState:
    """What a bulk change reads of ``client``."""
    return ClientState(
        id=client.id,
        version=client.version,
        status=client.status,
        caretaker_id=client.caretaker_id,
        group_ids=client.group_ids,
        attributes=client.attributes,
    )


class MemoryBulkClients(WritesNoEvents):
    def __init__(self, tenant: str, table: Table[UUID, Client], journal: Journal) -> None:
        self._tenant = tenant
        self._table = table
        self._journal = journal

    def states(self, client_ids: Sequence[UUID], field: str | None = None) -> list[ClientState]:
        found = (
            self._table.get(self._tenant, client_id) for client_id in dict.fromkeys(client_ids)
        )
        return [state_of(client) for client in found if client is not None]

    def with_caretaker(self, caretaker_id: UUID) -> list[UUID]:
        return [
            client.id
            for client in self._table.rows(self._tenant)
            if client.caretaker_id == caretaker_id
        ]

    def apply(self, change: BulkChange, client_ids: Sequence[UUID], at: datetime) -> int:
        field = CHANGED_FIELD[type(change)]
        for client_id in client_ids:
            client = self._table.get(self._tenant, client_id)
            if client is None:
                raise NotFound("client", client_id)
            value = new_value(change, state_of(client))
            if value is UNCHANGED:
                value = getattr(client, field)
            changes: dict[str, Any] = {field: value, "updated_at": at}
            changed = attrs.evolve(client, version=client.version + 1, **changes)
            self._table.put(self._tenant, client_id, changed, self._journal)
        return len(client_ids)
