"""A host's own client-linked records join clientcore's through the same interface."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import pytest

import clientcore
from clientcore.errors import ClientInUse
from clientcore.ports import ClientLinkedRecords, UnitOfWork


class Invoices:
    """A host table of invoices per client (here a dict), exposed as linked records."""

    kind = "invoices"
    blocks_deletion = True

    def __init__(self, rows: dict[UUID, list[str]]) -> None:
        self.rows = rows

    def count_for_client(self, client_id: UUID) -> int:
        return len(self.rows.get(client_id, []))

    def for_client(self, client_id: UUID) -> Sequence[object]:
        return list(self.rows.get(client_id, []))

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        moved = self.rows.pop(source_id, [])
        self.rows.setdefault(target_id, []).extend(moved)
        return len(moved)

    def scrub_client(self, client_id: UUID) -> int:
        return 0


def test_a_host_kind_blocks_deleting_a_client_it_refers_to() -> None:
    invoices: dict[UUID, list[str]] = {}
    seen: list[UnitOfWork] = []

    def participant(uow: UnitOfWork) -> ClientLinkedRecords:
        seen.append(uow)
        return Invoices(invoices)

    core = clientcore.open(
        "memory://", tenant="t", actor=clientcore.Actor("a"), participants=[participant]
    )
    client = core.clients.register(last_name="Nowak")
    invoices[client.id] = ["FV/2026/1"]
    reception = core.acting_as(clientcore.Actor("rita"))
    with pytest.raises(ClientInUse) as info:
        reception.clients.delete(client.id)
    assert info.value.referenced_by == ("invoices",)
    assert seen[-1].tenant == "t"
    invoices.clear()
    reception.clients.delete(client.id)
