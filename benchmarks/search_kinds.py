"""Search by kind of query on SQLite, PostgreSQL and MariaDB, at 100,000 and 1,000,000 clients.

Ours: ``core.clients.search(text, **filters)`` (a page of 50) through ``clientcore.open(url)``.
The baseline: the same SQL through SQLAlchemy Core: the statements ours runs for that query
(the bounded count of each term's keys, then the step the count chooses, then the next
step if the page is not full, :meth:`SqlClientRepository.counting` and ``plan``), built
with their values before the timer, run on a plain ``sqlalchemy.create_engine(url)``, a
connection per search (autocommit on PostgreSQL, as ours' reads). Ours and the baseline
take turns on each query, who goes first alternating; each is checked to find the same
clients in the same order first (``tests/test_search_kinds_benchmark.py`` too).

The clients are :func:`benchmarks.data.stream_client_rows`, written directly (the
adapter's own rows, ``sqlkit.seed``) into a database kept between runs (``--data`` for
SQLite files; ``bench_kinds_<size>`` databases on the servers), so that the 1,000,000 are
written once.
"""

from __future__ import annotations

import argparse
import itertools
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Select, select

import clientcore
from benchmarks import sqlkit
from benchmarks.data import stream_client_rows
from benchmarks.harness import Row, percentile, publish, render, take_turns
from clientcore.adapters.sql import SqlBackend, convert
from clientcore.adapters.sql.clients import SqlClientRepository
from clientcore.adapters.sql.db import Db
from clientcore.entities.client import Client
from clientcore.entities.search import ClientQuery, StatusFilter, phone_like, search_terms
from clientcore.operations.clients import decode_cursor, ranked

PAGE = 50
BUDGET_MS = {"sqlite": 10.0, "postgresql": 20.0, "mariadb": 20.0}
ACTOR = clientcore.Actor("bench")
TITLE = "Search by kind of query: core.clients.search vs the same SQL through SQLAlchemy Core"
Step = tuple[Select[Any] | None, list[Select[Any]], int]
"""A store query's count (if any), its statements (the second runs if the first returns
fewer rows than the limit) and its limit."""
Prepared = tuple[Select[Any], bool, list[Step]]
"""The code look-up (its client shown, or only skipped past the first page) and the steps."""
Search = tuple[str, Mapping[str, Any]]
"""A search: its text and filters (``status``, ``after``)."""


def kinds(size: int, count: int, seed: int = 5) -> dict[str, list[Search]]:
    """``count`` searches of each kind among the first ``size`` clients of the data."""
    rng = random.Random(seed)
    lasts = ["kowalska", "nowak", "jansen", "bakker", "kazlauskas", "wisniewski"]
    firsts = ["anna", "zofia", "piotr", "daan", "egle", "lukasz"]

    def some(make: Callable[[], str], **filters: Any) -> list[Search]:
        return [(make(), filters) for _ in range(count)]

    def index() -> int:
        return rng.randrange(size)

    return {
        "one word": some(lambda: f"{rng.choice(lasts)}{rng.randrange(997)}"),
        "two words, few in common": some(lambda: " ".join(rng.sample(lasts, 2))),
        "first and last name": some(lambda: f"{rng.choice(firsts)} {rng.choice(lasts)}"),
        "no result": some(lambda: f"{rng.choice(lasts)}x{rng.randrange(99)}"),
        "1-2 letters": some(lambda: rng.choice(["k", "n", "a", "ko", "no", "an", "wi", "ba"])),
        "phone fragment": some(lambda: f"6{index():08d}"[: rng.randrange(5, 10)]),
        "e-mail": some(lambda: f"client{index()}@example.com"),
        "code": some(lambda: str(index() + 1)),
        "filtered (status all)": some(lambda: rng.choice(lasts), status="all"),
        "filtered, none pass (inactive)": some(lambda: rng.choice(lasts), status="inactive"),
        "second page": some(lambda: rng.choice(lasts), page=2),
    }


def fixture_url(engine: str, size: int, data: Path) -> str:
    """The URL of the kept database of ``size`` clients, written now if it is not there."""
    url = sqlkit.kept_database(engine, f"bench_kinds_{size}", data)
    with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
        core.setup.configure(default_region="PL")
        stored = bool(core.clients.search(str(size)).clients)
    if not stored:
        rows = stream_client_rows(size)
        now = sqlkit.now_utc()
        for first in range(0, size, 50_000):
            chunk = list(itertools.islice(rows, 50_000))
            clients = sqlkit.direct_clients(chunk, first_code=first + 1, now=now)
            sqlkit.seed(url, sqlkit.client_table_rows(clients))
        if engine == "postgresql":  # autovacuum would, later: the statistics of a loaded table
            plain = sqlalchemy.create_engine(url)
            with plain.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            plain.dispose()
    return url


