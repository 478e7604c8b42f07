"""Consents as a ledger (C5, P4): every grant and withdrawal is kept; the state is derived."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import pii

CONSENT_SOURCE_MAX_LENGTH = 100
CONSENT_EVIDENCE_MAX_LENGTH = 1000


class Purpose(enum.StrEnum):
    DATA_PROCESSING = "data_processing"
    COMMERCIAL_INFORMATION = "commercial_information"
    THIRD_PARTY_SHARING = "third_party_sharing"
    NOTIFICATIONS = "notifications"


class Channel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


@attrs.frozen
class ConsentRecord:
    """One entry of the ledger: a grant or a withdrawal of ``purpose`` (on ``channel``)."""

    id: UUID
    client_id: UUID
    purpose: Purpose
    channel: Channel | None
    granted: bool
    at: datetime
    """When the client gave or withdrew the consent."""
    source: str
    evidence: str = pii(default="")
    recorded_by: str = ""
    recorded_at: datetime = attrs.field(kw_only=True)


ConsentKey = tuple[Purpose, Channel | None]


def current_consents(records: Iterable[ConsentRecord]) -> Mapping[ConsentKey, bool]:
    """The state per (purpose, channel): the latest record wins; ties go to the later entry."""
    state: dict[ConsentKey, tuple[datetime, datetime, bool]] = {}
    for record in records:
        key = (record.purpose, record.channel)
        candidate = (record.at, record.recorded_at, record.granted)
        if key not in state or candidate[:2] >= state[key][:2]:
            state[key] = candidate
    return {key: value[2] for key, value in state.items()}


def has_consent(
    records: Iterable[ConsentRecord], purpose: Purpose, channel: Channel | None = None
) -> bool:
    """True if the latest record for the purpose (on the channel, or for all channels) grants it.

    A channel-specific record takes precedence over a channel-less one for that purpose.
    """
    state = current_consents(records)
    if channel is not None and (purpose, channel) in state:
        return state[(purpose, channel)]
    return state.get((purpose, None), False)
