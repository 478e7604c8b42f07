"""Contract: finding likely duplicates, before registration (M4) and across a tenant."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.client import Client, DocumentKind, IdentityDocument
from clientcore.entities.common import Actor
from clientcore.entities.contacts import Address, AddressKind
from clientcore.entities.duplicates import (
    UNMATCHED,
    DuplicateGroup,
    DuplicateReason,
    ScanProgress,
    ScanStage,
)
from clientcore.entities.likeness import profile_of
from clientcore.entities.profile_table import ProfileTable, profile_text
from clientcore.errors import ClientCoreError, LikelyDuplicate, PurgeIncomplete, ValidationError
from clientcore.facade import Core
from clientcore.operations.clients import ClientFields
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.strategies import registrations

R = DuplicateReason


def _reasons_for(core: Core, client: Client, **fields: object) -> tuple[DuplicateReason, ...]:
    """The reasons ``similar`` gives for ``client`` as a candidate for ``fields``."""
    found = core.clients.similar(**fields)  # type: ignore[arg-type]
    matching = [c for c in found if c.client.id == client.id]
    assert matching, f"{client.display_name} not among {[c.client.code for c in found]}"
    assert 0.3 <= matching[0].score <= 1.0
    return matching[0].reasons


_WRITES = (
    "register",
    "import",
    "update",
    "deactivate",
    "merge",
    "forget",
    "undo_forget",
    "anonymise",
    "bulk",
)
"""The kinds of write :func:`_write` makes."""


def _write(
    core: Core, write: str, one: UUID, other: UUID, rows: Iterator[ClientFields]
) -> list[UUID]:
    """Make a ``write`` of one of :data:`_WRITES` on the client ``one`` (and ``other``,
    merged into it), taking fields from ``rows``; the ids of the clients it made."""
    if write == "register":
        return [core.clients.register(**next(rows)).id]
    if write == "import":
        return [client.id for client in core.clients.import_many([next(rows), next(rows)])]
    if write == "update":
        core.clients.update(one, **next(rows))
    elif write == "deactivate":
        core.clients.deactivate(one)
    elif write == "merge":
        core.merges.merge(one, [other])
    elif write == "forget":
        core.privacy.forget(one)
    elif write == "undo_forget":
        core.privacy.undo_forget(one)
    elif write == "anonymise":
        with contextlib.suppress(PurgeIncomplete):
            core.privacy.anonymise(one, core.privacy.request_anonymisation(one).code)
    else:
        core.bulk.set_attribute("vip", True, client_ids=[one, other])
    return []


def _pairs(groups: list[DuplicateGroup]) -> dict[frozenset[object], tuple[DuplicateReason, ...]]:
    return {frozenset((p.first_id, p.second_id)): p.reasons for g in groups for p in g.pairs}


class DuplicatesContract(BackendContract):
    @pytest.fixture
    def lukasz(self, core: Core) -> Client:
        return core.clients.register(
            first_name="Łukasz", last_name="Żółkiewski", phones=["601 234 567"]
        )

    @pytest.fixture
    def others(self, core: Core) -> list[Client]:
        """Clients that look like nobody else, and like none of the tests' new clients."""
        rows = [
            {"first_name": "Piotr", "last_name": "Zieliński", "phones": ["+48 512 000 111"]},
            {"first_name": "Maria", "last_name": "Lewandowska", "birthday": date(1975, 3, 1)},
            {"company_name": "Burek Sp. z o.o.", "kind": "company"},
            {"first_name": "Jonas", "last_name": "Petraitis", "emails": ["jonas@example.lt"]},
        ]
        return [core.clients.register(**row) for row in rows]  # type: ignore[arg-type]

    def test_diacritics_and_phone_formats_are_seen_through(
        self, core: Core, lukasz: Client, others: list[Client]
    ) -> None:
        found = core.clients.similar(
            first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"]
        )
        assert [c.client.id for c in found] == [lukasz.id]
        assert set(found[0].reasons) == {R.SAME_PHONE, R.SAME_NAME}

    def test_a_shared_phone_alone_with_typed_names_is_found(
        self, core: Core, lukasz: Client
    ) -> None:
        reasons = _reasons_for(
            core, lukasz, first_name="Łukasz", last_name="Żółkiewsky", phones=["0048601234567"]
        )
        assert set(reasons) == {R.SAME_PHONE, R.SIMILAR_NAME}

    def test_swapped_names_typos_and_email_case(self, core: Core, others: list[Client]) -> None:
        anna = core.clients.register(
            first_name="Anna", last_name="Kowalska", birthday=date(1980, 1, 2)
        )
        kasia = core.clients.register(
            first_name="Katarzyna", last_name="Wiśniewska", birthday=date(1991, 7, 30)
        )
        jan = core.clients.register(
            first_name="Jan", last_name="Nowak", emails=["Jan.Nowak@Example.COM"]
        )
        assert set(
            _reasons_for(
                core, anna, first_name="Kowalska", last_name="Anna", birthday=date(1980, 1, 2)
            )
        ) == {R.SWAPPED_NAME, R.SAME_BIRTHDAY}
        assert set(
            _reasons_for(
                core,
                kasia,
                first_name="Katarzyna",
                last_name="Wisniewka",
                birthday=date(1991, 7, 30),
            )
        ) == {R.SIMILAR_NAME, R.SAME_BIRTHDAY}
        assert set(
            _reasons_for(
                core, jan, first_name="Jan", last_name="Nowak", emails=["jan.nowak@example.com"]
            )
        ) == {R.SAME_EMAIL, R.SAME_NAME}

    def test_documents_addresses_and_near_birthdays_are_reasons(
        self, core: Core, others: list[Client]
    ) -> None:
        home = Address(
            AddressKind.RESIDENCE, street="ul. Długa 5", postal_code="00-950", city="Warszawa"
        )
        ewa = core.clients.register(
            first_name="Ewa",
            last_name="Mazur",
            birthday=date(1966, 4, 12),
            addresses=[home],
            identity_documents=[IdentityDocument(DocumentKind.ID_CARD, "ABC 123456")],
        )
        reasons = _reasons_for(
            core,
            ewa,
            first_name="Ewa",
            last_name="Mazur",
            birthday=date(1966, 12, 4),
            addresses=[
                Address(
                    AddressKind.CORRESPONDENCE,
                    street="Dluga 5",
                    postal_code="00-950",
                    city="warszawa",
                )
            ],
            identity_documents=[IdentityDocument(DocumentKind.PASSPORT, "abc123456")],
        )
        assert set(reasons) == {
            R.SAME_DOCUMENT,
            R.SAME_NAME,
            R.SIMILAR_BIRTHDAY,
            R.SAME_ADDRESS,
        }
        assert reasons[0] is R.SAME_DOCUMENT

    def test_different_people_are_no_candidates(self, core: Core, others: list[Client]) -> None:
        assert core.clients.similar(first_name="Anna", last_name="Kowalska") == []
        assert (
            core.clients.similar(
                first_name="Maria", last_name="Lewandowska", birthday=date(1981, 9, 9)
            )
            == []
        )
        assert core.clients.similar(company_name="Reksio S.A.", kind="company") == []

    def test_similar_checks_the_fields_as_registration_does(self, core: Core) -> None:
        with pytest.raises(ValidationError) as refused:
            core.clients.similar(last_name="Nowak", phones=["not a phone"])
        assert refused.value.field == "phones"
        with pytest.raises(ValidationError):
            core.clients.similar(last_name="Nowak", min_score=1.5)

    def test_registration_can_refuse_a_likely_duplicate(
        self, core: Core, lukasz: Client, others: list[Client]
    ) -> None:
        before = core.clients.search(status="all", limit=1000).clients
        with pytest.raises(LikelyDuplicate) as refused:
            core.clients.register(
                first_name="Lukasz",
                last_name="Zolkiewski",
                phones=["+48 601 234 567"],
                duplicates="refuse",
            )
        assert [c.client.id for c in refused.value.candidates] == [lukasz.id]
        assert R.SAME_PHONE in refused.value.candidates[0].reasons
        assert core.clients.search(status="all", limit=1000).clients == before
        new = core.clients.register(first_name="Zofia", last_name="Kamińska", duplicates="refuse")
        allowed = core.clients.register(
            first_name="Lukasz", last_name="Zolkiewski", phones=["601234567"]
        )
        assert {new.id, allowed.id}.isdisjoint({c.id for c in before})
        with pytest.raises(ValidationError):
            core.clients.register(last_name="Nowak", duplicates="maybe")

    def test_the_scan_finds_each_group_best_first(
        self, core: Core, lukasz: Client, others: list[Client]
    ) -> None:
        twin = core.clients.register(
            first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"]
        )
        third = core.clients.register(
            first_name="Łukasz", last_name="Zółkiewski", phones=["601-234-567"]
        )
        anna = core.clients.register(
            first_name="Anna", last_name="Kowalska", birthday=date(1980, 1, 2)
        )
        swapped = core.clients.register(
            first_name="Kowalska", last_name="Anna", birthday=date(1980, 1, 2)
        )
        told: list[ScanProgress] = []
        scan = core.clients.find_duplicates(progress=told.append, page_size=2)
        groups = list(scan)
        assert [set(g.client_ids) for g in groups] == [
            {lukasz.id, twin.id, third.id},
            {anna.id, swapped.id},
        ]
        scores = [p.score for g in groups for p in g.pairs]
        assert [g.score for g in groups] == sorted((g.score for g in groups), reverse=True)
        assert all(list(g.pairs) == sorted(g.pairs, key=lambda p: -p.score) for g in groups)
        assert all(0.5 <= s <= 1 for s in scores)
        pairs = _pairs(groups)
        assert set(pairs[frozenset((lukasz.id, twin.id))]) == {R.SAME_PHONE, R.SAME_NAME}
        assert set(pairs[frozenset((anna.id, swapped.id))]) == {R.SWAPPED_NAME, R.SAME_BIRTHDAY}
        clients = len(others) + 5
        assert scan.clients_read == clients
        assert 1 <= scan.pairs_compared <= clients * (clients - 1) // 2
        reading = [t for t in told if t.stage is ScanStage.READING]
        assert [t.done for t in reading] == [2, 4, 6, 8, 9]
        assert told[-1] == ScanProgress(
            ScanStage.COMPARING, scan.pairs_compared, scan.pairs_compared
        )

    def test_merged_and_forgotten_clients_are_never_offered(
        self, core: Core, lukasz: Client
    ) -> None:
        """A merged client lives on as its base, a forgotten one is hidden: neither is a
        candidate nor in a scan's groups."""
        twin = core.clients.register(
            first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"]
        )
        core.merges.merge(lukasz.id, [twin.id])
        gone = core.clients.register(
            first_name="Anna", last_name="Kowalska", phones=["512 345 678"]
        )
        core.privacy.forget(gone.id)
        assert [
            c.client.id for c in core.clients.similar(last_name="Zolkiewski", phones=["601234567"])
        ] == [lukasz.id]
        assert (
            core.clients.similar(first_name="Anna", last_name="Kowalska", phones=["512345678"])
            == []
        )
        assert list(core.clients.find_duplicates()) == []

    def test_profiles_are_read_by_id_a_page_at_a_time(
        self, core: Core, backend: Backend, lukasz: Client, others: list[Client]
    ) -> None:
        """The repository reads what a scan compares without making clients: the same
        profiles as the whole clients give, merged and forgotten clients left out."""
        ewa = core.clients.register(
            first_name="Ewa",
            last_name="Mazur",
            birthday=date(1966, 4, 12),
            emails=["Ewa.Mazur@Example.COM"],
            addresses=[
                Address(AddressKind.RESIDENCE, "ul. Długa 5", "00-950", "Warszawa"),
                Address(AddressKind.WORKPLACE, city="Kraków"),
            ],
            identity_documents=[IdentityDocument(DocumentKind.ID_CARD, "ABC 123456")],
        )
        merged = core.clients.register(first_name="Lukasz", last_name="Zolkiewski")
        core.merges.merge(lukasz.id, [merged.id])
        gone = core.clients.register(first_name="Anna", last_name="Kowalska")
        core.privacy.forget(gone.id)
        kept = sorted([lukasz.id, ewa.id, *(c.id for c in others)])
        with backend.unit_of_work(core.tenant, read_only=True) as uow:
            wanted = [profile_of(uow.clients.get(client_id)) for client_id in kept]
            texts = [profile_text(p) for p in wanted]
            assert uow.clients.profile_texts(None, 100) == texts
            assert uow.clients.profile_texts(kept[1], 3) == texts[2:5]
            assert uow.clients.profile_texts(kept[-1], 3) == []
        assert wanted[kept.index(ewa.id)].cities == ("warszawa", "krakow")
        assert ProfileTable([texts]).profile(kept.index(ewa.id)) == wanted[kept.index(ewa.id)]

    def test_stored_profiles_follow_every_kind_of_write(self, core: Core, backend: Backend) -> None:
        """After any sequence of writes (registration, import, update, deactivation,
        merge, forgetting and its undoing, anonymisation, a bulk change), the stored
        profile of every client a scan reads is the profile made from the client."""

        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            st.lists(registrations(), min_size=1, max_size=3),
            st.lists(
                st.tuples(st.sampled_from(_WRITES), st.integers(0, 9), st.integers(0, 9)),
                max_size=8,
            ),
            st.lists(registrations(), max_size=8),
        )
        def run(
            first: list[ClientFields], writes: list[tuple[str, int, int]], rows: list[ClientFields]
        ) -> None:
            tenant = core.for_tenant(new_tenant("profiles"))
            tenant.setup.configure(default_region="PL")
            tenant.setup.define_attribute("vip", label="VIP", type="flag")
            ids = [client.id for client in tenant.clients.import_many(first)]
            fields = iter(rows)
            for write, a, b in writes:
                with contextlib.suppress(ClientCoreError, StopIteration):
                    made = _write(tenant, write, ids[a % len(ids)], ids[b % len(ids)], fields)
                    ids += made
            with backend.unit_of_work(tenant.tenant, read_only=True) as uow:
                stored = [uow.clients.get(client_id) for client_id in sorted(set(ids))]
                wanted = [profile_text(profile_of(c)) for c in stored if c.status not in UNMATCHED]
                assert uow.clients.profile_texts(None, len(ids) + 1) == wanted

        run()

    def test_an_empty_tenant_has_no_groups(self, core: Core) -> None:
        scan = core.clients.find_duplicates()
        assert list(scan) == []
        assert (scan.clients_read, scan.pairs_compared) == (0, 0)

    def test_another_tenants_clients_never_match(
        self,
        core: Core,
        lukasz: Client,
        backend: Backend,
        clock: TickingClock,
        owner: Actor,
        open_core: Callable[..., Core],
    ) -> None:
        other = open_core(backend, tenant=new_tenant(), actor=owner, clock=clock)
        other.setup.configure(default_region="PL")
        theirs = other.clients.register(
            first_name="Łukasz", last_name="Żółkiewski", phones=["601 234 567"]
        )
        assert [
            c.client.id
            for c in other.clients.similar(
                first_name="Lukasz", last_name="Zolkiewski", phones=["601234567"]
            )
        ] == [theirs.id]
        assert [
            c.client.id
            for c in core.clients.similar(
                first_name="Lukasz", last_name="Zolkiewski", phones=["601234567"]
            )
        ] == [lukasz.id]
        assert list(core.clients.find_duplicates()) == []
        assert list(other.clients.find_duplicates()) == []
