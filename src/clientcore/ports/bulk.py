"""The bulk-change port: one change written to many clients at once, set-based.

Scoped to the tenant of its unit of work like every repository. The operation reads the
selected clients' :class:`~clientcore.entities.bulk.ClientState` (:meth:`states`), decides
which of them the change changes and what their history events say, then has the store
write the change to all of them at once (:meth:`apply`): one UPDATE per batch of ids on
SQL (and one INSERT ... SELECT / DELETE of index rows), one ``update_many`` on MongoDB,
never a round trip per client. A store that can also write the events set-based does all
of it in :meth:`apply_logged` (SQL: INSERT ... SELECT of the events from the clients), and
changes a caretaker's clients without reading their ids first
(:meth:`change_caretaker_logged`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from clientcore.entities.bulk import (
    BulkChange,
    BulkResult,
    ClientState,
    SetCaretaker,
    SkipReason,
)
from clientcore.entities.event import Event, FieldChange

Outcome = Callable[[ClientState], SkipReason | FieldChange]
"""What a change does to a client in a state: why it skips it, or the change its history
event records. It reads only the state's status and changed field, never its id or version."""


class BulkClients(Protocol):
    def states(self, client_ids: Sequence[UUID], field: str | None = None) -> list[ClientState]:
        """The states of those of ``client_ids`` that are clients of the tenant (others
        are left out), in no particular order: id, version, status, and ``field``
        (``caretaker_id``, ``group_ids`` or ``attributes``; None: none of them), the other
        fields may be left empty. Where the store can, the rows are locked until the unit
        of work ends, so that :meth:`apply` writes over what was read."""
        ...

    def with_caretaker(self, caretaker_id: UUID) -> list[UUID]:
        """The ids of the tenant's clients whose caretaker is ``caretaker_id``."""
        ...

    def apply(self, change: BulkChange, client_ids: Sequence[UUID], at: datetime) -> int:
        """Write ``change`` to every client of ``client_ids`` (read by :meth:`states` in
        this unit of work, each of which it changes), with ``updated_at`` set to ``at``
        and the version bumped by one; how many clients were written. The search and
        filter indexes follow."""
        ...

    def apply_logged(
        self, change: BulkChange, client_ids: Sequence[UUID], head: Event, outcome: Outcome
    ) -> BulkResult | None:
        """:meth:`states`, :meth:`apply` and the history events at once, set-based: each
        changed client's event is ``head`` with its own new id, the client as entity and
        client, and the change ``outcome`` gives (decided once per distinct stored value,
        the events written by INSERT ... SELECT from the clients). The clients skipped
        and changed in the order of ``client_ids``. None: this store does not write
        events itself (the operation then reads states and appends the events)."""
        ...

    def change_caretaker_logged(
        self, old_caretaker_id: UUID, change: SetCaretaker, head: Event, outcome: Outcome
    ) -> BulkResult | None:
        """:meth:`apply_logged` to every client of the tenant whose caretaker is
        ``old_caretaker_id``, selected by the store in the statements that write them (no
        ids read first; ``outcome`` decided once per status, the only thing that differs
        between them). The clients changed and skipped in no particular order. None: this
        store does not do it (the operation then reads the ids, :meth:`with_caretaker`)."""
        ...


class WritesNoEvents:
    """The two set-based writes of :class:`BulkClients` for a store that writes no history
    events itself (memory, MongoDB): both answer None, and the operation reads the states
    (or the old caretaker's ids) and appends the events."""

    def apply_logged(
        self, change: BulkChange, client_ids: Sequence[UUID], head: Event, outcome: Outcome
    ) -> BulkResult | None:
        return None

    def change_caretaker_logged(
        self, old_caretaker_id: UUID, change: SetCaretaker, head: Event, outcome: Outcome
    ) -> BulkResult | None:
        return None
