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
from collections.abc import Iterable, Sequence, Sized
from datetime import date
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from clientcore.entities.client import Client
from clientcore.entities.distinct import distinct_with_inverse
from clientcore.entities.duplicates import DuplicateReason
from clientcore.entities.text import fold

if TYPE_CHECKING:
    from clientcore.entities.profile_table import ProfileTable

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


_ASCII_PUNCTUATION = "".join(
    ch for ch in map(chr, range(128)) if not ch.isalnum() and not ch.isspace()
)
_DROP_PUNCTUATION = str.maketrans("", "", _ASCII_PUNCTUATION)
_DROP_PUNCTUATION_AND_SPACE = str.maketrans(
    "", "", _ASCII_PUNCTUATION + " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
)


def _folded(text: str) -> str:
    """``text`` folded, its words (letters and digits only) joined by one space. ASCII
    text (most text) is folded at once; other text is remembered (names, streets and
    cities repeat across clients, and folding them is slower)."""
    if text.isascii():
        return " ".join(text.lower().split()).translate(_DROP_PUNCTUATION)
    return _folded_unicode(text)


@functools.lru_cache(maxsize=1 << 16)
def _folded_unicode(text: str) -> str:
    return " ".join("".join(ch for ch in word if ch.isalnum()) for word in fold(text).split())


def _document_key(number: str) -> str:
    if number.isascii():
        return number.lower().translate(_DROP_PUNCTUATION_AND_SPACE)
    return "".join(ch for ch in fold(number) if ch.isalnum())


