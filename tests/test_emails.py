"""``normalized_email`` (a domain checked once) against ``email_validator.validate_email``."""

from __future__ import annotations

import email_validator
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clientcore.entities.contacts import Email, normalize_emails
from clientcore.entities.emails import normalized_email
from clientcore.errors import ValidationError

ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~"
LOCALS = [
    "a",
    "jan.kowalski",
    "jan..kowalski",
    ".jan",
    "jan.",
    "Jan",
    "POSTMASTER",
    "postmaster",
    "Info",
    '"jan kowalski"',
    '"jan"',
    '"ja\\"n"',
    "jan kowalski",
    "łukasz",
    "Łukasz",
    "e\u0301",
    "a" * 64,
    "a" * 65,
    "b" * 200,
    "",
    "jan@x",
    "Jan <jan",
]
DOMAINS = [
    "example.com",
    "EXAMPLE.COM",
    "Example.Com",
    "sub.example.co.uk",
    "example",
    "localhost",
    "x.localhost",
    "example.test",
    "test",
    "a.invalid",
    "b.local",
    "c.onion",
    "in-addr.arpa",
    "bücher.de",
    "BÜCHER.de",
    "xn--bcher-kva.de",
    "xn--bcher.de",
    "ab--cd.com",
    "-a.com",
    "a-.com",
    "a..com",
    ".a.com",
    "a.com.",
    "a.b-.c",
    "1.2.3.4",
    "[1.2.3.4]",
    "[IPv6:::1]",
    "a.1com",
    "exam_ple.com",
    "例え.テスト",
    "ｅｘａｍｐｌｅ．ｃｏｍ",
    "אב.1.com",
    "a" * 63 + ".com",
    "a" * 64 + ".com",
    ".".join(["a" * 60] * 4) + ".com",
    ".".join(["a" * 49] * 5),
    "",
    "@example.com",
    "exa mple.com",
    "example.com>",
]
labels = st.text(alphabet="abcxyzABZ019-ąü", min_size=1, max_size=12)
domains = st.one_of(
    st.sampled_from(DOMAINS),
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.text(max_size=20),
)
plain_locals = st.lists(st.text(alphabet=ATEXT, min_size=1, max_size=30), min_size=1, max_size=3)
locals_ = st.one_of(
    st.sampled_from(LOCALS),
    plain_locals.map(".".join),
    st.text(alphabet=ATEXT + '.ABZ"\\ (),:;<>@[]ąŁ\u0301', max_size=70),
    st.text(max_size=20),
)
addresses = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", locals_, domains),
    st.builds(lambda local, domain: f"Jan <{local}@{domain}>", locals_, domains),
    st.text(max_size=40),
)


def library(address: str) -> str:
    return str(validate_email(address, check_deliverability=False).normalized)


def outcome(normalize: object, address: str) -> tuple[str, str]:
    assert callable(normalize)
    try:
        return "normalized", normalize(address)
    except EmailNotValidError as error:
        return type(error).__name__, str(error)


IDNA_LONGER = ".".join(["aüaąaćaęałańaóaśaźaż"] * 5) + ".pl"
"""A domain whose IDNA ASCII form is longer than its UTF-8: with a local part of 64
characters only that form of the address is too long."""
FULL_WIDTH = "ｅ" * 63 + "．ｃｏｍ"
"""A domain written in full-width letters: with a local part of 64 characters only the
address as given is too long (its normalised form has ASCII letters)."""


def test_every_edge_case_local_part_at_every_edge_case_domain() -> None:
    pairs = [(local, domain) for local in LOCALS for domain in [*DOMAINS, IDNA_LONGER, FULL_WIDTH]]
    differ = [
        address
        for local, domain in pairs
        if outcome(normalized_email, address := f"{local}@{domain}") != outcome(library, address)
    ]
    assert not differ


@settings(max_examples=500)
@given(addresses)
@example("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com")
@example("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".com")
@example("a" * 61 + "@" + IDNA_LONGER)
@example("a" * 50 + "@" + FULL_WIDTH)
def test_normalized_email_is_the_librarys(address: str) -> None:
    assert outcome(normalized_email, address) == outcome(library, address)


@pytest.mark.parametrize(
    ("setting", "first", "address"),
    [
        ("TEST_ENVIRONMENT", True, "jan@settings.test"),
        ("ALLOW_DOMAIN_LITERAL", True, "jan@[192.0.2.7]"),
        ("GLOBALLY_DELIVERABLE", False, "jan@intranet"),
        ("SPECIAL_USE_DOMAIN_NAMES", ["test"], "jan@my.local"),
        ("STRICT", False, "a" * 65 + "@example.com"),
    ],
)
def test_the_librarys_settings_count_after_a_domain_was_checked(
    setting: str, first: object, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host may change email-validator's module settings (``TEST_ENVIRONMENT`` in its
    tests): an address accepted under one setting is refused under the other."""
    default = getattr(email_validator, setting)
    outcomes = []
    for value in (first, default if setting != "STRICT" else True):
        monkeypatch.setattr(email_validator, setting, value)
        outcomes.append(outcome(normalized_email, address))
        assert outcomes[-1] == outcome(library, address)
    assert outcomes[0][0] == "normalized"
    assert outcomes[1][0] != "normalized"


@settings(max_examples=300)
@given(st.one_of(addresses, st.text(max_size=30)))
def test_one_bare_address_is_stored_as_an_email_entry_is(address: str) -> None:
    """A list of one bare address (read by a shorter path) gives what the same address as
    an ``Email`` entry gives: one primary address, or the same refusal."""

    def normalized(entry: object) -> object:
        try:
            return normalize_emails([entry])
        except ValidationError as error:
            return str(error)

    assert normalized(address) == normalized(Email(address))
