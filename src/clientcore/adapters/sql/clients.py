"""SQL client repository: code uniqueness and versions backed by the database, indexed search.

A client is one ``clients`` row plus index rows: its folded search keys
(``client_search_keys``), its groups and its attribute values (for the filters). Search
matches each term as a prefix of a key with a range on the key index
(``key >= term AND key < successor(term)``, so ``%``, ``_`` and ``\\`` are plain
characters), and orders by the stored sort key and id with keyset paging.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, delete, exists, or_, select, update

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import BATCH, Db
from clientcore.entities.attribute import comparable
from clientcore.entities.client import Client
from clientcore.entities.search import ClientQuery, prefix_upper_bound
from clientcore.errors import ClientInUse, ConcurrencyError, DuplicateCode, NotFound


def _code_in(message: str, codes: Sequence[str]) -> str:
    """The code a driver's duplicate-key message names, if it names one of ``codes``."""
    named = [code for code in codes if code in message]
    return max(named, key=len) if named else codes[0]


class SqlClientRepository:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._t = db.tables.clients

    def _index_rows(self, clients: Sequence[Client]) -> None:
        tenant, tables = self._db.tenant, self._db.tables
        keys, groups, attributes = [], [], []
        for client in clients:
            keys.extend(convert.search_key_rows(tenant, client))
            groups.extend(convert.group_rows(tenant, client))
            attributes.extend(convert.attribute_rows(tenant, client))
        self._db.insert_many(tables.client_search_keys, keys)
        self._db.insert_many(tables.client_groups, groups)
        self._db.insert_many(tables.client_attributes, attributes)

    def _drop_index_rows(self, client_id: UUID) -> None:
        tables = self._db.tables
        for table in (tables.client_search_keys, tables.client_groups, tables.client_attributes):
            self._db.execute(
                delete(table).where(
                    table.c.tenant == self._db.tenant, table.c.client_id == client_id
                )
            )

    def add_many(self, clients: Sequence[Client]) -> None:
        codes = [client.code for client in clients]
        taken = self.taken_codes(codes)
        seen: set[str] = set()
        for code in codes:
            if code in taken or code in seen:
                raise DuplicateCode(code)
            seen.add(code)
        tenant = self._db.tenant
        self._db.insert_many(
            self._t,
            [convert.client_row(tenant, client) for client in clients],
            unique=lambda message: DuplicateCode(_code_in(message, codes)),
        )
        self._index_rows(clients)

    def _where_id(self, client_id: UUID) -> ColumnElement[bool]:
        return and_(self._t.c.tenant == self._db.tenant, self._t.c.id == client_id)

    def get(self, client_id: UUID) -> Client:
        row = self._db.row(select(self._t).where(self._where_id(client_id)))
        if row is None:
            raise NotFound("client", client_id)
        return convert.client_from_row(row)

    def get_by_code(self, code: str) -> Client:
        row = self._db.row(
            select(self._t).where(self._t.c.tenant == self._db.tenant, self._t.c.code == code)
        )
        if row is None:
            raise NotFound("client with code", repr(code))
        return convert.client_from_row(row)

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        unique = sorted(set(codes))
        taken: set[str] = set()
        for start in range(0, len(unique), BATCH):
            chunk = unique[start : start + BATCH]
            taken.update(
                self._db.execute(
                    select(self._t.c.code).where(
                        self._t.c.tenant == self._db.tenant, self._t.c.code.in_(chunk)
                    )
                ).scalars()
            )
        return frozenset(taken)

    def _refuse(self, client_id: UUID, expected: int) -> None:
        """After a conditional write changed nothing: the client is gone, or it moved on."""
        found = self._db.execute(
            select(self._t.c.version).where(self._where_id(client_id))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("client", client_id)
        raise ConcurrencyError("client", client_id, expected)

    def update(self, client: Client) -> None:
        expected = client.version - 1
        row = convert.client_row(self._db.tenant, client)
        del row["tenant"], row["id"], row["created_at"]
        changed = self._db.execute(
            update(self._t)
            .where(self._where_id(client.id), self._t.c.version == expected)
            .values(row),
            unique=lambda _message: DuplicateCode(client.code),
        ).rowcount
        if changed != 1:
            self._refuse(client.id, expected)
        self._drop_index_rows(client.id)
        self._index_rows([client])

    def delete(self, client: Client) -> None:
        stored = self._db.execute(
            self._db.for_update(select(self._t.c.version).where(self._where_id(client.id)))
        ).scalar_one_or_none()
        if stored is None:
            raise NotFound("client", client.id)
        if stored != client.version:
            raise ConcurrencyError("client", client.id, client.version)
        self._drop_index_rows(client.id)
        self._db.execute(
            delete(self._t).where(self._where_id(client.id)),
            foreign_key=lambda _message: ClientInUse(client.id, ["records added meanwhile"]),
        )

    def search(self, query: ClientQuery) -> list[Client]:
        return [convert.client_from_row(row) for row in self._db.rows(self.statement(query))]

    def statement(self, query: ClientQuery) -> Select[Any]:
        """The SELECT a search runs (EXPLAIN it to see the plan)."""
        return (
            select(self._t)
            .where(*self._conditions(query))
            .order_by(self._t.c.sort_key, self._t.c.id)
            .limit(query.limit)
        )

    def _conditions(self, query: ClientQuery) -> list[ColumnElement[bool]]:
        """The WHERE of a search: tenant, one indexed key range per term, filters, cursor."""
        db, c = self._db, self._t.c
        tables = db.tables
        where: list[ColumnElement[bool]] = [c.tenant == db.tenant]
        keys = tables.client_search_keys
        for term in query.terms:
            matching: list[ColumnElement[bool]] = [keys.c.tenant == db.tenant, keys.c.key >= term]
            upper = prefix_upper_bound(term)
            if upper is not None:
                matching.append(keys.c.key < upper)
            where.append(c.id.in_(select(keys.c.client_id).where(*matching)))
        if query.status.value != "all":
            where.append(c.status == query.status.value)
        if query.group_id is not None:
            groups = tables.client_groups
            where.append(
                exists().where(
                    groups.c.tenant == c.tenant,
                    groups.c.client_id == c.id,
                    groups.c.group_id == query.group_id,
                )
            )
        if query.caretaker_id is not None:
            where.append(c.caretaker_id == query.caretaker_id)
        if query.source is not None:
            where.append(c.source == query.source)
        if query.attribute is not None:
            values = tables.client_attributes
            key, value = query.attribute
            where.append(
                exists().where(
                    values.c.tenant == c.tenant,
                    values.c.client_id == c.id,
                    values.c.key == key,
                    values.c.value == comparable(value),
                )
            )
        if query.after is not None:
            sort_key, client_id = query.after
            where.append(or_(c.sort_key > sort_key, and_(c.sort_key == sort_key, c.id > client_id)))
        return where
