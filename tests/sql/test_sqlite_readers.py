"""On SQLite, reads do not wait for a writer: a unit of work that only reads begins a
deferred transaction, which reads the last committed snapshot (WAL) while another
connection holds the write lock. Writes still begin ``BEGIN IMMEDIATE`` and wait for it;
past the busy timeout, their unit is ``StorageBusy`` and runs again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy
from sqlalchemy import Engine, event

import clientcore
from clientcore import Actor, Retry
from clientcore.adapters.sql import SqlBackend, create_engine, upgrade
from clientcore.errors import StorageBusy

R = TypeVar("R")

WAIT = 20.0
"""Seconds a read may stay blocked before the test gives up on it: less than the busy
timeout (30 s), which a read that waited for the writer would sit out. No test asserts
how long anything takes."""


def in_thread(action: Callable[[], R]) -> R:
    """``action``'s result, run in a thread that must end within :data:`WAIT`."""
    results: list[R] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(action())
        except BaseException as error:  # reported to the test below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), "the read waited for the writer's lock"
    if errors:
        raise errors[0]
    return results[0]


def test_reads_run_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    core = clientcore.open(f"sqlite:///{path}", tenant="readers", actor=Actor("rita"))
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        client = core.clients.register(first_name="Anna", last_name="Nowak")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE clientcore_clients SET remarks = 'not committed'")

        found = in_thread(lambda: core.clients.search("nowak").clients)
        seen = in_thread(lambda: core.clients.get(client.id))

        assert [c.id for c in found] == [client.id]
        assert seen.remarks == ""  # the committed snapshot, not the writer's change
    finally:
        writer.rollback()
        writer.close()
        core.close()


def test_a_write_waits_for_the_writer_and_then_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    core = clientcore.open(f"sqlite:///{path}", tenant="readers", actor=Actor("rita"))
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = threading.Event()

        def register() -> clientcore.Client:
            started.set()
            return core.clients.register(last_name="Kowalska")

        result: list[clientcore.Client] = []
        thread = threading.Thread(target=lambda: result.append(register()), daemon=True)
        thread.start()
        started.wait(WAIT)
        assert not result  # still waiting for the lock: it cannot have committed
        writer.rollback()
        thread.join(WAIT)
        assert not thread.is_alive()
        assert [c.last_name for c in core.clients.search("kowalska").clients] == ["Kowalska"]
    finally:
        writer.close()
        core.close()


def test_a_write_that_cannot_take_the_lock_in_time_is_storage_busy(tmp_path: Path) -> None:
    """``BEGIN IMMEDIATE`` (run on the driver's connection) finds the write lock taken past
    the busy timeout (none, here): the unit is StorageBusy, run again as ``retry`` says."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    upgrade(url)
    engine = create_engine(url)
    no_wait = "PRAGMA busy_timeout = 0"
    event.listen(engine, "connect", lambda driver, _record: driver.execute(no_wait))
    pauses: list[float] = []
    core = clientcore.open(
        SqlBackend.on_host(engine),
        tenant="readers",
        actor=Actor("rita"),
        retry=Retry(attempts=3, sleep=pauses.append),
    )
    writer = sqlite3.connect(tmp_path / "clinic.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageBusy):
            core.clients.register(last_name="Kowalska")
        assert len(pauses) == 2
        writer.rollback()
        assert core.clients.register(last_name="Kowalska").code == "1"
    finally:
        writer.close()
        engine.dispose()


def _foreign_keys_only(url: str) -> Engine:
    """A host's engine that clientcore did not configure, but whose connections enforce
    foreign keys."""
    engine = sqlalchemy.create_engine(url)
    event.listen(
        engine, "connect", lambda driver, _record: driver.execute("PRAGMA foreign_keys=ON")
    )
    return engine


@pytest.mark.parametrize(
    "make_backend",
    [
        SqlBackend.from_url,  # clientcore's own engine: each unit runs BEGIN itself
        lambda url: SqlBackend.on_host(create_engine(url)),  # the engine's begin event does
        lambda url: SqlBackend.on_host(_foreign_keys_only(url)),  # the unit does, checked
    ],
    ids=["own engine", "configured host engine", "plain host engine"],
)
def test_a_writing_unit_holds_the_write_lock_from_its_start(
    tmp_path: Path, make_backend: Callable[[str], SqlBackend]
) -> None:
    """Whoever begins the transaction, a unit that may write holds SQLite's write lock from
    its first statement (``BEGIN IMMEDIATE``), and one that only reads does not."""
    path = tmp_path / "clinic.db"
    upgrade(f"sqlite:///{path}")
    backend = make_backend(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with backend.unit_of_work("readers", read_only=True):
            other.execute("BEGIN IMMEDIATE")  # free: a reader's BEGIN is deferred
            other.execute("ROLLBACK")
        with backend.unit_of_work("readers"), pytest.raises(sqlite3.OperationalError, match="lock"):
            other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        backend.close()
        if isinstance(backend.bind, Engine):
            backend.bind.dispose()
