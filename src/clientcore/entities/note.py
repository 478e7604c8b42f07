"""Notes and memos on a client; a note may belong to a project (C7)."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import pii

NOTE_MAX_LENGTH = 10000
PROJECT_MAX_LENGTH = 100


class NoteKind(enum.StrEnum):
    NOTE = "note"
    MEMO = "memo"


@attrs.frozen
class Note:
    id: UUID
    client_id: UUID
    kind: NoteKind
    text: str = pii()
    project: str = ""
    author_id: str = ""
    created_at: datetime = attrs.field(kw_only=True)
