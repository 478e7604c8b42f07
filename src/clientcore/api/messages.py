"""``core.messages``: the outbox of SMS and e-mail messages (O4, O5, P4, V5), and one
round of the dispatcher that sends what is due (:meth:`Messages.dispatch`)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import attrs

from clientcore.api.checks import checked
from clientcore.api.unset import UNSET, Unset, given
from clientcore.entities.consent import Channel
from clientcore.entities.contacts import normalize_email
from clientcore.entities.kinds import MESSAGES
from clientcore.entities.message import Message, MessagePurpose, MessagingSettings, QuietHours
from clientcore.entities.sms import SmsLength, sms_length, to_gsm7
from clientcore.errors import DeliveryFailed
from clientcore.operations import messages
from clientcore.operations.business_card import vcard
from clientcore.operations.messages import Outcome
from clientcore.ports.messaging import Attachment, EmailSender, OutgoingEmail, SmsGateway

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@attrs.frozen
class DispatchPolicy:
    """How a dispatcher claims and retries.

    A claimed message is the dispatcher's for ``lease``; if it has not marked the outcome
    by then (it stopped), another dispatcher claims the message again and sends it under the
    same idempotency key. A transient failure is tried again after a pause of
    ``first_pause * 2 ** (attempt - 1)`` (at most ``longest_pause``, with up to a quarter
    of it random), at most ``attempts`` times in all; then the message has failed.
    """

    attempts: int = 5
    first_pause: timedelta = timedelta(seconds=30)
    longest_pause: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    batch: int = 20
    """Messages claimed at once (one unit of work)."""
    jitter: Callable[[], float] = random.random

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1 or self.batch < 1:
            raise ValueError("attempts and batch must be at least 1")
        if not timedelta(0) <= self.first_pause <= self.longest_pause:
            raise ValueError("pauses must satisfy 0 <= first_pause <= longest_pause")
        if self.lease <= timedelta(0):
            raise ValueError("lease must be positive")

    def pause(self, attempt: int) -> timedelta:
        """The pause after failed attempt number ``attempt`` (from 1)."""
        ceiling = min(self.longest_pause, self.first_pause * 2 ** (attempt - 1))
        return timedelta(seconds=ceiling.total_seconds() * (0.75 + self.jitter() / 4))


@attrs.frozen
class DispatchReport:
    """What one round of :meth:`Messages.dispatch` did."""

    sent: int = 0
    suppressed: int = 0
    """Not sent: the client's consent did not allow it at send time."""
    retried: int = 0
    """Transient failures, scheduled again."""
    failed: int = 0
    lost_claims: int = 0
    """Messages another dispatcher claimed meanwhile (this one's claim ran out): that one
    marks the outcome."""

    @property
    def handled(self) -> int:
        """Every message the round claimed."""
        return self.sent + self.suppressed + self.retried + self.failed + self.lost_claims

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            *(getattr(self, f.name) + getattr(other, f.name) for f in attrs.fields(DispatchReport))
        )


