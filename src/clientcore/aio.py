"""The core for asyncio hosts (FastAPI, Starlette): every call of :class:`~clientcore.Core`
as a coroutine, on the same operations (see docs/async.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

from clientcore.api.awaited import AsyncParts, AsyncTransaction
from clientcore.api.bound import Bound, new_context
from clientcore.api.bridge import AsyncCoreRunner, Bridge
from clientcore.api.events import Events, HandlerErrorReport
from clientcore.api.runner import Retry
from clientcore.entities.common import Actor, Role, check_tenant
from clientcore.entities.kinds import RecordKind
from clientcore.entities.merge import DEFAULT_MERGE_ROLES
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.unit_of_work import Capabilities

__all__ = ["AsyncCore", "AsyncTransaction", "open_async"]


class AsyncCore(Bound, AsyncParts):
    """What an asyncio host calls. Made by :func:`clientcore.open_async`.

    The same parts as :class:`~clientcore.Core` (``core.clients``, ``core.visits``, ...,
    ``core.records(kind)``), each method a coroutine with the same parameters, result and
    errors: ``await core.clients.register(last_name="Nowak")``. Each call is one unit of
    work, run again when the storage was busy (:class:`~clientcore.Retry`, pausing with
    ``asyncio.sleep``); ``async with core.transaction() as tx:`` makes several one. Event
    handlers (``core.events``) are the synchronous ones of ``Core``.
    """

    _runner: AsyncCoreRunner

    def __init__(
        self,
        bridge: Bridge,
        *,
        tenant: str,
        actor: Actor | None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        owns_bridge: bool = True,
        retry: Retry | None = None,
        events: Events | None = None,
        merge_roles: Iterable[Role] = DEFAULT_MERGE_ROLES,
    ) -> None:
        self.events = Events() if events is None else events
        """The host's event handlers, shared with every core made from this one."""
        self._runner = AsyncCoreRunner(
            bridge,
            tenant=check_tenant(tenant),
            context=new_context(actor, clock, ids, merge_roles),
            retry=retry or Retry(),
            events=self.events,
        )
        self._owns_bridge = owns_bridge
        super().__init__(self._runner)

    @classmethod
    def open(
        cls,
        target: object,
        *,
        tenant: str,
        actor: Actor | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        kinds: Sequence[RecordKind[Any]] = (),
        retry: Retry | None = None,
        on_handler_error: HandlerErrorReport | None = None,
        merge_roles: Iterable[Role] = DEFAULT_MERGE_ROLES,
    ) -> AsyncCore:
        """Open an :class:`AsyncCore`, with the parameters of :func:`clientcore.open`.

        ``target`` is a SQLAlchemy ``AsyncEngine`` or ``AsyncConnection`` (aiosqlite, asyncpg,
        asyncmy), whose calls run through ``AsyncConnection.run_sync``; or anything
        :func:`clientcore.open` takes (``"memory://"``, a URL, a pymongo ``Database``, a
        synchronous ``Engine``, a backend), whose calls run in worker threads. Opening
        connects to nothing (call it where the engine is made). Raises what
        :func:`clientcore.open` raises.
        """
        from clientcore.bootstrap import async_bridge_for

        check_tenant(tenant)
        bridge, owned = async_bridge_for(target, kinds)
        return cls(
            bridge,
            tenant=tenant,
            actor=actor,
            clock=clock,
            ids=ids,
            owns_bridge=owned,
            retry=retry,
            events=Events(on_handler_error=on_handler_error),
            merge_roles=merge_roles,
        )

    @property
    def capabilities(self) -> Capabilities:
        """What the storage behind this core guarantees (see ``Core.capabilities``)."""
        return self._runner.bridge.capabilities

    def transaction(self) -> contextlib.AbstractAsyncContextManager[AsyncTransaction]:
        """``async with core.transaction() as tx:`` runs every call awaited through ``tx``
        in one unit of work on one connection, as ``Core.transaction`` does: committed when
        the block ends, rolled back if it raises, never run again inside (a
        :class:`~clientcore.errors.StorageBusy` leaves the block). The calls through ``tx``
        run one at a time. After-commit handlers run once the block has committed."""
        return self._runner.transaction()

    def _rebind(self, tenant: str, actor: Actor | None) -> AsyncCore:
        runner = self._runner
        return AsyncCore(
            runner.bridge,
            tenant=tenant,
            actor=actor,
            clock=runner.context.clock,
            ids=runner.context.ids,
            owns_bridge=False,
            retry=runner.retry,
            events=self.events,
            merge_roles=runner.context.merge_roles,
        )

    async def aclose(self) -> None:
        """Release what this core opened (a host's engine, connection or client stays open)."""
        if self._owns_bridge:
            await self._runner.bridge.aclose()

    async def __aenter__(self) -> AsyncCore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


open_async = AsyncCore.open
"""Open an :class:`AsyncCore` (see :meth:`AsyncCore.open`)."""
