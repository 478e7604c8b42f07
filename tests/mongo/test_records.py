"""The generic records on MongoDB beyond the contracts: each kind's collection and indexes,
units that read their own writes without transactions, all-or-nothing commits of generic
kinds, the append-only history and the counters' guarantee."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import mongomock
import pytest

import clientcore
from clientcore.adapters.mongo import MongoBackend, indexes
from clientcore.adapters.mongo.store import reserve
from clientcore.entities.client import Client, ClientKind
from clientcore.entities.event import Event, FieldChange
from clientcore.entities.kinds import NOTES, VISITS, RecordKind
from clientcore.entities.note import Note, NoteKind
from clientcore.entities.search import ClientQuery
from clientcore.entities.settings import TenantSettings
from clientcore.entities.visit import Visit, VisitKind
from clientcore.errors import (
    ConcurrencyError,
    DuplicateName,
    NotFound,
    StorageBusy,
    ValidationError,
)
from clientcore.testing.kinds import HOST_KINDS, INVOICES, STAMPS, Invoice, InvoiceLine, Stamp

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@attrs.frozen
class Mark:
    """A host's record whose order leaves ties: marks of one day read in the order written."""

    id: UUID
    day: str
    label: str = ""


MARKS: RecordKind[Mark] = RecordKind("marks", Mark, order_by=("day",))


@attrs.frozen
class Seq:
    id: UUID
    seq: int


def _database() -> Any:
    return mongomock.MongoClient()[f"clientcore_{uuid.uuid4().hex[:8]}"]


def _backend(database: Any = None) -> MongoBackend:
    return MongoBackend.on_database(
        _database() if database is None else database, kinds=[*HOST_KINDS, MARKS]
    )


def _invoice(number: str, client_id: UUID, minutes: int = 0, **fields: Any) -> Invoice:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "client_id": client_id,
        "number": number,
        "issued_at": NOW + timedelta(minutes=minutes),
        "total": Decimal("12.50"),
        "buyer": "Jan Kowalski",
        "lines": (InvoiceLine("Szczepienie", Decimal("12.50")),),
    }
    values.update(fields)
    return Invoice(**values)


def _client(code: str = "C-1") -> Client:
    return Client(uuid.uuid4(), code, ClientKind.PERSON, NOW, NOW, last_name="Nowak")


def _index_keys(database: Any, collection: str) -> dict[tuple[str, ...], bool]:
    return {
        tuple(key for key, _ in index["key"]): bool(index.get("unique"))
        for index in database[collection].index_information().values()
    }


def test_a_hosts_kinds_have_collections_and_indexes_of_their_own() -> None:
    database = _database()
    backend = _backend(database)
    _backend(database)  # opening again changes nothing
    assert [kind.name for kind in backend.kinds][-3:] == ["invoices", "stamps", "marks"]
    invoices = _index_keys(database, "clientcore_invoices")
    assert invoices[("tenant", "id")] is True
    assert invoices[("tenant", "number")] is True
    assert invoices[("tenant", "client_id", "issued_at", "sid")] is False
    assert _index_keys(database, "clientcore_stamps")[("tenant", "client_id", "seq")] is False
    assert _index_keys(database, "clientcore_marks")[("tenant", "day", "_id")] is False
    attributes = _index_keys(database, indexes.ATTRIBUTES)
    assert attributes == {("_id",): False, ("tenant", "key"): True}


@pytest.mark.parametrize("name", ["clients", "events", "locks", "counters", "attributes"])
def test_a_host_kind_may_not_take_a_collection_of_the_adapter(name: str) -> None:
    with pytest.raises(ValidationError, match="collection"):
        MongoBackend.on_database(_database(), kinds=[RecordKind(name, Mark)])


def test_a_host_entity_may_not_have_a_field_the_adapter_keeps() -> None:
    with pytest.raises(ValidationError, match="seq"):
        MongoBackend.on_database(_database(), kinds=[RecordKind("seqs", Seq)])


