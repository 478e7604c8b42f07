"""Tasks, linked records, and the company and medical data sections of clients.

Revision ID: clientcore_0005
Revises: clientcore_0004
Create Date: 2026-12-07

Their tables follow their entities as a host kind's do (``schema.kind_table``): a column
per field, the tenant first in every key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key, LongText, Moment

revision: str = "clientcore_0005"
down_revision: str | None = "clientcore_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tasks", "linked_records", "company_data", "medical_data")
"""In creation order."""


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def upgrade() -> None:
    p, s = names()

    def ref(table: str, *columns: str) -> list[str]:
        qualified = p + table if s is None else f"{s}.{p}{table}"
        return [f"{qualified}.{column}" for column in columns]

    def fk(table: str, columns: list[str], target: str) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(
            columns, ref(target, "tenant", "id"), name=f"fk_{p}{table}_{'_'.join(columns)}"
        )

    def create(table: str, *items: Any) -> None:
        op.create_table(p + table, *items, mysql_charset="utf8mb4", mysql_engine="InnoDB", schema=s)

    def index(table: str, name: str, columns: list[str]) -> None:
        op.create_index(f"ix_{p}{table}_{name}", p + table, columns, unique=False, schema=s)

    create(
        "tasks",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("subject", LongText(), nullable=False),
        sa.Column("due", Moment(), nullable=False),
        sa.Column("assigned_to", Id(), nullable=False),
        sa.Column("created_by", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("content", LongText(), nullable=False),
        sa.Column("client_id", Id(), nullable=True),
        sa.Column("case", LongText(), nullable=False),
        sa.Column("notify_creator", sa.Boolean(), nullable=False),
        sa.Column("status", Key(length=64), nullable=False),
        sa.Column("done_at", Moment(), nullable=True),
        sa.Column("done_by", LongText(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        fk("tasks", ["tenant", "client_id"], "clients"),
        fk("tasks", ["tenant", "assigned_to"], "staff"),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}tasks"),
    )
    index("tasks", "assigned", ["tenant", "assigned_to", "due", "id"])
    index("tasks", "client", ["tenant", "client_id", "due", "id"])
    create(
        "linked_records",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("kind", LongText(), nullable=False),
        sa.Column("title", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("status", Key(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("subject_id", Id(), nullable=True),
        sa.Column("special_category", sa.Boolean(), nullable=False),
        sa.Column("details", LongText(), nullable=False),
        sa.Column("notes", LongText(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        fk("linked_records", ["tenant", "client_id"], "clients"),
        fk("linked_records", ["tenant", "subject_id"], "subjects"),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}linked_records"),
    )
    index("linked_records", "client", ["tenant", "client_id", "created_at", "id"])
    create(
        "company_data",
        _seq(),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("tax_id", LongText(), nullable=False),
        sa.Column("registry_number", LongText(), nullable=False),
        sa.Column("legal_form", LongText(), nullable=False),
        sa.Column("industry", LongText(), nullable=False),
        sa.Column("representative", LongText(), nullable=False),
        sa.Column("website", LongText(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        fk("company_data", ["tenant", "client_id"], "clients"),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}company_data"),
        sa.UniqueConstraint("tenant", "client_id", name=f"uq_{p}company_data_tenant_client_id"),
    )
    index("company_data", "client", ["tenant", "client_id", "seq"])
    create(
        "medical_data",
        _seq(),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("blood_type", LongText(), nullable=False),
        sa.Column("allergies", LongText(), nullable=False),
        sa.Column("conditions", LongText(), nullable=False),
        sa.Column("medications", LongText(), nullable=False),
        sa.Column("notes", LongText(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        fk("medical_data", ["tenant", "client_id"], "clients"),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}medical_data"),
        sa.UniqueConstraint("tenant", "client_id", name=f"uq_{p}medical_data_tenant_client_id"),
    )
    index("medical_data", "client", ["tenant", "client_id", "seq"])


def downgrade() -> None:
    p, s = names()
    for table in reversed(TABLES):
        op.drop_table(p + table, schema=s)
