"""The state of one unit of work and the tenant-scoped collections its repositories use.

``Scoped`` adds the tenant to every filter and document, so no query of the adapter can
forget it. Its writes go through ``Work``:

* inside a transaction (replica set, sharded cluster) each write is sent at once in the
  unit's session, and the server rolls everything back unless the unit commits;
* without transactions, writes are kept until commit and then applied, guarded writes first
  (those that can fail for a domain reason: a duplicate code or name, a stale version),
  except that no write is applied before an earlier write of the same unit to the same
  collection (a record added and then changed in one unit is added first). Each applied
  write leaves an undo step; if a later write of the same commit fails, the steps run in
  reverse. Documents written by a unit carry its token in ``_w``, and an undo only touches
  documents that still carry it, so it never overwrites a newer change.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from clientcore.adapters.mongo.convert import Documents, encode
from clientcore.adapters.mongo.errors import OnConflict, OnDuplicate, translate
from clientcore.errors import (
    ClientCoreError,
    ConcurrencyError,
    NotFound,
    StorageBusy,
    StorageError,
)

T = TypeVar("T")

Document = dict[str, Any]
Undo = Callable[[], None]
Apply = Callable[[ClientSession | None], Undo | None]
Sort = Sequence[tuple[str, int]]

LEASE = timedelta(seconds=30)
"""How long a lock document holds if its unit of work dies without releasing it."""
LOCK_WAIT_SECONDS = 45.0
"""How long a unit waits for a lock: longer than a lease, so a dead holder's lock is taken
over before the waiter gives up."""


class LocalLocks:
    """One lock per name for the threads of this process (they queue here, not on the server)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())


