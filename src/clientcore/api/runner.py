"""The one runner under every part: it opens the unit of work, runs the operation, retries
it when the storage was busy, and hands the recorded events to the host's handlers."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import attrs

from clientcore.api.events import HANDLER_DEPTH_LIMIT, Events
from clientcore.api.parts import Transaction
from clientcore.entities.event import Event
from clientcore.errors import HandlerDepthExceeded, StorageBusy, TransactionClosed
from clientcore.operations.context import Collector, Context
from clientcore.ports.purge import purge
from clientcore.ports.unit_of_work import Backend, UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@attrs.frozen
class Retry:
    """How a :class:`~clientcore.Core` runs an operation again when the storage was busy
    (:class:`~clientcore.errors.StorageBusy`: a deadlock, serialization failure, lock wait
    timeout, SQLite busy, MongoDB write conflict; nothing was changed).

    The whole operation, in a fresh unit of work, runs at most ``attempts`` times in all.
    Before run ``n + 1`` it pauses for a random time between half and all of
    ``min(longest_pause, first_pause * 2 ** (n - 1))`` seconds ("equal jitter"), so that
    writers that collided once do not collide again in step. ``sleep`` and ``jitter`` (a
    number in ``[0, 1)``) are replaceable for tests.
    """

    attempts: int = 8
    first_pause: float = 0.01
    longest_pause: float = 0.5
    sleep: Callable[[float], object] = time.sleep
    jitter: Callable[[], float] = random.random

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0 <= self.first_pause <= self.longest_pause:
            raise ValueError("pauses must satisfy 0 <= first_pause <= longest_pause")

    def pause(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.longest_pause, self.first_pause * 2.0 ** (retry - 1))
        return ceiling * (0.5 + self.jitter() / 2)


NO_RETRY = Retry(attempts=1)


class Runner(Protocol):
    """What a part calls: an operation run in a unit of work of the core's tenant."""

    def read(
        self,
        operation: Callable[Concatenate[UnitOfWork, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """``operation(uow, *args, **kwargs)`` in a unit of work that only reads."""
        ...

    def write(
        self,
        operation: Callable[Concatenate[UnitOfWork, Context, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """``operation(uow, ctx, *args, **kwargs)`` in a unit of work, all or nothing."""
        ...

    def now(self) -> datetime:
        """The current time (the core's clock)."""
        ...

    def purge(self, *, thorough: bool = False) -> None:
        """Have the store clean what it keeps physically of erased values
        (:class:`~clientcore.ports.purge.Purging`), once what was written is committed."""
        ...


class Unit:
    """One open unit of work: runs operations in it, delivers the events they record to
    the in-unit handlers at once, and keeps them for the after-commit handlers."""

    def __init__(self, uow: UnitOfWork, context: Context, events: Events, *, tenant: str) -> None:
        self._uow = uow
        self._context = context
        self._events = events
        self._recorded: list[Event] = []
        self._depth = 0
        self._open = True
        self._failure: BaseException | None = None
        self._tenant = tenant
        self._transaction: Transaction | None = None
        self.purges: set[bool] = set()
        """The purges asked for in this unit (thorough or not), run after its commit."""

    @property
    def transaction(self) -> Transaction:
        """The parts over this unit (made when first asked for: most units never are)."""
        if self._transaction is None:
            self._transaction = Transaction(self, tenant=self._tenant, actor=self._context.actor)
        return self._transaction

    def read(
        self,
        operation: Callable[Concatenate[UnitOfWork, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        if not self._open:
            raise TransactionClosed() from self._failure
        return operation(self._uow, *args, **kwargs)

    def write(
        self,
        operation: Callable[Concatenate[UnitOfWork, Context, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        if not self._open:
            raise TransactionClosed() from self._failure
        try:
            kinds = self._events.kinds
            if not kinds:
                return operation(self._uow, self._context, *args, **kwargs)
            collector = Collector(kinds)
            context = attrs.evolve(self._context, collector=collector)
            result = operation(self._uow, context, *args, **kwargs)
            self._deliver(collector.events)
            return result
        except BaseException as failure:
            # What the call wrote before it raised is in the unit: the unit can only roll back.
            self._failure = failure
            self._open = False
            raise

    def now(self) -> datetime:
        return self._context.now()

    def purge(self, *, thorough: bool = False) -> None:
        self.purges.add(thorough)

    def _deliver(self, events: Sequence[Event]) -> None:
        self._recorded.extend(events)
        for event in events:
            handlers = self._events.handlers_in_unit(event.kind)
            if not handlers:
                continue
            if self._depth >= HANDLER_DEPTH_LIMIT:
                raise HandlerDepthExceeded(event.kind, HANDLER_DEPTH_LIMIT)
            self._depth += 1
            try:
                for handler in handlers:
                    handler(event, self.transaction)
            finally:
                self._depth -= 1

    def commit(self) -> None:
        """Commit, unless a write in the unit raised (a caller caught it and went on)."""
        if self._failure is not None:
            raise TransactionClosed(failed=True) from self._failure
        self._uow.commit()

    def close(self) -> None:
        """Refuse any further call (a handler or host may still hold the transaction)."""
        self._open = False

    def committed(self) -> None:
        """Call the after-commit handlers of what this unit recorded."""
        if self._recorded:
            self._events.committed(self._recorded)


class CoreRunner:
    """The runner of a :class:`~clientcore.Core`: a unit of work per call."""

    def __init__(
        self,
        backend: Backend,
        *,
        tenant: str,
        context: Context,
        retry: Retry,
        events: Events,
    ) -> None:
        self.backend = backend
        self.tenant = tenant
        self.context = context
        self.retry = retry
        self.events = events

    def now(self) -> datetime:
        return self.context.now()

    def purge(self, *, thorough: bool = False) -> None:
        purge(self.backend, thorough=thorough)

    def read(
        self,
        operation: Callable[Concatenate[UnitOfWork, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        with self.backend.unit_of_work(self.tenant, read_only=True) as uow:
            return operation(uow, *args, **kwargs)

    def write(
        self,
        operation: Callable[Concatenate[UnitOfWork, Context, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run ``operation`` in a unit of work and commit it; when the storage was busy
        (:class:`StorageBusy`: nothing was changed), run the whole of it again, in-unit
        handlers included, in a fresh unit of work, as :class:`Retry` says. Any other error
        is raised at once. After the commit, the after-commit handlers run.

        A backend whose units of work are savepoints in a host's transaction
        (``capabilities.joins_host_transaction``) is not retried: a deadlock may have ended
        the host's whole transaction (MariaDB/MySQL roll all of it back), which only the
        host can run again, so the host gets the ``StorageBusy``.
        """
        retry = self.retry
        if self.backend.capabilities.joins_host_transaction:
            retry = NO_RETRY
        run = 1
        while True:
            try:
                with self.backend.unit_of_work(self.tenant) as uow:
                    unit = Unit(uow, self.context, self.events, tenant=self.tenant)
                    try:
                        result = unit.write(operation, *args, **kwargs)
                        unit.commit()
                    finally:
                        unit.close()
                break
            except StorageBusy:
                if run >= retry.attempts:
                    raise
            retry.sleep(retry.pause(run))
            run += 1
        unit.committed()
        return result

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One unit of work for the block (see ``Core.transaction``)."""
        with self.backend.unit_of_work(self.tenant) as uow:
            unit = Unit(uow, self.context, self.events, tenant=self.tenant)
            try:
                yield unit.transaction
                unit.commit()
            finally:
                unit.close()
        unit.committed()
        if unit.purges:
            self.purge(thorough=any(unit.purges))
