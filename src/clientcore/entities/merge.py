"""Merging duplicates (M1-M3): the journal of every merge, the links that redirect a merged
client (or subject) to the one it was merged into, and what a merge (or its preview) tells.

Nothing of a merged record is deleted: a merged client keeps its row (status ``merged``)
and a :class:`MergeLink` points from it to its base; the :class:`MergeRecord` says who
merged what, when, with which field choices, and which records moved.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.client import Client
from clientcore.entities.common import Role
from clientcore.entities.subject import Subject

DEFAULT_MERGE_ROLES: frozenset[Role] = frozenset({Role.OWNER, Role.ADMINISTRATOR, Role.RECEPTION})
"""Who may merge unless the host says otherwise (``clientcore.open(merge_roles=...)``)."""


class MergeTarget(enum.StrEnum):
    """What a merge joined: clients, or subjects (pets, vehicles) of one client."""

    CLIENT = "client"
    SUBJECT = "subject"


class ChoiceReason(enum.StrEnum):
    """Why a field of the merged client has the value it has."""

    BASE = "base"
    """The base had a value, and it stays."""
    FILLED = "filled"
    """The base had none; the first merged client that had one gave it."""
    CHOSEN = "chosen"
    """The caller chose the client whose value wins (``choose={field: client_id}``)."""


@attrs.frozen
class FieldChoice:
    """The client whose value a field of the merged client took, and why."""

    field: str
    client_id: UUID
    reason: ChoiceReason


@attrs.frozen
class MovedRecords:
    """The keys of the records of one kind that a merge moved to the base, as text
    (:func:`~clientcore.entities.kinds.key_text`: an id as its 32 hex digits), sorted."""

    kind: str
    keys: tuple[str, ...] = ()


@attrs.frozen
class MergeRecord:
    """One merge in the journal (kind :data:`~clientcore.entities.kinds.MERGES`).

    ``client_id`` is the base client (for a subject merge: the subjects' client);
    ``base_id`` and ``merged_ids`` are clients or subjects (``target``). Kept for good: a
    merge cannot be undone, and this is what explains it afterwards.
    """

    id: UUID
    client_id: UUID
    target: MergeTarget
    base_id: UUID
    merged_ids: tuple[UUID, ...]
    actor_id: str
    at: datetime
    choices: tuple[FieldChoice, ...] = ()
    moved: tuple[MovedRecords, ...] = ()

    def moved_keys(self, kind: str) -> tuple[str, ...]:
        """The keys of the records of ``kind`` this merge moved (empty: none)."""
        return next((moved.keys for moved in self.moved if moved.kind == kind), ())


@attrs.frozen
class MergeLink:
    """Where a merged client or subject went (kind
    :data:`~clientcore.entities.kinds.MERGE_LINKS`): ``merged_id`` was merged into
    ``base_id`` by the merge ``merge_id``."""

    merged_id: UUID
    base_id: UUID
    merge_id: UUID
    target: MergeTarget
    at: datetime


class ConflictKind(enum.StrEnum):
    """What a merge preview warns of: values that the merge cannot both keep."""

    FIELD = "field"
    """Two clients give a field different values (two birthdays); the base's, or the one
    chosen, wins."""
    PRIMARY = "primary"
    """Two clients have different primary phones (or e-mails); the base's stays primary."""
    ADDRESS = "address"
    """Two clients have different addresses of one kind; the base's stays."""
    VISITS = "visits"
    """Visits of different clients overlap in time: after the merge, one client has both."""


@attrs.frozen
class MergeConflict:
    """One conflict found by a merge: ``subject`` is the field (or ``"visits"``), ``values``
    the clashing values as text and ``ids`` the clients (or visits) they belong to."""

    kind: ConflictKind
    subject: str
    values: tuple[str, ...]
    ids: tuple[UUID, ...]


@attrs.frozen
class MergeOutcome:
    """What a client merge did, or would do (``dry_run``: nothing was written).

    ``client`` is the base as it is (would be) after the merge; ``moved`` counts the
    records per kind that move to it (kinds with none are left out); ``record`` is the
    journal entry (None for a preview). ``conflicts`` of a preview include overlapping
    visits (it reads every visit of the clients); a merge's only those of the clients'
    own fields, which it reads anyway.
    """

    client: Client
    merged_ids: tuple[UUID, ...]
    choices: tuple[FieldChoice, ...]
    conflicts: tuple[MergeConflict, ...]
    moved: tuple[tuple[str, int], ...]
    dry_run: bool
    record: MergeRecord | None = None

    def moved_count(self, kind: str) -> int:
        """How many records of ``kind`` move (0: none)."""
        return dict(self.moved).get(kind, 0)


@attrs.frozen
class SubjectPair:
    """Two subjects of one client that look alike (same kind, same or near name, same
    species/make): candidates for :meth:`~clientcore.api.merges.Merges.merge_subjects`."""

    first: Subject
    second: Subject
    reasons: tuple[str, ...]
