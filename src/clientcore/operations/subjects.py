"""Subjects of service: a client's pets, vehicles or devices (C13, O6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import SUBJECTS
from clientcore.entities.subject import (
    DETAIL_KEY_MAX_LENGTH,
    DETAIL_VALUE_MAX_LENGTH,
    MAX_DETAILS,
    SUBJECT_KIND_MAX_LENGTH,
    SUBJECT_NAME_MAX_LENGTH,
    Subject,
)
from clientcore.errors import ValidationError
from clientcore.operations.context import Context, diff, save_change
from clientcore.operations.redirects import creatable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

SUBJECT_FIELDS = ("kind", "name", "details", "active")


def _details(raw: object) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValidationError("details", "must be a mapping of text to text")
    if len(raw) > MAX_DETAILS:
        raise ValidationError("details", f"at most {MAX_DETAILS} entries")
    return {
        validation.required_text("details", key, max_length=DETAIL_KEY_MAX_LENGTH): validation.text(
            f"details.{key}", value, max_length=DETAIL_VALUE_MAX_LENGTH
        )
        for key, value in raw.items()
    }


def _validated(fields: Mapping[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "kind": lambda v: validation.required_text("kind", v, max_length=SUBJECT_KIND_MAX_LENGTH),
        "name": lambda v: validation.required_text("name", v, max_length=SUBJECT_NAME_MAX_LENGTH),
        "details": _details,
    }
    unknown = sorted(set(fields) - set(checks))
    if unknown:
        raise ValidationError(unknown[0], "is not a subject field; known: kind, name, details")
    return {name: checks[name](value) for name, value in fields.items()}


def add_subject(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    *,
    kind: str,
    name: str,
    details: Mapping[str, str],
) -> Subject:
    ctx.acting()
    creatable(uow, client_id)
    now = ctx.now()
    values = _validated({"kind": kind, "name": name, "details": details})
    subject = Subject(id=ctx.ids(), client_id=client_id, created_at=now, updated_at=now, **values)
    uow.records(SUBJECTS).add(subject)
    ctx.record(
        uow,
        EventKind.SUBJECT_ADDED,
        entity_id=subject.id,
        client_id=client_id,
        changes=diff(None, subject, SUBJECT_FIELDS),
    )
    return subject


def _save(uow: UnitOfWork, ctx: Context, old: Subject, new: Subject) -> Subject:
    return save_change(
        uow,
        ctx,
        EventKind.SUBJECT_UPDATED,
        old,
        new,
        fields=SUBJECT_FIELDS,
        store=uow.records(SUBJECTS).replace,
        client_id=old.client_id,
    )


def update_subject(
    uow: UnitOfWork, ctx: Context, subject_id: UUID, fields: Mapping[str, Any]
) -> Subject:
    ctx.acting()
    old = uow.records(SUBJECTS).get(subject_id)
    return _save(uow, ctx, old, attrs.evolve(old, **_validated(fields)))


def set_subject_active(uow: UnitOfWork, ctx: Context, subject_id: UUID, active: bool) -> Subject:
    ctx.acting()
    old = uow.records(SUBJECTS).get(subject_id)
    return _save(uow, ctx, old, attrs.evolve(old, active=active))


def set_all_subjects_active(
    uow: UnitOfWork, ctx: Context, client_id: UUID, active: bool
) -> list[Subject]:
    """Deactivate or reactivate every subject of a client (O6); returns those changed."""
    ctx.acting()
    live_client(uow, client_id)
    changed = []
    for subject in uow.records(SUBJECTS).find(client_id=client_id):
        if subject.active != active:
            changed.append(_save(uow, ctx, subject, attrs.evolve(subject, active=active)))
    return changed


def subjects_of(uow: UnitOfWork, client_id: UUID, *, include_inactive: bool) -> list[Subject]:
    live_client(uow, client_id)
    return [
        s for s in uow.records(SUBJECTS).find(client_id=client_id) if include_inactive or s.active
    ]
