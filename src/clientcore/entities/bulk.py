"""Bulk changes of clients (B1, B2): one change applied to every client of a selection.

A change is a value (:class:`SetAttribute`, :class:`ClearAttribute`, :class:`SetCaretaker`,
:class:`AddGroup`, :class:`RemoveGroup`) that says how it changes the few fields a bulk
change touches (:class:`ClientState`). Stores apply it set-based; :func:`applied` is the
same change in Python, what the in-memory store and the history events are made from.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import attrs

from clientcore.entities.client import AttributeValue, ClientStatus, frozen_mapping
from clientcore.entities.common import id_set


@attrs.frozen
class ClientState:
    """What a bulk change reads and writes of a client (a store may read only the field
    the change writes, leaving the others empty)."""

    id: UUID
    version: int
    status: ClientStatus
    caretaker_id: UUID | None = None
    group_ids: frozenset[UUID] = attrs.field(default=frozenset(), converter=id_set)
    attributes: Mapping[str, AttributeValue] = attrs.field(factory=dict, converter=frozen_mapping)


@attrs.frozen
class SetAttribute:
    """Set the custom attribute ``key`` to ``value`` (validated by its definition)."""

    key: str
    value: AttributeValue


@attrs.frozen
class ClearAttribute:
    """Remove the custom attribute ``key``."""

    key: str


@attrs.frozen
class SetCaretaker:
    """Make ``caretaker_id`` the caretaker (None: no caretaker)."""

    caretaker_id: UUID | None


@attrs.frozen
class AddGroup:
    group_id: UUID


@attrs.frozen
class RemoveGroup:
    group_id: UUID


BulkChange = SetAttribute | ClearAttribute | SetCaretaker | AddGroup | RemoveGroup
"""One change a bulk operation applies to every client of its selection."""

CHANGED_FIELD: Mapping[type, str] = {
    SetAttribute: "attributes",
    ClearAttribute: "attributes",
    SetCaretaker: "caretaker_id",
    AddGroup: "group_ids",
    RemoveGroup: "group_ids",
}
"""The client field each kind of change writes."""


class Unchanged(enum.Enum):
    """The value :func:`new_value` gives for a change that changes nothing."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def new_value(change: BulkChange, state: ClientState) -> object:
    """The value the field ``change`` writes (:data:`CHANGED_FIELD`) takes on the client
    in ``state``, or :data:`UNCHANGED` when the change would change nothing."""
    if isinstance(change, SetAttribute):
        if _same(state.attributes.get(change.key), change.value):
            return UNCHANGED
        return frozen_mapping({**state.attributes, change.key: change.value})
    if isinstance(change, ClearAttribute):
        if change.key not in state.attributes:
            return UNCHANGED
        return frozen_mapping({k: v for k, v in state.attributes.items() if k != change.key})
    if isinstance(change, SetCaretaker):
        same = state.caretaker_id == change.caretaker_id
        return UNCHANGED if same else change.caretaker_id
    if isinstance(change, AddGroup):
        same = change.group_id in state.group_ids
        return UNCHANGED if same else state.group_ids | {change.group_id}
    if change.group_id not in state.group_ids:
        return UNCHANGED
    return state.group_ids - {change.group_id}


def applied(change: BulkChange, state: ClientState) -> ClientState | None:
    """``state`` with ``change`` applied (version and all else untouched), or None when the
    change would change nothing."""
    value = new_value(change, state)
    if value is UNCHANGED:
        return None
    changes: dict[str, Any] = {CHANGED_FIELD[type(change)]: value}
    return attrs.evolve(state, **changes)


def _same(old: AttributeValue | None, new: AttributeValue) -> bool:
    """Whether a stored attribute value is ``new`` exactly (``Decimal("1.50")`` is not
    ``Decimal("1.5")``, ``True`` is not ``Decimal(1)``): what the history would show no
    change of."""
    return type(old) is type(new) and str(old) == str(new)


class SkipReason(enum.StrEnum):
    """Why a client of a selection was not changed."""

    NOT_FOUND = "not_found"
    """No client of the tenant has this id."""
    UNCHANGED = "unchanged"
    """The client already is as the change would make it."""
    MERGED = "merged"
    """The client was merged into another (``core.merges.surviving`` names it): a change
    belongs on that one."""


@attrs.frozen
class Skipped:
    client_id: UUID
    reason: SkipReason


@attrs.frozen
class BulkResult:
    """What a bulk change did: the clients it changed (each with its history event and a
    new version) and those it skipped, with why."""

    changed: tuple[UUID, ...]
    skipped: tuple[Skipped, ...]

    @property
    def changed_count(self) -> int:
        return len(self.changed)

    def __add__(self, other: BulkResult) -> BulkResult:
        return BulkResult(self.changed + other.changed, self.skipped + other.skipped)
