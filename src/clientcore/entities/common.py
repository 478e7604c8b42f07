"""Small value types shared by every entity: actors and roles, tenants, PII metadata, time."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs

from clientcore.errors import InvalidTenant, ValidationError

T = TypeVar("T")

PII_KEY = "clientcore.pii"
"""attrs field-metadata key that marks a field as personal data (the one source of truth)."""

TENANT_MAX_LENGTH = 64
ACTOR_ID_MAX_LENGTH = 256


def pii(**kwargs: Any) -> Any:
    """An ``attrs.field`` that holds personal data: :func:`personal_fields`, :func:`scrubbed`
    (and through it the records port's ``scrub``) and the tests' PII scans find it."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[PII_KEY] = True
    return attrs.field(metadata=metadata, **kwargs)


_PERSONAL: dict[type, tuple[str, ...]] = {}


def personal_fields(cls: type) -> tuple[str, ...]:
    """Fields of an attrs class declared personal (:func:`pii`), or holding attrs values
    that have personal fields of their own (a tuple of phones, an address)."""
    found = _PERSONAL.get(cls)
    if found is None:
        found = _PERSONAL[cls] = tuple(
            field.name
            for field in attrs.fields(attrs.resolve_types(cast(Any, cls)))
            if field.metadata.get(PII_KEY) or _nested_personal(field.type)
        )
    return found


def _nested_personal(annotation: object) -> bool:
    return any(attrs.has(cls) and personal_fields(cls) for cls in _classes_in(annotation))


def _classes_in(annotation: object) -> Iterator[type]:
    if isinstance(annotation, type):
        yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _classes_in(argument)


class Role(enum.StrEnum):
    """What an actor may do; operations that are restricted say which roles they need."""

    OWNER = "owner"
    ADMINISTRATOR = "administrator"
    STAFF = "staff"
    RECEPTION = "reception"


def role_set(roles: Iterable[Role | str]) -> frozenset[Role]:
    """Roles given as members or their values, as a frozen set (an attrs converter). A
    frozen set of members is one already, and is kept (an actor's, on each of its events).
    Anything else is refused with :class:`ValidationError` (``field`` "roles")."""
    if type(roles) is frozenset and all(type(role) is Role for role in roles):
        return cast(frozenset[Role], roles)
    if isinstance(roles, str | bytes) or not isinstance(roles, Iterable):
        raise ValidationError("roles", f"must be a set of roles, got {type(roles).__name__}")
    members = []
    for role in roles:
        try:
            members.append(Role(role))
        except ValueError:
            known = ", ".join(repr(member.value) for member in Role)
            raise ValidationError("roles", f"{role!r} is not one of {known}") from None
    return frozenset(members)


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
        check_actor_id(self.id)
        if not isinstance(self.name, str) or not self.name.isprintable():
            raise ValidationError("actor.name", "must be printable text")

    def has_any(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


def check_actor_id(actor_id: object) -> str:
    """The id of an actor (the host's user id), as every store keeps it in the history:
    non-empty printable text (no control character, NUL or lone surrogate), at most
    :data:`ACTOR_ID_MAX_LENGTH` characters; else :class:`ValidationError` ("actor")."""
    if not isinstance(actor_id, str) or not actor_id:
        raise ValidationError("actor", "an actor needs a non-empty id (the host's user id)")
    if len(actor_id) > ACTOR_ID_MAX_LENGTH or not actor_id.isprintable():
        raise ValidationError(
            "actor",
            f"an actor id is at most {ACTOR_ID_MAX_LENGTH} printable characters "
            "(no control characters or lone surrogates)",
        )
    return actor_id


def check_actor(actor: object) -> Actor:
    """Return ``actor`` if it is an :class:`Actor`, else raise a ValidationError."""
    if not isinstance(actor, Actor):
        raise ValidationError("actor", f"must be an Actor, got {type(actor).__name__}")
    return actor


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
    """A copy of an attrs ``entity`` with every personal-data field set to its blank value,
    and the personal fields of attrs values nested in other fields (alone or in a tuple)
    blanked likewise.

    The blank value is the field's default, or an empty string for a field without one.
    """
    changes: dict[str, Any] = {}
    for field in attrs.fields(cast(Any, type(entity))):
        value = getattr(entity, field.name)
        if field.metadata.get(PII_KEY):
            blank = _blank(field)
        elif attrs.has(type(value)):
            blank = scrubbed(value)
        elif isinstance(value, tuple) and any(attrs.has(type(item)) for item in value):
            blank = tuple(scrubbed(item) for item in value)
        else:
            continue
        if blank != value:
            changes[field.name] = blank
    return attrs.evolve(entity, **changes) if changes else entity  # type: ignore[misc]


def _blank(field: attrs.Attribute[Any]) -> Any:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return "" if default is attrs.NOTHING else default
