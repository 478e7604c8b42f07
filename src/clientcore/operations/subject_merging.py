"""Subjects that look alike, and merging them (M3).

After two clients are merged, the base often has the same pet twice ("Burek" from each).
Pairs are offered by the same kind, the same or a near name (case, accents and one typo
ignored), and no different species or make. Merging subjects moves every record that
refers to the merged subjects (each kind with a ``subject_field``: visits, a host's kinds)
to the base subject, keeps the merged subjects (inactive, linked to the base) and
journals the merge like a client merge.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import MERGE_LINKS, MERGES, SUBJECTS, RecordKind, key_text
from clientcore.entities.merge import MergeLink, MergeRecord, MergeTarget, MovedRecords, SubjectPair
from clientcore.entities.subject import Subject
from clientcore.errors import MergeRefused, ValidationError
from clientcore.operations.context import Context
from clientcore.operations.merging import busy_if_beaten
from clientcore.operations.redirects import linkable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")

SPECIES_KEYS: tuple[str, ...] = ("species", "make")
"""Detail keys that tell subjects apart: a cat and a dog both named Burek are two pets."""


def folded(text: str) -> str:
    """Lower case, accents and surrounding spaces removed ("Łukasz " is "lukasz")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _one_edit_apart(first: str, second: str) -> bool:
    """Whether one insertion, deletion or substitution turns ``first`` into ``second``."""
    if abs(len(first) - len(second)) > 1:
        return False
    if len(first) > len(second):
        first, second = second, first
    index = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), len(first)
    )
    if len(first) == len(second):
        return first[index + 1 :] == second[index + 1 :]
    return first[index:] == second[index + 1 :]


def _alike(first: Subject, second: Subject) -> tuple[str, ...]:
    """The reasons two subjects look like one (empty: they do not)."""
    if folded(first.kind) != folded(second.kind):
        return ()
    reasons = ["same kind"]
    name, other = folded(first.name), folded(second.name)
    if name == other:
        reasons.append("same name")
    elif len(name) > 3 and _one_edit_apart(name, other):
        reasons.append("near name")
    else:
        return ()
    for key in SPECIES_KEYS:
        mine, theirs = first.details.get(key), second.details.get(key)
        if mine and theirs:
            if folded(mine) != folded(theirs):
                return ()
            reasons.append(f"same {key}")
    return tuple(reasons)


def similar_subjects(uow: UnitOfWork, client_id: UUID) -> list[SubjectPair]:
    """Pairs of the client's active subjects that look alike, in the order they were added."""
    live_client(uow, client_id)
    subjects = [s for s in uow.records(SUBJECTS).find(client_id=client_id) if s.active]
    pairs = []
    for first, second in itertools.combinations(subjects, 2):
        reasons = _alike(first, second)
        if reasons:
            pairs.append(SubjectPair(first, second, reasons))
    return pairs


def _mergeable(uow: UnitOfWork, subject_id: UUID) -> Subject:
    subject = uow.records(SUBJECTS).get(subject_id)
    link = uow.records(MERGE_LINKS).get_many([subject_id]).get(subject_id)
    if link is not None:
        raise MergeRefused(f"subject {subject_id} was merged into {link.base_id}", [link.base_id])
    return subject


def _move(uow: UnitOfWork, kind: RecordKind[T], sources: Sequence[UUID], target: UUID) -> list[str]:
    """Make the records of ``kind`` that refer to the ``sources`` refer to ``target``."""
    field = kind.subject_field
    assert field is not None
    records = uow.records(kind)
    keys = []
    for source in sources:
        for record in records.find(**{field: source}):
            changes: dict[str, Any] = {field: target}
            if kind.versioned:
                changes["version"] = getattr(record, "version") + 1  # noqa: B009
            records.replace(attrs.evolve(record, **changes))  # type: ignore[misc]
            keys.append(key_text(kind.key_of(record)))
    return keys


def merge_subjects(
    uow: UnitOfWork, ctx: Context, base_id: UUID, merged_ids: Sequence[UUID]
) -> MergeRecord:
    """Merge subjects of one client into ``base_id``: their records move to it, its details
    are filled from theirs, and they stay, inactive, linked to it."""
    actor = ctx.require_role(*sorted(ctx.merge_roles))
    ids = tuple(merged_ids)
    if not ids:
        raise ValidationError("merged_ids", "name at least one subject to merge into the base")
    if base_id in ids:
        raise MergeRefused("a subject cannot be merged with itself", [base_id])
    base = _mergeable(uow, base_id)
    others = [_mergeable(uow, subject_id) for subject_id in ids]
    if any(other.client_id != base.client_id for other in others):
        raise MergeRefused("subjects of different clients cannot be merged", ids)
    linkable(uow, base.client_id)  # no client merge runs meanwhile
    now = ctx.now()
    details = dict(base.details)
    for other in others:
        details = {**other.details, **details}
    subjects = uow.records(SUBJECTS)
    with busy_if_beaten():
        subjects.replace(attrs.evolve(base, details=details, updated_at=now))
        for other in others:
            subjects.replace(attrs.evolve(other, active=False, updated_at=now))
    moved = [
        MovedRecords(kind.name, tuple(keys))
        for kind in uow.kinds
        if kind.subject_field is not None and (keys := _move(uow, kind, ids, base_id))
    ]
    record = MergeRecord(
        id=ctx.ids(),
        client_id=base.client_id,
        target=MergeTarget.SUBJECT,
        base_id=base_id,
        merged_ids=ids,
        actor_id=actor.id,
        at=now,
        moved=tuple(moved),
    )
    uow.records(MERGES).add(record)
    uow.records(MERGE_LINKS).add(
        *[MergeLink(subject_id, base_id, record.id, MergeTarget.SUBJECT, now) for subject_id in ids]
    )
    ctx.record(
        uow,
        EventKind.SUBJECT_MERGED,
        entity_id=record.id,
        client_id=base.client_id,
        changes=(
            FieldChange("subject", None, str(base_id)),
            FieldChange("merged", None, "; ".join(str(subject_id) for subject_id in ids)),
        ),
    )
    return record
