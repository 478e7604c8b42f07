"""Messages to clients (O4, O5, V5, P4): every SMS and e-mail is stored in the outbox
before it is sent, and keeps its state afterwards."""

from __future__ import annotations

import enum
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs

from clientcore.entities.common import pii
from clientcore.entities.consent import Channel, Purpose

MESSAGE_BODY_MAX_LENGTH = 10000
SUBJECT_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500
MESSAGING_SETTINGS_ID = UUID(int=0)
"""The key of a tenant's one :class:`MessagingSettings` record."""


class MessagePurpose(enum.StrEnum):
    """Why a message is sent: decides the consent it needs when it is sent."""

    NOTIFICATION = "notification"
    """Transactional: a booking confirmation, a change of a visit."""
    REMINDER = "reminder"
    """A reminder of a visit."""
    COMMERCIAL = "commercial"
    """Commercial information (offers, newsletters)."""
    FREE_TEXT = "free_text"
    """A message a person wrote and sent on purpose (the reception's own SMS)."""

    @property
    def consent(self) -> Purpose | None:
        """The consent purpose the message needs at send time (None: a person's own
        message needs none)."""
        if self is MessagePurpose.COMMERCIAL:
            return Purpose.COMMERCIAL_INFORMATION
        if self is MessagePurpose.FREE_TEXT:
            return None
        return Purpose.NOTIFICATIONS


class MessageState(enum.StrEnum):
    SCHEDULED = "scheduled"
    """Waiting for its due time."""
    SENDING = "sending"
    """Claimed by a dispatcher until ``claimed_until`` (then claimable again)."""
    SENT = "sent"
    """The provider accepted it (``provider_id``)."""
    FAILED = "failed"
    """The provider refused it for good, or every retry failed (``reason``)."""
    CANCELLED = "cancelled"
    SUPPRESSED = "suppressed"
    """Not sent: the consent it needs was not in force at send time (``reason``)."""

    @property
    def final(self) -> bool:
        return self not in (MessageState.SCHEDULED, MessageState.SENDING)


@attrs.frozen
class Message:
    """One message in the outbox. ``recipient`` is an E.164 number (SMS) or an e-mail
    address; ``attempts`` counts the claims of the dispatcher (the version bumps with every
    change, so a dispatcher whose claim expired cannot overwrite a newer state)."""

    id: UUID
    client_id: UUID
    purpose: MessagePurpose
    channel: Channel
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    recipient: str = pii(default="")
    subject: str = pii(default="")
    body: str = pii(default="")
    state: MessageState = MessageState.SCHEDULED
    reason: str = ""
    visit_id: UUID | None = None
    attempts: int = 0
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    provider_id: str = ""
    version: int = 1

    @property
    def idempotency_key(self) -> str:
        """What the provider gets to refuse a second delivery of this message."""
        return self.id.hex


@attrs.frozen
class QuietHours:
    """Local wall-clock hours no automatic message is sent in (``start`` to ``end``, may
    wrap midnight: 21:00-08:00)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@attrs.frozen
class MessagingSettings:
    """A tenant's messaging: whether it is on, who it comes from, how reminders are timed."""

    id: UUID = MESSAGING_SETTINGS_ID
    enabled: bool = False
    business_name: str = ""
    sender_name: str = ""
    """The SMS sender name (an alphanumeric sender id such as "HappyPaws")."""
    locale: str = "en"
    """The locale dates and times are written in (``pl``, ``lt``, ``nl``...)."""
    reminder_minutes: int | None = None
    """How many minutes before a visit its reminder is due (None: no reminders)."""
    quiet_hours: QuietHours | None = None
    transliterate_sms: bool = False
    """Write SMS in GSM-7 (Polish letters without diacritics): cheaper, 160 a segment."""
    confirmation_template: str = ""
    """The body of a booking confirmation (empty: none is sent)."""
    reminder_template: str = ""
    """The body of a visit reminder."""


def is_due(message: Message, now: datetime) -> bool:
    """Whether a dispatcher may claim ``message`` at ``now``: scheduled and due, or sending
    with a claim that ran out (its dispatcher stopped before it marked the outcome)."""
    if message.state is MessageState.SCHEDULED:
        return message.due_at <= now
    return (
        message.state is MessageState.SENDING
        and message.claimed_until is not None
        and message.claimed_until <= now
    )


def claimed(message: Message, now: datetime, until: datetime) -> Message:
    """``message`` claimed by a dispatcher until ``until``: sending, one more attempt, the
    version bumped (the claim is the dispatcher's fencing token)."""
    return attrs.evolve(
        message,
        state=MessageState.SENDING,
        claimed_until=until,
        attempts=message.attempts + 1,
        updated_at=now,
        version=message.version + 1,
    )


def reminder_due(
    start: datetime, minutes: int, quiet: QuietHours | None, zone: ZoneInfo
) -> datetime:
    """When the reminder of a visit starting at ``start`` is due: ``minutes`` before it,
    or, if that falls in the tenant's quiet hours (local time of ``zone``), at the last
    minute before those quiet hours began."""
    due = start - timedelta(minutes=minutes)
    if quiet is None:
        return due
    local = due.astimezone(zone)
    if not quiet.contains(local.time().replace(second=0, microsecond=0)):
        return due
    began = local.replace(hour=quiet.start.hour, minute=quiet.start.minute, second=0, microsecond=0)
    if began > local:
        began -= timedelta(days=1)  # quiet hours that wrap midnight began the evening before
    # a local wall-clock time, made an instant again in the zone (DST included)
    return (began.replace(tzinfo=None).replace(tzinfo=zone) - timedelta(minutes=1)).astimezone(
        start.tzinfo
    )
