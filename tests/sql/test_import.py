"""An import larger than a batch of rows: the SQL adapter writes it a batch of clients at a
time, and every client is stored with its search keys and its event."""

from __future__ import annotations

import clientcore
from clientcore.adapters.sql.db import BATCH


def test_an_import_of_several_batches_stores_every_client(sql_url: str) -> None:
    count = 2 * BATCH + 1
    rows: list[clientcore.ClientFields] = [
        {"last_name": f"Batch{index:04d}", "emails": [f"batch{index}@example.com"]}
        for index in range(count)
    ]
    with clientcore.open(sql_url, tenant="import", actor=clientcore.Actor("test")) as core:
        stored = core.import_clients(rows)
        for index in (0, BATCH - 1, BATCH, 2 * BATCH, count - 1):
            client = stored[index]
            assert core.get_client(client.id) == client
            found = core.search_clients(f"batch{index:04d}").clients
            assert [c.id for c in found] == [client.id]
            assert [e.kind for e in core.history(client.id)] == ["client.registered"]
