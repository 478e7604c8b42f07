"""``clientcore.testing.strategies.registrations``: every input it draws is one that
``core.clients.register`` accepts with no set-up, stored as given (phones in E.164), on the
in-memory adapter and on SQLite; with ``codes=True`` the code is kept too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import clientcore
from clientcore import Client, ClientFields
from clientcore.testing.clock import new_tenant
from clientcore.testing.strategies import registrations

ACTOR = clientcore.Actor("tester")
FIELDS_STORED_AS_GIVEN = (
    "first_name",
    "last_name",
    "company_name",
    "description",
    "remarks",
    "source",
    "name_day",
    "birthday",
)


def check_stored(core: clientcore.Core, fields: ClientFields) -> Client:
    client = core.clients.register(**fields)
    assert core.clients.get(client.id) == client
    given_: dict[str, Any] = dict(fields)
    assert client.kind == given_["kind"]
    for name in FIELDS_STORED_AS_GIVEN:
        if name in given_:
            assert getattr(client, name) == given_[name], name
    digits = ["+" + "".join(ch for ch in raw if ch.isdigit()) for raw in given_.get("phones", [])]
    assert [phone.number for phone in client.phones] == digits
    assert [email.address for email in client.emails] == given_.get("emails", [])
    assert set(client.addresses) == set(given_.get("addresses", []))
    assert client.identity_documents == tuple(given_.get("identity_documents", []))
    return client


@settings(max_examples=60, deadline=None)
@given(fields=registrations())
def test_every_drawn_registration_is_accepted_and_stored_as_given(fields: ClientFields) -> None:
    core = clientcore.open("memory://", tenant=new_tenant(), actor=ACTOR)
    check_stored(core, fields)


@pytest.fixture(scope="module")
def sqlite_core(tmp_path_factory: pytest.TempPathFactory) -> clientcore.Core:
    path: Path = tmp_path_factory.mktemp("strategy") / "clients.db"
    return clientcore.open(f"sqlite:///{path}", tenant=new_tenant(), actor=ACTOR)


@settings(max_examples=30, deadline=None)
@given(fields=registrations(codes=True))
def test_drawn_registrations_with_codes_are_stored_on_sqlite(
    sqlite_core: clientcore.Core, fields: ClientFields
) -> None:
    if "code" in fields:
        try:
            sqlite_core.clients.by_code(fields["code"])
        except clientcore.errors.NotFound:
            pass
        else:
            return  # drawn before: codes are the test's to keep unique
    client = check_stored(sqlite_core, fields)
    if "code" in fields:
        assert client.code == fields["code"]
