"""Bulk changes of clients (B1, B2): set or clear an attribute, change the caretaker, add
or remove a group, for every client of a selection.

The change is decided here per client state (:func:`outcome`, so each changed client gets
the event a change of that client alone would record) and the store writes it to all of
them at once (:class:`~clientcore.ports.bulk.BulkClients`); on SQL the store also writes
the events, deciding once per distinct stored value, and changes a caretaker's clients
without reading their ids first (:func:`change_caretaker`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.bulk import (
    CHANGED_FIELD,
    UNCHANGED,
    AddGroup,
    BulkChange,
    BulkResult,
    ClearAttribute,
    ClientState,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
    Skipped,
    SkipReason,
    new_value,
)
from clientcore.entities.client import ClientStatus
from clientcore.entities.event import Event, EventKind, FieldChange
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS, STAFF
from clientcore.entities.search import PAGE_MAX_SIZE, StatusFilter
from clientcore.errors import ValidationError
from clientcore.operations import clients
from clientcore.operations.clients import EVENTS_AT_ONCE
from clientcore.operations.context import Context, render
from clientcore.ports.bulk import Outcome
from clientcore.ports.unit_of_work import UnitOfWork

BULK_MAX_IDS = 1_000_000
"""The most clients one bulk change may name."""

_EVENT_KINDS: dict[type, EventKind] = {
    SetAttribute: EventKind.CLIENT_UPDATED,
    ClearAttribute: EventKind.CLIENT_UPDATED,
    SetCaretaker: EventKind.CLIENT_UPDATED,
    AddGroup: EventKind.CLIENT_GROUPED,
    RemoveGroup: EventKind.CLIENT_UNGROUPED,
}
"""The event of each change: what changing one client that way records."""

_NO_ID = UUID(int=0)
"""The entity and client of the event a store copies for each client it changes."""


@attrs.frozen
class ClientFilter:
    """A selection of clients by search (see ``core.clients.search``): every client the
    search finds, on every page."""

    text: str = ""
    status: StatusFilter = StatusFilter.ACTIVE
    group_id: UUID | None = None
    caretaker_id: UUID | None = None
    source: str | None = None
    attribute: tuple[str, object] | None = None


def selected(uow: UnitOfWork, selection: ClientFilter) -> list[UUID]:
    """The ids of every client ``selection`` finds, in search order."""
    ids: list[UUID] = []
    cursor: str | None = None
    while True:
        page = clients.search(
            uow,
            selection.text,
            status=selection.status,
            group_id=selection.group_id,
            caretaker_id=selection.caretaker_id,
            source=selection.source,
            attribute=selection.attribute,
            limit=PAGE_MAX_SIZE,
            after=cursor,
        )
        ids.extend(client.id for client in page.clients)
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def with_caretaker(uow: UnitOfWork, caretaker_id: UUID) -> list[UUID]:
    """The ids of the clients whose caretaker is ``caretaker_id``."""
    uow.records(STAFF).get(caretaker_id)
    return uow.bulk.with_caretaker(caretaker_id)


def checked(uow: UnitOfWork, change: BulkChange) -> BulkChange:
    """``change`` with its value validated against what it refers to: an attribute's
    definition, an active staff member, an existing group (NotFound, ValidationError)."""
    if isinstance(change, SetAttribute):
        definition = uow.records(ATTRIBUTE_DEFINITIONS).get(change.key)
        return SetAttribute(definition.key, definition.validate(change.value))
    if isinstance(change, ClearAttribute):
        return ClearAttribute(uow.records(ATTRIBUTE_DEFINITIONS).get(change.key).key)
    if isinstance(change, SetCaretaker):
        if change.caretaker_id is not None:
            member = uow.records(STAFF).get(change.caretaker_id)
            if not member.active:
                raise ValidationError("caretaker_id", f"staff member {member.name!r} is inactive")
        return change
    uow.records(GROUPS).get(change.group_id)
    return change


def check_ids(client_ids: Sequence[UUID]) -> list[UUID]:
    """The ids, each once, in the order given (ValidationError for a non-id)."""
    ids = validation.sequence("client_ids", client_ids)
    if len(ids) > BULK_MAX_IDS:
        raise ValidationError("client_ids", f"at most {BULK_MAX_IDS} clients at once")
    for entry in ids:
        if not isinstance(entry, UUID):
            raise ValidationError("client_ids", f"{entry!r} is not a client id (UUID)")
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]


def outcome(change: BulkChange, state: ClientState) -> SkipReason | FieldChange:
    """Why ``change`` skips the client in ``state``, or the change its event records: the
    change a diff of the two versions of the client gives, as a change of this client
    alone records it."""
    if state.status is ClientStatus.MERGED:
        return SkipReason.MERGED
    new = new_value(change, state)
    if new is UNCHANGED:
        return SkipReason.UNCHANGED
    field = CHANGED_FIELD[type(change)]
    return FieldChange(field, render(getattr(state, field)), render(new))


def apply(
    uow: UnitOfWork, ctx: Context, change: BulkChange, client_ids: Sequence[UUID]
) -> BulkResult:
    """Apply ``change`` to each of ``client_ids`` that it changes, all at once, each
    changed client with its event and a new version; the others are skipped, with why."""
    ctx.acting()
    return _applied(uow, ctx, checked(uow, change), check_ids(client_ids))


def change_caretaker(
    uow: UnitOfWork, ctx: Context, old_caretaker_id: UUID, change: SetCaretaker
) -> BulkResult:
    """:func:`apply` to every client whose caretaker is ``old_caretaker_id`` (B2). Where
    the store can, it selects them itself, no ids read first: all of them have the same
    caretaker, so what the change does depends only on each client's status."""
    ctx.acting()
    uow.records(STAFF).get(old_caretaker_id)
    checked(uow, change)  # the new caretaker; a SetCaretaker comes back as it is
    logged = _logged(
        ctx, change, functools.partial(uow.bulk.change_caretaker_logged, old_caretaker_id, change)
    )
    if logged is not None:
        return logged
    return _applied(uow, ctx, change, uow.bulk.with_caretaker(old_caretaker_id))


