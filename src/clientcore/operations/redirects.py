"""Reading through merges: where a merged client (or subject) went, and the refusal of a
merged client wherever a live one is needed."""

from __future__ import annotations

from uuid import UUID

from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.kinds import MERGE_LINKS, MERGES
from clientcore.entities.merge import MergeRecord, MergeTarget
from clientcore.errors import ClientForgotten, ClientMerged
from clientcore.ports.unit_of_work import UnitOfWork


def surviving(uow: UnitOfWork, record_id: UUID) -> UUID:
    """The client (or subject) that ``record_id`` lives on as: itself if it was never
    merged, else the end of its chain of merges (one read per link)."""
    links = uow.records(MERGE_LINKS)
    current = record_id
    seen = {current}
    while True:
        link = links.get_many([current]).get(current)
        if link is None or link.base_id in seen:
            return current
        current = link.base_id
        seen.add(current)


def live_client(uow: UnitOfWork, client_id: UUID) -> Client:
    """The client, refused with :class:`ClientMerged` (carrying the surviving id) if it was
    merged: what every operation that reads, changes or links to a client reads it with."""
    return refuse_merged(uow, uow.clients.get(client_id))


def linkable(uow: UnitOfWork, client_id: UUID) -> ClientStatus:
    """The status of a client that a record is about to refer to, the client held (see
    ``ClientRepository.hold``): refused with :class:`ClientMerged` if it was merged, and no
    merge of it can commit before this unit does (a merge then sees the record and moves
    it)."""
    status = uow.clients.hold(client_id)
    if status is ClientStatus.MERGED:
        raise ClientMerged(client_id, surviving(uow, client_id))
    return status


def creatable(uow: UnitOfWork, client_id: UUID) -> ClientStatus:
    """The status of a client that a new record is about to be made for, held as by
    :func:`linkable`, and refused with :class:`ClientForgotten` if it was forgotten: nothing
    new is made for a forgotten client (records made before stay, for the undo)."""
    status = linkable(uow, client_id)
    if status is ClientStatus.FORGOTTEN:
        raise ClientForgotten(client_id)
    return status


def refuse_merged(uow: UnitOfWork, client: Client) -> Client:
    """``client``, or :class:`ClientMerged` if it was merged."""
    if client.status is ClientStatus.MERGED:
        raise ClientMerged(client.id, surviving(uow, client.id))
    return client


def merges_into(uow: UnitOfWork, client_id: UUID) -> list[MergeRecord]:
    """The client merges whose base is ``client_id``, oldest first."""
    return [
        record
        for record in uow.records(MERGES).find(client_id=client_id)
        if record.target is MergeTarget.CLIENT and record.base_id == client_id
    ]


def absorbed(uow: UnitOfWork, client_id: UUID) -> list[UUID]:
    """Every client merged into ``client_id``, directly or through a chain, in the order
    they were merged (read through the merge journal)."""
    found: list[UUID] = []
    pending = [client_id]
    while pending:
        base = pending.pop(0)
        for record in merges_into(uow, base):
            for merged in record.merged_ids:
                if merged not in found and merged != client_id:
                    found.append(merged)
                    pending.append(merged)
    return found
