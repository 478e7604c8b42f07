"""Stored ids read back: :func:`stored_id` (the ``Id`` type's conversion, and that of the
reads that take ids as the driver returns them: client rows, ``SqlVisitRepository.busy``)
gives the UUID of the 32 hex digits an ``Id`` column stores outside PostgreSQL (as text or
bytes), passes a native UUID through, and refuses anything else."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientcore.adapters.sql.schema import stored_id


@given(st.uuids(version=None))
def test_the_uuid_of_each_stored_form(value: UUID) -> None:
    assert stored_id(value.hex) == value
    assert stored_id(value.hex.encode("ascii")) == value
    assert stored_id(value) is value


@pytest.mark.parametrize("text", ["", "0" * 31, "0" * 33, "z" * 32])
def test_a_text_that_is_not_32_hex_digits_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"badly formed|invalid literal"):
        stored_id(text)
