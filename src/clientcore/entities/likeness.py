"""How alike two clients are (M4): a profile of what identifies a client, the evidence two
profiles give for and against being one person, and the blocking keys that put likely
pairs together so that a scan compares near-linearly many pairs.

Evidence is added up as weights in the manner of Fellegi and Sunter (agreement on a
field that rarely agrees by chance weighs much; disagreement on a field that rarely
changes weighs against), and the sum becomes a score between 0 and 1 with a logistic
curve centred on :data:`EVIDENCE_AT_HALF`. The weights were set by hand and checked on the
FEBRL data sets (docs/duplicates.md); nothing is trained.

Names, e-mail addresses and streets are folded with :func:`~clientcore.entities.text.fold`
(case and diacritics ignored: "Żółkiewski" is "zolkiewski"), phones are compared in E.164
as stored, and strings are compared with ``rapidfuzz`` (Jaro-Winkler for names, an
order-insensitive ratio for streets).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from datetime import date
from uuid import UUID

import attrs
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from clientcore.entities.client import Client
from clientcore.entities.duplicates import DuplicateReason
from clientcore.entities.text import fold

EVIDENCE_AT_HALF = 9.0
"""The evidence whose score is 0.5: names alike and one more field that agrees (names
alone score about 0.38)."""
_EVIDENCE_SCALE = 2.0

_DOCUMENT_SAME, _DOCUMENT_NEAR, _DOCUMENT_DIFFERENT = 8.0, 3.0, -1.5
_CONTACT_SAME = 7.0
_BIRTHDAY_SAME, _BIRTHDAY_NEAR, _BIRTHDAY_DIFFERENT = 5.0, 2.0, -3.0
_NAME_WEIGHTS = ((0.97, 4.0), (0.9, 3.0), (0.8, 1.0))
"""(least Jaro-Winkler similarity, weight) for one name part; below all: :data:`_NAME_OTHER`."""
_NAME_OTHER = -3.0
_COMPANY_SAME = 6.0
_POSTCODE_SAME, _POSTCODE_DIFFERENT = 1.5, -1.0
_STREET_WEIGHTS = ((90.0, 2.5), (75.0, 1.0))
_STREET_OTHER = -1.0
_CITY_SAME, _CITY_DIFFERENT = 1.0, -0.5

_REASON_ORDER = {reason: index for index, reason in enumerate(DuplicateReason)}
"""Reasons of equal weight are listed in the order the enum declares them."""
_SOUNDEX = str.maketrans("bfpvwcgjkqsxzdtlmnr", "1111122222222334556")
"""Soundex's consonant classes, with "w" read as "v" (as in Polish, German and Dutch names)."""


@functools.lru_cache(maxsize=1 << 16)
def phonetic(word: str) -> str:
    """A Soundex-like key of a folded word: its first letter and the classes of the
    consonants that follow (vowels, h and y dropped, repeats counted once), at most
    four characters. "Kowalski" and "Kovalsky" share ``k142``."""
    letters = [ch for ch in word if "a" <= ch <= "z"]
    if not letters:
        return ""
    key = [letters[0]]
    last = letters[0].translate(_SOUNDEX)
    for ch in letters[1:]:
        code = ch.translate(_SOUNDEX)
        if code != last and code.isdigit():
            key.append(code)
            if len(key) == 4:
                break
        if ch != "h":
            last = code
    return "".join(key)


_ASCII_NOT_ALNUM = str.maketrans(
    "", "", "".join(ch for ch in map(chr, range(128)) if not ch.isalnum() and not ch.isspace())
)
"""Deletes what :func:`_folded` drops from a word, for ASCII text (most text, and fast)."""


@functools.lru_cache(maxsize=1 << 16)
def _folded(text: str) -> str:
    """``text`` folded, its words (letters and digits only) joined by one space (names,
    streets and cities repeat across clients, so they are remembered)."""
    words = fold(text).split()
    if all(word.isascii() for word in words):
        return " ".join(word.translate(_ASCII_NOT_ALNUM) for word in words)
    return " ".join("".join(ch for ch in word if ch.isalnum()) for word in words)


