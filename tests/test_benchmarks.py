"""Each benchmark's baseline does what ours does: for the same input it returns (or writes)
what ours returns (or writes). Tiny sizes, no timing asserted: a benchmark whose baseline
found other clients, or wrote other rows, would compare two different pieces of work."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any
from uuid import UUID

import mongomock
import pytest
import sqlalchemy
from benchmarks import binding, dispatch, memory, mongo, sales, schedule, sqlkit
from benchmarks import merge as merge_bench
from benchmarks import sql as sql_bench
from benchmarks.data import client_rows, prefixes, rare_prefixes
from benchmarks.hand_search import CoreSearch, DriverSearch

import clientcore
from clientcore.adapters.sql import SqlBackend
from clientcore.entities.profile_table import profile_id
from clientcore.testing.kinds import STAMPS
from tests.servers import unreachable

COUNT = 300


@contextlib.contextmanager
def _database(engine: str, label: str) -> Iterator[str]:
    """A new database with clientcore's schema, as the benchmarks make them."""
    down = sqlkit.server_available(engine)
    if down is not None:
        unreachable(engine, down)
    with sqlkit.fresh_database(engine, label) as url:
        yield url


def test_the_in_memory_baseline_finds_what_ours_finds() -> None:
    rows = client_rows(COUNT)
    core = memory.open_core()
    memory.import_ours(core, rows)
    index = memory.PlainIndex()
    index.import_rows(rows)
    memory.same_results(core, index, sorted(set(prefixes(40))))


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def imported(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with :data:`COUNT` clients imported through ours."""
    with _database(request.param, "test") as url:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=sql_bench.ACTOR) as core:
            core.setup.configure(default_region="PL")
            core.clients.import_many(client_rows(COUNT))
        yield url


def _baselines_find_what_ours_finds(url: str, texts: list[str], bound: int | None) -> None:
    """Both search baselines (with the count's ``bound``, if given) against ours."""
    hands = [CoreSearch(url, sql_bench.PAGE + 1), DriverSearch(url, sql_bench.PAGE + 1)]
    for hand in hands:
        hand.bound = bound or hand.bound
    try:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=sql_bench.ACTOR) as core:
            sql_bench.same_results(core, hands, texts)
    finally:
        for hand in hands:
            hand.close()


def test_the_search_baselines_find_what_ours_finds(imported: str) -> None:
    _baselines_find_what_ours_finds(
        imported, sorted({*prefixes(40), *rare_prefixes(40, COUNT)}), bound=None
    )


def test_the_search_baselines_stem_reads_find_what_ours_finds(imported: str) -> None:
    """With a count bound of one, every term of 3 characters or more is read from its stem
    (4 characters or more: the 4-character stem), as at a million clients."""
    texts = sorted(text for text in {*prefixes(40), *rare_prefixes(40, COUNT)} if len(text) >= 3)
    assert any(len(text) >= 4 for text in texts)
    assert any(len(text) == 3 for text in texts)
    _baselines_find_what_ours_finds(imported, texts, bound=1)


def test_the_core_search_baseline_reads_in_autocommit_where_ours_does(imported: str) -> None:
    hand = CoreSearch(imported, sql_bench.PAGE + 1)
    try:
        with hand.engine.connect() as connection:
            level = connection.get_execution_options().get("isolation_level")
    finally:
        hand.close()
    backend = SqlBackend.from_url(imported)
    try:
        with backend.unit_of_work(sqlkit.TENANT, read_only=True) as uow:
            ours = uow.connection.get_execution_options().get("isolation_level")
    finally:
        backend.close()
    assert (level == "AUTOCOMMIT") == (ours == "AUTOCOMMIT")
    assert (ours == "AUTOCOMMIT") == (hand.dialect == "postgresql")


def _made_anew_left_out(row: sqlalchemy.RowMapping) -> dict[str, Any]:
    """A client's row without its id and times; its stored profile without the id it
    begins with (checked to be the row's)."""
    kept = {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
    assert profile_id(row["profile"]).hex == UUID(str(row["id"])).hex
    kept["profile"] = row["profile"][32:]
    return kept


def _contents(url: str) -> dict[str, Any]:
    """What an import wrote, apart from what each writer makes anew (ids, times): the
    clients' rows, their search keys and their registration events, by client code."""
    clients, keys, events = (
        sqlkit.table(name) for name in ("clients", "client_search_keys", "events")
    )
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(sqlalchemy.select(clients)).mappings().all()
            found = connection.execute(sqlalchemy.select(keys.c.client_id, keys.c.key)).all()
            registered = connection.execute(
                sqlalchemy.select(events.c.client_id, events.c.actor_id, events.c.changes).where(
                    events.c.kind == "client.registered"
                )
            ).all()
    finally:
        engine.dispose()
    code = {row["id"]: row["code"] for row in stored}
    return {
        "clients": {row["code"]: _made_anew_left_out(row) for row in stored},
        "keys": sorted((code[client_id], key) for client_id, key in found),
        "registered": sorted((code[client_id], *rest) for client_id, *rest in registered),
    }


@pytest.mark.parametrize("engine", ["sqlite", "postgresql", "mariadb"])
def test_the_import_baselines_write_what_ours_writes(engine: str) -> None:
    rows = client_rows(40)
    prepared = sql_bench.adapter_batches(
        sqlkit.direct_clients(rows, first_code=1, now=sqlkit.now_utc())
    )
    with _database(engine, "ours") as url:
        sql_bench.import_ours(url, rows)
        ours = _contents(url)
    assert len(ours["clients"]) == len(ours["registered"]) == len(rows)
    for write in (sql_bench.import_core, sql_bench.import_driver):
        with _database(engine, "baseline") as url:
            write(url, prepared)
            assert _contents(url) == ours, write.__name__


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scheduled(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[str, list[Any], list[Any]]]:
    """A database seeded as the scheduling benchmark seeds it, with two weeks of visits."""
    with _database(request.param, "schedule") as url:
        staff_ids, client_ids, _visits = schedule.seed(url, days=14)
        yield url, staff_ids, client_ids


@contextlib.contextmanager
def _ours_and_driver(url: str) -> Iterator[tuple[clientcore.Core, schedule.Driver]]:
    """Ours and the scheduling baselines' driver on the database at ``url``."""
    driver = schedule.Driver(url)
    try:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=schedule.ACTOR) as core:
            yield core, driver
    finally:
        driver.close()


def test_the_free_slot_baseline_finds_what_ours_finds(
    scheduled: tuple[str, list[Any], list[Any]],
) -> None:
    url, staff_ids, _clients = scheduled
    with _ours_and_driver(url) as (core, driver):
        for days in (0, 3, 10):
            week = schedule.local(schedule.YEAR_START + timedelta(days=days), time(0))
            ours = schedule.ours_slots(core, staff_ids, week)
            assert ours
            assert schedule.hand_slots(driver, staff_ids, week) == ours


def test_the_booking_baselines_write_what_ours_writes(
    scheduled: tuple[str, list[Any], list[Any]],
) -> None:
    url, _staff, client_ids = scheduled
    with _ours_and_driver(url) as (core, driver):
        ours_staff, hand_staff, full_staff = schedule.booking_staff(core)
        turn = schedule.prepare_turn(
            driver, 0, schedule.booking_slots(), client_ids, ours_staff, hand_staff, full_staff
        )
        schedule.book_ours(core, turn)
        driver.book(turn.hand)
        driver.book(turn.full)
    ours = schedule.booking_rows(url, turn.ours_staff)
    assert len(ours) == 2  # the visit and its audit event
    assert schedule.booking_rows(url, turn.hand_staff) == ours[:1]
    assert schedule.booking_rows(url, turn.full_staff) == ours


def test_the_mongo_baseline_inserts_what_ours_wrote() -> None:
    client: Any = mongomock.MongoClient()
    ours, raw = client["ours"], client["raw"]
    mongo.import_ours(ours, client_rows(30))
    documents = mongo.written(ours)
    mongo.insert_raw(raw, documents)
    assert mongo.written(raw) == documents
    assert len(documents[mongo.COLLECTIONS[0]]) == 30


def test_the_binding_baseline_registers_as_ours_does() -> None:
    """Ours and the shared core each register (and commit) every client they are timed on
    (``run_engine`` counts the stored clients)."""
    row = binding.run_engine("sqlite", 3)
    assert row.target == binding.TARGET
    assert row.ours > 0
    assert row.baseline > 0


def test_the_secure_delete_baseline_turns_it_off_and_updates_the_same() -> None:
    from benchmarks import privacy

    assert "sqlite: update (mean of 3)" in privacy.run(3, write=False)


def test_the_dispatch_baseline_sends_what_ours_sends() -> None:
    """Each side of the dispatch benchmark sends every message it queued (it asserts so
    itself), through the same gateway, on the same table."""
    row = dispatch.run_engine("sqlite", 15, 2)
    assert row.case.startswith("sqlite, 4 workers: ms per message (30 messages")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_turnover_baseline_sums_what_ours_sums(engine: str) -> None:
    down = sqlkit.server_available(engine)
    if down is not None:
        unreachable(engine, down)
    sales.run(engine, COUNT, runs=2)  # raises AssertionError if the two give other rows


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_merge_baseline_moves_what_ours_moves(engine: str) -> None:
    down = sqlkit.server_available(engine)
    if down is not None:
        unreachable(engine, down)
    with sqlkit.fresh_database(engine, "test_merge", migrate=False) as url:
        backend = SqlBackend.from_url(url, kinds=[STAMPS], migrate=True)
        core = clientcore.open(backend, tenant=sqlkit.TENANT, actor=merge_bench.OWNER)
        core.setup.configure(default_region="PL")
        staff_id = core.staff.add("Dr Bench").id
        ours, theirs = (merge_bench.prepare(core, backend, staff_id, 50) for _ in range(2))
        hand = merge_bench.HandMerge(url, backend, sqlkit.TENANT)
        try:
            core.merges.merge(ours[0], [ours[1]])
            assert hand.merge(*theirs) == 50
        finally:
            hand.close()
        assert merge_bench.merged_state(backend, sqlkit.TENANT, ours) == merge_bench.merged_state(
            backend, sqlkit.TENANT, theirs
        )
        core.close()
        backend.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_hand_written_bulk_change_writes_what_ours_writes(engine: str) -> None:
    """The same rows changed, the same versions and one event per client, both ways."""
    from benchmarks import bulk

    with _database(engine, "test") as url:
        core = clientcore.open(url, tenant=sqlkit.TENANT, actor=bulk.ACTOR)
        core.setup.define_attribute("vip", label="VIP", type="flag")
        old, new = (core.staff.add(name).id for name in ("Old", "New"))
        ids = [core.clients.register(last_name=f"K{i}", caretaker_id=old).id for i in range(5)]
        hand = bulk.HandWritten(url, engine)
        try:
            hand.set_attribute(True, sqlkit.now_utc())
            hand.change_caretaker(old, new, sqlkit.now_utc())
            by_hand = [core.clients.get(i) for i in ids]
            core.bulk.set_attribute("vip", False, client_ids=ids)
            core.bulk.change_caretaker(new, old)
            hand.set_attribute(True, sqlkit.now_utc())
            hand.change_caretaker(old, new, sqlkit.now_utc())
        finally:
            hand.close()
        ours = [core.clients.get(i) for i in ids]
        assert [(c.attributes, c.caretaker_id) for c in by_hand] == [({"vip": True}, new)] * 5
        assert [(c.attributes, c.caretaker_id) for c in ours] == [({"vip": True}, new)] * 5
        assert [c.version for c in ours] == [c.version + 4 for c in by_hand]
        assert [len(core.clients.history(i)) for i in ids] == [7] * 5
        found = core.clients.search(attribute=("vip", True)).clients
        assert {client.id for client in found} == set(ids)
        core.close()


def test_the_hand_written_reports_count_what_ours_counts() -> None:
    """``run_engine`` fails if the hand-written SQL counts otherwise than ours."""
    from benchmarks import reports

    down = sqlkit.server_available("postgresql")
    if down is not None:
        unreachable("postgresql", down)
    assert len(reports.run_engine(2_000, 1)) == 3
