"""SQL bulk changes: each batch of ids is one UPDATE of ``clients`` (the JSON columns
changed in SQL, by each engine's JSON functions) and one DELETE and/or INSERT ... SELECT
of its index rows, whatever the number of clients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Text, cast, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import BATCH, Db
from clientcore.adapters.sql.schema import Id, Key
from clientcore.entities.attribute import comparable
from clientcore.entities.bulk import (
    AddGroup,
    BulkChange,
    ClearAttribute,
    ClientState,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
)
from clientcore.entities.client import ClientStatus

_READERS: dict[str, Callable[[Any], Any]] = {
    "caretaker_id": lambda value: value,
    "group_ids": convert.group_ids_from_text,
    "attributes": convert.attributes_from_text,
}
"""How each field a bulk change writes is read from its column."""


def _batches(ids: Sequence[UUID]) -> list[Sequence[UUID]]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


class SqlBulkClients:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._t = db.tables.clients

    def _mine(self, ids: Sequence[UUID]) -> list[ColumnElement[bool]]:
        c = self._t.c
        return [c.tenant == self._db.tenant, c.id.in_(list(ids))]

    def states(self, client_ids: Sequence[UUID], field: str | None = None) -> list[ClientState]:
        c = self._t.c
        read = None if field is None else _READERS.get(field)
        columns = [c.id, c.version, c.status] + ([c[field]] if field and read else [])
        found = []
        for ids in _batches(list(dict.fromkeys(client_ids))):
            statement = select(*columns).where(*self._mine(ids))
            for row in self._db.tuples(self._db.for_update(statement)):
                extra: dict[str, Any] = {} if not field or read is None else {field: read(row[3])}
                found.append(ClientState(row[0], row[1], ClientStatus(row[2]), **extra))
        return found

    def with_caretaker(self, caretaker_id: UUID) -> list[UUID]:
        c = self._t.c
        statement = select(c.id).where(c.tenant == self._db.tenant, c.caretaker_id == caretaker_id)
        return [row[0] for row in self._db.tuples(statement)]

    def apply(self, change: BulkChange, client_ids: Sequence[UUID], at: datetime) -> int:
        c = self._t.c
        values: dict[str, Any] = {"updated_at": at, "version": c.version + 1}
        if isinstance(change, SetCaretaker):
            values["caretaker_id"] = change.caretaker_id
        elif isinstance(change, SetAttribute | ClearAttribute):
            values["attributes"] = _attributes(self._db.dialect, c.attributes, change)
        else:
            values["group_ids"] = _group_ids(self._db.dialect, c.group_ids, change)
        written = 0
        for ids in _batches(client_ids):
            written += self._db.changed(update(self._t).where(*self._mine(ids)).values(values), {})
            self._index_rows(change, ids)
        if not isinstance(change, SetCaretaker):
            # Many new index rows of one key or group: without fresh statistics PostgreSQL
            # would plan the next bulk change's DELETE by that key (few rows, it thinks)
            # and read every one of them for each batch of ids.
            tables = self._db.tables
            grouped = isinstance(change, AddGroup | RemoveGroup)
            index = tables.client_groups if grouped else tables.client_attributes
            self._db.refresh_statistics(index, len(client_ids))
        return written

    def _index_rows(self, change: BulkChange, ids: Sequence[UUID]) -> None:
        """The batch's ``client_attributes`` / ``client_groups`` rows, set-based."""
        tables, tenant = self._db.tables, self._db.tenant
        c = self._t.c
        if isinstance(change, SetAttribute | ClearAttribute):
            table = tables.client_attributes
            self._db.execute(
                delete(table).where(
                    table.c.tenant == tenant,
                    table.c.key == change.key,
                    table.c.client_id.in_(list(ids)),
                )
            )
            if isinstance(change, SetAttribute):
                rows = select(
                    c.tenant,
                    c.id,
                    literal(change.key, Key(64)),
                    literal(comparable(change.value), Key(1100)),
                ).where(*self._mine(ids))
                columns = ["tenant", "client_id", "key", "value"]
                self._db.execute(insert(table).from_select(columns, rows))
        elif isinstance(change, AddGroup | RemoveGroup):
            table = tables.client_groups
            if isinstance(change, AddGroup):
                rows = select(c.tenant, c.id, literal(change.group_id, Id())).where(
                    *self._mine(ids)
                )
                self._db.execute(
                    insert(table).from_select(["tenant", "client_id", "group_id"], rows)
                )
            else:
                self._db.execute(
                    delete(table).where(
                        table.c.tenant == tenant,
                        table.c.group_id == change.group_id,
                        table.c.client_id.in_(list(ids)),
                    )
                )


def _attributes(
    dialect: str, column: ColumnElement[str], change: SetAttribute | ClearAttribute
) -> ColumnElement[str]:
    """The ``attributes`` JSON text with ``change`` made to it, in SQL."""
    path = f'$."{change.key}"'  # keys are a-z, 0-9 and _ (validation.identifier)
    if isinstance(change, SetAttribute):
        value = convert.stored_attribute_text(change.value)
        if dialect == "postgresql":
            pair = func.jsonb_build_object(
                cast(change.key, Text), cast(literal(value, Text), JSONB)
            )
            return cast(cast(column, JSONB).op("||")(pair), Text)
        if dialect == "sqlite":
            return func.json_set(column, path, func.json(value))
        return func.json_set(column, path, func.json_extract(value, "$"))
    if dialect == "postgresql":
        return cast(cast(column, JSONB).op("-")(cast(change.key, Text)), Text)
    return func.json_remove(column, path)


def _group_ids(
    dialect: str, column: ColumnElement[str], change: AddGroup | RemoveGroup
) -> ColumnElement[str]:
    """The ``group_ids`` JSON text with ``change`` made to it, in SQL (every client
    written has the group / has not, as :meth:`SqlBulkClients.apply` is told)."""
    group = str(change.group_id)
    if isinstance(change, AddGroup):
        if dialect == "postgresql":
            return cast(cast(column, JSONB).op("||")(func.to_jsonb(cast(group, Text))), Text)
        if dialect == "sqlite":
            return func.json_insert(column, "$[#]", group)
        return func.json_array_append(column, "$", group)
    if dialect == "postgresql":
        return cast(cast(column, JSONB).op("-")(cast(group, Text)), Text)
    if dialect == "sqlite":
        each = func.json_each(column).table_valued("value")
        kept = select(func.json_group_array(each.c.value)).where(each.c.value != group)
        return kept.scalar_subquery()
    return func.json_remove(column, func.json_unquote(func.json_search(column, "one", group)))
