"""Tasks (B3): create (one, or one per client for many clients), done, reopened, read by
client and by the assigned staff member's calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.client import ClientStatus
from clientcore.entities.common import utc_millis
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import STAFF, TASKS
from clientcore.entities.task import (
    TASK_CASE_MAX_LENGTH,
    TASK_CONTENT_MAX_LENGTH,
    TASK_SUBJECT_MAX_LENGTH,
    Task,
    TaskStatus,
)
from clientcore.errors import (
    ClientForgotten,
    ClientMerged,
    ConcurrencyError,
    NotFound,
    ValidationError,
)
from clientcore.operations import bulk
from clientcore.operations.clients import EVENTS_AT_ONCE
from clientcore.operations.context import Context, diff, tenant_zone
from clientcore.operations.redirects import live_client, surviving
from clientcore.ports.unit_of_work import UnitOfWork

TASK_FIELDS = (
    "subject",
    "content",
    "due",
    "assigned_to",
    "client_id",
    "case",
    "notify_creator",
    "status",
)
"""The fields whose changes a task's events record."""


@attrs.frozen
class TaskDraft:
    """What a new task says (checked by :func:`create_many`)."""

    subject: str
    due: datetime
    assigned_to: UUID
    content: str = ""
    case: str = ""
    notify_creator: bool = False


def _checked(uow: UnitOfWork, draft: TaskDraft) -> TaskDraft:
    member = uow.records(STAFF).get(draft.assigned_to)
    if not member.active:
        raise ValidationError("assigned_to", f"staff member {member.name!r} is inactive")
    return TaskDraft(
        subject=validation.required_text(
            "subject", draft.subject, max_length=TASK_SUBJECT_MAX_LENGTH
        ),
        due=utc_millis(validation.moment("due", draft.due)),
        assigned_to=draft.assigned_to,
        content=validation.text(
            "content", draft.content, max_length=TASK_CONTENT_MAX_LENGTH, multiline=True
        ),
        case=validation.text("case", draft.case, max_length=TASK_CASE_MAX_LENGTH),
        notify_creator=bool(draft.notify_creator),
    )


def create_many(
    uow: UnitOfWork, ctx: Context, draft: TaskDraft, client_ids: Sequence[UUID | None]
) -> list[Task]:
    """One task per entry of ``client_ids`` (None: a task about no client), all or none.
    Raises NotFound for a client or staff member that does not exist."""
    actor = ctx.acting()
    draft = _checked(uow, draft)
    named = bulk.check_ids([client_id for client_id in client_ids if client_id is not None])
    found = {state.id: state.status for state in uow.bulk.states(named)}
    for client_id in named:
        if client_id not in found:
            raise NotFound("client", client_id)
        if found[client_id] is ClientStatus.MERGED:
            raise ClientMerged(client_id, surviving(uow, client_id))
        if found[client_id] is ClientStatus.FORGOTTEN:
            raise ClientForgotten(client_id)
    now = ctx.now()
    tasks = [
        Task(
            id=ctx.ids(),
            subject=draft.subject,
            due=draft.due,
            assigned_to=draft.assigned_to,
            created_by=actor.id,
            created_at=now,
            updated_at=now,
            content=draft.content,
            client_id=client_id,
            case=draft.case,
            notify_creator=draft.notify_creator,
        )
        for client_id in client_ids
    ]
    uow.records(TASKS).add(*tasks)
    zone = tenant_zone(uow)
    for start in range(0, len(tasks), EVENTS_AT_ONCE):
        ctx.append(
            uow,
            [
                ctx.event(
                    EventKind.TASK_CREATED,
                    entity_id=task.id,
                    client_id=task.client_id,
                    changes=diff(None, task, TASK_FIELDS, zone),
                    at=now,
                )
                for task in tasks[start : start + EVENTS_AT_ONCE]
            ],
        )
    return tasks


def set_status(
    uow: UnitOfWork,
    ctx: Context,
    task_id: UUID,
    status: TaskStatus,
    *,
    expected_version: int | None = None,
) -> Task:
    """Mark the task done or open again. Done by its creator's wish ("tell me when done"),
    the ``task.done`` event carries a ``notify`` change naming the creator."""
    actor = ctx.acting()
    records = uow.records(TASKS)
    old = records.get(task_id)
    if expected_version is not None and old.version != expected_version:
        raise ConcurrencyError("task", task_id, expected_version)
    if old.status is status:
        return old
    done = status is TaskStatus.DONE
    now = ctx.now()
    new = attrs.evolve(
        old,
        status=status,
        done_at=now if done else None,
        done_by=actor.id if done else None,
        updated_at=now,
        version=old.version + 1,
    )
    records.replace(new)
    changes = diff(old, new, ("status",))
    if done and old.notify_creator:
        changes += (FieldChange("notify", None, old.created_by),)
    kind = EventKind.TASK_DONE if done else EventKind.TASK_REOPENED
    ctx.record(uow, kind, entity_id=task_id, client_id=old.client_id, changes=changes)
    return new


def for_client(uow: UnitOfWork, client_id: UUID) -> list[Task]:
    """The client's tasks by due time."""
    live_client(uow, client_id)
    return uow.records(TASKS).find(client_id=client_id)


def get(uow: UnitOfWork, task_id: UUID) -> Task:
    return uow.records(TASKS).get(task_id)
