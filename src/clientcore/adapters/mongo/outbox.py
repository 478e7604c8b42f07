"""The MongoDB outbox: each due message is claimed with one atomic find-and-modify, which
no two units of work can both win; it is applied at once, in the unit's transaction where
there is one and without one otherwise (a claim must be seen by other dispatchers before
the claiming unit ends; if that unit then fails, the claim runs out and the message is
claimed again, under the same idempotency key)."""

from __future__ import annotations

from datetime import datetime

from clientcore.adapters.mongo.records import MongoRecords
from clientcore.entities.message import Message, MessageState


class MongoOutbox(MongoRecords[Message]):
    """The messages of one tenant, with the dispatcher's claim."""

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[Message]:
        due = {
            "$or": [
                {"state": MessageState.SCHEDULED.value, "due_at": {"$lte": now}},
                {"state": MessageState.SENDING.value, "claimed_until": {"$lte": now}},
            ]
        }
        change = {
            "$set": {
                "state": MessageState.SENDING.value,
                "claimed_until": until,
                "updated_at": now,
            },
            "$inc": {"attempts": 1, "version": 1},
        }
        taken = []
        for _ in range(limit):
            document = self._store.take(due, change, sort=self._layout.sort)
            if document is None:
                break
            taken.append(self._row(document)[0])
        return taken
