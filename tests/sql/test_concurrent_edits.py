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
