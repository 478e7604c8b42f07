"""Several threads and several processes write to one SQLite file at once.

Each process opens its own ``clientcore.open("sqlite:///file")`` (``spawn``: it shares
nothing with the others but the file); the threads of this process share one core. They all
register clients and, in rounds, edit one shared client with ``expected_version``. SQLite
has one writer at a time: WAL, the busy timeout and ``BEGIN IMMEDIATE`` (engine.py) make the
others wait instead of failing, so no caller sees "database is locked", no registration is
lost, the code counter hands out every code once, and of the editors that read the same
version exactly one wins each round while the others get ``ConcurrencyError``.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from uuid import UUID

import attrs

import clientcore
from clientcore import Actor
from clientcore.errors import ConcurrencyError

TENANT = "sqlite-writers"
THREADS = 3
PROCESSES = 3
WORKERS = THREADS + PROCESSES
ROUNDS = 5
WAIT = 120.0
"""Seconds a worker waits at a start line before giving up (a stuck worker fails the test
instead of hanging it; no test asserts how long anything takes)."""


@attrs.frozen
class Outcome:
    """What one worker did: clients it registered, edits that won, edits that lost."""

    registered: tuple[UUID, ...] = ()
    won: tuple[str, ...] = ()
    lost: int = 0
    failures: tuple[str, ...] = ()


def work(core: clientcore.Core, name: str, shared: UUID, start: Barrier) -> Outcome:
    """Each round: read the shared client, wait until every worker has read it, edit it with
    the version read, then register a client of one's own."""
    registered: list[UUID] = []
    won: list[str] = []
    lost = 0
    failures: list[str] = []
    for round_ in range(ROUNDS):
        marker = f"{name}.{round_}"
        try:
            seen = core.clients.get(shared)
            start.wait()
            core.clients.update(
                shared, expected_version=seen.version, remarks=f"{seen.remarks} {marker}".strip()
            )
            won.append(marker)
        except ConcurrencyError:
            lost += 1
        except Exception as error:
            start.abort()
            failures.append(f"edit {marker}: {type(error).__name__}: {error}")
        try:
            registered.append(core.clients.register(last_name=f"Writer {marker}").id)
        except Exception as error:
            failures.append(f"register {marker}: {type(error).__name__}: {error}")
    return Outcome(tuple(registered), tuple(won), lost, tuple(failures))


def open_core(path: Path, name: str) -> clientcore.Core:
    return clientcore.open(f"sqlite:///{path}", tenant=TENANT, actor=Actor(name))


def process_worker(
    path: Path, name: str, shared: UUID, start: Barrier, results: Queue[Outcome]
) -> None:
    try:
        with open_core(path, name) as core:
            outcome = work(core, name, shared, start)
    except BaseException as error:
        start.abort()
        outcome = Outcome(failures=(f"{name}: {type(error).__name__}: {error}",))
    results.put(outcome)


def test_threads_and_processes_write_one_sqlite_file_without_losing_a_write(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clinic.db"
    with open_core(path, "setup") as core:
        shared = core.clients.register(last_name="Shared").id

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS, timeout=WAIT)
    results: Queue[Outcome] = context.Queue()
    children = [
        context.Process(
            target=process_worker, args=(path, f"p{n}", shared, start, results), daemon=True
        )
        for n in range(PROCESSES)
    ]
    for child in children:
        child.start()
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    try:
        with open_core(path, "threads") as core:

            def thread_worker(name: str) -> None:
                try:
                    outcome = work(core, name, shared, start)
                except BaseException as error:
                    start.abort()
                    outcome = Outcome(failures=(f"{name}: {type(error).__name__}: {error}",))
                with lock:
                    outcomes.append(outcome)

            threads = [
                threading.Thread(target=thread_worker, args=(f"t{n}",)) for n in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        outcomes.extend(results.get(timeout=WAIT) for _ in children)
    finally:
        for child in children:
            child.join(timeout=WAIT)
            if child.is_alive():
                child.kill()
                child.join()

    assert [failure for o in outcomes for failure in o.failures] == []
    won = [marker for o in outcomes for marker in o.won]
    assert len(won) == ROUNDS  # every round: one winner...
    assert sum(o.lost for o in outcomes) == ROUNDS * (WORKERS - 1)  # ...and the rest refused
    with open_core(path, "check") as core:
        edited = core.clients.get(shared)
        assert edited.version == 1 + ROUNDS
        assert sorted(edited.remarks.split()) == sorted(won)  # no edit overwritten another
        assert len(core.clients.history(shared)) == 1 + ROUNDS
        registered = [client_id for o in outcomes for client_id in o.registered]
        assert len(registered) == WORKERS * ROUNDS
        codes = [core.clients.get(client_id).code for client_id in [shared, *registered]]
        assert sorted(codes, key=int) == [str(n) for n in range(1, len(codes) + 1)]
