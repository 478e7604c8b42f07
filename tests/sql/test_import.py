"""An import larger than a batch of rows: the SQL adapter writes it a batch of clients at a
time, and every client is stored with its search keys and its event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import clientcore
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.db import BATCH
from clientcore.entities.event import Event
from clientcore.testing.clock import new_tenant


def test_an_import_of_several_batches_stores_every_client(sql_url: str) -> None:
    count = 2 * BATCH + 1
    rows: list[clientcore.ClientFields] = [
        {"last_name": f"Batch{index:04d}", "emails": [f"batch{index}@example.com"]}
        for index in range(count)
    ]
    with clientcore.open(sql_url, tenant="import", actor=clientcore.Actor("test")) as core:
        stored = core.clients.import_many(rows)
        for index in (0, BATCH - 1, BATCH, 2 * BATCH, count - 1):
            client = stored[index]
            assert core.clients.get(client.id) == client
            found = core.clients.search(f"batch{index:04d}").clients
            assert [c.id for c in found] == [client.id]
            assert [e.kind for e in core.clients.history(client.id)] == ["client.registered"]


def test_rows_that_share_a_value_object_are_each_written_with_their_own(
    sql_backend: SqlBackend,
) -> None:
    """An executemany processes a run of one value object once (a client's id on its search
    keys, an import's time on its clients): every row still reads back as it was given."""
    first, second = uuid.uuid4(), uuid.uuid4()
    early = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    late = early + timedelta(seconds=1)
    same_as_early = early + timedelta(0)
    pattern = [
        (first, early),
        (first, early),
        (second, early),
        (first, late),
        (second, late),
        (second, late),
        (first, same_as_early),
        (first, early),
    ]
    events = [
        Event(
            id=uuid.uuid4(),
            kind="test.shared",
            entity_id=client_id,
            client_id=client_id,
            actor_id="test",
            at=at,
        )
        for client_id, at in pattern
    ]
    tenant = new_tenant("shared")
    with sql_backend.unit_of_work(tenant) as uow:
        uow.events.append(events)
        uow.commit()
    with sql_backend.unit_of_work(tenant, read_only=True) as uow:
        for client_id in (first, second):
            expected = [event for event in events if event.client_id == client_id]
            assert list(uow.events.for_client(client_id)) == expected