class SameSql:
    """The baseline: the statements ours runs for a search, built before the timer and run
    through SQLAlchemy Core on a plain engine."""

    def __init__(self, url: str, region: str | None) -> None:
        self.engine = sqlalchemy.create_engine(url)
        if self.engine.dialect.name == "postgresql":
            self.engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.backend = SqlBackend.from_url(url, migrate=False)
        self.region = region

    def query(self, text: str, filters: Mapping[str, Any]) -> ClientQuery:
        """The query ``core.clients.search(text, ...)`` makes (its page plus one), before
        its ranks and cursor are applied."""
        return ClientQuery(
            terms=search_terms(text, region=self.region if phone_like(text) else None),
            status=StatusFilter(filters.get("status", "active")),
            limit=PAGE + 1,
        )

    def prepare(self, text: str, query: ClientQuery, after: str | None) -> Prepared:
        """The statements ours runs for a page, with their values, in order: the code
        look-up, then per rank's store query (:func:`ranked`) the count and the plan's
        steps. Which ranks run, and their page sizes, depend on the rows of the ranks
        before, so ours' ranking is run once here, before the timer, to record them."""
        cursor = None if after is None else decode_cursor(after)
        clients = self.backend.tables.clients
        code = select(*(clients.c[name] for name in convert.CLIENT_COLUMNS)).where(
            clients.c.tenant == sqlkit.TENANT, clients.c.code == text.strip()
        )
        if query.status is not StatusFilter.ALL:
            code = code.where(clients.c.status == query.status.value)
        steps: list[Step] = []
        with self.backend.connection(read_only=True) as (connection, _):
            repository = SqlClientRepository(Db(connection, self.backend.tables, sqlkit.TENANT))

            def recorded(store_query: ClientQuery) -> list[Client]:
                statements = repository.plan(store_query)
                steps.append((repository.counting(store_query), statements, store_query.limit))
                return repository.search(store_query)

            rows = connection.execute(code).all()
            by_code = convert.client_from_row(rows[0]) if rows else None
            ranked(recorded, query, by_code, cursor)
        return code, cursor is None, steps

    def run(self, prepared: Prepared) -> Sequence[Any]:
        """The rows of the page, as ours reads them: the code's client, then per rank's
        query the count, the first statement, the next if that query's page is not full;
        a client an earlier rank holds is skipped."""
        code, shown, steps = prepared
        with self.engine.connect() as connection:
            rows: list[Any] = list(connection.execute(code).all())
            seen = {_client_id(row) for row in rows}
            if not shown:
                rows = []
            for counting, statements, limit in steps:
                if counting is not None:
                    connection.execute(counting).all()
                found = connection.execute(statements[0]).all()
                if len(statements) > 1 and len(found) < limit:
                    found = connection.execute(statements[1]).all()
                for row in found:
                    if _client_id(row) not in seen:
                        seen.add(_client_id(row))
                        rows.append(row)
        return rows[: PAGE + 1]

    def close(self) -> None:
        self.engine.dispose()
        self.backend.close()


def measure(engine: str, url: str, size: int, count: int) -> list[Row]:
    """p50 and p95 of each kind, ours against the same SQL and against the budget."""
    out: list[Row] = []
    with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
        baseline = SameSql(url, core.setup.settings().default_region)
        try:
            for kind, searches in kinds(size, count).items():
                calls = [pair(core, baseline, text, filters) for text, filters in searches]
                for ours, theirs in calls[:3]:  # warm up: caches, connections, statements
                    ours(), theirs()
                mine, same = take_turns([lambda pair: pair[0](), lambda pair: pair[1]()], calls)
                case = f"{engine}, {size:,} clients, {kind}"
                for q in (50, 95):
                    out.append(
                        Row(
                            f"{case}: p{q} vs same SQL",
                            percentile(mine, q),
                            percentile(same, q),
                            "ms",
                        )
                    )
                out.append(
                    Row(
                        f"{case}: p95 vs budget", percentile(mine, 95), BUDGET_MS[engine], "ms", 1.0
                    )
                )
        finally:
            baseline.close()
    return out


def pair(
    core: clientcore.Core, baseline: SameSql, text: str, filters: Mapping[str, Any]
) -> tuple[Callable[[], object], Callable[[], object]]:
    """Ours and the baseline for one search, prepared (cursor of a second page, the
    baseline's statements), each checked to find the same clients."""
    status = filters.get("status", "active")
    after = None
    if filters.get("page") == 2:
        after = core.clients.search(text, status=status).next_cursor
    prepared = baseline.prepare(text, baseline.query(text, filters), after)
    found = [client.id for client in core.clients.search(text, status=status, after=after).clients]
    same = [_client_id(row) for row in baseline.run(prepared)[:PAGE]]
    assert found == same, (text, filters)
    return (
        lambda: core.clients.search(text, status=status, after=after),
        lambda: baseline.run(prepared),
    )


def _client_id(row: Any) -> uuid.UUID:
    """The client id of a row of the baseline (its first column, as ours reads it)."""
    value = row[0]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def run(engines: Sequence[str], sizes: Sequence[int], count: int, data: Path, write: bool) -> None:
    rows: list[Row] = []
    for engine in engines:
        for size in sizes:
            measured = measure(engine, fixture_url(engine, size, data), size, count)
            print(render(f"{engine}, {size:,} clients", measured), flush=True)
            rows += measured
    publish("search-kinds", TITLE, rows, write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql,mariadb", help="comma-separated")
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated")
    parser.add_argument("--searches", type=int, default=100, help="searches per kind")
    parser.add_argument("--data", type=Path, default=Path("/tmp/clientcore-bench"))
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    run(
        args.engines.split(","),
        [int(size) for size in args.sizes.split(",")],
        args.searches,
        args.data,
        write=not args.no_write,
    )


if __name__ == "__main__":
    main()
