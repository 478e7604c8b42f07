"""The outbox port: how a dispatcher claims due messages without another claiming them too.

Only the claim needs its own rules in the store (a lock); everything else about messages
goes through the generic records port (:data:`~clientcore.entities.kinds.MESSAGES`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from clientcore.entities.message import Message


class Outbox(Protocol):
    """The tenant's outbox in one unit of work."""

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[Message]:
        """Up to ``limit`` messages that are due at ``now`` (scheduled and due, or sending
        with a claim that ran out), earliest first, each changed by
        :func:`~clientcore.entities.message.claimed` and stored. Messages another unit of
        work is claiming at the same time are skipped, never claimed twice: a row lock
        (``FOR UPDATE SKIP LOCKED``) on PostgreSQL and MariaDB, the database's write lock
        (``BEGIN IMMEDIATE``) on SQLite, an atomic find-and-modify per message on MongoDB,
        the store's lock in memory."""
        ...
