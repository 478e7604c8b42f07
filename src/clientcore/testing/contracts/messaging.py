"""Contract: the outbox, the dispatcher, consent at send time, a visit's messages (O4, O5,
P4, V5). Runs on every adapter with the recording gateways."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.adapters.messaging import RecordingEmail, RecordingSms
from clientcore.api.messages import DispatchPolicy, DispatchReport
from clientcore.entities.consent import Channel, Purpose
from clientcore.entities.event import Event, EventKind
from clientcore.entities.kinds import MESSAGES
from clientcore.entities.message import MessagePurpose, MessageState, QuietHours
from clientcore.entities.sms import SmsEncoding
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import (
    ClientInUse,
    Conflict,
    DeliveryFailed,
    MessagingDisabled,
    NoRecipient,
    UnknownPlaceholder,
    ValidationError,
)
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock
from clientcore.testing.contracts.base import BackendContract

WARSAW = ZoneInfo("Europe/Warsaw")
NO_JITTER = DispatchPolicy(jitter=lambda: 0.0)


class _Undo(Exception):
    """Raised inside ``core.transaction()`` to roll a booking back."""


class _Crash(Exception):
    """A dispatcher that stops after the provider accepted a message."""


class _CrashAfterAccept:
    """An SMS gateway that hands the message to ``inner`` and then (after ``calls_before``
    messages that went normally) stops the dispatcher, before it can mark the message sent."""

    def __init__(self, inner: RecordingSms, *, calls_before: int = 0) -> None:
        self.inner = inner
        self.calls_before = calls_before
        """How many messages go through before the one after which it stops."""

    def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
        provider_id = self.inner.send_sms(
            to=to, sender=sender, body=body, idempotency_key=idempotency_key
        )
        if self.calls_before == 0:
            raise _Crash()
        self.calls_before -= 1
        return provider_id


class MessagingContract(BackendContract):
    @pytest.fixture
    def messaging(self, core: Core) -> Core:
        core.messages.configure(enabled=True, sender_name="HappyPaws", locale="pl")
        return core

    @pytest.fixture
    def client_id(self, messaging: Core) -> UUID:
        client = messaging.clients.register(
            first_name="Łukasz", last_name="Żółć", phones=["601 234 567"], emails=["l@example.com"]
        )
        return client.id

    def test_a_message_sent_now_is_stored_then_delivered_once(
        self, messaging: Core, client_id: UUID
    ) -> None:
        sms = RecordingSms()
        queued = messaging.messages.send(client_id, "Zapraszamy jutro")
        assert queued.state is MessageState.SCHEDULED
        assert queued.recipient == "+48601234567"
        assert sms.sent == []
        report = messaging.messages.dispatch(sms=sms)
        assert (report.sent, report.failed) == (1, 0)
        assert messaging.messages.dispatch(sms=sms).handled == 0
        assert [(s.to, s.sender, s.body) for s in sms.sent] == [
            ("+48601234567", "HappyPaws", "Zapraszamy jutro")
        ]
        sent = messaging.messages.get(queued.id)
        assert sent.state is MessageState.SENT
        assert sent.provider_id
        assert sent.sent_at is not None
        assert messaging.messages.history(client_id) == [sent]
        kinds = [event.kind for event in messaging.clients.history(client_id)]
        assert EventKind.MESSAGE_QUEUED in kinds

    def test_e_mail_goes_through_the_e_mail_sender(self, messaging: Core, client_id: UUID) -> None:
        email = RecordingEmail()
        messaging.messages.send(client_id, "Wyniki", channel="email", subject="Wyniki badań")
        assert messaging.messages.dispatch(sms=RecordingSms(), email=email).sent == 1
        assert [(e.recipient, e.subject, e.body) for e in email.sent] == [
            ("l@example.com", "Wyniki badań", "Wyniki")
        ]

    def test_sending_needs_messaging_on_and_a_contact(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        with pytest.raises(MessagingDisabled):
            core.messages.send(client.id, "hello")
        core.messages.configure(enabled=True)
        with pytest.raises(NoRecipient):
            core.messages.send(client.id, "hello")
        with pytest.raises(NoRecipient):
            core.messages.send(client.id, "hello", channel=Channel.EMAIL)
        with pytest.raises(ValidationError):
            core.messages.send(client.id, "")
        assert core.messages.history(client.id) == []

    def test_scheduled_messages_wait_and_can_be_cancelled(
        self, messaging: Core, client_id: UUID, clock: TickingClock
    ) -> None:
        sms = RecordingSms()
        later = clock.now() + timedelta(hours=2)
        first = messaging.messages.schedule(client_id, "one", later)
        second = messaging.messages.schedule(client_id, "two", later + timedelta(hours=1))
        third = messaging.messages.schedule(client_id, "three", later + timedelta(hours=2))
        assert messaging.messages.dispatch(sms=sms).handled == 0
        assert messaging.messages.cancel(first.id).state is MessageState.CANCELLED
        assert messaging.messages.cancel(first.id).state is MessageState.CANCELLED
        clock.advance(timedelta(hours=3))
        assert messaging.messages.dispatch(sms=sms).sent == 1
        assert [s.body for s in sms.sent] == ["two"]
        with pytest.raises(Conflict):
            messaging.messages.cancel(second.id)
        assert messaging.messages.cancel_scheduled(client_id) == 1
        assert messaging.messages.get(third.id).state is MessageState.CANCELLED
        clock.advance(timedelta(hours=3))
        assert messaging.messages.dispatch(sms=sms).handled == 0
        states = [m.state for m in messaging.messages.history(client_id)]
        assert states == [MessageState.CANCELLED, MessageState.SENT, MessageState.CANCELLED]

    @pytest.mark.parametrize(
        ("purpose", "consent"),
        [
            (MessagePurpose.REMINDER, Purpose.NOTIFICATIONS),
            (MessagePurpose.NOTIFICATION, Purpose.NOTIFICATIONS),
            (MessagePurpose.COMMERCIAL, Purpose.COMMERCIAL_INFORMATION),
        ],
    )
    def test_consent_is_checked_when_the_message_is_sent(
        self,
        messaging: Core,
        client_id: UUID,
        clock: TickingClock,
        purpose: MessagePurpose,
        consent: Purpose,
    ) -> None:
        sms = RecordingSms()
        messaging.consents.record(client_id, consent, granted=True, channel="sms", source="form")
        kept = messaging.messages.schedule(
            client_id, "a", clock.now() + timedelta(hours=1), purpose=purpose
        )
        dropped = messaging.messages.schedule(
            client_id, "b", clock.now() + timedelta(hours=3), purpose=purpose
        )
        clock.advance(timedelta(hours=2))
        assert messaging.messages.dispatch(sms=sms).sent == 1
        messaging.consents.record(client_id, consent, granted=False, channel="sms", source="call")
        clock.advance(timedelta(hours=2))
        assert messaging.messages.dispatch(sms=sms) == DispatchReport(suppressed=1)
        assert [s.body for s in sms.sent] == ["a"]
        assert messaging.messages.get(kept.id).state is MessageState.SENT
        suppressed = messaging.messages.get(dropped.id)
        assert suppressed.state is MessageState.SUPPRESSED
        assert consent.value in suppressed.reason
        kinds = [event.kind for event in messaging.clients.history(client_id)]
        assert EventKind.MESSAGE_SUPPRESSED in kinds

    def test_a_free_text_message_needs_no_consent_but_a_current_contact(
        self, messaging: Core, client_id: UUID
    ) -> None:
        sms = RecordingSms()
        first = messaging.messages.send(client_id, "one")
        assert messaging.messages.dispatch(sms=sms).sent == 1
        second = messaging.messages.send(client_id, "two")
        messaging.clients.update(client_id, phones=["602 000 000"])
        assert messaging.messages.dispatch(sms=sms) == DispatchReport(suppressed=1)
        assert messaging.messages.get(first.id).state is MessageState.SENT
        gone = messaging.messages.get(second.id)
        assert gone.state is MessageState.SUPPRESSED
        assert "no longer" in gone.reason

    def test_transient_failures_are_retried_with_backoff_then_fail(
        self, messaging: Core, client_id: UUID, clock: TickingClock
    ) -> None:
        sms = RecordingSms()
        sms.fail["+48601234567"] = DeliveryFailed("provider busy", transient=True, code="503")
        policy = attrs.evolve(NO_JITTER, attempts=3, first_pause=timedelta(minutes=1))
        message = messaging.messages.send(client_id, "hello")
        assert messaging.messages.dispatch(sms=sms, policy=policy).retried == 1
        retried = messaging.messages.get(message.id)
        assert retried.state is MessageState.SCHEDULED
        assert retried.reason == "provider busy"
        # three quarters of the first pause (no jitter), from when the failure was seen
        assert timedelta(seconds=44) < retried.due_at - retried.updated_at <= timedelta(seconds=45)
        assert messaging.messages.dispatch(sms=sms, policy=policy).handled == 0
        clock.advance(timedelta(minutes=1))
        assert messaging.messages.dispatch(sms=sms, policy=policy).retried == 1
        clock.advance(timedelta(minutes=2))
        assert messaging.messages.dispatch(sms=sms, policy=policy).failed == 1
        failed = messaging.messages.get(message.id)
        assert (failed.state, failed.attempts, failed.reason) == (
            MessageState.FAILED,
            3,
            "provider busy",
        )

    def test_a_permanent_failure_is_not_retried(self, messaging: Core, client_id: UUID) -> None:
        sms = RecordingSms()
        sms.fail["+48601234567"] = DeliveryFailed("invalid number", transient=False)
        message = messaging.messages.send(client_id, "hello")
        assert messaging.messages.dispatch(sms=sms).failed == 1
        failed = messaging.messages.get(message.id)
        assert (failed.state, failed.reason, failed.attempts) == (
            MessageState.FAILED,
            "invalid number",
            1,
        )

    def test_a_crash_after_the_provider_accepted_delivers_nothing_twice(
        self, messaging: Core, client_id: UUID, clock: TickingClock
    ) -> None:
        sms = RecordingSms()
        message = messaging.messages.send(client_id, "once")
        policy = NO_JITTER
        with pytest.raises(_Crash):
            messaging.messages.dispatch(sms=_CrashAfterAccept(sms), policy=policy)
        assert messaging.messages.get(message.id).state is MessageState.SENDING
        assert messaging.messages.dispatch(sms=sms, policy=policy).handled == 0  # still claimed
        clock.advance(policy.lease)
        assert messaging.messages.dispatch(sms=sms, policy=policy).sent == 1
        assert len(sms.sent) == 1
        done = messaging.messages.get(message.id)
        assert (done.state, done.attempts) == (MessageState.SENT, 2)

    def test_a_crash_mid_batch_stores_the_outcomes_before_it(
        self, messaging: Core, client_id: UUID, clock: TickingClock
    ) -> None:
        """The batch's outcomes are stored together, but a dispatcher stopped by its gateway
        stores those it had before stopping: only the message in hand goes again."""
        sms = RecordingSms()
        first = messaging.messages.send(client_id, "first")
        second = messaging.messages.send(client_id, "second")
        crashing = _CrashAfterAccept(sms, calls_before=1)
        with pytest.raises(_Crash):
            messaging.messages.dispatch(sms=crashing, policy=NO_JITTER)
        assert messaging.messages.get(first.id).state is MessageState.SENT
        assert messaging.messages.get(second.id).state is MessageState.SENDING
        clock.advance(NO_JITTER.lease)
        assert messaging.messages.dispatch(sms=sms, policy=NO_JITTER).sent == 1
        assert sorted(s.body for s in sms.sent) == ["first", "second"]

    def test_an_e_mail_is_stored_sent_before_the_next_message_goes(
        self, messaging: Core, client_id: UUID
    ) -> None:
        """E-mail has no idempotency key: its outcome is not kept for the batch's end."""
        email = messaging.messages.send(client_id, "Wyniki", channel="email", subject="S")
        messaging.messages.send(client_id, "then an SMS")
        seen: list[MessageState] = []

        class Watching(RecordingSms):
            def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
                seen.append(messaging.messages.get(email.id).state)
                return super().send_sms(
                    to=to, sender=sender, body=body, idempotency_key=idempotency_key
                )

        report = messaging.messages.dispatch(sms=Watching(), email=RecordingEmail())
        assert (report.sent, seen) == (2, [MessageState.SENT])

    def test_a_stale_claim_does_not_overwrite_a_later_result(
        self, messaging: Core, client_id: UUID, clock: TickingClock
    ) -> None:
        """A dispatcher whose claim ran out while it was sending loses that message to the
        one that claimed it next (a lost claim), and still stores the rest of its batch."""
        sms = RecordingSms()
        first = messaging.messages.send(client_id, "first")
        second = messaging.messages.send(client_id, "second")
        later: list[DispatchReport] = []

        class Slow(RecordingSms):
            def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
                if not later:
                    clock.advance(NO_JITTER.lease)
                    one = attrs.evolve(NO_JITTER, batch=1)
                    later.append(messaging.messages.dispatch(sms=sms, policy=one))
                return sms.send_sms(
                    to=to, sender=sender, body=body, idempotency_key=idempotency_key
                )

        report = messaging.messages.dispatch(sms=Slow(), policy=NO_JITTER)
        assert (later[0].sent, report.lost_claims, report.sent) == (1, 1, 1)
        again = messaging.messages.get(first.id)
        assert (again.state, again.attempts) == (MessageState.SENT, 2)
        assert messaging.messages.get(second.id).state is MessageState.SENT
        assert sorted(s.body for s in sms.sent) == ["first", "second"]

    def test_sms_length_and_transliteration(self, messaging: Core, client_id: UUID) -> None:
        polish = "Zażółć gęślą jaźń"
        assert messaging.messages.length(polish).encoding is SmsEncoding.UCS2
        assert messaging.messages.length("a" * 161).segments == 2
        assert messaging.messages.length("ł" + "a" * 69).segments == 1
        assert messaging.messages.length("ł" + "a" * 70).segments == 2
        messaging.messages.configure(transliterate_sms=True)
        assert messaging.messages.length(polish).encoding is SmsEncoding.GSM7
        assert messaging.messages.send(client_id, polish).body == "Zazolc gesla jazn"

    def test_templates_are_checked_when_defined(self, messaging: Core) -> None:
        with pytest.raises(UnknownPlaceholder) as raised:
            messaging.messages.configure(reminder_template="Hi {pet_name}")
        assert raised.value.placeholder == "pet_name"
        with pytest.raises(ValidationError):
            messaging.messages.configure(confirmation_template="Hi {client_name")
        with pytest.raises(ValidationError):
            messaging.messages.configure(locale="xx_nowhere")
        assert messaging.messages.settings().reminder_template == ""

    def test_messages_are_a_record_kind_the_generic_walk_reaches(
        self, messaging: Core, client_id: UUID, backend: Backend
    ) -> None:
        assert {"recipient", "subject", "body"} <= set(MESSAGES.personal_fields)
        assert MESSAGES in backend.kinds.client_linked()
        message = messaging.messages.send(client_id, "Dzień dobry", channel="email", subject="S")
        with pytest.raises(ClientInUse):
            messaging.clients.delete(client_id)
        with backend.unit_of_work(messaging.tenant) as uow:
            assert uow.records(MESSAGES).scrub(client_id) == 1
            uow.commit()
        scrubbed = messaging.messages.get(message.id)
        assert (scrubbed.recipient, scrubbed.subject, scrubbed.body) == ("", "", "")
        assert scrubbed.version == message.version + 1

    def test_an_e_mail_change_is_an_event_a_host_can_follow(
        self, messaging: Core, client_id: UUID
    ) -> None:
        seen: list[Event] = []
        messaging.events.after_commit(EventKind.CLIENT_UPDATED, seen.append)
        messaging.clients.update(client_id, emails=["new@example.com"])
        (event,) = seen
        assert [(c.field, c.new) for c in event.changes] == [("emails", "new@example.com *")]


