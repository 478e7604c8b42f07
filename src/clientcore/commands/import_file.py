"""``clientcore import FILE URL --tenant T``: bring a clinic's client list in from a CSV or
XLSX file (see docs/import.md)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientcore.entities.imports import ImportReport, RowRefusal
    from clientcore.facade import Core
    from clientcore.sheets import Sheet

NAME = "import"
HELP = "import clients from a CSV or XLSX file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a .csv file (UTF-8 unless --encoding) or .xlsx")
    parser.add_argument("url", help="where the clients are: sqlite:///clinic.db, mongodb://...")
    parser.add_argument("--tenant", required=True, help="the tenant to import into")
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="the column holding a field, e.g. last_name=Nazwisko (repeatable)",
    )
    parser.add_argument(
        "--mapping", type=Path, help='a TOML file: [columns] last_name = "Nazwisko" ...'
    )
    parser.add_argument(
        "--mode",
        choices=["all_or_nothing", "good_rows"],
        default="all_or_nothing",
        help="store nothing if any row is refused (default), or store the good rows",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check every row and report; store nothing"
    )
    parser.add_argument(
        "--refused",
        type=Path,
        help="where to write the refused rows as CSV (default: FILE.refused.csv)",
    )
    parser.add_argument("--region", help="set the tenant's phone region first, e.g. PL")
    parser.add_argument("--encoding", default="utf-8-sig", help="of a CSV file (e.g. cp1250)")
    parser.add_argument("--sheet", help="the sheet of an XLSX file (default: the first)")
    parser.add_argument("--actor", default="clientcore-import", help="who the history names")


class _DryRun(Exception):
    """Raised out of the dry run's transaction, so that it is rolled back."""


def _given_columns(args: argparse.Namespace) -> dict[str, str]:
    from clientcore.errors import ValidationError
    from clientcore.sheets import read_mapping

    given = read_mapping(args.mapping) if args.mapping else {}
    for pair in args.column:
        field, equals, column = pair.partition("=")
        if not equals:
            raise ValidationError("--column", f"{pair!r} is not FIELD=COLUMN")
        given[field.strip()] = column.strip()
    return given


def _rows(
    sheet: Sheet, columns: Mapping[str, int], numbers: array[int]
) -> Iterator[dict[str, object]]:
    """The sheet's rows as client fields; ``numbers`` gets each one's row number in the file."""
    from clientcore.sheets import client_fields

    for number, cells in sheet.rows:
        numbers.append(number)
        yield client_fields(cells, columns)


def _import(
    core: Core,
    args: argparse.Namespace,
    sheet: Sheet,
    columns: Mapping[str, int],
    numbers: array[int],
) -> ImportReport:
    from rich.console import Console
    from rich.progress import Progress

    from clientcore.entities.imports import ImportMode, ImportProgress
    from clientcore.errors import ImportRefused

    console = Console(stderr=True)
    with Progress(console=console, disable=not console.is_terminal, transient=True) as bar:
        task = bar.add_task("importing", total=sheet.total)

        def progress(done: ImportProgress) -> None:
            bar.update(task, completed=done.read)

        rows = _rows(sheet, columns, numbers)
        if args.dry_run:
            outcome: list[ImportReport] = []
            with contextlib.suppress(_DryRun), core.transaction() as unit:
                if args.region:
                    unit.setup.configure(default_region=args.region)
                outcome.append(
                    unit.clients.import_clients(rows, mode=ImportMode.GOOD_ROWS, progress=progress)
                )
                raise _DryRun()
            return outcome[0]
        if args.region:
            core.setup.configure(default_region=args.region)
        try:
            return core.clients.import_clients(rows, mode=args.mode, progress=progress)
        except ImportRefused as refused:
            return refused.report


def _write_refused(
    args: argparse.Namespace, refusals: tuple[RowRefusal, ...], numbers: array[int]
) -> Path:
    """The refused rows as CSV: their row number in the file, the field and the reason,
    then the row's own cells (read again from the file), so they can be fixed and imported."""
    from clientcore.sheets import open_sheet

    target: Path = args.refused or args.file.with_name(args.file.name + ".refused.csv")
    why: dict[int, list[RowRefusal]] = {}
    for refusal in refusals:
        why.setdefault(numbers[refusal.row], []).append(refusal)
    with (
        open_sheet(args.file, encoding=args.encoding, sheet=args.sheet) as sheet,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(["row", "field", "reason", *sheet.header])
        for number, cells in sheet.rows:
            for refusal in why.get(number, ()):
                shown = ["" if cell is None else str(cell) for cell in cells]
                writer.writerow([number, refusal.field, refusal.reason, *shown])
    return target


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import clientcore
    from clientcore.entities.common import Actor, Role
    from clientcore.errors import ClientCoreError
    from clientcore.sheets import column_map, open_sheet

    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    numbers: array[int] = array("q")
    try:
        actor = Actor(args.actor, roles={Role.OWNER}, name="clientcore import")
        with (
            clientcore.open(args.url, tenant=args.tenant, actor=actor) as core,
            open_sheet(
                args.file, encoding=args.encoding, sheet=args.sheet, count=sys.stderr.isatty()
            ) as sheet,
        ):
            if args.dry_run and not core.capabilities.transactions:
                parser.error("a dry run needs a store that runs transactions")
            columns = column_map(sheet.header, _given_columns(args))
            report = _import(core, args, sheet, columns, numbers)
    except (ClientCoreError, OSError, UnicodeDecodeError) as error:
        print(f"clientcore import: {error}", file=sys.stderr)
        return 1
    stored = "would be imported" if args.dry_run else "imported"
    if report.refusals and args.mode == "all_or_nothing" and not args.dry_run:
        stored = "imported (nothing is stored when a row is refused: see --mode)"
    print(f"{report.read} rows read: {report.imported} {stored}, {len(report.refusals)} refused")
    if not report.refusals:
        return 0
    target = _write_refused(args, report.refusals, numbers)
    print(f"refused rows, with the reason for each: {target}")
    return 1
