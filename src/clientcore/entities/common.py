"""Small value types shared by every entity: actors and roles, tenants, PII metadata, time."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs

from clientcore.errors import InvalidTenant

T = TypeVar("T")

PII_KEY = "clientcore.pii"
"""attrs field-metadata key that marks a field as personal data (the one source of truth)."""

TENANT_MAX_LENGTH = 64


def pii(**kwargs: Any) -> Any:
    """An ``attrs.field`` that holds personal data: anonymisation, export and PII scans find it."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[PII_KEY] = True
    return attrs.field(metadata=metadata, **kwargs)


def pii_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of an attrs class that are declared personal data."""
    return tuple(f.name for f in attrs.fields(cls) if f.metadata.get(PII_KEY))


class Role(enum.StrEnum):
    """What an actor may do; operations that are restricted say which roles they need."""

    OWNER = "owner"
    ADMINISTRATOR = "administrator"
    STAFF = "staff"
    RECEPTION = "reception"


def role_set(roles: Iterable[Role | str]) -> frozenset[Role]:
    """Roles given as members or their values, as a frozen set (an attrs converter). A
    frozen set of members is one already, and is kept (an actor's, on each of its events)."""
    if type(roles) is frozenset and all(type(role) is Role for role in roles):
        return cast(frozenset[Role], roles)
    return frozenset(Role(role) for role in roles)


def id_set(ids: Iterable[UUID]) -> frozenset[UUID]:
    """A frozen set of ids (an attrs converter)."""
    return frozenset(ids)


@attrs.frozen
class Actor:
    """Who makes a change: recorded on every event. ``id`` is the host's user id."""

    id: str
    roles: frozenset[Role] = attrs.field(default=frozenset(), converter=role_set)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("an actor needs a non-empty id (the host's user id)")

    def has_any(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


def check_tenant(tenant: object) -> str:
    """Return the tenant if it is a usable id, else raise :class:`InvalidTenant`.

    A missing tenant is never read as "all tenants": every query is scoped.
    """
    if tenant is None:
        raise InvalidTenant("a tenant is required (got None)")
    if not isinstance(tenant, str):
        raise InvalidTenant(f"a tenant is a string, got {type(tenant).__name__}")
    if not tenant or tenant.strip() != tenant:
        raise InvalidTenant("a tenant is a non-empty string without surrounding spaces")
    if len(tenant) > TENANT_MAX_LENGTH or not tenant.isprintable():
        raise InvalidTenant(
            f"a tenant is at most {TENANT_MAX_LENGTH} printable characters, got {tenant!r}"
        )
    return tenant


def utc_millis(moment: datetime) -> datetime:
    """The same instant in UTC, truncated to milliseconds (what every store keeps)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass a timezone-aware datetime")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def scrubbed(entity: T) -> T:
    """A copy of an attrs ``entity`` with every personal-data field set to its blank value.

    The blank value is the field's default, or an empty string for a field without one.
    """
    changes: dict[str, Any] = {}
    for field in attrs.fields(cast(Any, type(entity))):
        if not field.metadata.get(PII_KEY):
            continue
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            changes[field.name] = default.factory()
        elif default is attrs.NOTHING:
            changes[field.name] = ""
        else:
            changes[field.name] = default
    return attrs.evolve(entity, **changes) if changes else entity  # type: ignore[misc]
