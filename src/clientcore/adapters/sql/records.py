"""The SQL records port: one generic implementation for every record kind.

Each kind has a table (see :meth:`.schema.Tables.of`) with a column per field. The
statements are made once per table and kind (:func:`statements`), with bound parameters
for every value, and bound to the values when run: SQLAlchemy then finds each one's
compiled form in the engine's cache.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from clientcore.adapters.sql.db import BATCH, Db
from clientcore.adapters.sql.rows import Rows
from clientcore.entities.kinds import RecordKind, key_text
from clientcore.errors import ConcurrencyError

T = TypeVar("T")

WHERE_TENANT = "w_tenant"
WHERE_ID = "w_id"
WHERE_VERSION = "w_version"
"""Names of the parameters of the WHERE clause of an UPDATE, whose SET clause takes the
column names (``tenant``, ``id``...) for itself."""


def mine(table: Table, name: str = "tenant") -> ColumnElement[bool]:
    """The tenant's rows of ``table``; the tenant is bound as parameter ``name``."""
    return table.c.tenant == bindparam(name)


@attrs.frozen
class Statements:
    """The statements of one kind's table, made once (see :func:`statements`).

    Parameters: ``tenant`` and ``key`` (``keys``, an expanding list) in the reads;
    ``w_tenant``, ``w_id`` (and ``w_version``) in the WHERE clauses of UPDATE and DELETE,
    whose SET clause takes the row's columns by name.
    """

    get: Select[Any]
    get_many: Select[Any]
    replace: Update
    delete: Delete
    reassign: Update | None
    move: Update | None
    """:attr:`reassign`, returning the keys of the rows it changed (where the engine can)."""
    moved_keys: Select[Any] | None
    """The keys of the rows :attr:`reassign` would change (where it cannot)."""


def _order(table: Table, kind: RecordKind[Any], column: dict[str, str]) -> list[Any]:
    if not kind.order_by:
        return [table.c.seq]
    return [table.c[column.get(name, name)] for name in kind.order_by]


@functools.lru_cache(maxsize=256)
def statements(
    table: Table, kind: RecordKind[Any], columns: tuple[tuple[str, str], ...]
) -> Statements:
    column = dict(columns)
    c = table.c
    key = c[column.get(kind.key, kind.key)]
    where = [mine(table, WHERE_TENANT), key == bindparam(WHERE_ID)]
    if kind.versioned:
        where.append(c.version == bindparam(WHERE_VERSION))
    keys: BindParameter[Any] = bindparam("keys", expanding=True)
    reassign = move = moved_keys = None
    if kind.client_field is not None:
        client = c[column.get(kind.client_field, kind.client_field)]
        values: dict[str, Any] = {client.name: bindparam("w_target")}
        if kind.versioned:
            values["version"] = c.version + 1
        reassign = (
            update(table)
            .where(mine(table, WHERE_TENANT), client == bindparam("w_source"))
            .values(values)
        )
        raw_key = type_coerce(key, NullType())  # as the driver gives it: no UUID made
        move = reassign.returning(raw_key)
        moved_keys = select(raw_key).where(
            mine(table, WHERE_TENANT), client == bindparam("w_source")
        )
    return Statements(
        get=select(table).where(mine(table), key == bindparam("key")),
        get_many=select(table).where(mine(table), key.in_(keys)),
        replace=update(table).where(*where),
        delete=delete(table).where(*where),
        reassign=reassign,
        move=move,
        moved_keys=moved_keys,
    )


