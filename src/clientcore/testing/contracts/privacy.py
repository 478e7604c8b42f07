"""Contract: forget and its undo, anonymisation with a confirmation code and a receipt,
export, retention (P1-P3), and the canary scan that shows nothing personal is left.

An adapter's test class provides ``store_contents``: a function returning every byte the
store holds (every table and column, every collection, every stored object, and where the
store is a file, the file and its write-ahead log), which the canary test scans.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.client import ClientStatus, DocumentKind, IdentityDocument
from clientcore.entities.common import Actor, Role
from clientcore.entities.contacts import Address, AddressKind
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import VISITS, ErasurePolicy
from clientcore.entities.linked import TREATMENT
from clientcore.entities.message import MessageState
from clientcore.entities.privacy import CONFIRMATION_TTL, PrivacyRoles
from clientcore.entities.visit import VisitStatus
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import (
    ClientForgotten,
    Conflict,
    InvalidConfirmation,
    PermissionDenied,
    ValidationError,
)
from clientcore.facade import Core
from clientcore.operations.export import to_json
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.kinds import INVOICES, STAMPS, Invoice, InvoiceLine, Stamp

StoreContents = Callable[[], bytes]


def _minute(clock: TickingClock) -> datetime:
    """The next whole minute (visits start on one)."""
    return clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)


def _every_day() -> list[WeeklySlot]:
    return [WeeklySlot(day, TimeRange(time(0), time(23, 59))) for day in range(7)]


def _vet(core: Core) -> UUID:
    """A new staff member who works around the clock."""
    member = core.staff.add("Vet", roles=[Role.STAFF])
    core.staff.set_hours(member.id, _every_day())
    return member.id


class Canaries:
    """Unique strings, one per personal value, each findable in raw storage."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.retained: list[str] = []

    def __call__(self, label: str) -> str:
        value = f"cn{label[:4]}{secrets.token_hex(5)}"
        self.made.append(value)
        return value

    def left_in(self, contents: bytes) -> list[tuple[str, bytes]]:
        """Each canary made that ``contents`` still holds, with the bytes around its first
        occurrence (so that a failure shows where it was left)."""
        found = ((value, contents.find(value.encode())) for value in self.made)
        return [(value, contents[max(at - 80, 0) : at + 80]) for value, at in found if at >= 0]

    def phone(self) -> str:
        """A valid Polish mobile number whose nine digits are the canary."""
        digits = "6" + "".join(secrets.choice("0123456789") for _ in range(8))
        self.made.append(digits)
        return "+48" + digits


