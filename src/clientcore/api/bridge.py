"""The runner under an :class:`~clientcore.AsyncCore`: the synchronous runner, run where
synchronous storage code may run and awaited.

A :class:`Bridge` opens :class:`Session` s: places where synchronous code may use the
storage (a connection's ``AsyncConnection.run_sync`` greenlet, or a worker thread). Each
call of an async part opens a session, makes a synchronous :class:`CoreRunner` on the
session's backend and runs the part's synchronous method on it, all unchanged; only the
pause before a retry (:class:`StorageBusy`) is awaited instead of slept, so that a busy
store never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from clientcore.api.awaited import AsyncTransaction
from clientcore.api.events import Events
from clientcore.api.runner import NO_RETRY, CoreRunner, Retry, Runner, Unit
from clientcore.errors import StorageBusy
from clientcore.operations.context import Context
from clientcore.ports.unit_of_work import Backend, Capabilities

R = TypeVar("R")


class Session(Protocol):
    """One place where synchronous storage code runs, for one call or one transaction."""

    def run(self, work: Callable[[Backend], R], /) -> Awaitable[R]:
        """Run ``work`` with a backend whose units of work use this session's connection."""
        ...


class Bridge(Protocol):
    """What an :class:`~clientcore.AsyncCore` stands on (one store)."""

    @property
    def capabilities(self) -> Capabilities: ...

    def session(self) -> contextlib.AbstractAsyncContextManager[Session]:
        """A session for one call or one transaction."""
        ...

    async def aclose(self) -> None:
        """Release what the bridge opened (a host's engine or connection stays open)."""
        ...


class AsyncCoreRunner:
    """A session, and in it the synchronous :class:`CoreRunner`, per call."""

    def __init__(
        self, bridge: Bridge, *, tenant: str, context: Context, retry: Retry, events: Events
    ) -> None:
        self.bridge = bridge
        self.tenant = tenant
        self.context = context
        self.retry = retry
        self.events = events

    def _runner(self, backend: Backend) -> CoreRunner:
        return CoreRunner(
            backend, tenant=self.tenant, context=self.context, retry=NO_RETRY, events=self.events
        )

    async def call(self, work: Callable[[Runner], R], /) -> R:
        """``work`` on a synchronous runner in a session of its own; run again, in a fresh
        session, when the storage was busy, as ``Core`` does (not on a host's connection,
        whose whole transaction only the host can run again)."""
        retry = self.retry
        if self.bridge.capabilities.joins_host_transaction:
            retry = NO_RETRY
        run = 1
        while True:
            try:
                async with self.bridge.session() as session:
                    return await session.run(lambda backend: work(self._runner(backend)))
            except StorageBusy:
                if run >= retry.attempts:
                    raise
            await asyncio.sleep(retry.pause(run))
            run += 1

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncTransaction]:
        """One session and one unit of work for the block (see ``AsyncCore.transaction``)."""
        async with self.bridge.session() as session:
            scope = contextlib.ExitStack()

            def enter(backend: Backend) -> Unit:
                uow = scope.enter_context(backend.unit_of_work(self.tenant))
                return Unit(uow, self.context, self.events, tenant=self.tenant)

            unit = await session.run(enter)
            runner = UnitRunner(session, unit)
            try:
                yield AsyncTransaction(runner, tenant=self.tenant, actor=self.context.actor)
                await session.run(lambda _backend: unit.commit())
            except BaseException as failure:
                runner.end()
                ending = (type(failure), failure, failure.__traceback__)
                await session.run(lambda _backend: scope.__exit__(*ending))
                raise
            runner.end()
            await session.run(lambda _backend: scope.close())
        unit.committed()
        if unit.purges:  # asked for in the block (an anonymisation): now it is committed
            thorough = any(unit.purges)
            await self.call(lambda runner: runner.purge(thorough=thorough))


class UnitRunner:
    """The async runner of a transaction: every call in its one unit, one at a time."""

    def __init__(self, session: Session, unit: Unit) -> None:
        self._session = session
        self._unit = unit
        self._lock = asyncio.Lock()
        self._ended = False

    def end(self) -> None:
        """The block has ended: its session is gone, and the unit refuses every call."""
        self._ended = True
        self._unit.close()

    async def call(self, work: Callable[[Runner], R], /) -> R:
        async with self._lock:
            if self._ended:
                return work(self._unit)  # raises TransactionClosed, touching no storage
            return await self._session.run(lambda _backend: work(self._unit))


class ThreadBridge:
    """A synchronous backend (memory, MongoDB through pymongo, SQL on a synchronous engine)
    used from asyncio: each call runs in a worker thread (``asyncio.to_thread``), and a
    transaction in one thread of its own, so the event loop never waits for the store."""

    def __init__(self, backend: Backend, *, owns_backend: bool) -> None:
        self.backend = backend
        self._owns_backend = owns_backend

    @property
    def capabilities(self) -> Capabilities:
        return self.backend.capabilities

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        with ThreadPoolExecutor(1, thread_name_prefix="clientcore") as thread:
            yield _ThreadSession(self.backend, thread)

    async def aclose(self) -> None:
        if self._owns_backend:
            await asyncio.to_thread(self.backend.close)


class _ThreadSession:
    def __init__(self, backend: Backend, thread: ThreadPoolExecutor) -> None:
        self._backend = backend
        self._thread = thread

    def run(self, work: Callable[[Backend], R], /) -> Awaitable[R]:
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._thread, functools.partial(work, self._backend))
