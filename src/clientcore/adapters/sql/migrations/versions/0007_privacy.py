"""Privacy: an attribute definition says whether its values are personal data.

Revision ID: clientcore_0007
Revises: clientcore_0005
Create Date: 2026-12-07

Existing definitions are personal (anonymisation blanks their values), as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names

revision: str = "clientcore_0007"
down_revision: str | None = "clientcore_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    p, s = names()
    op.add_column(
        p + "attribute_definitions",
        sa.Column("personal", sa.Boolean(), nullable=False, server_default=sa.true()),
        schema=s,
    )


def downgrade() -> None:
    p, s = names()
    op.drop_column(p + "attribute_definitions", "personal", schema=s)
