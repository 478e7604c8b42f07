"""The thorough purge on every SQL engine (VACUUM, VACUUM FULL, OPTIMIZE TABLE): it runs
outside any transaction, keeps every record, and leaves no erased value in the store."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

import clientcore
from clientcore import Actor, Role
from clientcore.adapters.sql import SqlBackend, purge
from clientcore.errors import PurgeIncomplete
from clientcore.testing.clock import new_tenant
from tests.store_contents import sql_contents

OWNER = Actor("owner-1", roles={Role.OWNER})


def test_a_thorough_purge_keeps_the_records_and_no_erased_value(sql_backend: SqlBackend) -> None:
    core = clientcore.open(sql_backend, tenant=new_tenant(), actor=OWNER)
    canary = f"cnpurge{secrets.token_hex(5)}"
    client = core.clients.register(last_name=canary)
    core.clients.update(client.id, remarks=canary)
    assert canary.encode() in sql_contents(sql_backend)
    request = core.privacy.request_anonymisation(client.id)
    core.privacy.anonymise(client.id, request.code)
    core.privacy.purge()
    assert canary.encode() not in sql_contents(sql_backend)
    kept = core.clients.get(client.id)
    assert (kept.code, kept.last_name) == (client.code, "")
    assert len(core.privacy.receipts(client.id)) == 1


def test_a_reader_of_an_older_snapshot_holds_the_anonymised_values_until_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge, "PURGE_WAIT_S", 0.2)
    path = tmp_path / "reader.db"
    backend = SqlBackend.from_url(f"sqlite:///{path}", migrate=True)
    core = clientcore.open(backend, tenant=new_tenant(), actor=OWNER)
    canary = f"cnreader{secrets.token_hex(5)}"
    client = core.clients.register(last_name=canary)
    clients = backend.tables.clients.name
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    read = f"SELECT last_name FROM {clients} WHERE last_name = ?"
    assert reader.execute(read, (canary,)).fetchall() == [(canary,)]
    request = core.privacy.request_anonymisation(client.id)
    with pytest.raises(PurgeIncomplete, match="older snapshot") as raised:
        core.privacy.anonymise(client.id, request.code)
    assert raised.value.receipt == core.privacy.receipts(client.id)[0]
    assert core.clients.get(client.id).last_name == ""
    assert reader.execute(read, (canary,)).fetchall() == [(canary,)]
    assert canary.encode() in sql_contents(backend)
    reader.execute("COMMIT")
    reader.close()
    core.privacy.purge()
    assert canary.encode() not in sql_contents(backend)
    backend.close()
