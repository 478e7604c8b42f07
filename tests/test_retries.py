"""A busy store (deadlock, serialization failure, lock timeout, SQLite busy, MongoDB write
conflict) never reaches the caller as a raw error: the core runs the operation again, and
after the last attempt raises the typed StorageBusy."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import sqlalchemy
from pymongo.errors import OperationFailure, PyMongoError
from sqlalchemy.exc import DBAPIError

import clientcore
from clientcore.adapters.memory import MemoryBackend
from clientcore.adapters.memory.uow import MemoryUnitOfWork
from clientcore.adapters.mongo.errors import translate as translate_mongo
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.engine import create_engine
from clientcore.adapters.sql.errors import translate as translate_sql
from clientcore.adapters.sql.errors import translated
from clientcore.entities.common import Actor
from clientcore.entities.event import EventKind
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import (
    ClientCoreError,
    ConcurrencyError,
    StorageBusy,
    StorageError,
    ValidationError,
)
from clientcore.facade import Retry
from clientcore.ports.unit_of_work import Capabilities
from clientcore.testing.clock import TickingClock
from tests.servers import fresh_database

ACTOR = Actor("a")


class BusyCommits(MemoryBackend):
    """A memory store whose next ``busy`` commits fail as a busy database's do: the unit of
    work is rolled back and the commit raises ``failure()`` (StorageBusy by default)."""

    def __init__(self, *, joins_host_transaction: bool = False) -> None:
        super().__init__()
        self.busy = 0
        self.failure: Callable[[], ClientCoreError] = lambda: StorageBusy("deadlock (a test)")
        self.units = 0
        self.commits = 0
        self.capabilities = Capabilities(
            transactions=True, joins_host_transaction=joins_host_transaction
        )

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> MemoryUnitOfWork:
        self.units += 1
        return BusyUnitOfWork(self, tenant)


class BusyUnitOfWork(MemoryUnitOfWork):
    def __init__(self, backend: BusyCommits, tenant: str) -> None:
        super().__init__(backend, tenant)
        self._busy = backend

    def commit(self) -> None:
        self._busy.commits += 1
        if self._busy.busy > 0:
            self._busy.busy -= 1
            raise self._busy.failure()
        super().commit()


def test_a_busy_commit_runs_the_whole_operation_again() -> None:
    store = BusyCommits()
    core = clientcore.open(store, tenant="t", actor=ACTOR, clock=TickingClock())
    vet = core.staff.add("Dr Ewa").id
    core.staff.set_hours(vet, [WeeklySlot(0, TimeRange(time(0), time(23)))])
    store.busy, store.commits = 3, 0

    client = core.clients.register(last_name="Nowak")

    assert store.commits == 4
    assert client.code == "1"  # the counter of the three rolled-back attempts was undone
    assert [c.id for c in core.clients.search(status="all").clients] == [client.id]
    assert [e.kind for e in core.clients.history(client.id)] == ["client.registered"]

    store.busy, store.commits = 2, 0
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)  # a Monday
    visit = core.visits.book(client.id, vet, start, 30)

    assert store.commits == 3
    assert [v.id for v in core.calendar.for_staff(vet, start, start.replace(hour=11))] == [visit.id]


def test_a_retried_operation_calls_in_unit_handlers_each_run_and_after_commit_ones_once() -> None:
    store = BusyCommits()
    core = clientcore.open(store, tenant="t", actor=ACTOR)
    in_unit: list[str] = []
    committed: list[str] = []
    core.events.on(EventKind.CLIENT_REGISTERED, lambda event, tx: in_unit.append(event.kind))
    core.events.after_commit(
        EventKind.CLIENT_REGISTERED, lambda event: committed.append(event.kind)
    )
    store.busy = 2

    core.clients.register(last_name="Nowak")

    assert in_unit == [EventKind.CLIENT_REGISTERED] * 3
    assert committed == [EventKind.CLIENT_REGISTERED]


def test_a_busy_transaction_is_not_run_again() -> None:
    store = BusyCommits()
    core = clientcore.open(store, tenant="t", actor=ACTOR)
    committed: list[str] = []
    core.events.after_commit(
        EventKind.CLIENT_REGISTERED, lambda event: committed.append(event.kind)
    )
    store.busy, store.commits = 1, 0

    def block() -> None:
        with core.transaction() as tx:
            tx.clients.register(last_name="Nowak")
            tx.clients.register(last_name="Lis")

    with pytest.raises(StorageBusy):
        block()
    assert store.commits == 1
    assert committed == []
    assert core.clients.search(status="all").clients == ()


def test_storage_that_stays_busy_raises_storage_busy_after_the_last_attempt() -> None:
    store = BusyCommits()
    pauses: list[float] = []
    jitter = iter([0.0, 0.5, 0.999, 0.0, 0.0])
    retry = Retry(
        attempts=5,
        first_pause=0.01,
        longest_pause=0.03,
        sleep=pauses.append,
        jitter=jitter.__next__,
    )
    core = clientcore.open(store, tenant="t", actor=ACTOR, retry=retry)
    store.busy = 100

    with pytest.raises(StorageBusy) as info:
        core.clients.register(last_name="Nowak")

    assert isinstance(info.value, StorageError)  # a host catching StorageError still does
    assert store.commits == 5
    # Equal jitter: half the ceiling plus a random part of the other half; the ceiling
    # doubles from first_pause and stops at longest_pause.
    assert pauses == pytest.approx([0.005, 0.015, 0.029985, 0.015])
    assert core.clients.search(status="all").clients == ()


def test_only_a_busy_store_is_retried() -> None:
    store = BusyCommits()
    core = clientcore.open(store, tenant="t", actor=ACTOR)
    units = store.units
    with pytest.raises(ValidationError):
        core.clients.register(last_name="Nowak", phones=["12"])
    assert store.units == units + 1
    assert store.commits == 0

    store.busy, store.failure = 5, lambda: StorageError("disk full")
    with pytest.raises(StorageError) as info:
        core.clients.register(last_name="Nowak")
    assert type(info.value) is StorageError
    assert store.commits == 1


def test_a_unit_of_work_inside_a_host_transaction_is_not_retried() -> None:
    """A deadlock may have ended the host's whole transaction: only the host can re-run it."""
    store = BusyCommits(joins_host_transaction=True)
    core = clientcore.open(store, tenant="t", actor=ACTOR)
    store.busy = 1
    with pytest.raises(StorageBusy):
        core.clients.register(last_name="Nowak")
    assert store.commits == 1
    assert core.clients.register(last_name="Nowak").code == "1"


