"""Filling ``clients.profile`` for clients stored before a revision that adds the column or
changes what it holds (``clientcore_0009``, ``clientcore_0011``): each client's
``profile_text(profile_of(client))`` made from the columns a profile is made of, a
thousand at a time by (tenant, id)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.migrations import names
from clientcore.adapters.sql.schema import Id, stored_date
from clientcore.entities.likeness import profile
from clientcore.entities.profile_table import profile_text

BATCH = 1000
READ = (
    "first_name",
    "last_name",
    "company_name",
    "phones",
    "emails",
    "birthday",
    "identity_documents",
    "addresses",
)


def _text(row: Sequence[Any]) -> str:
    """The stored profile of a row of (tenant, id, *READ): the JSON lists as the adapter
    writes them ([value, ...] per item)."""
    _, client_id, first, last, company, phones, emails, birthday, documents, addresses = row
    return profile_text(
        profile(
            client_id,
            (first, last, company),
            phones=[item[0] for item in json.loads(phones)],
            emails=[item[0] for item in json.loads(emails)],
            birthday=None if birthday is None else stored_date(birthday),
            documents=[item[1] for item in json.loads(documents)],
            addresses=[(item[1], item[2], item[3]) for item in json.loads(addresses)],
        )
    )


def fill() -> None:
    """Write every client's stored profile as this version makes it."""
    p, s = names()
    clients = sa.table(
        p + "clients",
        sa.column("tenant", sa.String()),
        sa.column("id", Id()),
        *(sa.column(name, sa.Date() if name == "birthday" else sa.Text()) for name in READ),
        sa.column("profile", sa.Text()),
        schema=s,
    )
    c = clients.c
    read = sa.select(c.tenant, c.id, *(c[name] for name in READ)).order_by(c.tenant, c.id)
    write = (
        clients.update()
        .where(c.tenant == sa.bindparam("t"), c.id == sa.bindparam("i"))
        .values(profile=sa.bindparam("p"))
    )
    connection = op.get_bind()
    last: Sequence[Any] | None = None
    while True:
        page = read if last is None else read.where(sa.tuple_(c.tenant, c.id) > tuple(last))
        rows = connection.execute(page.limit(BATCH)).all()
        if not rows:
            return
        connection.execute(write, [{"t": r[0], "i": r[1], "p": _text(r)} for r in rows])
        last = rows[-1][:2]
