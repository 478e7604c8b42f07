"""Gap-free document numbers under a real race, on SQLite, PostgreSQL and MariaDB.

12 threads (on the servers, plus 2 processes of 3 threads each, started with ``spawn`` and
each opening its own ``clientcore.open(url, ...)``) issue 240 drafts of one document type.
Every fourth issuer first issues its draft in a transaction that it rolls back, which must
give the number back. Afterwards the documents, read straight from the table, hold every
number from 1 to 240 once, and the type's counter row says 240.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import attrs
from sqlalchemy import select

import clientcore
from clientcore.adapters.sql import SqlBackend
from clientcore.entities.common import Actor, Role
from clientcore.entities.kinds import SALES_DOCUMENTS
from clientcore.entities.sales import SaleLine
from clientcore.entities.visit import ChargeKind
from clientcore.errors import StorageBusy
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.race import Book, run_race_in_processes
from tests.sql.test_booking_race import engine_of

DOCUMENTS = 240
THREADS = 12
PROCESSES = {"sqlite": 0, "postgresql": 2, "mariadb": 2}
THREADS_PER_PROCESS = 3
OWNER = Actor("owner-1", roles={Role.OWNER})
LINE = SaleLine(quantity=1, unit_price=Decimal("9.99"), description="Bath", kind=ChargeKind.SERVICE)


BLOCK_ATTEMPTS = 8
"""How often an issuer runs its rolled-back transaction block again after StorageBusy: a
block is never run again inside (docs/concepts.md), so the host does it, as the core does
for a single call (``Retry``, eight attempts)."""


class _Undo(Exception):
    pass


@attrs.frozen
class Issuer:
    """Opens, in whichever process calls it, a way to issue the drafts: attempt ``n`` (its
    minutes) issues ``drafts[n]``. It pickles, so spawned processes can use it."""

    url: str
    tenant: str
    drafts: tuple[UUID, ...]

    @contextmanager
    def __call__(self) -> Iterator[Book]:
        core = clientcore.open(self.url, tenant=self.tenant, actor=OWNER, clock=TickingClock())

        def issue(_start: datetime, index: int) -> bool:
            document_id = self.drafts[index]
            if index % 4 == 0:
                for attempt in range(BLOCK_ATTEMPTS):  # as docs/errors.md tells a host
                    try:
                        with contextlib.suppress(_Undo), core.transaction() as tx:
                            tx.sales.issue(document_id)
                            raise _Undo
                        break
                    except StorageBusy:
                        if attempt == BLOCK_ATTEMPTS - 1:
                            raise
            core.sales.issue(document_id)
            return True

        try:
            yield issue
        finally:
            core.close()


def test_concurrent_issuers_number_without_gaps(sql_url: str) -> None:
    tenant = new_tenant()
    with clientcore.open(sql_url, tenant=tenant, actor=OWNER, clock=TickingClock()) as core:
        core.setup.configure(time_zone="Europe/Warsaw")
        invoice = core.sales.define_type("FV", "Invoice")
        client = core.clients.register(last_name="Nowak")
        with core.transaction() as tx:
            drafts = tuple(
                tx.sales.draft(client.id, invoice.id, [LINE], currency="PLN").id
                for _ in range(DOCUMENTS)
            )
    work = [(datetime.now(UTC), index) for index in range(DOCUMENTS)]
    result = run_race_in_processes(
        Issuer(sql_url, tenant, drafts),
        work,
        processes=PROCESSES[engine_of(sql_url)],
        threads=THREADS,
        threads_per_process=THREADS_PER_PROCESS,
    )
    assert result.unexpected == ()
    assert result.booked == DOCUMENTS

    backend = SqlBackend.from_url(sql_url)
    try:
        documents = backend.tables.of(SALES_DOCUMENTS)
        counters = backend.tables.counters
        with backend.bind.connect() as connection:  # type: ignore[union-attr]
            rows = connection.execute(
                select(documents.c.sequence, documents.c.number, documents.c.status).where(
                    documents.c.tenant == tenant
                )
            ).all()
            counter = connection.execute(
                select(counters.c.value).where(
                    counters.c.tenant == tenant, counters.c.name == f"sales:{invoice.id.hex}:2026"
                )
            ).scalar_one()
    finally:
        backend.close()
    assert sorted(row.sequence for row in rows) == list(range(1, DOCUMENTS + 1))
    assert {row.status for row in rows} == {"issued"}
    assert len({row.number for row in rows}) == DOCUMENTS
    assert counter == DOCUMENTS
