"""Contract: merging duplicate clients and subjects (M1-M3), through the public API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientcore
from clientcore.api.parts import Transaction
from clientcore.entities.bulk import Skipped, SkipReason
from clientcore.entities.client import ClientStatus, DocumentKind, IdentityDocument
from clientcore.entities.common import Actor, Role
from clientcore.entities.consent import Channel, Purpose
from clientcore.entities.contacts import Address, AddressKind
from clientcore.entities.event import Event, EventKind
from clientcore.entities.kinds import key_text
from clientcore.entities.linked import SUBSCRIPTION
from clientcore.entities.merge import ChoiceReason, ConflictKind, FieldChoice, MergeTarget
from clientcore.errors import (
    ClientMerged,
    DuplicateCode,
    MergeRefused,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clientcore.facade import Core
from clientcore.operations.clients import ClientFields
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.contracts.schedule import MONDAY, at, every_day
from clientcore.testing.faults import FailingBackend, InjectedFailure
from clientcore.testing.kinds import INVOICES, STAMPS, Invoice, Stamp
from clientcore.testing.merge_race import check_merge_race, run_merge_race
from clientcore.testing.strategies import registrations


class _Injected(Exception):
    """The failure a test injects in the middle of a merge."""


def _linked(core: Core, client_id: UUID, number: str) -> dict[str, UUID]:
    """One record of every kind a client can have (a host's too): their ids by kind."""
    subject = core.subjects.add(client_id, kind="dog", name=f"Burek {number}")
    note = core.notes.add(client_id, f"note {number}")
    consent = core.consents.record(
        client_id, Purpose.NOTIFICATIONS, granted=True, channel=Channel.SMS, source="form"
    )
    invoice = core.records(INVOICES).add(
        Invoice(
            id=UUID(int=int(number) + 1000),
            client_id=client_id,
            number=f"FV/{number}",
            issued_at=datetime(2026, 1, 1, 12, tzinfo=at(MONDAY, 9).tzinfo),
            total=Decimal("10.00"),
        )
    )
    stamp = core.records(STAMPS).add(
        Stamp(id=UUID(int=int(number) + 2000), client_id=client_id, at=at(MONDAY, 8))
    )
    return {
        "subjects": subject.id,
        "notes": note.id,
        "consents": consent.id,
        "invoices": invoice.id,
        "stamps": stamp.id,
    }


LINKS = ("subjects", "notes", "consents", "visits", "invoices", "stamps")
"""The kinds of record the property test links to random clients (two of a host's)."""


def _link(core: Core, kind: str, client_id: UUID, number: int, staff_id: UUID) -> UUID:
    """A new record of ``kind`` of the client (``number`` makes it unique): its id."""
    start = at(MONDAY, 0) + timedelta(minutes=20 * number)
    if kind == "subjects":
        return core.subjects.add(client_id, kind="dog", name=f"Pet {number}").id
    if kind == "notes":
        return core.notes.add(client_id, f"note {number}").id
    if kind == "consents":
        return core.consents.record(client_id, Purpose.DATA_PROCESSING, granted=True, source="x").id
    if kind == "visits":
        return core.visits.book(client_id, staff_id, start, 15, override_hours=True).id
    if kind == "invoices":
        invoice = Invoice(uuid4(), client_id, f"FV/{number}", start, Decimal("1.00"))
        return core.records(INVOICES).add(invoice).id
    return core.records(STAMPS).add(Stamp(uuid4(), client_id, start)).id


class MergeContract(BackendContract):
    def test_merge_moves_every_linked_record_and_unites_contact_data(self, core: Core) -> None:
        gold = core.setup.define_group("gold").id
        core.setup.define_attribute("dog_food", label="Dog food", type="text")
        base = core.clients.register(
            first_name="Łukasz",
            last_name="Żółkiewski",
            phones=["601 234 567"],
            emails=["lukasz@example.com"],
            addresses=[Address(AddressKind.RESIDENCE, street="Polna 1", city="Kraków")],
            attributes={"dog_food": "dry"},
        )
        other = core.clients.register(
            first_name="Lukasz",
            last_name="Zolkiewski",
            phones=["+48601234567", "+48 700 100 200"],
            emails=["LUKASZ@example.com", "l.z@example.org"],
            addresses=[
                Address(AddressKind.RESIDENCE, street="Polna 2", city="Kraków"),
                Address(AddressKind.CORRESPONDENCE, street="Skrytka 5", city="Kraków"),
            ],
            birthday=date(1980, 5, 17),
            identity_documents=[IdentityDocument(DocumentKind.ID_CARD, "ABC123456")],
            group_ids=[gold],
            attributes={"dog_food": "wet"},
        )
        ours = _linked(core, base.id, "1")
        theirs = _linked(core, other.id, "2")

        outcome = core.merges.merge(base.id, [other.id])

        merged = core.clients.get(base.id)
        assert merged == outcome.client
        assert (merged.first_name, merged.last_name) == ("Łukasz", "Żółkiewski")
        assert merged.birthday == date(1980, 5, 17)
        assert [(p.number, p.primary) for p in merged.phones] == [
            ("+48601234567", True),
            ("+48700100200", False),
        ]
        assert [(e.address, e.primary) for e in merged.emails] == [
            ("lukasz@example.com", True),
            ("l.z@example.org", False),
        ]
        assert [(a.kind, a.street) for a in merged.addresses] == [
            (AddressKind.RESIDENCE, "Polna 1"),
            (AddressKind.CORRESPONDENCE, "Skrytka 5"),
        ]
        assert merged.identity_documents == (IdentityDocument(DocumentKind.ID_CARD, "ABC123456"),)
        assert merged.group_ids == {gold}
        assert dict(merged.attributes) == {"dog_food": "dry"}
        assert merged.version == base.version + 1
        assert FieldChoice("birthday", other.id, ChoiceReason.FILLED) in outcome.choices
        assert FieldChoice("last_name", base.id, ChoiceReason.BASE) in outcome.choices

        subjects = {s.id for s in core.subjects.for_client(base.id)}
        assert subjects == {ours["subjects"], theirs["subjects"]}
        assert {n.id for n in core.notes.for_client(base.id)} == {ours["notes"], theirs["notes"]}
        assert {c.id for c in core.consents.history(base.id)} == {
            ours["consents"],
            theirs["consents"],
        }
        invoices = {r.id for r in core.records(INVOICES).find(client_id=base.id)}
        stamps = {r.id for r in core.records(STAMPS).find(client_id=base.id)}
        assert invoices == {ours["invoices"], theirs["invoices"]}
        assert stamps == {ours["stamps"], theirs["stamps"]}
        assert core.records(INVOICES).count(client_id=other.id) == 0
        assert core.records(STAMPS).count(client_id=other.id) == 0
        assert core.records(INVOICES).get(theirs["invoices"]).version == 2
        for name in ("subjects", "notes", "consents", "invoices", "stamps"):
            assert outcome.moved_count(name) == 1
            assert outcome.record is not None
            assert outcome.record.moved_keys(name) == (key_text(theirs[name]),)

    def test_a_merged_client_keeps_its_row_and_redirects(self, core: Core) -> None:
        base = core.clients.register(last_name="Nowak", code="A-1")
        other = core.clients.register(last_name="Nowak", code="A-2")
        core.merges.merge(base.id, [other.id])
        with pytest.raises(ClientMerged) as by_id:
            core.clients.get(other.id)
        assert by_id.value.base_id == base.id
        with pytest.raises(ClientMerged) as by_code:
            core.clients.by_code("A-2")
        assert by_code.value.base_id == base.id
        with pytest.raises(NotFound):  # ClientMerged is a NotFound
            core.clients.update(other.id, first_name="Jan")
        with pytest.raises(ClientMerged):
            core.notes.add(other.id, "late note")
        with pytest.raises(DuplicateCode):  # its code stays reserved
            core.clients.register(last_name="Kowalski", code="A-2")
        assert core.merges.surviving(other.id) == base.id
        assert core.merges.surviving(base.id) == base.id
        statuses = {c.id: c.status for c in core.clients.search(status="all").clients}
        assert statuses[other.id] is ClientStatus.MERGED

    def test_nothing_new_links_to_a_merged_client(self, core: Core) -> None:
        """Sales documents, payments, price lists, interests, messages, tasks and linked
        records are refused for a merged client with ClientMerged (its base named), as notes
        and visits are; a bulk change skips it, saying why."""
        base = core.clients.register(last_name="Nowak", phones=["+48601234567"])
        other = core.clients.register(last_name="Nowak", phones=["+48601234568"])
        invoice = core.sales.define_type("FV", "Invoice")
        product = core.products.define("P-1", "Food")
        price_list = core.price_lists.create("Retail", "PLN")
        core.messages.configure(enabled=True)
        vet = core.staff.add("Dr Ewa", roles=[Role.STAFF]).id
        core.merges.merge(base.id, [other.id])
        attempts: list[Callable[[], object]] = [
            lambda: core.sales.draft(other.id, invoice.id),
            lambda: core.sales.settle(other.id, Decimal("1.00"), "PLN"),
            lambda: core.sales.turnover(other.id, date(2026, 1, 1), date(2026, 12, 31)),
            lambda: core.price_lists.assign(price_list.id, [other.id]),
            lambda: core.interests.record(other.id, product.id),
            lambda: core.messages.send(other.id, "Hello"),
            lambda: core.messages.history(other.id),
            lambda: core.tasks.create(
                "Call", datetime(2026, 5, 4, 9, tzinfo=UTC), vet, client_id=other.id
            ),
            lambda: core.tasks.for_client(other.id),
            lambda: core.linked.add(other.id, SUBSCRIPTION, "Food monthly"),
            lambda: core.linked.for_client(other.id),
        ]
        for attempt in attempts:
            with pytest.raises(ClientMerged) as refused:
                attempt()
            assert refused.value.base_id == base.id
        result = core.bulk.set_caretaker(vet, client_ids=[base.id, other.id])
        assert result.changed == (base.id,)
        assert result.skipped == (Skipped(other.id, SkipReason.MERGED),)

    def test_chains_resolve_to_the_surviving_client(self, core: Core) -> None:
        first, second, third = (core.clients.register(last_name=n) for n in ("A", "B", "C"))
        core.merges.merge(second.id, [third.id])
        core.merges.merge(first.id, [second.id])
        assert core.merges.surviving(third.id) == first.id
        with pytest.raises(ClientMerged) as merged:
            core.clients.get(third.id)
        assert merged.value.base_id == first.id
        kinds = [e.kind for e in core.clients.history(first.id)]
        assert kinds.count(EventKind.CLIENT_REGISTERED) == 3
        assert kinds.count(EventKind.CLIENT_MERGED) == 2

    def test_refused_merges_change_nothing(self, core: Core) -> None:
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak")
        third = core.clients.register(last_name="Nowak")
        with pytest.raises(MergeRefused):
            core.merges.merge(base.id, [base.id])
        with pytest.raises(NotFound):
            core.merges.merge(base.id, [UUID(int=7)])
        stranger = core.for_tenant(core.tenant + "-other").clients.register(last_name="Nowak")
        with pytest.raises(NotFound):
            core.merges.merge(base.id, [stranger.id])
        with pytest.raises(ValidationError):
            core.merges.merge(base.id, [])
        with pytest.raises(ValidationError):
            core.merges.merge(base.id, [other.id], choose={"code": other.id})
        with pytest.raises(ValidationError):
            core.merges.merge(base.id, [other.id], choose={"birthday": third.id})
        core.merges.merge(base.id, [other.id])
        with pytest.raises(MergeRefused) as into_merged:
            core.merges.merge(other.id, [third.id])
        assert into_merged.value.ids == (base.id,)
        with pytest.raises(MergeRefused):
            core.merges.merge(third.id, [other.id])
        assert core.clients.get(third.id).version == third.version
        assert core.merges.journal(third.id) == []
        forgotten = core.clients.register(last_name="Nowak")
        core.privacy.forget(forgotten.id)
        for base_id, merged_id in ((base.id, forgotten.id), (forgotten.id, third.id)):
            with pytest.raises(MergeRefused):
                core.merges.merge(base_id, [merged_id])
        assert core.merges.journal(forgotten.id) == []

    def test_merging_needs_a_merge_role(self, core: Core) -> None:
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak")
        vet = core.acting_as(Actor("vet-1", roles={Role.STAFF}))
        with pytest.raises(PermissionDenied):
            vet.merges.merge(base.id, [other.id])
        with pytest.raises(PermissionDenied):
            vet.merges.preview(base.id, [other.id])
        desk = core.acting_as(Actor("desk-1", roles={Role.RECEPTION}))
        desk.merges.merge(base.id, [other.id])
        assert core.merges.journal(base.id)[0].actor_id == "desk-1"

    def test_preview_tells_choices_conflicts_and_counts_and_writes_nothing(
        self, core: Core
    ) -> None:
        vet = core.staff.add("Dr Ewa", roles=[Role.STAFF]).id
        core.staff.set_hours(vet, every_day(time(9), time(17)))
        other_vet = core.staff.add("Dr Adam", roles=[Role.STAFF]).id
        core.staff.set_hours(other_vet, every_day(time(9), time(17)))
        base = core.clients.register(
            last_name="Nowak", phones=["601 234 567"], birthday=date(1980, 1, 1)
        )
        other = core.clients.register(
            last_name="Nowak", phones=["602 000 000"], birthday=date(1981, 1, 1)
        )
        mine = core.visits.book(base.id, vet, at(MONDAY, 10), 30)
        theirs = core.visits.book(other.id, other_vet, at(MONDAY, 10, 15), 30)
        third = core.visits.book(other.id, other_vet, at(MONDAY, 12), 30)
        core.notes.add(other.id, "allergic")
        history = core.clients.history(base.id)

        preview = core.merges.preview(base.id, [other.id], choose={"birthday": other.id})

        assert preview.dry_run
        assert preview.record is None
        assert preview.client.birthday == date(1981, 1, 1)
        assert FieldChoice("birthday", other.id, ChoiceReason.CHOSEN) in preview.choices
        conflicts = {(c.kind, c.subject): c for c in preview.conflicts}
        assert conflicts[(ConflictKind.FIELD, "birthday")].ids == (base.id, other.id)
        assert conflicts[(ConflictKind.PRIMARY, "phones")].values == (
            "+48601234567",
            "+48602000000",
        )
        assert conflicts[(ConflictKind.VISITS, "visits")].ids == (mine.id, theirs.id)
        assert preview.moved_count("visits") == 2
        assert preview.moved_count("notes") == 1
        assert preview.moved_count("subjects") == 0
        assert core.clients.get(other.id) == other
        assert core.clients.get(base.id) == base
        assert core.clients.history(base.id) == history
        assert core.merges.journal(base.id) == []

        outcome = core.merges.merge(base.id, [other.id], choose={"birthday": other.id})
        assert outcome.client.birthday == date(1981, 1, 1)
        visits = core.calendar.for_client(base.id)
        assert {v.id for v in (*visits.past, *visits.upcoming)} == {mine.id, theirs.id, third.id}

    def test_the_journal_and_the_history_tell_the_merge(
        self, core: Core, clock: TickingClock
    ) -> None:
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak", first_name="Anna")
        note = core.notes.add(other.id, "before the merge")
        outcome = core.merges.merge(base.id, [other.id])
        record = outcome.record
        assert record is not None
        assert core.merges.journal(base.id) == [record]
        assert core.merges.journal(other.id) == [record]
        assert (record.base_id, record.merged_ids, record.actor_id) == (
            base.id,
            (other.id,),
            "owner-1",
        )
        assert record.target is MergeTarget.CLIENT
        assert record.at <= clock.now()
        assert record.moved_keys("notes") == (note.id.hex,)
        assert FieldChoice("first_name", other.id, ChoiceReason.FILLED) in record.choices

        def merge_events(events: list[Event]) -> list[Event]:
            kinds = (EventKind.CLIENT_MERGED, EventKind.CLIENT_MERGED_INTO)
            return [event for event in events if event.kind in kinds]

        on_base = core.clients.history(base.id)
        assert [e.entity_id for e in merge_events(on_base)] == [record.id, record.id]
        assert EventKind.NOTE_ADDED in [e.kind for e in on_base]  # read through the link
        assert [e.client_id for e in on_base if e.kind == EventKind.NOTE_ADDED] == [other.id]
        on_other = core.clients.history(other.id)
        assert [(e.kind, e.entity_id) for e in merge_events(on_other)] == [
            (EventKind.CLIENT_MERGED_INTO, record.id)
        ]

    def test_the_consent_ledger_moves_whole_and_the_latest_decision_wins(
        self, core: Core, clock: TickingClock
    ) -> None:
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak")
        core.consents.record(
            base.id, Purpose.NOTIFICATIONS, granted=True, channel=Channel.SMS, source="form"
        )
        core.consents.record(
            other.id, Purpose.NOTIFICATIONS, granted=False, channel=Channel.SMS, source="call"
        )
        core.consents.record(other.id, Purpose.DATA_PROCESSING, granted=True, source="form")
        core.merges.merge(base.id, [other.id])
        ledger = core.consents.history(base.id)
        assert [(r.purpose, r.granted) for r in ledger] == [
            (Purpose.NOTIFICATIONS, True),
            (Purpose.NOTIFICATIONS, False),
            (Purpose.DATA_PROCESSING, True),
        ]
        assert core.consents.current(base.id) == {
            (Purpose.NOTIFICATIONS, Channel.SMS): False,
            (Purpose.DATA_PROCESSING, None): True,
        }

    def test_a_failure_in_the_middle_of_a_merge_changes_nothing(self, core: Core) -> None:
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak", birthday=date(1990, 1, 1))
        theirs = _linked(core, other.id, "3")
        history = core.clients.history(other.id)

        def fail(event: Event, tx: Transaction) -> None:
            raise _Injected()

        core.events.on(EventKind.CLIENT_MERGED, fail)
        with pytest.raises(_Injected):
            core.merges.merge(base.id, [other.id])
        assert core.clients.get(other.id) == other
        assert core.clients.get(base.id) == base
        assert core.clients.history(other.id) == history
        assert core.merges.journal(base.id) == []
        assert core.merges.surviving(other.id) == other.id
        assert [r.id for r in core.records(INVOICES).find(client_id=other.id)] == [
            theirs["invoices"]
        ]
        assert [r.id for r in core.records(STAMPS).find(client_id=other.id)] == [theirs["stamps"]]
        assert [n.id for n in core.notes.for_client(other.id)] == [theirs["notes"]]

    def test_alike_subjects_are_offered_and_merged(self, core: Core) -> None:
        vet = core.staff.add("Dr Ewa", roles=[Role.STAFF]).id
        core.staff.set_hours(vet, every_day(time(9), time(17)))
        base = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Nowak")
        burek = core.subjects.add(base.id, kind="dog", name="Burek", details={"breed": "mix"})
        twin = core.subjects.add(
            other.id, kind="dog", name="burek ", details={"species": "dog", "chip": "123"}
        )
        core.subjects.add(other.id, kind="cat", name="Burek")
        core.subjects.add(other.id, kind="dog", name="Azor")
        visit = core.visits.book(other.id, vet, at(MONDAY, 10), 30, subject_id=twin.id)
        core.merges.merge(base.id, [other.id])

        pairs = core.merges.similar_subjects(base.id)
        assert [(p.first.id, p.second.id) for p in pairs] == [(burek.id, twin.id)]
        assert "same name" in pairs[0].reasons

        record = core.merges.merge_subjects(burek.id, [twin.id])
        assert record.target is MergeTarget.SUBJECT
        assert record.moved_keys("visits") == (visit.id.hex,)
        assert core.visits.get(visit.id).subject_id == burek.id
        assert dict(core.subjects.get(burek.id).details) == {
            "breed": "mix",
            "species": "dog",
            "chip": "123",
        }
        assert not core.subjects.get(twin.id).active
        assert core.merges.surviving(twin.id) == burek.id
        assert core.merges.similar_subjects(base.id) == []
        assert record in core.merges.journal(base.id)
        assert EventKind.SUBJECT_MERGED in [e.kind for e in core.clients.history(base.id)]
        with pytest.raises(MergeRefused):
            core.merges.merge_subjects(burek.id, [twin.id])

    def test_merges_racing_links_changes_and_other_merges_lose_nothing(
        self, core: Core, backend: Backend
    ) -> None:
        vet = core.staff.add("Dr Race", roles=[Role.STAFF]).id
        core.staff.set_hours(vet, every_day(time(0), time(23, 59)))
        keys = [f"k{index}" for index in range(40)]
        for key in keys:
            core.setup.define_attribute(key, label=key, type="text")
        base = core.clients.register(last_name="Nowak").id
        duplicates = [core.clients.register(last_name=f"Nowak {i}").id for i in range(8)]
        result = run_merge_race(core, base, duplicates, vet, at(MONDAY, 0), keys)
        check_merge_race(core, backend, result, [base, *duplicates])
        assert result.merges > 0
        assert result.linked
        assert result.changed

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        registered=st.lists(registrations(), min_size=2, max_size=4),
        links=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(LINKS)), max_size=12),
    )
    def test_a_merge_keeps_every_linked_record_once_on_the_base(
        self,
        core: Core,
        registered: list[ClientFields],
        links: list[tuple[int, str]],
    ) -> None:
        core = core.for_tenant(new_tenant("merge"))
        core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
        staff = core.staff.add("Dr Ewa", roles=[Role.STAFF]).id
        clients = [core.clients.register(**fields) for fields in registered]
        made: dict[str, list[UUID]] = {kind: [] for kind in LINKS}
        for number, (which, kind) in enumerate(links):
            owner = clients[which % len(clients)].id
            made[kind].append(_link(core, kind, owner, number, staff))
        base, others = clients[0], clients[1:]

        outcome = core.merges.merge(base.id, [other.id for other in others])

        for name, ids in made.items():
            if name == "invoices":
                found = [r.id for r in core.records(INVOICES).find(client_id=base.id)]
            elif name == "stamps":
                found = [r.id for r in core.records(STAMPS).find(client_id=base.id)]
            elif name == "subjects":
                found = [s.id for s in core.subjects.for_client(base.id, include_inactive=True)]
            elif name == "notes":
                found = [n.id for n in core.notes.for_client(base.id)]
            elif name == "consents":
                found = [c.id for c in core.consents.history(base.id)]
            else:
                visits = core.calendar.for_client(base.id)
                found = [v.id for v in (*visits.past, *visits.upcoming)]
            assert sorted(found, key=str) == sorted(ids, key=str), name
        merged = core.clients.get(base.id)
        assert merged == outcome.client
        assert {p.number for p in merged.phones} == {p.number for c in clients for p in c.phones}
        assert {e.address.casefold() for e in merged.emails} == {
            e.address.casefold() for c in clients for e in c.emails
        }
        assert {(d.kind, d.number) for d in merged.identity_documents} == {
            (d.kind, d.number) for c in clients for d in c.identity_documents
        }
        assert {a.kind for a in merged.addresses} == {a.kind for c in clients for a in c.addresses}
        assert [p for p in merged.phones if p.primary] == (
            [p for p in base.phones if p.primary] or [p for p in merged.phones if p.primary][:1]
        )
        assert len([p for p in merged.phones if p.primary]) == (1 if merged.phones else 0)
        for other in others:
            with pytest.raises(ClientMerged) as redirected:
                core.clients.get(other.id)
            assert redirected.value.base_id == base.id
            assert core.merges.surviving(other.id) == base.id

    @pytest.mark.parametrize(
        ("kind", "method"),
        [("stamps", "move"), ("invoices", "move"), ("merge_links", "add")],
    )
    def test_a_store_failing_in_the_middle_of_a_merge_changes_nothing(
        self, core: Core, backend: Backend, clock: TickingClock, kind: str, method: str
    ) -> None:
        base = core.clients.register(last_name="Nowak", phones=["601 234 567"])
        other = core.clients.register(last_name="Nowak", birthday=date(1990, 1, 1))
        ours = _linked(core, base.id, "4")
        theirs = _linked(core, other.id, "5")
        failing = FailingBackend(backend, kind=kind, method=method)
        broken = clientcore.open(failing, tenant=core.tenant, actor=core.actor, clock=clock)
        before = {c: core.clients.history(c) for c in (base.id, other.id)}

        with pytest.raises(InjectedFailure):
            broken.merges.merge(base.id, [other.id])

        assert core.clients.get(other.id) == other
        assert core.clients.get(base.id) == base
        assert {c: core.clients.history(c) for c in (base.id, other.id)} == before
        assert core.merges.journal(base.id) == []
        assert core.merges.surviving(other.id) == other.id
        for client, linked in ((base.id, ours), (other.id, theirs)):
            assert [s.id for s in core.subjects.for_client(client)] == [linked["subjects"]]
            assert [n.id for n in core.notes.for_client(client)] == [linked["notes"]]
            assert [c.id for c in core.consents.history(client)] == [linked["consents"]]
            invoices = core.records(INVOICES).find(client_id=client)
            assert [(i.id, i.version) for i in invoices] == [(linked["invoices"], 1)]
            stamps = core.records(STAMPS).find(client_id=client)
            assert [s.id for s in stamps] == [linked["stamps"]]