def test_records_are_used_inside_the_unit_only() -> None:
    unit = _backend().unit_of_work("t")
    with pytest.raises(RuntimeError):
        unit.records(INVOICES)
    with unit:
        assert unit.records(INVOICES) is unit.records(INVOICES)
        assert unit.records(VISITS) is unit.visits


def test_find_compares_stored_values_and_refuses_unknown_fields() -> None:
    backend = _backend()
    client_id = uuid.uuid4()
    first = _invoice("FV/1", client_id)
    second = _invoice("FV/2", client_id, 1, total=Decimal("7.0"), paid=True, lines=())
    with backend.unit_of_work("t") as uow:
        uow.records(INVOICES).add(first, second)
        uow.commit()
    with backend.unit_of_work("t") as uow:
        invoices = uow.records(INVOICES)
        assert invoices.find(total=Decimal("12.50")) == [first]  # (a server: "12.5" too)
        assert invoices.find(paid=True, client_id=client_id) == [second]
        assert invoices.find(lines=first.lines) == [first]
        assert invoices.count(number="FV/2") == 1
        with pytest.raises(ValidationError):
            invoices.find(colour="red")


def test_ties_of_a_kinds_order_are_read_in_the_order_written() -> None:
    backend = _backend()
    marks = [Mark(uuid.uuid4(), day, label) for day, label in [("b", "1"), ("a", "2"), ("b", "3")]]
    with backend.unit_of_work("t") as uow:
        for mark in marks:
            uow.records(MARKS).add(mark)
        uow.commit()
    with backend.unit_of_work("t") as uow:
        assert [m.label for m in uow.records(MARKS).find()] == ["2", "1", "3"]


def test_without_transactions_a_unit_reads_its_own_writes() -> None:
    backend = _backend()
    source, target = uuid.uuid4(), uuid.uuid4()
    stored = _invoice("FV/1", source, 10)
    with backend.unit_of_work("t") as uow:
        uow.records(INVOICES).add(stored)
        uow.records(STAMPS).add(Stamp(uuid.uuid4(), source, NOW))
        uow.commit()
    with backend.unit_of_work("t") as uow:
        invoices, stamps = uow.records(INVOICES), uow.records(STAMPS)
        early = _invoice("FV/2", source, 0)
        invoices.add(early)
        stamp = Stamp(uuid.uuid4(), source, NOW)
        stamps.add(stamp)
        assert invoices.get(early.id) == early
        assert invoices.find(client_id=source) == [early, stored]
        assert invoices.get_many([stored.id, early.id]) == {stored.id: stored, early.id: early}
        with pytest.raises(DuplicateName):
            invoices.add(_invoice("FV/2", source))
        paid = attrs.evolve(early, paid=True, version=2)
        invoices.replace(paid)
        with pytest.raises(ConcurrencyError):
            invoices.replace(attrs.evolve(early, version=2))
        assert invoices.find(paid=True) == [paid]
        assert invoices.reassign(source, target) == 2
        assert invoices.count(client_id=source) == 0
        assert [i.version for i in invoices.find(client_id=target)] == [3, 2]
        stamps.delete(stamp)
        with pytest.raises(NotFound):
            stamps.get(stamp.id)
        assert stamps.count() == 1
        seen = (invoices.find(), stamps.find())
        uow.commit()
    with backend.unit_of_work("t") as uow:
        assert (uow.records(INVOICES).find(), uow.records(STAMPS).find()) == seen


def test_without_transactions_a_record_added_and_changed_in_one_unit_is_added_first() -> None:
    """A versioned change is a guarded write, applied before unguarded ones at commit; not
    before the write that adds the record it changes."""
    backend = _backend()
    visit = Visit(
        id=uuid.uuid4(),
        staff_id=uuid.uuid4(),
        kind=VisitKind.BREAK,
        start=NOW,
        end=NOW + timedelta(minutes=30),
        created_at=NOW,
        updated_at=NOW,
    )
    moved = attrs.evolve(visit, start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2))
    moved = attrs.evolve(moved, version=2)
    with backend.unit_of_work("t") as uow:
        uow.visits.add(visit)
        uow.visits.replace(moved)
        assert uow.visits.for_staff(visit.staff_id, NOW, NOW + timedelta(days=1)) == [moved]
        assert uow.visits.busy([visit.staff_id], NOW, NOW + timedelta(days=1)) == [
            (visit.staff_id, moved.start, moved.end)
        ]
        uow.commit()
    with backend.unit_of_work("t") as uow:
        assert uow.visits.get(visit.id) == moved


