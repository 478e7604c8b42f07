"""A core inside a host's own pymongo ``ClientSession`` transaction (``in_session``), on
mongomock.

mongomock has neither sessions nor transactions, so here the backend is told the server
has them, mongomock's operations take (and record) a ``session``, and the host's session
is a stand-in that records what clientcore does with it. This shows what clientcore does:
which session every operation runs in, that it never commits, aborts or ends the host's
transaction when an operation succeeds or fails before writing, that it aborts it when
one fails after writing, and that such a unit is never run again. What only a replica set
shows (docs/mongo.md): that the host's abort drops clientcore's writes with its own and
its commit keeps both, that the reads see the transaction's writes, and that two
transactions booking one staff member collide (``StorageBusy``) until the first ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Any
from uuid import uuid4

import mongomock
import pytest
from mongomock.collection import Collection

import clientcore
from clientcore import EventKind
from clientcore.adapters.mongo import MongoBackend
from clientcore.adapters.mongo import uow as mongo_uow
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import NotFound, StorageBusy, UnsupportedTarget, VisitOverlap
from clientcore.testing.kinds import HOST_KINDS, STAMPS, Stamp

RITA = clientcore.Actor("rita")
WRITES = (
    "insert_one",
    "insert_many",
    "replace_one",
    "update_one",
    "update_many",
    "delete_one",
    "delete_many",
    "find_one_and_delete",
)
OPERATIONS = (*WRITES, "find", "find_one", "count_documents", "find_one_and_update")


class HostSession:
    """Stands in for the host's ``ClientSession``, in a transaction the host started."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.in_transaction = True
        self.calls: list[str] = []

    def commit_transaction(self) -> None:
        self.calls.append("commit")
        self.in_transaction = False

    def abort_transaction(self) -> None:
        self.calls.append("abort")
        self.in_transaction = False

    def end_session(self) -> None:
        self.calls.append("end")


Seen = list[tuple[str, str, object]]
"""(collection, operation, session) of every operation mongomock ran."""


def _taking_a_session(operation: Callable[..., Any], name: str, seen: Seen) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(collection: Collection, *args: Any, **kwargs: Any) -> Any:
        seen.append((collection.name, name, kwargs.pop("session", None)))
        return operation(collection, *args, **kwargs)

    return run


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    operations: Seen = []
    for name in OPERATIONS:
        monkeypatch.setattr(
            Collection, name, _taking_a_session(getattr(Collection, name), name, operations)
        )
    return operations


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch, seen: Seen) -> Iterator[MongoBackend]:
    """A backend on mongomock that believes its server runs transactions."""
    monkeypatch.setattr(mongo_uow, "offers_transactions", lambda _database: True)
    yield MongoBackend.on_database(mongomock.MongoClient()["host"], kinds=HOST_KINDS)


def writes_outside(seen: Seen, session: HostSession) -> list[tuple[str, str]]:
    """clientcore's writes to its records that did not run in the host's session (lock
    leases and the ``seq`` counters are taken outside any transaction, by design)."""
    return [
        (collection, name)
        for collection, name, used in seen
        if name in WRITES and used is not session and collection != "clientcore_locks"
    ]


def test_every_write_runs_in_the_hosts_transaction_which_clientcore_never_ends(
    backend: MongoBackend, seen: Seen
) -> None:
    session = HostSession(backend.database.client)
    joined = backend.in_session(session)  # type: ignore[arg-type]
    assert joined.capabilities.joins_host_transaction
    assert backend.capabilities.joins_host_transaction is False  # the shared one is unchanged
    core = clientcore.open(joined, tenant="vet-1", actor=RITA)
    client = core.clients.register(last_name="Nowak", phones=["+48601234567"])
    stamp = Stamp(uuid4(), client.id, datetime(2026, 12, 7, 10, tzinfo=UTC), "first visit")
    core.records(STAMPS).add(stamp)  # a host's kind, declared at open: in the session too
    vet = core.staff.add("Dr Ewa")
    with core.transaction() as tx:
        tx.notes.add(client.id, "arrived")
        tx.clients.update(client.id, first_name="Anna")
    assert core.clients.get(client.id).first_name == "Anna"
    assert [n.text for n in core.notes.for_client(client.id)] == ["arrived"]
    assert core.records(STAMPS).find(client_id=client.id) == [stamp]
    assert session.calls == []  # never committed, aborted or ended: the host does that
    assert session.in_transaction
    assert writes_outside(seen, session) == []
    written = {collection for collection, name, used in seen if name in WRITES}
    assert {"clientcore_clients", "clientcore_events", "clientcore_stamps"} <= written
    assert core.staff.get(vet.id) == vet


