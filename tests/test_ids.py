"""The ids a core makes unless the host gives its own factory: UUID version 7, ordered by
the time they were made."""

from __future__ import annotations

import time
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

import clientcore
from clientcore.api import ids

LAST = 2**48 * 1_000_000 - 1
"""The last nanosecond whose millisecond fits the id's 48 bits (in the year 10889)."""
NANOSECONDS = st.integers(min_value=0, max_value=LAST)
QUANTUM = 1_000_000 // 4096 + 1
"""Nanoseconds that always move an id's time fields on (a 4096th of a millisecond)."""
LATER_BY = 10**12


def _made_at(monkeypatch: pytest.MonkeyPatch, nanoseconds: int) -> UUID:
    monkeypatch.setattr(time, "time_ns", lambda: nanoseconds)
    return ids.time_ordered_id()


@given(NANOSECONDS)
def test_an_id_is_version_7_and_carries_its_millisecond(nanoseconds: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        made = _made_at(patch, nanoseconds)
    assert (made.version, made.variant) == (7, "specified in RFC 4122")
    assert made.int >> 80 == nanoseconds // 1_000_000


@given(
    st.integers(min_value=0, max_value=LAST - LATER_BY),
    st.integers(min_value=QUANTUM, max_value=LATER_BY),
)
def test_a_later_id_sorts_after_an_earlier_one_as_uuid_and_as_stored_text(
    earlier: int, later_by: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        first, second = _made_at(patch, earlier), _made_at(patch, earlier + later_by)
    assert first < second
    assert first.hex < second.hex


def test_ids_of_one_instant_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len({_made_at(monkeypatch, 10**18) for _ in range(1000)}) == 1000


def test_a_core_makes_time_ordered_ids_unless_given_a_factory() -> None:
    actor = clientcore.Actor("a")
    core = clientcore.open("memory://", tenant="t", actor=actor)
    assert core.clients.register(last_name="Nowak").id.version == 7
    fixed = UUID(int=42)
    given_ids = clientcore.open("memory://", tenant="t", actor=actor, ids=lambda: fixed)
    assert given_ids.clients.register(last_name="Nowak").id == fixed
