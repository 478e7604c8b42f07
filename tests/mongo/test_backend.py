"""What is particular to the MongoDB adapter: binding, capabilities, indexes, and the
all-or-nothing commit without transactions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import mongomock
import pytest

import clientcore
from clientcore.adapters.mongo import MongoBackend, indexes
from clientcore.adapters.mongo.indexes import CLIENTS, LOCKS, VISITS
from clientcore.entities.client import Client, ClientKind
from clientcore.entities.group import Group
from clientcore.entities.kinds import GROUPS
from clientcore.entities.visit import Visit, VisitKind
from clientcore.errors import DuplicateCode, StorageBusy, UnsupportedTarget

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _database() -> mongomock.Database[dict[str, object]]:
    return mongomock.MongoClient()[f"clientcore_{uuid.uuid4().hex[:8]}"]


def test_a_host_database_is_opened_as_is_and_declares_no_transactions() -> None:
    database = _database()
    with clientcore.open(database, tenant="t", actor=clientcore.Actor("a")) as core:
        client = core.clients.register(last_name="Nowak")
        assert not core.capabilities.transactions
    assert clientcore.open(database, tenant="t").clients.get(client.id) == client


def test_transactions_cannot_be_demanded_from_a_server_without_them() -> None:
    with pytest.raises(UnsupportedTarget, match="replica set"):
        MongoBackend.on_database(_database(), transactions=True)


@pytest.mark.parametrize("url", ["mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017/"])
def test_a_url_must_name_the_database(url: str) -> None:
    with pytest.raises(UnsupportedTarget, match="name the database"):
        clientcore.open(url, tenant="t")


def test_indexes_are_created_once_and_again_without_harm() -> None:
    database = _database()
    MongoBackend.on_database(database)
    MongoBackend.on_database(database)
    unique = {
        tuple(key for key, _ in index["key"])
        for index in database[CLIENTS].index_information().values()
        if index.get("unique")
    }
    assert ("tenant", "code") in unique
    assert ("tenant", "id") in unique


def test_without_transactions_a_failed_commit_undoes_the_writes_it_applied() -> None:
    database = _database()
    backend = MongoBackend.on_database(database)
    group = Group(uuid.uuid4(), "regulars", NOW)
    client = Client(uuid.uuid4(), "C-1", ClientKind.PERSON, NOW, NOW, last_name="Nowak")
    rival = Client(uuid.uuid4(), "C-1", ClientKind.PERSON, NOW, NOW, last_name="Rival")
    with backend.unit_of_work("t") as uow:
        uow.records(GROUPS).add(group)
        uow.clients.add_many([client])  # its code is free when checked...
        with backend.unit_of_work("t") as other:
            other.clients.add_many([rival])  # ...and taken before the first unit commits
            other.commit()
        with pytest.raises(DuplicateCode):
            uow.commit()
    assert database[indexes.GROUPS].count_documents({}) == 0
    with backend.unit_of_work("t") as uow:
        assert uow.clients.get_by_code("C-1") == rival
        assert uow.records(GROUPS).find() == []


def test_a_booking_whose_calendar_lock_ran_out_and_was_taken_writes_nothing() -> None:
    database = _database()
    backend = MongoBackend.on_database(database)
    staff_id = uuid.uuid4()
    visit = Visit(
        id=uuid.uuid4(),
        staff_id=staff_id,
        kind=VisitKind.BREAK,
        start=NOW,
        end=NOW + timedelta(minutes=30),
        created_at=NOW,
        updated_at=NOW,
    )
    with backend.unit_of_work("t") as uow:
        uow.visits.add(visit)  # holds the staff member's calendar lock until the unit ends
        database[LOCKS].update_many({}, {"$set": {"holder": "another unit"}})  # lease lost
        with pytest.raises(StorageBusy, match="ran out"):
            uow.commit()
    assert database[VISITS].count_documents({}) == 0
