"""clientcore's Alembic revisions. ``names()`` tells a revision where its tables live."""

from __future__ import annotations

from alembic import op

from clientcore.adapters.sql.schema import DEFAULT_PREFIX


def names() -> tuple[str, str | None]:
    """The table prefix and schema this run was configured with (``context.configure`` got
    them as ``clientcore_prefix`` and ``clientcore_schema``): the prefix defaults to
    ``clientcore_`` (``""`` is none), the schema to the connection's default."""
    options = op.get_context().opts
    prefix = options.get("clientcore_prefix")
    return (DEFAULT_PREFIX if prefix is None else str(prefix)), options.get("clientcore_schema")
