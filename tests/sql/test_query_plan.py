"""Client search reads indexes, never the whole clients table, on SQLite, PostgreSQL and
MariaDB; and each of its plans finds exactly what the in-memory adapter finds.

A search counts the keys in each term's range first (on the key index), then either
drives from the rarest term's key range (few keys: the clients are looked up by id), or
reads the longest term's stem in sort order (``ix_client_search_keys_stem4``, or
``_stem1``, ``_stem2`` and ``_stem`` for terms of 1-3 characters: many keys), per status;
two common terms read their pairs (``client_search_pairs``): sorted if few, in sort order
if many.
The plans are read with ``EXPLAIN QUERY PLAN`` / ``EXPLAIN`` on a small table: ANALYZEd
on the servers, and with ``enable_seqscan = off`` on PostgreSQL, which shows the indexes
can serve the search (a planner may rightly prefer a scan of a table this small).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

import clientcore
from clientcore.adapters.sql import SqlBackend
from clientcore.adapters.sql.clients import SqlClientRepository
from clientcore.adapters.sql.db import Db
from clientcore.entities.search import ClientQuery, Match, StatusFilter
from tests.servers import fresh_database

TENANT = "plans"
FIRST = ["Anna", "Bram", "Daan", "Eglė", "Jan", "Zofia"]
LAST = ["Nowak", "Kowalska", "de Vries", "Żółkiewski", "Bakker"]
CLIENTS = 1200
LIMIT = 5
ANALYZE = {
    "postgresql": "ANALYZE",
    "mariadb": "ANALYZE TABLE clientcore_clients, clientcore_client_search_keys",
}
"""Page size of the plan queries: a page of 6 asked (one more than shown), driving below
120 keys."""


def rows(count: int) -> list[clientcore.ClientFields]:
    return [
        {
            "first_name": FIRST[index % len(FIRST)],
            "last_name": f"{LAST[index % len(LAST)]}{index % 97}",
            "emails": [f"client{index}@example.com"],
            "source": "phone" if index % 3 == 0 else "web",
        }
        for index in range(count)
    ]


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlBackend]:
    folder: Path = tmp_path_factory.mktemp("plans")
    with fresh_database(request.param, folder) as url:
        backend = SqlBackend.from_url(url, migrate=True)
        try:
            core = clientcore.open(backend, tenant=TENANT, actor=clientcore.Actor("test"))
            core.clients.import_many(rows(CLIENTS))
            if request.param != "sqlite":
                with backend.bind.connect() as connection:  # type: ignore[union-attr]
                    connection.execute(text(ANALYZE[request.param]))
                    connection.commit()
            yield backend
        finally:
            backend.close()


def plans(
    backend: SqlBackend,
    *terms: str,
    source: str | None = None,
    match: Match = Match.PREFIX,
    status: StatusFilter = StatusFilter.ACTIVE,
) -> list[str]:
    """The plan of each statement of the search, one string each."""
    with backend.connection() as (connection, transaction):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL enable_seqscan = off"))
        repository = SqlClientRepository(Db(connection, backend.tables, TENANT))
        query = ClientQuery(terms=terms, limit=LIMIT + 1, source=source, match=match, status=status)
        found = repository.explain(query)
        transaction.rollback()
    return ["\n".join(lines) for lines in found]


def scans_clients(plan: str) -> bool:
    return any(
        line.strip().startswith(("SCAN clientcore_clients", "Seq Scan on clientcore_clients"))
        or ("table=clientcore_clients " in line and ("type=ALL" in line or "type=index " in line))
        for line in plan.splitlines()
    )


def reads_key_range(plan: str) -> bool:
    """The key index, ranged by the prefix (SQLite's name for the primary key index)."""
    return any(
        ("client_search_keys USING PRIMARY KEY (tenant=? AND key>? AND key<?)" in line)
        or ("pk_clientcore_client_search_keys" in line)
        or ("table=keys_by_key type=range" in line and "key=PRIMARY" in line)
        for line in plan.splitlines()
    )


def test_a_rare_prefix_drives_from_the_key_index(backend: SqlBackend) -> None:
    [plan] = plans(backend, "client1234")
    assert reads_key_range(plan), plan
    assert any(
        found in plan
        for found in (
            "Index Cond",
            "SEARCH clientcore_clients USING INDEX",
            "table=clientcore_clients type=eq_ref",
        )
    ), plan
    assert not scans_clients(plan), plan


def sorts_matches(plan: str) -> bool:
    """A sort below the page's limit: of every match, not just of the page's rows
    (SQLite's temporary B-tree inside the ``page`` subquery, a PostgreSQL Sort node under
    the first Limit)."""
    lines = plan.splitlines()
    if "select_type=" in plan:  # MariaDB/MySQL: the page is the DERIVED table
        return any("select_type=DERIVED" in line and "filesort" in line for line in lines)
    if lines[0].startswith("MATERIALIZE page"):
        inside = []
        for line in lines[1:]:
            if not line.startswith(" "):
                break
            inside.append(line)
        return any("TEMP B-TREE" in line for line in inside)
    below = lines[next(n for n, line in enumerate(lines) if "Limit" in line) :]
    return any("Sort " in line for line in below)


def test_a_common_prefix_with_a_filter_reads_its_stem_in_sort_order(backend: SqlBackend) -> None:
    [plan] = plans(backend, "anna", source="web")
    assert "ix_clientcore_client_search_keys_stem" in plan, plan
    assert not scans_clients(plan), plan
    assert not sorts_matches(plan), plan


@pytest.mark.parametrize(
    ("term", "stem"),
    [("kowalska", "stem4"), ("anna", "stem4"), ("ann", "stem"), ("an", "stem2"), ("a", "stem1")],
)
def test_a_common_prefix_reads_the_stem_of_its_length_in_sort_order(
    backend: SqlBackend, term: str, stem: str
) -> None:
    """A term of 4 characters or more reads its 4-character stem (``jansen`` no longer
    reads the keys of every Jan before it), a shorter one the stem of its length."""
    [plan] = plans(backend, term)
    assert re.search(rf"ix_clientcore_client_search_keys_{stem}\b", plan), plan
    assert not scans_clients(plan), plan
    assert not sorts_matches(plan), plan


def test_a_filter_no_client_passes_reads_nothing_of_the_stem(backend: SqlBackend) -> None:
    """The status comes before the sort key in the stem's index: the read of an empty
    status is one look-up, not the stem's keys filtered one by one."""
    [plan] = plans(backend, "anna", status=StatusFilter.INACTIVE)
    assert "ix_clientcore_client_search_keys_stem" in plan, plan
    assert not scans_clients(plan), plan
    assert not sorts_matches(plan), plan


def test_every_status_is_read_in_sort_order_and_merged(backend: SqlBackend) -> None:
    [plan] = plans(backend, "anna", status=StatusFilter.ALL)
    assert "ix_clientcore_client_search_keys_stem" in plan, plan
    assert not scans_clients(plan), plan


def reads_pairs(plan: str) -> bool:
    return any(
        found in plan
        for found in (
            "client_search_pairs USING PRIMARY KEY",
            "pk_clientcore_client_search_pairs",
            "table=clientcore_client_search_pairs type=range",
        )
    )


def test_two_common_words_few_clients_share_read_their_pairs(backend: SqlBackend) -> None:
    [plan] = plans(backend, "kowalska", "bakker")
    assert reads_pairs(plan), plan
    assert not scans_clients(plan), plan
    assert "SCAN client_search_pairs" not in plan, plan
    assert "Seq Scan on clientcore_client_search_pairs" not in plan, plan


def test_two_common_words_many_clients_share_read_their_pairs_in_sort_order(
    backend: SqlBackend,
) -> None:
    """Each read (per order of the terms, per status) is in the index's order: only the
    merge of the reads' pages is sorted (SQLite shows each read's steps apart)."""
    [plan] = plans(backend, "anna", "client")  # every client has a client… e-mail
    assert "ix_clientcore_client_search_pairs_order" in plan, plan
    assert not scans_clients(plan), plan
    reads = [read.split("SCAN read_")[0] for read in plan.split("CO-ROUTINE read_")[1:]]
    assert all("TEMP B-TREE" not in read for read in reads), plan


def test_a_group_few_clients_are_in_is_read_from_its_members(backend: SqlBackend) -> None:
    """A group with fewer clients than the count's bound: its members are read (the
    group's index) and each checked, instead of the stem until the page fills."""
    core = clientcore.open(backend, tenant=TENANT, actor=clientcore.Actor("test"))
    group = core.setup.define_group("plan-few")
    for client in core.clients.search("anna", limit=3).clients:
        core.clients.assign_groups(client.id, group.id)
    with backend.connection() as (connection, transaction):
        repository = SqlClientRepository(Db(connection, backend.tables, TENANT))
        query = ClientQuery(terms=("anna",), limit=LIMIT + 1, group_id=group.id)
        [plan] = ["\n".join(lines) for lines in repository.explain(query)]
        assert len(repository.search(query)) == 3
        transaction.rollback()
    assert "client_groups" in plan, plan
    stem = "ix_clientcore_client_search_keys_stem"
    assert not any(f"{used}{stem}" in plan for used in ("INDEX ", "using ", "key=")), plan
    assert not scans_clients(plan), plan


def test_every_term_is_read_by_an_index(backend: SqlBackend) -> None:
    for plan in plans(backend, "client12", "nowak1"):
        assert not scans_clients(plan), plan
        assert "SCAN client_search_keys" not in plan, plan
        assert "Seq Scan on client_search_keys" not in plan, plan


# -- every plan finds what the in-memory adapter finds --------------------------------------

SEARCHES = [
    "client11",  # rare: drives from the key range
    "anna",  # common: its 4-character stem is read in sort order
    "ann",  # common, 3 characters: its 3-character stem
    "jan",  # common, and a prefix of no other word: the 3-character stem
    "zofia",  # common, last in sort order
    "zofia nowak",  # two common terms: the longer one's stem is read
    "an",  # short and common, first in sort order: its 2-character stem is read
    "zo",  # short and common, last in sort order
    "a",  # one character: its 1-character stem is read
    "client1 ko",  # a common term with a stem and a short one
    "client11 kowalska",  # a rare term drives, the common one is checked per client
    "client1 kowalska",  # two common terms, one of them mostly late in sort order
    "kowalska bakker",  # two common last names: no client has both (pairs)
    "bram kowalska",  # a common first and last name, in common late in sort order (pairs)
    "kowalska kowal",  # one term a prefix of the other: one key may match both
    "anna client",  # two common terms, many clients with both: pairs read in sort order
    "client1 anna",  # an e-mail word and a first name, few clients with both (pairs)
    "zofia nowak client",  # three common terms: two read as pairs, the third probed
    "zzz",  # nothing
]


def names(
    core: clientcore.Core, text_: str, *, status: str = "active", source: str | None = None
) -> list[str]:
    """Codes of every match, page after page of three."""
    found: list[str] = []
    after: str | None = None
    while True:
        page = core.clients.search(text_, limit=3, after=after, status=status, source=source)
        found.extend(client.code for client in page.clients)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def test_each_plan_finds_what_memory_finds(sql_url: str) -> None:
    """On SQLite, PostgreSQL and MariaDB (a page of 3, 4 asked: driving below 80 keys)."""
    data = rows(600)
    memory = clientcore.open("memory://", tenant=TENANT, actor=clientcore.Actor("test"))
    sql = clientcore.open(sql_url, tenant=TENANT, actor=clientcore.Actor("test"))
    try:
        for core in (memory, sql):
            stored = core.clients.import_many(data)
            for client in stored[::7]:
                core.clients.deactivate(client.id)
        for search in SEARCHES:
            for status in ("active", "inactive", "all"):
                assert names(sql, search, status=status) == names(memory, search, status=status), (
                    search,
                    status,
                )
            assert names(sql, search, source="phone") == names(memory, search, source="phone")
    finally:
        sql.close()


@pytest.mark.parametrize("match", [Match.WHOLE, Match.PREFIX_ONLY])
@pytest.mark.parametrize("terms", [("client1234",), ("anna",), ("a",), ("anna", "nowak1")])
def test_each_rank_reads_indexes_only(
    backend: SqlBackend, match: Match, terms: tuple[str, ...]
) -> None:
    """The queries of a rank (full words by key equality; prefix-only matches, full-word
    clients excluded) read the clients table only by id or in sort order, in every plan
    step, for rare, common and short terms."""
    for plan in plans(backend, *terms, match=match):
        assert not scans_clients(plan), plan
