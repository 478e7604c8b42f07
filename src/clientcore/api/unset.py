"""``UNSET``: the default of every field of a partial update that the caller did not give.

``core.clients.update(client_id, caretaker_id=None)`` clears the caretaker;
``core.clients.update(client_id, remarks="...")`` leaves it as it was. The same holds for
``core.subjects.update``, ``core.visits.update`` / ``reschedule`` and
``core.setup.configure`` (``time_zone=...`` alone keeps the region): a field is changed
exactly when it is passed, to whatever is passed (``None`` or ``""`` included, where the
field takes them).
"""

from __future__ import annotations

import enum
from typing import Any, Final, TypeVar

T = TypeVar("T")


class Unset(enum.Enum):
    """The type of :data:`UNSET` (one member, so a type checker can tell it apart)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset.UNSET


def given(**fields: Any) -> dict[str, Any]:
    """The fields passed with a value, :data:`UNSET` ones left out."""
    return {name: value for name, value in fields.items() if value is not UNSET}


def or_none(value: T | Unset) -> T | None:
    """``value``, or None where it was not given."""
    return None if isinstance(value, Unset) else value
