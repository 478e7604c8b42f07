"""One generic SQL implementation of every client-linked record kind, parameterised by table.

Subjects, notes, consents, events and visits differ only by their table, their row
conversion and their order; merge, forget and export reach all of them through
:class:`~clientcore.ports.linked.ClientLinkedRecords`.

The statements are made once per table (see :func:`linked_statements`), with bound
parameters for every value, and bound to the values when run: SQLAlchemy then finds each
one's compiled form in the engine's cache without building and hashing a new statement
per call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    select,
    update,
)

from clientcore.adapters.sql.convert import Row
from clientcore.adapters.sql.db import Db
from clientcore.entities.common import scrubbed
from clientcore.errors import NotFound
from clientcore.ports.linked import Linked

T = TypeVar("T", bound=Linked)

WHERE_TENANT = "w_tenant"
WHERE_ID = "w_id"
WHERE_VERSION = "w_version"
"""Names of the parameters of the WHERE clause of an UPDATE, whose SET clause takes the
column names (``tenant``, ``id``...) for itself."""


def mine(table: Table, name: str = "tenant") -> ColumnElement[bool]:
    """The tenant's rows of ``table``; the tenant is bound as parameter ``name``."""
    return table.c.tenant == bindparam(name)


@attrs.frozen
class LinkedStatements:
    """The statements of one client-linked table, made once (see :func:`linked_statements`).

    Parameters: ``tenant`` and ``id`` / ``client_id`` in the reads; ``w_tenant``,
    ``w_id`` (and ``w_version``) in the WHERE clause of an UPDATE, whose SET clause takes
    the row's columns by name.
    """

    get: Select[Any]
    for_client: Select[Any]
    count_for_client: Select[Any]
    move_to_client: Update
    replace: Update
    replace_version: Update | None
    """None: the table has no ``version`` column."""
    remove: Delete


@functools.lru_cache(maxsize=256)
def linked_statements(table: Table, order_by: tuple[str, ...]) -> LinkedStatements:
    c = table.c
    order = [c[name] for name in order_by]
    by_id = (mine(table, WHERE_TENANT), c.id == bindparam(WHERE_ID))
    return LinkedStatements(
        get=select(table).where(mine(table), c.id == bindparam("id")),
        for_client=select(table)
        .where(mine(table), c.client_id == bindparam("client_id"))
        .order_by(*order),
        count_for_client=select(func.count())
        .select_from(table)
        .where(mine(table), c.client_id == bindparam("client_id")),
        move_to_client=update(table)
        .where(mine(table, WHERE_TENANT), c.client_id == bindparam("w_source"))
        .values(client_id=bindparam("w_target")),
        replace=update(table).where(*by_id),
        replace_version=(
            update(table).where(*by_id, c.version == bindparam(WHERE_VERSION))
            if "version" in c
            else None
        ),
        remove=delete(table).where(*by_id),
    )


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
        self._order_names = tuple(order_by)
        self._to_row = to_row
        self._from_row = from_row
        self._statements = linked_statements(table, self._order_names)

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def blocks_deletion(self) -> bool:
        return self._blocks_deletion

    @property
    def _order_by(self) -> list[ColumnElement[Any]]:
        return [self._table.c[name] for name in self._order_names]

    def _mine(self, *conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
        return [self._table.c.tenant == self._db.tenant, *conditions]

    def _not_found(self, record_id: UUID) -> NotFound:
        return NotFound(self._kind.rstrip("s"), record_id)

    def _insert(self, records: Sequence[T]) -> None:
        tenant = self._db.tenant
        self._db.insert_many(self._table, (self._to_row(tenant, record) for record in records))

    def _replace(self, record: T, *, version: int | None = None) -> int:
        """UPDATE the stored row of ``record`` (only if its stored version is ``version``,
        when given); the number of rows changed."""
        row: dict[str, Any] = self._to_row(self._db.tenant, record)
        del row["tenant"], row["id"]
        row[WHERE_TENANT] = self._db.tenant
        row[WHERE_ID] = record.id
        statement = self._statements.replace
        if version is not None:
            assert self._statements.replace_version is not None, f"{self._kind} have no version"
            row[WHERE_VERSION] = version
            statement = self._statements.replace_version
        return self._db.changed(statement, row)

    def _replace_existing(self, record: T) -> None:
        if self._replace(record) != 1:
            raise self._not_found(record.id)

    def _remove(self, record_id: UUID) -> None:
        self._db.execute(
            self._statements.remove, {WHERE_TENANT: self._db.tenant, WHERE_ID: record_id}
        )

    def _get(self, record_id: UUID) -> T:
        row = self._db.row(self._statements.get, {"tenant": self._db.tenant, "id": record_id})
        if row is None:
            raise self._not_found(record_id)
        return self._from_row(row)

    def _select(self, *conditions: ColumnElement[bool]) -> list[T]:
        """Rows matching ``conditions`` in order (a statement made for this call: kinds'
        occasional queries; the frequent ones are made once)."""
        statement = select(self._table).where(*self._mine(*conditions)).order_by(*self._order_by)
        return [self._from_row(row) for row in self._db.rows(statement)]

    def _rows(self, statement: Select[Any], **values: Any) -> list[T]:
        """The records a statement made once returns for the tenant and ``values``."""
        rows = self._db.rows(statement, {"tenant": self._db.tenant, **values})
        return [self._from_row(row) for row in rows]

    def for_client(self, client_id: UUID) -> Sequence[T]:
        return self._rows(self._statements.for_client, client_id=client_id)

    def count_for_client(self, client_id: UUID) -> int:
        parameters = {"tenant": self._db.tenant, "client_id": client_id}
        return int(self._db.execute(self._statements.count_for_client, parameters).scalar_one())

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        parameters = {WHERE_TENANT: self._db.tenant, "w_source": source_id, "w_target": target_id}
        return self._db.changed(self._statements.move_to_client, parameters)

    def scrub_client(self, client_id: UUID) -> int:
        changed = 0
        for row in self.for_client(client_id):
            clean = scrubbed(row)
            if clean != row:
                self._replace_existing(clean)
                changed += 1
        return changed
