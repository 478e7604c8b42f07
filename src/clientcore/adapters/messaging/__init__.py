"""Gateways messages leave through: a recording fake, SMTP e-mail, and SMSAPI.pl SMS."""

from clientcore.adapters.messaging.fake import RecordingEmail, RecordingSms, SentSms

__all__ = ["RecordingEmail", "RecordingSms", "SentSms"]