class Work:
    """What the repositories of one unit of work share: session, token, pending writes, locks."""

    def __init__(
        self,
        *,
        documents: Documents,
        locks: Collection[Document],
        local_locks: LocalLocks,
    ) -> None:
        self.documents = documents
        self.session: ClientSession | None = None
        """The transaction's session, or None when writes are kept until commit."""
        self.joined = False
        """The session and its transaction are the host's: the unit never commits them."""
        self.wrote = False
        """A write ran in the session (what a joined unit that fails must undo)."""
        self.token = uuid.uuid4().hex
        self._pending: list[Apply] = []
        self._pending_guarded: list[Apply] = []
        self._in_order: set[str] = set()
        """Collections with a write in ``_pending``: their later writes keep their place."""
        self._locks = locks
        self._local_locks = local_locks
        self._held: dict[str, threading.Lock] = {}
        self._marked: set[str] = set()
        """Held locks whose marker this unit wrote in its transaction."""

    # -- writes ------------------------------------------------------------------------
    def write(self, apply: Apply, *, guarded: bool, collection: str) -> None:
        """Run ``apply`` in the transaction, or keep it until :meth:`flush`: a guarded write
        goes before the unguarded ones unless an unguarded write to ``collection`` is
        already kept (it would then jump over a write it may depend on)."""
        if self.session is not None:
            self._mark_held_locks()
            self.wrote = True
            apply(self.session)
        elif guarded and collection not in self._in_order:
            self._pending_guarded.append(apply)
        else:
            self._pending.append(apply)
            self._in_order.add(collection)

    @property
    def keeps_writes(self) -> bool:
        """Whether writes wait for the commit (no transaction): the store does not show the
        unit's own writes to its reads until then."""
        return self.session is None

    def flush(self) -> None:
        """Apply the kept writes (no transaction); on failure undo those applied, newest first.

        A versioned write that another unit of work beat to its record since this unit read
        it (a ConcurrencyError here, at the end) is :class:`StorageBusy`: the unit read too
        early, and run again it reads anew (a caller's own stale version is then refused
        by the operation, as ConcurrencyError, before anything is written)."""
        self.confirm_locks()
        writes = [*self._pending_guarded, *self._pending]
        self.discard()
        undos: list[Undo] = []
        try:
            for apply in writes:
                undo = apply(None)
                if undo is not None:
                    undos.append(undo)
        except ConcurrencyError as lost:
            undo_all(undos, lost)
            raise StorageBusy(f"{lost}: changed meanwhile by another writer") from lost
        except ClientCoreError as failure:
            undo_all(undos, failure)
            raise

    def discard(self) -> None:
        self._pending.clear()
        self._pending_guarded.clear()
        self._in_order.clear()

    # -- locks -------------------------------------------------------------------------
    def hold(self, name: str) -> None:
        """Hold the named lock until :meth:`release` (the end of the unit of work).

        Threads of this process wait on a local lock; processes compete for a lock document
        with a lease, so a crashed holder blocks others for at most :data:`LEASE`.
        """
        if name in self._held:
            return
        local = self._local_locks.get(name)
        if not local.acquire(timeout=LOCK_WAIT_SECONDS):
            raise StorageBusy(f"timed out waiting for the lock {name!r}; nothing was changed")
        try:
            self._acquire_lease(name)
        except BaseException:
            local.release()
            raise
        self._held[name] = local

    def _mark_held_locks(self) -> None:
        """Before the unit's first write in a transaction under a lock, write a marker of
        each lock it holds in the transaction too. A lease ends with the unit of work, but
        a unit in a host's transaction (``joined``) writes what the host commits later,
        and a unit that takes the lock meanwhile must not miss that: two transactions that
        write one marker collide (a MongoDB write conflict, raised to the later as
        ``StorageBusy``) until the first ends, whoever commits it. A unit that writes
        nothing under the lock (a booking refused for an overlap) writes no marker."""
        for name in self._held.keys() - self._marked:
            self._marked.add(name)
            self.wrote = True
            with translate():
                self._locks.update_one(
                    {"_id": f"{name}/written"},
                    {"$inc": {"writes": 1}},
                    upsert=True,
                    session=self.session,
                )

    def _acquire_lease(self, name: str) -> None:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        pause = 0.002
        while True:
            now = datetime.now(UTC)
            try:
                with translate():
                    self._locks.find_one_and_update(
                        {"_id": name, "$or": [{"holder": None}, {"until": {"$lt": now}}]},
                        {"$set": {"holder": self.token, "until": now + LEASE}},
                        upsert=True,
                    )
                return
            except StorageError as error:
                if not isinstance(error.__cause__, DuplicateKeyError):
                    raise
            if time.monotonic() > deadline:
                raise StorageBusy(f"timed out waiting for the lock {name!r}; nothing was changed")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def confirm_locks(self) -> None:
        """Right before the unit's writes become durable: renew every lease it holds, or
        raise StorageBusy (nothing is written) if one ran out and another unit took it."""
        now = datetime.now(UTC)
        for name in self._held:
            with translate():
                renewed = self._locks.find_one_and_update(
                    {"_id": name, "holder": self.token}, {"$set": {"until": now + LEASE}}
                )
            if renewed is None:
                raise StorageBusy(
                    f"the lock {name!r} ran out before the unit of work committed and was "
                    "taken by another; nothing was changed"
                )

    def release(self) -> None:
        for name, local in self._held.items():
            try:
                with translate():
                    self._locks.delete_one({"_id": name, "holder": self.token})
            finally:
                local.release()
        self._held.clear()
        self._marked.clear()


def undo_all(undos: Sequence[Undo], failure: BaseException) -> None:
    """Run undo steps newest first; if one fails, say that the store holds a partial change."""
    broken: list[BaseException] = []
    for undo in reversed(undos):
        try:
            undo()
        except ClientCoreError as error:
            broken.append(error)
    if broken:
        raise StorageError(
            f"applying the unit of work failed ({failure}) and undoing its applied writes "
            f"failed too ({broken[0]}): the store may hold part of it"
        ) from failure