@checked
class Messages:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    # -- settings --------------------------------------------------------------------------
    def configure(
        self,
        *,
        enabled: bool | Unset = UNSET,
        business_name: str | Unset = UNSET,
        sender_name: str | Unset = UNSET,
        locale: str | Unset = UNSET,
        reminder_minutes: int | Unset | None = UNSET,
        quiet_hours: QuietHours | Unset | None = UNSET,
        transliterate_sms: bool | Unset = UNSET,
        confirmation_template: str | Unset = UNSET,
        reminder_template: str | Unset = UNSET,
    ) -> MessagingSettings:
        """Change the tenant's messaging settings given; the others stay. Templates are
        checked here: an unknown placeholder is UnknownPlaceholder."""
        return self._run.write(
            messages.configure,
            given(
                enabled=enabled,
                business_name=business_name,
                sender_name=sender_name,
                locale=locale,
                reminder_minutes=reminder_minutes,
                quiet_hours=quiet_hours,
                transliterate_sms=transliterate_sms,
                confirmation_template=confirmation_template,
                reminder_template=reminder_template,
            ),
        )

    def settings(self) -> MessagingSettings:
        return self._run.read(messages.settings_of)

    # -- the outbox ------------------------------------------------------------------------
    def send(
        self,
        client_id: UUID,
        body: str,
        *,
        channel: Channel | str = Channel.SMS,
        purpose: MessagePurpose | str = MessagePurpose.FREE_TEXT,
        subject: str = "",
    ) -> Message:
        """Queue a message to be sent now (the dispatcher sends it). Raises
        MessagingDisabled, NotFound, NoRecipient (no phone / e-mail), ValidationError."""
        return self._run.write(
            messages.queue,
            client_id,
            body,
            channel=channel,
            purpose=purpose,
            due_at=None,
            subject=subject,
        )

    def schedule(
        self,
        client_id: UUID,
        body: str,
        due_at: datetime,
        *,
        channel: Channel | str = Channel.SMS,
        purpose: MessagePurpose | str = MessagePurpose.FREE_TEXT,
        subject: str = "",
    ) -> Message:
        """Queue a message to be sent at ``due_at``; raises what :meth:`send` raises."""
        return self._run.write(
            messages.queue,
            client_id,
            body,
            channel=channel,
            purpose=purpose,
            due_at=due_at,
            subject=subject,
        )

    def get(self, message_id: UUID) -> Message:
        return self._run.read(lambda uow: uow.records(MESSAGES).get(message_id))

    def cancel(self, message_id: UUID) -> Message:
        """Cancel a scheduled message. Raises NotFound, Conflict (being sent, or done)."""
        return self._run.write(messages.cancel, message_id)

    def cancel_scheduled(self, client_id: UUID) -> int:
        """Cancel every scheduled message to the client; how many were."""
        return self._run.write(messages.cancel_scheduled, client_id)

    def history(self, client_id: UUID) -> list[Message]:
        """The client's messages, sent and scheduled, by due time (O5)."""
        return self._run.read(messages.history, client_id)

    def follow_visit(self, visit_id: UUID, *, booked: bool = False) -> None:
        """Bring the visit's confirmation and reminder in step with it (what the booking's
        own handler does; see :mod:`clientcore.api.visit_messages`)."""
        self._run.write(messages.follow_visit, visit_id, booked=booked)

    def send_business_card(
        self, client_id: UUID, email: EmailSender, *, recipient: str, subject: str, body: str
    ) -> str:
        """E-mail the client's vCard (O7) to ``recipient`` at once, through ``email``, with
        ``subject`` and ``body``; the sender's id of the e-mail. Sent by a person on
        purpose, it does not go through the outbox. Raises NotFound, ValidationError (the
        address), DeliveryFailed."""
        client = self._run.read(lambda uow: uow.clients.get(client_id))
        address = normalize_email(recipient, field="recipient")
        card = Attachment(
            filename=f"{client.code}.vcf",
            content_type="text/vcard",
            data=vcard(client).encode("utf-8"),
        )
        key = uuid.uuid4().hex
        return email.send_email(OutgoingEmail(address, subject, body, key, (card,)))

    def length(self, body: str) -> SmsLength:
        """How ``body`` would go as an SMS of this tenant (transliterated to GSM-7 if the
        tenant says so): its encoding and number of segments, shown before sending."""
        settings = self.settings()
        return sms_length(to_gsm7(body) if settings.transliterate_sms else body)

    # -- dispatching -----------------------------------------------------------------------
    def dispatch(
        self,
        *,
        sms: SmsGateway | None = None,
        email: EmailSender | None = None,
        policy: DispatchPolicy = DispatchPolicy(),
    ) -> DispatchReport:
        """Send one batch of due messages: claim them (suppressing those the client's
        consent no longer allows), hand each to its gateway outside any unit of work, and
        store the outcomes, each with its version check. A message on a channel without a
        gateway fails transiently (it is tried again as the policy says).

        SMS outcomes are stored together, in one unit after the batch: a dispatcher that
        dies before leaves them claimed, and when the claim runs out they go again under
        the same idempotency keys, which the SMS gateways honour. E-mail has no such key
        (SMTP), so an e-mail's outcome is stored as soon as it is sent, with those before
        it; whatever the gateway raises, the outcomes before it are stored first."""
        claimed = self._run.write(messages.claim_due, limit=policy.batch, lease=policy.lease)
        report = DispatchReport(suppressed=claimed.suppressed)
        pending: list[tuple[Message, Outcome]] = []
        try:
            for message in claimed.to_send:
                outcome = self._deliver(message, sms, email, claimed.settings, policy)
                pending.append((message, outcome))
                if message.channel is not Channel.SMS:
                    report += self._store(pending)
                    pending = []
        finally:
            report += self._store(pending)
        return report

    def _store(self, outcomes: Sequence[tuple[Message, Outcome]]) -> DispatchReport:
        """Store delivered messages' outcomes in one unit of work; what they count."""
        if not outcomes:
            return DispatchReport()
        stored = self._run.write(messages.finish, outcomes)
        report = DispatchReport()
        for new, (_message, outcome) in zip(stored, outcomes, strict=True):
            if new is None:
                report = attrs.evolve(report, lost_claims=report.lost_claims + 1)
            elif not outcome.error:
                report = attrs.evolve(report, sent=report.sent + 1)
            elif outcome.retry_at is not None:
                report = attrs.evolve(report, retried=report.retried + 1)
            else:
                report = attrs.evolve(report, failed=report.failed + 1)
        return report

    def _deliver(
        self,
        message: Message,
        sms: SmsGateway | None,
        email: EmailSender | None,
        settings: MessagingSettings,
        policy: DispatchPolicy,
    ) -> Outcome:
        try:
            if message.channel is Channel.SMS:
                if sms is None:
                    raise DeliveryFailed("no SMS gateway", transient=True)
                provider_id = sms.send_sms(
                    to=message.recipient,
                    sender=settings.sender_name,
                    body=message.body,
                    idempotency_key=message.idempotency_key,
                )
            else:
                if email is None:
                    raise DeliveryFailed("no e-mail sender", transient=True)
                provider_id = email.send_email(
                    OutgoingEmail(
                        recipient=message.recipient,
                        subject=message.subject,
                        body=message.body,
                        idempotency_key=message.idempotency_key,
                    )
                )
        except DeliveryFailed as failure:
            retry_at = None
            if failure.transient and message.attempts < policy.attempts:
                retry_at = self._run.now() + policy.pause(message.attempts)
            return Outcome(error=failure.reason or "failed", retry_at=retry_at)
        return Outcome(provider_id=provider_id)
