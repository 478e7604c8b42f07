"""clientcore's Alembic revisions. ``names()`` tells a revision where its tables live."""

from __future__ import annotations

from alembic import op


def names() -> tuple[str, str | None]:
    """The table prefix and schema this run was configured with (``context.configure`` got
    them as ``clientcore_prefix`` and ``clientcore_schema``; both default to none)."""
    options = op.get_context().opts
    return str(options.get("clientcore_prefix") or ""), options.get("clientcore_schema")
