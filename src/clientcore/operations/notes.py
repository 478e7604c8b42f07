"""Notes and memos on a client, optionally grouped by project (C7)."""

from __future__ import annotations

from uuid import UUID

from clientcore.entities import validation
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import NOTES
from clientcore.entities.note import NOTE_MAX_LENGTH, PROJECT_MAX_LENGTH, Note, NoteKind
from clientcore.operations.context import Context, diff
from clientcore.operations.redirects import linkable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

_ADDED = {NoteKind.NOTE: EventKind.NOTE_ADDED, NoteKind.MEMO: EventKind.MEMO_ADDED}


def add_note(
    uow: UnitOfWork, ctx: Context, client_id: UUID, text: str, *, kind: NoteKind | str, project: str
) -> Note:
    actor = ctx.acting()
    linkable(uow, client_id)
    note = Note(
        id=ctx.ids(),
        client_id=client_id,
        kind=validation.choice("kind", NoteKind, kind),
        text=validation.required_text("text", text, max_length=NOTE_MAX_LENGTH, multiline=True),
        project=validation.text("project", project, max_length=PROJECT_MAX_LENGTH),
        author_id=actor.id,
        created_at=ctx.now(),
    )
    uow.records(NOTES).add(note)
    ctx.record(
        uow,
        _ADDED[note.kind],
        entity_id=note.id,
        client_id=client_id,
        changes=diff(None, note, ("kind", "text", "project")),
    )
    return note


def notes_of(uow: UnitOfWork, client_id: UUID) -> list[Note]:
    live_client(uow, client_id)
    return list(uow.records(NOTES).find(client_id=client_id))
