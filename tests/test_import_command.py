"""``clientcore import``: the messy example file of docs/examples, as CSV and as XLSX."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

import clientcore
from clientcore.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
CLIENTS = EXAMPLES / "clinic-clients.csv"
MAPPING = EXAMPLES / "clinic-columns.toml"
IMPORTED = ["K-001", "K-002", "K-003", "K-004", "K-007", "K-010"]
REFUSED = [("6", "phones"), ("7", "birthday"), ("9", "code"), ("10", "last_name")]


def _import(url: str, source: Path, *options: str) -> int:
    return main(["import", str(source), url, "--tenant", "clinic", "--region", "PL", *options])


def _codes(url: str) -> list[str]:
    core = clientcore.open(url, tenant="clinic")
    return sorted(client.code for client in core.clients.search(status="all").clients)


def _refused(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return [(row["row"], row["field"]) for row in csv.DictReader(file)]


def _as_xlsx(target: Path) -> Path:
    """The example file as a workbook typed by hand: phones and dates as numbers and dates."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with CLIENTS.open(newline="", encoding="utf-8") as file:
        for number, row in enumerate(csv.reader(file, delimiter=";")):
            cells: list[object] = list(row)
            if number and row[5].replace(" ", "").isdigit():
                cells[5] = int(row[5].replace(" ", ""))
            if number and row[7][:4].isdigit() and row[7] != "1988-02-30":
                cells[7] = datetime.fromisoformat(row[7])
            sheet.append(cells)
    book.save(target)
    return target


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.db'}"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_example_file_imports_its_good_rows_and_reports_the_rest(
    url: str, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = CLIENTS if kind == "csv" else _as_xlsx(tmp_path / "clients.xlsx")
    report = tmp_path / "refused.csv"
    status = _import(
        url, source, "--mapping", str(MAPPING), "--mode", "good_rows", "--refused", str(report)
    )
    assert status == 1
    assert "10 rows read: 6 imported" in capsys.readouterr().out
    assert _codes(url) == IMPORTED
    assert _refused(report) == REFUSED
    core = clientcore.open(url, tenant="clinic")
    zofia = core.clients.by_code("K-002")
    assert [p.number for p in zofia.phones] == ["+48601234568", "+48226281234"]
    assert [e.address for e in zofia.emails] == ["ZOFIA.WN@poczta.pl", "zofia@example.org"]
    assert zofia.birthday == date(1990, 7, 1)
    assert zofia.remarks == "Kot Mruczek,\nalergia na kurczaka"
    assert core.clients.by_code("K-004").kind.value == "company"
    assert [p.number for p in core.clients.by_code("K-010").phones] == [
        "+48226281236",
        "+48601234570",
    ]
    assert core.clients.by_code("K-007").birthday == date(1979, 12, 1)
    assert [c.code for c in core.clients.search("łukasz zolc").clients] == ["K-003"]
    assert [c.code for c in core.clients.search("+48 22 555 12 12").clients] == ["K-003"]


def test_all_or_nothing_and_the_dry_run_store_nothing(url: str, tmp_path: Path) -> None:
    report = tmp_path / "refused.csv"
    assert _import(url, CLIENTS, "--mapping", str(MAPPING), "--refused", str(report)) == 1
    assert _codes(url) == []
    assert _refused(report) == REFUSED
    report.unlink()
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    dry = ("--mapping", str(MAPPING), "--dry-run", "--refused", str(report))
    assert _import(fresh, CLIENTS, *dry, "--mode", "good_rows") == 1
    assert _codes(fresh) == []
    assert _refused(report) == REFUSED
    assert clientcore.open(fresh, tenant="clinic").setup.settings().default_region is None


def test_columns_given_as_options_and_named_like_fields(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text("last_name,Phone\nNowak,601 234 567\nLis,\n", encoding="utf-8")
    assert _import(url, source, "--column", "phones=Phone") == 0
    assert "2 rows read: 2 imported, 0 refused" in capsys.readouterr().out
    core = clientcore.open(url, tenant="clinic")
    assert [c.last_name for c in core.clients.search("601234567").clients] == ["Nowak"]
    assert _import(url, source, "--column", "phone=Phone") == 1
    assert "phone: is not a field" in capsys.readouterr().err
    assert _import(url, source, "--column", "phones=Telefon") == 1
    assert "no column 'Telefon'" in capsys.readouterr().err
