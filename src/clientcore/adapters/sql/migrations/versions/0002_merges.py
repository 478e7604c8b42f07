"""Merging clients: the merge journal and the links from merged clients to their base.

Revision ID: clientcore_0002
Revises: clientcore_0001
Create Date: 2026-12-07

The client status ``merged`` needs no change of the schema (statuses are text).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key, LongText, Moment

revision: str = "clientcore_0002"
down_revision: str | None = "clientcore_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    p, s = names()
    clients = p + "clients" if s is None else f"{s}.{p}clients"
    op.create_table(
        p + "merges",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("target", Key(length=64), nullable=False),
        sa.Column("base_id", Id(), nullable=False),
        sa.Column("merged_ids", LongText(), nullable=False),
        sa.Column("actor_id", LongText(), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.Column("choices", LongText(), nullable=False),
        sa.Column("moved", LongText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            [f"{clients}.tenant", f"{clients}.id"],
            name=f"fk_{p}merges_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}merges"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}merges_client",
        p + "merges",
        ["tenant", "client_id", "at", "id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "merge_links",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("merged_id", Id(), nullable=False),
        sa.Column("base_id", Id(), nullable=False),
        sa.Column("merge_id", Id(), nullable=False),
        sa.Column("target", Key(length=64), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "merged_id", name=f"pk_{p}merge_links"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )


def downgrade() -> None:
    p, s = names()
    op.drop_table(p + "merge_links", schema=s)
    op.drop_table(p + "merges", schema=s)
