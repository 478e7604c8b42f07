"""Stored ids read back: :func:`uuid_from_hex` gives what ``UUID(hex=...)`` gives for the
32 hex digits an ``Id`` column stores, and refuses a text of another length."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientcore.adapters.sql.schema import uuid_from_hex

EXAMPLE = UUID("0b7c4d6e-1f2a-4b3c-8d9e-0a1b2c3d4e5f")


@given(st.uuids(version=None))
def test_the_uuid_that_uuid_hex_gives(value: UUID) -> None:
    found, expected = uuid_from_hex(value.hex), UUID(hex=value.hex)
    assert (found, found.is_safe) == (expected, expected.is_safe)


@pytest.mark.parametrize(
    "text", ["", EXAMPLE.hex[:-1], EXAMPLE.hex + "0", str(EXAMPLE)], ids=["empty", "31", "33", "36"]
)
def test_a_text_of_another_length_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="badly formed hexadecimal UUID string"):
        uuid_from_hex(text)


def test_a_text_that_is_not_hex_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        uuid_from_hex("z" * 32)