def test_without_transactions_a_commit_refused_after_many_writes_leaves_nothing() -> None:
    """The unit's client update, notes, invoices and stamps are applied, then an invoice
    number taken meanwhile is refused: every applied write is undone."""
    database = _database()
    backend = _backend(database)
    client = _client()
    with backend.unit_of_work("t") as uow:
        uow.clients.add_many([client])
        uow.commit()
    rival = _invoice("FV/3", client.id)
    with backend.unit_of_work("t") as uow:
        uow.clients.update(attrs.evolve(client, remarks="changed", version=2))
        uow.records(NOTES).add(Note(uuid.uuid4(), client.id, NoteKind.NOTE, "x", created_at=NOW))
        for number in range(1, 4):
            uow.records(INVOICES).add(_invoice(f"FV/{number}", client.id, number))
        uow.records(STAMPS).add(Stamp(uuid.uuid4(), client.id, NOW))
        with backend.unit_of_work("t") as other:
            other.records(INVOICES).add(rival)
            other.commit()
        with pytest.raises(DuplicateName):
            uow.commit()
    with backend.unit_of_work("t") as uow:
        assert uow.clients.get(client.id) == client
        assert uow.records(NOTES).count() == 0
        assert uow.records(INVOICES).find() == [rival]
        assert uow.records(STAMPS).count() == 0
    assert database[indexes.NOTES].count_documents({}) == 0


def test_without_transactions_a_version_changed_meanwhile_refuses_the_commit() -> None:
    backend = _backend()
    invoice = _invoice("FV/1", uuid.uuid4())
    with backend.unit_of_work("t") as uow:
        uow.records(INVOICES).add(invoice)
        uow.commit()
    with backend.unit_of_work("t") as uow:
        uow.records(STAMPS).add(Stamp(uuid.uuid4(), invoice.client_id, NOW))
        uow.records(INVOICES).replace(attrs.evolve(invoice, paid=True, version=2))
        with backend.unit_of_work("t") as other:
            other.records(INVOICES).replace(attrs.evolve(invoice, total=Decimal(1), version=2))
            other.commit()
        with pytest.raises(StorageBusy) as busy:  # run again, the unit reads version 2
            uow.commit()
        assert isinstance(busy.value.__cause__, ConcurrencyError)
    with backend.unit_of_work("t") as uow:
        assert uow.records(INVOICES).get(invoice.id).total == Decimal(1)
        assert uow.records(STAMPS).count() == 0


def test_scrubbing_the_history_changes_only_the_values_of_field_changes() -> None:
    database = _database()
    backend = _backend(database)
    client_id = uuid.uuid4()
    event = Event(
        id=uuid.uuid4(),
        kind="client.updated",
        entity_id=client_id,
        client_id=client_id,
        actor_id="owner-1",
        at=NOW,
        changes=(FieldChange("last_name", "Nowak", "Kowalska"), FieldChange("source", None, "ad")),
    )
    with backend.unit_of_work("t") as uow:
        uow.events.append([event])
        uow.commit()
    before = database[indexes.EVENTS].find_one({"tenant": "t"})
    with backend.unit_of_work("t") as uow:
        assert uow.events.scrub(client_id, frozenset({"last_name"})) == 1
        assert uow.events.scrub(client_id, frozenset({"last_name"})) == 0  # sees its own write
        assert uow.events.for_client(client_id)[0].changes[0] == FieldChange("last_name")
        uow.commit()
    after = database[indexes.EVENTS].find_one({"tenant": "t"})
    assert {k: v for k, v in after.items() if k not in ("changes", "_w")} == {
        k: v for k, v in before.items() if k not in ("changes", "_w")
    }
    with backend.unit_of_work("t") as uow:
        assert uow.events.for_client(client_id)[0].changes == (
            FieldChange("last_name"),
            FieldChange("source", None, "ad"),
        )


