"""Subjects of service: a client's pets, vehicles or devices (C13, O6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

import attrs

from clientcore.entities.common import PII_KEY, pii

SUBJECT_KIND_MAX_LENGTH = 50
SUBJECT_NAME_MAX_LENGTH = 100
DETAIL_KEY_MAX_LENGTH = 50
DETAIL_VALUE_MAX_LENGTH = 500
MAX_DETAILS = 50


def _frozen_details(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Subject:
    """``kind`` is the host's word ("pet", "vehicle", "device"); ``details`` its free facts."""

    id: UUID
    client_id: UUID
    kind: str
    name: str = attrs.field(metadata={PII_KEY: True})
    created_at: datetime
    updated_at: datetime
    details: Mapping[str, str] = pii(factory=dict, converter=_frozen_details)
    active: bool = True
