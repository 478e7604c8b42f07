"""Every field of any client survives a write and each read of its ``clients`` row, on SQLite,
PostgreSQL and MariaDB.

The reads take the driver's values without the columns' SQLAlchemy types and convert them
in ``convert.client_from_row`` (ids from hex digits or native UUIDs; instants from SQLite's
text, MariaDB's naive or PostgreSQL's aware datetimes; dates from SQLite's text), so each
engine's values meet the conversion here: by id, by code, a search without terms (the sort
order) and a search by one of the client's keys (the key index).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import make_url

from clientcore.adapters.sql import SqlBackend
from clientcore.entities.attribute import AttributeDefinition, AttributeType
from clientcore.entities.client import Client
from clientcore.entities.group import Group
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS, STAFF
from clientcore.entities.search import ClientQuery, StatusFilter, client_search_keys
from clientcore.entities.staff import StaffMember
from clientcore.testing.clock import new_tenant
from clientcore.testing.strategies import entities


def _dialable(client: Client) -> Client:
    """The client with numbers in E.164, as validation leaves them (its search keys are read
    from them); every other field as drawn."""
    phones = tuple(
        attrs.evolve(phone, number=f"+4860{index:07d}") for index, phone in enumerate(client.phones)
    )
    return attrs.evolve(client, phones=phones)


CLIENTS = st.builds(_dialable, entities(Client))


def store(backend: SqlBackend, tenant: str, client: Client) -> None:
    """The client's row and index rows, with the rows they refer to (caretaker, groups,
    attribute definitions)."""
    with backend.unit_of_work(tenant) as uow:
        at = client.created_at
        if client.caretaker_id is not None:
            uow.records(STAFF).add(StaffMember(client.caretaker_id, "caretaker", at))
        for group_id in client.group_ids:
            uow.records(GROUPS).add(Group(group_id, str(group_id), at))
        for key in client.attributes:
            definition = AttributeDefinition(client.id, key, key, AttributeType.TEXT, at)
            uow.records(ATTRIBUTE_DEFINITIONS).add(definition)
        uow.clients.add_many([client])
        uow.commit()


def reads(backend: SqlBackend, tenant: str, client: Client) -> list[Client]:
    """The client as each read finds it."""
    key = max(client_search_keys(client))
    with backend.unit_of_work(tenant, read_only=True) as uow:
        return [
            uow.clients.get(client.id),
            uow.clients.get_by_code(client.code),
            *uow.clients.search(ClientQuery(status=StatusFilter.ALL, limit=2)),
            *uow.clients.search(ClientQuery(terms=(key,), status=StatusFilter.ALL, limit=2)),
        ]


@pytest.fixture
def backend(sql_url: str) -> Iterator[SqlBackend]:
    """A backend on the migrated database; PostgreSQL sessions in a zone other than UTC,
    whose datetimes come back aware in that zone."""
    options: dict[str, Any] = {}
    if make_url(sql_url).get_backend_name() == "postgresql":
        options["connect_args"] = {"options": "-c TimeZone=Asia/Kathmandu"}
    backend = SqlBackend.from_url(sql_url, migrate=False, **options)
    yield backend
    backend.close()


def test_every_field_of_a_client_reads_back_equal(backend: SqlBackend) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(CLIENTS)
    def round_trip(client: Client) -> None:
        tenant = new_tenant()
        store(backend, tenant, client)
        found = reads(backend, tenant, client)
        assert found == [client] * 4
        for read in found:  # equal instants are not enough: each is in UTC, as written
            assert read.created_at.tzinfo is UTC
            assert read.updated_at.tzinfo is UTC

    round_trip()
