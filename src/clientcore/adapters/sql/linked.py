"""One generic SQL implementation of every client-linked record kind, parameterised by table.

Subjects, notes, consents, events and visits differ only by their table, their row
conversion and their order; merge, forget and export reach all of them through
:class:`~clientcore.ports.linked.ClientLinkedRecords`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, delete, func, select, update

from clientcore.adapters.sql.convert import Row
from clientcore.adapters.sql.db import Db
from clientcore.entities.common import scrubbed
from clientcore.errors import NotFound


class Linked(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def client_id(self) -> UUID | None: ...


T = TypeVar("T", bound=Linked)


class SqlLinkedRecords(Generic[T]):
    """Rows of one kind that refer to clients, read in the order of ``order_by`` columns."""

    def __init__(
        self,
        db: Db,
        table: Table,
        *,
        kind: str,
        blocks_deletion: bool,
        order_by: Sequence[str],
        to_row: Callable[[str, T], dict[str, Any]],
        from_row: Callable[[Row], T],
    ) -> None:
        self._db = db
        self._table = table
        self._kind = kind
        self._blocks_deletion = blocks_deletion
        self._order_by = [table.c[name] for name in order_by]
        self._to_row = to_row
        self._from_row = from_row

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def blocks_deletion(self) -> bool:
        return self._blocks_deletion

    def _mine(self, *conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
        return [self._table.c.tenant == self._db.tenant, *conditions]

    def _by_id(self, record_id: UUID) -> list[ColumnElement[bool]]:
        return self._mine(self._table.c.id == record_id)

    def _not_found(self, record_id: UUID) -> NotFound:
        return NotFound(self._kind.rstrip("s"), record_id)

    def _insert(self, records: Sequence[T]) -> None:
        tenant = self._db.tenant
        self._db.insert_many(self._table, [self._to_row(tenant, record) for record in records])

    def _replace(self, record: T, *conditions: ColumnElement[bool]) -> int:
        """UPDATE the stored row of ``record`` (where ``conditions`` hold); rows changed."""
        row = self._to_row(self._db.tenant, record)
        del row["tenant"], row["id"]
        statement = update(self._table).where(*self._by_id(record.id), *conditions).values(row)
        return int(self._db.execute(statement).rowcount)

    def _replace_existing(self, record: T) -> None:
        if self._replace(record) != 1:
            raise self._not_found(record.id)

    def _remove(self, record_id: UUID) -> None:
        self._db.execute(delete(self._table).where(*self._by_id(record_id)))

    def _get(self, record_id: UUID) -> T:
        row = self._db.row(select(self._table).where(*self._by_id(record_id)))
        if row is None:
            raise self._not_found(record_id)
        return self._from_row(row)

    def _select(self, *conditions: ColumnElement[bool]) -> list[T]:
        statement = select(self._table).where(*self._mine(*conditions)).order_by(*self._order_by)
        return [self._from_row(row) for row in self._db.rows(statement)]

    def for_client(self, client_id: UUID) -> Sequence[T]:
        return self._select(self._table.c.client_id == client_id)

    def count_for_client(self, client_id: UUID) -> int:
        statement = select(func.count()).where(*self._mine(self._table.c.client_id == client_id))
        return int(self._db.execute(statement.select_from(self._table)).scalar_one())

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        statement = (
            update(self._table)
            .where(*self._mine(self._table.c.client_id == source_id))
            .values(client_id=target_id)
        )
        return int(self._db.execute(statement).rowcount)

    def scrub_client(self, client_id: UUID) -> int:
        changed = 0
        for row in self.for_client(client_id):
            clean = scrubbed(row)
            if clean != row:
                self._replace_existing(clean)
                changed += 1
        return changed
