"""``core.merges``: merge duplicate clients and subjects, preview a merge, follow merged
ids to the surviving record, and read the merge journal (see docs/merging.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.merge import MergeOutcome, MergeRecord, SubjectPair
from clientcore.operations import merging, redirects, subject_merging

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Merges:
    """Merging duplicates. A merge needs an actor with one of the merge roles
    (``clientcore.open(merge_roles=...)``; default owner, administrator, reception), else
    :class:`~clientcore.errors.PermissionDenied`; nothing is ever deleted."""

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def merge(
        self,
        base_id: UUID,
        merged_ids: Sequence[UUID],
        *,
        choose: Mapping[str, UUID] | None = None,
        dry_run: bool = False,
    ) -> MergeOutcome:
        """Merge the clients ``merged_ids`` into the client ``base_id``, all or nothing.

        The base keeps its values; its empty fields are filled from the others in the
        order given; ``choose`` names, per field (``"birthday"``...), the client whose value
        wins. Phones, e-mails, addresses, identity documents, groups and attributes are
        united; every record kind with merge policy ``move`` (ours and the host's) moves
        to the base. The merged clients keep their rows (status ``merged``) and history,
        and read as :class:`~clientcore.errors.ClientMerged`. ``dry_run``: nothing is
        written, the outcome says what would be done. Raises MergeRefused (a client
        merged with itself, or already merged), NotFound (no such client in the tenant),
        ValidationError, PermissionDenied.
        """
        return self._run.write(
            merging.merge_clients,
            base_id,
            merged_ids,
            choose={} if choose is None else choose,
            dry_run=dry_run,
        )

    def preview(
        self, base_id: UUID, merged_ids: Sequence[UUID], *, choose: Mapping[str, UUID] | None = None
    ) -> MergeOutcome:
        """What :meth:`merge` would do (the resulting client, the field choices, the
        conflicts and the records per kind that would move), writing nothing."""
        return self.merge(base_id, merged_ids, choose=choose, dry_run=True)

    def surviving(self, record_id: UUID) -> UUID:
        """The id a client (or subject) lives on as: its own, or the end of the chain of
        merges it went through. Works for any id, even one that was never stored."""
        return self._run.read(redirects.surviving, record_id)

    def journal(self, client_id: UUID) -> list[MergeRecord]:
        """The merges of a client, oldest first: those into it (and of its subjects) and
        the one that merged it. Raises NotFound."""
        return self._run.read(merging.journal, client_id)

    def similar_subjects(self, client_id: UUID) -> list[SubjectPair]:
        """Pairs of the client's subjects that look alike (after a merge, typically)."""
        return self._run.read(subject_merging.similar_subjects, client_id)

    def merge_subjects(self, base_id: UUID, merged_ids: Sequence[UUID]) -> MergeRecord:
        """Merge subjects of one client into ``base_id``: every record referring to them
        (visits, a host's kinds with a subject field) moves to it; they stay, inactive and
        linked to it. Journaled like a client merge."""
        return self._run.write(subject_merging.merge_subjects, base_id, merged_ids)
