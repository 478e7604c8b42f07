"""The outbox (O4, O5, P4, V5): queue, schedule, cancel and list messages; the dispatcher's
claim (with the consent check at send time) and its outcome; a visit's confirmation and
reminder kept in step with the visit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.common import utc_millis
from clientcore.entities.consent import Channel, ConsentRecord, Purpose, has_consent
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import CONSENTS, MESSAGES, MESSAGING_SETTINGS, STAFF, VISITS
from clientcore.entities.message import (
    MESSAGE_BODY_MAX_LENGTH,
    MESSAGING_SETTINGS_ID,
    SUBJECT_MAX_LENGTH,
    Message,
    MessagePurpose,
    MessageState,
    MessagingSettings,
    QuietHours,
    reminder_due,
)
from clientcore.entities.sms import to_gsm7
from clientcore.entities.template import VisitFacts, check_locale, check_template, render
from clientcore.entities.visit import Visit, VisitKind
from clientcore.errors import (
    ConcurrencyError,
    Conflict,
    MessagingDisabled,
    NoRecipient,
    NotFound,
    ValidationError,
)
from clientcore.operations.context import Context, diff, tenant_zone
from clientcore.operations.redirects import creatable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

SETTINGS_FIELDS = tuple(
    field.name for field in attrs.fields(MessagingSettings) if field.name != "id"
)
SENDER_NAME_MAX_LENGTH = 11
"""An alphanumeric SMS sender id is at most 11 characters."""


# -- settings ------------------------------------------------------------------------------
def settings_of(uow: UnitOfWork) -> MessagingSettings:
    """The tenant's messaging settings (the defaults: messaging off, until configured)."""
    found = uow.records(MESSAGING_SETTINGS).get_many([MESSAGING_SETTINGS_ID])
    return found.get(MESSAGING_SETTINGS_ID, MessagingSettings())


def _checked_setting(name: str, value: Any) -> Any:
    if name in ("enabled", "transliterate_sms"):
        if not isinstance(value, bool):
            raise ValidationError(name, "must be True or False")
    elif name == "reminder_minutes":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(name, "must be a whole number of minutes, or None")
        if value is not None and not 0 < value <= 60 * 24 * 30:
            raise ValidationError(name, "must be between 1 minute and 30 days")
    elif name == "quiet_hours":
        if value is not None and not isinstance(value, QuietHours):
            raise ValidationError(name, "must be a QuietHours, or None")
    elif name == "locale":
        return check_locale(name, value)
    elif name == "sender_name":
        text = validation.text(name, value, max_length=SENDER_NAME_MAX_LENGTH)
        if not (text.isascii() and text.replace(" ", "").isalnum()) and text:
            raise ValidationError(name, "an SMS sender id is ASCII letters, digits and spaces")
        return text
    elif name.endswith("_template"):
        return check_template(name, validation.text(name, value, max_length=1000))
    else:
        return validation.text(name, value, max_length=200)
    return value