def test_without_transactions_a_unit_reads_the_settings_it_put() -> None:
    backend = _backend()
    with backend.unit_of_work("t") as uow:
        uow.settings.put(TenantSettings(time_zone="Europe/Vilnius"))
        assert uow.settings.get().time_zone == "Europe/Vilnius"
        uow.commit()
    with backend.unit_of_work("t") as uow:
        assert uow.settings.get().time_zone == "Europe/Vilnius"


def test_without_transactions_a_rolled_back_unit_may_leave_a_gap_in_a_counter() -> None:
    backend = _backend()
    with backend.unit_of_work("t") as uow:
        assert uow.counters.next("invoices") == 1
    with backend.unit_of_work("t") as uow:
        assert uow.counters.next("invoices", 2) == 2
        uow.commit()


class _Counters:
    """A counters collection that records how it was called."""

    def __init__(self) -> None:
        self.sessions: list[object] = []

    def find_one_and_update(self, *args: object, **options: object) -> dict[str, int]:
        self.sessions.append(options.get("session"))
        return {"value": 7}


def test_inside_a_transaction_a_counter_is_taken_in_its_session() -> None:
    """So the number is taken back with a rolled-back transaction (no gap)."""
    counters, session = _Counters(), object()
    assert reserve(counters, "t", "invoices", 2, session=session) == 6  # type: ignore[arg-type]
    assert reserve(counters, "t", "invoices", 1) == 7  # type: ignore[arg-type]
    assert counters.sessions == [session, None]


def test_without_transactions_a_unit_reads_the_clients_it_wrote() -> None:
    """What a unit of several operations needs: a client registered earlier in it is found
    by id, code and search; a code it freed is free; one it took is taken."""
    backend = _backend()
    stored, gone = _client("C-1"), _client("C-2")
    with backend.unit_of_work("t") as uow:
        uow.clients.add_many([stored, gone])
        uow.commit()
    with backend.unit_of_work("t") as uow:
        clients = uow.clients
        new = attrs.evolve(_client("C-3"), last_name="Nowakowska")
        clients.add_many([new])
        assert clients.get(new.id) == new
        assert clients.get_by_code("C-3") == new
        assert clients.status(new.id) == new.status
        renamed = attrs.evolve(stored, code="C-9", version=2)
        clients.update(renamed)
        assert clients.taken_codes(["C-1", "C-3", "C-9"]) == {"C-3", "C-9"}
        with pytest.raises(NotFound):
            clients.get_by_code("C-1")
        clients.delete(gone)
        with pytest.raises(NotFound):
            clients.get(gone.id)
        found = clients.search(ClientQuery(terms=("nowak",)))
        assert [client.code for client in found] == ["C-9", "C-3"]
        assert clients.search(ClientQuery(terms=("nowak",), limit=1)) == [renamed]
        again = attrs.evolve(_client("C-1"), last_name="Zieliński")
        clients.add_many([again])  # the code freed in this unit
        uow.commit()
    with backend.unit_of_work("t") as uow:
        assert uow.clients.get_by_code("C-1") == again
        assert uow.clients.search(ClientQuery(terms=("nowak",))) == found


def test_a_host_entity_whose_field_types_cannot_be_resolved_is_refused() -> None:
    class Local:
        pass

    @attrs.frozen
    class Holder:
        id: UUID
        thing: Local

    with pytest.raises(ValidationError, match="resolved"):
        MongoBackend.on_database(_database(), kinds=[RecordKind("holders", Holder)])


def test_open_passes_the_hosts_kinds_to_the_backend() -> None:
    database = _database()
    clientcore.open(database, tenant="t", kinds=[MARKS])
    assert "clientcore_marks" in database.list_collection_names()
    assert ("tenant", "day", "_id") in _index_keys(database, "clientcore_marks")
