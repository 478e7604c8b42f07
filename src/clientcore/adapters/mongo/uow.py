"""The MongoDB backend and its unit of work.

Two modes, chosen by what the server offers (see ``docs/mongo.md``):

* **transactions** (a replica set or a sharded cluster): every write of a unit of work runs
  in one multi-document transaction, committed by :meth:`MongoUnitOfWork.commit`;
  anything else aborts it. All-or-nothing, also after a crash.
* **no transactions** (a standalone server, or a database object that offers no sessions,
  such as mongomock): writes are kept until commit and then applied, guarded writes
  first, with undo steps if a later one fails (see :mod:`.store`). A crash in the middle
  of a commit can leave part of it applied. ``capabilities.transactions`` says which
  mode a backend is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from clientcore.adapters.mongo import indexes
from clientcore.adapters.mongo.clients import MongoClientRepository
from clientcore.adapters.mongo.convert import CODEC_OPTIONS, Documents
from clientcore.adapters.mongo.errors import translate
from clientcore.adapters.mongo.linked import (
    AS_WRITTEN,
    BY_CREATION,
    MongoConsentRepository,
    MongoEventLog,
    MongoNoteRepository,
    MongoSubjectRepository,
)
from clientcore.adapters.mongo.records import (
    MongoAttributeDefinitionRepository,
    MongoCounters,
    MongoGroupRepository,
    MongoSettingsRepository,
    MongoStaffRepository,
)
from clientcore.adapters.mongo.store import Document, LocalLocks, Scoped, Work, reserve
from clientcore.adapters.mongo.visits import MongoVisitRepository, MongoWorkingHoursRepository
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.event import Event
from clientcore.entities.note import Note
from clientcore.entities.subject import Subject
from clientcore.entities.working_hours import Schedule
from clientcore.errors import UnsupportedTarget
from clientcore.ports.linked import ClientLinkedRecords
from clientcore.ports.unit_of_work import Capabilities

AnyDatabase = Database[Document] | Any
"""A pymongo ``Database``, or an object with the same interface (mongomock's)."""


def offers_transactions(database: AnyDatabase) -> bool:
    """Whether the server behind ``database`` runs multi-document transactions: a replica-set
    member or a ``mongos`` that supports sessions. A database that is not pymongo's (a test
    double such as mongomock) offers none."""
    if not isinstance(database, Database):
        return False
    with translate():
        reply = database.client.admin.command("hello")
    in_cluster = "setName" in reply or reply.get("msg") == "isdbgrid"
    return in_cluster and "logicalSessionTimeoutMinutes" in reply


class MongoBackend:
    """clientcore on a MongoDB database; its collections are named ``clientcore_*``.

    Opening creates the indexes (idempotent) and asks the server whether it runs
    transactions; pass ``transactions=False`` to use the no-transaction mode anyway.
    """

    def __init__(
        self,
        database: AnyDatabase,
        *,
        transactions: bool | None = None,
        owned_client: MongoClient[Document] | None = None,
    ) -> None:
        self.database = database
        self._owned_client = owned_client
        offered = offers_transactions(database)
        if transactions and not offered:
            raise UnsupportedTarget(
                "this MongoDB server runs no multi-document transactions (they need a replica "
                "set or a sharded cluster); open it without transactions=True"
            )
        self.capabilities = Capabilities(
            transactions=offered if transactions is None else transactions
        )
        options = database.codec_options.with_options(tz_aware=CODEC_OPTIONS.tz_aware)
        self._collections: dict[str, Collection[Document]] = {
            name: database.get_collection(name, codec_options=options)
            for name in (*indexes.INDEXES, indexes.LOCKS)
        }
        self.documents = Documents()
        self.local_locks = LocalLocks()
        indexes.ensure_indexes(database)

    @classmethod
    def from_url(
        cls, url: str, *, transactions: bool | None = None, **client_options: Any
    ) -> MongoBackend:
        """A backend on a client of its own for ``mongodb://host/database`` (closed by
        :meth:`close`); ``client_options`` go to ``MongoClient``."""
        if not urlsplit(url).path.strip("/"):
            raise UnsupportedTarget(
                f"name the database in the URL, e.g. mongodb://host:27017/clinic (got {url!r})"
            )
        client: MongoClient[Document] = MongoClient(url, **client_options)
        try:
            with translate():
                database = client.get_default_database()
            return cls(database, transactions=transactions, owned_client=client)
        except BaseException:
            client.close()
            raise

    @classmethod
    def on_database(cls, database: object, *, transactions: bool | None = None) -> MongoBackend:
        """A backend on a host's own ``Database`` (never closed by clientcore)."""
        if not callable(getattr(database, "get_collection", None)):
            raise UnsupportedTarget(
                f"cannot open a {type(database).__name__}: pass a pymongo Database"
            )
        return cls(database, transactions=transactions)

    def collection(self, name: str) -> Collection[Document]:
        return self._collections[name]

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> MongoUnitOfWork:
        return MongoUnitOfWork(self, tenant)

    def close(self) -> None:
        """Close the client made by :meth:`from_url`; a host's database stays open."""
        if self._owned_client is not None:
            self._owned_client.close()


class MongoUnitOfWork:
    def __init__(self, backend: MongoBackend, tenant: str) -> None:
        self.tenant = tenant
        self._backend = backend
        self._work: Work | None = None

    def _scoped(self, name: str) -> Scoped:
        assert self._work is not None
        return Scoped(self._backend.collection(name), self.tenant, self._work)

    def _sequence(self, name: str) -> Any:
        counters = self._backend.collection(indexes.COUNTERS)
        return lambda count: reserve(counters, self.tenant, f"seq:{name}", count)

    def _bind(self) -> None:
        self.clients = MongoClientRepository(self._scoped(indexes.CLIENTS))
        self.staff = MongoStaffRepository(self._scoped(indexes.STAFF))
        self.groups = MongoGroupRepository(self._scoped(indexes.GROUPS))
        self.attributes = MongoAttributeDefinitionRepository(self._scoped(indexes.ATTRIBUTES))
        self.settings = MongoSettingsRepository(self._scoped(indexes.SETTINGS))
        self.counters = MongoCounters(self._backend.collection(indexes.COUNTERS), self.tenant)
        self.working_hours = MongoWorkingHoursRepository(self._scoped(indexes.WORKING_HOURS))
        self.subjects = MongoSubjectRepository(
            "subjects",
            Subject,
            blocks_deletion=True,
            order=BY_CREATION,
            store=self._scoped(indexes.SUBJECTS),
        )
        self.notes = MongoNoteRepository(
            "notes",
            Note,
            blocks_deletion=True,
            order=BY_CREATION,
            store=self._scoped(indexes.NOTES),
        )
        self.consents = MongoConsentRepository(
            "consents",
            ConsentRecord,
            blocks_deletion=True,
            order=AS_WRITTEN,
            store=self._scoped(indexes.CONSENTS),
            sequence=self._sequence("consents"),
        )
        self.events = MongoEventLog(
            "events",
            Event,
            blocks_deletion=False,
            order=AS_WRITTEN,
            store=self._scoped(indexes.EVENTS),
            sequence=self._sequence("events"),
        )
        self.visits = MongoVisitRepository(self._scoped(indexes.VISITS), self._schedule)

    def _schedule(self, staff_id: UUID) -> Schedule:
        member = self.staff.get(staff_id)
        return Schedule(member, self.working_hours.get(staff_id), self.settings.get().time_zone)

    def linked_records(self) -> Sequence[ClientLinkedRecords]:
        return (self.subjects, self.notes, self.consents, self.visits, self.events)

    @property
    def session(self) -> ClientSession | None:
        """The transaction's session (None without transactions), for a host's participant."""
        return None if self._work is None else self._work.session

    def commit(self) -> None:
        work = self._work
        if work is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        if work.session is None:
            work.flush()
            return
        work.confirm_locks()
        with translate():
            work.session.commit_transaction()

    def rollback(self) -> None:
        work = self._work
        if work is None:
            return
        work.discard()
        if work.session is not None and work.session.in_transaction:
            with translate():
                work.session.abort_transaction()

    def __enter__(self) -> MongoUnitOfWork:
        backend = self._backend
        work = Work(
            documents=backend.documents,
            locks=backend.collection(indexes.LOCKS),
            local_locks=backend.local_locks,
        )
        if backend.capabilities.transactions:
            with translate():
                session = backend.database.client.start_session()
                session.start_transaction(
                    read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
                )
            work.session = session
        self._work = work
        self._bind()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        work = self._work
        try:
            self.rollback()
        finally:
            self._work = None
            if work is not None:
                try:
                    work.release()
                finally:
                    if work.session is not None:
                        work.session.end_session()
