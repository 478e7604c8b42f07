"""A client's likeness profile as stored for duplicate scans, and a scan's profiles as
columns.

A store keeps each client's :func:`profile_text` when the client is written, so that a
scan reads one ready-made value per client and does little Python work per client: what
the scan's blocks and bounds need of a client is in a few strings and 64-bit words,
decoded for a whole page at once (:class:`ProfileTable`), and the rest of a profile is
decoded, and a :class:`~clientcore.entities.likeness.Profile` made, only for the clients
of the pairs scored in full.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from clientcore.entities.likeness import Profile, blocking_keys
from clientcore.errors import StorageError

SEPARATOR = "\x1f"
"""Between the five parts of a :func:`profile_text` (no part holds it: names are folded
to letters, digits and spaces, and JSON escapes control characters)."""
_PARTS = 5
HEADER_WORDS = 8
"""Words (64 bits each, 16 hexadecimal digits) before the keys in a profile's hexadecimal
part: the id (two), the birthday, the flags and the four fingerprints."""
STREETS, CITIES = 1, 2
"""Flags: the profile has a street, a city."""
_FINGERPRINT_BITS = 63


def stable_hash(text: str) -> int:
    """A 64-bit hash of ``text``, the same in every process (unlike ``hash``): stored
    texts are compared across processes and versions."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def fingerprint(items: Iterable[str]) -> int:
    """A set as 63 bits: two sets with an item in common have fingerprints with a bit in
    common (not always the other way round); an empty set's is 0."""
    found = 0
    for item in items:
        found |= 1 << (stable_hash(item) % _FINGERPRINT_BITS)
    return found


