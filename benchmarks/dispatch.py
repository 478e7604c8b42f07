"""Dispatch throughput: 4 workers send due SMS through the recording gateway.

Ours is `run_dispatcher(once=True)` on a shared core in each of 4 threads: claim a batch of
10 with the engine's lock and one UPDATE, read the batch's clients (their contacts) in one
query and, where the purpose needs it, each client's consent ledger, hand each message to
the gateway, then store the batch's outcomes in one unit of work, one UPDATE with a version
check per message: two commits a batch. The baseline is a hand-written claim-send-mark loop
on the same table, in 4 threads with a DB-API connection each: `SELECT ... FOR UPDATE SKIP
LOCKED` (`BEGIN IMMEDIATE` on SQLite) of 10 due rows, one UPDATE of them to `sending`,
commit, then per message the gateway and an UPDATE to `sent`, commit (a commit a message);
no consent or contact check. Each round queues the same number of messages for each side
(in tenants of their own, outside the timers), then times both sides draining them, who
goes first alternating from round to round. The table gives the time per message over all
rounds; the target is 1.5x.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import make_url

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, elapsed, publish, turn_order
from clientcore import DispatchPolicy, MessageState
from clientcore.adapters.messaging import RecordingSms
from clientcore.adapters.sql import SqlBackend
from clientcore.dispatcher import run_dispatcher
from clientcore.facade import Core

KEY = "dispatch"
TITLE = "Dispatch throughput with the recording gateway: ours vs a claim-send-mark loop"
TARGET = 1.5
WORKERS = 4
BATCH = 10
CLIENTS = 20
ACTOR = clientcore.Actor("bench")


def queue(core: Core, count: int) -> None:
    """``count`` messages due now, to the tenant's clients in turn (not timed)."""
    clients = [client.id for client in core.clients.search("").clients]
    with core.transaction() as tx:
        for number in range(count):
            tx.messages.send(clients[number % len(clients)], f"Wizyta {number}")


def prepare(core: Core) -> None:
    core.setup.configure(default_region="PL")
    core.messages.configure(enabled=True, sender_name="Bench")
    with core.transaction() as tx:
        for number in range(CLIENTS):
            tx.clients.register(last_name=f"Client {number}", phones=[f"+4860100{number:04d}"])


class HandLoop:
    """The baseline: a claim-send-mark loop on the messages table, with DB-API drivers."""

    def __init__(self, url: str, tenant: str, sms: RecordingSms) -> None:
        self.url = url
        self.tenant = tenant
        self.sms = sms
        self.dialect = sqlkit.dialect_of(url)
        self.sqlite = self.dialect.name == "sqlite"
        moment = sqlkit.bind_processors("messages", ["due_at"], self.dialect)[0]
        self.moment: Callable[[datetime], Any] = moment or (lambda value: value)
        q = sqlkit.placeholder(self.dialect)
        table = sqlkit.name_of("messages")
        lock = "" if self.sqlite else " FOR UPDATE SKIP LOCKED"
        self.claim_sql = (
            f"SELECT id, recipient, body FROM {table} WHERE tenant = {q} AND state = "
            f"'scheduled' AND due_at <= {q} ORDER BY due_at, id LIMIT {BATCH}{lock}"
        )
        self.sending_sql = (
            f"UPDATE {table} SET state = 'sending', attempts = attempts + 1, "
            f"claimed_until = {q}, version = version + 1 WHERE tenant = {q} AND id IN "
        )
        self.sent_sql = (
            f"UPDATE {table} SET state = 'sent', provider_id = {q}, sent_at = {q}, "
            f"claimed_until = NULL, version = version + 1 WHERE tenant = {q} AND id = {q}"
        )

    def _begin(self, cursor: Any) -> None:
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")

    def _commit(self, connection: Any, cursor: Any) -> None:
        if self.sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()

    def work(self, connection: Any) -> None:
        cursor = connection.cursor()
        try:
            while True:
                now = datetime.now(UTC)
                self._begin(cursor)
                cursor.execute(self.claim_sql, (self.tenant, self.moment(now)))
                rows = cursor.fetchall()
                if not rows:
                    self._commit(connection, cursor)
                    return
                until = self.moment(now + timedelta(minutes=5))
                ids = [row[0] for row in rows]
                marks = ", ".join([sqlkit.placeholder(self.dialect)] * len(ids))
                cursor.execute(f"{self.sending_sql}({marks})", (until, self.tenant, *ids))
                self._commit(connection, cursor)
                for message_id, recipient, body in rows:
                    provider_id = self.sms.send_sms(
                        to=recipient, sender="Bench", body=body, idempotency_key=str(message_id)
                    )
                    self._begin(cursor)
                    sent_at = self.moment(datetime.now(UTC))
                    cursor.execute(self.sent_sql, (provider_id, sent_at, self.tenant, message_id))
                    self._commit(connection, cursor)
        finally:
            cursor.close()