class Profile(NamedTuple):
    """What identifies a client, folded once for comparing: names, phones (E.164),
    e-mail addresses, birthday, identity document numbers, postal codes, streets, cities.
    A named tuple: a scan makes one per client, and a tuple is made fastest."""

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
    postcodes, streets, cities = [], [], []
    for street, code, city in addresses:
        if key := _folded(code):
            postcodes.append(key)
        if key := _folded(street):
            streets.append(key)
        if key := _folded(city):
            cities.append(key)
    return Profile(
        client_id,
        _folded(names[0]),
        _folded(names[1]),
        _folded(names[2]),
        frozenset(phones),
        frozenset(map(fold, emails)),
        birthday,
        frozenset(filter(None, map(_document_key, documents))),
        frozenset(postcodes),
        tuple(streets),
        tuple(cities),
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
    for least, weight in _NAME_WEIGHTS:
        if similarity >= least:
            return weight
    return _NAME_OTHER


def _names(a: Profile, b: Profile) -> tuple[float, DuplicateReason | None]:
    """Evidence from first and last names, read straight or swapped (the better)."""
    if a.company or b.company:
        if a.company and a.company == b.company:
            return _COMPANY_SAME, DuplicateReason.SAME_COMPANY_NAME
        return 0.0, None
    firsts, lasts = bool(a.first and b.first), bool(a.last and b.last)
    straight = (_name_weight(a.first, b.first) if firsts else 0.0) + (
        _name_weight(a.last, b.last) if lasts else 0.0
    )
    swapped = -math.inf
    if firsts and lasts and a.first != b.first:
        swapped = _name_weight(a.first, b.last) + _name_weight(a.last, b.first)
    weight = max(straight, swapped)
    top = 2 * _NAME_WEIGHTS[0][1]
    if weight <= 0 or not (firsts and lasts):
        return weight, None
    if swapped > straight:
        return weight, DuplicateReason.SWAPPED_NAME
    if (a.first, a.last) == (b.first, b.last):
        return weight, DuplicateReason.SAME_NAME
    return weight, DuplicateReason.SIMILAR_NAME if weight >= top / 2 else None


@functools.lru_cache(maxsize=1 << 16)
def _digits(day: date) -> str:
    """A date as its eight digits, compared by edit distance (birthdays repeat)."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _birthdays(a: date, b: date) -> tuple[float, DuplicateReason | None]:
    if a == b:
        return _BIRTHDAY_SAME, DuplicateReason.SAME_BIRTHDAY
    if OSA.distance(_digits(a), _digits(b)) <= 1 or (a.year, a.month, a.day) == (
        b.year,
        b.day,
        b.month,
    ):
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
    total = 0.0
    reasons = []
    for weight, reason in parts:
        total += weight
        if reason is not None:
            reasons.append((weight, reason))
    if len(reasons) > 1:
        reasons.sort(key=lambda item: (-item[0], _REASON_ORDER[item[1]]))
    return total, tuple(reason for _, reason in reasons)


def score(total: float) -> float:
    """Evidence as a score between 0 and 1 (0.5 at :data:`EVIDENCE_AT_HALF`), rounded to
    four places so that equal evidence gives equal scores everywhere."""
    return round(1.0 / (1.0 + math.exp(-(total - EVIDENCE_AT_HALF) / _EVIDENCE_SCALE)), 4)


def blocking_keys(profile: Profile) -> list[str]:
    """Keys of the blocks a profile goes into, each once; a scan compares the profiles
    that share a key. Each kind of key catches what the others miss: a shared phone,
    e-mail or document; a surname that sounds alike with the same birth year; either
    name, sounding alike, with the same postal code (so swapped names meet); a birthday
    with the initials of the names."""
    keys = ["p:" + phone for phone in profile.phones]
    keys += ["e:" + email for email in profile.emails]
    keys += ["d:" + document for document in profile.documents]
    if profile.company:
        keys.append("c:" + phonetic(profile.company.replace(" ", "")))
        return keys
    first, last = phonetic(profile.first), phonetic(profile.last)
    birthday = profile.birthday
    if birthday is not None:
        if last:
            keys.append(f"ly:{last}|{birthday.year}")
        a, b = profile.first[:1], profile.last[:1]
        initials = a if a == b else min(a, b) + max(a, b)
        keys.append(f"b:{birthday.isoformat()}|{initials}")
    names = [name for name in (first, last) if name]
    if len(names) == 2 and first == last:
        names = [first]
    keys += [f"np:{name}|{postcode}" for postcode in profile.postcodes for name in names]
    return keys


def _present(column: Sequence[Sized]) -> NDArray[np.int64]:
    """1 for each non-empty value of ``column``, else 0."""
    return np.fromiter(map(bool, column), dtype=np.int64, count=len(column))


_DIGIT_PLACES = 10 ** np.arange(7, -1, -1, dtype=np.int64)


def _birthday_weights(x: NDArray[np.int64], y: NDArray[np.int64]) -> NDArray[np.float64]:
    """The weight :func:`_birthdays` gives each pair of birthdays written as the numbers
    YYYYMMDD (0: none), with numpy: near is one digit changed, two neighbouring digits
    swapped (the edit distance of two texts of eight digits is 1 only so) or day and
    month swapped."""
    dx, dy = (x[:, None] // _DIGIT_PLACES) % 10, (y[:, None] // _DIGIT_PLACES) % 10
    differ = dx != dy
    changed = differ.sum(axis=1)
    swapped_digits = (
        differ[:, :-1] & differ[:, 1:] & (dx[:, :-1] == dy[:, 1:]) & (dx[:, 1:] == dy[:, :-1])
    ).any(axis=1)
    day_month = (
        (x // 10_000 == y // 10_000) & ((x // 100) % 100 == y % 100) & (x % 100 == (y // 100) % 100)
    )
    near = (changed == 1) | ((changed == 2) & swapped_digits) | day_month
    weights = np.where(x == y, _BIRTHDAY_SAME, np.where(near, _BIRTHDAY_NEAR, _BIRTHDAY_DIFFERENT))
    found: NDArray[np.float64] = np.where((x > 0) & (y > 0), weights, 0.0)
    return found


def _scores_reach(weights: NDArray[np.float64], min_score: float) -> NDArray[np.bool_]:
    """Whether the :func:`score` of each weight is at least ``min_score`` (scored once per
    distinct weight: a bound takes few values)."""
    values, inverse = distinct_with_inverse(weights)
    reach = np.array([score(value) >= min_score for value in values.tolist()], dtype=bool)
    found: NDArray[np.bool_] = reach[inverse]
    return found


def _name_weights(similarity: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`_name_weight` of an array of similarities."""
    return np.select(
        [similarity >= least for least, _ in _NAME_WEIGHTS],
        [weight for _, weight in _NAME_WEIGHTS],
        _NAME_OTHER,
    )


class EvidenceBound:
    """For many pairs of a :class:`~clientcore.entities.profile_table.ProfileTable`'s
    profiles at once (as arrays of their positions), a bound that :func:`evidence` never
    exceeds: the names compared by ``rapidfuzz`` (one call for each way of pairing them),
    a shared phone, e-mail, document or postal code seen by fingerprints, the birthdays
    weighed exactly, and each street, city or near document counted at its best weight.
    A scan scores in full only the pairs whose bound reaches its threshold (at 100,000
    synthetic clients, about one candidate pair in twenty). Made from the table's
    columns, with no profile made."""

    def __init__(self, table: ProfileTable) -> None:
        self._names = np.array(table.names, dtype=object)
        self._firsts, self._lasts = table.first_codes, table.last_codes
        self._first, self._last = _present(table.first), _present(table.last)
        self._company = table.company_codes
        self._phones, self._emails = table.phones, table.emails
        self._documents, self._postcodes = table.documents, table.postcodes
        self._streets, self._cities = table.streets, table.cities
        self._birthday = table.birthdays

    def _similarities(self, x: NDArray[np.int64], y: NDArray[np.int64]) -> NDArray[np.float64]:
        """Jaro-Winkler similarity of the names coded ``x[i]`` and ``y[i]``, computed once
        for each distinct (x, y): names repeat (at 100,000 synthetic clients, 202,540
        candidate pairs have 11,396 distinct pairs of first names)."""
        names = self._names
        pairs, inverse = distinct_with_inverse(x * len(names) + y)
        found = process.cpdist(
            names[pairs // len(names)].tolist(),
            names[pairs % len(names)].tolist(),
            scorer=JaroWinkler.normalized_similarity,
        )
        similarities: NDArray[np.float64] = np.asarray(found, dtype=np.float64)[inverse]
        return similarities

    def at_most(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.float64]:
        """The bound for each pair ``(a[i], b[i])`` of positions."""
        return self._with_names(a, b, self._names_bound(a, b))

    def _names_bound(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.float64]:
        """The names' part of the bound: their weights read straight or swapped (the
        better), compared by ``rapidfuzz``."""
        firsts = (self._first[a] & self._first[b]).astype(bool)
        lasts = (self._last[a] & self._last[b]).astype(bool)
        both = firsts & lasts
        first, last = (self._firsts[a], self._firsts[b]), (self._lasts[a], self._lasts[b])
        straight = np.where(firsts, _name_weights(self._similarities(*first)), 0.0) + np.where(
            lasts, _name_weights(self._similarities(*last)), 0.0
        )
        swapped = _name_weights(self._similarities(first[0], last[1])) + _name_weights(
            self._similarities(last[0], first[1])
        )
        found: NDArray[np.float64] = np.maximum(straight, np.where(both, swapped, -math.inf))
        return found

    def _best_names(self, a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.float64]:
        """What the names' part can be at most, without comparing them: each name present
        on both sides at the top weight."""
        present = (self._first[a] & self._first[b]) + (self._last[a] & self._last[b])
        found: NDArray[np.float64] = _NAME_WEIGHTS[0][1] * present.astype(np.float64)
        return found

    def _with_names(
        self, a: NDArray[np.int64], b: NDArray[np.int64], names: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The bound, given its names' part."""
        company = (self._company[a] > 0) | (self._company[b] > 0)
        same_company = (self._company[a] == self._company[b]) & (self._company[a] > 0)
        weight = np.where(company, np.where(same_company, _COMPANY_SAME, 0.0), names)

        def present(column: NDArray[np.int64]) -> NDArray[np.bool_]:
            found: NDArray[np.bool_] = (column[a] != 0) & (column[b] != 0)
            return found

        def shared(column: NDArray[np.int64]) -> NDArray[np.bool_]:
            found: NDArray[np.bool_] = (column[a] & column[b]) != 0
            return found

        weight += np.where(shared(self._phones), _CONTACT_SAME, 0.0)
        weight += np.where(shared(self._emails), _CONTACT_SAME, 0.0)
        documents = np.where(shared(self._documents), _DOCUMENT_SAME, _DOCUMENT_NEAR)
        weight += np.where(present(self._documents), documents, 0.0)
        postcodes = np.where(shared(self._postcodes), _POSTCODE_SAME, _POSTCODE_DIFFERENT)
        weight += np.where(present(self._postcodes), postcodes, 0.0)
        weight += np.where(present(self._streets), _STREET_WEIGHTS[0][1], 0.0)
        weight += np.where(present(self._cities), _CITY_SAME, 0.0)
        weight += _birthday_weights(self._birthday[a], self._birthday[b])
        return weight

    def reaching(
        self, a: NDArray[np.int64], b: NDArray[np.int64], min_score: float
    ) -> NDArray[np.bool_]:
        """Whether each pair's bound has a :func:`score` of at least ``min_score``: the
        pairs whose evidence might. Names are compared only for the pairs that would
        reach it with their names at the top weight (at 100,000 synthetic clients, about
        one candidate pair in seven)."""
        maybe = np.flatnonzero(
            _scores_reach(self._with_names(a, b, self._best_names(a, b)), min_score)
        )
        x, y = a[maybe], b[maybe]
        reach = np.zeros(len(a), dtype=bool)
        reach[maybe] = _scores_reach(self.at_most(x, y), min_score)
        return reach
