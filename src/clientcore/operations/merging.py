"""Merge duplicate clients into one base client (M1, M2), all or nothing.

The base keeps its own values; an empty field is filled from the merged clients in the
order given, unless the caller chose whose value wins. Contact data, identity documents,
groups and attributes are united. Every record kind of the registry (ours and the host's)
is treated by its :class:`~clientcore.entities.kinds.MergePolicy`, one set-based
``reassign`` per kind and merged client. The merged clients keep their rows (status
``merged``), a link to the base, and their history; the journal says what was done.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

import attrs

from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import MERGE_LINKS, MERGES, MergePolicy, RecordKind
from clientcore.entities.merge import (
    ChoiceReason,
    ConflictKind,
    FieldChoice,
    MergeConflict,
    MergeLink,
    MergeOutcome,
    MergeRecord,
    MergeTarget,
    MovedRecords,
)
from clientcore.entities.visit import VisitStatus
from clientcore.errors import ConcurrencyError, MergeRefused, StorageBusy, ValidationError
from clientcore.operations.clients import HISTORY_FIELDS
from clientcore.operations.context import Context, diff, render
from clientcore.operations.redirects import surviving
from clientcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")

CHOOSABLE_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "company_name",
    "description",
    "source",
    "caretaker_id",
    "name_day",
    "birthday",
    "remarks",
)
"""The fields that hold one value, of which the caller may choose whose wins."""

UNMERGEABLE: frozenset[ClientStatus] = frozenset({ClientStatus.MERGED, ClientStatus.FORGOTTEN})
"""Statuses of clients that take part in no merge: a merged client is refused (its base
is named), and so is a forgotten one (undo the forget first: docs/privacy.md)."""


def _filled(value: object) -> bool:
    return value is not None and value != "" and value != ()


def _checked_ids(base_id: UUID, merged_ids: Sequence[UUID]) -> tuple[UUID, ...]:
    ids = tuple(merged_ids)
    if not ids:
        raise ValidationError("merged_ids", "name at least one client to merge into the base")
    if base_id in ids:
        raise MergeRefused("a client cannot be merged with itself", [base_id])
    if len(set(ids)) != len(ids):
        raise ValidationError("merged_ids", "a client is named twice")
    return ids


def mergeable(uow: UnitOfWork, client_id: UUID) -> Client:
    """The client, refused if its status takes part in no merge (NotFound for an id of no
    client of the tenant: clients of another tenant are never merged)."""
    client = uow.clients.get(client_id)
    if client.status in UNMERGEABLE:
        if client.status is ClientStatus.MERGED:
            base = surviving(uow, client_id)
            raise MergeRefused(f"client {client_id} was merged into client {base}", [base])
        raise MergeRefused(f"a client of status {client.status.value} cannot be merged")
    return client


def _checked_choices(choose: Mapping[str, UUID], clients: Sequence[Client]) -> dict[str, Client]:
    by_id = {client.id: client for client in clients}
    picks = {}
    for field, client_id in choose.items():
        if field not in CHOOSABLE_FIELDS:
            raise ValidationError(
                "choose", f"{field!r} cannot be chosen; choose one of {', '.join(CHOOSABLE_FIELDS)}"
            )
        if client_id not in by_id:
            raise ValidationError("choose", f"{client_id} is not one of the clients merged")
        picks[field] = by_id[client_id]
    return picks


@attrs.frozen
class Combined:
    """The base's values after a merge, and what the merge noticed on the way."""

    values: dict[str, Any]
    choices: tuple[FieldChoice, ...]
    conflicts: tuple[MergeConflict, ...]


def _scalar(
    field: str, clients: Sequence[Client], chosen: Client | None
) -> tuple[Any, FieldChoice | None, MergeConflict | None]:
    base = clients[0]
    given = [(client.id, getattr(client, field)) for client in clients]
    given = [(client_id, value) for client_id, value in given if _filled(value)]
    conflict = None
    if len({value for _, value in given}) > 1:
        conflict = MergeConflict(
            ConflictKind.FIELD,
            field,
            tuple(str(render(value)) for _, value in given),
            tuple(client_id for client_id, _ in given),
        )
    if chosen is not None:
        value = getattr(chosen, field)
        source = (chosen.id, ChoiceReason.CHOSEN)
    elif _filled(getattr(base, field)) or not given:
        value = getattr(base, field)
        source = (base.id, ChoiceReason.BASE)
    else:
        value = given[0][1]
        source = (given[0][0], ChoiceReason.FILLED)
    choice = FieldChoice(field, *source) if _filled(value) else None
    return value, choice, conflict


