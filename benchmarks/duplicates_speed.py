"""Speed of finding duplicates on synthetic clients (benchmarks/duplicate_data.py: a tenth
of them duplicates of another), on SQLite or PostgreSQL.

Before registration (M4): ``core.clients.similar(**row)`` for rows that duplicate a
stored client and rows of new people, against one ``core.clients.search`` by the same
first and last name (what a registration form's look-up would do anyway), taking turns.

Scan: ``core.clients.find_duplicates()`` with default settings, against a baseline that
blocks in SQL and scores with ``rapidfuzz.process.cdist``: one query reads every client's
id, names and birthday ordered by block (the first four letters of the stored sort key,
which is the folded surname, and the birth year), and within each block the "surname
given name" strings are compared all against all with Jaro-Winkler, a pair kept at 0.9
and above. Who goes first alternates from run to run. Reported: seconds, pairs compared
per client, precision and recall against the injected duplicates. Each scan starts on a
collected heap that the garbage collector then leaves alone (``harness.clean_heap``), so
that its collections go through what it makes, not through the benchmark's own rows.

Setting up (not timed): the rows are checked and normalised by an in-memory core's
``import_many`` and their table rows written by the driver (``benchmarks.sqlkit.seed``),
into a new database removed after the run, or with ``--data`` into one kept between runs
(so that a million clients are written once).
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

import clientcore
from benchmarks import sqlkit
from benchmarks.duplicate_data import Synthetic, duplicate_of, original, synthetic
from benchmarks.harness import Row, clean_heap, percentile, publish, take_turns
from clientcore import ClientFields

KEY = "duplicates-speed"
TITLE = "Finding duplicates: similar() before registration, and a tenant scan"
ACTOR = clientcore.Actor("bench")
SCAN_TARGET = 2.0
PROBES = 200


def _stored(url: str, data: Synthetic) -> list[UUID]:
    """The rows as clients (coded by their position), written to ``url`` by the driver a
    chunk at a time; their ids, in the order of the rows."""
    ids: list[UUID] = []
    for start in range(0, len(data.rows), 20_000):
        memory = clientcore.open("memory://", tenant=sqlkit.TENANT, actor=ACTOR)
        memory.setup.configure(default_region="PL")
        rows = data.rows[start : start + 20_000]
        coded = [{**row, "code": str(start + n)} for n, row in enumerate(rows)]
        clients = memory.clients.import_many(coded)  # type: ignore[arg-type]
        sqlkit.seed(url, sqlkit.client_table_rows(clients))
        ids.extend(client.id for client in clients)
    core = clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR)
    core.setup.configure(default_region="PL")
    sqlkit.settle(url)
    return ids


def _kept(engine: str, data: Synthetic, folder: Path) -> tuple[str, list[UUID]]:
    """The database ``bench_dups_<count>`` kept between runs (a SQLite file in ``folder``),
    written now if it is empty; the ids of the rows, in their order (read by code)."""
    count = len(data.rows)
    url = sqlkit.kept_database(engine, f"bench_dups_{count}", folder)
    clients = sqlkit.table("clients")
    reader = sqlalchemy.create_engine(url)
    try:
        with reader.connect() as connection:
            read = sqlalchemy.select(clients.c.code, clients.c.id).where(
                clients.c.tenant == sqlkit.TENANT
            )
            ids = {int(code): UUID(str(client_id)) for code, client_id in connection.execute(read)}
    finally:
        reader.dispose()
    if not ids:
        return url, _stored(url, data)
    if sorted(ids) != list(range(count)):
        raise SystemExit(f"{url} holds other clients than {count:,} synthetic ones: remove it")
    return url, [ids[n] for n in range(count)]


def _probes(data: Synthetic) -> list[ClientFields]:
    """Half duplicates of stored rows, half new people, interleaved."""
    rng = random.Random(3)
    twins = [duplicate_of(rng, row) for row in rng.sample(data.rows, PROBES // 2)]
    new = [original(rng, 90_000_000 + n, ["Newperson", "Zzyzx"]) for n in range(PROBES // 2)]
    return [row for pair in zip(twins, new, strict=True) for row in pair]


def similar_rows(url: str, data: Synthetic, label: str) -> list[Row]:
    core = clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR)
    probes = _probes(data)
    for row in probes[:20]:  # statements compiled, caches warm
        core.clients.similar(**row)

    def ours(row: ClientFields) -> object:
        return core.clients.similar(**row)

    def baseline(row: ClientFields) -> object:
        return core.clients.search(f"{row.get('first_name', '')} {row.get('last_name', '')}")

    times = take_turns([ours, baseline], probes)
    return [
        Row(
            f"{label}: similar(), p50",
            statistics.median(times[0]),
            statistics.median(times[1]),
            "ms",
        ),
        Row(f"{label}: similar(), p95", percentile(times[0], 95), percentile(times[1], 95), "ms"),
    ]


def _accuracy(found: set[frozenset[int]], truth: set[frozenset[int]]) -> str:
    right = len(found & truth)
    return f"precision {right / max(1, len(found)):.4f}, recall {right / len(truth):.4f}"


def _sql_blocks(url: str) -> list[tuple[UUID, str, Any]]:
    """(id, "surname given name", block) of every client, ordered by block."""
    clients = sqlkit.table("clients")
    year = (
        sqlalchemy.func.extract("year", clients.c.birthday)
        if url.startswith("postgresql")
        else sqlalchemy.func.strftime("%Y", clients.c.birthday)
    )
    block = sqlalchemy.func.substr(clients.c.sort_key, 1, 4) + sqlalchemy.func.coalesce(
        sqlalchemy.cast(year, sqlalchemy.String), ""
    )
    statement = (
        sqlalchemy.select(clients.c.id, clients.c.last_name, clients.c.first_name, block)
        .where(clients.c.tenant == sqlkit.TENANT)
        .order_by(block)
    )
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                (row[0], f"{row[1]} {row[2]}".lower(), row[3])
                for row in connection.execute(statement)
            ]
    finally:
        engine.dispose()


def baseline_scan(url: str) -> tuple[set[tuple[UUID, UUID]], int]:
    """SQL blocking and ``cdist``: the pairs found and the pairs compared."""
    found: set[tuple[UUID, UUID]] = set()
    compared = 0
    for _, members in itertools.groupby(_sql_blocks(url), key=lambda row: row[2]):
        block = list(members)
        if len(block) < 2:
            continue
        names = [name for _, name, _ in block]
        scores = process.cdist(
            names, names, scorer=JaroWinkler.normalized_similarity, score_cutoff=0.9
        )
        compared += len(block) * (len(block) - 1) // 2
        for a, b in zip(*scores.nonzero(), strict=True):
            if a < b:
                found.add((block[a][0], block[b][0]))
    return found, compared


def scan_rows(url: str, ids: Sequence[UUID], data: Synthetic, label: str) -> tuple[Row, str]:
    position = {client_id: index for index, client_id in enumerate(ids)}
    core = clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR)
    results: dict[str, tuple[float, set[frozenset[int]], int]] = {}

    def ours() -> tuple[set[frozenset[int]], int]:
        scan = core.clients.find_duplicates()
        pairs = {
            frozenset((position[p.first_id], position[p.second_id]))
            for group in scan
            for p in group.pairs
        }
        return pairs, scan.pairs_compared

    def baseline() -> tuple[set[frozenset[int]], int]:
        pairs, compared = baseline_scan(url)
        return {frozenset((position[a], position[b])) for a, b in pairs}, compared

    runs: list[tuple[str, Callable[[], tuple[set[frozenset[int]], int]]]] = [
        ("ours", ours),
        ("baseline", baseline),
    ]
    for turn in range(2):
        for name, action in runs if turn == 0 else reversed(runs):
            with clean_heap():
                start = time.perf_counter()
                pairs, compared = action()
                seconds = time.perf_counter() - start
            best = results.get(name)
            if best is None or seconds < best[0]:
                results[name] = (seconds, pairs, compared)
    count = len(ids)
    notes = " ".join(
        f"{label}, {name}: {results[name][2] / count:.2f} pairs compared per client, "
        f"{_accuracy(results[name][1], data.pairs)}."
        for name in ("ours", "baseline")
    )
    row = Row(f"{label}: scan", results["ours"][0], results["baseline"][0], "s", SCAN_TARGET)
    return row, notes


def _measured(
    url: str, ids: list[UUID], data: Synthetic, label: str, scan: bool
) -> tuple[list[Row], str]:
    rows = similar_rows(url, data, label)
    if not scan:
        return rows, ""
    row, notes = scan_rows(url, ids, data, label)
    return [*rows, row], notes


def run(engine: str, count: int, *, scan: bool, kept: Path | None) -> tuple[list[Row], str]:
    label = f"{engine}, {count:,} clients"
    data = synthetic(count)
    if kept is not None:
        url, ids = _kept(engine, data, kept)
        return _measured(url, ids, data, label, scan)
    with sqlkit.fresh_database(engine, "dups") as url:
        return _measured(url, _stored(url, data), data, label, scan)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["sqlite:100000", "postgresql:100000"],
        help="ENGINE:CLIENTS for each run (default: sqlite:100000 postgresql:100000)",
    )
    parser.add_argument("--no-scan", action="store_true", help="time similar() only")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--data",
        type=Path,
        help="keep the clients between runs: SQLite files in this folder, databases "
        "bench_dups_<count> on the servers (default: fresh ones, removed after)",
    )
    parser.add_argument(
        "--section", default=KEY, help=f"the section of docs/benchmarks.md (default: {KEY})"
    )
    args = parser.parse_args(argv)
    rows: list[Row] = []
    notes: list[str] = []
    for spec in args.runs:
        engine, count = spec.split(":")
        found, note = run(engine, int(count), scan=not args.no_scan, kept=args.data)
        rows.extend(found)
        notes.append(note)
    publish(
        args.section, TITLE, rows, notes=" ".join(n for n in notes if n), write=not args.no_write
    )


if __name__ == "__main__":
    main()
