"""``clientcore report NAME URL --tenant T``: a table on standard output, or CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import clientcore
from clientcore import Actor, Role
from clientcore.adapters.sql import upgrade
from clientcore.cli import main
from clientcore.testing.clock import TickingClock


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    upgrade(url)
    core = clientcore.open(
        url, tenant="vet", actor=Actor("o", roles={Role.OWNER}), clock=TickingClock()
    )
    for source in ("web", "web", "friend", ""):
        core.clients.register(last_name="Nowak", source=source)
    core.close()
    return url


def test_a_report_prints_as_a_table(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "clients_by_source", url, "--tenant", "vet"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "source  clients",
        "------  -------",
        "              1",
        "friend        1",
        "web           2",
    ]


def test_a_monthly_report_writes_csv(url: str, tmp_path: Path) -> None:
    out = tmp_path / "months.csv"
    args = ["report", "clients_by_month", url, "--tenant", "vet", "--from", "2025-12"]
    assert main([*args, "--to", "2026-02", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["month", "clients"], ["2025-12", "0"], ["2026-01", "4"]]


def test_a_bad_period_is_an_error(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "clients_by_month", url, "--tenant", "vet", "--from", "2026-02"]
    assert main([*args, "--to", "2026-01"]) == 1
    assert "end" in capsys.readouterr().err
