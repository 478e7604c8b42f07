"""The MongoDB backend and its unit of work.

Two modes, chosen by what the server offers (see ``docs/mongo.md``):

* **transactions** (a replica set or a sharded cluster): every write of a unit of work runs
  in one multi-document transaction, committed by :meth:`MongoUnitOfWork.commit`;
  anything else aborts it. All-or-nothing, also after a crash.
* **no transactions** (a standalone server, or a database object that offers no sessions,
  such as mongomock): writes are kept until commit and then applied, guarded writes
  first, with undo steps if a later one fails (see :mod:`.store`); until then the
  repositories show the unit its own writes. A crash in the middle of a commit can leave
  part of it applied. ``capabilities.transactions`` says which mode a backend is in.

A backend may also join a host's own transaction (:meth:`MongoBackend.in_session`): every
unit of work then runs in the host's ``ClientSession`` and its transaction, which the
host commits or aborts; a unit's commit commits nothing, and a unit that fails after it
wrote aborts the host's transaction (MongoDB has no savepoint to return to).

Each record kind, clientcore's or the host's, is kept by one generic
:class:`~.records.MongoRecords` in a collection of its own (see :mod:`.layout`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from clientcore.adapters.ledger import RecordsSalesLedger
from clientcore.adapters.mongo import indexes
from clientcore.adapters.mongo.bulk import MongoBulkClients
from clientcore.adapters.mongo.clients import MongoClientRepository
from clientcore.adapters.mongo.convert import CODEC_OPTIONS, Documents
from clientcore.adapters.mongo.errors import translate
from clientcore.adapters.mongo.layout import Layout
from clientcore.adapters.mongo.outbox import MongoOutbox
from clientcore.adapters.mongo.records import MongoRecords
from clientcore.adapters.mongo.reports import MongoReportQueries
from clientcore.adapters.mongo.store import Document, LocalLocks, Scoped, Work, reserve
from clientcore.adapters.mongo.tenant import (
    EVENTS,
    MongoCounters,
    MongoEventLog,
    MongoSettingsRepository,
)
from clientcore.adapters.mongo.visits import MongoVisitRepository
from clientcore.entities.kinds import (
    CONSENTS,
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
from clientcore.errors import UnknownKind, UnsupportedTarget
from clientcore.ports.unit_of_work import Capabilities

T = TypeVar("T")

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

    ``kinds``: the host's own record kinds, stored beside clientcore's (a collection
    ``clientcore_<kind name>`` each). Opening creates every collection's indexes
    (idempotent) and asks the server whether it runs transactions; pass
    ``transactions=False`` to use the no-transaction mode anyway.
    """

    def __init__(
        self,
        database: AnyDatabase,
        *,
        kinds: Sequence[RecordKind[Any]] = (),
        transactions: bool | None = None,
        owned_client: MongoClient[Document] | None = None,
    ) -> None:
        self._kinds = OWN_KINDS.with_host_kinds(kinds)
        self.layouts: dict[str, Layout[Any]] = {
            kind.name: indexes.layout_of(kind) for kind in self._kinds
        }
        self.events_layout = Layout(EVENTS, indexes.EVENTS)
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
        names = [
            *indexes.INDEXES,
            indexes.LOCKS,
            self.events_layout.collection,
            *(layout.collection for layout in self.layouts.values()),
        ]
        self._collections: dict[str, Collection[Document]] = {
            name: database.get_collection(name, codec_options=options) for name in names
        }
        self.documents = Documents()
        self.local_locks = LocalLocks()
        self.host_session: ClientSession | None = None
        """The host's session whose transaction every unit joins (see :meth:`in_session`)."""
        indexes.ensure_indexes(database, [self.events_layout, *self.layouts.values()])

    @property
    def kinds(self) -> Registry:
        """The record kinds stored: clientcore's own, then the host's."""
        return self._kinds

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        kinds: Sequence[RecordKind[Any]] = (),
        transactions: bool | None = None,
        **client_options: Any,
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
            return cls(database, kinds=kinds, transactions=transactions, owned_client=client)
        except BaseException:
            client.close()
            raise

    @classmethod
    def on_database(
        cls,
        database: object,
        *,
        kinds: Sequence[RecordKind[Any]] = (),
        transactions: bool | None = None,
        session: ClientSession | None = None,
    ) -> MongoBackend:
        """A backend on a host's own ``Database`` (never closed by clientcore); with
        ``session``, one whose units of work join that session's transaction (see
        :meth:`in_session`, which a host opening a core per request calls instead, on one
        backend made once)."""
        if not callable(getattr(database, "get_collection", None)):
            raise UnsupportedTarget(
                f"cannot open a {type(database).__name__}: pass a pymongo Database"
            )
        backend = cls(database, kinds=kinds, transactions=transactions)
        return backend if session is None else backend.in_session(session)

    def in_session(self, session: ClientSession) -> MongoBackend:
        """This backend with every unit of work inside the host's ``session`` and the
        transaction the host started on it (``session.start_transaction()``), like the SQL
        adapter on a host's ``Connection``: the host commits or aborts its transaction, and
        with it clientcore's writes and its own, together.

        - A unit's commit commits nothing (its lock leases are renewed, as before a commit).
        - A unit that fails before it wrote leaves the host's transaction as it was. One
          that fails after it wrote aborts the host's transaction (MongoDB has no savepoint
          to roll back to) and its error reaches the host, which runs its transaction again
          (pymongo's ``with_transaction`` does).
        - clientcore never runs such a unit again itself (``joins_host_transaction``).
        - A unit begun while the session has no transaction is refused
          (``UnsupportedTarget``), as is a session of another ``MongoClient`` or a backend
          without transactions (a standalone server, mongomock).

        The indexes, collections and converters are this backend's, shared: calling it per
        request costs nothing but a copy. Closing the result closes nothing.
        """
        if not self.capabilities.transactions:
            raise UnsupportedTarget(
                "this MongoDB backend runs no transactions (a standalone server, or a test "
                "double): there is no host transaction to join"
            )
        if getattr(session, "client", None) is not self.database.client:
            raise UnsupportedTarget(
                "the session belongs to another MongoClient than the backend's database"
            )
        joined = copy.copy(self)
        joined.host_session = session
        joined.capabilities = Capabilities(transactions=True, joins_host_transaction=True)
        joined._owned_client = None
        return joined

    def collection(self, name: str) -> Collection[Document]:
        return self._collections[name]

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> MongoUnitOfWork:
        return MongoUnitOfWork(self, tenant)

    def purge(self, *, thorough: bool = False) -> None:
        """WiredTiger keeps overwritten documents' old bytes in free blocks of its files
        until they are reused; a thorough purge runs ``compact`` on each collection, which
        rewrites it (docs/privacy.md). The oplog of a replica set keeps the old values of
        updates until it rolls over. A light purge does nothing."""
        if thorough:
            with translate():
                for name in self.database.list_collection_names():
                    self.database.command({"compact": name})

    def close(self) -> None:
        """Close the client made by :meth:`from_url`; a host's database stays open."""
        if self._owned_client is not None:
            self._owned_client.close()