class SqlRecords(Generic[T]):
    """The records of one kind in the unit of work's tenant, in ``table``.

    ``columns`` maps fields to columns where the table names them otherwise (visits); a
    subclass may then convert rows itself (:meth:`_row`, :meth:`_record`).
    """

    columns: tuple[tuple[str, str], ...] = ()

    def __init__(self, kind: RecordKind[T], db: Db, table: Table, rows: Rows) -> None:
        self._kind = kind
        self._db = db
        self._table = table
        self._rows = rows
        self._column = dict(self.columns)
        self._statements = statements(table, kind, self.columns)

    @property
    def kind(self) -> RecordKind[T]:
        return self._kind

    def _row(self, record: T) -> dict[str, Any]:
        return self._rows.row(self._db.tenant, record)

    def _record(self, row: Any) -> T:
        return self._rows.record(self._kind, row)

    def _where(self, fields: dict[str, Any]) -> list[ColumnElement[bool]]:
        self._kind.check_fields(fields)
        c = self._table.c
        conditions = [c.tenant == self._db.tenant]
        for name, value in fields.items():
            stored = self._rows.value(self._kind, name, value)
            column = c[self._column.get(name, name)]
            conditions.append(column.is_(None) if stored is None else column == stored)
        return conditions

    def add(self, *records: T) -> None:
        if records:
            self._db.insert_many(
                self._table,
                [self._row(record) for record in records],
                unique=lambda _message: self._kind.duplicate(records[0]),
            )

    def get(self, key: Any) -> T:
        row = self._db.row(self._statements.get, {"tenant": self._db.tenant, "key": key})
        if row is None:
            raise self._kind.not_found(key)
        return self._record(row)

    def get_many(self, keys: Sequence[Any]) -> dict[Any, T]:
        wanted = list(dict.fromkeys(keys))
        found: dict[Any, T] = {}
        for first in range(0, len(wanted), BATCH):
            parameters = {"tenant": self._db.tenant, "keys": wanted[first : first + BATCH]}
            for row in self._db.rows(self._statements.get_many, parameters):
                record = self._record(row)
                found[self._kind.key_of(record)] = record
        return found

    def find(self, **fields: Any) -> list[T]:
        statement = (
            select(self._table)
            .where(*self._where(fields))
            .order_by(*_order(self._table, self._kind, self._column))
        )
        return [self._record(row) for row in self._db.rows(statement)]

    def count(self, **fields: Any) -> int:
        statement = select(func.count()).select_from(self._table).where(*self._where(fields))
        return int(self._db.execute(statement).scalar_one())

    def _write(self, statement: Update | Delete, record: T, values: dict[str, Any]) -> int:
        """Run an UPDATE or DELETE of ``record``'s row; the number of rows it changed."""
        key = self._kind.key_of(record)
        values.update({WHERE_TENANT: self._db.tenant, WHERE_ID: key})
        return self._db.changed(
            statement, values, unique=lambda _message: self._kind.duplicate(record)
        )

    def _missing_or_stale(self, record: T, version: int | None) -> Exception:
        key = self._kind.key_of(record)
        if version is None or not self.get_many([key]):
            return self._kind.not_found(key)
        return ConcurrencyError(self._kind.singular, key, version)

    def _replace(self, record: T, version: int | None) -> None:
        row = self._row(record)
        del row["tenant"]
        if version is not None:
            row[WHERE_VERSION] = version
        if self._write(self._statements.replace, record, row) != 1:
            raise self._missing_or_stale(record, version)

    def _version(self, record: T, offset: int) -> int | None:
        return getattr(record, "version") - offset if self._kind.versioned else None  # noqa: B009

    def replace(self, record: T) -> None:
        self._replace(record, self._version(record, 1))

    def delete(self, record: T) -> None:
        version = self._version(record, 0)
        values = {} if version is None else {WHERE_VERSION: version}
        if self._write(self._statements.delete, record, values) != 1:
            raise self._missing_or_stale(record, version)

    def reassign(self, source: UUID, target: UUID) -> int:
        statement = self._statements.reassign
        if statement is None:
            raise ValueError(f"{self._kind.name} refer to no client")
        parameters = {WHERE_TENANT: self._db.tenant, "w_source": source, "w_target": target}
        return self._db.changed(statement, parameters)

    def move(self, source: UUID, target: UUID) -> list[str]:
        """One ``UPDATE ... RETURNING`` the keys where the engine has it (SQLite,
        PostgreSQL); else (MariaDB) the keys read first, then the UPDATE."""
        made = self._statements
        statement, move, keys = made.reassign, made.move, made.moved_keys
        if statement is None or move is None or keys is None:
            raise ValueError(f"{self._kind.name} refer to no client")
        parameters = {WHERE_TENANT: self._db.tenant, "w_source": source, "w_target": target}
        if self._db.connection.dialect.update_returning:
            found = self._db.tuples(move, parameters)
        else:
            found = self._db.tuples(keys, parameters)
            self._db.changed(statement, parameters)
        return [key_text(row[0]) for row in found]

    def scrub(self, client_id: UUID) -> int:
        changed = 0
        for record in self.find(**self._kind.of_client(client_id)):
            clean = self._kind.scrubbed(record)
            if clean != record:
                self._replace(clean, self._version(record, 0))
                changed += 1
        return changed
