"""``SqlVisitRepository.busy`` reads staff ids without the ``Id`` type: whatever form a
driver returns them in (a UUID on PostgreSQL, hex digits as text or bytes elsewhere), each
comes back as the UUID."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from clientcore.adapters.sql.visits import _known_id


@pytest.mark.parametrize("form", [lambda u: u, lambda u: u.hex, lambda u: u.hex.encode()])
def test_a_stored_id_in_any_form_is_its_uuid(form: Callable[[UUID], object]) -> None:
    staff_id = uuid4()
    stored = form(staff_id)
    ids: dict[object, UUID] = {}
    assert _known_id(ids, stored) == staff_id
    assert ids == {stored: staff_id}
