"""The shipped gateways against real servers on loopback: SMTP (``aiosmtpd``) for e-mail
and the business card, a local HTTP server that checks SMSAPI's exact request."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import vobject
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

import clientcore
from clientcore import Actor, MessageState, OutgoingEmail, Role
from clientcore.adapters.messaging.smsapi import SmsApiGateway
from clientcore.adapters.messaging.smtp import SmtpEmailSender
from clientcore.cli import main
from clientcore.errors import DeliveryFailed

# -- SMTP ----------------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps the messages it accepted; recipients at
    ``full.example`` get a 452 (try later), at ``gone.example`` a 550 (no such user)."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.endswith("@full.example"):
            return "452 4.2.2 mailbox full, try later"
        if address.endswith("@gone.example"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def test_smtp_sends_a_message_with_its_key_as_message_id(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    sender = SmtpEmailSender("127.0.0.1", port, sender="clinic@example.com", domain="clinic.test")
    key = "0123456789abcdef"
    message_id = sender.send_email(OutgoingEmail("anna@example.com", "Wyniki", "Gotowe.", key))
    (received,) = mailbox.received
    assert message_id == received["Message-ID"] == f"<{key}@clinic.test>"
    assert (received["From"], received["To"], received["Subject"]) == (
        "clinic@example.com",
        "anna@example.com",
        "Wyniki",
    )
    assert received.get_content().strip() == "Gotowe."


@pytest.mark.parametrize(("domain", "transient"), [("full.example", True), ("gone.example", False)])
def test_smtp_refusals_are_transient_or_permanent(
    smtp_server: tuple[Mailbox, int], domain: str, transient: bool
) -> None:
    mailbox, port = smtp_server
    sender = SmtpEmailSender("127.0.0.1", port, sender="clinic@example.com")
    with pytest.raises(DeliveryFailed) as raised:
        sender.send_email(OutgoingEmail(f"x@{domain}", "s", "b", "k"))
    assert raised.value.transient is transient
    assert mailbox.received == []


def test_an_unreachable_smtp_server_is_a_transient_failure() -> None:
    sender = SmtpEmailSender("127.0.0.1", _free_port(), sender="clinic@example.com", timeout=5)
    with pytest.raises(DeliveryFailed) as raised:
        sender.send_email(OutgoingEmail("a@example.com", "s", "b", "k"))
    assert raised.value.transient


def test_the_business_card_arrives_as_a_vcard_attachment(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    core = clientcore.open("memory://", tenant="t", actor=Actor("o", roles={Role.OWNER}))
    core.setup.configure(default_region="PL")
    client = core.clients.register(
        first_name="Łucja",
        last_name="Wiśniewska",
        phones=["601 234 567"],
        emails=["lucja@example.com"],
    )
    sender = SmtpEmailSender("127.0.0.1", port, sender="clinic@example.com")
    core.messages.send_business_card(
        client.id, sender, recipient="vet@example.com", subject="Wizytówka", body="W załączniku."
    )
    (received,) = mailbox.received
    assert received["To"] == "vet@example.com"
    assert received["Subject"] == "Wizytówka"
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content_type() == "text/vcard"
    assert attachment.get_filename() == f"{client.code}.vcf"
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    card = vobject.readOne(data.decode("utf-8"))
    assert card.fn.value == "Łucja Wiśniewska"
    assert (card.n.value.given, card.n.value.family) == ("Łucja", "Wiśniewska")
    assert card.tel.value == "+48601234567"
    assert card.email.value == "lucja@example.com"


# -- SMSAPI --------------------------------------------------------------------------------


class SmsApi:
    """A local stand-in for SMSAPI.pl: it keeps each request and answers ``answers`` in turn."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], dict[str, list[str]]]] = []
        self.answers: list[tuple[int, object]] = []


