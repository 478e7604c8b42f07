"""The ports messages leave through: an SMS gateway and an e-mail sender.

Both take an idempotency key (the outbox message's id): a provider that honours it refuses
a second delivery of the same message, which is what makes a dispatcher that crashed after
the provider accepted a message, and before it marked it sent, safe to run again. What each
shipped adapter guarantees is said on the adapter.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs


@attrs.frozen
class Attachment:
    filename: str
    content_type: str
    """A MIME type such as ``text/vcard``."""
    data: bytes


@attrs.frozen
class OutgoingEmail:
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    attachments: tuple[Attachment, ...] = ()


@runtime_checkable
class SmsGateway(Protocol):
    """Sends one SMS."""

    def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
        """Send ``body`` to the E.164 number ``to`` from ``sender`` (an alphanumeric sender
        id; empty: the account's default); the provider's id of the message. Raises
        DeliveryFailed (``transient`` says whether to try again later)."""
        ...


@runtime_checkable
class EmailSender(Protocol):
    """Sends one e-mail message."""

    def send_email(self, email: OutgoingEmail) -> str:
        """Send ``email``; the provider's id of it (the Message-ID). Raises DeliveryFailed."""
        ...