def _document_key(number: str) -> str:
    return "".join(ch for ch in fold(number) if ch.isalnum())


@attrs.frozen
class Profile:
    """What identifies a client, folded once for comparing: names, phones (E.164),
    e-mail addresses, birthday, identity document numbers, postal codes, streets, cities."""

    id: UUID
    first: str
    last: str
    company: str
    phones: frozenset[str]
    emails: frozenset[str]
    birthday: date | None
    documents: frozenset[str]
    postcodes: frozenset[str]
    streets: tuple[str, ...]
    cities: tuple[str, ...]


def profile(
    client_id: UUID,
    names: tuple[str, str, str],
    *,
    phones: Iterable[str],
    emails: Iterable[str],
    birthday: date | None,
    documents: Iterable[str],
    addresses: Iterable[tuple[str, str, str]],
) -> Profile:
    """The profile of a client as stored: ``names`` are the first, last and company
    names, ``phones`` in E.164, ``documents`` the identity document numbers and
    ``addresses`` (street, postal code, city) each. What a repository reads for a
    duplicate scan without making a :class:`~clientcore.entities.client.Client`."""
    places = tuple(addresses)
    return Profile(
        id=client_id,
        first=_folded(names[0]),
        last=_folded(names[1]),
        company=_folded(names[2]),
        phones=frozenset(phones),
        emails=frozenset(fold(email) for email in emails),
        birthday=birthday,
        documents=frozenset(key for number in documents if (key := _document_key(number))),
        postcodes=frozenset(key for _, code, _ in places if (key := _folded(code))),
        streets=tuple(key for street, _, _ in places if (key := _folded(street))),
        cities=tuple(key for _, _, city in places if (key := _folded(city))),
    )


def profile_of(client: Client) -> Profile:
    return profile(
        client.id,
        (client.first_name, client.last_name, client.company_name),
        phones=(phone.number for phone in client.phones),
        emails=(email.address for email in client.emails),
        birthday=client.birthday,
        documents=(document.number for document in client.identity_documents),
        addresses=((a.street, a.postal_code, a.city) for a in client.addresses),
    )


def _name_weight(a: str, b: str) -> float:
    similarity = JaroWinkler.normalized_similarity(a, b)
    return next((weight for least, weight in _NAME_WEIGHTS if similarity >= least), _NAME_OTHER)


def _names(a: Profile, b: Profile) -> tuple[float, DuplicateReason | None]:
    """Evidence from first and last names, read straight or swapped (the better)."""
    if a.company or b.company:
        if a.company and a.company == b.company:
            return _COMPANY_SAME, DuplicateReason.SAME_COMPANY_NAME
        return 0.0, None
    pairs = [(a.first, b.first), (a.last, b.last)]
    straight = sum(_name_weight(x, y) for x, y in pairs if x and y)
    swapped = -math.inf
    if a.first and a.last and b.first and b.last and a.first != b.first:
        swapped = _name_weight(a.first, b.last) + _name_weight(a.last, b.first)
    weight = max(straight, swapped)
    top = sum(_NAME_WEIGHTS[0][1] for x, y in pairs if x and y)
    if weight <= 0 or top < 2 * _NAME_WEIGHTS[0][1]:
        return weight, None
    if swapped > straight:
        return weight, DuplicateReason.SWAPPED_NAME
    if (a.first, a.last) == (b.first, b.last):
        return weight, DuplicateReason.SAME_NAME
    return weight, DuplicateReason.SIMILAR_NAME if weight >= top / 2 else None


