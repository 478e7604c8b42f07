"""Forget a client, undo it, and anonymise one in two confirmed steps (P1-P3).

Every kind of record is reached through the registry, by what it declares: its
:class:`~clientcore.entities.kinds.ForgetPolicy` (what forgetting changes), its
:class:`~clientcore.entities.kinds.ErasurePolicy` and its personal fields (what
anonymising blanks). No kind is named here, so a kind added later (ours or a host's) is
covered by its declaration alone.

What forget, undo and anonymise did is kept in the client's history, which every store
already has: the forget event lists the records it changed (what the undo reads), the
confirmation request keeps a salted hash of its code, and the receipt of an anonymisation
is an event without any personal value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.common import Role, personal_fields, scrubbed
from clientcore.entities.event import Event, EventKind, FieldChange
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, ErasurePolicy, RecordKind
from clientcore.entities.privacy import (
    CONFIRMATION_ALPHABET,
    CONFIRMATION_LENGTH,
    CONFIRMATION_TTL,
    AnonymisationReceipt,
    ConfirmationRequest,
    ForgetResult,
    UndoResult,
)
from clientcore.entities.search import PAGE_MAX_SIZE, ClientQuery, StatusFilter, client_sort_key
from clientcore.errors import Conflict, InvalidConfirmation
from clientcore.operations.context import Context
from clientcore.operations.records import record_event
from clientcore.operations.redirects import absorbed
from clientcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")

STATUS = "status"
REQUEST = "request"
CODE_HASH = "code_hash"
SCRUBBED = "scrubbed."
"""Prefix of a receipt's counts: ``scrubbed.client``, ``scrubbed.<kind>``, ``scrubbed.history``."""


def _with_field(kind: RecordKind[T], record: T, name: str, value: Any, now: datetime) -> T:
    """``record`` with ``name`` set to ``value``: its version bumped (a versioned kind) and
    its ``updated_at`` set (an entity that has one)."""
    changes: dict[str, Any] = {name: value}
    if kind.versioned:
        changes["version"] = getattr(record, "version") + 1  # noqa: B009
    if "updated_at" in attrs.fields_dict(type(record)):  # type: ignore[arg-type]
        changes["updated_at"] = now
    return attrs.evolve(record, **changes)  # type: ignore[misc]


def _set_all(
    uow: UnitOfWork, ctx: Context, kind: RecordKind[T], records: Sequence[T], value: Any
) -> tuple[Any, ...]:
    """Set the forget policy's field of ``records`` to ``value``, each change in the
    history; the keys of the records."""
    assert kind.forget is not None
    port = uow.records(kind)
    now = ctx.now()
    for record in records:
        new = _with_field(kind, record, kind.forget.field, value, now)
        port.replace(new)
        record_event(uow, ctx, EventKind.RECORD_REPLACED, kind, record, new)
    return tuple(kind.key_of(record) for record in records)


def _restatus(uow: UnitOfWork, ctx: Context, client: Client, status: ClientStatus) -> Client:
    new = attrs.evolve(client, status=status, updated_at=ctx.now(), version=client.version + 1)
    uow.clients.update(new)
    return new


def forget(uow: UnitOfWork, ctx: Context, client_id: UUID, roles: frozenset[Role]) -> ForgetResult:
    """Forget the client (P1): every kind's pending records changed by its forget policy,
    the client's status set to forgotten, one event listing what changed. Raises NotFound,
    Conflict (already forgotten), PermissionDenied."""
    ctx.require_role(*roles)
    client = uow.clients.get(client_id)
    if client.status is ClientStatus.FORGOTTEN:
        raise Conflict(f"client {client_id} is already forgotten")
    now = ctx.now()
    changed: dict[str, tuple[Any, ...]] = {}
    for kind in uow.kinds.client_linked():
        policy = kind.forget
        if policy is None:
            continue
        found = uow.records(kind).find(**kind.of_client(client_id))
        pending = [record for record in found if policy.is_pending(record, now)]
        if pending:
            changed[kind.name] = _set_all(uow, ctx, kind, pending, policy.forgotten)
    forgotten = _restatus(uow, ctx, client, ClientStatus.FORGOTTEN)
    ctx.record(
        uow,
        EventKind.CLIENT_FORGOTTEN,
        entity_id=client_id,
        client_id=client_id,
        changes=(
            FieldChange(STATUS, client.status.value, forgotten.status.value),
            *(FieldChange(name, None, _keys_text(keys)) for name, keys in changed.items()),
        ),
    )
    return ForgetResult(forgotten, changed)


def _keys_text(keys: Sequence[Any]) -> str:
    return json.dumps([str(key) for key in keys])


def _last(events: Sequence[Event], kind: EventKind) -> Event | None:
    return next((event for event in reversed(events) if event.kind == kind), None)


