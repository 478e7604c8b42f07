"""The dispatcher race: 8 workers over 1,000 due messages on SQLite, PostgreSQL and MariaDB;
the gateway (which counts every call, deduplicating nothing) gets each exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import clientcore
from clientcore import Actor, DispatchPolicy, MessageState, Role
from clientcore.adapters.sql import SqlBackend
from clientcore.dispatcher import run_dispatcher
from clientcore.testing.clock import new_tenant

WORKERS = 8
MESSAGES = 1000


class CountingSms:
    """Counts every message handed to it by idempotency key (a real double send shows)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
        with self._lock:
            self.calls[idempotency_key] += 1
        return idempotency_key


def test_eight_workers_send_each_message_exactly_once(sql_url: str) -> None:
    backend = SqlBackend.from_url(sql_url, pool_size=WORKERS + 2)
    try:
        core = clientcore.open(backend, tenant=new_tenant(), actor=Actor("o", roles={Role.OWNER}))
        core.setup.configure(default_region="PL")
        core.messages.configure(enabled=True)
        with core.transaction() as tx:
            clients = [
                tx.clients.register(last_name=f"C{n}", phones=[f"+4860100{n:04d}"]).id
                for n in range(50)
            ]
            queued = [
                tx.messages.send(clients[n % len(clients)], f"message {n}").id
                for n in range(MESSAGES)
            ]
        sms = CountingSms()
        failures: list[BaseException] = []

        def work() -> None:
            try:
                run_dispatcher([core], sms=sms, policy=DispatchPolicy(batch=10), once=True)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert sms.calls == Counter({message_id.hex: 1 for message_id in queued})
        states = Counter(
            message.state for client in clients for message in core.messages.history(client)
        )
        assert states == Counter({MessageState.SENT: MESSAGES})
    finally:
        backend.close()
