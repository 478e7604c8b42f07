"""Per-tenant set-up: settings, staff members, client groups and custom attribute definitions."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import attrs
import phonenumbers

from clientcore.entities import validation
from clientcore.entities.attribute import (
    ATTRIBUTE_KEY_MAX_LENGTH,
    ATTRIBUTE_LABEL_MAX_LENGTH,
    CHOICE_MAX_LENGTH,
    AttributeDefinition,
    AttributeType,
)
from clientcore.entities.common import Role
from clientcore.entities.event import EventKind
from clientcore.entities.group import GROUP_NAME_MAX_LENGTH, Group
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS, STAFF
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import STAFF_NAME_MAX_LENGTH, StaffMember
from clientcore.errors import ValidationError
from clientcore.operations.context import Context, diff
from clientcore.ports.unit_of_work import UnitOfWork


def configure(uow: UnitOfWork, ctx: Context, fields: Mapping[str, Any]) -> TenantSettings:
    """Set how national phone numbers and local times of the tenant are read: the
    settings named in ``fields`` (``default_region``, ``time_zone``); the others stay."""
    ctx.acting()
    unknown = sorted(set(fields) - {"default_region", "time_zone"})
    if unknown:
        raise ValidationError(unknown[0], "is not a setting; known: default_region, time_zone")
    default_region = fields.get("default_region")
    if (
        "default_region" in fields
        and default_region is not None
        and (
            not isinstance(default_region, str)
            or default_region not in phonenumbers.SUPPORTED_REGIONS
        )
    ):
        raise ValidationError("default_region", f"{default_region!r} is not a region such as 'PL'")
    time_zone = fields.get("time_zone")
    if "time_zone" in fields:
        try:
            zoneinfo.ZoneInfo(time_zone)  # type: ignore[arg-type]
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            raise ValidationError(
                "time_zone", f"{time_zone!r} is not an IANA zone such as 'Europe/Warsaw'"
            ) from None
    old = uow.settings.get()
    new = attrs.evolve(old, **fields)
    uow.settings.put(new)
    ctx.record(
        uow,
        EventKind.SETTINGS_CHANGED,
        entity_id=UUID(int=0),
        client_id=None,
        changes=diff(old, new, ("default_region", "time_zone")),
    )
    return new


def add_staff(uow: UnitOfWork, ctx: Context, name: str, roles: Iterable[Role | str]) -> StaffMember:
    ctx.acting()
    member = StaffMember(
        id=ctx.ids(),
        name=validation.required_text("name", name, max_length=STAFF_NAME_MAX_LENGTH),
        created_at=ctx.now(),
        roles=frozenset(validation.choice("roles", Role, role) for role in roles),
    )
    uow.records(STAFF).add(member)
    ctx.record(
        uow,
        EventKind.STAFF_ADDED,
        entity_id=member.id,
        client_id=None,
        changes=diff(None, member, ("name", "roles", "active")),
    )
    return member


def set_staff_active(uow: UnitOfWork, ctx: Context, staff_id: UUID, active: bool) -> StaffMember:
    ctx.acting()
    old = uow.records(STAFF).get(staff_id)
    new = attrs.evolve(old, active=active)
    if new != old:
        uow.records(STAFF).replace(new)
        ctx.record(
            uow,
            EventKind.STAFF_UPDATED,
            entity_id=staff_id,
            client_id=None,
            changes=diff(old, new, ("active",)),
        )
    return new


def define_group(uow: UnitOfWork, ctx: Context, name: str) -> Group:
    ctx.acting()
    group = Group(
        id=ctx.ids(),
        name=validation.required_text("name", name, max_length=GROUP_NAME_MAX_LENGTH),
        created_at=ctx.now(),
    )
    uow.records(GROUPS).add(group)
    ctx.record(
        uow,
        EventKind.GROUP_DEFINED,
        entity_id=group.id,
        client_id=None,
        changes=diff(None, group, ("name",)),
    )
    return group


def define_attribute(
    uow: UnitOfWork,
    ctx: Context,
    key: str,
    *,
    label: str,
    type: AttributeType | str,
    choices: Sequence[str],
    personal: bool = True,
) -> AttributeDefinition:
    """Define a custom attribute; a CHOICE needs its choices, other types take none."""
    ctx.acting()
    kind = validation.choice("type", AttributeType, type)
    checked = tuple(
        validation.required_text("choices", choice, max_length=CHOICE_MAX_LENGTH)
        for choice in validation.sequence("choices", choices)
    )
    if kind is AttributeType.CHOICE and not checked:
        raise ValidationError("choices", "a choice attribute needs at least one choice")
    if kind is not AttributeType.CHOICE and checked:
        raise ValidationError("choices", f"only a choice attribute takes choices, not {kind.value}")
    if len(set(checked)) != len(checked):
        raise ValidationError("choices", "each choice may be listed once")
    definition = AttributeDefinition(
        id=ctx.ids(),
        key=validation.identifier("key", key, max_length=ATTRIBUTE_KEY_MAX_LENGTH),
        label=validation.required_text("label", label, max_length=ATTRIBUTE_LABEL_MAX_LENGTH),
        type=kind,
        created_at=ctx.now(),
        choices=checked,
        personal=personal,
    )
    uow.records(ATTRIBUTE_DEFINITIONS).add(definition)
    ctx.record(
        uow,
        EventKind.ATTRIBUTE_DEFINED,
        entity_id=definition.id,
        client_id=None,
        changes=diff(None, definition, ("key", "label", "type", "choices", "personal")),
    )
    return definition


def staff_list(uow: UnitOfWork, *, active_only: bool) -> list[StaffMember]:
    """The tenant's staff members (the active ones only, unless told otherwise), by name."""
    return [member for member in uow.records(STAFF).find() if member.active or not active_only]
