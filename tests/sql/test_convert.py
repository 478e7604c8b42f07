"""The SQL rows' JSON columns are what ``json.dumps`` writes (the adapter's stored format:
compact, not ASCII-escaped)."""

from __future__ import annotations

import functools
import json

from hypothesis import given

from clientcore.adapters.sql import convert
from clientcore.entities.client import Client
from clientcore.entities.event import Event
from clientcore.testing.strategies import entities

dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@given(entities(Client))
def test_phones_and_emails(client: Client) -> None:
    row = convert.client_row("t", client)
    assert row["phones"] == dumps([[p.number, p.label, p.primary] for p in client.phones])
    assert row["emails"] == dumps([[e.address, e.label, e.primary] for e in client.emails])


@given(entities(Event))
def test_history_changes_and_roles(event: Event) -> None:
    row = convert.event_row("t", event)
    assert row["changes"] == dumps([[c.field, c.old, c.new] for c in event.changes])
    assert row["actor_roles"] == dumps(sorted(role.value for role in event.actor_roles))
