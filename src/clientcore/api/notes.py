"""``core.notes``: notes and memos on clients, optionally grouped by project."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.kinds import NOTES
from clientcore.entities.note import Note, NoteKind
from clientcore.operations import notes

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Notes:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def add(
        self, client_id: UUID, text: str, *, kind: NoteKind | str = NoteKind.NOTE, project: str = ""
    ) -> Note:
        return self._run.write(notes.add_note, client_id, text, kind=kind, project=project)

    def for_client(self, client_id: UUID) -> list[Note]:
        return self._run.read(notes.notes_of, client_id)

    def for_project(self, project: str) -> list[Note]:
        return self._run.read(lambda uow: uow.records(NOTES).find(project=project))
