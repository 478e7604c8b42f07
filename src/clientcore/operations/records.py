"""A host's records of its own kinds, written through the API (``core.records(kind)``).

Each change is checked like ours (the client it refers to exists in the tenant) and
recorded in the history as ``record.added`` / ``record.replaced`` / ``record.deleted``,
with the kind's name as the ``kind`` change and the fields that changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import RecordKind
from clientcore.errors import ValidationError
from clientcore.operations.context import Context, diff, tenant_zone
from clientcore.operations.redirects import creatable, linkable
from clientcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")


def _checked(uow: UnitOfWork, kind: RecordKind[T], record: object, *, new: bool = False) -> T:
    """``record`` if it is one of ``kind`` whose client exists (NotFound) and, for a
    ``new`` record, is not forgotten (ClientForgotten: nothing new is made for one)."""
    if not isinstance(record, kind.entity):
        raise ValidationError(kind.name, f"expected a {kind.entity.__name__}, got {record!r}")
    client_id = kind.client_of(record)
    if client_id is not None:
        (creatable if new else linkable)(uow, client_id)
    return record


def record_event(
    uow: UnitOfWork,
    ctx: Context,
    event: EventKind,
    kind: RecordKind[T],
    old: T | None,
    new: T | None,
) -> None:
    record = new if new is not None else old
    key = kind.key_of(record)  # type: ignore[arg-type]
    fields = [field.name for field in attrs.fields(kind.entity)]  # type: ignore[arg-type]
    timed = any(
        isinstance(getattr(version, name), datetime)
        for version in (old, new)
        if version is not None
        for name in fields
    )
    zone = tenant_zone(uow) if timed else None  # instants read in the tenant's zone
    ctx.record(
        uow,
        event,
        entity_id=key if isinstance(key, UUID) else ctx.ids(),
        client_id=kind.client_of(record),  # type: ignore[arg-type]
        changes=(FieldChange("kind", None, kind.name), *diff(old, new, fields, zone)),
    )


def add(uow: UnitOfWork, ctx: Context, kind: RecordKind[T], record: T) -> T:
    ctx.acting()
    uow.records(kind).add(_checked(uow, kind, record, new=True))
    record_event(uow, ctx, EventKind.RECORD_ADDED, kind, None, record)
    return record


def replace(uow: UnitOfWork, ctx: Context, kind: RecordKind[T], record: T) -> T:
    ctx.acting()
    records = uow.records(kind)
    old = records.get(kind.key_of(_checked(uow, kind, record)))
    records.replace(record)
    record_event(uow, ctx, EventKind.RECORD_REPLACED, kind, old, record)
    return record


def delete(uow: UnitOfWork, ctx: Context, kind: RecordKind[T], record: T) -> None:
    ctx.acting()
    uow.records(kind).delete(_checked(uow, kind, record))
    record_event(uow, ctx, EventKind.RECORD_DELETED, kind, record, None)


def find(uow: UnitOfWork, kind: RecordKind[T], fields: dict[str, Any]) -> list[T]:
    return uow.records(kind).find(**fields)
