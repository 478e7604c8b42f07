"""Contract: the registry of record kinds and the generic records port, for clientcore's
kinds and a host's (:mod:`clientcore.testing.kinds`), and all-or-nothing units of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import attrs
import pytest

from clientcore.entities.client import Client
from clientcore.entities.common import personal_fields, utc_millis
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import NOTES, SUBJECTS, VISITS, RecordKind
from clientcore.entities.note import Note, NoteKind
from clientcore.errors import (
    ClientInUse,
    ConcurrencyError,
    Conflict,
    DuplicateName,
    NotFound,
    UnknownKind,
    ValidationError,
)
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.kinds import HOST_KINDS, INVOICES, STAMPS, Invoice, InvoiceLine, Stamp


def _now(clock: TickingClock) -> datetime:
    return utc_millis(clock.now())


class Boom(Exception):
    """What a host's code raises in the middle of a unit of work."""


class KindsContract(BackendContract):
    def _invoice(
        self, clock: TickingClock, client_id: UUID, number: str, **fields: object
    ) -> Invoice:
        values: dict[str, object] = {
            "id": uuid4(),
            "client_id": client_id,
            "number": number,
            "issued_at": _now(clock),
            "total": Decimal("12.50"),
            "buyer": "Jan Kowalski",
            "lines": (InvoiceLine("Szczepienie Burka", Decimal("12.50")),),
        }
        values.update(fields)
        return Invoice(**values)  # type: ignore[arg-type]

    def test_the_backend_stores_its_own_kinds_and_the_hosts(self, backend: Backend) -> None:
        assert [kind.name for kind in backend.kinds][-2:] == ["invoices", "stamps"]
        assert all(kind in backend.kinds for kind in (*HOST_KINDS, SUBJECTS, NOTES, VISITS))
        stranger: RecordKind[Stamp] = RecordKind("stickers", Stamp, client_field="client_id")
        with backend.unit_of_work(new_tenant()) as uow, pytest.raises(UnknownKind):
            uow.records(stranger)

    def test_a_host_kinds_records_round_trip(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        first = self._invoice(clock, client.id, "FV/1")
        clock.advance(timedelta(minutes=1))
        second = self._invoice(clock, client.id, "FV/2", paid=True, lines=())
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(second, first)
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            invoices = uow.records(INVOICES)
            assert invoices.get(first.id) == first
            assert invoices.find(client_id=client.id) == [first, second]
            assert invoices.find(paid=True) == [second]
            assert invoices.count(client_id=client.id) == 2
            assert invoices.get_many([second.id, uuid4(), first.id]) == {
                first.id: first,
                second.id: second,
            }
            with pytest.raises(NotFound):
                invoices.get(uuid4())
            with pytest.raises(ValidationError):
                invoices.find(customer=client.id)
        with backend.unit_of_work(new_tenant()) as uow:
            assert uow.records(INVOICES).find() == []
            with pytest.raises(NotFound):
                uow.records(INVOICES).get(first.id)

    def test_unique_fields_and_versions_are_enforced(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        invoice = self._invoice(clock, client.id, "FV/1")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(invoice)
            uow.commit()
        duplicate = self._invoice(clock, client.id, "FV/1")
        with backend.unit_of_work(core.tenant) as uow, pytest.raises(DuplicateName):  # noqa: PT012
            uow.records(INVOICES).add(duplicate)
            uow.commit()  # without transactions, a unique field is checked as it is written
        paid = attrs.evolve(invoice, paid=True, version=2)
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).replace(paid)
            with pytest.raises(ConcurrencyError):
                uow.records(INVOICES).replace(attrs.evolve(invoice, total=Decimal(1), version=2))
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.records(INVOICES).get(invoice.id) == paid
            with pytest.raises(ConcurrencyError):
                uow.records(INVOICES).delete(invoice)
            uow.records(INVOICES).delete(paid)
            with pytest.raises(NotFound):
                uow.records(INVOICES).replace(attrs.evolve(paid, version=3))
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.records(INVOICES).count() == 0

    def test_a_key_taken_is_refused_as_it_is_added(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        """Every store refuses a record whose key is taken when it is added, not only at
        commit (so an operation that goes on after it sees the same error everywhere)."""
        client = core.clients.register(last_name="Nowak")
        stamp = Stamp(uuid4(), client.id, _now(clock))
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(STAMPS).add(stamp)
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow, pytest.raises(Conflict):
            uow.records(STAMPS).add(attrs.evolve(stamp, note="again"))

    def test_kinds_read_in_the_order_written(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        late = Stamp(uuid4(), client.id, _now(clock) + timedelta(days=1), "later date")
        early = Stamp(uuid4(), client.id, _now(clock), "earlier date")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(STAMPS).add(late)
            uow.records(STAMPS).add(early)
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.records(STAMPS).find(client_id=client.id) == [late, early]

    def test_a_host_kind_blocks_deleting_its_client(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(self._invoice(clock, client.id, "FV/1"))
            uow.records(STAMPS).add(Stamp(uuid4(), client.id, _now(clock)))
            uow.commit()
        with pytest.raises(ClientInUse) as refused:
            core.clients.delete(client.id)
        assert refused.value.referenced_by == ("invoices",)
        assert core.clients.get(client.id) == client

    def test_reassign_moves_every_record_of_a_client(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        source = core.clients.register(last_name="Nowak")
        target = core.clients.register(last_name="Nowakowska")
        invoice = self._invoice(clock, source.id, "FV/1")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(invoice)
            uow.commit()
        core.notes.add(source.id, "alergia")
        with backend.unit_of_work(core.tenant) as uow:
            moved = {
                kind.name: uow.records(kind).reassign(source.id, target.id)
                for kind in uow.kinds.client_linked()
            }
            uow.commit()
        assert moved["invoices"] == 1
        assert moved["notes"] == 1
        assert moved["subjects"] == 0
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.records(INVOICES).get(invoice.id) == attrs.evolve(
                invoice, client_id=target.id, version=2
            )
            assert uow.records(NOTES).count(client_id=source.id) == 0
        assert [note.text for note in core.notes.for_client(target.id)] == ["alergia"]

    def test_scrub_blanks_personal_fields_and_history_values(
        self, backend: Backend, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Canary-Last", phones=["601 234 567"])
        core.clients.update(client.id, last_name="Canary-Second", source="ad")
        pet = core.subjects.add(client.id, kind="pet", name="Canary-Burek", details={"r": "Canary"})
        invoice = self._invoice(clock, client.id, "FV/1", buyer="Canary-Buyer")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(invoice)
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            personal = frozenset(personal_fields(Client)).union(
                *(kind.personal_fields for kind in uow.kinds)
            )
            for kind in uow.kinds.client_linked():
                uow.records(kind).scrub(client.id)
            assert uow.events.scrub(client.id, personal) >= 2
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            scrubbed = uow.records(INVOICES).get(invoice.id)
            assert scrubbed.buyer == ""
            assert scrubbed.lines == (InvoiceLine("", Decimal("12.50")),)
            assert scrubbed.number == "FV/1"
            assert scrubbed.version == invoice.version + 1
            assert uow.records(SUBJECTS).get(pet.id).name == ""
            assert uow.records(SUBJECTS).get(pet.id).details == {}
        history = core.clients.history(client.id)
        assert "Canary" not in repr(history)
        assert FieldChange("source", None, "ad") in history[1].changes
        assert [event.actor_id for event in history] == ["owner-1"] * len(history)

    @pytest.mark.parametrize("fail_at", ["raise", "commit"])
    def test_a_unit_that_fails_after_several_writes_leaves_nothing(
        self, backend: Backend, core: Core, clock: TickingClock, fail_at: str
    ) -> None:
        """A unit writes clients, notes and a host's records, then the host's code raises
        (or its commit is refused, a unique number taken): nothing of it stays."""
        client = core.clients.register(last_name="Nowak")
        taken = self._invoice(clock, client.id, "FV/taken")
        with backend.unit_of_work(core.tenant) as uow:
            uow.records(INVOICES).add(taken)
            uow.commit()
        before = core.clients.get(client.id)
        with (  # noqa: PT012
            pytest.raises((Boom, DuplicateName)),
            backend.unit_of_work(core.tenant) as uow,
        ):
            uow.clients.update(attrs.evolve(before, remarks="changed", version=2))
            uow.records(NOTES).add(*_notes(client.id, 3, _now(clock)))
            for number in range(3):
                uow.records(INVOICES).add(self._invoice(clock, client.id, f"FV/{number}"))
            uow.records(STAMPS).add(Stamp(uuid4(), client.id, _now(clock)))
            if fail_at == "raise":
                raise Boom()
            uow.records(INVOICES).add(self._invoice(clock, client.id, "FV/taken"))
            uow.commit()
        assert core.clients.get(client.id) == before
        assert core.notes.for_client(client.id) == []
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.records(INVOICES).find() == [taken]
            assert uow.records(STAMPS).count() == 0

    def test_the_api_writes_a_host_kinds_records_with_their_history(
        self, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        invoices = core.records(INVOICES)
        with pytest.raises(NotFound):
            invoices.add(self._invoice(clock, uuid4(), "FV/0"))
        with pytest.raises(ValidationError):
            invoices.add(Stamp(uuid4(), client.id, _now(clock)))  # type: ignore[arg-type]
        invoice = invoices.add(self._invoice(clock, client.id, "FV/1"))
        paid = invoices.replace(attrs.evolve(invoice, paid=True, version=2))
        with pytest.raises(ConcurrencyError):
            invoices.replace(attrs.evolve(invoice, total=Decimal(0), version=2))
        assert invoices.find(client_id=client.id) == [paid]
        assert invoices.get(invoice.id) == paid
        assert invoices.count(paid=True) == 1
        with pytest.raises(DuplicateName):
            invoices.add(self._invoice(clock, client.id, "FV/1"))
        invoices.delete(paid)
        assert invoices.count() == 0
        events = [e for e in core.clients.history(client.id) if e.entity_id == invoice.id]
        assert [e.kind for e in events] == [
            EventKind.RECORD_ADDED,
            EventKind.RECORD_REPLACED,
            EventKind.RECORD_DELETED,
        ]
        assert events[1].changes == (
            FieldChange("kind", None, "invoices"),
            FieldChange("paid", "no", "yes"),
            FieldChange("version", "1", "2"),
        )
        stamped = core.records(STAMPS).add(
            Stamp(uuid4(), client.id, datetime(2026, 7, 1, 10, 30, tzinfo=UTC))
        )
        (added,) = [e for e in core.clients.history(client.id) if e.entity_id == stamped.id]
        assert FieldChange("at", None, "2026-07-01 12:30 Europe/Warsaw") in added.changes
        stranger: RecordKind[Stamp] = RecordKind("stickers", Stamp, client_field="client_id")
        with pytest.raises(UnknownKind):
            core.records(stranger).find()


class CountersContract(BackendContract):
    def test_a_rolled_back_unit_gives_its_counter_values_back(
        self, backend: Backend, core: Core
    ) -> None:
        """Counters are reserved inside the unit of work's transaction: with transactions a
        value taken by a unit that rolled back is handed out again (invoice numbers without
        gaps); without, it may be skipped, never handed out twice."""
        with backend.unit_of_work(core.tenant) as uow:
            first = uow.counters.next("invoices/2026")
            uow.commit()
        with backend.unit_of_work(core.tenant) as uow:
            assert uow.counters.next("invoices/2026", 5) == first + 1
        with backend.unit_of_work(core.tenant) as uow:
            again = uow.counters.next("invoices/2026")
            uow.commit()
        if backend.capabilities.transactions:
            assert again == first + 1
        else:
            assert again in (first + 1, first + 6)


def _notes(client_id: UUID, count: int, at: datetime) -> list[Note]:
    return [
        Note(uuid4(), client_id, NoteKind.NOTE, f"note {n}", created_at=at) for n in range(count)
    ]
