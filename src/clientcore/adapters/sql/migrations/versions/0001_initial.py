"""The first schema: clients and their index rows, set-up records, linked records, visits.

Revision ID: clientcore_0001
Revises:
Create Date: 2026-11-25

Frozen: later changes of the schema come as new revisions, never as edits of this one.
The column types are clientcore's own (``schema.Key``, ``Id``, ``Moment``, ``LongText``),
which keep their storage form for good. Every revision id starts with ``clientcore_``, so
that it can sit beside a host's own revisions in one Alembic environment (docs/sql.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key, LongText, Moment

revision: str = "clientcore_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("clientcore",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "attribute_definitions",
    "counters",
    "events",
    "groups",
    "settings",
    "staff",
    "clients",
    "working_hours",
    "client_attributes",
    "client_groups",
    "client_search_keys",
    "consents",
    "notes",
    "subjects",
    "visits",
)
"""In creation order: every table after those it refers to."""


def upgrade() -> None:
    p, s = names()

    def ref(table: str, *columns: str) -> list[str]:
        qualified = p + table if s is None else f"{s}.{p}{table}"
        return [f"{qualified}.{column}" for column in columns]

    op.create_table(
        p + "attribute_definitions",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("key", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("label", LongText(), nullable=False),
        sa.Column("type", Key(length=16), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("choices", LongText(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "key", name=f"pk_{p}attribute_definitions"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "counters",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("name", Key(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "name", name=f"pk_{p}counters"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("kind", LongText(), nullable=False),
        sa.Column("entity_id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=True),
        sa.Column("actor_id", LongText(), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.Column("actor_roles", LongText(), nullable=False),
        sa.Column("changes", LongText(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}events"),
        sa.UniqueConstraint("tenant", "id", name=f"uq_{p}events_tenant_id"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}events_client", p + "events", ["tenant", "client_id", "seq"], unique=False, schema=s
    )
    op.create_table(
        p + "groups",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("name", Key(length=100), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}groups"),
        sa.UniqueConstraint("tenant", "name", name=f"uq_{p}groups_tenant_name"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "settings",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("default_region", Key(length=8), nullable=True),
        sa.Column("time_zone", Key(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name=f"pk_{p}settings"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "staff",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("name", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("roles", LongText(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}staff"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "clients",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("code", Key(length=32), nullable=False),
        sa.Column("kind", Key(length=16), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("first_name", LongText(), nullable=False),
        sa.Column("last_name", LongText(), nullable=False),
        sa.Column("company_name", LongText(), nullable=False),
        sa.Column("phones", LongText(), nullable=False),
        sa.Column("emails", LongText(), nullable=False),
        sa.Column("addresses", LongText(), nullable=False),
        sa.Column("description", LongText(), nullable=False),
        sa.Column("source", Key(length=100), nullable=False),
        sa.Column("caretaker_id", Id(), nullable=True),
        sa.Column("name_day_month", sa.SmallInteger(), nullable=True),
        sa.Column("name_day_day", sa.SmallInteger(), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("identity_documents", LongText(), nullable=False),
        sa.Column("remarks", LongText(), nullable=False),
        sa.Column("group_ids", LongText(), nullable=False),
        sa.Column("attributes", LongText(), nullable=False),
        sa.Column("status", Key(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sort_key", Key(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "caretaker_id"],
            ref("staff", "tenant", "id"),
            name=f"fk_{p}clients_tenant_caretaker_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}clients"),
        sa.UniqueConstraint("tenant", "code", name=f"uq_{p}clients_tenant_code"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}clients_caretaker",
        p + "clients",
        ["tenant", "caretaker_id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}clients_order", p + "clients", ["tenant", "sort_key", "id"], unique=False, schema=s
    )
    op.create_table(
        p + "working_hours",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("staff_id", Id(), nullable=False),
        sa.Column("weekly", LongText(), nullable=False),
        sa.Column("overrides", LongText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "staff_id"],
            ref("staff", "tenant", "id"),
            name=f"fk_{p}working_hours_tenant_staff_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "staff_id", name=f"pk_{p}working_hours"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_table(
        p + "client_attributes",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("key", Key(length=64), nullable=False),
        sa.Column("value", Key(length=1100), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}client_attributes_tenant_client_id",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "key"],
            ref("attribute_definitions", "tenant", "key"),
            name=f"fk_{p}client_attributes_tenant_key",
        ),
        sa.PrimaryKeyConstraint("tenant", "client_id", "key", name=f"pk_{p}client_attributes"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_attributes_key",
        p + "client_attributes",
        ["tenant", "key"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "client_groups",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("group_id", Id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}client_groups_tenant_client_id",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "group_id"],
            ref("groups", "tenant", "id"),
            name=f"fk_{p}client_groups_tenant_group_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "client_id", "group_id", name=f"pk_{p}client_groups"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_groups_group",
        p + "client_groups",
        ["tenant", "group_id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "client_search_keys",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("key", Key(length=100), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("stem", Key(length=3), nullable=False),
        sa.Column("sort_key", Key(length=100), nullable=False),
        sa.Column("status", Key(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}client_search_keys_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint(
            "tenant",
            "key",
            "client_id",
            name=f"pk_{p}client_search_keys",
            postgresql_include=["sort_key", "status"],
        ),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        sqlite_with_rowid=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_search_keys_client",
        p + "client_search_keys",
        ["tenant", "client_id", "key"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_search_keys_stem",
        p + "client_search_keys",
        ["tenant", "stem", "sort_key", "client_id", "key", "status"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "consents",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("purpose", Key(length=32), nullable=False),
        sa.Column("channel", Key(length=16), nullable=True),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", Moment(), nullable=False),
        sa.Column("source", LongText(), nullable=False),
        sa.Column("evidence", LongText(), nullable=False),
        sa.Column("recorded_by", LongText(), nullable=False),
        sa.Column("recorded_at", Moment(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}consents_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{p}consents"),
        sa.UniqueConstraint("tenant", "id", name=f"uq_{p}consents_tenant_id"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}consents_client",
        p + "consents",
        ["tenant", "client_id", "seq"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "notes",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("kind", Key(length=16), nullable=False),
        sa.Column("text", LongText(), nullable=False),
        sa.Column("project", Key(length=100), nullable=False),
        sa.Column("author_id", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}notes_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}notes"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}notes_client",
        p + "notes",
        ["tenant", "client_id", "created_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}notes_project",
        p + "notes",
        ["tenant", "project", "created_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "subjects",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("kind", LongText(), nullable=False),
        sa.Column("name", LongText(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("details", LongText(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}subjects_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}subjects"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}subjects_client",
        p + "subjects",
        ["tenant", "client_id", "created_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_table(
        p + "visits",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("id", Id(), nullable=False),
        sa.Column("staff_id", Id(), nullable=False),
        sa.Column("kind", Key(length=16), nullable=False),
        sa.Column("starts_at", Moment(), nullable=False),
        sa.Column("ends_at", Moment(), nullable=False),
        sa.Column("created_at", Moment(), nullable=False),
        sa.Column("updated_at", Moment(), nullable=False),
        sa.Column("client_id", Id(), nullable=True),
        sa.Column("subject_id", Id(), nullable=True),
        sa.Column("first_consultation", sa.Boolean(), nullable=False),
        sa.Column("asap", sa.Boolean(), nullable=False),
        sa.Column("notes", LongText(), nullable=False),
        sa.Column("source", LongText(), nullable=False),
        sa.Column("status", Key(length=16), nullable=False),
        sa.Column("charges", LongText(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            ref("clients", "tenant", "id"),
            name=f"fk_{p}visits_tenant_client_id",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "staff_id"],
            ref("staff", "tenant", "id"),
            name=f"fk_{p}visits_tenant_staff_id",
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "subject_id"],
            ref("subjects", "tenant", "id"),
            name=f"fk_{p}visits_tenant_subject_id",
        ),
        sa.PrimaryKeyConstraint("tenant", "id", name=f"pk_{p}visits"),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        schema=s,
    )
    op.create_index(
        f"ix_{p}visits_client",
        p + "visits",
        ["tenant", "client_id", "starts_at", "id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}visits_staff",
        p + "visits",
        ["tenant", "staff_id", "starts_at", "id"],
        unique=False,
        schema=s,
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    p, s = names()
    for table in reversed(TABLES):
        op.drop_table(p + table, schema=s)
