"""How field values read in the history (``render``), and the changes of a registration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType
from uuid import UUID

import pytest
from hypothesis import given

from clientcore.entities.client import Client, ClientKind, DocumentKind, IdentityDocument, NameDay
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
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
