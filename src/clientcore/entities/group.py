"""Client groups defined per tenant ("regulars", "allergic"...) (C6)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

GROUP_NAME_MAX_LENGTH = 100


@attrs.frozen
class Group:
    id: UUID
    name: str
    created_at: datetime