def profile_text(profile: Profile) -> str:
    """``profile`` and its :func:`~clientcore.entities.likeness.blocking_keys` as one
    text of five parts joined by :data:`SEPARATOR`:

    1. hexadecimal 64-bit words: the id (its 32 digits), the birthday (the number
       YYYYMMDD; 0: none), the flags (:data:`STREETS`, :data:`CITIES`), the fingerprints of the
       phones, e-mail addresses, documents and postal codes, and the keys'
       :func:`stable_hash` values, sorted;
    2.-4. the first, last and company names;
    5. a JSON array of the phones, e-mail addresses, documents and postal codes (each
       sorted), streets and cities.

    The same text for the same profile, whichever process makes it."""
    birthday = profile.birthday
    flags = (STREETS if profile.streets else 0) | (CITIES if profile.cities else 0)
    words = [
        0 if birthday is None else birthday.year * 10_000 + birthday.month * 100 + birthday.day,
        flags,
        fingerprint(profile.phones),
        fingerprint(profile.emails),
        fingerprint(profile.documents),
        fingerprint(profile.postcodes),
        *sorted(map(stable_hash, blocking_keys(profile))),
    ]
    rest = json.dumps(
        [
            sorted(profile.phones),
            sorted(profile.emails),
            sorted(profile.documents),
            sorted(profile.postcodes),
            profile.streets,
            profile.cities,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    head = profile.id.hex + "".join(f"{word:016x}" for word in words)
    return SEPARATOR.join((head, profile.first, profile.last, profile.company, rest))


def profile_id(text: str) -> UUID:
    """The client id of a :func:`profile_text`."""
    return UUID(hex=text[:32])


def _words(heads: Sequence[str]) -> NDArray[np.int64]:
    """The 64-bit words of the hexadecimal parts, one after the other."""
    return np.frombuffer(bytes.fromhex("".join(heads)), dtype=">i8").astype(np.int64)


def _coded(column: Sequence[str], values: Sequence[str]) -> NDArray[np.int64]:
    """Each value of ``column`` as its position in ``values``."""
    code = {value: index for index, value in enumerate(values)}
    return np.fromiter(map(code.__getitem__, column), dtype=np.int64, count=len(column))


class ProfileTable:
    """The profiles of :func:`profile_text` values as columns, one value per profile:
    ``first``, ``last`` and ``company`` (lists of names), ``birthdays`` (YYYYMMDD, 0:
    none), ``streets`` and ``cities`` (non-zero: the profile has one), the fingerprints
    ``phones``, ``emails``, ``documents`` and ``postcodes``, and the blocking keys' hashes
    as ``key_hashes`` with their profiles' positions in ``key_owners``. Names are also
    coded by their order: ``names`` holds the first and last names sorted,
    ``first_codes`` and ``last_codes`` each profile's positions in it, and
    ``company_codes`` the position of its company name among the sorted company names
    (0: none). Made from pages
    of texts, each page split and its words read at once; of the hexadecimal part only
    the id is kept as text."""

    def __init__(self, pages: Iterable[Sequence[str]]) -> None:
        self._ids: list[str] = []
        self.first: list[str] = []
        self.last: list[str] = []
        self.company: list[str] = []
        self._rest: list[str] = []
        words_read: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        sizes_read: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        for texts in pages:
            if texts:
                items = SEPARATOR.join(texts).split(SEPARATOR)
                if len(items) != _PARTS * len(texts):
                    raise StorageError(
                        "the stored duplicate-scan profiles are not in the form this "
                        "version of clientcore writes: upgrade the database to the newest "
                        "revision (clientcore migrate URL)"
                    )
                heads = items[0::_PARTS]
                self._ids += [head[:32] for head in heads]
                self.first += items[1::_PARTS]
                self.last += items[2::_PARTS]
                self.company += items[3::_PARTS]
                self._rest += items[4::_PARTS]
                words_read.append(_words(heads))
                sizes_read.append(np.fromiter(map(len, heads), np.int64, len(heads)) // 16)
        self._made: dict[int, Profile] = {}
        words, sizes = np.concatenate(words_read), np.concatenate(sizes_read)
        header = (np.cumsum(sizes) - sizes)[:, None] + np.arange(HEADER_WORDS)
        (
            self.birthdays,
            flags,
            self.phones,
            self.emails,
            self.documents,
            self.postcodes,
        ) = (words[header[:, column]] for column in range(2, HEADER_WORDS))
        self.streets, self.cities = flags & STREETS, flags & CITIES
        keys = np.ones(len(words), dtype=bool)
        keys[header.ravel()] = False
        self.key_hashes = words[keys]
        self.key_owners = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes - HEADER_WORDS)
        self.names = sorted({*self.first, *self.last})
        self.first_codes = _coded(self.first, self.names)
        self.last_codes = _coded(self.last, self.names)
        self.company_codes = _coded(self.company, sorted({"", *self.company}))

    @classmethod
    def of(cls, profiles: Iterable[Profile]) -> ProfileTable:
        """The table of ``profiles``, in their order."""
        return cls([[profile_text(profile) for profile in profiles]])

    def __len__(self) -> int:
        return len(self._ids)

    def id_text(self, index: int) -> str:
        """The id of the profile at ``index`` as 32 hexadecimal digits (ids in this form
        sort as their canonical text does)."""
        return self._ids[index]

    def profile(self, index: int) -> Profile:
        """The profile at position ``index`` (made once: a client is often in several
        pairs)."""
        made = self._made.get(index)
        if made is None:
            self.make([index])
            made = self._made[index]
        return made

    def make(self, indices: Collection[int]) -> None:
        """Make the profiles at ``indices`` that are not made yet, their last parts
        decoded by one ``json.loads``."""
        wanted = [index for index in indices if index not in self._made]
        if not wanted:
            return
        rests = json.loads(f"[{','.join(self._rest[index] for index in wanted)}]")
        for index, rest in zip(wanted, rests, strict=True):
            self._made[index] = self._profile(index, rest)

    def _profile(self, index: int, rest: list[Any]) -> Profile:
        phones, emails, documents, postcodes, streets, cities = rest
        day = int(self.birthdays[index])
        return Profile(
            UUID(hex=self._ids[index]),
            self.first[index],
            self.last[index],
            self.company[index],
            frozenset(phones),
            frozenset(emails),
            date(day // 10_000, day // 100 % 100, day % 100) if day else None,
            frozenset(documents),
            frozenset(postcodes),
            tuple(streets),
            tuple(cities),
        )
