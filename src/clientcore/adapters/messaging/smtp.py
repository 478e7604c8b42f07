"""E-mail over SMTP with the standard library (``smtplib``).

Idempotency: SMTP has none. The message's key becomes its ``Message-ID``
(``<key@domain>``), which lets a receiving system recognise a copy, but a server that
accepted a message will accept it again: after a crash between the server's acceptance and
the dispatcher's "sent", the message may be delivered twice (at least once, never lost).

Errors: the server's 4xx replies, a dropped connection and network errors are transient;
5xx replies (an unknown mailbox, a refused sender) are permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from clientcore.errors import DeliveryFailed
from clientcore.ports.messaging import OutgoingEmail


class SmtpEmailSender:
    """An :class:`~clientcore.ports.messaging.EmailSender` on an SMTP server.

    ``sender`` is the From address; ``starttls`` upgrades the connection (with the default
    certificate checks) before ``username``/``password`` log in, if given.
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str,
        domain: str = "clientcore.invalid",
        starttls: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._domain = domain
        self._starttls = starttls
        self._username = username
        self._password = password
        self._timeout = timeout

    def message(self, email: OutgoingEmail) -> EmailMessage:
        """The MIME message of ``email``: text body, attachments, Message-ID from its key."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message["Message-ID"] = f"<{email.idempotency_key}@{self._domain}>"
        message.set_content(email.body)
        for attachment in email.attachments:
            main, _, sub = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.data, maintype=main, subtype=sub, filename=attachment.filename
            )
        return message

    def send_email(self, email: OutgoingEmail) -> str:
        message = self.message(email)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryFailed(
                f"recipient refused: {error.recipients}",
                transient=all(400 <= code < 500 for code in codes),
                code=str(codes[0]) if codes else "",
            ) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(
                f"SMTP {error.smtp_code}: {error.smtp_error!r}",
                transient=400 <= error.smtp_code < 500,
                code=str(error.smtp_code),
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"SMTP failed: {error}", transient=True) from error
        return str(message["Message-ID"])
