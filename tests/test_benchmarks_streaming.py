"""The baselines of the streaming-import and search-by-kind benchmarks do what ours does
(tiny sizes, no timing asserted)."""

from __future__ import annotations

import pytest
import sqlalchemy
from benchmarks import imports, search_kinds, sqlkit
from benchmarks.data import client_rows

import clientcore
from clientcore.facade import SystemClock
from clientcore.operations.context import Context
from tests.test_benchmarks import COUNT, _contents, _database, imported  # noqa: F401


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_streaming_import_baseline_writes_what_ours_writes(engine: str) -> None:
    rows = client_rows(40)
    context = Context(actor=imports.ACTOR, clock=SystemClock(), ids=clientcore.time_ordered_id)
    with _database(engine, "ours") as url:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=imports.ACTOR) as core:
            core.setup.configure(default_region="PL")
            imports.import_ours(core, rows)
        ours = _contents(url)
    assert len(ours["clients"]) == len(ours["registered"]) == len(rows)
    with _database(engine, "baseline") as url:
        plain = sqlalchemy.create_engine(url)
        try:
            imports.write_core(plain, imports.prepared_rows(rows, 1, context))
        finally:
            plain.dispose()
        assert _contents(url) == ours


def test_the_search_by_kind_baseline_finds_what_ours_finds(imported: str) -> None:  # noqa: F811
    """Every kind of query (checked inside ``pair``, as the benchmark checks them)."""
    with clientcore.open(imported, tenant=sqlkit.TENANT, actor=imports.ACTOR) as core:
        baseline = search_kinds.SameSql(imported, core.setup.settings().default_region)
        try:
            for searches in search_kinds.kinds(COUNT, 8).values():
                for text, filters in searches:
                    search_kinds.pair(core, baseline, text, filters)
        finally:
            baseline.close()
