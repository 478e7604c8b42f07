"""What a client can be found by, and how a search text becomes prefix terms (C10).

Every adapter stores the keys of :func:`client_search_keys` and matches a client when each
term of :func:`search_terms` is a prefix of one of its keys; so all adapters agree.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from uuid import UUID

import attrs
import phonenumbers

from clientcore.entities import phones
from clientcore.entities.attribute import comparable
from clientcore.entities.client import AttributeValue, Client, ClientKind, ClientStatus
from clientcore.entities.contacts import phone_search_keys
from clientcore.entities.text import fold

SEARCH_TEXT_MAX_LENGTH = 200
KEY_MAX_LENGTH = 100
"""Keys and terms are cut to this many characters (folding can lengthen text: "ﬃ" -> "ffi")."""
PAGE_MAX_SIZE = 1000

_PHONE_LIKE = re.compile(r"[\d\s().\-/+]+")
_MIN_PHONE_DIGITS = 3
_TEL = re.compile(r"\s*tel:", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:;\s*ext=|ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


class Match(enum.Enum):
    """How a store matches a query's terms against a client's keys (see :class:`Rank`)."""

    PREFIX = "prefix"
    """Every term is a prefix of one of the client's keys."""
    WHOLE = "whole"
    """Every term is one of the client's keys, whole."""
    PREFIX_ONLY = "prefix only"
    """Every term is a prefix of a key, but not every term is a whole key."""


class Rank(enum.IntEnum):
    """The ranks of search results, best first; within a rank, in sort-key order."""

    CODE = 0
    """The client whose code is exactly the text typed."""
    WHOLE = 1
    """Every term is a whole word, e-mail, code or phone number of the client (a phone
    number typed whole is one term: its exact number ranks here)."""
    PREFIX = 2
    """The other matches: some term is only the beginning of a key."""


