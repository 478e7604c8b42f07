"""The consent ledger (C5, P4): grants and withdrawals are appended, never overwritten."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from clientcore.entities import validation
from clientcore.entities.common import utc_millis
from clientcore.entities.consent import (
    CONSENT_EVIDENCE_MAX_LENGTH,
    CONSENT_SOURCE_MAX_LENGTH,
    Channel,
    ConsentKey,
    ConsentRecord,
    Purpose,
    current_consents,
)
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import CONSENTS
from clientcore.errors import ValidationError
from clientcore.operations.context import Context, diff
from clientcore.operations.redirects import linkable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

CHANNEL_PURPOSES = frozenset({Purpose.NOTIFICATIONS, Purpose.COMMERCIAL_INFORMATION})
"""Purposes that may be given per channel; the others hold for every channel."""


def record_consent(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    purpose: Purpose | str,
    *,
    granted: bool,
    channel: Channel | str | None,
    source: str,
    evidence: str,
    at: datetime | None,
) -> ConsentRecord:
    """Append a grant or withdrawal; ``at`` (default now) is when the client said so."""
    actor = ctx.acting()
    linkable(uow, client_id)
    checked_purpose = validation.choice("purpose", Purpose, purpose)
    checked_channel = None if channel is None else validation.choice("channel", Channel, channel)
    if checked_channel is not None and checked_purpose not in CHANNEL_PURPOSES:
        raise ValidationError(
            "channel", f"{checked_purpose.value} is given for every channel at once"
        )
    if not isinstance(granted, bool):
        raise ValidationError("granted", "must be True (granted) or False (withdrawn)")
    now = ctx.now()
    if at is not None:
        try:
            at = utc_millis(at)
        except ValueError as exc:
            raise ValidationError("at", str(exc)) from None
        if at > now:
            raise ValidationError("at", "a consent cannot be given in the future")
    record = ConsentRecord(
        id=ctx.ids(),
        client_id=client_id,
        purpose=checked_purpose,
        channel=checked_channel,
        granted=granted,
        at=at or now,
        source=validation.required_text("source", source, max_length=CONSENT_SOURCE_MAX_LENGTH),
        evidence=validation.text(
            "evidence", evidence, max_length=CONSENT_EVIDENCE_MAX_LENGTH, multiline=True
        ),
        recorded_by=actor.id,
        recorded_at=now,
    )
    uow.records(CONSENTS).add(record)
    kind = EventKind.CONSENT_GRANTED if granted else EventKind.CONSENT_WITHDRAWN
    ctx.record(
        uow,
        kind,
        entity_id=record.id,
        client_id=client_id,
        changes=diff(None, record, ("purpose", "channel", "granted", "source")),
    )
    return record


def consent_history(uow: UnitOfWork, client_id: UUID) -> list[ConsentRecord]:
    live_client(uow, client_id)
    return list(uow.records(CONSENTS).find(client_id=client_id))


def consents_of(uow: UnitOfWork, client_id: UUID) -> Mapping[ConsentKey, bool]:
    return current_consents(consent_history(uow, client_id))
