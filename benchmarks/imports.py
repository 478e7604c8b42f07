"""Streaming import on SQLite and PostgreSQL: ``core.clients.import_clients`` of a generator.

Two runs per engine:

* **alone** (a child process of its own, so that its peak memory is its own): ours imports
  ``count`` clients from a generator (:func:`benchmarks.data.stream_client_rows`), in
  ``GOOD_ROWS`` mode (a unit of work per batch of 1,000); the time of each 100,000 is
  taken from the progress callback, and the process's peak resident memory (``ru_maxrss``)
  is reported beside its resident memory before the import (the interpreter and
  libraries). The database can be kept (``--keep``) for the search benchmark.
* **paired**: ours and SQLAlchemy Core ``executemany`` of the same rows (clients, search
  keys, audit events, made by the adapter's own conversion functions from the clients ours
  makes of these rows, ``sqlkit.direct_clients``; one transaction per 1,000 clients, as
  ours) into two fresh databases, 10,000 clients at a time: both are prepared outside the
  timer (ours' input rows, the baseline's table rows), then each is timed, who goes first
  alternating from step to step, on a collected, frozen heap. The ratio is of the sums.
  Each one's rate and CPU time per client (this process's, and on PostgreSQL on this
  machine its server processes') in the first and last 100,000 show whether the
  database slows as it grows for the baseline as for ours.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import sqlalchemy

import clientcore
from benchmarks import sqlkit
from benchmarks.data import stream_client_rows
from benchmarks.harness import Row, clean_heap, elapsed, publish, turn_order
from benchmarks.sql import batches
from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.engine import configure_sqlite
from clientcore.entities.imports import IMPORT_BATCH_SIZE, ImportMode, ImportProgress
from clientcore.facade import SystemClock
from clientcore.operations.context import Context

CHUNK = 100_000
STEP = 10_000
ACTOR = clientcore.Actor("bench")
INSERTS = {
    name: sqlkit.table(name).insert()
    for name in (
        "clients",
        "client_search_keys",
        "client_search_pairs",
        "client_groups",
        "client_attributes",
        "events",
    )
}
TITLE = "Streaming import: core.clients.import_clients vs SQLAlchemy Core executemany"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def alone(url: str, count: int) -> dict[str, object]:
    """Ours alone: seconds per 100,000 clients, and peak memory (MB) before and after."""
    before = _rss_mb()
    marks = [(0, time.perf_counter())]

    def progress(done: ImportProgress) -> None:
        if done.read % CHUNK == 0 or done.read == count:
            marks.append((done.read, time.perf_counter()))

    with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
        core.setup.configure(default_region="PL")
        report = core.clients.import_clients(
            stream_client_rows(count), mode=ImportMode.GOOD_ROWS, progress=progress
        )
    assert (report.imported, report.refusals) == (count, ())
    rates = [(b - a) / (later - earlier) for (a, earlier), (b, later) in itertools.pairwise(marks)]
    return {"rates": rates, "rss_before_mb": before, "peak_rss_mb": _rss_mb()}


def alone_in_child(url: str, count: int) -> dict[str, object]:
    """:func:`alone` in a fresh interpreter, whose peak memory is the import's alone."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.imports", "--child", url, "--n", str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def prepared_rows(
    rows: Sequence[clientcore.ClientFields], first_code: int, context: Context
) -> list[sqlkit.TableRows]:
    """The baseline's rows for ``rows``: per batch of 1,000 clients, every table's rows, with
    ids made as ours makes them (``context.ids``)."""
    clients = sqlkit.direct_clients(
        rows, first_code=first_code, now=sqlkit.now_utc(), ids=context.ids
    )
    return [
        sqlkit.client_table_rows(batch, sqlkit.registration_events(batch, context))
        for batch in batches(clients, IMPORT_BATCH_SIZE)
    ]