def connect(url: str) -> Any:
    """A DB-API connection as :func:`sqlkit.connect` makes it, usable from the worker
    thread (sqlite3 refuses another thread than its maker's unless told)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sqlkit.connect(url)
    assert parsed.database, url
    connection = sqlite3.connect(parsed.database, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def in_threads(work: Callable[[int], object], workers: int) -> None:
    failures: list[BaseException] = []

    def run(number: int) -> None:
        try:
            work(number)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def all_sent(core: Core, count: int) -> None:
    """Each side sent every message it queued (the two did the same work)."""
    states = [
        message.state
        for client in core.clients.search("").clients
        for message in core.messages.history(client.id)
    ]
    assert states == [MessageState.SENT] * count, states


def run_engine(engine: str, per_round: int, rounds: int, workers: int = WORKERS) -> Row:
    with sqlkit.fresh_database(engine, "dispatch") as url:
        backend = SqlBackend.from_url(url, pool_size=workers + 2)
        ours = clientcore.open(backend, tenant="bench-ours", actor=ACTOR)
        hand = ours.for_tenant("bench-hand")
        connections = [connect(url) for _ in range(workers)]
        try:
            prepare(ours)
            prepare(hand)
            ours_sms, hand_sms = RecordingSms(), RecordingSms()
            loop = HandLoop(url, "bench-hand", hand_sms)
            policy = DispatchPolicy(batch=BATCH)

            def ours_round() -> None:
                in_threads(
                    lambda _n: run_dispatcher([ours], sms=ours_sms, policy=policy, once=True),
                    workers,
                )

            def hand_round() -> None:
                in_threads(lambda n: loop.work(connections[n]), workers)

            sides = [ours_round, hand_round]
            seconds = [0.0, 0.0]
            for turn in range(rounds):
                queue(ours, per_round)
                queue(hand, per_round)
                for index in turn_order(2, turn):
                    seconds[index] += elapsed(sides[index])
            all_sent(ours, per_round * rounds)
            all_sent(hand, per_round * rounds)
            assert len(ours_sms.sent) == len(hand_sms.sent) == per_round * rounds
        finally:
            for connection in connections:
                connection.close()
            backend.close()
    total = per_round * rounds
    case = f"{engine}, {workers} workers: ms per message ({total:,} messages, {rounds} rounds)"
    return Row(case, seconds[0] * 1000 / total, seconds[1] * 1000 / total, "ms", TARGET)


def run(
    engines: Sequence[str], per_round: int, rounds: int, workers: Sequence[int], *, write: bool
) -> str:
    rows: list[Row] = []
    notes = [" ".join(__doc__.split("\n\n")[1].split()).replace("``", "`")]
    for engine in sqlkit.reachable(engines, notes):
        rows.extend(run_engine(engine, per_round, rounds, count) for count in workers)
    return publish(KEY, TITLE, rows, notes="\n\n".join(notes), write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--n", type=int, default=500, help="messages per side per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, first side alternating")
    parser.add_argument("--workers", default="4", help="comma-separated worker counts")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    for engine in engines:
        if engine not in ("sqlite", "postgresql", "mariadb"):
            parser.error(f"--engines: {engine!r}")
    workers = [int(count) for count in args.workers.split(",")]
    run(engines, args.n, args.rounds, workers, write=not args.no_write)


if __name__ == "__main__":
    main()
