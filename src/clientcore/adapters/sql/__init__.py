"""The SQL adapter: SQLAlchemy 2 Core on SQLite (the embedded default), PostgreSQL and
MariaDB/MySQL.

>>> from clientcore.adapters.sql import SqlBackend, metadata, upgrade
"""

from clientcore.adapters.sql.engine import configure_sqlite, create_engine
from clientcore.adapters.sql.migrate import (
    BRANCH,
    alembic_config,
    configure_options,
    current_revision,
    head_revision,
    upgrade,
    version_table,
)
from clientcore.adapters.sql.schema import Tables, make_metadata, make_tables, metadata
from clientcore.adapters.sql.uow import SqlBackend, SqlUnitOfWork

__all__ = [
    "BRANCH",
    "SqlBackend",
    "SqlUnitOfWork",
    "Tables",
    "alembic_config",
    "configure_options",
    "configure_sqlite",
    "create_engine",
    "current_revision",
    "head_revision",
    "make_metadata",
    "make_tables",
    "metadata",
    "upgrade",
    "version_table",
]
