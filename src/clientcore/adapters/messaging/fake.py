"""Recording gateways for tests: they keep what was sent (``sms.sent``), not a mock.

Both honour the idempotency key as a provider that dedupes does: a message sent again
under a key already accepted is not delivered again; the first delivery's id is returned.
Thread-safe, so that several dispatchers can share one.
"""

from __future__ import annotations

import itertools
import threading

import attrs

from clientcore.errors import DeliveryFailed
from clientcore.ports.messaging import OutgoingEmail


@attrs.frozen
class SentSms:
    to: str
    sender: str
    body: str
    idempotency_key: str


class RecordingSms:
    """An :class:`~clientcore.ports.messaging.SmsGateway` that keeps what it delivered in
    :attr:`sent`. ``fail`` maps a number to the DeliveryFailed to raise instead."""

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self.fail: dict[str, DeliveryFailed] = {}
        self._accepted: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
        with self._lock:
            if to in self.fail:
                raise self.fail[to]
            known = self._accepted.get(idempotency_key)
            if known is not None:
                return known
            provider_id = f"sms-{next(self._ids)}"
            self._accepted[idempotency_key] = provider_id
            self.sent.append(SentSms(to, sender, body, idempotency_key))
            return provider_id


class RecordingEmail:
    """An :class:`~clientcore.ports.messaging.EmailSender` that keeps what it delivered."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self._accepted: dict[str, str] = {}
        self._lock = threading.Lock()

    def send_email(self, email: OutgoingEmail) -> str:
        with self._lock:
            known = self._accepted.get(email.idempotency_key)
            if known is not None:
                return known
            provider_id = f"<{email.idempotency_key}@recording>"
            self._accepted[email.idempotency_key] = provider_id
            self.sent.append(email)
            return provider_id
