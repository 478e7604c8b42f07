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
from typing import Any
from uuid import UUID

from clientcore.adapters.memory.clients import ClientIndexes, MemoryClientRepository
from clientcore.adapters.memory.linked import MemoryLinkedRecords
from clientcore.adapters.memory.records import (
    MemoryAttributeDefinitionRepository,
    MemoryCounters,
    MemoryGroupRepository,
    MemorySettingsRepository,
    MemoryStaffRepository,
)
from clientcore.adapters.memory.table import Journal, Table
from clientcore.adapters.memory.visits import (
    MemoryVisitRepository,
    MemoryWorkingHoursRepository,
    by_start,
)
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.event import Event
from clientcore.entities.note import Note
from clientcore.entities.subject import Subject
from clientcore.entities.working_hours import Schedule
from clientcore.ports.linked import ClientLinkedRecords
from clientcore.ports.unit_of_work import Capabilities


def _by_creation(row: Subject | Note, _seq: int) -> tuple[Any, str]:
    return (row.created_at, str(row.id))


def _as_written(_row: object, seq: int) -> int:
    return seq


class MemorySubjectRepository(MemoryLinkedRecords[Subject]):
    def add(self, subject: Subject) -> None:
        self._insert(subject)

    def get(self, subject_id: UUID) -> Subject:
        return self._get(subject_id)

    def update(self, subject: Subject) -> None:
        self._replace(subject)


class MemoryNoteRepository(MemoryLinkedRecords[Note]):
    def add(self, note: Note) -> None:
        self._insert(note)

    def for_project(self, project: str) -> list[Note]:
        return self._select(lambda note: note.project == project)


class MemoryConsentRepository(MemoryLinkedRecords[ConsentRecord]):
    def append(self, record: ConsentRecord) -> None:
        self._insert(record)


class MemoryEventLog(MemoryLinkedRecords[Event]):
    def append(self, events: Sequence[Event]) -> None:
        for event in events:
            self._insert(event)


class MemoryBackend:
    """Everything in one process's memory; what host test suites bind to (``memory://``)."""

    capabilities = Capabilities(transactions=True)

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.client_indexes = ClientIndexes()
        self.clients: Table[Any, Any] = Table(self.client_indexes.on_change)
        self.staff: Table[Any, Any] = Table()
        self.groups: Table[Any, Any] = Table()
        self.attributes: Table[Any, Any] = Table()
        self.settings: Table[Any, Any] = Table()
        self.counters: Table[Any, Any] = Table()
        self.subjects: Table[Any, Any] = Table()
        self.notes: Table[Any, Any] = Table()
        self.consents: Table[Any, Any] = Table()
        self.events: Table[Any, Any] = Table()
        self.visits: Table[Any, Any] = Table()
        self.working_hours: Table[Any, Any] = Table()
        self.sequence = itertools.count(1).__next__

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, tenant)

    def close(self) -> None:
        """Nothing to release: the data lives as long as the backend object."""


class MemoryUnitOfWork:
    def __init__(self, backend: MemoryBackend, tenant: str) -> None:
        self.tenant = tenant
        self._backend = backend
        self._journal = journal = Journal()
        self.clients = MemoryClientRepository(
            tenant, backend.clients, backend.client_indexes, journal
        )
        self.staff = MemoryStaffRepository(tenant, backend.staff, journal)
        self.groups = MemoryGroupRepository(tenant, backend.groups, journal)
        self.attributes = MemoryAttributeDefinitionRepository(tenant, backend.attributes, journal)
        self.settings = MemorySettingsRepository(tenant, backend.settings, journal)
        self.counters = MemoryCounters(tenant, backend.counters, journal)
        self.subjects = MemorySubjectRepository(
            "subjects",
            blocks_deletion=True,
            order=_by_creation,
            table=backend.subjects,
            tenant=tenant,
            journal=journal,
            sequence=backend.sequence,
        )
        self.notes = MemoryNoteRepository(
            "notes",
            blocks_deletion=True,
            order=_by_creation,
            table=backend.notes,
            tenant=tenant,
            journal=journal,
            sequence=backend.sequence,
        )
        self.consents = MemoryConsentRepository(
            "consents",
            blocks_deletion=True,
            order=_as_written,
            table=backend.consents,
            tenant=tenant,
            journal=journal,
            sequence=backend.sequence,
        )
        self.events = MemoryEventLog(
            "events",
            blocks_deletion=False,
            order=_as_written,
            table=backend.events,
            tenant=tenant,
            journal=journal,
            sequence=backend.sequence,
        )
        self.visits = MemoryVisitRepository(
            self._schedule,
            blocks_deletion=True,
            order=by_start,
            table=backend.visits,
            tenant=tenant,
            journal=journal,
            sequence=backend.sequence,
        )
        self.working_hours = MemoryWorkingHoursRepository(tenant, backend.working_hours, journal)

    def _schedule(self, staff_id: UUID) -> Schedule:
        member = self.staff.get(staff_id)
        return Schedule(member, self.working_hours.get(staff_id), self.settings.get().time_zone)

    def linked_records(self) -> Sequence[ClientLinkedRecords]:
        return (self.subjects, self.notes, self.consents, self.visits, self.events)

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
