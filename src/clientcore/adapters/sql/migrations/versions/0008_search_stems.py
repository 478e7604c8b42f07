"""Search: stems of 1 and 2 characters, the status before the sort key, pairs of keys.

Revision ID: clientcore_0008
Revises: clientcore_0007
Create Date: 2026-12-07

``client_search_keys`` gets ``stem1`` and ``stem2`` (a key's first 1 and 2 characters),
each with an index like the stem's, and the three stem indexes list each stem's keys per
status in sort order (status before the sort key); ``client_search_pairs`` is new (its
primary key, and ``ix_client_search_pairs_order``). Both are filled from the keys already
stored, in SQL: the new columns from each key, the pairs by joining each client's keys
that do not start with an ASCII digit
(``convert.search_pair_rows`` makes the same rows for clients written later). The new
columns keep an empty server default, which only the backfill's ``ADD COLUMN`` uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, Key

revision: str = "clientcore_0008"
down_revision: str | None = "clientcore_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEMS = {"stem1": 1, "stem2": 2, "stem": 3}
ORDERED = ["status", "sort_key", "client_id", "key"]
PAIR_ORDER = ("tenant", "stem", "other_stem", "status", "sort_key", "client_id", "word", "other")


def upgrade() -> None:
    p, s = names()
    keys_name = p + "client_search_keys"
    for column, length in STEMS.items():
        if column != "stem":
            op.add_column(
                keys_name,
                sa.Column(column, Key(length=length), nullable=False, server_default=""),
                schema=s,
            )
    op.drop_index(f"ix_{p}client_search_keys_stem", table_name=keys_name, schema=s)
    keys = sa.table(
        keys_name,
        *(sa.column(name) for name in ("tenant", "key", "client_id", "sort_key", "status")),
        *(sa.column(column) for column in STEMS),
        schema=s,
    )
    op.execute(
        keys.update().values(
            {
                column: sa.func.substr(keys.c.key, 1, length)
                for column, length in STEMS.items()
                if column != "stem"
            }
        )
    )
    for column in STEMS:
        op.create_index(
            f"ix_{p}client_search_keys_{column}",
            keys_name,
            ["tenant", column, *ORDERED],
            unique=False,
            schema=s,
        )
    clients = p + "clients" if s is None else f"{s}.{p}clients"
    op.create_table(
        p + "client_search_pairs",
        sa.Column("tenant", Key(length=64), nullable=False),
        sa.Column("stem", Key(length=3), nullable=False),
        sa.Column("other", Key(length=100), nullable=False),
        sa.Column("word", Key(length=100), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.Column("sort_key", Key(length=100), nullable=False),
        sa.Column("status", Key(length=16), nullable=False),
        sa.Column("other_stem", Key(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "client_id"],
            [f"{clients}.tenant", f"{clients}.id"],
            name=f"fk_{p}client_search_pairs_tenant_client_id",
        ),
        sa.PrimaryKeyConstraint(
            "tenant",
            "stem",
            "other",
            "word",
            "client_id",
            name=f"pk_{p}client_search_pairs",
            postgresql_include=["sort_key", "status"],
        ),
        mysql_charset="utf8mb4",
        mysql_engine="InnoDB",
        sqlite_with_rowid=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_search_pairs_client",
        p + "client_search_pairs",
        ["tenant", "client_id"],
        unique=False,
        schema=s,
    )
    op.create_index(
        f"ix_{p}client_search_pairs_order",
        p + "client_search_pairs",
        list(PAIR_ORDER),
        unique=False,
        schema=s,
    )
    pairs = sa.table(
        p + "client_search_pairs",
        *(
            sa.column(name)
            for name in (
                "tenant",
                "stem",
                "other",
                "word",
                "client_id",
                "sort_key",
                "status",
                "other_stem",
            )
        ),
        schema=s,
    )
    # Of the other key only its key, client id and tenant, so that SQLite reads it from
    # ix_client_search_keys_client (tenant, client_id, key > word's key): given another
    # column of the row it chose the primary key's range (key > word's key), a read of
    # half the table per key.
    word, other = keys.alias("word"), keys.alias("other")
    firsts = [sa.func.substr(side.c.key, 1, 1) for side in (word, other)]
    op.execute(
        pairs.insert().from_select(
            list(pairs.c.keys()),
            sa.select(
                word.c.tenant,
                word.c.stem,
                other.c.key,
                word.c.key,
                word.c.client_id,
                word.c.sort_key,
                word.c.status,
                sa.func.substr(other.c.key, 1, 3),
            )
            .select_from(
                word.join(
                    other,
                    sa.and_(
                        other.c.tenant == word.c.tenant,
                        other.c.client_id == word.c.client_id,
                        other.c.key > word.c.key,
                    ),
                )
            )
            .where(*(sa.or_(first < "0", first > "9") for first in firsts)),
        )
    )


def downgrade() -> None:
    p, s = names()
    keys_name = p + "client_search_keys"
    op.drop_table(p + "client_search_pairs", schema=s)
    for column in STEMS:
        op.drop_index(f"ix_{p}client_search_keys_{column}", table_name=keys_name, schema=s)
    op.create_index(
        f"ix_{p}client_search_keys_stem",
        keys_name,
        ["tenant", "stem", "sort_key", "client_id", "key", "status"],
        unique=False,
        schema=s,
    )
    for column in STEMS:
        if column != "stem":
            op.drop_column(keys_name, column, schema=s)
