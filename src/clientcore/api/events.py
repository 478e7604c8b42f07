"""``core.events``: a host's handlers of the events clientcore records.

* :meth:`Events.on` handlers run inside the change's unit of work, before it commits, in
  the order the events were recorded. They get the event and a :class:`Transaction` on the
  same unit, through which they may read and write (their writes' events are delivered
  too). An exception rolls the whole change back and reaches the caller. When the store was
  busy and the core runs the change again, they run again with it: leave effects outside
  the store (a message sent) to after-commit handlers.
* :meth:`Events.after_commit` handlers run once the change is committed, never for a change
  that was rolled back. One that raises undoes nothing: the error is logged on the
  ``clientcore`` logger and passed to ``on_handler_error`` (given to ``clientcore.open``),
  and the other handlers still run. On a core bound to a host's SQL ``Connection``
  (``capabilities.joins_host_transaction``) the commit is the release of clientcore's
  savepoint: the host's own transaction may still roll back after these handlers ran.

Handlers are shared by every core made from the same ``clientcore.open`` (``acting_as``,
``for_tenant``); they run on the caller's thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence

from clientcore.api.checks import checked
from clientcore.api.parts import Transaction
from clientcore.api.visit_messages import VISIT_EVENTS, follow_visit
from clientcore.entities.event import Event, EventKind

logger = logging.getLogger("clientcore")

InUnitHandler = Callable[[Event, Transaction], object]
"""Called inside the unit of work with the event and a transaction on that unit."""
AfterCommitHandler = Callable[[Event], object]
"""Called after the change was committed."""
HandlerErrorReport = Callable[[Event, Exception], object]
"""Told of an after-commit handler that raised (the change stays)."""

Kinds = EventKind | Iterable[EventKind]
"""One kind, or several (``EventKind`` itself: every kind)."""

HANDLER_DEPTH_LIMIT = 8
"""How deeply handlers' own writes may call handlers again before the change is refused
(:class:`~clientcore.errors.HandlerDepthExceeded`)."""


def _kinds(kinds: Kinds) -> tuple[EventKind, ...]:
    """The kinds named, checked (a str that is no event kind raises ValueError)."""
    if isinstance(kinds, str):
        return (EventKind(kinds),)
    return tuple(EventKind(kind) for kind in kinds)


@checked
class Events:
    """The handlers of one opened core (see the module's docstring)."""

    def __init__(self, *, on_handler_error: HandlerErrorReport | None = None) -> None:
        self._lock = threading.Lock()
        self._in_unit: dict[str, tuple[InUnitHandler, ...]] = {}
        self._after_commit: dict[str, tuple[AfterCommitHandler, ...]] = {}
        self._on_handler_error = on_handler_error
        self.kinds: frozenset[str] = frozenset()
        """The kinds some handler listens to (the runner collects only these)."""
        self.on(VISIT_EVENTS, follow_visit)  # clientcore's own: a visit's messages

    def on(self, kinds: Kinds, handler: InUnitHandler) -> None:
        """Call ``handler(event, tx)`` inside the unit of work of each event of ``kinds``."""
        with self._lock:
            for kind in _kinds(kinds):
                self._in_unit[kind] = (*self._in_unit.get(kind, ()), handler)
            self._update_kinds()

    def after_commit(self, kinds: Kinds, handler: AfterCommitHandler) -> None:
        """Call ``handler(event)`` after each committed change that recorded an event of
        ``kinds``."""
        with self._lock:
            for kind in _kinds(kinds):
                self._after_commit[kind] = (*self._after_commit.get(kind, ()), handler)
            self._update_kinds()

    def _update_kinds(self) -> None:
        self.kinds = frozenset(self._in_unit) | frozenset(self._after_commit)

    def handlers_in_unit(self, kind: str) -> tuple[InUnitHandler, ...]:
        return self._in_unit.get(kind, ())

    def committed(self, events: Sequence[Event]) -> None:
        """Call the after-commit handlers of ``events``, in order, reporting failures."""
        for event in events:
            for handler in self._after_commit.get(event.kind, ()):
                try:
                    handler(event)
                except Exception as error:
                    self._report(event, handler, error)

    def _report(self, event: Event, handler: AfterCommitHandler, error: Exception) -> None:
        logger.error(
            "after-commit handler %r failed on %s %s (the change is kept)",
            handler,
            event.kind,
            event.entity_id,
            exc_info=error,
        )
        if self._on_handler_error is None:
            return
        try:
            self._on_handler_error(event, error)
        except Exception:
            logger.exception("on_handler_error failed while reporting an after-commit handler")
