"""The in-memory outbox: units of work run one at a time under the store's lock, so a
claim is the records port's read and replace."""

from __future__ import annotations

from datetime import datetime

from clientcore.adapters.memory.records import MemoryRecords
from clientcore.entities.message import Message, claimed, is_due


class MemoryOutbox(MemoryRecords[Message]):
    """The messages of one tenant, with the dispatcher's claim."""

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[Message]:
        due = [message for message in self.find() if is_due(message, now)][:limit]
        taken = [claimed(message, now, until) for message in due]
        for message in taken:
            self.replace(message)
        return taken
