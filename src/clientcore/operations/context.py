"""What every operation gets besides its unit of work: who acts, the time, new ids."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs

from clientcore.entities.client import IdentityDocument, NameDay
from clientcore.entities.common import Actor, Role, utc_millis
from clientcore.entities.contacts import Address, Email, Phone
from clientcore.entities.event import Event, EventKind, FieldChange
from clientcore.errors import ActorRequired, ConcurrencyError, PermissionDenied, StorageBusy
from clientcore.localtime import local_text
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.unit_of_work import UnitOfWork


class Collector:
    """The events of one operation that a host's handler listens to (``kinds``), in the
    order they were appended: what the runner delivers, without reading the log again."""

    __slots__ = ("events", "kinds")

    def __init__(self, kinds: frozenset[str]) -> None:
        self.kinds = kinds
        self.events: list[Event] = []

    def add(self, events: Iterable[Event]) -> None:
        kinds = self.kinds
        self.events.extend([event for event in events if event.kind in kinds])


@attrs.frozen
class Context:
    actor: Actor | None
    clock: Clock
    ids: IdFactory
    collector: Collector | None = None
    """Where the operation's events go besides the log (None: nobody listens)."""

    def now(self) -> datetime:
        """The clock's time in UTC, truncated to milliseconds as every store keeps it."""
        return utc_millis(self.clock.now())

    def acting(self) -> Actor:
        """The actor of a change; a change without one is refused."""
        if self.actor is None:
            raise ActorRequired()
        return self.actor

    def require_role(self, *roles: Role) -> Actor:
        actor = self.acting()
        if not actor.has_any(*roles):
            names = " or ".join(role.value for role in roles)
            raise PermissionDenied(f"{actor.id!r} needs the role {names} for this")
        return actor

    def event(
        self,
        kind: EventKind,
        *,
        entity_id: UUID,
        client_id: UUID | None,
        changes: Iterable[FieldChange] = (),
        at: datetime | None = None,
    ) -> Event:
        """An audit event of a change made by the acting actor ``at`` a time the operation
        read from :meth:`now` (None: now)."""
        actor = self.acting()
        return Event(
            id=self.ids(),
            kind=kind,
            entity_id=entity_id,
            client_id=client_id,
            actor_id=actor.id,
            actor_roles=actor.roles,
            at=self.now() if at is None else at,
            changes=tuple(changes),
        )

    def record(
        self,
        uow: UnitOfWork,
        kind: EventKind,
        *,
        entity_id: UUID,
        client_id: UUID | None,
        changes: Iterable[FieldChange] = (),
    ) -> None:
        """Append an audit event of this change to the unit of work's log."""
        self.append(
            uow, [self.event(kind, entity_id=entity_id, client_id=client_id, changes=changes)]
        )

    def append(self, uow: UnitOfWork, events: Sequence[Event]) -> None:
        """Append events to the unit of work's log, and to the collector if there is one."""
        uow.events.append(events)
        if self.collector is not None:
            self.collector.add(events)


class Changeable(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def updated_at(self) -> datetime: ...


C = TypeVar("C", bound=Changeable)


def save_change(
    uow: UnitOfWork,
    ctx: Context,
    kind: EventKind,
    old: C,
    new: C,
    *,
    fields: Iterable[str],
    store: Callable[[C], None],
    client_id: UUID | None,
    zone: tzinfo | None = None,
) -> C:
    """Store ``new`` if any of ``fields`` differs from ``old``, and record the event.

    ``updated_at`` is set, and ``version`` is bumped on records that have one (optimistic
    locking: the store refuses the write if someone else bumped it first).
    """
    changes = diff(old, new, fields, zone)
    if not changes:
        return old
    stamp: dict[str, Any] = {"updated_at": ctx.now()}
    if hasattr(old, "version"):
        stamp["version"] = old.version + 1
    new = attrs.evolve(new, **stamp)  # type: ignore[misc]
    store(new)
    ctx.record(uow, kind, entity_id=new.id, client_id=client_id, changes=changes)
    return new


@contextlib.contextmanager
def run_again_if_beaten(expected_version: int | None) -> Iterator[None]:
    """Around the write of a versioned record read in this unit. Without ``expected_version``
    the caller did not read it: a concurrent writer that won the row (the store's
    ConcurrencyError) means only that this unit read it too early, so the unit is refused as
    :class:`StorageBusy` and the runner runs the whole operation again, reading it anew."""
    if expected_version is not None:
        yield
        return
    try:
        yield
    except ConcurrencyError as lost:
        raise StorageBusy(f"{lost.kind} {lost.key} was changed by a concurrent writer") from lost


def tenant_zone(uow: UnitOfWork) -> ZoneInfo:
    """The tenant's time zone, read from its settings."""
    return ZoneInfo(uow.settings.get().time_zone)


def render(value: Any, zone: tzinfo | None = None) -> str | None:
    """A field value as history text; None and empty values read as None. An instant reads
    as the wall-clock time of ``zone`` (the tenant's; None: UTC), the zone named."""
    # The commonest values first: texts, tuples (of contacts, mostly), phones and e-mails,
    # enum members.
    if type(value) is str:
        return value or None
    if isinstance(value, tuple):
        return "; ".join([str(render(item, zone)) for item in value]) if value else None
    if isinstance(value, Phone | Email):
        text = value.number if isinstance(value, Phone) else value.address
        return text + (f" ({value.label})" if value.label else "") + (" *" if value.primary else "")
    if isinstance(value, Enum):  # _value_: .value without its descriptor call
        return str(value._value_) or None
    if value is None or value == "" or value == frozenset():
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        return local_text(value, zone)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, NameDay):
        return f"{value.day:02d}.{value.month:02d}"
    if isinstance(value, Address):
        parts = (value.street, value.postal_code, value.city, value.country)
        return f"{value.kind.value}: " + ", ".join(p for p in parts if p)
    if isinstance(value, IdentityDocument):
        return f"{value.kind.value} {value.number}"
    if isinstance(value, frozenset):
        return "; ".join(sorted(str(render(item, zone)) for item in value))
    if hasattr(value, "items"):
        return "; ".join(f"{k}={render(v, zone)}" for k, v in sorted(value.items())) or None
    return str(value)


def diff(
    old: object | None,
    new: object | None,
    fields: Iterable[str],
    zone: tzinfo | None = None,
) -> tuple[FieldChange, ...]:
    """Field changes between two versions of an attrs record (None: created, or removed);
    instants as the wall-clock time of ``zone`` (see :func:`render`)."""
    changes = []
    for name in fields:
        before = render(getattr(old, name), zone) if old is not None else None
        after = render(getattr(new, name), zone) if new is not None else None
        if before != after:
            changes.append(FieldChange(name, before, after))
    return tuple(changes)