@pytest.fixture
def smsapi() -> Iterator[tuple[SmsApi, str]]:
    state = SmsApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = parse_qs(self.rfile.read(length).decode("utf-8"), strict_parsing=True)
            state.requests.append((self.command, self.path, dict(self.headers.items()), body))
            status, answer = state.answers.pop(0)
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_smsapi_gets_the_exact_request(smsapi: tuple[SmsApi, str]) -> None:
    state, url = smsapi
    state.answers.append((200, {"count": 1, "list": [{"id": "6123ABC", "status": "QUEUE"}]}))
    gateway = SmsApiGateway("secret-token", base_url=url)
    provider_id = gateway.send_sms(
        to="+48601234567", sender="HappyPaws", body="Zażółć", idempotency_key="k1"
    )
    gateway.close()
    assert provider_id == "6123ABC"
    ((method, path, headers, form),) = state.requests
    assert (method, path) == ("POST", "/sms.do")
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form == {
        "to": ["48601234567"],
        "message": ["Zażółć"],
        "from": ["HappyPaws"],
        "format": ["json"],
        "encoding": ["utf-8"],
        "idx": ["k1"],
        "check_idx": ["1"],
    }


def test_smsapi_reads_a_repeated_key_as_the_earlier_acceptance(
    smsapi: tuple[SmsApi, str],
) -> None:
    state, url = smsapi
    state.answers.append((200, {"error": 53, "message": "Not unique idx"}))
    gateway = SmsApiGateway("t", base_url=url)
    assert gateway.send_sms(to="+48601234567", sender="", body="b", idempotency_key="k1") == (
        "idx:k1"
    )
    assert "from" not in state.requests[0][3]


@pytest.mark.parametrize(
    ("status", "answer", "transient", "code"),
    [
        (200, {"error": 13, "message": "No valid phone numbers"}, False, "13"),
        (200, {"error": 14, "message": "Wrong sender name"}, False, "14"),
        (200, {"error": 59, "message": "Number on the stop list"}, False, "59"),
        (200, {"error": 101, "message": "Invalid authorization"}, False, "101"),
        (200, {"error": 103, "message": "Insufficient credits"}, True, "103"),
        (200, {"error": 203, "message": "Too many requests"}, True, "203"),
        (200, {"error": 999, "message": "Internal error"}, True, "999"),
        (503, b"unavailable", True, "503"),
        (429, b"slow down", True, "429"),
    ],
)
def test_smsapi_errors_are_transient_or_permanent(
    smsapi: tuple[SmsApi, str], status: int, answer: object, transient: bool, code: str
) -> None:
    state, url = smsapi
    state.answers.append((status, answer))
    with pytest.raises(DeliveryFailed) as raised:
        SmsApiGateway("t", base_url=url).send_sms(
            to="+48601234567", sender="", body="b", idempotency_key="k"
        )
    assert (raised.value.transient, raised.value.code) == (transient, code)


def test_an_unreachable_smsapi_is_a_transient_failure() -> None:
    client = httpx.Client(timeout=2.0)
    gateway = SmsApiGateway("t", base_url=f"http://127.0.0.1:{_free_port()}", client=client)
    with pytest.raises(DeliveryFailed) as raised:
        gateway.send_sms(to="+48601234567", sender="", body="b", idempotency_key="k")
    assert raised.value.transient
    client.close()


# -- the command -----------------------------------------------------------------------------


def test_clientcore_dispatch_once_sends_what_is_due(
    smtp_server: tuple[Mailbox, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox, port = smtp_server
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    with clientcore.open(url, tenant="vet-1", actor=Actor("o", roles={Role.OWNER})) as core:
        core.messages.configure(enabled=True)
        client = core.clients.register(last_name="Nowak", emails=["jan@example.com"])
        message = core.messages.send(client.id, "Do zobaczenia", channel="email", subject="Hej")
    status = main(
        [
            "dispatch",
            url,
            "--tenant",
            "vet-1",
            "--once",
            "--smtp",
            f"127.0.0.1:{port}",
            "--smtp-from",
            "clinic@example.com",
        ]
    )
    assert status == 0
    assert "sent 1," in capsys.readouterr().out
    (received,) = mailbox.received
    assert (received["To"], received["Subject"]) == ("jan@example.com", "Hej")
    with clientcore.open(url, tenant="vet-1") as core:
        assert core.messages.get(message.id).state is MessageState.SENT
