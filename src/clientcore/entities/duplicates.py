"""What a duplicate check answers (M4): candidates, pairs and groups, each with a score and
the reasons it was given."""

from __future__ import annotations

import enum
from uuid import UUID

import attrs

from clientcore.entities.client import Client, ClientStatus

UNMATCHED = frozenset({ClientStatus.MERGED, ClientStatus.FORGOTTEN})
"""Statuses of clients no duplicate search offers: a merged client lives on as its base,
and a forgotten one is hidden from everything but the "all clients" list."""


class DuplicateReason(enum.StrEnum):
    """Why two clients look alike; the reasons of a pair are listed strongest first."""

    SAME_DOCUMENT = "same_document"
    """An identity document number in common (letters and digits compared, case ignored)."""
    SAME_PHONE = "same_phone"
    """A phone number in common, in E.164."""
    SAME_EMAIL = "same_email"
    """An e-mail address in common, after normalisation and case folding."""
    SAME_BIRTHDAY = "same_birthday"
    SIMILAR_BIRTHDAY = "similar_birthday"
    """One digit apart, two digits swapped, or day and month swapped."""
    SAME_NAME = "same_name"
    """First and last name alike once case and diacritics are ignored."""
    SIMILAR_NAME = "similar_name"
    """First and last name alike despite typing errors."""
    SWAPPED_NAME = "swapped_name"
    """One's first name is the other's last name, and the other way round."""
    SAME_COMPANY_NAME = "same_company_name"
    SAME_ADDRESS = "same_address"
    """Street and postal code (or city) alike."""
    SIMILAR_DOCUMENT = "similar_document"
    """Identity document numbers one character apart."""


class DuplicatePolicy(enum.StrEnum):
    """What registration does when existing clients look like the new one."""

    ALLOW = "allow"
    """Register without looking (the default)."""
    REFUSE = "refuse"
    """Raise :class:`~clientcore.errors.LikelyDuplicate` carrying the candidates."""


@attrs.frozen
class Candidate:
    """An existing client that looks like the one described, with the likeness ``score``
    (0 to 1, higher is likelier) and its reasons."""

    client: Client
    score: float
    reasons: tuple[DuplicateReason, ...]


@attrs.frozen
class DuplicatePair:
    """Two clients (``first_id`` sorts before ``second_id`` as text) that look alike."""

    first_id: UUID
    second_id: UUID
    score: float
    reasons: tuple[DuplicateReason, ...]


@attrs.frozen
class DuplicateGroup:
    """Clients linked by likely-duplicate pairs, best pair first; ``client_ids`` in the
    order they first appear in the pairs."""

    client_ids: tuple[UUID, ...]
    pairs: tuple[DuplicatePair, ...]

    @property
    def score(self) -> float:
        """The score of the group's best pair."""
        return self.pairs[0].score


class ScanStage(enum.StrEnum):
    READING = "reading"
    """Clients are read a page at a time; ``total`` is unknown (None)."""
    COMPARING = "comparing"
    """Candidate pairs are scored; ``total`` is how many there are."""


@attrs.frozen
class ScanProgress:
    """Where a duplicate scan is, as told to its progress callback."""

    stage: ScanStage
    done: int
    total: int | None
