"""Tasks (B3): something a staff member is to do by a time, often about a client."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import pii

TASK_SUBJECT_MAX_LENGTH = 200
TASK_CONTENT_MAX_LENGTH = 4000
TASK_CASE_MAX_LENGTH = 100


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


@attrs.frozen
class Task:
    """A task assigned to a staff member, due at ``due``.

    ``client_id`` is the client it is about (None: none); ``case`` an optional case or
    project name it belongs to. ``notify_creator`` ("tell me when done"): when the task is
    done, the ``task.done`` event names ``created_by`` for the host to notify.
    """

    id: UUID
    subject: str
    due: datetime
    assigned_to: UUID
    created_by: str
    created_at: datetime
    updated_at: datetime
    content: str = pii(default="")
    client_id: UUID | None = None
    case: str = ""
    notify_creator: bool = False
    status: TaskStatus = TaskStatus.OPEN
    done_at: datetime | None = None
    done_by: str | None = None
    version: int = 1

    @property
    def done(self) -> bool:
        return self.status is TaskStatus.DONE