def configure(uow: UnitOfWork, ctx: Context, fields: Mapping[str, Any]) -> MessagingSettings:
    """Change the settings named in ``fields``; the others stay."""
    ctx.acting()
    unknown = sorted(set(fields) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError(unknown[0], f"is not a setting; known: {', '.join(SETTINGS_FIELDS)}")
    old = settings_of(uow)
    new = attrs.evolve(old, **{name: _checked_setting(name, v) for name, v in fields.items()})
    records = uow.records(MESSAGING_SETTINGS)
    if records.get_many([MESSAGING_SETTINGS_ID]):
        records.replace(new)
    else:
        records.add(new)
    ctx.record(
        uow,
        EventKind.MESSAGING_CONFIGURED,
        entity_id=MESSAGING_SETTINGS_ID,
        client_id=None,
        changes=diff(old, new, SETTINGS_FIELDS),
    )
    return new


# -- queueing ------------------------------------------------------------------------------
def recipient_of(client: Client, channel: Channel) -> str | None:
    """Where a message to the client goes: its primary phone or e-mail, else its first."""
    if channel is Channel.SMS:
        phone = client.primary_phone or next(iter(client.phones), None)
        return None if phone is None else phone.number
    email = client.primary_email or next(iter(client.emails), None)
    return None if email is None else email.address


def queue(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    body: str,
    *,
    channel: Channel | str,
    purpose: MessagePurpose | str,
    due_at: datetime | None,
    subject: str = "",
    visit_id: UUID | None = None,
) -> Message:
    """Store a message to the client in the outbox, due at ``due_at`` (None, or a time
    already past: now). Raises MessagingDisabled, NotFound (the client), NoRecipient,
    ValidationError."""
    ctx.acting()
    settings = settings_of(uow)
    if not settings.enabled:
        raise MessagingDisabled()
    chosen = validation.choice("channel", Channel, channel)
    text = validation.required_text("body", body, max_length=MESSAGE_BODY_MAX_LENGTH)
    if chosen is Channel.SMS and settings.transliterate_sms:
        text = to_gsm7(text)
    creatable(uow, client_id)
    client = uow.clients.get(client_id)
    recipient = recipient_of(client, chosen)
    if recipient is None:
        raise NoRecipient(client_id, chosen.value)
    now = ctx.now()
    message = Message(
        id=ctx.ids(),
        client_id=client_id,
        purpose=validation.choice("purpose", MessagePurpose, purpose),
        channel=chosen,
        due_at=now if due_at is None else max(now, _instant("due_at", due_at)),
        created_at=now,
        updated_at=now,
        recipient=recipient,
        subject=validation.text("subject", subject, max_length=SUBJECT_MAX_LENGTH),
        body=text,
        visit_id=visit_id,
    )
    uow.records(MESSAGES).add(message)
    _record(uow, ctx, EventKind.MESSAGE_QUEUED, None, message)
    return message


def _instant(field: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(field, "must be a timezone-aware datetime")
    return utc_millis(value)


def _record(
    uow: UnitOfWork, ctx: Context, kind: EventKind, old: Message | None, new: Message
) -> None:
    ctx.record(
        uow,
        kind,
        entity_id=new.id,
        client_id=new.client_id,
        changes=diff(
            old, new, ("purpose", "channel", "state", "reason", "due_at"), tenant_zone(uow)
        ),
    )


def _cancelled(uow: UnitOfWork, ctx: Context, message: Message, reason: str) -> Message:
    new = attrs.evolve(
        message,
        state=MessageState.CANCELLED,
        reason=reason,
        updated_at=ctx.now(),
        version=message.version + 1,
    )
    uow.records(MESSAGES).replace(new)
    _record(uow, ctx, EventKind.MESSAGE_CANCELLED, message, new)
    return new


def cancel(uow: UnitOfWork, ctx: Context, message_id: UUID) -> Message:
    """Cancel a scheduled message (a cancelled one stays as it is). Raises NotFound, and
    Conflict for a message being sent or already sent, failed or suppressed."""
    ctx.acting()
    message = uow.records(MESSAGES).get(message_id)
    if message.state is MessageState.CANCELLED:
        return message
    if message.state is not MessageState.SCHEDULED:
        raise Conflict(f"message {message_id} is {message.state.value}: it cannot be cancelled")
    return _cancelled(uow, ctx, message, "cancelled")


def cancel_scheduled(uow: UnitOfWork, ctx: Context, client_id: UUID) -> int:
    """Cancel every scheduled message to the client; how many. Raises NotFound."""
    ctx.acting()
    live_client(uow, client_id)
    scheduled = uow.records(MESSAGES).find(client_id=client_id, state=MessageState.SCHEDULED)
    for message in scheduled:
        _cancelled(uow, ctx, message, "cancelled")
    return len(scheduled)


def history(uow: UnitOfWork, client_id: UUID) -> list[Message]:
    """The client's messages, sent and scheduled, by due time. Raises NotFound."""
    live_client(uow, client_id)
    return uow.records(MESSAGES).find(client_id=client_id)


# -- consent at send time ------------------------------------------------------------------
def suppression(
    message: Message, client: Client, ledger: Callable[[UUID], Sequence[ConsentRecord]]
) -> str | None:
    """Why ``message`` may not be sent now (None: it may), read at send time.

    The one check point of who may receive what: the consent its purpose needs on its
    channel (the state now of the client's consent ``ledger``, read only when needed), and
    the recipient still being the client's own phone or e-mail address (a client with
    blanked contacts gets nothing), and the client not being forgotten (a message claimed
    while the client was forgotten is not sent).
    """
    if client.status is ClientStatus.FORGOTTEN:
        return "the client is forgotten"
    if message.recipient != recipient_of(client, message.channel) and message.recipient not in {
        *(phone.number for phone in client.phones),
        *(email.address for email in client.emails),
    }:
        return f"the client no longer has this {message.channel.value} contact"
    needed = message.purpose.consent
    if needed is None:
        return None
    if not has_consent(ledger(client.id), needed, message.channel):
        return f"no {needed.value} consent for {message.channel.value} at send time"
    return None


@attrs.frozen
class Claimed:
    """What a dispatcher claimed: the messages to send, how many were suppressed instead,
    and the tenant's settings they are sent with (read in the same unit)."""

    to_send: list[Message]
    suppressed: int
    settings: MessagingSettings


def claim_due(uow: UnitOfWork, ctx: Context, *, limit: int, lease: timedelta) -> Claimed:
    """Claim up to ``limit`` due messages for a dispatcher until ``lease`` from now; those
    the client's consent no longer allows are suppressed instead, with the reason. The
    batch's clients are read at once, each client's consent ledger once."""
    ctx.acting()
    now = ctx.now()
    to_send = []
    claimed = uow.outbox.claim(now=now, until=now + lease, limit=limit)
    clients = uow.clients.get_many([message.client_id for message in claimed])
    ledgers: dict[UUID, list[ConsentRecord]] = {}

    def ledger(client_id: UUID) -> list[ConsentRecord]:
        if client_id not in ledgers:
            ledgers[client_id] = uow.records(CONSENTS).find(client_id=client_id)
        return ledgers[client_id]

    for message in claimed:
        client = clients.get(message.client_id)
        if client is None:
            raise NotFound("client", message.client_id)
        reason = suppression(message, client, ledger)
        if reason is None:
            to_send.append(message)
            continue
        new = attrs.evolve(
            message,
            state=MessageState.SUPPRESSED,
            reason=reason,
            claimed_until=None,
            version=message.version + 1,
        )
        uow.records(MESSAGES).replace(new)
        _record(uow, ctx, EventKind.MESSAGE_SUPPRESSED, message, new)
    settings = settings_of(uow) if to_send else MessagingSettings()
    return Claimed(to_send, len(claimed) - len(to_send), settings)


@attrs.frozen
class Outcome:
    """What a gateway did with a claimed message."""

    provider_id: str = ""
    """The provider's id (sent), or empty."""
    error: str = ""
    """Why it failed (empty: it was sent)."""
    retry_at: datetime | None = None
    """When to try again (a transient failure with attempts left), else None."""


def _finished(message: Message, outcome: Outcome, now: datetime) -> Message:
    """The claimed message as ``outcome`` leaves it: sent, scheduled again, or failed."""
    if not outcome.error:
        changes: dict[str, Any] = {
            "state": MessageState.SENT,
            "provider_id": outcome.provider_id,
            "sent_at": now,
            "reason": "",
        }
    elif outcome.retry_at is not None:
        changes = {"state": MessageState.SCHEDULED, "due_at": outcome.retry_at}
        changes["reason"] = outcome.error
    else:
        changes = {"state": MessageState.FAILED, "reason": outcome.error}
    return attrs.evolve(
        message, claimed_until=None, updated_at=now, version=message.version + 1, **changes
    )


def finish(
    uow: UnitOfWork, ctx: Context, outcomes: Sequence[tuple[Message, Outcome]]
) -> list[Message | None]:
    """Store what became of claimed messages, in one unit of work: each written with its
    version check, so that a message another dispatcher claimed meanwhile (its claim ran
    out) keeps that dispatcher's state; None in its place (a lost claim), the stored
    message for the others."""
    now = ctx.now()
    stored: list[Message | None] = []
    for message, outcome in outcomes:
        new = _finished(message, outcome, now)
        try:
            uow.records(MESSAGES).replace(new)
        except ConcurrencyError:
            stored.append(None)
            continue
        stored.append(new)
    return stored


# -- visits --------------------------------------------------------------------------------
def _visit_facts(uow: UnitOfWork, visit: Visit, client: Client, business: str) -> VisitFacts:
    staff = uow.records(STAFF).get_many([visit.staff_id]).get(visit.staff_id)
    return VisitFacts(
        client_name=client.display_name,
        business_name=business,
        start=visit.start,
        staff_name="" if staff is None else staff.name,
    )


def follow_visit(uow: UnitOfWork, ctx: Context, visit_id: UUID, *, booked: bool) -> None:
    """Keep the visit's messages in step with it: a new booking (``booked``) queues its
    confirmation; a reminder is scheduled (or moved) before its start; a cancelled or
    deleted visit cancels what is still scheduled for it. Only when messaging is on and
    the client consents to notifications on SMS now (the dispatcher checks it again)."""
    settings = settings_of(uow)
    if not settings.enabled:
        return
    visit = uow.records(VISITS).get_many([visit_id]).get(visit_id)
    mine = uow.records(MESSAGES).find(visit_id=visit_id)
    scheduled = [m for m in mine if m.state is MessageState.SCHEDULED]
    if visit is None or not visit.holds_time:
        for message in scheduled:
            _cancelled(uow, ctx, message, "the visit was cancelled")
        return
    if visit.client_id is None or visit.kind is not VisitKind.VISIT:
        return
    client = uow.clients.get(visit.client_id)
    channel = Channel.SMS
    ledger = uow.records(CONSENTS).find(client_id=client.id)
    if recipient_of(client, channel) is None or not has_consent(
        ledger, Purpose.NOTIFICATIONS, channel
    ):
        return
    zone = tenant_zone(uow)
    facts = _visit_facts(uow, visit, client, settings.business_name)

    def text(template: str) -> str:
        return render(template, facts, locale=settings.locale, zone=zone)

    if booked and settings.confirmation_template:
        queue(
            uow,
            ctx,
            client.id,
            text(settings.confirmation_template),
            channel=channel,
            purpose=MessagePurpose.NOTIFICATION,
            due_at=None,
            visit_id=visit.id,
        )
    if settings.reminder_minutes is None or not settings.reminder_template:
        return
    due = reminder_due(visit.start, settings.reminder_minutes, settings.quiet_hours, zone)
    reminders = [m for m in scheduled if m.purpose is MessagePurpose.REMINDER]
    if due <= ctx.now():
        for message in reminders:
            _cancelled(uow, ctx, message, "the visit is too close for a reminder")
        return
    body = text(settings.reminder_template)
    if settings.transliterate_sms:
        body = to_gsm7(body)
    for message in reminders:
        if (message.due_at, message.body) != (due, body):
            moved = attrs.evolve(
                message, due_at=due, body=body, updated_at=ctx.now(), version=message.version + 1
            )
            uow.records(MESSAGES).replace(moved)
            _record(uow, ctx, EventKind.MESSAGE_QUEUED, message, moved)
    if not reminders and not any(m.purpose is MessagePurpose.REMINDER for m in mine):
        queue(
            uow,
            ctx,
            client.id,
            body,
            channel=channel,
            purpose=MessagePurpose.REMINDER,
            due_at=due,
            visit_id=visit.id,
        )
