"""The price of SQLite's ``secure_delete``, which clientcore turns on so that erased values
are not left in the file's free space (docs/privacy.md).

Ours: ``core.clients.update`` (a new remark, which rewrites the client's row, its search
keys and appends an event) on a SQLite file opened by clientcore (``secure_delete = ON``).
The baseline: the same updates on a second file whose engine turns ``secure_delete`` off
again on each connection. The two take turns, who goes first moving round from one update
to the next; the table gives the means. The target is 1.1x.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, event

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, publish, take_turns
from clientcore.adapters.sql import SqlBackend
from clientcore.operations.clients import ClientFields

KEY = "privacy"
TITLE = "SQLite secure_delete: core.clients.update with it on (ours) vs off"
TARGET = 1.1
WARM_UP = 20
CLIENTS = 200
ACTOR = clientcore.Actor("bench")


def _without_secure_delete(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.execute("PRAGMA secure_delete = OFF")


def _core(url: str, *, secure: bool) -> tuple[clientcore.Core, list[UUID]]:
    backend = SqlBackend.from_url(url)
    engine = backend.bind
    assert isinstance(engine, Engine)
    if not secure:
        event.listen(engine, "connect", _without_secure_delete)  # after ours
        engine.dispose()  # the connections the migration opened had it on
    with engine.connect() as connection:
        setting = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
    assert setting == int(secure), setting
    core = clientcore.open(backend, tenant=sqlkit.TENANT, actor=ACTOR)
    rows: list[ClientFields] = [
        {"last_name": f"Client {n}", "remarks": "x" * 200} for n in range(CLIENTS)
    ]
    ids = [client.id for client in core.clients.import_many(rows)]
    return core, ids


def run(count: int, *, write: bool) -> str:
    with (
        sqlkit.fresh_database("sqlite", "secure") as secure_url,
        sqlkit.fresh_database("sqlite", "plain") as plain_url,
    ):
        secure, secure_ids = _core(secure_url, secure=True)
        plain, plain_ids = _core(plain_url, secure=False)

        def update(core: clientcore.Core, ids: list[UUID]) -> Any:
            return lambda n: core.clients.update(ids[n % CLIENTS], remarks=f"remark {n} " * 20)

        actions = [update(secure, secure_ids), update(plain, plain_ids)]
        try:
            take_turns(actions, range(WARM_UP))
            ours, baseline = take_turns(actions, range(WARM_UP, WARM_UP + count))
        finally:
            secure.close()
            plain.close()
    rows = [
        Row(
            f"sqlite: update (mean of {count:,})",
            statistics.mean(ours),
            statistics.mean(baseline),
            "ms",
            TARGET,
        )
    ]
    notes = " ".join(__doc__.split("\n\n")[1].split()).replace("``", "`")
    return publish(KEY, TITLE, rows, notes=notes, write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="updates to time, each side")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    run(args.n, write=not args.no_write)


if __name__ == "__main__":
    main()
