"""The thorough purge on every SQL engine (VACUUM, VACUUM FULL, OPTIMIZE TABLE): it runs
outside any transaction, keeps every record, and leaves no erased value in the store."""

from __future__ import annotations

import secrets

import clientcore
from clientcore import Actor, Role
from clientcore.adapters.sql import SqlBackend
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
