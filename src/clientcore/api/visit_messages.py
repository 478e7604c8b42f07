"""The handler that keeps a visit's confirmation and reminder in step with the visit.

Every :class:`~clientcore.api.events.Events` calls it inside the unit of work of each
booking, reschedule, cancellation and deletion of a visit, like a host's own in-unit
handler: what it queues is written in the same unit, so a booking that is rolled back
queues nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientcore.entities.event import Event, EventKind

if TYPE_CHECKING:
    from clientcore.api.parts import Transaction

VISIT_EVENTS = (
    EventKind.VISIT_BOOKED,
    EventKind.VISIT_RESCHEDULED,
    EventKind.VISIT_CANCELLED,
    EventKind.VISIT_DELETED,
)


def follow_visit(event: Event, tx: Transaction) -> None:
    tx.messages.follow_visit(event.entity_id, booked=event.kind == EventKind.VISIT_BOOKED)
