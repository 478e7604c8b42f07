"""How field values read in the history (``render``), and the changes of a registration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import MappingProxyType
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from clientcore.entities.client import Client, ClientKind, DocumentKind, IdentityDocument, NameDay
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.localtime import span_text
from clientcore.operations.clients import HISTORY_FIELDS, _registration_changes
from clientcore.operations.context import diff, render
from clientcore.testing.strategies import entities

FIRST = UUID(int=1)
SECOND = UUID(int=2)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        ((), None),
        (frozenset(), None),
        (MappingProxyType({}), None),
        ("Nowak", "Nowak"),
        (True, "yes"),
        (False, "no"),
        (ClientKind.COMPANY, "company"),
        (0, "0"),
        (Decimal("1.50"), "1.50"),
        (FIRST, str(FIRST)),
        (date(2020, 1, 2), "2020-01-02"),
        (NameDay(month=3, day=7), "07.03"),
        (Phone("+48600000001", "home", primary=True), "+48600000001 (home) *"),
        (Email("jan@example.com"), "jan@example.com"),
        (
            (Phone("+48600000001", primary=True), Phone("+48600000002", "work")),
            "+48600000001 *; +48600000002 (work)",
        ),
        (
            Address(AddressKind.RESIDENCE, street="Długa 1", city="Gdańsk", country="PL"),
            "residence: Długa 1, Gdańsk, PL",
        ),
        (IdentityDocument(DocumentKind.PASSPORT, "AB123"), "passport AB123"),
        (frozenset({SECOND, FIRST}), f"{FIRST}; {SECOND}"),
        (MappingProxyType({"b": Decimal("2"), "a": True}), "a=yes; b=2"),
    ],
)
def test_render(value: object, text: str | None) -> None:
    assert render(value) == text


@given(entities(Client))
def test_a_registration_renders_only_the_fields_that_hold_a_value(client: Client) -> None:
    """A registration's changes skip the fields without a value before rendering them:
    they are the changes of the diff of every history field."""
    assert _registration_changes(client) == diff(None, client, HISTORY_FIELDS)


WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("value", "zone", "text"),
    [
        (datetime(2026, 6, 1, 10, tzinfo=UTC), WARSAW, "2026-06-01 12:00 Europe/Warsaw"),
        (datetime(2026, 1, 5, 10, tzinfo=UTC), WARSAW, "2026-01-05 11:00 Europe/Warsaw"),
        (datetime(2026, 6, 1, 10, tzinfo=UTC), None, "2026-06-01 10:00 UTC"),
        (datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC), None, "2026-06-01 10:00:05 UTC"),
        (datetime(2026, 6, 1, 10, 0, 0, 5000, tzinfo=UTC), None, "2026-06-01 10:00:00.005 UTC"),
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            WARSAW,
            "2026-10-25 02:30 (UTC+02:00) Europe/Warsaw",
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            WARSAW,
            "2026-10-25 02:30 (UTC+01:00) Europe/Warsaw",
        ),
    ],
)
def test_an_instant_renders_in_the_tenants_zone(
    value: datetime, zone: ZoneInfo | None, text: str
) -> None:
    assert render(value, zone) == text


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ((10, 0), (10, 30), "2026-06-01 12:00-12:30 Europe/Warsaw"),
        ((21, 30), (22, 30), "2026-06-01 23:30 to 2026-06-02 00:30 Europe/Warsaw"),
    ],
)
def test_a_span_renders_in_the_tenants_zone(
    start: tuple[int, int], end: tuple[int, int], text: str
) -> None:
    first = datetime(2026, 6, 1, *start, tzinfo=UTC)
    last = datetime(2026, 6, 1, *end, tzinfo=UTC)
    assert span_text(first, last, WARSAW) == text
