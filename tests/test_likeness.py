"""Invariants of the likeness of two clients and of the duplicate scan (hypothesis)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clientcore
from clientcore import Client, ClientFields
from clientcore.entities.likeness import (
    EvidenceBound,
    Profile,
    _birthday_weights,
    _birthdays,
    evidence,
    phonetic,
    profile,
    profile_of,
    score,
)
from clientcore.entities.profile_table import ProfileTable, profile_text
from clientcore.errors import StorageError
from clientcore.operations.duplicate_scan import BLOCK_LIMIT, DuplicateScan, candidate_pairs
from clientcore.testing.strategies import registrations

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _core() -> clientcore.Core:
    core = clientcore.open("memory://", tenant="t", actor=clientcore.Actor("anna"))
    core.setup.configure(default_region="PL")
    return core


def _client(fields: ClientFields) -> Client:
    return _core().clients.register(**fields)


@settings(max_examples=60, deadline=None)
@given(registrations(), registrations())
def test_likeness_is_symmetric_and_scores_lie_between_0_and_1(
    a: ClientFields, b: ClientFields
) -> None:
    first, second = profile_of(_client(a)), profile_of(_client(b))
    there, back = evidence(first, second), evidence(second, first)
    assert there[0] == back[0]
    assert set(there[1]) == set(back[1])
    assert 0.0 <= score(there[0]) <= 1.0


@settings(max_examples=60, deadline=None)
@given(registrations())
def test_a_registered_client_is_a_candidate_for_its_own_fields(fields: ClientFields) -> None:
    core = _core()
    client = core.clients.register(**fields)
    profile = profile_of(client)
    found = [c.client.id for c in core.clients.similar(**fields)]
    if (profile.first and profile.last) or profile.phones or profile.emails:
        assert found == [client.id]
    else:
        assert found in ([], [client.id])


@settings(max_examples=40, deadline=None)
@given(st.lists(registrations(), min_size=2, max_size=8))
def test_clients_sharing_a_phone_email_or_document_are_compared(
    rows: list[ClientFields],
) -> None:
    clients = [_client(row) for row in rows]
    profiles = [profile_of(client) for client in clients]
    pairs = candidate_pairs(profiles)
    assert all(a < b for a, b in pairs)
    assert len(pairs) <= len(rows) * (len(rows) - 1) // 2
    for b in range(len(profiles)):
        for a in range(b):
            x, y = profiles[a], profiles[b]
            if (x.phones & y.phones) or (x.emails & y.emails) or (x.documents & y.documents):
                assert len(rows) > BLOCK_LIMIT or (a, b) in pairs


@settings(max_examples=30, deadline=None)
@given(st.lists(registrations(), max_size=10))
def test_scan_groups_are_disjoint_and_their_pairs_reach_the_threshold(
    rows: list[ClientFields],
) -> None:
    core = _core()
    for row in rows:
        core.clients.register(**row)
    scan = core.clients.find_duplicates(page_size=3)
    groups = list(scan)
    seen: set[uuid.UUID] = set()
    for group in groups:
        assert seen.isdisjoint(group.client_ids)
        seen.update(group.client_ids)
        assert {i for p in group.pairs for i in (p.first_id, p.second_id)} == set(group.client_ids)
        assert all(p.score >= 0.5 and str(p.first_id) < str(p.second_id) for p in group.pairs)
    assert scan.clients_read == len(rows)
    assert [g.score for g in groups] == sorted((g.score for g in groups), reverse=True)


_NAMES = ["", "Anna", "Ana", "Anną", "Kowalska", "Kowalski", "Kovalska", "Jan", "Nowak"]


def _likely_alike() -> st.SearchStrategy[Profile]:
    """Profiles drawn from small pools, so that pairs agree, nearly agree or differ on
    every field (random registrations almost never share anything)."""
    person = st.tuples(st.sampled_from(_NAMES), st.sampled_from(_NAMES), st.just(""))
    company = st.tuples(st.just(""), st.just(""), st.sampled_from(["Burek", "Burek Sp.", "Acme"]))
    place = st.tuples(
        st.sampled_from(["ul. Długa 5", "Dluga 5", "Długa 7", "Krótka 1", ""]),
        st.sampled_from(["00-950", "00-951", ""]),
        st.sampled_from(["Warszawa", "Warszawy", "Kraków", ""]),
    )
    return st.builds(
        lambda client_id, names, phones, emails, birthday, documents, addresses: profile(
            client_id,
            names,
            phones=phones,
            emails=emails,
            birthday=birthday,
            documents=documents,
            addresses=addresses,
        ),
        st.uuids(),
        person | company,
        st.lists(st.sampled_from(["+48601000001", "+48601000002", "+48601000003"]), max_size=2),
        st.lists(st.sampled_from(["a@x.pl", "A@X.PL", "b@x.pl"]), max_size=2),
        st.none() | st.sampled_from([date(1980, 1, 2), date(1980, 2, 1), date(1980, 1, 3)]),
        st.lists(st.sampled_from(["ABC123456", "abc 123457", "ABC123456 ", "XYZ1"]), max_size=2),
        st.lists(place, max_size=2),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(_likely_alike(), min_size=2, max_size=10))
def test_the_scan_bound_is_never_below_the_evidence(profiles: list[Profile]) -> None:
    pairs = [(a, b) for b in range(len(profiles)) for a in range(b)]
    first, second = np.array(pairs, dtype=np.int64).T
    bounds = EvidenceBound(ProfileTable.of(profiles)).at_most(first, second)
    for (a, b), bound in zip(pairs, bounds.tolist(), strict=True):
        assert evidence(profiles[a], profiles[b])[0] <= bound


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_likely_alike(), max_size=16, unique_by=lambda p: p.id),
    st.sampled_from([0.3, 0.5, 0.8]),
)
def test_the_scan_scores_each_pair_as_evidence_does(
    profiles: list[Profile], min_score: float
) -> None:
    """The scan skips the pairs whose bound falls short, and scores the rest with
    :func:`evidence`: the same pairs, scores and reasons as scoring every candidate."""
    texts = [profile_text(p) for p in profiles]
    scan = DuplicateScan(lambda _: (texts, None), min_score=min_score, progress=None)
    found = {
        frozenset((p.first_id, p.second_id)): (p.score, p.reasons) for g in scan for p in g.pairs
    }
    wanted = {}
    for a, b in candidate_pairs(profiles):
        weight, reasons = evidence(profiles[a], profiles[b])
        if score(weight) >= min_score:
            wanted[frozenset((profiles[a].id, profiles[b].id))] = (score(weight), reasons)
    assert found == wanted


_NEARBY_DAYS = st.dates(min_value=date(1979, 12, 1), max_value=date(1980, 3, 31))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.dates() | _NEARBY_DAYS, st.dates() | _NEARBY_DAYS), min_size=1))
def test_the_bound_weighs_birthdays_as_evidence_does(days: list[tuple[date, date]]) -> None:
    """The scan's bound takes its birthday weights from numpy, exactly as
    :func:`evidence` weighs the two birthdays (same, near by one digit, two digits or day
    and month swapped, different)."""
    numbers = np.array(
        [[d.year * 10_000 + d.month * 100 + d.day for d in pair] for pair in days], dtype=np.int64
    )
    found = _birthday_weights(numbers[:, 0], numbers[:, 1]).tolist()
    assert found == [_birthdays(a, b)[0] for a, b in days]


def test_profiles_stored_in_an_earlier_form_are_refused_with_a_clear_error() -> None:
    """A database not upgraded to revision clientcore_0011 holds the JSON form of
    clientcore_0009: a scan says so instead of misreading it."""
    earlier = '["0190c1f2a3b4c5d6e7f8091a2b3c4d5e","anna","nowak","",[],[],null,[],[],[],[],[]]'
    with pytest.raises(StorageError, match="clientcore migrate"):
        ProfileTable([[earlier, earlier]])


def test_the_phonetic_key_hears_spelling_variants() -> None:
    assert phonetic("kowalski") == phonetic("kovalsky") == "k142"
    assert phonetic("zolkiewski") == phonetic("zolkievski")
    assert phonetic("nowak") != phonetic("kowalski")
    assert phonetic("") == phonetic("123") == ""
