"""What the repositories of one unit of work share: its connection, tables and tenant.

Every statement goes through :meth:`Db.execute`, inside :func:`~.errors.translated`, so no
driver error reaches a caller untranslated. The few dialect differences (upserts, row
locks) live here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Executable,
    RowMapping,
    Select,
    Table,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite

from clientcore.adapters.sql.errors import Explain, translated
from clientcore.adapters.sql.schema import Tables

BATCH = 1000
"""Rows per executemany, and values per IN list (under every engine's parameter limit)."""


class Db:
    def __init__(self, connection: Connection, tables: Tables, tenant: str) -> None:
        self.connection = connection
        self.tables = tables
        self.tenant = tenant
        self.dialect = connection.dialect.name

    def execute(
        self,
        statement: Executable,
        parameters: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        *,
        unique: Explain | None = None,
        foreign_key: Explain | None = None,
    ) -> CursorResult[Any]:
        with translated(unique=unique, foreign_key=foreign_key):
            return self.connection.execute(statement, parameters)

    def rows(self, statement: Executable) -> Sequence[RowMapping]:
        with translated():
            return self.connection.execute(statement).mappings().all()

    def row(self, statement: Executable) -> RowMapping | None:
        with translated():
            return self.connection.execute(statement).mappings().first()

    def insert_many(
        self,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        *,
        unique: Explain | None = None,
        foreign_key: Explain | None = None,
    ) -> None:
        """INSERT the rows with executemany, in batches."""
        for start in range(0, len(rows), BATCH):
            self.execute(
                table.insert(),
                rows[start : start + BATCH],
                unique=unique,
                foreign_key=foreign_key,
            )

    def for_update(self, statement: Select[Any]) -> Select[Any]:
        """Lock the selected rows until the transaction ends (SQLite locks the database)."""
        return statement.with_for_update()

    def latest(self, statement: Select[Any]) -> Select[Any]:
        """Read the latest committed rows even under a host's REPEATABLE READ (MariaDB)."""
        if self.dialect in ("mysql", "mariadb"):
            return statement.with_for_update(read=True)
        return statement

    def upsert(
        self,
        table: Table,
        row: Mapping[str, Any],
        *,
        key: Iterable[str],
        add: str | None = None,
    ) -> None:
        """Insert ``row``, or update the row with the same ``key`` columns.

        With ``add``, that column is increased by the row's value instead of replaced
        (an atomic counter: concurrent writers wait for each other's row lock).
        """
        keys = set(key)
        columns = [name for name in row if name not in keys]
        if self.dialect in ("mysql", "mariadb"):
            mine = mysql.insert(table).values(row)
            new: dict[str, ColumnElement[Any]] = {name: mine.inserted[name] for name in columns}
            if add is not None:
                new[add] = table.c[add] + mine.inserted[add]
            self.execute(mine.on_duplicate_key_update(new))
            return
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = dialect_insert(table).values(row)
        changes: dict[str, ColumnElement[Any]] = {
            name: statement.excluded[name] for name in columns
        }
        if add is not None:
            changes[add] = table.c[add] + statement.excluded[add]
        self.execute(statement.on_conflict_do_update(index_elements=sorted(keys), set_=changes))