def undo_forget(
    uow: UnitOfWork, ctx: Context, client_id: UUID, roles: frozenset[Role]
) -> UndoResult:
    """Undo the client's last forget (P2): its status back to what it was, exactly the
    records the forget changed under a reversible policy set back (unless changed since);
    the others stay as they are, and the result says which. Raises NotFound, Conflict (the
    client is not forgotten), PermissionDenied."""
    ctx.require_role(*roles)
    client = uow.clients.get(client_id)
    event = _last(uow.events.for_client(client_id), EventKind.CLIENT_FORGOTTEN)
    if client.status is not ClientStatus.FORGOTTEN or event is None:
        raise Conflict(f"client {client_id} is not forgotten")
    previous = ClientStatus.ACTIVE
    restored: dict[str, tuple[Any, ...]] = {}
    stays: dict[str, tuple[Any, ...]] = {}
    for change in event.changes:
        if change.field == STATUS:
            previous = ClientStatus(change.old or ClientStatus.ACTIVE)
            continue
        if change.field not in {kind.name for kind in uow.kinds}:
            continue  # a kind the host no longer declares
        kind = uow.kinds[change.field]
        keys = set(json.loads(change.new or "[]"))
        records = [
            record
            for record in uow.records(kind).find(**kind.of_client(client_id))
            if str(kind.key_of(record)) in keys
        ]
        policy = kind.forget
        if policy is not None and policy.reversible:
            back = [r for r in records if getattr(r, policy.field) == policy.forgotten]
            if back:
                restored[kind.name] = _set_all(uow, ctx, kind, back, policy.pending[0])
        elif records:
            stays[kind.name] = tuple(kind.key_of(record) for record in records)
    remembered = _restatus(uow, ctx, client, previous)
    ctx.record(
        uow,
        EventKind.CLIENT_FORGET_UNDONE,
        entity_id=client_id,
        client_id=client_id,
        changes=(
            FieldChange(STATUS, client.status.value, remembered.status.value),
            *(FieldChange(name, None, _keys_text(keys)) for name, keys in restored.items()),
        ),
    )
    return UndoResult(remembered, restored, stays)


def may_purge(uow: UnitOfWork, ctx: Context, roles: frozenset[Role]) -> None:
    """Refuse a purge to an actor without one of ``roles`` (PermissionDenied)."""
    ctx.require_role(*roles)


def _digest(salt: str, client_id: UUID, actor_id: str, code: str) -> str:
    text = f"{salt}\x00{client_id}\x00{actor_id}\x00{code}"
    return hashlib.sha256(text.encode()).hexdigest()


def _normalised(code: str) -> str:
    return "".join(code.split()).upper()


def request_anonymisation(
    uow: UnitOfWork, ctx: Context, client_id: UUID, roles: frozenset[Role]
) -> ConfirmationRequest:
    """The first step of anonymising (P3): a short code, bound to the client and the actor,
    valid for :data:`CONFIRMATION_TTL`, usable once. Only its salted hash is kept (in the
    history). Raises NotFound, PermissionDenied."""
    actor = ctx.require_role(*roles)
    uow.clients.get(client_id)
    code = "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))
    salt = secrets.token_hex(16)
    event = ctx.event(
        EventKind.ANONYMISATION_REQUESTED,
        entity_id=ctx.ids(),
        client_id=client_id,
        changes=(
            FieldChange(CODE_HASH, None, f"{salt}${_digest(salt, client_id, actor.id, code)}"),
        ),
    )
    ctx.append(uow, [event])
    return ConfirmationRequest(client_id, code, event.at + CONFIRMATION_TTL)


def _confirmed(events: Sequence[Event], ctx: Context, client_id: UUID, code: str) -> Event:
    """The actor's last confirmation request for the client, if ``code`` confirms it;
    else InvalidConfirmation."""
    actor_id = ctx.acting().id
    request = next(
        (
            event
            for event in reversed(events)
            if event.kind == EventKind.ANONYMISATION_REQUESTED and event.actor_id == actor_id
        ),
        None,
    )
    if request is None:
        raise InvalidConfirmation("missing")
    used = {
        change.new
        for event in events
        if event.kind == EventKind.CLIENT_ANONYMISED
        for change in event.changes
        if change.field == REQUEST
    }
    if str(request.entity_id) in used:
        raise InvalidConfirmation("used")
    if ctx.now() >= request.at + CONFIRMATION_TTL:
        raise InvalidConfirmation("expired")
    stored = next(change.new for change in request.changes if change.field == CODE_HASH)
    salt, digest = str(stored).split("$", 1)
    given = _digest(salt, client_id, actor_id, _normalised(code))
    if not hmac.compare_digest(digest, given):
        raise InvalidConfirmation("wrong")
    return request


def _blank_client(uow: UnitOfWork, client: Client) -> Client:
    """The client with its personal fields blanked; attributes whose definition says they
    are not personal are kept."""
    definitions: dict[str, AttributeDefinition] = uow.records(ATTRIBUTE_DEFINITIONS).get_many(
        list(client.attributes)
    )
    kept = {
        key: value
        for key, value in client.attributes.items()
        if key in definitions and not definitions[key].personal
    }
    return attrs.evolve(scrubbed(client), attributes=kept)


