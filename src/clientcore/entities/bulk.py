"""Bulk changes of clients (B1, B2): one change applied to every client of a selection.

A change is a value (:class:`SetAttribute`, :class:`ClearAttribute`, :class:`SetCaretaker`,
:class:`AddGroup`, :class:`RemoveGroup`) that says how it changes the few fields a bulk
change touches (:class:`ClientState`). Stores apply it set-based; :func:`applied` is the
same change in Python, what the in-memory store and the history events are made from.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from uuid import UUID

import attrs

from clientcore.entities.client import AttributeValue, ClientStatus, frozen_mapping
from clientcore.entities.common import id_set


@attrs.frozen
class ClientState:
    """What a bulk change reads and writes of a client."""

    id: UUID
    version: int
    status: ClientStatus
    caretaker_id: UUID | None
    group_ids: frozenset[UUID] = attrs.field(converter=id_set)
    attributes: Mapping[str, AttributeValue] = attrs.field(converter=frozen_mapping)


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


def applied(change: BulkChange, state: ClientState) -> ClientState | None:
    """``state`` with ``change`` applied (version and all else untouched), or None when the
    change would change nothing."""
    changes: dict[str, object]
    if isinstance(change, SetAttribute):
        old = state.attributes.get(change.key)
        if _same(old, change.value):
            return None
        changes = {"attributes": {**state.attributes, change.key: change.value}}
    elif isinstance(change, ClearAttribute):
        if change.key not in state.attributes:
            return None
        changes = {"attributes": {k: v for k, v in state.attributes.items() if k != change.key}}
    elif isinstance(change, SetCaretaker):
        if state.caretaker_id == change.caretaker_id:
            return None
        changes = {"caretaker_id": change.caretaker_id}
    elif isinstance(change, AddGroup):
        if change.group_id in state.group_ids:
            return None
        changes = {"group_ids": state.group_ids | {change.group_id}}
    else:
        if change.group_id not in state.group_ids:
            return None
        changes = {"group_ids": state.group_ids - {change.group_id}}
    return attrs.evolve(state, **changes)  # type: ignore[arg-type]


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
