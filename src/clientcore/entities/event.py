"""Audit events: who changed what, when (C12). Appended in the same unit of work as the change."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from clientcore.entities.common import Role, role_set


@attrs.frozen
class FieldChange:
    """One field's value before and after, rendered as text (None where there was none)."""

    field: str
    old: str | None = None
    new: str | None = None


@attrs.frozen
class Event:
    """``kind`` is an :class:`EventKind` value (read back from a store as the plain string,
    which compares equal); ``client_id`` ties the event to a client's history."""

    id: UUID
    kind: str
    entity_id: UUID
    client_id: UUID | None
    actor_id: str
    at: datetime
    actor_roles: frozenset[Role] = attrs.field(default=frozenset(), converter=role_set)
    changes: tuple[FieldChange, ...] = ()


class EventKind(enum.StrEnum):
    """What happened: the ``kind`` of every :class:`Event` clientcore records.

    Values are the dotted strings stored in the history; being a ``str``, a member compares
    equal to the stored text (``event.kind == EventKind.CLIENT_REGISTERED``).
    """

    CLIENT_REGISTERED = "client.registered"
    CLIENT_UPDATED = "client.updated"
    CLIENT_INACTIVE = "client.inactive"
    CLIENT_ACTIVE = "client.active"
    CLIENT_GROUPED = "client.grouped"
    CLIENT_UNGROUPED = "client.ungrouped"
    CLIENT_DELETED = "client.deleted"
    NOTE_ADDED = "note.added"
    MEMO_ADDED = "memo.added"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    SUBJECT_ADDED = "subject.added"
    SUBJECT_UPDATED = "subject.updated"
    SETTINGS_CHANGED = "settings.changed"
    STAFF_ADDED = "staff.added"
    STAFF_UPDATED = "staff.updated"
    STAFF_HOURS_SET = "staff.hours_set"
    GROUP_DEFINED = "group.defined"
    ATTRIBUTE_DEFINED = "attribute.defined"
    VISIT_BOOKED = "visit.booked"
    VISIT_RESCHEDULED = "visit.rescheduled"
    VISIT_UPDATED = "visit.updated"
    VISIT_CANCELLED = "visit.cancelled"
    VISIT_ARRIVED = "visit.arrived"
    VISIT_NO_SHOW = "visit.no_show"
    VISIT_CHARGED = "visit.charged"
    VISIT_SETTLED = "visit.settled"
    VISIT_DELETED = "visit.deleted"
    BREAK_BOOKED = "break.booked"
    BREAK_RESCHEDULED = "break.rescheduled"
    BREAK_UPDATED = "break.updated"
    BREAK_CANCELLED = "break.cancelled"
    BREAK_DELETED = "break.deleted"
    SALE_DRAFTED = "sale.drafted"
    SALE_CHANGED = "sale.changed"
    SALE_ISSUED = "sale.issued"
    SALE_DELETED = "sale.deleted"
    SALE_PAID = "sale.paid"
    """A settlement paid (part of) an issued document."""
    SETTLEMENT_RECORDED = "settlement.recorded"
    PRICE_LIST_ASSIGNED = "price_list.assigned"
    PRICE_LIST_UNASSIGNED = "price_list.unassigned"
    INTEREST_RECORDED = "interest.recorded"
    INTEREST_REMOVED = "interest.removed"
    RECORD_ADDED = "record.added"
    """A record of a host's kind was added (``core.records(kind)``)."""
    RECORD_REPLACED = "record.replaced"
    RECORD_DELETED = "record.deleted"
    CLIENT_FORGOTTEN = "client.forgotten"
    """A client was forgotten: its status change and, per record kind, the keys of the
    records the forget changed (what its undo reads)."""
    CLIENT_FORGET_UNDONE = "client.forget_undone"
    ANONYMISATION_REQUESTED = "client.anonymisation_requested"
    """A confirmation code was issued: its salted hash only, never the code."""
    CLIENT_ANONYMISED = "client.anonymised"
    """The receipt of an anonymisation: how many values of each kind were scrubbed."""
    CLIENT_EXPORTED = "client.exported"
    """Everything held about the client was exported (who asked, and when)."""
    MESSAGE_QUEUED = "message.queued"
    """A message was stored in the outbox (sent now or scheduled)."""
    MESSAGE_CANCELLED = "message.cancelled"
    MESSAGE_SUPPRESSED = "message.suppressed"
    """A message was not sent: the consent it needs was not in force at send time."""
    MESSAGING_CONFIGURED = "messaging.configured"
    CLIENT_MERGED = "client.merged"
    """Other clients were merged into this one (the base); ``entity_id`` is the merge."""
    CLIENT_MERGED_INTO = "client.merged_into"
    """This client was merged into another (``merged_into`` change); ``entity_id`` is the
    merge."""
    SUBJECT_MERGED = "subject.merged"
    """Subjects of the client were merged; ``entity_id`` is the merge."""
    TASK_CREATED = "task.created"
    TASK_DONE = "task.done"
    """A task was done; with ``notify`` among its changes when its creator asked to be told."""
    TASK_REOPENED = "task.reopened"
    LINKED_ADDED = "linked.added"
    """A linked record (subscription, order, repair, treatment, trip...) was added."""
    LINKED_CLOSED = "linked.closed"
    """A linked record was closed: a subscription stopped, an order delivered..."""
    SECTION_SET = "section.set"
    """A client's company or medical data section was written."""


def scrub_changes(event: Event, fields: frozenset[str]) -> Event:
    """``event`` with the old and new values of its changes of ``fields`` blanked; who did
    what and when stays."""
    changes = tuple(
        FieldChange(change.field) if change.field in fields else change for change in event.changes
    )
    return event if changes == event.changes else attrs.evolve(event, changes=changes)
