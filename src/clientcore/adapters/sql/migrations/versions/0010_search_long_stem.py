"""Search: a stem of 4 characters, so that a long term reads only its own keys in order.

Revision ID: clientcore_0010
Revises: clientcore_0009
Create Date: 2026-12-07

``client_search_keys`` gets ``stem4`` (a key's first 4 characters) and
``ix_client_search_keys_stem4`` (like the other stems' indexes: status before the sort
key). A term of 4 characters or more is read from it in sort order: read from its
3-character stem, ``jansen`` also read the keys of every Jan whose last name sorts before
Jansen (about 15,000 at a million clients). The column is filled from each key already
stored, in SQL; it keeps an empty server default, which only the backfill's ``ADD COLUMN``
uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Key

revision: str = "clientcore_0010"
down_revision: str | None = "clientcore_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTH = 4
ORDERED = ["status", "sort_key", "client_id", "key"]


def upgrade() -> None:
    p, s = names()
    keys_name = p + "client_search_keys"
    op.add_column(
        keys_name,
        sa.Column("stem4", Key(length=LENGTH), nullable=False, server_default=""),
        schema=s,
    )
    keys = sa.table(keys_name, sa.column("key"), sa.column("stem4"), schema=s)
    op.execute(keys.update().values(stem4=sa.func.substr(keys.c.key, 1, LENGTH)))
    op.create_index(
        f"ix_{p}client_search_keys_stem4",
        keys_name,
        ["tenant", "stem4", *ORDERED],
        unique=False,
        schema=s,
    )


def downgrade() -> None:
    p, s = names()
    keys_name = p + "client_search_keys"
    op.drop_index(f"ix_{p}client_search_keys_stem4", table_name=keys_name, schema=s)
    op.drop_column(keys_name, "stem4", schema=s)