class StatusFilter(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"


@attrs.frozen
class ClientQuery:
    """A validated search: prefix ``terms`` (all must match) plus exact filters."""

    terms: tuple[str, ...] = ()
    status: StatusFilter = StatusFilter.ACTIVE
    group_id: UUID | None = None
    caretaker_id: UUID | None = None
    source: str | None = None
    attribute: tuple[str, AttributeValue] | None = None
    limit: int = 50
    after: tuple[str, UUID] | None = None
    """Keyset cursor: the (sort key, id) of the last client of the previous page."""
    match: Match = Match.PREFIX

    def matches_keys(self, keys: frozenset[str]) -> bool:
        """Whether a client with search ``keys`` matches the terms, as :attr:`match` says."""
        whole = all(term in keys for term in self.terms)
        if self.match is Match.WHOLE:
            return whole
        for term in self.terms:
            bound = prefix_upper_bound(term)
            if not any(term <= key and (bound is None or key < bound) for key in keys):
                return False
        return self.match is Match.PREFIX or not whole

    def matches_status(self, status: ClientStatus) -> bool:
        return self.status is StatusFilter.ALL or self.status.value == status.value

    def admits(self, client: Client) -> bool:
        """Whether ``client`` passes the exact filters (status, group, caretaker, source,
        attribute): what a store checks beside the search terms."""
        if not self.matches_status(client.status):
            return False
        if self.group_id is not None and self.group_id not in client.group_ids:
            return False
        if self.caretaker_id is not None and client.caretaker_id != self.caretaker_id:
            return False
        if self.source is not None and client.source != self.source:
            return False
        if self.attribute is not None:
            key, value = self.attribute
            stored = client.attributes.get(key)
            if stored is None or comparable(stored) != comparable(value):
                return False
        return True


@attrs.frozen
class ClientPage:
    """One page of results; pass ``next_cursor`` as ``after`` for the next page (None: last)."""

    clients: tuple[Client, ...]
    next_cursor: str | None


def _separates(ch: str) -> bool:
    """Whether ``ch`` separates words: whitespace, or punctuation of any script (Unicode
    categories P*: dashes, quotes of every language, brackets, commas, slashes, full stops,
    apostrophes...)."""
    return ch.isspace() or unicodedata.category(ch)[0] == "P"


def _parts(word: str) -> list[str]:
    """The parts of a word between punctuation marks (the word itself when it has none)."""
    if word.isalnum():
        return [word]
    parts: list[str] = []
    start = 0
    for index, ch in enumerate(word):
        if _separates(ch):
            if index > start:
                parts.append(word[start:index])
            start = index + 1
    if start < len(word):
        parts.append(word[start:])
    return parts


def _words(folded: str) -> set[str]:
    """The words of folded text (split on whitespace, kept whole so that a term such as
    ``kowalska-n`` or ``o.o.`` matches), and the parts of each word between punctuation
    marks: ``„lapka”`` gives ``lapka``."""
    words = set()
    for word in folded.split():
        words.add(word)
        words.update(_parts(word))
    return words


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A name folded: the parts of its words in order, punctuation left out (for the sort
    key), and :func:`_words` (for the search keys). Names repeat across clients, so they
    are remembered."""
    folded = fold(name)
    return tuple(part for word in folded.split() for part in _parts(word)), frozenset(
        _words(folded)
    )


def client_search_keys(client: Client) -> frozenset[str]:
    """Folded name words, e-mail addresses, phone digit forms and the code."""
    keys = set(_name_words(client.first_name)[1])
    keys.update(_name_words(client.last_name)[1], _name_words(client.company_name)[1])
    for email in client.emails:
        folded = fold(email.address)
        keys.add(folded)
        keys.update(_words(folded.split("@", 1)[0]))
    for phone in client.phones:
        keys.update(phone_search_keys(phone.number))
    keys.add(fold(client.code))
    return frozenset(key[:KEY_MAX_LENGTH] for key in keys)


SORT_PART_SEPARATOR = "\x01"
"""Between the last and the first name in a sort key: below every character of a word and
the space, so that ``Nowak, Zofia`` comes before ``Nowak-Lis, Adam`` and ``Nowakowski``."""


def client_sort_key(client: Client) -> str:
    """Order of search results: a person by last name, then first name; a company by its
    company name; ties are broken by id. Each name is folded (case and accents ignored),
    its words without punctuation, separated by one space; a person with no last name
    comes before those with one."""
    if client.kind is ClientKind.COMPANY:
        key = " ".join(_name_words(client.company_name)[0])
    else:
        key = (
            " ".join(_name_words(client.last_name)[0])
            + SORT_PART_SEPARATOR
            + " ".join(_name_words(client.first_name)[0])
        )
    return key[:KEY_MAX_LENGTH]


def _phone_text(text: str) -> str | None:
    """``text`` as a phone number in a common format (None: it is not one): the forms that
    registration accepts are read alike, so a number is found as it was typed. Invisible
    format characters (a zero-width space) are dropped, and so are a leading ``tel:`` and
    a trailing extension ("ext. 12", "x12", ";ext=12"), which a stored number has not."""
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _EXTENSION.sub("", _TEL.sub("", text, count=1)).strip()
    if _PHONE_LIKE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= _MIN_PHONE_DIGITS:
        return text
    return None


def phone_like(text: str) -> bool:
    """Whether :func:`search_terms` reads ``text`` as a phone number (and needs a region)."""
    return _phone_text(text) is not None


def search_terms(text: str, *, region: str | None) -> tuple[str, ...]:
    """Prefix terms for a search text; a phone written in any common format is one term."""
    phone = _phone_text(text)
    if phone is not None:
        digits = "".join(ch for ch in phone if ch.isdigit())
        return (_phone_digits(phone, digits, region),)
    return tuple(sorted({_trimmed(term)[:KEY_MAX_LENGTH] for term in fold(text).split()}))


def _trimmed(term: str) -> str:
    """A query word without the brackets, quotes and clause marks around it ("nowak," and
    "„lapka”" are read as "nowak" and "lapka"), as stored words are split on them; inner
    marks stay ("kowalska-n", "a.kowalska@", "k-77" match as typed), and so do marks a
    person searches for literally ("ann%", "under_")."""
    start, end = 0, len(term)
    while start < end and _encloses(term[start]):
        start += 1
    while end > start and _encloses(term[end - 1]):
        end -= 1
    return term[start:end] or term


_CLAUSE_MARKS = (
    "COMMA",
    "FULL STOP",
    "COLON",
    "QUESTION",
    "EXCLAMATION",
    "QUOTATION",
    "APOSTROPHE",
)


@functools.lru_cache(maxsize=256)
def _encloses(ch: str) -> bool:
    """Whether ``ch`` is a bracket or quote (Unicode categories Ps, Pe, Pi, Pf) or, in any
    script, a comma, full stop, (semi)colon, question or exclamation mark, or a quotation
    mark or apostrophe (category Po, told apart by their Unicode names)."""
    category = unicodedata.category(ch)
    if category in ("Ps", "Pe", "Pi", "Pf"):
        return True
    return category == "Po" and any(mark in unicodedata.name(ch, "") for mark in _CLAUSE_MARKS)


def _phone_digits(text: str, digits: str, region: str | None) -> str:
    """International numbers (``+48…``, ``0048…``) become E.164 digits; others stay as typed."""
    if text.lstrip("( ").startswith("+") or digits.startswith("00"):
        return digits[2:] if digits.startswith("00") else digits
    try:
        parsed = phones.parse(text, region)
    except phonenumbers.NumberParseException:
        return digits
    if phones.is_valid(parsed):
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))[1:]
    return digits


def prefix_upper_bound(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix``, in code point order
    (None: there is none). A prefix search is then the range ``[prefix, bound)`` on a sorted
    index, where ``%``, ``_``, ``\\`` or ``.`` are plain characters.

    The last code point that can grow is incremented (skipping surrogates, which no stored
    text contains), so a key holding U+10FFFF after the prefix is still in the range.
    """
    stem = prefix.rstrip(chr(0x10FFFF))
    if not stem:
        return None
    following = ord(stem[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return stem[:-1] + chr(following)
