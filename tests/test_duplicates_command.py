"""``clientcore duplicates``: the groups of a tenant as CSV, and its errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import clientcore
from clientcore.adapters.sql import upgrade
from clientcore.cli import main


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    upgrade(url)
    for tenant in ("vet", "salon"):
        core = clientcore.open(url, tenant=tenant, actor=clientcore.Actor("anna"))
        core.setup.configure(default_region="PL")
        core.clients.register(first_name="Łukasz", last_name="Żółkiewski", phones=["601 234 567"])
        core.clients.register(first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"])
        core.clients.register(first_name="Anna", last_name="Nowak", phones=["+48 512 000 111"])
    return url


def test_the_pairs_of_a_tenant_as_csv(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duplicates", url, "--tenant", "vet", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert {rows[0]["name_1"], rows[0]["name_2"]} == {"Łukasz Żółkiewski", "Lukasz Zolkiewski"}
    assert rows[0]["group"] == "1"
    assert set(rows[0]["reasons"].split()) == {"same_name", "same_phone"}
    assert 0.5 <= float(rows[0]["score"]) <= 1
    assert err.strip() == "3 clients read, 1 pairs compared"


def test_a_table_and_a_higher_threshold(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duplicates", url, "--tenant", "vet", "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "Żółkiewski" in table
    assert "Nowak" not in table
    assert main(["duplicates", url, "--tenant", "vet", "--format", "csv", "--min-score", "1"]) == 0
    assert capsys.readouterr().out.strip() == "group,score,code_1,name_1,code_2,name_2,reasons"


def test_a_refused_argument_is_an_error(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["duplicates", url, "--tenant", "vet", "--min-score", "2"]) == 1
    assert "min_score" in capsys.readouterr().err