def import_ours(core: clientcore.Core, rows: Sequence[clientcore.ClientFields]) -> None:
    """Ours: the rows through ``import_clients``, a unit of work per batch."""
    report = core.clients.import_clients(rows, mode=ImportMode.GOOD_ROWS)
    assert report.imported == len(rows)


def write_core(plain: sqlalchemy.Engine, prepared: Sequence[sqlkit.TableRows]) -> None:
    """The baseline: one ``executemany`` per table per batch, a transaction per batch. On
    PostgreSQL it refreshes the statistics of ``clients`` after writing its rows as ours
    does, with the same statements (``Db.refresh_statistics``): without it, a foreign key's
    check plan made while ``clients`` was nearly empty reads the whole table for each
    search key and event, and the baseline's time grows with the square of its rows."""
    for batch in prepared:
        with plain.begin() as connection:
            for name, table_rows in batch.items():
                connection.execute(INSERTS[name], table_rows)
                if name == "clients":
                    db = Db(connection, sqlkit.TABLES, sqlkit.TENANT)
                    db.refresh_statistics(sqlkit.TABLES.clients, len(table_rows))


@dataclasses.dataclass
class Spent:
    """One contender's cost per step of :data:`STEP` clients: wall seconds, and CPU seconds
    of this process and of the database's server processes (see :func:`server_clock`)."""

    wall: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)

    def measure(self, action: Callable[[], object], server: Callable[[], float]) -> None:
        server_before, cpu_before = server(), time.process_time()
        self.wall.append(elapsed(action))
        self.cpu.append(time.process_time() - cpu_before + server() - server_before)


@contextlib.contextmanager
def server_clock(url: str) -> Iterator[Callable[[], float]]:
    """CPU seconds used so far by the server processes of ``url``'s database: PostgreSQL's
    backends, read from ``/proc`` when the server runs on this machine (0 when it does not,
    and on SQLite, which runs in this process and is counted in its CPU time). A machine
    shared with other work stretches wall times; CPU times move less with the load."""
    if not url.startswith("postgresql"):
        yield lambda: 0.0
        return
    probe = sqlalchemy.create_engine(url)

    def used() -> float:
        with probe.connect() as connection:
            pids = connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            ).scalars()
            ticks = sum(_process_ticks(pid) for pid in pids)
        return ticks / os.sysconf("SC_CLK_TCK")

    try:
        yield used
    finally:
        probe.dispose()


