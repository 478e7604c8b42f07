"""``core.tasks``: tasks for staff members, about clients (B3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.task import Task, TaskStatus
from clientcore.operations import calendar, tasks
from clientcore.operations.tasks import TaskDraft

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Tasks:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def create(
        self,
        subject: str,
        due: datetime,
        assigned_to: UUID,
        *,
        content: str = "",
        client_id: UUID | None = None,
        case: str = "",
        notify_creator: bool = False,
    ) -> Task:
        """A task for the staff member ``assigned_to`` (about ``client_id``, if given);
        ``notify_creator``: "tell me when done" (see ``task.done``)."""
        draft = TaskDraft(subject, due, assigned_to, content, case, notify_creator)
        return self._run.write(tasks.create_many, draft, [client_id])[0]

    def create_for_clients(
        self,
        client_ids: Sequence[UUID],
        subject: str,
        due: datetime,
        assigned_to: UUID,
        *,
        content: str = "",
        case: str = "",
        notify_creator: bool = False,
    ) -> list[Task]:
        """One task per client, the same subject, content and due time, all or none
        (NotFound if any client does not exist)."""
        draft = TaskDraft(subject, due, assigned_to, content, case, notify_creator)
        return self._run.write(tasks.create_many, draft, list(client_ids))

    def get(self, task_id: UUID) -> Task:
        return self._run.read(tasks.get, task_id)

    def done(self, task_id: UUID, *, expected_version: int | None = None) -> Task:
        return self._run.write(
            tasks.set_status, task_id, TaskStatus.DONE, expected_version=expected_version
        )

    def reopen(self, task_id: UUID, *, expected_version: int | None = None) -> Task:
        return self._run.write(
            tasks.set_status, task_id, TaskStatus.OPEN, expected_version=expected_version
        )

    def for_client(self, client_id: UUID) -> list[Task]:
        """The client's tasks by due time."""
        return self._run.read(tasks.for_client, client_id)

    def for_staff(
        self, staff_id: UUID, start: datetime, end: datetime, *, done: bool = True
    ) -> list[Task]:
        """The staff member's tasks due in ``[start, end)``: their calendar's tasks."""
        return self._run.read(calendar.staff_tasks, staff_id, start, end, done=done)
