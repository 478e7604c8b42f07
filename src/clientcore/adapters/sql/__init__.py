"""The SQL adapter: SQLAlchemy 2 Core on SQLite (the embedded default), PostgreSQL and
MariaDB/MySQL.

>>> from clientcore.adapters.sql import SqlBackend, metadata, upgrade
>>> from clientcore.adapters.sql import Id, Key, Moment  # column types for a host's tables

docs/sql.md tells how to bind it, migrate it, and what the database enforces.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from clientcore.adapters.sql.engine import configure_sqlite, create_engine
from clientcore.adapters.sql.schema import (
    DEFAULT_PREFIX,
    TENANT_LENGTH,
    Id,
    Key,
    LongText,
    Moment,
    Tables,
    make_metadata,
    make_tables,
    metadata,
)
from clientcore.adapters.sql.uow import SqlBackend, SqlUnitOfWork

if TYPE_CHECKING:
    from clientcore.adapters.sql.migrate import (
        BRANCH,
        VERSIONS,
        alembic_config,
        compare_type,
        configure_options,
        current_revision,
        downgrade,
        head_revision,
        host_options,
        place_host_revision,
        render_item,
        skip_our_tables,
        upgrade,
        version_table,
    )

_MIGRATE = frozenset(
    {
        "BRANCH",
        "VERSIONS",
        "alembic_config",
        "compare_type",
        "configure_options",
        "current_revision",
        "downgrade",
        "head_revision",
        "host_options",
        "place_host_revision",
        "render_item",
        "skip_our_tables",
        "upgrade",
        "version_table",
    }
)


def __getattr__(name: str) -> Any:
    """The migration helpers load Alembic on first use, not with the adapter: opening a
    core on a database that is already upgraded never imports it."""
    if name in _MIGRATE:
        return getattr(import_module("clientcore.adapters.sql.migrate"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BRANCH",
    "DEFAULT_PREFIX",
    "TENANT_LENGTH",
    "VERSIONS",
    "Id",
    "Key",
    "LongText",
    "Moment",
    "SqlBackend",
    "SqlUnitOfWork",
    "Tables",
    "alembic_config",
    "compare_type",
    "configure_options",
    "configure_sqlite",
    "create_engine",
    "current_revision",
    "downgrade",
    "head_revision",
    "host_options",
    "make_metadata",
    "make_tables",
    "metadata",
    "place_host_revision",
    "render_item",
    "skip_our_tables",
    "upgrade",
    "version_table",
]