class PrivacyContract(BackendContract):
    @pytest.fixture
    def store_contents(self) -> Iterator[StoreContents]:
        raise NotImplementedError("an adapter's test class provides store_contents")

    @pytest.fixture
    def vet(self, core: Core) -> UUID:
        return _vet(core)

    def _linked_client(self, core: Core, vet: UUID, clock: TickingClock) -> dict[str, Any]:
        client = core.clients.register(
            first_name="Anna", last_name="Nowak", phones=["+48601234567"]
        )
        pet = core.subjects.add(client.id, kind="pet", name="Burek")
        old_pet = core.subjects.add(client.id, kind="pet", name="Reksio")
        core.subjects.deactivate(old_pet.id)
        now = _minute(clock)
        past = core.visits.book(client.id, vet, now - timedelta(days=3), 30, allow_past=True)
        future = core.visits.book(client.id, vet, now + timedelta(days=3), 30, subject_id=pet.id)
        core.messages.configure(enabled=True)
        message = core.messages.schedule(client.id, "See you soon", now + timedelta(days=2))
        dropped = core.messages.schedule(client.id, "Old news", now + timedelta(days=1))
        core.messages.cancel(dropped.id)
        return {
            "client": client,
            "pet": pet,
            "old_pet": old_pet,
            "past": past,
            "future": future,
            "message": message,
        }

    def test_forget_hides_the_client_deactivates_pets_and_cancels_future_visits(
        self, core: Core, vet: UUID, clock: TickingClock
    ) -> None:
        linked = self._linked_client(core, vet, clock)
        client = linked["client"]
        result = core.privacy.forget(client.id)
        assert result.client.status is ClientStatus.FORGOTTEN
        assert result.changed == {
            "subjects": (linked["pet"].id,),
            "visits": (linked["future"].id,),
            "messages": (linked["message"].id,),
        }
        assert core.clients.search("nowak").clients == ()
        assert core.clients.search("nowak", status="inactive").clients == ()
        assert [c.id for c in core.clients.search("nowak", status="all").clients] == [client.id]
        assert not core.subjects.get(linked["pet"].id).active
        assert core.visits.get(linked["future"].id).status is VisitStatus.CANCELLED
        assert core.visits.get(linked["past"].id).status is VisitStatus.BOOKED
        with pytest.raises(ClientForgotten):
            core.visits.book(client.id, vet, _minute(clock) + timedelta(days=5), 30)
        with pytest.raises(ClientForgotten):
            core.records(STAMPS).add(Stamp(uuid4(), client.id, clock.now()))
        with pytest.raises(ClientForgotten):
            core.subjects.add(client.id, kind="pet", name="Azor")
        with pytest.raises(ClientForgotten):
            core.messages.send(client.id, "Hello")
        invoice = core.sales.define_type("FV", "Invoice")
        with pytest.raises(ClientForgotten):
            core.sales.draft(client.id, invoice.id, currency="PLN")
        due = clock.now() + timedelta(days=1)
        with pytest.raises(ClientForgotten):
            core.tasks.create("Call back", due, vet, client_id=client.id)
        with pytest.raises(ClientForgotten):
            core.tasks.create_for_clients([client.id], "Call back", due, vet)
        with pytest.raises(ClientForgotten):
            core.linked.add(client.id, TREATMENT, "Dental cleaning")
        with pytest.raises(ClientForgotten):
            core.linked.set_medical_data(client.id, allergies="penicillin")
        food = core.products.define("FOOD", "Dog food")
        with pytest.raises(ClientForgotten):
            core.interests.record(client.id, food.id)
        assert core.messages.get(linked["message"].id).state is MessageState.CANCELLED
        core.consents.record(client.id, "notifications", granted=False, source="letter")
        with pytest.raises(Conflict):
            core.privacy.forget(client.id)
        with pytest.raises(Conflict):
            core.clients.reactivate(client.id)  # the undo does that, with the pets
        kinds = [event.kind for event in core.clients.history(client.id)]
        assert kinds[-2:] == [EventKind.CLIENT_FORGOTTEN, EventKind.CONSENT_WITHDRAWN]
        assert core.clients.get(client.id).first_name == "Anna"  # not a deletion

    def test_forget_is_one_unit_of_work(self, core: Core, vet: UUID, clock: TickingClock) -> None:
        linked = self._linked_client(core, vet, clock)

        def forget_then_fail() -> None:
            with core.transaction() as tx:
                tx.privacy.forget(linked["client"].id)
                raise RuntimeError("the host changes its mind")

        with pytest.raises(RuntimeError):
            forget_then_fail()
        assert core.clients.get(linked["client"].id).status is ClientStatus.ACTIVE
        assert core.subjects.get(linked["pet"].id).active
        assert core.visits.get(linked["future"].id).status is VisitStatus.BOOKED

    def test_undo_reactivates_exactly_the_pets_the_forget_deactivated(
        self, core: Core, vet: UUID, clock: TickingClock
    ) -> None:
        linked = self._linked_client(core, vet, clock)
        client = linked["client"]
        core.privacy.forget(client.id)
        result = core.privacy.undo_forget(client.id)
        assert result.client.status is ClientStatus.ACTIVE
        assert result.restored == {"subjects": (linked["pet"].id,)}
        assert result.still_cancelled == {
            "visits": (linked["future"].id,),
            "messages": (linked["message"].id,),
        }
        assert core.messages.get(linked["message"].id).state is MessageState.CANCELLED
        assert core.subjects.get(linked["pet"].id).active
        assert not core.subjects.get(linked["old_pet"].id).active
        assert core.visits.get(linked["future"].id).status is VisitStatus.CANCELLED
        assert [c.id for c in core.clients.search("nowak").clients] == [client.id]
        with pytest.raises(Conflict):
            core.privacy.undo_forget(client.id)
        assert core.clients.history(client.id)[-1].kind == EventKind.CLIENT_FORGET_UNDONE

    def test_forget_then_undo_restores_everything_but_what_stays_cancelled(
        self, core: Core, clock: TickingClock
    ) -> None:
        """Random pets (active or not), visits (past or to come; booked, cancelled or
        arrived) and messages (scheduled or cancelled): after forget and undo, everything is
        as before but the visits and messages the forget cancelled."""
        core.messages.configure(enabled=True)

        @settings(
            max_examples=8,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            pets=st.lists(st.booleans(), max_size=3),
            visits=st.lists(
                st.tuples(
                    st.integers(-20, 20), st.sampled_from(["booked", "cancelled", "arrived"])
                ),
                max_size=4,
            ),
            messages=st.lists(st.booleans(), max_size=2),
            inactive=st.booleans(),
        )
        def run(
            pets: list[bool], visits: list[tuple[int, str]], messages: list[bool], inactive: bool
        ) -> None:
            vet = _vet(core)  # each example books its own calendar
            client = core.clients.register(last_name="Kowalski", phones=["+48601234567"])
            for index, active in enumerate(pets):
                pet = core.subjects.add(client.id, kind="pet", name=f"pet {index}")
                if not active:
                    core.subjects.deactivate(pet.id)
            now = _minute(clock)
            for index, (days, status) in enumerate(visits):
                start = now + timedelta(days=days, hours=index)
                if days == 0:
                    start += timedelta(minutes=1)  # never at the very instant of the forget
                visit = core.visits.book(client.id, vet, start, 30, allow_past=True)
                if status == "cancelled":
                    core.visits.cancel(visit.id)
                elif status == "arrived" and days <= 0:
                    core.visits.mark_arrived(visit.id)
            for scheduled in messages:
                message = core.messages.schedule(client.id, "Hi", now + timedelta(days=1))
                if not scheduled:
                    core.messages.cancel(message.id)
            if inactive:
                core.clients.deactivate(client.id)

            def state() -> tuple[Any, ...]:
                found = core.clients.get(client.id)
                subjects = core.subjects.for_client(client.id, include_inactive=True)
                return (
                    (found.status, found.last_name),
                    {s.id: s.active for s in subjects},
                    {v.id: v.status for v in core.records(VISITS).find(client_id=client.id)},
                    {m.id: m.state for m in core.messages.history(client.id)},
                )

            before = state()
            forgotten = core.privacy.forget(client.id)
            undone = core.privacy.undo_forget(client.id)
            after = state()
            assert after[:2] == before[:2]
            for position, kind, pending, done in (
                (2, "visits", VisitStatus.BOOKED, VisitStatus.CANCELLED),
                (3, "messages", MessageState.SCHEDULED, MessageState.CANCELLED),
            ):
                cancelled = set(forgotten.changed.get(kind, ()))
                assert set(undone.still_cancelled.get(kind, ())) == cancelled
                assert after[position] == {
                    key: done if key in cancelled else value
                    for key, value in before[position].items()
                }
                assert all(before[position][key] is pending for key in cancelled)

        run()

    def test_forget_needs_a_role(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        nobody = core.acting_as(Actor("guest"))
        with pytest.raises(PermissionDenied):
            nobody.privacy.forget(client.id)
        reception = core.acting_as(Actor("rita", roles={Role.RECEPTION}))
        reception.privacy.forget(client.id)
        reception.privacy.undo_forget(client.id)
        with pytest.raises(PermissionDenied):
            reception.privacy.request_anonymisation(client.id)
        with pytest.raises(PermissionDenied):
            reception.privacy.export(client.id)
        allowed = reception.privacy.with_roles(PrivacyRoles(export={Role.RECEPTION}))
        assert allowed.export(client.id)["client"]["id"] == str(client.id)

    def test_a_wrong_expired_reused_or_foreign_code_is_refused_and_changes_nothing(
        self, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(first_name="Anna", last_name="Nowak")
        with pytest.raises(InvalidConfirmation) as missing:
            core.privacy.anonymise(client.id, "ABCDEF")
        assert missing.value.reason == "missing"
        request = core.privacy.request_anonymisation(client.id)
        assert len(request.code) == 6
        wrong = "A" * 6 if request.code != "A" * 6 else "B" * 6
        with pytest.raises(InvalidConfirmation) as refused:
            core.privacy.anonymise(client.id, wrong)
        assert refused.value.reason == "wrong"
        other = core.acting_as(Actor("admin-2", roles={Role.ADMINISTRATOR}))
        with pytest.raises(InvalidConfirmation):
            other.privacy.anonymise(client.id, request.code)  # bound to its actor
        second = core.clients.register(last_name="Other")
        with pytest.raises(InvalidConfirmation):
            core.privacy.anonymise(second.id, request.code)  # bound to its client
        assert core.clients.get(client.id).first_name == "Anna"
        clock.advance(CONFIRMATION_TTL)
        with pytest.raises(InvalidConfirmation) as late:
            core.privacy.anonymise(client.id, request.code)
        assert late.value.reason == "expired"
        assert core.clients.get(client.id).first_name == "Anna"
        fresh = core.privacy.request_anonymisation(client.id)
        core.privacy.anonymise(client.id, f" {fresh.code.lower()} ")
        with pytest.raises(InvalidConfirmation) as reused:
            core.privacy.anonymise(client.id, fresh.code)
        assert reused.value.reason == "used"
        assert len(core.privacy.receipts(client.id)) == 1

    def test_no_code_or_hash_of_it_leaves_the_code_readable(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        request = core.privacy.request_anonymisation(client.id)
        history = repr(core.clients.history(client.id))
        assert request.code not in history
        assert "code_hash" in history

    def _canary_client(
        self, core: Core, vet: UUID, clock: TickingClock, canary: Canaries
    ) -> tuple[UUID, UUID]:
        core.setup.define_attribute("hobby", label="Hobby", type="text")
        core.setup.define_attribute("tier", label="Tier", type="text", personal=False)
        client = core.clients.register(
            first_name=canary("first"),
            last_name=canary("last"),
            phones=[canary.phone()],
            emails=[f"{canary('mail')}@example.com"],
            addresses=[
                Address(
                    AddressKind.RESIDENCE,
                    street=canary("street"),
                    postal_code=canary("postal"),
                    city=canary("city"),
                )
            ],
            description=canary("description"),
            identity_documents=[IdentityDocument(DocumentKind.PASSPORT, canary("passport"))],
            remarks=canary("remarks"),
            attributes={"hobby": canary("hobby"), "tier": "gold"},
        )
        for _ in range(2):  # values changed several times sit in the history
            core.clients.update(
                client.id,
                first_name=canary("first"),
                remarks=canary("remarks"),
                phones=[canary.phone()],
            )
        core.notes.add(client.id, canary("note"))
        core.notes.add(client.id, canary("memo"), kind="memo")
        pet = core.subjects.add(
            client.id, kind="pet", name=canary("pet"), details={"chip": canary("chip")}
        )
        core.subjects.update(pet.id, name=canary("pet"))
        core.consents.record(
            client.id, "notifications", granted=True, source="form", evidence=canary("evidence")
        )
        core.visits.book(
            client.id, vet, _minute(clock) + timedelta(days=1), 30, notes=canary("visitnote")
        )
        core.records(STAMPS).add(Stamp(uuid4(), client.id, clock.now(), note=canary("stamp")))
        core.messages.configure(enabled=True)
        core.messages.schedule(
            client.id, f"Hello {canary('body')}", _minute(clock) + timedelta(days=2)
        )
        buyer = f"cnkeep{secrets.token_hex(5)}"
        canary.retained.append(buyer)
        core.records(INVOICES).add(
            Invoice(
                uuid4(),
                client.id,
                f"FV/{uuid4().hex[:8]}",
                clock.now(),
                Decimal("10.00"),
                buyer=buyer,
                lines=(InvoiceLine("service", Decimal("10.00")),),
            )
        )
        return client.id, pet.id

    def test_after_anonymisation_no_personal_value_is_left_anywhere_in_the_store(
        self, core: Core, vet: UUID, clock: TickingClock, store_contents: StoreContents
    ) -> None:
        canary = Canaries()
        client_id, pet_id = self._canary_client(core, vet, clock, canary)
        before = store_contents()
        assert [c for c in canary.made if c.encode() not in before] == []
        request = core.privacy.request_anonymisation(client_id)
        receipt = core.privacy.anonymise(client_id, request.code)
        after = store_contents()
        assert canary.left_in(after) == []
        # retained by its kind's declared policy (a legal duty to keep invoices)
        assert INVOICES.erasure is ErasurePolicy.RETAIN
        assert all(c.encode() in after for c in canary.retained)
        client = core.clients.get(client_id)
        assert (client.first_name, client.phones, client.birthday) == ("", (), None)
        assert dict(client.attributes) == {"tier": "gold"}
        assert client.code
        assert core.subjects.get(pet_id).kind == "pet"
        assert len(core.records(VISITS).find(client_id=client_id)) == 1
        assert core.records(STAMPS).find(client_id=client_id) == []
        assert (receipt.client_id, receipt.actor_id) == (client_id, "owner-1")
        assert receipt.scrubbed["client"] == 9
        assert receipt.scrubbed["subjects"] == 1
        assert receipt.scrubbed["stamps"] == 1
        assert "invoices" not in receipt.scrubbed
        assert receipt.scrubbed["history"] > 0
        assert core.privacy.receipts(client_id) == [receipt]
        assert core.clients.search(status="all", text=client.code).clients == (client,)

    def test_anonymisation_reaches_the_clients_merged_into_it(
        self, core: Core, vet: UUID, clock: TickingClock, store_contents: StoreContents
    ) -> None:
        """A merged client keeps its row (and the records a merge keeps on it): they hold
        the same person's data, which the base's export holds and its anonymisation
        blanks. Tasks, linked records and the medical section are covered by what their
        kinds declare."""
        canary = Canaries()
        client_id, _ = self._canary_client(core, vet, clock, canary)
        duplicate = core.clients.register(
            first_name=canary("dupfirst"),
            last_name=canary("duplast"),
            phones=[canary.phone()],
            remarks=canary("dupremarks"),
        )
        core.linked.set_medical_data(duplicate.id, allergies=canary("allergy"))
        core.linked.add(duplicate.id, TREATMENT, "Dental", notes=canary("treatment"))
        due = clock.now() + timedelta(days=3)
        core.tasks.create("Call back", due, vet, client_id=duplicate.id, content=canary("task"))
        core.merges.merge(client_id, [duplicate.id])
        exported = core.privacy.export(client_id)
        merged = exported["merged_clients"]
        assert [part["client"]["id"] for part in merged] == [str(duplicate.id)]
        assert [c for c in canary.made if c not in repr(exported)] == []
        before = store_contents()
        assert [c for c in canary.made if c.encode() not in before] == []
        request = core.privacy.request_anonymisation(client_id)
        core.privacy.anonymise(client_id, request.code)
        after = store_contents()
        assert canary.left_in(after) == []

    def test_an_anonymisation_in_a_transaction_leaves_nothing_once_committed(
        self, core: Core, store_contents: StoreContents
    ) -> None:
        canary = Canaries()
        client = core.clients.register(last_name=canary("last"), remarks=canary("remarks"))
        core.clients.update(client.id, remarks=canary("remarks"))
        assert all(c.encode() in store_contents() for c in canary.made)
        request = core.privacy.request_anonymisation(client.id)
        with core.transaction() as tx:
            tx.privacy.anonymise(client.id, request.code)
            tx.notes.add(client.id, "anonymised on request")
        after = store_contents()
        assert canary.left_in(after) == []

    def test_export_holds_every_stored_value(
        self, core: Core, vet: UUID, clock: TickingClock, backend: Backend
    ) -> None:
        canary = Canaries()
        client_id, _ = self._canary_client(core, vet, clock, canary)
        document = core.privacy.export(client_id)
        assert json.loads(json.dumps(document)) == document
        assert document["client"] == to_json(core.clients.get(client_id))
        for kind in backend.kinds.client_linked():
            stored = core.records(kind).find(**kind.of_client(client_id))
            assert document["records"][kind.name] == [to_json(r) for r in stored], kind.name
        text = repr(document)
        assert [c for c in (*canary.made, *canary.retained) if c not in text] == []
        history = core.clients.history(client_id)
        assert document["history"] == [to_json(e) for e in history[: len(document["history"])]]
        assert history[-1].kind == EventKind.CLIENT_EXPORTED

    def test_inactive_since_lists_clients_with_no_change_and_no_visit(
        self, core: Core, vet: UUID, clock: TickingClock
    ) -> None:
        quiet = core.clients.register(last_name="Quiet")
        booked = core.clients.register(last_name="Booked")
        core.visits.book(booked.id, vet, _minute(clock) + timedelta(days=400), 30)
        clock.advance(timedelta(days=365))
        moment = clock.now()
        changed = core.clients.register(last_name="Changed")
        found = core.privacy.inactive_since(moment)
        assert [c.id for c in found] == [quiet.id]
        core.privacy.export(quiet.id)  # reading is no change
        assert [c.id for c in core.privacy.inactive_since(moment)] == [quiet.id]
        request = core.privacy.request_anonymisation(quiet.id)
        core.privacy.anonymise(quiet.id, request.code)
        assert core.privacy.inactive_since(moment) == []
        later = [c.id for c in core.privacy.inactive_since(clock.now() + timedelta(days=1))]
        assert later == [changed.id]

    def test_anonymise_needs_the_owner_or_an_administrator(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        staff = core.acting_as(Actor("sam", roles={Role.STAFF}))
        with pytest.raises(PermissionDenied):
            staff.privacy.request_anonymisation(client.id)
        with pytest.raises(PermissionDenied):
            staff.privacy.purge()
        with pytest.raises(ValidationError):
            core.privacy.inactive_since(datetime(2026, 1, 1))  # naive: ambiguous
        assert core.privacy.inactive_since(datetime(2020, 1, 1, tzinfo=UTC)) == []
