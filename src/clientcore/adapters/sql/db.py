"""What the repositories of one unit of work share: its connection, tables and tenant.

Every statement runs through a method of :class:`Db`, with ``Connection.execute`` (an
executemany for a list of rows), inside :func:`~.errors.translated`, so no driver error
reaches a caller untranslated; SQLAlchemy's compiled cache keeps the compiled form of each
statement the adapter builds once. The few dialect differences (upserts, row locks) live
here too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Executable,
    RowMapping,
    Select,
    Table,
    text,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite

from clientcore.adapters.sql.copying import copier
from clientcore.adapters.sql.errors import Explain, translated
from clientcore.adapters.sql.schema import Tables

BATCH = 1000
"""Rows per executemany, and values per IN list (under every engine's parameter limit)."""
COPY_FROM = 100
"""Rows from which :meth:`Db.copy_many` copies: fewer go as an INSERT, one round trip."""
_ANALYZE_BASE, _ANALYZE_SHARE = 50, 0.1
"""PostgreSQL's defaults for autovacuum's analyze: rows changed beyond 50 + 10 % of them."""


class Db:
    def __init__(self, connection: Connection, tables: Tables, tenant: str) -> None:
        self.connection = connection
        self.tables = tables
        self.tenant = tenant
        self.dialect = connection.dialect.name
        self.locked_staff: set[UUID] = set()
        """Staff members whose booking lock this unit of work holds (see
        ``SqlVisitRepository``)."""

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

    def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[RowMapping]:
        with translated():
            return self.connection.execute(statement, parameters).mappings().all()

    def tuples(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Sequence[Any]]:
        """The rows of ``statement``, read by position."""
        with translated():
            return self.connection.execute(statement, parameters).all()

    def changed(
        self,
        statement: Executable,
        parameters: Mapping[str, Any],
        *,
        unique: Explain | None = None,
        foreign_key: Explain | None = None,
    ) -> int:
        """The number of rows that ``statement`` (an UPDATE or DELETE, or an INSERT with
        the ``preserve_rowcount`` execution option) wrote."""
        result = self.execute(statement, parameters, unique=unique, foreign_key=foreign_key)
        return int(result.rowcount)

    def row(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> RowMapping | None:
        with translated():
            return self.connection.execute(statement, parameters).mappings().first()

    def insert_many(
        self,
        table: Table,
        rows: Iterable[Mapping[str, Any]],
        *,
        unique: Explain | None = None,
        foreign_key: Explain | None = None,
    ) -> None:
        """INSERT the rows (all with the same keys): ``connection.execute(table.insert(),
        batch)``, an executemany per :data:`BATCH` rows. The rows are read a batch at a
        time: made by a generator, they need not all exist at once."""
        remaining = iter(rows)
        statement = table.insert()
        while batch := list(itertools.islice(remaining, BATCH)):
            self.execute(statement, batch, unique=unique, foreign_key=foreign_key)

    def copy_many(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write the rows as :meth:`insert_many` does; on PostgreSQL through psycopg, at
        least :data:`COPY_FROM` of them as one ``COPY ... FROM STDIN`` (see
        :mod:`.copying`): an import's search keys and events. Its unique violations
        and foreign-key violations become ``Conflict``, as :meth:`insert_many`'s do."""
        copy = copier(self.connection) if len(rows) >= COPY_FROM else None
        if copy is None:
            self.insert_many(table, rows)
            return
        with translated():
            copy(table, rows)

    def refresh_statistics(self, table: Table, added: int) -> None:
        """ANALYZE ``table`` on PostgreSQL once ``added`` new rows are more than autovacuum
        lets pass before it analyzes (50 and a tenth of the rows last counted).

        A foreign key's check runs a plan that each session caches. Made while the table it
        refers to was nearly empty (a new database, a few registrations), that plan may read
        it through any index that starts with the tenant (``clients`` through
        ``ix_clients_order``: every entry of the tenant, for each check) and keeps doing so
        as the table grows, until its statistics change: each row that refers to a bulk
        write's new ones (search keys, events) would cost a read of the whole tenant, an
        import's time growing with the square of its size. Analyzing inside the transaction
        counts the new rows and makes the plans be made again, before those rows are
        written. It takes a lock that only another ANALYZE, VACUUM or change of the table's
        definition waits for; without the table's ownership PostgreSQL skips it with a
        warning.
        """
        if self.dialect != "postgresql" or added <= _ANALYZE_BASE:
            return
        name = self.connection.dialect.identifier_preparer.format_table(table)
        with translated():
            counted = self.connection.execute(
                # text(): the bound parameter in each driver's own style (psycopg, asyncpg)
                text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)"),
                {"name": name},
            ).scalar()
            if added > _ANALYZE_BASE + _ANALYZE_SHARE * max(counted or 0, 0):
                self.connection.exec_driver_sql(f"ANALYZE {name}")

    def explain(self, statement: Select[Any]) -> list[str]:
        """The engine's plan for ``statement`` with its parameters, one line per step:
        ``EXPLAIN QUERY PLAN`` on SQLite (indented by depth), ``EXPLAIN`` elsewhere (on
        MariaDB/MySQL a line per table read, its non-empty columns as ``name=value``).
        Nothing is run."""
        compiled = statement.compile(dialect=self.connection.dialect)
        state = compiled.construct_expanded_state()  # IN lists and literal values rendered
        dialect = self.connection.dialect
        processors = {  # each value as the driver takes it (a UUID as its stored text)
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.bind_processor(dialect)) is not None
        }
        processors.update(state.processors)
        values = {
            name: processors[name](value) if name in processors else value
            for name, value in state.parameters.items()
        }
        parameters: tuple[Any, ...] | Mapping[str, Any] = (
            tuple(values[name] for name in state.positiontup)
            if state.positiontup is not None
            else values
        )
        prefix = "EXPLAIN QUERY PLAN " if self.dialect == "sqlite" else "EXPLAIN "
        with translated():
            rows = self.connection.exec_driver_sql(prefix + state.statement, parameters).all()
        if self.dialect in ("mysql", "mariadb"):
            return [
                " ".join(f"{name}={value}" for name, value in row._mapping.items() if value)
                for row in rows
            ]
        if self.dialect != "sqlite":
            return [str(row[0]) for row in rows]
        depth = {0: -1}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        return lines

    def for_update(self, statement: Select[Any]) -> Select[Any]:
        """Lock the selected rows until the transaction ends (SQLite locks the database)."""
        return statement.with_for_update()

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