def _values(client: Client, clean: Client) -> int:
    """How many personal values of ``client`` blanking it removed (each contact, document
    and attribute counts once)."""
    count = 0
    for name in personal_fields(Client):
        before, after = getattr(client, name), getattr(clean, name)
        if isinstance(before, tuple) or hasattr(before, "items"):
            count += len(before) - len(after)
        elif before != after:
            count += 1
    return count


def anonymise(
    uow: UnitOfWork, ctx: Context, client_id: UUID, code: str, roles: frozenset[Role]
) -> AnonymisationReceipt:
    """The second step (P3): with the code of :func:`request_anonymisation` retyped, blank
    every personal value of the client while its record stays: its own fields, each kind's
    records by its erasure policy (scrubbed, deleted or retained), and the personal values
    in its history; the same for every client merged into it. The receipt is kept as an
    event. Raises InvalidConfirmation (nothing changed), NotFound, PermissionDenied."""
    actor = ctx.require_role(*roles)
    client = uow.clients.get(client_id)
    request = _confirmed(uow.events.for_client(client_id), ctx, client_id, code)
    # The clients merged into this one are this person too: their rows, the records a
    # merge kept on them, and their history are blanked alike.
    merged = [uow.clients.get(merged_id) for merged_id in absorbed(uow, client_id)]
    scrubbed_counts = {"client": 0}
    for original in (client, *merged):
        clean = _blank_client(uow, original)
        scrubbed_counts["client"] += _values(original, clean)
        if clean != original:
            uow.clients.update(
                attrs.evolve(clean, updated_at=ctx.now(), version=original.version + 1)
            )
    ids = [client_id, *(one.id for one in merged)]
    fields = set(personal_fields(Client))
    for kind in uow.kinds.client_linked():
        if kind.erasure is ErasurePolicy.RETAIN:
            continue
        fields.update(kind.personal_fields)
        port = uow.records(kind)
        if kind.erasure is ErasurePolicy.SCRUB:
            scrubbed_counts[kind.name] = sum(port.scrub(one) for one in ids)
        else:
            records = [r for one in ids for r in port.find(**kind.of_client(one))]
            for record in records:
                port.delete(record)
            scrubbed_counts[kind.name] = len(records)
    scrubbed_counts["history"] = sum(uow.events.scrub(one, frozenset(fields)) for one in ids)
    event = ctx.event(
        EventKind.CLIENT_ANONYMISED,
        entity_id=ctx.ids(),
        client_id=client_id,
        changes=(
            FieldChange(REQUEST, None, str(request.entity_id)),
            *(FieldChange(SCRUBBED + name, None, str(n)) for name, n in scrubbed_counts.items()),
        ),
    )
    ctx.append(uow, [event])
    return _receipt(event, actor.id)


def _receipt(event: Event, actor_id: str) -> AnonymisationReceipt:
    assert event.client_id is not None
    counts = {
        change.field.removeprefix(SCRUBBED): int(change.new or 0)
        for change in event.changes
        if change.field.startswith(SCRUBBED)
    }
    return AnonymisationReceipt(event.entity_id, event.client_id, actor_id, event.at, counts)


def receipts(uow: UnitOfWork, client_id: UUID) -> list[AnonymisationReceipt]:
    """The receipts of the client's anonymisations, oldest first. Raises NotFound."""
    uow.clients.get(client_id)
    return [
        _receipt(event, event.actor_id)
        for event in uow.events.for_client(client_id)
        if event.kind == EventKind.CLIENT_ANONYMISED
    ]


_READS = frozenset({EventKind.CLIENT_EXPORTED, EventKind.ANONYMISATION_REQUESTED})
"""Events of the history that change nothing of the client (for :func:`inactive_since`)."""


def inactive_since(uow: UnitOfWork, moment: datetime) -> list[Client]:
    """The clients, in any status, with no change in their history and no visit at or after
    ``moment``, and not anonymised already: what a periodic anonymisation takes (R, P3).
    Reads every client's history once: a job for a quiet hour, not a request."""
    moment = validation.moment("moment", moment)
    found: list[Client] = []
    after: tuple[str, UUID] | None = None
    while True:
        page = uow.clients.search(
            ClientQuery(status=StatusFilter.ALL, limit=PAGE_MAX_SIZE, after=after)
        )
        for client in page:
            events = uow.events.for_client(client.id)
            if any(event.kind == EventKind.CLIENT_ANONYMISED for event in events):
                continue
            changes = [event.at for event in events if event.kind not in _READS]
            latest = max([client.updated_at, *changes])
            visits = uow.visits.find(client_id=client.id)
            if latest < moment and all(visit.end <= moment for visit in visits):
                found.append(client)
        if len(page) < PAGE_MAX_SIZE:
            return found
        after = (client_sort_key(page[-1]), page[-1].id)