def test_the_sql_backend_says_when_it_joins_a_host_transaction(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    try:
        assert not SqlBackend.on_host(engine).capabilities.joins_host_transaction
        with engine.connect() as connection:
            assert SqlBackend.on_host(connection).capabilities.joins_host_transaction
    finally:
        engine.dispose()


def test_retry_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts"):
        Retry(attempts=0)
    with pytest.raises(ValueError, match="pause"):
        Retry(first_pause=2, longest_pause=1)


# -- translation of the drivers' busy errors ---------------------------------------------


class MySqlError(Exception):
    """Looks like a PyMySQL / mysqlclient error: (error number, message)."""


class PostgresError(Exception):
    """Looks like a psycopg error: it carries the SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _sqlite_error(name: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    "orig",
    [
        MySqlError(1213, "Deadlock found when trying to get lock"),
        MySqlError(1205, "Lock wait timeout exceeded"),
        PostgresError("40001"),
        PostgresError("40P01"),
        PostgresError("55P03"),
        _sqlite_error("SQLITE_BUSY"),
        _sqlite_error("SQLITE_BUSY_SNAPSHOT"),
    ],
    ids=repr,
)
def test_sql_busy_errors_become_storage_busy(orig: Exception) -> None:
    assert type(translate_sql(DBAPIError("UPDATE x", None, orig))) is StorageBusy


def test_other_sql_errors_stay_storage_errors() -> None:
    error = translate_sql(DBAPIError("SELECT", None, PostgresError("57014")))
    assert type(error) is StorageError


def _mongo_failure(error: PyMongoError, **options: object) -> ClientCoreError:
    with pytest.raises(ClientCoreError) as info, translate_mongo(**options):  # type: ignore[arg-type]
        raise error
    return info.value


def test_mongo_write_conflicts_become_storage_busy() -> None:
    conflict = OperationFailure("WriteConflict", code=112)
    transient = OperationFailure(
        "NoSuchTransaction",
        code=251,
        details={"code": 251, "errorLabels": ["TransientTransactionError"]},
    )
    assert type(_mongo_failure(conflict)) is StorageBusy
    assert type(_mongo_failure(transient)) is StorageBusy
    explained = _mongo_failure(conflict, on_conflict=lambda: ConcurrencyError("x", uuid.uuid4(), 1))
    assert type(explained) is ConcurrencyError
    assert type(_mongo_failure(OperationFailure("Unauthorized", code=13))) is StorageError


# -- the real servers' codes -------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sqlalchemy.Engine]:
    with fresh_database(request.param, tmp_path) as url:
        options = {"connect_args": {"timeout": 0}} if request.param == "sqlite" else {}
        engine = sqlalchemy.create_engine(url, **options)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE pair (id INTEGER PRIMARY KEY, n INTEGER)")
            connection.exec_driver_sql("INSERT INTO pair (id, n) VALUES (1, 0), (2, 0)")
        yield engine
        engine.dispose()


def test_a_real_deadlock_or_busy_database_is_storage_busy(engine: sqlalchemy.Engine) -> None:
    """PostgreSQL and MariaDB: two transactions update rows 1 and 2 in opposite orders and
    the server picks a victim. SQLite: a second writer finds the database locked. The
    loser's error, through the adapter's translation, is StorageBusy."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as first, first.begin(), engine.connect() as second:
            first.exec_driver_sql("UPDATE pair SET n = n + 1 WHERE id = 1")
            with pytest.raises(StorageBusy), second.begin(), translated():
                second.exec_driver_sql("UPDATE pair SET n = n + 1 WHERE id = 2")
        return
    both_hold_one = threading.Barrier(2, timeout=60)
    failures: list[BaseException] = []

    def writer(first: int, second: int) -> None:
        try:
            with engine.connect() as connection, connection.begin():
                with translated():
                    connection.exec_driver_sql(f"UPDATE pair SET n = n + 1 WHERE id = {first}")
                both_hold_one.wait()
                with translated():
                    connection.exec_driver_sql(f"UPDATE pair SET n = n + 1 WHERE id = {second}")
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=writer, args=(1, 2)),
        threading.Thread(target=writer, args=(2, 1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(failures) == 1, failures
    assert type(failures[0]) is StorageBusy, failures