class Scoped:
    """One collection seen by one tenant inside one unit of work."""

    def __init__(self, collection: Collection[Document], tenant: str, work: Work) -> None:
        self._collection = collection
        self._tenant = tenant
        self._work = work

    @property
    def work(self) -> Work:
        return self._work

    @property
    def tenant(self) -> str:
        return self._tenant

    def stale(self, kind: str, key: UUID, version: int) -> Callable[[], ClientCoreError]:
        """The error of a versioned write that matched nothing: the record is gone
        (NotFound) or another unit of work changed it first (ConcurrencyError)."""

        def error() -> ClientCoreError:
            if self.find_one({"id": key}) is None:
                return NotFound(kind, key)
            return ConcurrencyError(kind, key, version)

        return error

    def _scope(self, query: Mapping[str, Any]) -> Document:
        return {**encode(query), "tenant": self._tenant}

    def _own(self, document: Mapping[str, Any]) -> Document:
        return {**document, "tenant": self._tenant, "_w": self._work.token}

    # -- reads -------------------------------------------------------------------------
    def find(
        self,
        query: Mapping[str, Any],
        *,
        sort: Sort | None = None,
        limit: int = 0,
        fresh: bool = False,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        """Matching documents (only the fields ``projection`` names, if given); ``fresh``
        reads the latest committed state, outside the transaction's snapshot."""
        session = None if fresh else self._work.session
        with translate():
            cursor = self._collection.find(self._scope(query), projection, session=session)
            if sort:
                cursor = cursor.sort(list(sort))
            if limit:
                cursor = cursor.limit(limit)
            return list(cursor)

    def find_one(self, query: Mapping[str, Any]) -> Document | None:
        with translate():
            return self._collection.find_one(self._scope(query), session=self._work.session)

    def count(self, query: Mapping[str, Any]) -> int:
        with translate():
            return self._collection.count_documents(self._scope(query), session=self._work.session)

    def values(self, field: str, query: Mapping[str, Any]) -> list[Any]:
        """The ``field`` of each matching document."""
        with translate():
            cursor = self._collection.find(
                self._scope(query), {field: 1, "_id": 0}, session=self._work.session
            )
            return [document[field] for document in cursor]

    def maybe(self, query: Mapping[str, Any], cls: type[T]) -> T | None:
        document = self.find_one(query)
        return None if document is None else self._work.documents.structure(document, cls)

    def one(self, query: Mapping[str, Any], cls: type[T], missing: Callable[[], NotFound]) -> T:
        found = self.maybe(query, cls)
        if found is None:
            raise missing()
        return found

    # -- writes ------------------------------------------------------------------------
    def take(
        self, query: Mapping[str, Any], change: Mapping[str, Any], *, sort: Sort
    ) -> Document | None:
        """Change the first matching document in ``sort`` order with the update operators
        ``change`` and return it as changed: one atomic find-and-modify, applied at once
        (in the transaction if there is one; without one it is not undone by a rollback)."""
        if self._work.session is not None:
            self._work.wrote = True
        with translate():
            return self._collection.find_one_and_update(
                self._scope(query),
                change,
                sort=list(sort),
                return_document=ReturnDocument.AFTER,
                session=self._work.session,
            )

    def insert(
        self,
        documents: Sequence[Mapping[str, Any]],
        *,
        guarded: bool = False,
        on_duplicate: OnDuplicate | None = None,
    ) -> None:
        owned = [{"_id": ObjectId(), **self._own(document)} for document in documents]
        if not owned:
            return
        ids = [document["_id"] for document in owned]
        collection = self._collection

        def undo() -> None:
            with translate():
                collection.delete_many({"_id": {"$in": ids}})

        def apply(session: ClientSession | None) -> Undo:
            try:
                with translate(on_duplicate=on_duplicate):
                    collection.insert_many(owned, ordered=True, session=session)
            except ClientCoreError as failure:
                if session is None:
                    undo_all([undo], failure)
                raise
            return undo

        self._work.write(apply, guarded=guarded, collection=collection.name)

    def update(
        self,
        query: Mapping[str, Any],
        fields: Mapping[str, Any],
        *,
        missing: Callable[[], ClientCoreError] | None = None,
        guarded: bool = False,
        on_duplicate: OnDuplicate | None = None,
        on_conflict: OnConflict | None = None,
    ) -> None:
        """Set ``fields`` on the one matching document; without ``missing``, insert it if
        there is none (an upsert), else raise ``missing()``."""
        scoped = self._scope(query)
        owned = self._own(fields)
        token = self._work.token
        collection = self._collection

        def apply(session: ClientSession | None) -> Undo:
            with translate(on_duplicate=on_duplicate, on_conflict=on_conflict):
                before = collection.find_one_and_update(
                    scoped,
                    {"$set": owned},
                    upsert=missing is None,
                    return_document=ReturnDocument.BEFORE,
                    session=session,
                )
            if before is None and missing is not None:
                raise missing()

            def undo() -> None:
                with translate():
                    if before is None:
                        collection.delete_one({**scoped, "_w": token})
                    else:
                        collection.replace_one({"_id": before["_id"], "_w": token}, before)

            return undo

        self._work.write(apply, guarded=guarded, collection=collection.name)

    def delete(
        self,
        query: Mapping[str, Any],
        *,
        missing: Callable[[], ClientCoreError],
        on_conflict: OnConflict | None = None,
    ) -> None:
        """Remove the one matching document, else raise ``missing()`` (a guarded write)."""
        scoped = self._scope(query)
        collection = self._collection

        def apply(session: ClientSession | None) -> Undo:
            with translate(on_conflict=on_conflict):
                before = collection.find_one_and_delete(scoped, session=session)
            if before is None:
                raise missing()

            def undo() -> None:
                with translate():
                    collection.insert_one(before)

            return undo

        self._work.write(apply, guarded=True, collection=collection.name)

    def move(
        self,
        query: Mapping[str, Any],
        changes: Mapping[str, Any],
        back: Mapping[str, Any],
        *,
        bump: str | None = None,
    ) -> None:
        """Set ``changes`` on every matching document in one ``update_many`` (and add one
        to each one's ``bump`` field, if given); ``back`` (and taking the one away) undoes."""
        scoped = self._scope(query)
        changes, back = encode(changes), encode(back)
        token = self._work.token
        collection = self._collection
        forth_update: Document = {"$set": {**changes, "_w": token}}
        back_update: Document = {"$set": back}
        if bump is not None:
            forth_update["$inc"] = {bump: 1}
            back_update["$inc"] = {bump: -1}

        def apply(session: ClientSession | None) -> Undo:
            with translate():
                ids = [d["_id"] for d in collection.find(scoped, {"_id": 1}, session=session)]
                collection.update_many(
                    {**scoped, "_id": {"$in": ids}}, forth_update, session=session
                )

            def undo() -> None:
                with translate():
                    collection.update_many({"_id": {"$in": ids}, "_w": token}, back_update)

            return undo

        self._work.write(apply, guarded=False, collection=collection.name)


def reserve(
    counters: Collection[Document],
    tenant: str,
    name: str,
    count: int,
    *,
    session: ClientSession | None = None,
) -> int:
    """Take ``count`` consecutive values of a tenant's counter with one atomic ``$inc``;
    return the first. A value is never handed out twice.

    ``session``: a transaction's session, in which the increment then runs: it is undone
    with the transaction, and a concurrent transaction taking the same counter collides
    with this one (``StorageBusy``: one of them runs again). Without it the increment is
    durable at once, whatever becomes of the unit of work.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    for attempt in range(2):
        try:
            with translate():
                after = counters.find_one_and_update(
                    {"tenant": tenant, "name": name},
                    {"$inc": {"value": count}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                    session=session,
                )
            break
        except StorageError as error:
            # Two first-ever upserts of one counter race on the unique index: retry once,
            # or, inside a transaction (which the error has ended), run the unit again.
            if not isinstance(error.__cause__, DuplicateKeyError):
                raise
            if session is not None:
                raise StorageBusy(
                    f"the counter {name!r} was created by a concurrent unit of work; nothing "
                    "was changed, run it again"
                ) from error
            if attempt:
                raise
    assert after is not None  # an upsert returning the document after it always finds one
    return int(after["value"]) - count + 1
