"""Per-request binding: a core opened on the host's ``Connection`` for each request.

A web host that keeps its own transaction per request opens clientcore on that request's
connection (``clientcore.open(connection, ...)``) and makes one change in it. Ours times
the whole request: a connection from the host's pool, the host's transaction begun,
``clientcore.open`` on it, ``core.clients.register`` (a SAVEPOINT, released), the host's
commit. The baseline is the same registration through one core opened on the host's
``Engine`` before its timer starts and shared by every request (a connection from the
pool, one transaction, its commit). The ratio is the price of opening a core per request
and of the savepoint; the target is 1.2x. Ours and the baseline take turns, who goes
first moving round from one registration to the next, on the same database (a SQLite
file, a PostgreSQL or a MariaDB database made for the run); the table gives the means.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

import sqlalchemy

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, publish, take_turns
from clientcore.adapters.sql import configure_sqlite

KEY = "binding"
TITLE = "Per-request binding: open on a host's Connection + one registration vs a shared core"
TARGET = 1.2
WARM_UP = 20
"""Registrations of each kind before the timed ones (pools filled, statements compiled)."""
ACTOR = clientcore.Actor("bench")


def run_engine(engine: str, count: int) -> Row:
    with sqlkit.fresh_database(engine, "binding") as url:
        host = sqlalchemy.create_engine(url)
        if engine == "sqlite":
            configure_sqlite(host)
        shared = clientcore.open(host, tenant=sqlkit.TENANT, actor=ACTOR)

        def per_request(number: int) -> None:
            with host.connect() as connection, connection.begin():
                core = clientcore.open(connection, tenant=sqlkit.TENANT, actor=ACTOR)
                core.clients.register(last_name=f"Request {number}")

        def on_shared(number: int) -> None:
            shared.clients.register(last_name=f"Shared {number}")

        try:
            take_turns([per_request, on_shared], range(WARM_UP))
            ours, baseline = take_turns([per_request, on_shared], range(WARM_UP, WARM_UP + count))
            with host.connect() as connection:
                counted = sqlalchemy.select(sqlalchemy.func.count()).select_from(
                    sqlkit.table("clients")
                )
                registered = connection.execute(counted).scalar_one()
            assert registered == 2 * (WARM_UP + count), registered  # every request committed
        finally:
            shared.close()
            host.dispose()
    case = f"{engine}: open + register (mean of {count:,})"
    return Row(case, statistics.mean(ours), statistics.mean(baseline), "ms", TARGET)


def run(engines: Sequence[str], count: int, *, write: bool) -> str:
    rows: list[Row] = []
    notes = [" ".join(__doc__.split("\n\n")[1].split()).replace("``", "`")]
    for engine in sqlkit.reachable(engines, notes):
        rows.append(run_engine(engine, count))
    return publish(KEY, TITLE, rows, notes="\n\n".join(notes), write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql,mariadb", help="comma-separated")
    parser.add_argument("--n", type=int, default=2000, help="registrations to time, each side")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    for engine in engines:
        if engine not in ("sqlite", "postgresql", "mariadb"):
            parser.error(f"--engines: {engine!r}")
    run(engines, args.n, write=not args.no_write)


if __name__ == "__main__":
    main()
