"""Staff members: caretakers of clients and, later, the people visits are booked with."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import Role, role_set

STAFF_NAME_MAX_LENGTH = 100


@attrs.frozen
class StaffMember:
    id: UUID
    name: str
    created_at: datetime
    roles: frozenset[Role] = attrs.field(default=frozenset(), converter=role_set)
    active: bool = True
