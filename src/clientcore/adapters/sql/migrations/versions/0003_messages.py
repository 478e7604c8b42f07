"""Messaging: the outbox of SMS and e-mail messages, and each tenant's messaging settings.

Revision ID: clientcore_0003
Revises: clientcore_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key, LongText, Moment

revision: str = "clientcore_0003"
down_revision: str | None = "clientcore_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    p, s = names()
    clients = p + "clients" if s is None else f"{s}.{p}clients"
    op.create_table(
        p + "messages",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("purpose", Key(length=64), nullable=False),
        sa.Column("channel", Key(length=64), nullable=False),
        sa.Column("due_at", Moment(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("recipient", LongText(), nullable=False),
        sa.Column("subject", LongText(), nullable=False),
        sa.Column("body", LongText(), nullable=False),
        sa.Column("state", Key(length=64), nullable=False),
        sa.Column("reason", LongText(), nullable=False),
        sa.Column("visit_id", Id(), nullable=True),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("claimed_until", Moment(), nullable=True),
        sa.Column("sent_at", Moment(), nullable=True),
        sa.Column("provider_id", LongText(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            [f"{clients}.tenant", f"{clients}.id"],
            name=f"fk_{p}messages_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}messages"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}messages_client",
        p + "messages",
        ["tenant", "client_id", "due_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}messages_due",
        p + "messages",
        ["tenant", "state", "due_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "messaging_settings",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("business_name", LongText(), nullable=False),
        sa.Column("sender_name", LongText(), nullable=False),
        sa.Column("locale", LongText(), nullable=False),
        sa.Column("reminder_minutes", sa.BigInteger(), nullable=True),
        sa.Column("quiet_hours", LongText(), nullable=True),
        sa.Column("transliterate_sms", sa.Boolean(), nullable=False),
        sa.Column("confirmation_template", LongText(), nullable=False),
        sa.Column("reminder_template", LongText(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}messaging_settings"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )


def downgrade() -> None:
    p, s = names()
    op.drop_table(p + "messaging_settings", schema=s)
    op.drop_table(p + "messages", schema=s)
