"""A client's likeness profile as stored for duplicate scans, and a scan's profiles as
columns.

A store keeps each client's :func:`profile_text` (its folded profile and its blocking
keys) when the client is written, so that a scan reads one ready-made value per client
and does little Python work per client: a page of texts is decoded by one
``json.loads``, the scan's blocks and bounds are made from columns
(:class:`ProfileTable`), and a :class:`~clientcore.entities.likeness.Profile` is made
only for the clients of the pairs that are scored in full.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from clientcore.entities.likeness import Profile, blocking_keys

_FIELDS = 12
"""Values in a :func:`profile_text`: the profile's eleven fields and the keys."""


def profile_text(profile: Profile) -> str:
    """``profile`` and its :func:`~clientcore.entities.likeness.blocking_keys` as one
    JSON array, in the order of the profile's fields (the id as 32 hexadecimal digits,
    the birthday as its ordinal, each set sorted) with the keys (sorted) last: the same
    text for the same profile, whichever process makes it."""
    birthday = profile.birthday
    return json.dumps(
        [
            profile.id.hex,
            profile.first,
            profile.last,
            profile.company,
            sorted(profile.phones),
            sorted(profile.emails),
            None if birthday is None else birthday.toordinal(),
            sorted(profile.documents),
            sorted(profile.postcodes),
            profile.streets,
            profile.cities,
            sorted(blocking_keys(profile)),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def profile_id(text: str) -> UUID:
    """The client id of a :func:`profile_text`."""
    return UUID(hex=json.loads(text)[0])


class ProfileTable:
    """The profiles of :func:`profile_text` values as columns (tuples, one value per
    profile): ``first``, ``last``, ``company``, ``phones``, ``emails``, ``birthdays``
    (ordinals), ``documents``, ``postcodes``, ``streets``, ``cities`` and ``keys`` (the
    sets as lists). Made from pages of texts, each page decoded by one ``json.loads``."""

    first: Sequence[str]
    last: Sequence[str]
    company: Sequence[str]
    phones: Sequence[Sequence[str]]
    emails: Sequence[Sequence[str]]
    birthdays: Sequence[int | None]
    documents: Sequence[Sequence[str]]
    postcodes: Sequence[Sequence[str]]
    streets: Sequence[Sequence[str]]
    cities: Sequence[Sequence[str]]
    keys: Sequence[Sequence[str]]

    def __init__(self, pages: Iterable[Sequence[str]]) -> None:
        self._rows: list[list[Any]] = []
        self._made: dict[int, Profile] = {}
        for texts in pages:
            if texts:
                self._rows += json.loads(f"[{','.join(texts)}]")
        (
            _,
            self.first,
            self.last,
            self.company,
            self.phones,
            self.emails,
            self.birthdays,
            self.documents,
            self.postcodes,
            self.streets,
            self.cities,
            self.keys,
        ) = zip(*self._rows, strict=True) if self._rows else ((),) * _FIELDS

    @classmethod
    def of(cls, profiles: Iterable[Profile]) -> ProfileTable:
        """The table of ``profiles``, in their order."""
        return cls([[profile_text(profile) for profile in profiles]])

    def __len__(self) -> int:
        return len(self._rows)

    def profile(self, index: int) -> Profile:
        """The profile at position ``index`` (made once: a client is often in several
        pairs)."""
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._profile(self._rows[index])
        return made

    @staticmethod
    def _profile(row: list[Any]) -> Profile:
        return Profile(
            UUID(hex=row[0]),
            row[1],
            row[2],
            row[3],
            frozenset(row[4]),
            frozenset(row[5]),
            None if row[6] is None else date.fromordinal(row[6]),
            frozenset(row[7]),
            frozenset(row[8]),
            tuple(row[9]),
            tuple(row[10]),
        )
