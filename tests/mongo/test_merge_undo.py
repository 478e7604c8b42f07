"""A merge on MongoDB without transactions: its writes are kept until the commit and then
applied; a write that fails then (here, a merge link a concurrent writer made meanwhile)
has the writes applied before it undone, newest first. What the declared undo restores:
the clients (the base's values, the merged client's status and version), every moved
record (its client, and a versioned kind's version), and no journal entry, link or event
of the merge is left."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import mongomock
import pytest
from bson.binary import Binary

import clientcore
from clientcore import Actor, Event, EventKind, Role, Transaction
from clientcore.adapters.mongo import MongoBackend, indexes
from clientcore.errors import Conflict
from clientcore.testing.kinds import HOST_KINDS, INVOICES, STAMPS, Invoice, Stamp

OWNER = Actor("owner-1", roles={Role.OWNER})
WHEN = datetime(2026, 1, 5, 12, tzinfo=UTC)


def test_a_merge_failing_at_the_commit_is_undone_without_transactions() -> None:
    backend = MongoBackend.on_database(mongomock.MongoClient()["undo"], kinds=HOST_KINDS)
    assert not backend.capabilities.transactions
    core = clientcore.open(backend, tenant="t", actor=OWNER)
    base = core.clients.register(last_name="Nowak")
    other = core.clients.register(last_name="Nowak", birthday=date(1990, 1, 1))
    note = core.notes.add(other.id, "a note")
    pet = core.subjects.add(other.id, kind="dog", name="Burek")
    invoice = core.records(INVOICES).add(Invoice(uuid4(), other.id, "FV/1", WHEN, Decimal("1.00")))
    stamp = core.records(STAMPS).add(Stamp(uuid4(), other.id, WHEN))
    histories = {c: core.clients.history(c) for c in (base.id, other.id)}
    links = backend.collection(indexes.MERGE_LINKS)

    def concurrent_link(event: Event, tx: Transaction) -> None:
        """Another writer links the merged client meanwhile (applied at once)."""
        links.insert_one({"tenant": "t", "merged_id": Binary.from_uuid(other.id)})

    core.events.on(EventKind.CLIENT_MERGED, concurrent_link)
    with pytest.raises(Conflict):
        core.merges.merge(base.id, [other.id])
    links.delete_many({"tenant": "t"})

    assert core.clients.get(base.id) == base
    assert core.clients.get(other.id) == other
    assert [n.id for n in core.notes.for_client(other.id)] == [note.id]
    assert [s.id for s in core.subjects.for_client(other.id)] == [pet.id]
    assert core.records(INVOICES).get(invoice.id) == invoice
    assert core.records(STAMPS).get(stamp.id) == stamp
    assert core.merges.journal(base.id) == []
    assert {c: core.clients.history(c) for c in (base.id, other.id)} == histories