def test_a_booking_marks_its_calendar_lock_in_the_transaction_and_a_refusal_does_not(
    backend: MongoBackend, seen: Seen
) -> None:
    """The lease on a staff member's calendar ends with clientcore's unit, before the host
    commits: the booking also writes the lock's marker in the host's transaction, which a
    second transaction booking the same staff member collides with on a replica set (and
    the marker of the client's lock, which a merge of the client takes too). A booking
    refused for an overlap writes nothing, and the host's transaction goes on."""
    session = HostSession(backend.database.client)
    core = clientcore.open(backend.in_session(session), tenant="vet-1", actor=RITA)  # type: ignore[arg-type]
    vet = core.staff.add("Dr Ewa")
    core.staff.set_hours(vet.id, [WeeklySlot(0, TimeRange(time(8), time(18)))])
    client = core.clients.register(last_name="Nowak")
    monday = datetime(2030, 3, 4, 9, tzinfo=UTC)
    seen.clear()
    core.visits.book(client.id, vet.id, monday, 30)
    markers = [
        used
        for collection, name, used in seen
        if (collection, name) == ("clientcore_locks", "update_one")
    ]
    assert markers == [session, session]  # the client's lock and the calendar's
    seen.clear()
    with pytest.raises(VisitOverlap):
        core.visits.book(client.id, vet.id, monday, 30)
    assert [name for _collection, name, _used in seen if name in WRITES] == [
        "delete_one",
        "delete_one",
    ]  # the leases
    assert session.calls == []


def test_host_code_in_a_unit_of_work_gets_the_hosts_session(backend: MongoBackend) -> None:
    session = HostSession(backend.database.client)
    joined = MongoBackend.on_database(backend.database, kinds=HOST_KINDS, session=session)  # type: ignore[arg-type]
    with joined.unit_of_work("vet-1") as uow:
        assert uow.session is session  # type: ignore[comparison-overlap]
        uow.commit()
    assert session.calls == []


def test_an_operation_refused_before_it_wrote_leaves_the_hosts_transaction(
    backend: MongoBackend,
) -> None:
    session = HostSession(backend.database.client)
    core = clientcore.open(backend.in_session(session), tenant="vet-1", actor=RITA)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        core.clients.update(uuid4(), last_name="Nowak")
    with pytest.raises(clientcore.errors.ValidationError):
        core.clients.register(last_name="Nowak", emails=["not an address"])
    assert session.calls == []
    assert core.clients.register(last_name="Nowak").code == "1"  # and the host goes on


def test_an_operation_that_fails_after_writing_aborts_the_hosts_transaction(
    backend: MongoBackend,
) -> None:
    """MongoDB has no savepoint: the host's transaction is aborted with clientcore's writes
    in it, the error reaches the host, and a later operation on the session is refused
    until the host starts a transaction again."""
    session = HostSession(backend.database.client)
    core = clientcore.open(backend.in_session(session), tenant="vet-1", actor=RITA)  # type: ignore[arg-type]

    def veto(_event: object, _tx: object) -> None:
        raise RuntimeError("the host's handler refuses")

    core.events.on(EventKind.CLIENT_REGISTERED, veto)
    with pytest.raises(RuntimeError, match="refuses"):
        core.clients.register(last_name="Nowak")
    assert session.calls == ["abort"]
    with pytest.raises(UnsupportedTarget, match="start_transaction"):
        core.clients.search("nowak")


def test_a_joined_unit_is_never_run_again(backend: MongoBackend) -> None:
    """A write conflict (StorageBusy) may have ended the host's transaction: the host runs
    its transaction again, clientcore does not run the operation again inside it."""
    session = HostSession(backend.database.client)
    core = clientcore.open(backend.in_session(session), tenant="vet-1", actor=RITA)  # type: ignore[arg-type]
    runs: list[object] = []

    def busy(event: object, _tx: object) -> None:
        runs.append(event)
        raise StorageBusy("a write conflict")

    core.events.on(EventKind.CLIENT_REGISTERED, busy)
    with pytest.raises(StorageBusy):
        core.clients.register(last_name="Nowak")
    assert len(runs) == 1
    assert session.calls == ["abort"]


def test_a_session_is_joined_only_where_it_can_be() -> None:
    plain = MongoBackend.on_database(mongomock.MongoClient()["host"])
    with pytest.raises(UnsupportedTarget, match="no transactions"):
        plain.in_session(HostSession(plain.database.client))  # type: ignore[arg-type]


def test_a_session_of_another_client_is_refused(backend: MongoBackend) -> None:
    with pytest.raises(UnsupportedTarget, match="another MongoClient"):
        backend.in_session(HostSession(mongomock.MongoClient()))  # type: ignore[arg-type]
    session = HostSession(backend.database.client)
    session.in_transaction = False
    core = clientcore.open(backend.in_session(session), tenant="vet-1", actor=RITA)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedTarget, match="start_transaction"):
        core.clients.register(last_name="Nowak")
    assert session.calls == []