def _logged(
    ctx: Context, change: BulkChange, write: Callable[[Event, Outcome], BulkResult | None]
) -> BulkResult | None:
    """What the store's own set-based write of ``change`` and its events gives
    (``write(head, outcome)``), or None: the store does not write events itself, or a
    host's handler listens to them (it then gets them from the events made here)."""
    kind = _EVENT_KINDS[type(change)]
    if ctx.collector is not None and kind in ctx.collector.kinds:
        return None
    head = ctx.event(kind, entity_id=_NO_ID, client_id=_NO_ID, at=ctx.now())
    return write(head, functools.partial(outcome, change))


def _applied(
    uow: UnitOfWork, ctx: Context, change: BulkChange, wanted: Sequence[UUID]
) -> BulkResult:
    """:func:`apply` of a checked ``change`` to the distinct ids ``wanted``."""
    logged = _logged(ctx, change, functools.partial(uow.bulk.apply_logged, change, wanted))
    if logged is not None:
        return logged
    kind = _EVENT_KINDS[type(change)]
    now = ctx.now()
    states = {state.id: state for state in uow.bulk.states(wanted, CHANGED_FIELD[type(change)])}
    changed: list[UUID] = []
    skipped: list[Skipped] = []
    events: list[Event] = []
    for client_id in wanted:
        state = states.get(client_id)
        made = SkipReason.NOT_FOUND if state is None else outcome(change, state)
        if isinstance(made, SkipReason):
            skipped.append(Skipped(client_id, made))
            continue
        changed.append(client_id)
        events.append(
            ctx.event(kind, entity_id=client_id, client_id=client_id, changes=(made,), at=now)
        )
        if len(events) == EVENTS_AT_ONCE:  # appended as made: see EVENTS_AT_ONCE
            ctx.append(uow, events)
            events = []
    ctx.append(uow, events)
    uow.bulk.apply(change, changed, now)
    return BulkResult(tuple(changed), tuple(skipped))


def apply_selected(
    uow: UnitOfWork,
    ctx: Context,
    change: BulkChange,
    select: Callable[[UnitOfWork], Sequence[UUID]],
) -> BulkResult:
    """:func:`apply` to the clients ``select`` finds in the same unit of work."""
    return apply(uow, ctx, change, select(uow))
