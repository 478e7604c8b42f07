"""SQL bulk changes: each batch of ids is one UPDATE of ``clients`` (the JSON columns
changed in SQL, by each engine's JSON functions) and one DELETE or INSERT ... SELECT (an
upsert for a set attribute) of its index rows, whatever the number of clients. On SQLite
the UPDATE goes by the rowids the clients' read gave, in rowid order. A change of
caretaker selects the old caretaker's clients in its statements, no ids read first."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Select,
    Table,
    Text,
    any_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.selectable import NamedFromClause

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import BATCH, Db
from clientcore.adapters.sql.schema import Id, Key
from clientcore.entities.attribute import comparable
from clientcore.entities.bulk import (
    CHANGED_FIELD,
    AddGroup,
    BulkChange,
    BulkResult,
    ClearAttribute,
    ClientState,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
    Skipped,
    SkipReason,
)
from clientcore.entities.client import ClientStatus
from clientcore.entities.event import Event, FieldChange
from clientcore.ports.bulk import Outcome

_READERS: dict[str, Callable[[Any], Any]] = {
    "caretaker_id": lambda value: value,
    "group_ids": convert.group_ids_from_text,
    "attributes": convert.attributes_from_text,
}
"""How each field a bulk change writes is read from its column."""


BULK_BATCH = 5 * BATCH
"""Ids per statement of a bulk change: fewer, larger statements (their parameters stay
under every engine's limit, SQLite's 32,766 included)."""


def _batches(ids: Sequence[UUID], size: int = BULK_BATCH) -> list[Sequence[UUID]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


class SqlBulkClients:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._t = db.tables.clients

    def _mine(self, ids: _Ids) -> list[ColumnElement[bool]]:
        c = self._t.c
        return [c.tenant == self._db.tenant, ids.among(c.id)]

    def _written(self, ids: _Ids, *, updating: bool = False) -> list[ColumnElement[bool]]:
        """Which clients a statement writing ``ids`` (or reading them to write another
        table) takes. On SQLite, once their rowids are read (:meth:`_Ids.at_rows`), by
        rowid: the UPDATE looks each up, in rowid order (each page of the table read and
        written once, where the ids' random order would come back to the same pages
        after SQLite's small page cache has spilled them); an INSERT ... SELECT of a
        selection scanned reads the tenant's primary-key index (in id order, so the rows
        it inserts land in order in the target's index, and no page of the table is
        read) keeping the listed rowids: integers, cheaper to look up than the ids' text."""
        tenant = self._t.c.tenant == self._db.tenant
        if ids.rows and updating:
            # The tenant's condition is true of every listed row (likely()): SQLite then
            # looks the rowids up rather than walking an index of the tenant.
            return [func.likely(tenant), ids.rowid_among()]
        if ids.rows and ids.scan:
            return [tenant, ids.rowid_among()]
        return self._mine(ids)

    def states(self, client_ids: Sequence[UUID], field: str | None = None) -> list[ClientState]:
        c = self._t.c
        read = None if field is None else _READERS.get(field)
        columns = [c.id, c.version, c.status] + ([c[field]] if field and read else [])
        found = []
        for ids in _batches(list(dict.fromkeys(client_ids)), BATCH):
            statement = select(*columns).where(*self._mine(_Ids(self._db.dialect, ids)))
            for row in self._db.tuples(self._db.for_update(statement)):
                extra: dict[str, Any] = {} if not field or read is None else {field: read(row[3])}
                found.append(ClientState(row[0], row[1], ClientStatus(row[2]), **extra))
        return found

    def with_caretaker(self, caretaker_id: UUID) -> list[UUID]:
        c = self._t.c
        statement = select(c.id).where(c.tenant == self._db.tenant, c.caretaker_id == caretaker_id)
        return [row[0] for row in self._db.tuples(statement)]

    def _selection(self, client_ids: Sequence[UUID]) -> list[_Ids]:
        """The batches of ids each statement of a bulk change reads. On SQLite all of them
        at once (bound as one JSON array, so no parameter limit applies): each statement is
        one pass, over the tenant's clients when the selection is at least half of them
        (``scan``: cheaper than looking each id up), else over the ids."""
        dialect = self._db.dialect
        if dialect != "sqlite" or not client_ids:
            return [_Ids(dialect, ids) for ids in _batches(client_ids)]
        c = self._t.c
        clients = self._db.tuples(select(func.count()).where(c.tenant == self._db.tenant))[0][0]
        return [_Ids(dialect, client_ids, scan=2 * len(client_ids) >= clients)]

    def apply(self, change: BulkChange, client_ids: Sequence[UUID], at: datetime) -> int:
        values = self._values(change, at)
        batches = self._selection(client_ids)
        written = sum(self._write(change, ids, values) for ids in batches)
        self._finish(change, batches)
        return written

    def apply_logged(
        self, change: BulkChange, client_ids: Sequence[UUID], head: Event, outcome: Outcome
    ) -> BulkResult:
        c = self._t.c
        field = CHANGED_FIELD[type(change)]
        read = _READERS[field]
        # What the change does to a client of a status and stored value: a skip, or the
        # ``changes`` text of its event (decided once per distinct pair).
        decided: dict[tuple[str, Any], SkipReason | str] = {}
        values = self._values(change, head.at)
        changed: list[UUID] = []
        skipped: list[Skipped] = []
        written: list[_Ids] = []
        stored_id, key = _stored_ids(self._db.dialect, c.id)
        # SQLite: each client's rowid, by which the writes find it (see _written).
        rowid = [_ROWID] if self._db.dialect == "sqlite" else []
        for selected in self._selection(client_ids):
            ids = selected.ids
            # A selection scanned (SQLite): every client of the tenant read in rowid order,
            # the members kept below, rather than each row's id looked up in the selection.
            of_tenant = [func.likely(c.tenant == self._db.tenant)]
            statement = self._db.for_update(
                select(stored_id, c.status, c[field], *rowid).where(
                    *(of_tenant if selected.scan else self._mine(selected))
                )
            )
            found: dict[object, SkipReason | str] = {}
            rowids: dict[object, int] = {}
            for client_id, status, stored, *at in self._db.tuples(statement):
                made = decided.get((status, stored))
                if made is None:
                    state = ClientState(
                        head.entity_id, 0, ClientStatus(status), **{field: read(stored)}
                    )
                    made = decided[(status, stored)] = self._changes_text(head, outcome(state))
                found[client_id] = made
                if at:
                    rowids[client_id] = at[0]
            texts: dict[str, list[UUID]] = {}
            rows: list[int] = []
            for client_id in ids:
                stored_key = key(client_id)
                made = found.get(stored_key, SkipReason.NOT_FOUND)
                if isinstance(made, SkipReason):
                    skipped.append(Skipped(client_id, made))
                else:
                    changed.append(client_id)
                    texts.setdefault(made, []).append(client_id)
                    if rowids:
                        rows.append(rowids[stored_key])
            if texts:
                writing = [client_id for of_text in texts.values() for client_id in of_text]
                batch = selected if len(writing) == len(ids) else selected.subset(writing)
                if rows:
                    batch = batch.at_rows(rows)
                self._log(head, batch, texts)
                self._write(change, batch, values)
                written.append(batch)
        self._finish(change, written)
        return BulkResult(tuple(changed), tuple(skipped))

    def change_caretaker_logged(
        self, old_caretaker_id: UUID, change: SetCaretaker, head: Event, outcome: Outcome
    ) -> BulkResult:
        """Every client of the old caretaker has the same stored value: the change is
        decided once per status, and its statements select the clients by caretaker and
        status, as hand-written SQL would. PostgreSQL: one UPDATE ... RETURNING whose rows
        the events' INSERT ... SELECT reads (one statement: a client another transaction
        gives the old caretaker meanwhile is either in both or in neither), and the
        skipped clients read after it. Others: the old caretaker's clients read (and
        locked) first, then the INSERT ... SELECT and the UPDATE by the same condition."""
        c = self._t.c
        decided: dict[str, SkipReason | str] = {
            status: self._changes_text(
                head, outcome(ClientState(head.entity_id, 0, status, caretaker_id=old_caretaker_id))
            )
            for status in ClientStatus
        }
        texts = {
            status: made for status, made in decided.items() if not isinstance(made, SkipReason)
        }
        of_old = [c.tenant == self._db.tenant, c.caretaker_id == old_caretaker_id]
        values = self._values(change, head.at)
        changed: list[UUID] = []
        if self._db.dialect == "postgresql":
            if texts:
                written = (
                    update(self._t)
                    .where(*of_old, c.status.in_(list(texts)))
                    .values(values)
                    .returning(c.tenant, c.id, c.status)
                    .cte("written")
                )
                logged = self._events(head, written, _by_status(texts, written.c.status))
                statement = select(written.c.id).add_cte(logged.cte("logged"))
                changed = [row[0] for row in self._db.tuples(statement)]
            rows = self._db.tuples(select(c.id, c.status).where(*of_old, c.status.not_in(texts)))
        else:
            rows = self._db.tuples(self._db.for_update(select(c.id, c.status).where(*of_old)))
            if texts:
                changing = c.status.in_(list(texts))
                changes = _by_status(texts, c.status)
                self._db.execute(self._events(head, self._t, changes, *of_old, changing))
                self._db.execute(update(self._t).where(*of_old, changing).values(values))
        skipped: list[Skipped] = []
        for client_id, status in rows:
            made = decided[status]
            if isinstance(made, SkipReason):
                skipped.append(Skipped(client_id, made))
            else:
                changed.append(client_id)
        return BulkResult(tuple(changed), tuple(skipped))

    def _changes_text(self, head: Event, made: SkipReason | FieldChange) -> SkipReason | str:
        """A skip, or the stored ``changes`` of the event recording ``made``."""
        if isinstance(made, SkipReason):
            return made
        return str(
            convert.event_row(self._db.tenant, attrs.evolve(head, changes=(made,)))["changes"]
        )

    def _log(self, head: Event, ids: _Ids, texts: Mapping[str, Sequence[UUID]]) -> None:
        """One INSERT ... SELECT of the events of the clients ``ids`` (each of them in one
        list of ``texts``, by the ``changes`` text of its event)."""
        c, changes_type = self._t.c, self._db.tables.events.c.changes.type
        if len(texts) == 1:
            changes: ColumnElement[Any] = literal(next(iter(texts)), changes_type)
        else:
            changes = case(
                *[
                    (_Ids(self._db.dialect, of_text).among(c.id), literal(text, changes_type))
                    for text, of_text in texts.items()
                ]
            )
        self._db.execute(self._events(head, self._t, changes, *self._written(ids)))

    def _events(
        self,
        head: Event,
        clients: NamedFromClause,
        changes: ColumnElement[Any],
        *where: ColumnElement[bool],
    ) -> Insert:
        """INSERT ... SELECT of an event per row of ``clients`` (the table, or rows it
        returned: a ``tenant`` and an ``id``) that ``where`` selects: ``head`` with a new
        id made by the engine, the client as entity and client, and ``changes``."""
        events = self._db.tables.events
        row = convert.event_row(self._db.tenant, head)
        columns = ["kind", "actor_id", "at", "actor_roles"]
        rows = select(
            clients.c.tenant,
            _new_id(self._db.dialect),
            clients.c.id,
            clients.c.id,
            *[literal(row[name], events.c[name].type) for name in columns],
            changes,
        ).where(*where)
        names = ["tenant", "id", "entity_id", "client_id", *columns, "changes"]
        return insert(events).from_select(names, rows)

    def _values(self, change: BulkChange, at: datetime) -> dict[str, Any]:
        """The UPDATE's values: the change, ``updated_at`` and the version bumped."""
        c = self._t.c
        values: dict[str, Any] = {"updated_at": at, "version": c.version + 1}
        if isinstance(change, SetCaretaker):
            values["caretaker_id"] = change.caretaker_id
        elif isinstance(change, SetAttribute | ClearAttribute):
            values["attributes"] = _attributes(self._db.dialect, c.attributes, change)
        else:
            values["group_ids"] = _group_ids(self._db.dialect, c.group_ids, change)
        return values

    def _write(self, change: BulkChange, ids: _Ids, values: dict[str, Any]) -> int:
        """The UPDATE of one batch of clients and its index rows; how many were written."""
        mine = self._written(ids, updating=True)
        written = self._db.changed(update(self._t).where(*mine).values(values), {})
        self._drop_index_rows(change, ids)
        return written

    def _finish(self, change: BulkChange, batches: Sequence[_Ids]) -> None:
        """The new index rows of the written ``batches``, and fresh statistics of them."""
        for ids in batches:
            self._add_index_rows(change, ids)
        if not isinstance(change, SetCaretaker):
            # Many new index rows of one key or group: without fresh statistics PostgreSQL
            # would plan the next bulk change's DELETE by that key (few rows, it thinks)
            # and read every one of them for each batch of ids.
            tables = self._db.tables
            grouped = isinstance(change, AddGroup | RemoveGroup)
            index = tables.client_groups if grouped else tables.client_attributes
            self._db.refresh_statistics(index, sum(len(ids.ids) for ids in batches))

    def _drop_index_rows(self, change: BulkChange, ids: _Ids) -> None:
        """DELETE the batch's ``client_attributes`` / ``client_groups`` rows the change
        removes."""
        tables, tenant = self._db.tables, self._db.tenant
        if isinstance(change, ClearAttribute):
            table = tables.client_attributes
            by = table.c.key == change.key
        elif isinstance(change, RemoveGroup):
            table = tables.client_groups
            by = table.c.group_id == change.group_id
        else:
            return
        self._db.execute(
            delete(table).where(table.c.tenant == tenant, by, ids.among(table.c.client_id))
        )

    def _add_index_rows(self, change: BulkChange, ids: _Ids) -> None:
        """INSERT ... SELECT the batch's new ``client_attributes`` / ``client_groups`` rows
        (an attribute's replacing the row of the key a client has: an upsert, one statement
        where a DELETE and an INSERT would each read the batch)."""
        tables, c = self._db.tables, self._t.c
        if isinstance(change, SetAttribute):
            table = tables.client_attributes
            columns = ["tenant", "client_id", "key", "value"]
            made = [literal(change.key, Key(64)), literal(comparable(change.value), Key(1100))]
        elif isinstance(change, AddGroup):
            table = tables.client_groups
            columns = ["tenant", "client_id", "group_id"]
            made = [literal(change.group_id, Id())]
        else:
            return
        rows = select(c.tenant, c.id, *made).where(*self._written(ids))
        if isinstance(change, SetAttribute):
            self._db.execute(_replacing(self._db.dialect, table, columns, rows))
        else:
            self._db.execute(insert(table).from_select(columns, rows))


