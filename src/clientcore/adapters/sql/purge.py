"""What a SQL store still keeps physically of values an erasure blanked, and the calls
that clean it (docs/privacy.md).

* SQLite: every connection clientcore configures runs with ``secure_delete``, so freed
  space is overwritten with zeros; the old pages also sit in the write-ahead log until a
  checkpoint, which a light purge runs (``wal_checkpoint(TRUNCATE)``, after every
  anonymisation). A page rebuilt when SQLite rebalances its B-tree keeps stale copies of
  the cells moved off it in its unused space, which ``secure_delete`` does not clear: a
  thorough purge also runs ``VACUUM``, which rewrites the file.
* PostgreSQL: an UPDATE leaves the old row version (a dead tuple) in the table until
  VACUUM, and plain VACUUM only marks its space reusable. A thorough purge runs
  ``VACUUM FULL`` on clientcore's tables, which rewrites them (it locks each table while
  it runs). WAL segments and base backups keep old values until they are recycled.
* MariaDB/MySQL (InnoDB): old versions live in the undo log until the purge thread
  removes them, and freed space in the pages is not cleared. A thorough purge runs
  ``OPTIMIZE TABLE`` (a rebuild) on each table. The binary and redo logs keep them until
  they rotate.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection, Table

from clientcore.adapters.sql.engine import is_memory_sqlite
from clientcore.adapters.sql.errors import translated
from clientcore.errors import PurgeIncomplete, StorageBusy

PURGE_WAIT_S = 30.0
"""How long SQLite's purge waits for a writer to commit and for readers of older snapshots
to finish, as long as every connection waits for a lock."""


def purge(connection: Connection, tables: list[Table], *, thorough: bool) -> None:
    """Clean what the database keeps of overwritten values (see the module), on
    ``connection`` (in no transaction; SQLite's own file is purged through a connection of
    its own). A light purge costs little (SQLite's checkpoint; nothing on the servers); a
    thorough one rewrites."""
    engine = connection.engine
    dialect = engine.dialect.name
    if dialect == "sqlite":
        if not is_memory_sqlite(engine.url):
            _purge_sqlite_file(str(engine.url.database), thorough=thorough)
        return
    if not thorough:
        return
    with translated():
        raw = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            name = engine.dialect.identifier_preparer.format_table(table)
            if dialect == "postgresql":
                raw.exec_driver_sql(f"VACUUM FULL {name}")
            else:  # MariaDB, MySQL
                raw.exec_driver_sql(f"OPTIMIZE TABLE {name}").all()


def _purge_sqlite_file(path: str, *, thorough: bool) -> None:
    """VACUUM (thorough) and a truncating checkpoint of the WAL, on a connection of the
    driver's own: one that runs no statement of a unit (an async driver's connection may
    still hold its statements open, which a checkpoint would wait for).

    The checkpoint truncates the WAL only once no reader uses it; a reader of a snapshot
    from before the erasure still needs the old pages, so after :data:`PURGE_WAIT_S` the
    purge raises :class:`PurgeIncomplete` instead of leaving them there unsaid."""
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=PURGE_WAIT_S)
        try:
            if thorough:
                connection.execute("VACUUM")
            busy, _log, _checkpointed = connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        raise StorageBusy(f"SQLite could not be purged: {error}") from error
    if busy:
        raise PurgeIncomplete(
            "the change is committed, but SQLite's write-ahead log still holds the old "
            f"pages: a connection kept reading an older snapshot for over {PURGE_WAIT_S:g} s;"
            " run core.privacy.purge() once it has finished"
        )
