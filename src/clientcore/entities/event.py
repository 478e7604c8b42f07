"""Audit events: who changed what, when (C12). Appended in the same unit of work as the change."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import Role, role_set


@attrs.frozen
class FieldChange:
    """One field's value before and after, rendered as text (None where there was none)."""

    field: str
    old: str | None = None
    new: str | None = None


@attrs.frozen
class Event:
    """``kind`` is dotted (``client.updated``); ``client_id`` ties it to a client's history."""

    id: UUID
    kind: str
    entity_id: UUID
    client_id: UUID | None
    actor_id: str
    at: datetime
    actor_roles: frozenset[Role] = attrs.field(default=frozenset(), converter=role_set)
    changes: tuple[FieldChange, ...] = ()


def scrub_changes(event: Event, fields: frozenset[str]) -> Event:
    """``event`` with the old and new values of its changes of ``fields`` blanked; who did
    what and when stays."""
    changes = tuple(
        FieldChange(change.field) if change.field in fields else change for change in event.changes
    )
    return event if changes == event.changes else attrs.evolve(event, changes=changes)