def _replacing(dialect: str, table: Table, columns: list[str], rows: Select[Any]) -> Insert:
    """INSERT ... SELECT of ``rows`` into ``table``, a row whose primary key is taken
    replacing the values of the other ``columns`` (each engine's upsert)."""
    key = [column.name for column in table.primary_key]
    kept = [name for name in columns if name not in key]
    if dialect in ("mysql", "mariadb"):
        mine = mysql.insert(table).from_select(columns, rows)
        return mine.on_duplicate_key_update({name: mine.inserted[name] for name in kept})
    made = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    upsert = made.from_select(columns, rows)
    return upsert.on_conflict_do_update(
        index_elements=key, set_={name: upsert.excluded[name] for name in kept}
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


def _by_status(texts: Mapping[str, str], status: ColumnElement[str]) -> ColumnElement[Any]:
    """The ``changes`` of a client's event: the text of ``texts`` for its ``status``."""
    return case({key: literal(text, Text) for key, text in texts.items()}, value=status)


def _stored_ids(
    dialect: str, column: ColumnElement[UUID]
) -> tuple[ColumnElement[Any], Callable[[UUID], object]]:
    """``column`` read as the driver gives it, and how to make a UUID into that form:
    the hex text SQLite and MariaDB store is read as is, not made into 100,000 UUIDs only
    to be looked up (PostgreSQL's driver gives UUIDs)."""
    if dialect == "postgresql":
        return column, lambda client_id: client_id
    return type_coerce(column, Text), lambda client_id: client_id.hex


def _new_id(dialect: str) -> ColumnElement[Any]:
    """A new random id per row, made by the engine in the ``Id`` column's stored form."""
    if dialect == "postgresql":
        return func.gen_random_uuid()
    if dialect == "sqlite":
        return func.lower(func.hex(func.randomblob(16)))
    return func.replace(func.uuid(), "-", "")


_ROWID = literal_column("rowid", Integer)
"""SQLite's rowid of the one table a statement reads or writes."""


class _Ids:
    """A batch of ids bound as one parameter where the engine reads a list from one
    (SQLite: a JSON array of the stored hex ids; PostgreSQL: a ``uuid[]`` bound as its
    text; MariaDB: an IN list), made once for every statement of the batch. ``scan``: on
    SQLite, read every row of the tenant and keep the members (the column's index not
    used), rather than look each id up. ``rows``: on SQLite, the clients' rowids, sorted
    (:meth:`at_rows`)."""

    def __init__(self, dialect: str, ids: Sequence[UUID], *, scan: bool = False) -> None:
        self.ids = ids
        self.scan = scan
        self.rows: Sequence[int] = ()
        self._dialect = dialect
        if dialect == "sqlite":
            listed = literal(json.dumps([entry.hex for entry in ids]), Text)
            each = func.json_each(listed).table_valued("value")
            self._bound: Any = select(cast(each.c.value, Text))
        elif dialect == "postgresql":
            # The array's text, hex ids: one string for the driver to send, not a UUID
            # per id to convert at each statement.
            listed = literal("{" + ",".join(entry.hex for entry in ids) + "}", Text)
            self._bound = cast(listed, ARRAY(postgresql.UUID(as_uuid=True)))
        else:
            self._bound = list(ids)

    def among(self, column: ColumnElement[UUID]) -> ColumnElement[bool]:
        """``column IN ids``."""
        if self._dialect == "postgresql":
            return column == any_(self._bound)
        return (cast(column, Text) if self.scan else column).in_(self._bound)

    def subset(self, ids: Sequence[UUID]) -> _Ids:
        """Some of these ids, read the same way."""
        return _Ids(self._dialect, ids, scan=self.scan)

    def at_rows(self, rows: Sequence[int]) -> _Ids:
        """These ids with their clients' SQLite rowids, sorted (see
        ``SqlBulkClients._written``)."""
        made = copy.copy(self)  # the ids' bound list made once, as for every statement
        made.rows = sorted(rows)
        return made

    def rowid_among(self) -> ColumnElement[bool]:
        """``rowid IN rows``, bound as one JSON array."""
        each = func.json_each(literal(json.dumps(self.rows), Text)).table_valued("value")
        return _ROWID.in_(select(each.c.value))
