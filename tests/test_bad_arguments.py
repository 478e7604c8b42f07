"""Arbitrary wrong-typed and out-of-range arguments to every public method of every part
(``clientcore.testing.inputs``): each call raises a ``clientcore.errors`` exception or
stores what it returns, on memory and on SQLite (the contracts run the per-case tests on
every adapter)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientcore
from clientcore import Actor, Role
from clientcore.facade import Core
from clientcore.testing.clock import TickingClock
from clientcore.testing.inputs import call_with_bad_arguments, make_fixtures, public_methods

OWNER = Actor("owner-1", roles={Role.OWNER})


@pytest.fixture(params=["memory", "sqlite"])
def core(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Core]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'fuzz.db'}"
    # a clock before the fixtures' dates: a booking refuses a start that has passed
    with clientcore.open(url, tenant="t", actor=OWNER, clock=TickingClock()) as core:
        yield core


PROPERTY = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the records aimed at are made per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_the_walk_reaches_every_part_and_method(core: Core) -> None:
    methods = set(public_methods(core))
    assert {part for part, _ in methods} == {
        "calendar",
        "clients",
        "consents",
        "notes",
        "setup",
        "staff",
        "subjects",
        "visits",
    }
    assert {("clients", "set_attribute"), ("visits", "book"), ("calendar", "free_slots")} <= methods


@settings(PROPERTY, max_examples=400)
@given(data=st.data())
def test_every_public_method_refuses_bad_arguments_with_a_typed_error(
    core: Core, data: st.DataObject
) -> None:
    call_with_bad_arguments(data, make_fixtures(core))


@pytest.mark.slow
@settings(PROPERTY, max_examples=2000)
@given(data=st.data())
def test_every_public_method_refuses_bad_arguments_at_length(
    core: Core, data: st.DataObject
) -> None:
    call_with_bad_arguments(data, make_fixtures(core))
