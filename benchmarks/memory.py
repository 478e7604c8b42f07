"""In-memory adapter: registering clients and prefix search, against a plain dict-and-list.

The baseline stores the same rows in a dict and keeps a sorted list of lower-cased last
names for prefix search: no validation, no phone parsing, no history. The ratio is the
price of what the core adds (validation, E.164 normalisation, codes, audit events,
folded multi-key search).
"""

from __future__ import annotations

import argparse
import bisect
import uuid
from collections.abc import Sequence

import clientcore
from benchmarks.data import client_rows, prefixes
from benchmarks.harness import Row, elapsed, latencies_ms, percentile, publish

BATCH = 10_000


def run(count: int, searches: int, *, write: bool) -> str:
    rows = client_rows(count)
    core = clientcore.open("memory://", tenant="bench", actor=clientcore.Actor("bench"))
    core.setup.configure(default_region="PL")
    ours_import = elapsed(
        lambda: [core.clients.import_many(rows[i : i + BATCH]) for i in range(0, count, BATCH)]
    )

    by_id: dict[uuid.UUID, dict[str, object]] = {}
    names: list[tuple[str, uuid.UUID]] = []

    def baseline_import() -> None:
        for number, row in enumerate(rows, start=1):
            client_id = uuid.uuid4()
            by_id[client_id] = {**row, "id": client_id, "code": str(number)}
            names.append((str(row["last_name"]).lower(), client_id))
        names.sort()

    raw_import = elapsed(baseline_import)

    def baseline_search(prefix: str) -> list[dict[str, object]]:
        start = bisect.bisect_left(names, (prefix,))
        found: list[dict[str, object]] = []
        for name, client_id in names[start:]:
            if not name.startswith(prefix) or len(found) == 50:
                break
            found.append(by_id[client_id])
        return found

    texts: Sequence[str] = prefixes(searches)
    core.clients.search(texts[0])  # builds the sorted key index once, as the first search would
    ours = latencies_ms(lambda text: core.clients.search(text, limit=50), texts)
    raw = latencies_ms(baseline_search, texts)
    rows_out = [
        Row(
            f"register {count:,} clients (import, batches of {BATCH:,})",
            ours_import,
            raw_import,
            "s",
        ),
        Row(f"prefix search p50 over {count:,}", percentile(ours, 50), percentile(raw, 50), "ms"),
        Row(f"prefix search p95 over {count:,}", percentile(ours, 95), percentile(raw, 95), "ms"),
    ]
    return publish(
        "memory",
        "In-memory adapter vs plain dict and sorted list",
        rows_out,
        notes=__doc__.split("\n\n", 1)[1].replace("\n", " ").strip(),
        write=write,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="clients to register")
    parser.add_argument("--searches", type=int, default=300, help="searches to time")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    run(args.n, args.searches, write=not args.no_write)


if __name__ == "__main__":
    main()