def _united(
    clients: Sequence[Client], field: str, key: Callable[[Any], Hashable]
) -> tuple[Any, ...]:
    """The entries of ``field`` of every client, once per key, in order: the first client
    that has any keeps its primary flag (the base's, when it has entries); every other
    entry is not primary."""
    united: list[Any] = []
    seen: set[Hashable] = set()
    first: UUID | None = None
    for client in clients:
        for item in getattr(client, field):
            first = client.id if first is None else first
            if key(item) in seen:
                continue
            seen.add(key(item))
            primary = getattr(item, "primary", None)
            if primary and client.id != first:
                item = attrs.evolve(item, primary=False)
            united.append(item)
    return tuple(united)


def _primary_conflict(clients: Sequence[Client], field: str, key: str) -> MergeConflict | None:
    primaries = [
        (client.id, getattr(item, key))
        for client in clients
        for item in getattr(client, field)
        if item.primary
    ]
    if len({value for _, value in primaries}) < 2:
        return None
    return MergeConflict(
        ConflictKind.PRIMARY,
        field,
        tuple(value for _, value in primaries),
        tuple(client_id for client_id, _ in primaries),
    )


def _addresses(clients: Sequence[Client]) -> tuple[tuple[Any, ...], list[MergeConflict]]:
    """One address per kind, the first client's that has one; differing ones conflict."""
    by_kind: dict[Any, list[tuple[UUID, Any]]] = {}
    for client in clients:
        for address in client.addresses:
            by_kind.setdefault(address.kind, []).append((client.id, address))
    conflicts = [
        MergeConflict(
            ConflictKind.ADDRESS,
            f"addresses.{kind.value}",
            tuple(str(render(address)) for _, address in given),
            tuple(client_id for client_id, _ in given),
        )
        for kind, given in by_kind.items()
        if len({address for _, address in given}) > 1
    ]
    return tuple(given[0][1] for given in by_kind.values()), conflicts


def combine(clients: Sequence[Client], picks: Mapping[str, Client]) -> Combined:
    """The values of the base (``clients[0]``) after merging the others into it."""
    values: dict[str, Any] = {}
    choices: list[FieldChoice] = []
    conflicts: list[MergeConflict] = []
    for field in CHOOSABLE_FIELDS:
        value, choice, conflict = _scalar(field, clients, picks.get(field))
        values[field] = value
        choices += [choice] if choice is not None else []
        conflicts += [conflict] if conflict is not None else []
    values["phones"] = _united(clients, "phones", lambda phone: phone.number)
    values["emails"] = _united(clients, "emails", lambda email: email.address.casefold())
    values["identity_documents"] = _united(
        clients,
        "identity_documents",
        lambda document: (document.kind, "".join(document.number.split()).upper()),
    )
    for field, key in (("phones", "number"), ("emails", "address")):
        conflict = _primary_conflict(clients, field, key)
        conflicts += [conflict] if conflict is not None else []
    values["addresses"], clashes = _addresses(clients)
    conflicts += clashes
    values["group_ids"] = frozenset().union(*(client.group_ids for client in clients))
    attributes: dict[str, Any] = {}
    for client in reversed(clients):  # the base last: it wins
        attributes.update(client.attributes)
    values["attributes"] = attributes
    return Combined(values, tuple(choices), tuple(conflicts))


def overlapping_visits(uow: UnitOfWork, clients: Sequence[Client]) -> list[MergeConflict]:
    """Visits (not cancelled) of different clients that overlap in time: after the merge
    one client has both."""
    entries = sorted(
        (
            (visit, client.id)
            for client in clients
            for visit in uow.visits.find(client_id=client.id)
            if visit.status is not VisitStatus.CANCELLED
        ),
        key=lambda entry: (entry[0].start, str(entry[0].id)),
    )
    conflicts = []
    for index, (visit, owner) in enumerate(entries):
        for other, other_owner in entries[index + 1 :]:
            if other.start >= visit.end:
                break
            if other_owner != owner:
                conflicts.append(
                    MergeConflict(
                        ConflictKind.VISITS,
                        "visits",
                        (render(visit.start) or "", render(other.start) or ""),
                        (visit.id, other.id),
                    )
                )
    return conflicts


@contextlib.contextmanager
def busy_if_beaten() -> Iterator[None]:
    """A concurrent writer changed a client this unit read: the merge ran on stale values,
    so the unit is refused as :class:`StorageBusy`, and the runner runs it again."""
    try:
        yield
    except ConcurrencyError as lost:
        raise StorageBusy(f"{lost.kind} {lost.key} was changed during the merge") from lost


