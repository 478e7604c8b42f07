"""Audit events: who changed what, when (C12). Appended in the same unit of work as the change."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import Role, pii, role_set


@attrs.frozen
class FieldChange:
    """One field's value before and after, rendered as text (None where there was none)."""

    field: str
    old: str | None = pii(default=None)
    new: str | None = pii(default=None)


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