class VisitMessagingContract(BackendContract):
    """A visit's confirmation and reminder follow it (V5)."""

    MONDAY = date(2026, 6, 1)

    @pytest.fixture
    def clinic(self, core: Core) -> tuple[Core, UUID, UUID]:
        core.messages.configure(
            enabled=True,
            business_name="Happy Paws",
            locale="pl",
            reminder_minutes=24 * 60,
            quiet_hours=QuietHours(time(21), time(8)),
            confirmation_template=(
                "{client_name}, wizyta {visit_date} o {visit_time} u {staff_name}"
            ),
            reminder_template="Przypomnienie: {visit_time} {business_name}",
        )
        vet = core.staff.add("Dr Ewa")
        core.staff.set_hours(
            vet.id, [WeeklySlot(day, TimeRange(time(7), time(17))) for day in range(7)]
        )
        client = core.clients.register(first_name="Jan", last_name="Nowak", phones=["601234567"])
        core.consents.record(
            client.id, Purpose.NOTIFICATIONS, granted=True, channel="sms", source="form"
        )
        return core, vet.id, client.id

    def at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=WARSAW)

    def test_booking_queues_a_confirmation_and_a_reminder(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, self.at(self.MONDAY, 14), 30)
        confirmation, reminder = sorted(
            core.messages.history(client), key=lambda m: m.purpose != MessagePurpose.NOTIFICATION
        )
        assert confirmation.purpose is MessagePurpose.NOTIFICATION
        assert confirmation.body == "Jan Nowak, wizyta 1 czerwca 2026 o 14:00 u Dr Ewa"
        assert reminder.purpose is MessagePurpose.REMINDER
        assert reminder.body == "Przypomnienie: 14:00 Happy Paws"
        assert reminder.due_at == visit.start - timedelta(days=1)
        assert {confirmation.visit_id, reminder.visit_id} == {visit.id}

    def test_a_reminder_avoids_quiet_hours(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        core.visits.book(client, vet, self.at(self.MONDAY, 7), 30)
        (reminder,) = [
            m for m in core.messages.history(client) if m.purpose is MessagePurpose.REMINDER
        ]
        assert reminder.due_at == self.at(self.MONDAY - timedelta(days=2), 21) - timedelta(
            minutes=1
        )

    def test_rescheduling_moves_the_reminder_and_cancelling_cancels_it(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, self.at(self.MONDAY, 14), 30)
        moved = core.visits.reschedule(visit.id, start=self.at(self.MONDAY, 16))
        reminders = [
            m for m in core.messages.history(client) if m.purpose is MessagePurpose.REMINDER
        ]
        assert [(m.due_at, m.state) for m in reminders] == [
            (moved.start - timedelta(days=1), MessageState.SCHEDULED)
        ]
        assert reminders[0].body == "Przypomnienie: 16:00 Happy Paws"
        core.visits.cancel(visit.id)
        assert core.messages.get(reminders[0].id).state is MessageState.CANCELLED
        other = core.visits.book(client, vet, self.at(self.MONDAY, 10), 30)
        core.visits.delete(other.id)
        assert all(
            m.state is MessageState.CANCELLED
            for m in core.messages.history(client)
            if m.purpose is MessagePurpose.REMINDER
        )

    def test_a_rolled_back_booking_queues_nothing(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        queued_inside: list[int] = []

        def book_then_undo() -> None:
            with core.transaction() as tx:
                tx.visits.book(client, vet, self.at(self.MONDAY, 14), 30)
                queued_inside.append(len(tx.messages.history(client)))
                raise _Undo()

        with pytest.raises(_Undo):
            book_then_undo()
        assert queued_inside == [2]
        assert core.messages.history(client) == []

    def test_without_consent_a_booking_queues_nothing(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        core.consents.record(
            client, Purpose.NOTIFICATIONS, granted=False, channel="sms", source="x"
        )
        core.visits.book(client, vet, self.at(self.MONDAY, 14), 30)
        assert core.messages.history(client) == []


class ConsentHistoryContract(BackendContract):
    """hypothesis: for random consent histories and send times, a message is delivered
    only if the consent in force when it is sent allows it (P4)."""

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        steps=st.lists(
            st.one_of(
                st.tuples(
                    st.just("consent"),
                    st.sampled_from([Purpose.NOTIFICATIONS, Purpose.COMMERCIAL_INFORMATION]),
                    st.sampled_from([Channel.SMS, None]),
                    st.booleans(),
                ),
                st.tuples(
                    st.just("queue"),
                    st.sampled_from(list(MessagePurpose)),
                    st.integers(min_value=0, max_value=3),
                ),
                st.tuples(st.just("wait"), st.integers(min_value=1, max_value=3)),
                st.tuples(st.just("dispatch")),
            ),
            max_size=12,
        )
    )
    def test_delivered_only_with_consent_at_send_time(
        self, core: Core, clock: TickingClock, steps: list[tuple[object, ...]]
    ) -> None:
        core = core.for_tenant(f"{core.tenant}-{id(steps)}-{clock.now().timestamp()}")
        core.messages.configure(enabled=True)
        client = core.clients.register(last_name="Nowak", phones=["+48601234567"]).id
        sms = RecordingSms()
        ledger: dict[tuple[Purpose, Channel | None], bool] = {}
        expected: dict[UUID, bool] = {}
        pending: dict[UUID, tuple[MessagePurpose, datetime]] = {}

        def allowed(purpose: MessagePurpose) -> bool:
            needed = purpose.consent
            if needed is None:
                return True
            return ledger.get((needed, Channel.SMS), ledger.get((needed, None), False))

        def dispatch() -> None:
            core.messages.dispatch(sms=sms)
            now = clock.now()
            for message_id, (purpose, due) in list(pending.items()):
                if due <= now:
                    expected[message_id] = allowed(purpose)
                    del pending[message_id]

        for step in [*steps, ("wait", 4), ("dispatch",)]:
            if step[0] == "consent":
                _, purpose, channel, granted = step
                assert isinstance(purpose, Purpose)
                assert isinstance(granted, bool)
                assert channel is None or isinstance(channel, Channel)
                core.consents.record(
                    client, purpose, granted=granted, channel=channel, source="test"
                )
                ledger[(purpose, channel)] = granted
            elif step[0] == "queue":
                _, kind, hours = step
                assert isinstance(kind, MessagePurpose)
                assert isinstance(hours, int)
                due = clock.now() + timedelta(hours=hours)
                message = core.messages.schedule(client, "m", due, purpose=kind)
                pending[message.id] = (kind, message.due_at)
            elif step[0] == "wait":
                assert isinstance(step[1], int)
                clock.advance(timedelta(hours=step[1]))
            else:
                dispatch()
        delivered = {UUID(hex=s.idempotency_key) for s in sms.sent}
        assert delivered == {m for m, ok in expected.items() if ok}
        states = {m.id: m.state for m in core.messages.history(client)}
        for message_id, ok in expected.items():
            assert states[message_id] is (MessageState.SENT if ok else MessageState.SUPPRESSED)