class MongoUnitOfWork:
    """One tenant's repositories in one transaction, or with writes kept until commit
    (see the module). The repositories exist inside the ``with`` block only."""

    def __init__(self, backend: MongoBackend, tenant: str) -> None:
        self.tenant = tenant
        self.kinds: Registry = backend.kinds
        self._backend = backend
        self._work: Work | None = None
        self._records: dict[str, MongoRecords[Any]] = {}

    def _open_work(self) -> Work:
        if self._work is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        return self._work

    def _scoped(self, name: str) -> Scoped:
        return Scoped(self._backend.collection(name), self.tenant, self._open_work())

    def _sequence(self, name: str) -> Callable[[int], int]:
        """``seq`` values of a kind kept in the order written: taken outside any
        transaction, so concurrent units never collide on them (a gap means nothing)."""
        counters = self._backend.collection(indexes.COUNTERS)
        return lambda count: reserve(counters, self.tenant, f"seq:{name}", count)

    def _made(self, layout: Layout[T]) -> MongoRecords[T]:
        sequence = self._sequence(layout.kind.name) if layout.as_written else None
        return MongoRecords(layout, self._scoped(layout.collection), sequence=sequence)

    def _bind(self, work: Work) -> None:
        backend = self._backend
        self.clients = MongoClientRepository(self._scoped(indexes.CLIENTS))
        self.bulk = MongoBulkClients(self._scoped(indexes.CLIENTS))
        self.settings = MongoSettingsRepository(self._scoped(indexes.SETTINGS))
        self.counters = MongoCounters(backend.collection(indexes.COUNTERS), self.tenant, work)
        self.events = MongoEventLog(self._made(backend.events_layout))
        layout = backend.layouts[VISITS.name]
        self.visits = MongoVisitRepository(layout, self._scoped(layout.collection), self._schedule)
        self.reports = MongoReportQueries(
            self._scoped(indexes.CLIENTS),
            self._scoped(layout.collection),
            self._scoped(backend.layouts[CONSENTS.name].collection),
        )
        layout = backend.layouts[MESSAGES.name]
        self.outbox = MongoOutbox(layout, self._scoped(layout.collection))
        self._records = {VISITS.name: self.visits, MESSAGES.name: self.outbox}
        self.sales = RecordsSalesLedger(self.records(SALES_DOCUMENTS))

    def records(self, kind: RecordKind[T]) -> MongoRecords[T]:
        if kind not in self.kinds:
            raise UnknownKind(kind.name)
        made: MongoRecords[T] | None = self._records.get(kind.name)
        if made is None:
            made = self._records[kind.name] = self._made(self._backend.layouts[kind.name])
        return made

    def _schedule(self, staff_id: UUID) -> Schedule:
        member = self.records(STAFF).get(staff_id)
        hours = self.records(WORKING_HOURS).get_many([staff_id]).get(staff_id)
        zone = self.settings.get().time_zone
        return Schedule(member, hours or WorkingHours(staff_id), zone)

    @property
    def session(self) -> ClientSession | None:
        """The transaction's session (None without transactions): host code that writes
        its own collections in the same transaction passes it to pymongo."""
        return None if self._work is None else self._work.session

    def commit(self) -> None:
        work = self._open_work()
        if work.session is None:
            work.flush()
            return
        work.confirm_locks()
        if work.joined:
            work.wrote = False  # committed, as far as clientcore can: the host decides
            return
        with translate():
            work.session.commit_transaction()

    def rollback(self) -> None:
        work = self._work
        if work is None:
            return
        work.discard()
        if work.joined and not work.wrote:
            return  # nothing of ours in the host's transaction: it goes on
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
        if backend.host_session is not None:
            if not backend.host_session.in_transaction:
                raise UnsupportedTarget(
                    "the host's session has no transaction to join: call "
                    "session.start_transaction() before clientcore's operations"
                )
            work.session, work.joined = backend.host_session, True
        elif backend.capabilities.transactions:
            with translate():
                session = backend.database.client.start_session()
                session.start_transaction(
                    read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
                )
            work.session = session
        self._work = work
        self._bind(work)
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
            self._records = {}
            if work is not None:
                try:
                    work.release()
                finally:
                    if work.session is not None and not work.joined:
                        work.session.end_session()
