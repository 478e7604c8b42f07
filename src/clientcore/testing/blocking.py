"""A :class:`~clientcore.Core`-shaped view of an :class:`~clientcore.AsyncCore`, so that the
contract suites (written against ``Core``) run their assertions through the async path.

An :class:`EventLoopThread` runs one event loop in a thread of its own; each call of the
view is submitted to it and waited for, from whichever thread calls (the race contracts
call from many threads at once: their coroutines then interleave on the one loop, as an
asyncio host's requests do).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar, cast

from clientcore.aio import AsyncCore
from clientcore.api.awaited import ASYNC_PARTS, AsyncPart, AsyncParts, AsyncTransaction
from clientcore.entities.common import Actor
from clientcore.entities.kinds import RecordKind
from clientcore.facade import Core

R = TypeVar("R")
T = TypeVar("T")

PARTS = tuple(ASYNC_PARTS)
"""Every part, as the async core has it."""


class EventLoopThread:
    """An event loop running in a daemon thread until :meth:`close`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="clientcore-loop", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, R]) -> R:
        """Run ``coroutine`` on the loop and wait for its result (from any other thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class _BlockingPart:
    """Each coroutine method of an async part, called and waited for."""

    def __init__(self, part: object, loop: EventLoopThread) -> None:
        self._part = part
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._part, name)
        if not callable(member):
            return member
        loop = self._loop

        def call(*args: Any, **kwargs: Any) -> Any:
            result = member(*args, **kwargs)
            if isinstance(result, AsyncPart):  # a part made by a part (privacy.with_roles)
                return _BlockingPart(result, loop)
            return loop.run(result)

        return call


class _BlockingParts:
    def __init__(self, parts: AsyncParts, loop: EventLoopThread) -> None:
        for name in PARTS:
            setattr(self, name, _BlockingPart(getattr(parts, name), loop))
        self._parts = parts
        self._loop = loop

    def records(self, kind: RecordKind[T]) -> Any:
        return _BlockingPart(self._parts.records(kind), self._loop)


class _BlockingTransaction(_BlockingParts):
    def __init__(self, tx: AsyncTransaction, loop: EventLoopThread) -> None:
        super().__init__(tx, loop)
        self.tenant = tx.tenant
        self.actor = tx.actor


class BlockingCore(_BlockingParts):
    """The calls of an :class:`AsyncCore`, each run on ``loop`` and waited for."""

    def __init__(self, core: AsyncCore, loop: EventLoopThread) -> None:
        super().__init__(core, loop)
        self.async_core = core
        self.events = core.events

    @property
    def tenant(self) -> str:
        return self.async_core.tenant

    @property
    def actor(self) -> Actor | None:
        return self.async_core.actor

    @property
    def capabilities(self) -> Any:
        return self.async_core.capabilities

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        block = self.async_core.transaction()
        tx = self._loop.run(block.__aenter__())
        try:
            yield _BlockingTransaction(tx, self._loop)
        except BaseException as failure:
            if not self._loop.run(block.__aexit__(type(failure), failure, failure.__traceback__)):
                raise
        else:
            self._loop.run(block.__aexit__(None, None, None))

    def acting_as(self, actor: Actor) -> Core:
        return blocking(self.async_core.acting_as(actor), self._loop)

    def for_tenant(self, tenant: str) -> Core:
        return blocking(self.async_core.for_tenant(tenant), self._loop)

    def close(self) -> None:
        self._loop.run(self.async_core.aclose())


def blocking(core: AsyncCore, loop: EventLoopThread) -> Core:
    """``core`` seen as a :class:`Core` (for suites written against ``Core``)."""
    return cast(Core, BlockingCore(core, loop))


def blocking_opener(
    open_async: Callable[..., AsyncCore], loop: EventLoopThread
) -> Callable[..., Core]:
    """An opener for the contracts' ``open_core`` fixture: ``open_async(backend, **options)``
    seen as a :class:`Core` (``open_async`` may open the core on another target of the same
    store, e.g. an ``AsyncEngine`` on the backend's database)."""

    def open_core(backend: object, **options: Any) -> Core:
        return blocking(open_async(backend, **options), loop)

    return open_core
