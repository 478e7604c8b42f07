"""``phones.parse`` and ``phones.is_valid`` (the international form read directly) against
``phonenumbers.parse`` and ``is_valid_number``, and ``normalize_phone`` through both."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clientcore.entities import phones
from clientcore.entities.contacts import Phone, normalize_phone, normalize_phones
from clientcore.errors import ValidationError

CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
REGIONS: list[str | None] = [None, "PL", "LT", "NL", "IT", "AR", "MX", "BR", "US", "CA"]
REGIONS += ["GB", "RU", "DE", "JP", "AU", "HU", "FI", "CU", "TJ", "pl", "ZZ"]
SEPARATORS = [" ", "-", ".", "(", ")", "", "", "", "x", "#", ",", ";", "/", "\u00a0", "+", "a"]
NUMBERS = [
    "+48 600001234",
    "+48 600 001 234",
    "+48-600-001-234",
    "+48 (22) 123 45 67",
    "+1 (415) 555-0100",
    "+1 1415 555 0100",
    "+44 7911 123456",
    "+44 07911 123456",
    "+39 06 6982 0000",
    "+39 312 345 6789",
    "+54 9 11 1234 5678",
    "+54 11 1234 5678",
    "+52 1 55 1234 5678",
    "+55 11 91234 5678",
    "+7 912 345 67 89",
    "+7 8 912 345 67 89",
    "+370 612 34567",
    "+370 8612 34567",
    "+31 6 12345678",
    "+800 1234 5678",
    "+882 1234 5678",
    "+48 600001234 x12",
    "+48 600001234#",
    "+48600001234;ext=7",
    "+48 6000012345678901234",
    "+48 " + "6" * 17,
    "+48 " + "6" * 18,
    "+48 6",
    "+4",
    "+",
    "+0 48 600001234",
    "++48 600001234",
    "+48 ６００００１２３４",
    "+48 600 FLOWERS",
    "600 001 234",
    "600001234",
    "(22) 123-45-67",
    "48 600 001 234",
    "48600001234",
    "0048 600001234",
    "00 0 48 600001234",
    "011 48 600001234",
    "810 48 600001234",
    "994 48 600001234",
    "119 48 600001234",
    "8 912 345 67 89",
    "912 345 67 89",
    "06 12345678",
    "612345678",
    "1 415 555 0100",
    "415 555 0100",
    "02 1234 5678",
    "312 345 6789",
    "9 11 1234 5678",
    "11 15 1234 5678",
    "60",
    "6 0",
    "600",
    "6 00",
    "(+48) 600001234",
    " +48 600001234",
    "+48 600001234 ",
    "+48" + " " * 250 + "600001234",
    "600" + " " * 250 + "001234",
    "+48 600001234/x5",
    "tel:+48-600-001-234",
]
digits = st.text(alphabet="0123456789", min_size=0, max_size=19)
written = st.builds(
    lambda groups, separators: "".join(
        sep + group for sep, group in zip(separators, groups, strict=False)
    ),
    st.lists(digits, min_size=1, max_size=4),
    st.lists(st.sampled_from(SEPARATORS), min_size=4, max_size=4),
)
"""Digits in groups, with separators (and now and then a character that is not one)."""
international = st.builds(lambda code, rest: f"+{code}{rest}", st.sampled_from(CODES), written)
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    international,
    international.map(lambda number: number[:4] + "0" + number[4:]),
    written,
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["0", "00", "011", "8", "810", "1", "48", "54", "7"]),
        written,
    ),
    st.text(alphabet="+0123456789 ().-x#", max_size=30),
    st.text(max_size=20),
)
regions = st.sampled_from(REGIONS)


def outcome(
    parse: Callable[[str, str | None], phonenumbers.PhoneNumber],
    is_valid: Callable[[phonenumbers.PhoneNumber], bool],
    number: str,
    region: str | None,
) -> tuple[object, ...]:
    try:
        parsed = parse(number, region)
    except phonenumbers.NumberParseException as error:
        return "refused", error.error_type, str(error)
    return "parsed", parsed, is_valid(parsed)


def library(number: str, region: str | None) -> tuple[object, ...]:
    return outcome(phonenumbers.parse, phonenumbers.is_valid_number, number, region)


def ours(number: str, region: str | None) -> tuple[object, ...]:
    return outcome(phones.parse, phones.is_valid, number, region)


@pytest.mark.parametrize("region", REGIONS)
def test_every_edge_case_number_in_every_region(region: str | None) -> None:
    differ = [number for number in NUMBERS if ours(number, region) != library(number, region)]
    assert not differ


@settings(max_examples=1000)
@given(numbers, regions)
@example("+54 9 11 1234 5678", "AR")
@example("+39 06 6982 0000", None)
def test_parse_and_is_valid_are_the_librarys(number: str, region: str | None) -> None:
    assert ours(number, region) == library(number, region)


storable = numbers.filter(
    lambda number: (
        number.isprintable()
        and number.strip()
        and len(number) <= 40
        and unicodedata.is_normalized("NFC", number)
    )
)
"""Texts that ``normalize_phone`` takes as they are to the phone checks."""


def library_e164(number: str, region: str | None) -> tuple[object, ...]:
    """What ``normalize_phone`` did before its fast paths: the library's parse, validity
    check and E.164 form."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as error:
        return "refused", error.error_type, str(error)
    if not phonenumbers.is_valid_number(parsed):
        return "invalid", f"phones: {number!r} is not a valid phone number"
    return "stored", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def stored(number: str, region: str | None) -> tuple[object, ...]:
    try:
        return "stored", normalize_phone(number, region=region)
    except ValidationError as error:
        cause = error.__cause__
        if isinstance(cause, phonenumbers.NumberParseException):
            return "refused", cause.error_type, str(cause)
        return "invalid", str(error)


@settings(max_examples=300)
@given(storable, regions)
@example("+39 06 6982 0000", None)
@example("+7 8 912 345 67 89", "PL")
def test_normalize_phone_stores_the_librarys_e164_or_refuses(
    number: str, region: str | None
) -> None:
    """Through the public entry point: the library's E.164 form, or its refusal (the
    error's cause), or the message for a number it finds invalid."""
    assert stored(number, region) == library_e164(number, region)


@pytest.mark.parametrize("region", REGIONS)
def test_known_e164_is_the_librarys_or_none(region: str | None) -> None:
    """Where ``known_e164`` answers, the library parses the text into a valid number with
    that E.164 form; it answers for the common international form in every region."""
    known = {number: phones.known_e164(number, region) for number in NUMBERS}
    assert all(
        library_e164(number, region) == ("stored", e164)
        for number, e164 in known.items()
        if e164 is not None
    )
    assert known["+48 600 001 234"] == "+48600001234"


@settings(max_examples=300)
@given(storable, regions)
def test_one_bare_phone_is_stored_as_a_phone_entry_is(number: str, region: str | None) -> None:
    """A list of one bare number (read by a shorter path) gives what the same number as a
    ``Phone`` entry gives: one primary phone, or the same refusal."""

    def normalized(entry: object) -> object:
        try:
            return normalize_phones([entry], region=region)
        except ValidationError as error:
            return str(error)

    assert normalized(number) == normalized(Phone(number))
