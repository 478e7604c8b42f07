"""The in-memory backend: a unit of work holds the store's lock and undoes its journal on rollback.

Units of work run one at a time (serializable), so a test suite sees the same outcomes as on
a transactional database. Entities are deeply immutable, so stored rows cannot be changed
behind the store's back.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

from clientcore.adapters.ledger import RecordsSalesLedger
from clientcore.adapters.memory.clients import ClientIndexes, MemoryClientRepository
from clientcore.adapters.memory.outbox import MemoryOutbox
from clientcore.adapters.memory.records import MemoryRecords
from clientcore.adapters.memory.table import Journal, Table
from clientcore.adapters.memory.tenant import (
    MemoryCounters,
    MemoryEventLog,
    MemorySettingsRepository,
)
from clientcore.adapters.memory.visits import MemoryVisitRepository
from clientcore.entities.kinds import (
    MESSAGES,
    OWN_KINDS,
    SALES_DOCUMENTS,
    STAFF,
    VISITS,
    WORKING_HOURS,
    RecordKind,
    Registry,
)
from clientcore.entities.working_hours import Schedule, WorkingHours
from clientcore.errors import UnknownKind
from clientcore.ports.unit_of_work import Capabilities

T = TypeVar("T")


class MemoryBackend:
    """Everything in one process's memory; what host test suites bind to (``memory://``)."""

    capabilities = Capabilities(transactions=True)

    def __init__(self, kinds: Sequence[RecordKind[Any]] = ()) -> None:
        self.kinds = OWN_KINDS.with_host_kinds(kinds)
        self.lock = threading.RLock()
        self.client_indexes = ClientIndexes()
        self.clients: Table[Any, Any] = Table(self.client_indexes.on_change)
        self.settings: Table[Any, Any] = Table()
        self.counters: Table[Any, Any] = Table()
        self.events: Table[Any, Any] = Table()
        self.records: dict[str, Table[Any, Any]] = {kind.name: Table() for kind in self.kinds}
        self.sequence = itertools.count(1).__next__

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, tenant)

    def close(self) -> None:
        """Nothing to release: the data lives as long as the backend object."""


class MemoryUnitOfWork:
    def __init__(self, backend: MemoryBackend, tenant: str) -> None:
        self.tenant = tenant
        self.kinds: Registry = backend.kinds
        self._backend = backend
        self._journal = journal = Journal()
        self.clients = MemoryClientRepository(
            tenant, backend.clients, backend.client_indexes, journal
        )
        self.settings = MemorySettingsRepository(tenant, backend.settings, journal)
        self.counters = MemoryCounters(tenant, backend.counters, journal)
        self.events = MemoryEventLog(tenant, backend.events, journal, backend.sequence)
        self.visits = MemoryVisitRepository(self._schedule, **self._parts(VISITS))
        self.outbox = MemoryOutbox(MESSAGES, **self._parts(MESSAGES))
        self._records: dict[str, Any] = {VISITS.name: self.visits, MESSAGES.name: self.outbox}
        self.sales = RecordsSalesLedger(self.records(SALES_DOCUMENTS))

    def _parts(self, kind: RecordKind[Any]) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "table": self._backend.records[kind.name],
            "journal": self._journal,
            "sequence": self._backend.sequence,
        }

    def records(self, kind: RecordKind[T]) -> MemoryRecords[T]:
        if kind not in self.kinds:
            raise UnknownKind(kind.name)
        made: MemoryRecords[T] | None = self._records.get(kind.name)
        if made is None:
            made = self._records[kind.name] = MemoryRecords(kind, **self._parts(kind))
        return made

    def _schedule(self, staff_id: UUID) -> Schedule:
        member = self.records(STAFF).get(staff_id)
        hours = self.records(WORKING_HOURS).get_many([staff_id]).get(staff_id)
        zone = self.settings.get().time_zone
        return Schedule(member, hours or WorkingHours(staff_id), zone)

    def commit(self) -> None:
        self._journal.forget()

    def rollback(self) -> None:
        self._journal.undo()

    def __enter__(self) -> MemoryUnitOfWork:
        self._backend.lock.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._backend.lock.release()
