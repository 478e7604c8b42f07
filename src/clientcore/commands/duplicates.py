"""``clientcore duplicates URL --tenant T``: list a tenant's groups of likely duplicates.

Each pair of each group is a line: the group's number, the pair's score, the two clients'
codes and names, and the reasons, best group first. ``--format csv`` writes CSV (the
default when the output is not a terminal); ``table`` draws a table. On a terminal a
progress bar on standard error shows the reading and comparing; at the end a line on
standard error says how many clients were read and how many pairs compared.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from clientcore import Core, DuplicateGroup, ScanProgress

NAME = "duplicates"
HELP = "list a tenant's groups of likely duplicate clients, best first"
COLUMNS = ("group", "score", "code_1", "name_1", "code_2", "name_2", "reasons")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="e.g. sqlite:///clinic.db, postgresql+psycopg://..., memory://")
    parser.add_argument("--tenant", required=True, help="the tenant whose clients are scanned")
    parser.add_argument(
        "--format",
        choices=("csv", "table"),
        default=None,
        help="csv, or a table (default: a table on a terminal, CSV otherwise)",
    )
    parser.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="the least score of a pair, from 0 to 1 (default: the scan's, 0.5)",
    )


def _lines(core: Core, groups: Iterator[DuplicateGroup]) -> Iterator[tuple[str, ...]]:
    """A row of :data:`COLUMNS` per pair, the clients' codes and names read as they come."""
    for number, group in enumerate(groups, start=1):
        for pair in group.pairs:
            first, second = core.clients.get(pair.first_id), core.clients.get(pair.second_id)
            yield (
                str(number),
                f"{pair.score:.2f}",
                first.code,
                first.display_name,
                second.code,
                second.display_name,
                " ".join(pair.reasons),
            )


def _write_csv(rows: Iterator[tuple[str, ...]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row)


def _write_table(rows: Iterator[tuple[str, ...]], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*COLUMNS)
    for row in rows:
        table.add_row(*row)
    Console(file=out).print(table)


def _progress_bar(err: TextIO) -> tuple[Callable[[ScanProgress], object], Callable[[], None]]:
    """A progress callback drawing a bar on ``err``, and what stops the bar."""
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(file=err), transient=True)
    task = bar.add_task("reading clients", total=None)
    bar.start()

    def tell(progress: ScanProgress) -> None:
        bar.update(
            task,
            description=f"{progress.stage.value} ",
            completed=progress.done,
            total=progress.total,
        )

    return tell, bar.stop


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import clientcore
    from clientcore.api.clients import SCAN_MIN_SCORE
    from clientcore.errors import ClientCoreError

    out, err = sys.stdout, sys.stderr
    tell: Callable[[ScanProgress], object] | None = None
    stop: Callable[[], None] = lambda: None  # noqa: E731
    if err.isatty():
        tell, stop = _progress_bar(err)
    try:
        core = clientcore.open(args.url, tenant=args.tenant)
        min_score = SCAN_MIN_SCORE if args.min_score is None else args.min_score
        scan = core.clients.find_duplicates(min_score=min_score, progress=tell)
        groups = list(scan)
    except ClientCoreError as error:
        print(f"clientcore duplicates: {error}", file=err)
        return 1
    finally:
        stop()
    rows = _lines(core, iter(groups))
    if (args.format or ("table" if out.isatty() else "csv")) == "csv":
        _write_csv(rows, out)
    else:
        _write_table(rows, out)
    print(f"{scan.clients_read} clients read, {scan.pairs_compared} pairs compared", file=err)
    return 0
