"""Duplicate scans: each client's likeness profile and blocking keys kept in its row.

Revision ID: clientcore_0009
Revises: clientcore_0008
Create Date: 2026-12-07

``clients`` gets ``profile`` (``profile_text(profile_of(client))``, which the adapter
writes with every client row from now on), filled for the clients stored before it
(``stored_profiles.fill``: a thousand at a time by (tenant, id), from the columns a profile
is made of, in the form this version of clientcore writes). The column
keeps an empty server default, which only the backfill's ``ADD COLUMN`` uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names, stored_profiles
from clientcore.adapters.sql.schema import LongText

revision: str = "clientcore_0009"
down_revision: str | None = "clientcore_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    p, s = names()
    op.add_column(
        p + "clients",
        sa.Column("profile", LongText(), nullable=False, server_default=""),
        schema=s,
    )
    stored_profiles.fill()


def downgrade() -> None:
    p, s = names()
    op.drop_column(p + "clients", "profile", schema=s)