def _process_ticks(pid: int) -> int:
    """User and system CPU ticks of process ``pid`` (0 if /proc does not show it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def paired(engine: str, count: int) -> tuple[Spent, Spent]:
    """What ours and SQLAlchemy Core spend per step of :data:`STEP` clients."""
    context = Context(actor=ACTOR, clock=SystemClock(), ids=clientcore.time_ordered_id)
    ours, baseline = Spent(), Spent()
    with (
        sqlkit.fresh_database(engine, "ours") as ours_url,
        sqlkit.fresh_database(engine, "core") as core_url,
        clientcore.open(ours_url, tenant=sqlkit.TENANT, actor=ACTOR) as core,
        server_clock(ours_url) as ours_server,
        server_clock(core_url) as core_server,
    ):
        core.setup.configure(default_region="PL")
        plain = sqlalchemy.create_engine(core_url)
        if plain.dialect.name == "sqlite":
            configure_sqlite(plain)  # WAL, foreign keys, BEGIN IMMEDIATE: ours' settings
        source = stream_client_rows(count)
        try:
            for step in range(0, count // STEP):
                rows = list(itertools.islice(source, STEP))
                prepared = prepared_rows(rows, step * STEP + 1, context)

                contenders = (
                    (ours, functools.partial(import_ours, core, rows), ours_server),
                    (baseline, functools.partial(write_core, plain, prepared), core_server),
                )
                for who in turn_order(2, step):
                    spent, action, server = contenders[who]
                    with clean_heap():
                        spent.measure(action, server)
        finally:
            plain.dispose()
    return ours, baseline


def run(
    engines: Sequence[str], count: int, paired_count: int, keep: str | None, write: bool
) -> None:
    for engine in engines:
        rows: list[Row] = []
        notes: list[str] = []
        if count:
            _alone_rows(engine, count, keep, rows, notes)
        if paired_count:
            _paired_rows(engine, paired_count, rows, notes)
        title = f"{TITLE} ({engine})"
        publish(f"streaming-import-{engine}", title, rows, notes="\n\n".join(notes), write=write)


def _alone_rows(
    engine: str, count: int, keep: str | None, rows: list[Row], notes: list[str]
) -> None:
    """The rows and note of ours alone (see :func:`alone`)."""
    with sqlkit.fresh_database(engine, "alone") as scratch:
        url = keep if keep and engine == "sqlite" else scratch
        measured = alone_in_child(url, count)
    rates = measured["rates"]
    assert isinstance(rates, list)
    first, last = rates[0], rates[-1]
    rows.append(
        Row(
            f"{engine}: {count:,} clients from a generator, clients/s: last 100k vs first",
            last,
            first,
            "clients/s",
        )
    )
    peak = float(str(measured["peak_rss_mb"]))
    rows.append(
        Row(f"{engine}: {count:,} clients, peak resident memory vs 200 MB", peak, 200, "MB", 1.0)
    )
    notes.append(
        f"{engine}, alone: clients/s per 100,000 clients "
        f"{', '.join(f'{rate:.0f}' for rate in rates)}; resident memory "
        f"{float(str(measured['rss_before_mb'])):.0f} MB before the import "
        f"(interpreter, libraries), {peak:.0f} MB at its peak."
    )


def _paired_rows(engine: str, paired_count: int, rows: list[Row], notes: list[str]) -> None:
    """The row and notes of ours against SQLAlchemy Core (see :func:`paired`): the ratio,
    and whether each one's cost per client stays flat from the first to the last 100,000
    (wall time, and CPU time, which moves less with the machine's load)."""
    per_chunk = min(CHUNK, paired_count) // STEP
    ours, baseline = paired(engine, paired_count)
    rows.append(
        Row(
            f"{engine}: {paired_count:,} clients, ours vs SQLAlchemy Core executemany",
            sum(ours.wall),
            sum(baseline.wall),
            "s",
            1.3,
        )
    )
    size = per_chunk * STEP
    first_ratio = sum(ours.wall[:per_chunk]) / sum(baseline.wall[:per_chunk])
    last_ratio = sum(ours.wall[-per_chunk:]) / sum(baseline.wall[-per_chunk:])
    notes.append(
        f"{engine}, paired: ours / Core on the first {size:,} clients "
        f"{first_ratio:.2f}x, on the last {size:,} {last_ratio:.2f}x; "
        f"ours {sum(ours.wall):.1f} s, Core {sum(baseline.wall):.1f} s."
    )

    def flat(spent: Spent) -> str:
        first, last = spent.wall[:per_chunk], spent.wall[-per_chunk:]
        cpu_first, cpu_last = spent.cpu[:per_chunk], spent.cpu[-per_chunk:]
        return (
            f"{size / sum(first):.0f} and {size / sum(last):.0f} clients/s, "
            f"{sum(cpu_first) * 1000 / size:.3f} and {sum(cpu_last) * 1000 / size:.3f} ms of "
            "CPU per client"
        )

    notes.append(
        f"{engine}, paired, first and last {size:,} clients: ours {flat(ours)}; "
        f"Core {flat(baseline)} (CPU: this process and the database's server processes)."
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--n", type=int, default=1_000_000, help="clients imported alone")
    parser.add_argument("--paired", type=int, default=1_000_000, help="clients in the pair")
    parser.add_argument("--keep", help="a SQLite URL to keep the imported clients in")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(alone(args.child, args.n)))
        return
    run(args.engines.split(","), args.n, args.paired, args.keep, write=not args.no_write)


if __name__ == "__main__":
    main()
