"""Which table's foreign key kept a client from being deleted (``ClientInUse.referenced_by``).

PostgreSQL and MariaDB/MySQL name the referring table in the violation's message; it is
read from there. SQLite says only "FOREIGN KEY constraint failed": its schema is read
instead (``PRAGMA foreign_key_list`` of every table), and each table whose foreign key
refers to the clients table is asked whether a row of it refers to this client. The
failed statement alone was undone, so the unit of work can still read.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Table, and_, column, literal, select, table

from clientcore.adapters.sql.db import Db

UNNAMED = "a table whose foreign key refers to the client"
"""What ``referenced_by`` says when the database does not tell which table refers."""

_NAMED = (
    # PostgreSQL: ... violates foreign key constraint "fk" on table "host_pets"
    re.compile(r'violates foreign key constraint "(?:[^"]|"")*" on table "((?:[^"]|"")+)"'),
    # MariaDB / MySQL 1451: ... a foreign key constraint fails (`db`.`host_pets`, CONSTRAINT
    re.compile(r"foreign key constraint fails \((?:`(?:[^`]|``)*`\.)?`((?:[^`]|``)+)`"),
)


def named_table(message: str) -> str | None:
    """The referring table that the driver's message names (None: it names none)."""
    for pattern in _NAMED:
        found = pattern.search(message)
        if found:
            return found.group(1).replace('""', '"').replace("``", "`")
    return None


def referring_tables(db: Db, clients: Table, where: ColumnElement[bool], message: str) -> list[str]:
    """The tables whose rows refer to the client that ``where`` selects in ``clients``."""
    named = named_table(message)
    if named is not None:
        return [named]
    if db.dialect == "sqlite" and clients.schema is None:
        found = _sqlite_referrers(db, clients, where)
        if found:
            return found
    return [UNNAMED]


def _sqlite_referrers(db: Db, clients: Table, where: ColumnElement[bool]) -> list[str]:
    connection = db.connection
    quote = connection.dialect.identifier_preparer.quote
    names = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).scalars()
    found = []
    for name in list(names):
        keys: dict[int, list[tuple[str, str]]] = {}
        for row in connection.exec_driver_sql(f"PRAGMA foreign_key_list({quote(name)})"):
            key, _seq, target, source, referred = row[:5]
            if target == clients.name:
                keys.setdefault(key, []).append((source, referred))
        for pairs in keys.values():
            referring = table(name, *(column(source) for source, _ in pairs))
            joined = referring.join(
                clients, and_(*(referring.c[s] == clients.c[r] for s, r in pairs))
            )
            if db.connection.execute(select(literal(1)).select_from(joined).where(where)).first():
                found.append(name)
                break
    return found
