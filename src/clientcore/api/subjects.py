"""``core.subjects``: what a client brings for service (a pet, a vehicle, a device)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.api.unset import UNSET, Unset, given
from clientcore.entities.kinds import SUBJECTS
from clientcore.entities.subject import Subject
from clientcore.operations import subjects

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Subjects:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def add(
        self, client_id: UUID, *, kind: str, name: str, details: Mapping[str, str] | None = None
    ) -> Subject:
        """Add a pet, vehicle or device (``kind`` is the host's word) to a client."""
        return self._run.write(
            subjects.add_subject, client_id, kind=kind, name=name, details=details or {}
        )

    def update(
        self,
        subject_id: UUID,
        *,
        kind: str | Unset = UNSET,
        name: str | Unset = UNSET,
        details: Mapping[str, str] | Unset = UNSET,
    ) -> Subject:
        """Change the fields given (see :data:`UNSET`); ``details={}`` clears the details."""
        fields = given(kind=kind, name=name, details=details)
        return self._run.write(subjects.update_subject, subject_id, fields)

    def get(self, subject_id: UUID) -> Subject:
        return self._run.read(lambda uow: uow.records(SUBJECTS).get(subject_id))

    def for_client(self, client_id: UUID, *, include_inactive: bool = False) -> list[Subject]:
        return self._run.read(subjects.subjects_of, client_id, include_inactive=include_inactive)

    def deactivate(self, subject_id: UUID) -> Subject:
        return self._run.write(subjects.set_subject_active, subject_id, False)

    def reactivate(self, subject_id: UUID) -> Subject:
        return self._run.write(subjects.set_subject_active, subject_id, True)

    def deactivate_all(self, client_id: UUID) -> list[Subject]:
        """Deactivate every subject of the client; returns those that changed."""
        return self._run.write(subjects.set_all_subjects_active, client_id, False)

    def reactivate_all(self, client_id: UUID) -> list[Subject]:
        """Reactivate every subject of the client; returns those that changed."""
        return self._run.write(subjects.set_all_subjects_active, client_id, True)