def moving_kinds(uow: UnitOfWork) -> list[RecordKind[Any]]:
    """The kinds whose records of the merged clients move to the base."""
    return [kind for kind in uow.kinds.client_linked() if kind.merge is MergePolicy.MOVE]


def _move(uow: UnitOfWork, kind: RecordKind[T], sources: Sequence[UUID], target: UUID) -> list[str]:
    """Move the records of ``kind`` of ``sources`` to ``target``, one set-based move per
    source: their keys as text, sorted (for the journal)."""
    records = uow.records(kind)
    return sorted(key for source in sources for key in records.move(source, target))


def merge_clients(
    uow: UnitOfWork,
    ctx: Context,
    base_id: UUID,
    merged_ids: Sequence[UUID],
    *,
    choose: Mapping[str, UUID],
    dry_run: bool,
) -> MergeOutcome:
    """Merge ``merged_ids`` into ``base_id`` (``dry_run``: only say what would happen)."""
    actor = ctx.require_role(*sorted(ctx.merge_roles))
    ids = _checked_ids(base_id, merged_ids)
    if not dry_run:  # in one order, so that two merges wait rather than deadlock
        for client_id in sorted((base_id, *ids), key=str):
            uow.clients.hold(client_id, exclusive=True)
    base = mergeable(uow, base_id)
    others = [mergeable(uow, client_id) for client_id in ids]
    clients = [base, *others]
    combined = combine(clients, _checked_choices(choose, clients))
    result = attrs.evolve(base, **combined.values)
    if dry_run:  # only the preview reads every visit of the clients for overlaps
        conflicts = (*combined.conflicts, *overlapping_visits(uow, clients))
        counts = [
            (kind.name, sum(uow.records(kind).count(**kind.of_client(c.id)) for c in others))
            for kind in moving_kinds(uow)
        ]
        return MergeOutcome(
            client=result,
            merged_ids=ids,
            choices=combined.choices,
            conflicts=conflicts,
            moved=tuple((name, count) for name, count in counts if count),
            dry_run=True,
        )
    now = ctx.now()
    result = attrs.evolve(result, updated_at=now, version=base.version + 1)
    with busy_if_beaten():
        for client in clients:
            uow.clients.update(
                result
                if client is base
                else attrs.evolve(
                    client, status=ClientStatus.MERGED, updated_at=now, version=client.version + 1
                )
            )
    moved = [
        MovedRecords(kind.name, tuple(keys))
        for kind in moving_kinds(uow)
        if (keys := _move(uow, kind, ids, base_id))
    ]
    record = MergeRecord(
        id=ctx.ids(),
        client_id=base_id,
        target=MergeTarget.CLIENT,
        base_id=base_id,
        merged_ids=ids,
        actor_id=actor.id,
        at=now,
        choices=combined.choices,
        moved=tuple(moved),
    )
    uow.records(MERGES).add(record)
    uow.records(MERGE_LINKS).add(
        *[MergeLink(client_id, base_id, record.id, MergeTarget.CLIENT, now) for client_id in ids]
    )
    merged_text = "; ".join(str(client_id) for client_id in ids)
    events = [
        ctx.event(
            EventKind.CLIENT_MERGED,
            entity_id=record.id,
            client_id=base_id,
            changes=(FieldChange("merged", None, merged_text), *diff(base, result, HISTORY_FIELDS)),
            at=now,
        ),
        *(
            ctx.event(
                EventKind.CLIENT_MERGED_INTO,
                entity_id=record.id,
                client_id=client.id,
                changes=(
                    FieldChange("status", client.status.value, ClientStatus.MERGED.value),
                    FieldChange("merged_into", None, str(base_id)),
                ),
                at=now,
            )
            for client in others
        ),
    ]
    ctx.append(uow, events)
    return MergeOutcome(
        client=result,
        merged_ids=ids,
        choices=combined.choices,
        conflicts=combined.conflicts,
        moved=tuple((entry.kind, len(entry.keys)) for entry in moved),
        dry_run=False,
        record=record,
    )


def journal(uow: UnitOfWork, client_id: UUID) -> list[MergeRecord]:
    """The merges of the client, oldest first: those made on it (as the base, or of its
    subjects) and the one that merged it into another."""
    uow.clients.get(client_id)
    records = list(uow.records(MERGES).find(client_id=client_id))
    link = uow.records(MERGE_LINKS).get_many([client_id]).get(client_id)
    if link is not None:
        records.append(uow.records(MERGES).get(link.merge_id))
    return sorted(records, key=lambda record: (record.at, str(record.id)))
