"""SQL adapter on SQLite (a file), PostgreSQL and MariaDB: importing clients, prefix search.

Import: ``core.clients.import_many`` in batches of 10,000 through ``clientcore.open(url)``,
against the same rows (clients, their search keys, their audit events: made by the adapter's
own conversion functions from the clients and events ours makes of the same input, built
directly: ``sqlkit.direct_clients``) written by SQLAlchemy Core ``executemany`` and by the
DB-API driver alone (sqlite3, psycopg or PyMySQL ``executemany``, the values passed through
the dialect's bind processors so every run writes the same bytes). Each run writes into a
new database with the migrated schema; every batch is one transaction. Each of the three
runs three times, who goes first moving round, on a collected and frozen heap
(:func:`benchmarks.harness.clean_heap`); the medians are published.

Search: ``core.clients.search(text)`` (a page of 50) against the same SQL statements written
by hand (:mod:`benchmarks.hand_search`: the bounded count of the key range, then the query
the count chooses, then the fallback if the page is not full) with the same values, run two
ways: through SQLAlchemy Core (``text()`` statements on a plain ``create_engine(url)``, a
connection per search, in autocommit on PostgreSQL as ours' reads are: the baseline the
1.5x target is judged on, as the project's raw baselines are raw SQLAlchemy Core) and
through the DB-API driver alone (one autocommit connection, tuples: a second row without a
target, as import has). Both are checked to find the clients ours finds, in the same order
(here and in ``tests/test_benchmarks.py``). Ours and the two take turns on each text, on the
same database, who goes first moving round from text to text
(:func:`benchmarks.harness.take_turns`: the first reads what is not cached yet). Common
prefixes are ``benchmarks.data.prefixes`` (each matches 1-9 % of the clients); rare ones
``benchmarks.data.rare_prefixes`` (1-100 clients). The first 100,000 clients are the ones
imported through the API; larger sizes are topped up with rows written directly (made by the
adapter's conversion functions), and so is every client with ``--search-only``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy

import clientcore
from benchmarks import sqlkit
from benchmarks.data import client_rows, prefixes, rare_prefixes
from benchmarks.hand_search import CoreSearch, DriverSearch, HandSearch
from benchmarks.harness import (
    Row,
    clean_heap,
    elapsed,
    percentile,
    publish,
    take_turns,
    turn_order,
    write_section,
)
from clientcore.adapters.memory import MemoryBackend
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.clients import SqlClientRepository
from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.engine import configure_sqlite
from clientcore.adapters.sql.uow import SqlUnitOfWork
from clientcore.entities.client import Client
from clientcore.entities.search import ClientQuery
from clientcore.facade import SystemClock
from clientcore.operations.clients import check_rows
from clientcore.operations.context import Context

BATCH = 10_000
ROUNDS = 3
"""Imports of each kind (ours, SQLAlchemy Core, the driver) per engine; the table gives
the median of each."""
PAGE = 50
ACTOR = clientcore.Actor("bench")


# -- import --------------------------------------------------------------------------------


def batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def validation_seconds(rows: Sequence[clientcore.ClientFields]) -> float:
    """Time of the checks ``import_clients`` runs (phones, e-mails, texts), without storage."""
    backend = MemoryBackend()
    clientcore.open(backend, tenant=sqlkit.TENANT, actor=ACTOR).setup.configure(default_region="PL")
    context = Context(actor=ACTOR, clock=SystemClock(), ids=uuid.uuid4)
    with backend.unit_of_work(sqlkit.TENANT) as uow:
        return elapsed(lambda: [check_rows(uow, context, batch) for batch in batches(rows)])


@contextmanager
def storage_clock() -> Iterator[list[float]]:
    """Seconds spent running statements and commits while the block runs: the statements
    ours runs through SQLAlchemy (``Connection.execute``, ``exec_driver_sql``) and the unit
    of work's commit, timed around their calls (what ours makes its rows from is not in
    them)."""
    spent = [0.0]
    originals = {
        (owner, name): getattr(owner, name)
        for owner, name in (
            (sqlalchemy.Connection, "execute"),
            (sqlalchemy.Connection, "exec_driver_sql"),
            (SqlUnitOfWork, "commit"),
        )
    }

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return call

    for (owner, name), method in originals.items():
        setattr(owner, name, timed(method))
    try:
        yield spent
    finally:
        for (owner, name), method in originals.items():
            setattr(owner, name, method)


def import_ours(url: str, rows: Sequence[clientcore.ClientFields]) -> tuple[float, float]:
    """Seconds of the import, and seconds of it in statements and commits. The clients each
    batch returns are counted, not kept (as a host importing a file would)."""
    with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
        core.setup.configure(default_region="PL")
        stored = [0]

        def import_all() -> None:
            for batch in batches(rows):
                stored[0] += len(core.clients.import_many(batch))

        with storage_clock() as spent:
            seconds = elapsed(import_all)
    assert stored[0] == len(rows)
    return seconds, spent[0]


def adapter_batches(clients: Sequence[Client]) -> list[sqlkit.TableRows]:
    """Per batch of clients, the rows the adapter writes (clients, keys, events)."""
    context = Context(actor=ACTOR, clock=SystemClock(), ids=uuid.uuid4)
    return [
        sqlkit.client_table_rows(batch, sqlkit.registration_events(batch, context))
        for batch in batches(clients)
    ]


def import_core(url: str, prepared: Sequence[sqlkit.TableRows]) -> float:
    """SQLAlchemy Core: one ``executemany`` per table per batch, one transaction per batch."""
    engine = sqlalchemy.create_engine(url)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)  # WAL, foreign keys, BEGIN IMMEDIATE: the settings ours has

    inserts = {name: sqlkit.table(name).insert() for batch in prepared for name in batch}

    def run() -> None:
        for batch in prepared:
            with engine.begin() as connection:
                for name, table_rows in batch.items():
                    connection.execute(inserts[name], table_rows)

    try:
        return elapsed(run)
    finally:
        engine.dispose()


def import_driver(url: str, prepared: Sequence[sqlkit.TableRows]) -> float:
    """The DB-API driver alone: the same values, ``executemany`` per table per batch, one
    transaction per batch."""
    dialect = sqlkit.dialect_of(url)
    statements = [
        {
            name: (sqlkit.insert_sql(name, columns, dialect), values)
            for name, (columns, values) in (
                (name, sqlkit.driver_values(name, table_rows, dialect))
                for name, table_rows in batch.items()
            )
        }
        for batch in prepared
    ]
    connection = sqlkit.connect(url)

    def run() -> None:
        cursor = connection.cursor()
        for batch in statements:
            if dialect.name == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            for sql, values in batch.values():
                cursor.executemany(sql, values)
            connection.commit()
        cursor.close()

    try:
        return elapsed(run)
    finally:
        connection.close()


def profiled(action: Callable[[], object], top: int = 30) -> str:
    """cProfile of ``action``: the functions that took longest, with and without callees."""
    profiler = cProfile.Profile()
    profiler.runcall(action)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile(engine: str, count: int, searches: int) -> None:
    """Print where ours spends its time: one import of ``count`` clients, then searches."""
    rows = client_rows(count)
    with (
        sqlkit.fresh_database(engine, "profile") as url,
        clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core,
    ):
        core.setup.configure(default_region="PL")
        print(profiled(lambda: core.clients.import_many(rows)))
        texts = [*prefixes(searches), *rare_prefixes(searches, count)]
        core.clients.search(texts[0])
        print(profiled(lambda: [core.clients.search(text) for text in texts]))


# -- search --------------------------------------------------------------------------------


def top_up(url: str, rows: Sequence[clientcore.ClientFields], start: int, end: int) -> None:
    """Write clients ``start..end`` of ``rows`` directly (the adapter's rows, no events)."""
    now = sqlkit.now_utc()
    for first in range(start, end, 100_000):
        last = min(end, first + 100_000)
        clients = sqlkit.direct_clients(rows[first:last], first_code=first + 1, now=now)
        sqlkit.seed(url, sqlkit.client_table_rows(clients))


def search_plans(url: str, texts: Sequence[str]) -> list[str]:
    """EXPLAIN of each SELECT the search plan of each text runs."""
    lines: list[str] = []
    backend = SqlBackend.from_url(url, migrate=False)
    try:
        with backend.connection() as (connection, _transaction):
            db = Db(connection, backend.tables, sqlkit.TENANT)
            repository = SqlClientRepository(db)
            for text in texts:
                plan = repository.plan(ClientQuery(terms=(text,), limit=PAGE + 1))
                for step, statement in enumerate(plan, start=1):
                    kind = "then, if the page is not full" if step > 1 else "first"
                    lines.append(f"{text!r}, {kind}:")
                    lines.extend(f"    {line}" for line in db.explain(statement))
    finally:
        backend.close()
    return lines


def same_results(core: clientcore.Core, hands: Sequence[HandSearch], texts: Sequence[str]) -> None:
    """Fail loudly unless each baseline finds exactly the clients ours finds, in the same
    order, for each of ``texts``."""
    for text in texts:
        ours_ids = [client.id for client in core.clients.search(text).clients]
        for hand in hands:
            found = [uuid.UUID(str(row[1])) for row in hand(text)[:PAGE]]
            assert ours_ids == found, (text, type(hand).__name__)


def run_search(engine: str, url: str, size: int, searches: int, *, check: bool = True) -> list[Row]:
    """p50 and p95 of ours against SQLAlchemy Core (the target's baseline) and against the
    driver alone, the three taking turns on each text."""
    baselines: list[tuple[str, HandSearch, float | None]] = [
        ("SQLAlchemy Core", CoreSearch(url, PAGE + 1), 1.5),
        ("the driver alone", DriverSearch(url, PAGE + 1), None),
    ]
    rows_out = []
    try:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
            searches_of: list[Callable[[str], object]] = [
                core.clients.search,
                *(hand for _, hand, _ in baselines),
            ]
            for label, texts in (
                ("common", prefixes(searches)),
                ("rare", rare_prefixes(searches, size)),
            ):
                for text in texts[:3]:  # warm them up (caches, connections, statements)
                    for search in searches_of:
                        search(text)
                if check:
                    same_results(core, [hand for _, hand, _ in baselines], texts[:20])
                mine, *theirs = take_turns(searches_of, texts)
                case = f"{engine}, {size:,} clients: {label} prefix"
                for q in (50, 95):
                    rows_out += [
                        Row(
                            f"{case} p{q}, ours vs {name}",
                            percentile(mine, q),
                            percentile(spent, q),
                            "ms",
                            target,
                        )
                        for (name, _, target), spent in zip(baselines, theirs, strict=True)
                    ]
                if engine == "sqlite" and size >= 1_000_000:
                    rows_out.append(
                        Row(f"{case} p95 vs a 10 ms budget", percentile(mine, 95), 10.0, "ms", 1.0)
                    )
    finally:
        for _, hand, _ in baselines:
            hand.close()
    return rows_out


# -- the run -------------------------------------------------------------------------------


def measure_import(
    engine: str,
    ours_url: str,
    imported: Sequence[clientcore.ClientFields],
    prepared: Sequence[sqlkit.TableRows],
    validation: float,
) -> tuple[list[Row], str]:
    """Import ``imported`` with ours, and ``prepared`` (the same rows) with SQLAlchemy Core
    and with the driver, :data:`ROUNDS` times each, each time into a new database (ours'
    last import into ``ours_url``, which the searches then read): the rows of the table
    (medians) and a note on ours. Who goes first moves round from round to round
    (:func:`benchmarks.harness.turn_order`)."""
    kinds = ("ours", "core", "driver")
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    in_sql: list[float] = []
    for round_ in range(ROUNDS):
        for kind in [kinds[index] for index in turn_order(len(kinds), round_)]:
            with contextlib.ExitStack() as scope:
                url = (
                    ours_url
                    if kind == "ours" and round_ == ROUNDS - 1
                    else scope.enter_context(sqlkit.fresh_database(engine, kind))
                )
                with clean_heap():
                    if kind == "ours":
                        ours, sql_seconds = import_ours(url, imported)
                        seconds[kind].append(ours)
                        in_sql.append(sql_seconds)
                    else:
                        write = import_core if kind == "core" else import_driver
                        seconds[kind].append(write(url, prepared))
    ours, core, driver = (statistics.median(seconds[kind]) for kind in kinds)
    sql_seconds = statistics.median(in_sql)
    written = sum(sqlkit.count_rows(batch) for batch in prepared)
    case = f"{engine}: import {len(imported):,} clients ({written:,} rows)"
    rest = ours - validation - sql_seconds
    spread = "; ".join(
        f"{kind} {', '.join(f'{value:.1f}' for value in seconds[kind])} s" for kind in kinds
    )
    return [
        Row(f"{case}, ours vs SQLAlchemy Core", ours, core, "s", 1.3),
        Row(f"{case}, ours vs the driver alone", ours, driver, "s"),
        Row(f"{case}, SQLAlchemy Core vs the driver alone", core, driver, "s"),
    ], (
        f"{engine}: each run ({spread}). Ours' median {ours:.1f} s = validating the rows "
        f"{validation:.1f} s (phones parsed with phonenumbers, e-mails checked by "
        f"email-validator, texts; measured alone) + statements and commits {sql_seconds:.1f} "
        f"s (timed inside ours: SQLAlchemy's execution of its statements, and its "
        f"commits) + the rest {rest:.1f} s (entities, audit events, rows made from "
        f"them). Without validation ours takes {ours - validation:.1f} s, "
        f"{(ours - validation) / core:.2f}x SQLAlchemy Core."
    )


def run(
    engines: Sequence[str],
    count: int,
    sizes: Sequence[int],
    searches: int,
    *,
    write: bool,
    search_only: bool = False,
    import_only: bool = False,
) -> None:
    rows = client_rows(max([count, *sizes]))
    sqlkit.check_direct_clients(rows[:200])
    imported = rows[:count]
    validation = 0.0 if search_only else validation_seconds(imported)
    prepared = (
        []
        if search_only
        else adapter_batches(sqlkit.direct_clients(imported, first_code=1, now=sqlkit.now_utc()))
    )
    import_rows: list[Row] = []
    search_rows: list[Row] = []
    notes: list[str] = []
    plans: list[str] = []
    for engine in sqlkit.reachable(engines, notes):
        with sqlkit.fresh_database(engine, "ours") as ours_url:
            if search_only:
                with clientcore.open(ours_url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
                    core.setup.configure(default_region="PL")
                have = 0
            else:
                measured, note = measure_import(engine, ours_url, imported, prepared, validation)
                import_rows += measured
                notes.append(note)
                have = count
            for size in [] if import_only else sorted(sizes):
                if size > have:
                    top_up(ours_url, rows, have, size)
                    have = size
                sqlkit.settle(ours_url)
                search_rows += run_search(engine, ours_url, size, searches)
                if size == max(sizes):
                    plans.append(f"**{engine}, {size:,} clients**\n\n```")
                    plans += search_plans(ours_url, ["kowal", "anna", "nowak1", "kowalska123"])
                    plans.append("```")
    if not search_only:
        publish(
            "sql-import",
            "SQL import: core.clients.import_many vs SQLAlchemy Core and the driver",
            import_rows,
            notes="\n\n".join(
                [
                    "Ours validates every field and writes clients, search keys and audit "
                    "events with their code checks; the baselines write the same rows, "
                    "already made (by the adapter's conversion functions, from the clients "
                    "ours makes of these rows, built directly by `sqlkit.direct_clients`, which "
                    "is checked to give what the API stores, and their registration events). "
                    "Each of the three imports "
                    f"{ROUNDS} times, each time into a new database, who goes first moving "
                    "round from one round to the next; the table gives the medians. Before "
                    "each run the heap is collected and frozen (`gc.freeze`), so that the "
                    "garbage collector's passes in a run go through what that run makes, not "
                    "through the harness's inputs.",
                    *notes,
                ]
            ),
            write=write,
        )
    if import_only:
        return
    publish(
        "sql-search",
        "SQL prefix search: core.clients.search vs the same statements by hand",
        search_rows,
        notes=(
            "A page of 50 active clients in sort order. Ours opens a unit of work, folds the "
            "text into terms, runs the statements and returns Client entities. The baselines run "
            "the same SQL text with the same values and return rows: through SQLAlchemy Core (a "
            "plain `create_engine(url)`, `with engine.connect()` per search and "
            "`execute(text(sql), values).all()` per statement, as a host developer would write "
            "it, reading as ours reads: on PostgreSQL at READ COMMITTED in autocommit; the rows "
            "the 1.5x target is judged on) and through the DB-API driver alone (one "
            "connection in autocommit mode, tuples; no target, as for import). Both find the "
            "clients ours finds, in the same order (checked). The three take turns on each text, "
            "who goes first moving round from text to text: the first pays for reading the pages "
            "not cached yet. A query reads about a page's worth of index entries at any size, so "
            "the ratios are what each adds per search; the times themselves grow where the pages "
            "are not in memory (PostgreSQL's shared buffers and MariaDB's buffer pool are 128 MB "
            "here, a part of 1M clients; the rare-prefix p95 at 1M is mostly those reads, in all "
            "three). SQLAlchemy Core adds to the driver its work per statement, a connection "
            "from the pool per search and, on MariaDB, the transaction the driver begins and the "
            "pool rolls back (SQLite's driver begins none for a SELECT). Ours "
            "runs the same statements through SQLAlchemy (`Connection.execute`, its compiled "
            "cache); it adds its unit of work (on SQLite a `BEGIN`, for one snapshot; on "
            "MariaDB the transaction Core has too; on PostgreSQL none: read-only units run in "
            "autocommit), the terms (a text like a phone number, a third of the rare prefixes, "
            "also reads the tenant's region and is parsed with phonenumbers) and the Client "
            "entities made from the rows. On the servers the round trips "
            "weigh most, in both."
        ),
        write=write,
    )
    if plans:
        write_section("sql-plans", "### Search query plans\n\n" + "\n".join(plans), write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql,mariadb", help="comma-separated")
    parser.add_argument("--n", type=int, default=100_000, help="clients to import")
    parser.add_argument(
        "--sizes", default="100000,1000000", help="clients to search among, comma-separated"
    )
    parser.add_argument("--searches", type=int, default=1000, help="searches to time per kind")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile of ours (first engine, --n)"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="time the searches only: no import is timed (nor its section written), every "
        "client is written directly, as the sizes beyond --n are",
    )
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="time the imports only: no search is timed (nor its sections written)",
    )
    args = parser.parse_args(argv)
    if args.search_only and args.import_only:
        parser.error("--search-only and --import-only exclude each other")
    if args.profile:
        profile(args.engines.split(",")[0], args.n, args.searches)
        return
    run(
        args.engines.split(","),
        args.n,
        [int(size) for size in args.sizes.split(",") if size],
        args.searches,
        write=not args.no_write,
        search_only=args.search_only,
        import_only=args.import_only,
    )


if __name__ == "__main__":
    main()
