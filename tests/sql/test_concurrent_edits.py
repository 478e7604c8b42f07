"""Two interleaved edits of one client on PostgreSQL and MariaDB: the database refuses the
second. (Two editors racing on every adapter is in the client contract.)

Both operations have read the client inside their open transactions before either writes,
so the loser is refused by the database itself (``UPDATE ... WHERE version = 1`` waits for
the winner's row lock, then matches nothing). SQLite cannot interleave two writing
transactions at all: ``BEGIN IMMEDIATE`` makes the second wait until the first has
committed.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import clientcore
from clientcore import Actor
from clientcore.adapters.sql import SqlBackend
from clientcore.testing.clock import new_tenant
from clientcore.testing.contracts.clients import EDITORS, WAIT, assert_one_winner, edit_race
from clientcore.testing.contracts.inputs import race_unversioned


class MeetingClock:
    """Once armed, the first reading of the time by each editor waits for the other editor's:
    an update reads the time after it has read the client and before it writes it, so both
    transactions have read version 1 when either writes."""

    def __init__(self) -> None:
        self.armed = False
        self.meeting = threading.Barrier(len(EDITORS), timeout=WAIT)
        self.met: list[str] = []
        self._mine = threading.local()

    def now(self) -> datetime:
        if self.armed and not getattr(self._mine, "met", False):
            self._mine.met = True
            self.meeting.wait()
            self.met.append(threading.current_thread().name)
        return datetime.now(UTC)


def test_the_database_refuses_the_second_of_two_interleaved_edits(
    server_backend: SqlBackend,
) -> None:
    clock = MeetingClock()
    core = clientcore.open(server_backend, tenant=new_tenant(), actor=Actor("rita"), clock=clock)
    client = core.clients.register(last_name="Nowak")
    clock.armed = True
    outcomes = edit_race(core, client.id, before_saving=None)
    assert len(clock.met) == len(EDITORS)  # both were inside their transactions at once
    assert_one_winner(core, client.id, outcomes)


def test_unversioned_changes_racing_on_the_servers_raise_no_concurrency_error(
    server_backend: SqlBackend,
) -> None:
    """Eight writers change one client at once without a version, five times each: the
    database refuses the losers (``UPDATE ... WHERE version = n`` matches nothing), and
    each loser is run again on what the winner wrote; no ConcurrencyError reaches a caller
    and no change is lost."""
    core = clientcore.open(server_backend, tenant=new_tenant(), actor=Actor("rita"))
    keys = [f"k{n}" for n in range(4)]
    for key in keys:
        core.setup.define_attribute(key, label=key, type="number")
    groups = [core.setup.define_group(f"G{n}").id for n in range(4)]
    client = core.clients.register(last_name="Nowak")
    errors = race_unversioned(core, client.id, keys, groups, rounds=5)
    assert errors == {}
    stored = core.clients.get(client.id)
    assert (set(stored.attributes), set(stored.group_ids)) == (set(keys), set(groups))
    changes = [e for e in core.clients.history(client.id) if e.kind != "client.registered"]
    assert stored.version == 1 + len(changes)