def _birthdays(a: date, b: date) -> tuple[float, DuplicateReason | None]:
    if a == b:
        return _BIRTHDAY_SAME, DuplicateReason.SAME_BIRTHDAY
    x, y = f"{a.year:04}{a.month:02}{a.day:02}", f"{b.year:04}{b.month:02}{b.day:02}"
    if OSA.distance(x, y) <= 1 or (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return _BIRTHDAY_NEAR, DuplicateReason.SIMILAR_BIRTHDAY
    return _BIRTHDAY_DIFFERENT, None


def _documents(a: frozenset[str], b: frozenset[str]) -> tuple[float, DuplicateReason | None]:
    if a & b:
        return _DOCUMENT_SAME, DuplicateReason.SAME_DOCUMENT
    if any(OSA.distance(x, y) <= 1 for x in a for y in b):
        return _DOCUMENT_NEAR, DuplicateReason.SIMILAR_DOCUMENT
    return _DOCUMENT_DIFFERENT, None


def _addresses(a: Profile, b: Profile) -> tuple[float, DuplicateReason | None]:
    weight = 0.0
    if a.postcodes and b.postcodes:
        weight += _POSTCODE_SAME if a.postcodes & b.postcodes else _POSTCODE_DIFFERENT
    street = 0.0
    if a.streets and b.streets:
        similarity = max(fuzz.token_set_ratio(x, y) for x in a.streets for y in b.streets)
        street = next(
            (weight for least, weight in _STREET_WEIGHTS if similarity >= least), _STREET_OTHER
        )
        weight += street
    if a.cities and b.cities:
        same = any(
            JaroWinkler.normalized_similarity(x, y) >= 0.9 for x in a.cities for y in b.cities
        )
        weight += _CITY_SAME if same else _CITY_DIFFERENT
    alike = street == _STREET_WEIGHTS[0][1] and weight >= street + _CITY_SAME
    return weight, DuplicateReason.SAME_ADDRESS if alike else None


def evidence(a: Profile, b: Profile) -> tuple[float, tuple[DuplicateReason, ...]]:
    """The weight of evidence that ``a`` and ``b`` are one client, and its reasons."""
    parts: list[tuple[float, DuplicateReason | None]] = [_names(a, b), _addresses(a, b)]
    if a.documents and b.documents:
        parts.append(_documents(a.documents, b.documents))
    if a.phones & b.phones:
        parts.append((_CONTACT_SAME, DuplicateReason.SAME_PHONE))
    if a.emails & b.emails:
        parts.append((_CONTACT_SAME, DuplicateReason.SAME_EMAIL))
    if a.birthday is not None and b.birthday is not None:
        parts.append(_birthdays(a.birthday, b.birthday))
    total = sum(weight for weight, _ in parts)
    reasons = [(weight, reason) for weight, reason in parts if reason is not None]
    reasons.sort(key=lambda item: (-item[0], _REASON_ORDER[item[1]]))
    return total, tuple(reason for _, reason in reasons)


def score(total: float) -> float:
    """Evidence as a score between 0 and 1 (0.5 at :data:`EVIDENCE_AT_HALF`), rounded to
    four places so that equal evidence gives equal scores everywhere."""
    return round(1.0 / (1.0 + math.exp(-(total - EVIDENCE_AT_HALF) / _EVIDENCE_SCALE)), 4)


def blocking_keys(profile: Profile) -> Iterator[str]:
    """Keys of the blocks a profile goes into; a scan compares the profiles that share a
    key. Each kind of key catches what the others miss: a shared phone, e-mail or
    document; a surname that sounds alike with the same birth year; either name, sounding
    alike, with the same postal code (so swapped names meet); a birthday with the
    initials of the names."""
    for phone in profile.phones:
        yield "p:" + phone
    for email in profile.emails:
        yield "e:" + email
    for document in profile.documents:
        yield "d:" + document
    if profile.company:
        yield "c:" + phonetic(profile.company.replace(" ", ""))
        return
    first, last = phonetic(profile.first), phonetic(profile.last)
    if profile.birthday is not None:
        if last:
            yield f"ly:{last}|{profile.birthday.year}"
        initials = "".join(sorted({name[0] for name in (profile.first, profile.last) if name}))
        yield f"b:{profile.birthday.isoformat()}|{initials}"
    for postcode in profile.postcodes:
        for name in {first, last} - {""}:
            yield f"np:{name}|{postcode}"
