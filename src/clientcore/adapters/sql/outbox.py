"""The SQL outbox: due messages are selected with a lock, then claimed by the records port.

PostgreSQL and MariaDB/MySQL select ``FOR UPDATE SKIP LOCKED``: rows another dispatcher is
claiming are passed over, not waited for, and never claimed twice. SQLite has no row locks:
a unit that writes begins with ``BEGIN IMMEDIATE``, which gives it the database's write lock
before it reads, so claims run one after another.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update

from clientcore.adapters.sql.records import SqlRecords
from clientcore.entities.message import Message, MessageState, claimed


class SqlOutbox(SqlRecords[Message]):
    """The messages of one tenant, with the dispatcher's claim."""

    def claim(self, *, now: datetime, until: datetime, limit: int) -> list[Message]:
        c = self._table.c
        due = or_(
            and_(c.state == MessageState.SCHEDULED.value, c.due_at <= now),
            and_(c.state == MessageState.SENDING.value, c.claimed_until <= now),
        )
        statement = (
            select(self._table)
            .where(c.tenant == self._db.tenant, due)
            .order_by(c.due_at, c.id)
            .limit(limit)
        )
        if self._db.dialect != "sqlite":
            statement = statement.with_for_update(skip_locked=True)
        taken = [claimed(self._record(row), now, until) for row in self._db.rows(statement)]
        if taken:  # one UPDATE for the batch: the rows are this unit's (locked) until it ends
            self._db.execute(
                update(self._table)
                .where(c.tenant == self._db.tenant, c.id.in_([m.id for m in taken]))
                .values(
                    state=MessageState.SENDING.value,
                    claimed_until=until,
                    updated_at=now,
                    attempts=c.attempts + 1,
                    version=c.version + 1,
                )
            )
        return taken
