"""MongoDB tenant settings, counters and the history (append-only)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from pymongo.collection import Collection

from clientcore.adapters.mongo.records import MongoRecords
from clientcore.adapters.mongo.store import Document, Scoped, Work, reserve
from clientcore.entities.event import Event, scrub_changes
from clientcore.entities.kinds import ErasurePolicy, MergePolicy, RecordKind
from clientcore.entities.settings import TenantSettings

EVENTS: RecordKind[Event] = RecordKind(
    "events",
    Event,
    client_field="client_id",
    merge=MergePolicy.KEEP,
    erasure=ErasurePolicy.RETAIN,
)
"""How the history is stored: kept in the order written (``seq``), by client. Not one of
the unit of work's kinds: nothing but :class:`MongoEventLog` writes it."""


class MongoSettingsRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store
        self._mine: TenantSettings | None = None
        """What this unit put, read back without transactions (its write waits for commit)."""

    def get(self) -> TenantSettings:
        if self._mine is not None:
            return self._mine
        return self._store.maybe({}, TenantSettings) or TenantSettings()

    def put(self, settings: TenantSettings) -> None:
        self._store.update({}, self._store.work.documents.unstructure(settings))
        if self._store.work.keeps_writes:
            self._mine = settings


class MongoCounters:
    """Counters of a tenant, each one document incremented atomically (``$inc``).

    * With transactions, the increment runs in the unit of work's transaction: a unit that
      rolls back (or fails to commit) takes no number, so committed units leave no gaps.
      Two units taking numbers of the same counter at once collide; the later one is rolled
      back with ``StorageBusy`` and the facade runs it again.
    * Without transactions, the increment is durable at once, outside the unit of work:
      a number is never handed out twice, but a unit that rolls back, or whose commit
      fails, leaves a gap.
    """

    def __init__(self, collection: Collection[Document], tenant: str, work: Work) -> None:
        self._collection = collection
        self._tenant = tenant
        self._work = work

    def next(self, name: str, count: int = 1) -> int:
        if self._work.session is not None:
            self._work.wrote = True
        return reserve(self._collection, self._tenant, name, count, session=self._work.session)


class MongoEventLog:
    """The history, in the order appended (a per-tenant ``seq``, taken outside the
    transaction so that concurrent units never collide on it). Only :meth:`scrub` changes
    an event, and then only the values inside its field changes."""

    def __init__(self, records: MongoRecords[Event]) -> None:
        self._records = records

    def append(self, events: Sequence[Event]) -> None:
        self._records.add(*events)

    def for_client(self, client_id: UUID) -> Sequence[Event]:
        return self._records.find(client_id=client_id)

    def scrub(self, client_id: UUID, fields: frozenset[str]) -> int:
        return self._records.rewrite(
            lambda event: scrub_changes(event, fields), {"client_id": client_id}, only=("changes",)
        )
