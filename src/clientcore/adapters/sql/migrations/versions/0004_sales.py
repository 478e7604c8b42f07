"""Sales: document types, warehouses, products, price lists and their prices and clients,
sales documents, settlements, interests and purchases (issue 21: O1-O3, B4, C8).

Revision ID: clientcore_0004
Revises: clientcore_0003
Create Date: 2026-12-07

Frozen, like every revision. The tables are those ``schema.kind_table`` derives from the
kinds of ``entities.kinds.SALES_KINDS`` (with ``schema.DERIVED_INDEXES``), written out here
so that a later change of the kinds comes as a new revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key, LongText, Moment

revision: str = "clientcore_0004"
down_revision: str | None = "clientcore_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "document_types",
    "warehouses",
    "products",
    "price_lists",
    "prices",
    "price_list_assignments",
    "sales_documents",
    "settlements",
    "interests",
    "purchases",
)
"""In creation order."""


def upgrade() -> None:
    p, s = names()

    def ref(table: str, *columns: str) -> list[str]:
        qualified = p + table if s is None else f"{s}.{p}{table}"
        return [f"{qualified}.{column}" for column in columns]

    op.create_table(
        p + "document_types",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("code", Key(length=255), nullable=False),
        sa.Column("name", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("rounding", Key(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}document_types"),
        sa.UniqueConstraint("tenant", "code", name=f"uq_{p}document_types_tenant_code"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "warehouses",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("code", Key(length=255), nullable=False),
        sa.Column("name", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}warehouses"),
        sa.UniqueConstraint("tenant", "code", name=f"uq_{p}warehouses_tenant_code"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "products",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("code", Key(length=255), nullable=False),
        sa.Column("name", LongText(), nullable=False),
        sa.Column("kind", Key(length=64), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("vat_rate", LongText(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}products"),
        sa.UniqueConstraint("tenant", "code", name=f"uq_{p}products_tenant_code"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "price_lists",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("name", Key(length=255), nullable=False),
        sa.Column("currency", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}price_lists"),
        sa.UniqueConstraint("tenant", "name", name=f"uq_{p}price_lists_tenant_name"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "prices",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("price_list_id", Id(), nullable=False),
        sa.Column("product_id", Id(), nullable=False),
        sa.Column("unit_price", LongText(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}prices"),
        sa.UniqueConstraint("tenant", "id", name=f"uq_{p}prices_tenant_id"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}prices_list",
        p + "prices",
        ["tenant", "price_list_id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "price_list_assignments",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("price_list_id", Id(), nullable=False),
        sa.Column("assigned_at", Moment(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}price_list_assignments_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}price_list_assignments"),
        sa.UniqueConstraint(
            "tenant", "client_id", name=f"uq_{p}price_list_assignments_tenant_client_id"
        ),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}price_list_assignments_client",
        p + "price_list_assignments",
        ["tenant", "client_id", "seq"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "sales_documents",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("type_id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("currency", LongText(), nullable=False),
        sa.Column("rounding", Key(length=64), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("warehouse_id", Id(), nullable=True),
        sa.Column("visit_id", Id(), nullable=True),
        sa.Column("lines", LongText(), nullable=False),
        sa.Column("status", Key(length=64), nullable=False),
        sa.Column("number", LongText(), nullable=True),
        sa.Column("year", sa.BigInteger(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("issued_at", Moment(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("paid", LongText(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("issued_month", sa.Date(), nullable=True),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}sales_documents_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}sales_documents"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}sales_documents_client",
        p + "sales_documents",
        ["tenant", "client_id", "created_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}sales_documents_issued",
        p + "sales_documents",
        ["tenant", "status", "issued_on"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}sales_documents_visit",
        p + "sales_documents",
        ["tenant", "visit_id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "settlements",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("currency", LongText(), nullable=False),
        sa.Column("amount", LongText(), nullable=False),
        sa.Column("allocations", LongText(), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.Column("recorded_by", LongText(), nullable=False),
        sa.Column("method", LongText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}settlements_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}settlements"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}settlements_client",
        p + "settlements",
        ["tenant", "client_id", "at", "id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "interests",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("product_id", Id(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("note", LongText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}interests_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}interests"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}interests_client",
        p + "interests",
        ["tenant", "client_id", "created_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}interests_product",
        p + "interests",
        ["tenant", "product_id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "purchases",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("product_id", Id(), nullable=False),
        sa.Column("quantity", LongText(), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.Column("warehouse_id", Id(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}purchases"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )


def downgrade() -> None:
    p, s = names()
    for table in reversed(TABLES):
        op.drop_table(p + table, schema=s)
