"""The SQL adapter under an :class:`~clientcore.AsyncCore`: SQLAlchemy's asyncio extension
(``AsyncEngine``, ``AsyncConnection``; aiosqlite, asyncpg, asyncmy) bridged to the
synchronous adapter with ``AsyncConnection.run_sync``.

``run_sync`` runs a synchronous function on the ``Connection`` behind an
``AsyncConnection``, in a greenlet: each statement the function executes awaits the async
driver, and the event loop runs other tasks meanwhile. So the synchronous units of work,
repositories and operations run unchanged on the async drivers. Two bindings, as for the
synchronous adapter:

* a host's ``AsyncEngine``: each call (or transaction) takes a connection from the engine's
  pool and runs one transaction on it;
* a host's ``AsyncConnection``: each unit of work is a SAVEPOINT inside the host's
  transaction, one at a time; the host's own commit or rollback decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, NestedTransaction, RootTransaction
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from clientcore.adapters.sql.engine import READ_ONLY, is_memory_sqlite
from clientcore.adapters.sql.errors import translated
from clientcore.adapters.sql.uow import SqlBackend
from clientcore.entities.kinds import RecordKind
from clientcore.errors import UnsupportedTarget
from clientcore.ports.unit_of_work import Backend, Capabilities

R = TypeVar("R")


class HandedConnectionBackend(SqlBackend):
    """A :class:`SqlBackend` on an async engine's ``sync_engine`` whose units of work run
    on the connection handed to them (:meth:`on`), each in a transaction of its own: the
    connection of the ``run_sync`` call they run in. The tables are made once."""

    _handed: Connection | None = None

    def on(self, connection: Connection) -> HandedConnectionBackend:
        """This backend, with its units of work on ``connection``."""
        view = copy.copy(self)
        view._handed = connection
        return view

    def purge(self, *, thorough: bool = False) -> None:
        """:meth:`SqlBackend.purge` on the handed connection, whose unit has ended."""
        if self._handed is None:
            raise RuntimeError("a purge of an async engine runs inside run_sync")
        self.purge_on(self._handed, thorough=thorough)

    @contextlib.contextmanager
    def connection(
        self, *, read_only: bool = False
    ) -> Iterator[tuple[Connection, RootTransaction | NestedTransaction]]:
        connection = self._handed
        if connection is None:
            raise RuntimeError("a unit of work of an async engine runs inside run_sync")
        with translated():
            # Read by the SQLite begin listener (configure_sqlite): BEGIN, not BEGIN IMMEDIATE.
            connection.execution_options(**{READ_ONLY: read_only})
            transaction = connection.begin()
            try:
                self._prepare_sqlite(connection, read_only=read_only)
                yield connection, transaction
            finally:
                # The connection goes back to the async engine's pool when the call ends:
                # what the unit did not commit is rolled back now.
                if transaction.is_active:
                    transaction.rollback()


class RunSyncSession:
    """A session of the bridge: synchronous code run by ``run_sync`` on one connection."""

    def __init__(self, connection: AsyncConnection, backend: Callable[[Connection], Backend]):
        self._connection = connection
        self._backend = backend

    def run(self, work: Callable[[Backend], R], /) -> Awaitable[R]:
        backend = self._backend

        def run(connection: Connection) -> R:
            return work(backend(connection))

        return self._connection.run_sync(run)


class AsyncSqlBridge:
    """Sessions on a host's ``AsyncEngine`` or ``AsyncConnection`` (see the module)."""

    def __init__(
        self,
        target: AsyncEngine | AsyncConnection,
        *,
        kinds: Sequence[RecordKind[Any]] = (),
        **options: Any,
    ) -> None:
        """``options`` are :class:`SqlBackend`'s (``prefix``, ``schema``): open
        ``clientcore.open_async(AsyncSqlBridge(engine, prefix="cc_"), ...)`` for them."""
        self.target = target
        self._lock: asyncio.Lock | None = None
        self.backend: SqlBackend
        if isinstance(target, AsyncConnection):
            connection = target.sync_connection
            if connection is None:
                raise UnsupportedTarget(
                    "this AsyncConnection is not connected yet: open the core inside "
                    "`async with engine.connect() as connection:`"
                )
            self.backend = SqlBackend(connection, kinds=kinds, **options)
            self._lock = asyncio.Lock()
        elif isinstance(target, AsyncEngine):
            engine = target.sync_engine
            self.backend = HandedConnectionBackend(engine, kinds=kinds, **options)
            if is_memory_sqlite(engine.url):
                self._lock = asyncio.Lock()  # one shared connection: one session at a time
        else:
            raise UnsupportedTarget(
                f"cannot open a {type(target).__name__} asynchronously: pass a SQLAlchemy "
                "AsyncEngine or AsyncConnection"
            )

    @property
    def capabilities(self) -> Capabilities:
        return self.backend.capabilities

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[RunSyncSession]:
        lock = self._lock if self._lock is not None else contextlib.nullcontext()
        async with lock:
            target = self.target
            if isinstance(target, AsyncConnection):
                backend = self.backend
                yield RunSyncSession(target, lambda _connection: backend)
                return
            handed = self.backend
            assert isinstance(handed, HandedConnectionBackend)
            async with target.connect() as connection:
                yield RunSyncSession(connection, handed.on)

    async def aclose(self) -> None:
        """Nothing to release: the engine or connection is the host's."""
