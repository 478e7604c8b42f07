"""The core a host holds: one store, one tenant, one actor, and the parts of the API."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from types import TracebackType

from clientcore.api.bound import Bound, new_context
from clientcore.api.events import Events
from clientcore.api.parts import Parts, Transaction
from clientcore.api.runner import NO_RETRY, CoreRunner, Retry, SystemClock
from clientcore.entities.common import Actor, Role, check_tenant
from clientcore.entities.merge import DEFAULT_MERGE_ROLES
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.unit_of_work import Backend, Capabilities

__all__ = ["NO_RETRY", "Core", "Retry", "SystemClock"]


class Core(Bound, Parts):
    """What a host application calls. Made by :func:`clientcore.open`.

    The API is in parts: ``core.clients``, ``core.notes``, ``core.consents``,
    ``core.subjects``, ``core.staff``, ``core.setup``, ``core.visits``, ``core.calendar``,
    ``core.merges``, ``core.privacy``, ``core.messages``, ``core.sales``, ``core.products``,
    ``core.price_lists``, ``core.interests``, ``core.tasks``, ``core.linked``,
    ``core.bulk``, ``core.reports``.
    Each call runs in a unit of work of its own and is all-or-nothing: if it raises, nothing
    it did is kept (``transaction()`` makes several calls one unit). Every change is recorded
    in the history with the acting :class:`Actor`, and its events go to the handlers
    registered on ``core.events``.
    """

    _runner: CoreRunner

    def __init__(
        self,
        backend: Backend,
        *,
        tenant: str,
        actor: Actor | None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        owns_backend: bool = True,
        retry: Retry | None = None,
        events: Events | None = None,
        merge_roles: Iterable[Role] = DEFAULT_MERGE_ROLES,
    ) -> None:
        self.events = Events() if events is None else events
        """The host's event handlers, shared with every core made from this one."""
        self._runner = CoreRunner(
            backend,
            tenant=check_tenant(tenant),
            context=new_context(actor, clock, ids, merge_roles),
            retry=retry or Retry(),
            events=self.events,
        )
        self._owns_backend = owns_backend
        super().__init__(self._runner)

    @property
    def capabilities(self) -> Capabilities:
        """What the storage behind this core guarantees (e.g. multi-record transactions)."""
        return self._runner.backend.capabilities

    def transaction(self) -> contextlib.AbstractContextManager[Transaction]:
        """``with core.transaction() as tx:`` runs every call made through ``tx`` (which has
        the same parts: ``tx.clients.register(...)``, ``tx.consents.record(...)``) in one
        unit of work: committed when the block ends normally, rolled back if it raises.

        Nothing is run again inside: a :class:`~clientcore.errors.StorageBusy` leaves the
        block (rolled back), and the host runs the whole block again. A change that raised
        dooms the block: it is rolled back even if the error was caught inside (then
        :class:`~clientcore.errors.TransactionClosed` at its end, and on any further call).
        Reads through ``tx`` see the block's own writes, on every store (MongoDB without
        transactions reads the unit's pending writes).
        Use ``tx``, not the core, inside the block: a call on the core runs in a unit of its
        own, which does not see the block's writes and may wait for the block's locks (a
        write on SQLite does, until it gives up). After-commit handlers run once the block
        has committed.
        """
        return self._runner.transaction()

    def _rebind(self, tenant: str, actor: Actor | None) -> Core:
        runner = self._runner
        return Core(
            runner.backend,
            tenant=tenant,
            actor=actor,
            clock=runner.context.clock,
            ids=runner.context.ids,
            owns_backend=False,
            retry=runner.retry,
            events=self.events,
            merge_roles=runner.context.merge_roles,
        )

    def close(self) -> None:
        """Release connections this core opened (a host's own engine or client is left open)."""
        if self._owns_backend:
            self._runner.backend.close()

    def __enter__(self) -> Core:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
