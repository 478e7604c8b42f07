"""``clientcore report NAME URL --tenant T``: print a report as a table, or write it as CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from clientcore.entities.report import Cell, Report
from clientcore.operations.reports import REPORTS

NAME = "report"
HELP = "print a report over the client base (or write it as CSV)"


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", choices=sorted(REPORTS), help="which report")
    parser.add_argument("url", help="the store: memory://, sqlite:///clinic.db, mongodb://...")
    parser.add_argument("--tenant", required=True, help="whose clients")
    parser.add_argument("--from", dest="start", type=_month, help="first month, YYYY-MM")
    parser.add_argument("--to", dest="end", type=_month, help="month after the last, YYYY-MM")
    parser.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-': standard output)")


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def table(report: Report) -> str:
    """The report as aligned text: a header, a rule, a line per row (numbers on the right)."""
    lines = [tuple(report.columns), *(tuple(map(_text, row)) for row in report.rows)]
    widths = [max(len(line[index]) for line in lines) for index in range(len(report.columns))]
    right = [
        bool(report.rows) and all(isinstance(row[i], int) for row in report.rows)
        for i in range(len(widths))
    ]

    def render(line: Sequence[str]) -> str:
        cells = (
            cell.rjust(width) if flush else cell.ljust(width)
            for cell, width, flush in zip(line, widths, right, strict=True)
        )
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def write_csv(report: Report, out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(report.columns)
    writer.writerows([[_text(cell) for cell in row] for row in report.rows])


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import clientcore
    from clientcore.errors import ClientCoreError

    try:
        core = clientcore.open(args.url, tenant=args.tenant)
        try:
            report = core.reports.run(args.name, start=args.start, end=args.end)
        finally:
            core.close()
    except ClientCoreError as error:
        print(f"clientcore report: {error}", file=sys.stderr)
        return 1
    if args.csv is None:
        print(table(report))
    elif args.csv == "-":
        write_csv(report, sys.stdout)
    else:
        with open(args.csv, "w", newline="", encoding="utf-8") as out:
            write_csv(report, out)
    return 0
