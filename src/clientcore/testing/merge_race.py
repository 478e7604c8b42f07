"""A merge race: merges of a client's duplicates run while other threads book visits for
them, add notes and a host's records to them, change them, and merge them otherwise.

Afterwards no record refers to a merged client, every link that was reported made exists
once (on the surviving client), and every change reported made is on the surviving
client: nothing was lost. A loser gets a typed error (the client was merged, the merge was
refused, or the store stayed busy through every retry); nothing else may be raised.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import attrs

from clientcore.entities.client import ClientStatus
from clientcore.entities.kinds import NOTES, VISITS, MergePolicy
from clientcore.errors import ClientMerged, MergeRefused, StorageBusy
from clientcore.facade import Core
from clientcore.operations.redirects import surviving
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.kinds import STAMPS, Stamp

LOSERS = (ClientMerged, MergeRefused, StorageBusy)
"""The typed errors a racing call may lose with."""


@attrs.define
class MergeRaceResult:
    """What the racing calls reported."""

    linked: list[tuple[str, UUID, UUID]] = attrs.field(factory=list)
    """(kind name, record id, client id) of each link reported made."""
    changed: list[tuple[UUID, str, str]] = attrs.field(factory=list)
    """(client id, attribute key, value) of each change reported made."""
    merges: int = 0
    lost: int = 0
    unexpected: list[BaseException] = attrs.field(factory=list)


def run_merge_race(
    core: Core,
    base_id: UUID,
    duplicates: list[UUID],
    staff_id: UUID,
    day_start: datetime,
    attribute_keys: list[str],
    *,
    rounds: int = 12,
    seed: int = 5,
    pause: float = 0.01,
) -> MergeRaceResult:
    """Race, from 8 threads: one merges each duplicate into the base; one merges each
    duplicate into the next one (a second merge of the same clients); four link records
    (a visit, a note, a host's stamp) to random duplicates; two set attributes (a key
    each call) on the base and on random duplicates. Each merge waits ``pause`` seconds
    first, so that the others run between merges as well as during them."""
    result = MergeRaceResult()
    lock = threading.Lock()
    slots = itertools.count()
    keys = iter(attribute_keys)
    barrier = threading.Barrier(8)

    def attempt(call: Callable[[], None]) -> None:
        try:
            call()
        except LOSERS:
            with lock:
                result.lost += 1
        except BaseException as error:
            with lock:
                result.unexpected.append(error)

    def merger(pairs: list[tuple[UUID, UUID]]) -> Callable[[random.Random], None]:
        def run(_rng: random.Random) -> None:
            for base, merged in pairs:
                time.sleep(pause)  # let links and changes in between the merges

                def merge(base: UUID = base, merged: UUID = merged) -> None:
                    core.merges.merge(base, [merged])
                    with lock:
                        result.merges += 1

                attempt(merge)

        return run

    def linker(rng: random.Random) -> None:
        for _ in range(rounds):
            client = rng.choice(duplicates)

            def link(client: UUID = client) -> None:
                with lock:
                    slot = next(slots)
                start = day_start + timedelta(minutes=10 * slot)
                visit = core.visits.book(client, staff_id, start, 5)
                with lock:
                    result.linked.append((VISITS.name, visit.id, client))
                note = core.notes.add(client, f"note {slot}")
                with lock:
                    result.linked.append((NOTES.name, note.id, client))
                stamp = core.records(STAMPS).add(Stamp(uuid4(), client, start))
                with lock:
                    result.linked.append((STAMPS.name, stamp.id, client))

            attempt(link)

    def changer(rng: random.Random) -> None:
        for _ in range(rounds):
            client = rng.choice([base_id, *duplicates])
            with lock:
                key = next(keys)

            def change(client: UUID = client, key: str = key) -> None:
                core.clients.set_attribute(client, key, f"value of {key}")
                with lock:
                    result.changed.append((client, key, f"value of {key}"))

            attempt(change)

    workers: list[Callable[[random.Random], None]] = [
        merger([(base_id, duplicate) for duplicate in duplicates]),
        merger(list(zip(duplicates[1:], duplicates[:-1], strict=True))),
        *[linker] * 4,
        *[changer] * 2,
    ]

    def run(index: int, work: Callable[[random.Random], None]) -> None:
        barrier.wait()
        work(random.Random(seed + index))

    threads = [
        threading.Thread(target=run, args=(index, work)) for index, work in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def check_merge_race(
    core: Core, backend: Backend, result: MergeRaceResult, clients: list[UUID]
) -> None:
    """Assert what a merge race must leave (see the module)."""
    assert result.unexpected == []
    with backend.unit_of_work(core.tenant, read_only=True) as uow:
        merged = {c for c in clients if uow.clients.get(c).status is ClientStatus.MERGED}
        for kind in uow.kinds.client_linked():
            for client in merged if kind.merge is MergePolicy.MOVE else ():
                assert uow.records(kind).count(**kind.of_client(client)) == 0, (kind.name, client)
        for name, record_id, client in result.linked:
            kind = uow.kinds[name]
            found = uow.records(kind).find(**{kind.key: record_id})
            assert [kind.client_of(record) for record in found] == [surviving(uow, client)]
    for client, key, value in result.changed:
        survivor = core.clients.get(core.merges.surviving(client))
        assert survivor.attributes.get(key) == value, (client, key)
