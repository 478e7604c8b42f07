"""Linked records (C9) and the company and medical sections (C7) of a client."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import (
    COMPANY_DATA,
    LINKED_RECORDS,
    MEDICAL_DATA,
    SUBJECTS,
    RecordKind,
)
from clientcore.entities.linked import (
    LINKED_DETAIL_MAX_LENGTH,
    LINKED_DETAILS_MAX,
    LINKED_TITLE_MAX_LENGTH,
    LinkedKind,
    LinkedRecord,
    LinkedStatus,
)
from clientcore.entities.sections import (
    SECTION_FIELD_MAX_LENGTH,
    SECTION_TEXT_MAX_LENGTH,
    CompanyData,
    MedicalData,
    special_category_fields,
)
from clientcore.errors import ConcurrencyError, ValidationError
from clientcore.operations.context import Context, diff
from clientcore.operations.redirects import creatable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

S = TypeVar("S", CompanyData, MedicalData)

LINKED_FIELDS = (
    "kind",
    "title",
    "status",
    "starts_on",
    "ends_on",
    "subject_id",
    "details",
    "notes",
)


def _details(raw: object) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValidationError("details", "must be a mapping of names to text")
    if len(raw) > LINKED_DETAILS_MAX:
        raise ValidationError("details", f"at most {LINKED_DETAILS_MAX} entries")
    return {
        validation.required_text("details", name, max_length=100): validation.text(
            "details", value, max_length=LINKED_DETAIL_MAX_LENGTH, multiline=True
        )
        for name, value in raw.items()
    }


def _dates(starts_on: object, ends_on: object) -> tuple[date | None, date | None]:
    start = None if starts_on is None else validation.day("starts_on", starts_on)
    end = None if ends_on is None else validation.day("ends_on", ends_on)
    if start is not None and end is not None and end < start:
        raise ValidationError("ends_on", "is before starts_on")
    return start, end


def add(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    kind: LinkedKind,
    title: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    subject_id: UUID | None = None,
    details: Mapping[str, str] | None = None,
    notes: str = "",
) -> LinkedRecord:
    """Link a new record of ``kind`` to the client (and one of its subjects)."""
    ctx.acting()
    creatable(uow, client_id)
    if subject_id is not None and uow.records(SUBJECTS).get(subject_id).client_id != client_id:
        raise ValidationError("subject_id", "is a subject of another client")
    start, end = _dates(starts_on, ends_on)
    now = ctx.now()
    record = LinkedRecord(
        id=ctx.ids(),
        client_id=client_id,
        kind=kind.name,
        title=validation.required_text("title", title, max_length=LINKED_TITLE_MAX_LENGTH),
        created_at=now,
        updated_at=now,
        starts_on=start,
        ends_on=end,
        subject_id=subject_id,
        special_category=kind.special_category,
        details=_details({} if details is None else details),
        notes=validation.text("notes", notes, max_length=SECTION_TEXT_MAX_LENGTH, multiline=True),
    )
    uow.records(LINKED_RECORDS).add(record)
    ctx.record(
        uow,
        EventKind.LINKED_ADDED,
        entity_id=record.id,
        client_id=client_id,
        changes=diff(None, record, LINKED_FIELDS),
    )
    return record


def close(
    uow: UnitOfWork,
    ctx: Context,
    record_id: UUID,
    *,
    ends_on: date | None = None,
    expected_version: int | None = None,
) -> LinkedRecord:
    """Close a linked record (stop a subscription, deliver an order), ending on
    ``ends_on`` if given; a closed one stays as it is."""
    ctx.acting()
    records = uow.records(LINKED_RECORDS)
    old = records.get(record_id)
    if expected_version is not None and old.version != expected_version:
        raise ConcurrencyError("linked record", record_id, expected_version)
    if old.status is LinkedStatus.CLOSED:
        return old
    _, end = _dates(old.starts_on, ends_on if ends_on is not None else old.ends_on)
    new = attrs.evolve(
        old,
        status=LinkedStatus.CLOSED,
        ends_on=end,
        updated_at=ctx.now(),
        version=old.version + 1,
    )
    records.replace(new)
    ctx.record(
        uow,
        EventKind.LINKED_CLOSED,
        entity_id=record_id,
        client_id=old.client_id,
        changes=diff(old, new, LINKED_FIELDS),
    )
    return new


def for_client(
    uow: UnitOfWork, client_id: UUID, kind: LinkedKind | None = None
) -> list[LinkedRecord]:
    """The client's linked records (of ``kind`` only, if given), oldest first."""
    live_client(uow, client_id)
    if kind is None:
        return uow.records(LINKED_RECORDS).find(client_id=client_id)
    return uow.records(LINKED_RECORDS).find(client_id=client_id, kind=kind.name)


def _section_kind(cls: type[S]) -> RecordKind[S]:
    kind: RecordKind[Any] = COMPANY_DATA if cls is CompanyData else MEDICAL_DATA
    return kind


def set_section(
    uow: UnitOfWork,
    ctx: Context,
    cls: type[S],
    client_id: UUID,
    fields: Mapping[str, object],
    *,
    expected_version: int | None = None,
) -> S:
    """Write the given fields of the client's section ``cls`` (made if it has none)."""
    ctx.acting()
    creatable(uow, client_id)
    kind = _section_kind(cls)
    names = [field.name for field in attrs.fields(cls) if field.type in (str, "str")]
    checked: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in names:
            raise ValidationError(name, f"is not a field of {cls.__name__}: {', '.join(names)}")
        checked[name] = validation.text(
            name,
            value,
            max_length=SECTION_TEXT_MAX_LENGTH if name == "notes" else SECTION_FIELD_MAX_LENGTH,
            multiline=name == "notes",
        )
    records = uow.records(kind)
    old = records.get_many([client_id]).get(client_id)
    version = 0 if old is None else old.version
    if expected_version is not None and version != expected_version:
        raise ConcurrencyError(kind.singular, client_id, expected_version)
    now = ctx.now()
    if old is None:
        new = cls(client_id=client_id, updated_at=now, **checked)
        records.add(new)
    else:
        new = attrs.evolve(old, updated_at=now, version=old.version + 1, **checked)
        records.replace(new)
    ctx.record(
        uow,
        EventKind.SECTION_SET,
        entity_id=client_id,
        client_id=client_id,
        changes=_without_special(cls, diff(old, new, names)),
    )
    return new


def _without_special(cls: type, changes: tuple[FieldChange, ...]) -> tuple[FieldChange, ...]:
    """The changes with the values of special-category fields left out: the history says
    that a health field changed, never what it says."""
    special = special_category_fields(cls)
    return tuple(FieldChange(c.field) if c.field in special else c for c in changes)


def section(uow: UnitOfWork, cls: type[S], client_id: UUID) -> S | None:
    """The client's section ``cls``, None if it has none yet."""
    live_client(uow, client_id)
    found: S | None = uow.records(_section_kind(cls)).get_many([client_id]).get(client_id)
    return found
