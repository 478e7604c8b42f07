"""What a SQL store still keeps physically of values an erasure blanked, and the calls
that clean it (docs/privacy.md).

* SQLite: every connection clientcore configures runs with ``secure_delete``, so freed
  space is overwritten with zeros; the old pages also sit in the write-ahead log until a
  checkpoint, which a light purge runs (``wal_checkpoint(TRUNCATE)``, after every
  anonymisation). A thorough purge also runs ``VACUUM``, which rewrites the file.
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

from sqlalchemy import Engine, Table

from clientcore.adapters.sql.errors import translated


def purge(engine: Engine, tables: list[Table], *, thorough: bool) -> None:
    """Clean what the database keeps of overwritten values (see the module). A light purge
    costs little (SQLite's checkpoint; nothing on the servers); a thorough one rewrites."""
    dialect = engine.dialect.name
    with translated(), engine.connect() as connection:
        raw = connection.execution_options(isolation_level="AUTOCOMMIT")
        if dialect == "sqlite":
            if thorough:
                raw.exec_driver_sql("VACUUM")
            raw.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif not thorough:
            return
        elif dialect == "postgresql":
            for table in tables:
                raw.exec_driver_sql(f"VACUUM FULL {_name(engine, table)}")
        elif dialect in ("mysql", "mariadb"):
            for table in tables:
                raw.exec_driver_sql(f"OPTIMIZE TABLE {_name(engine, table)}").all()


def _name(engine: Engine, table: Table) -> str:
    preparer = engine.dialect.identifier_preparer
    return preparer.format_table(table)
