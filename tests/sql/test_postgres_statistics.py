"""On PostgreSQL, an import checks its new rows' references to ``clients`` by primary key,
even when the session's cached plans were made while ``clients`` was nearly empty.

A foreign key's check runs a plan that the session caches. Made during the first few
registrations of a new database, it reads ``clients`` through ``ix_clients_order``, all of the
tenant's entries for each check, and would go on doing so for every search key and event of
a later import in the same session (time growing with the square of the import). The import
analyzes ``clients`` first, which makes those plans again. All of it runs in one host
transaction, whose scans of each index PostgreSQL counts (``pg_stat_get_xact_numscans``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy

import clientcore
from clientcore import Actor
from clientcore.adapters.sql import SqlBackend
from tests.servers import fresh_database

IMPORTED = 500


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path_factory.mktemp("pg-statistics")) as url:
        SqlBackend.from_url(url, migrate=True).close()
        yield url


def scans(connection: sqlalchemy.Connection, index: str) -> int:
    """Scans of ``index`` in the connection's transaction so far."""
    return int(
        connection.exec_driver_sql(
            "SELECT pg_stat_get_xact_numscans(to_regclass(%(index)s))", {"index": index}
        ).scalar_one()
    )


def test_an_import_after_a_few_registrations_checks_its_rows_by_key(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as connection, connection.begin():
            core = clientcore.open(connection, tenant="statistics", actor=Actor("rita"))
            for index in range(3):  # enough checks for the session to cache a generic plan
                core.clients.register(last_name=f"First{index}")
            order, key = "ix_clientcore_clients_order", "pk_clientcore_clients"
            before = scans(connection, order), scans(connection, key)
            rows: list[clientcore.ClientFields] = [
                {"last_name": f"Imported{index}"} for index in range(IMPORTED)
            ]
            core.clients.import_many(rows)
            by_order = scans(connection, order) - before[0]
            by_key = scans(connection, key) - before[1]
            assert by_order < IMPORTED <= by_key, (by_order, by_key)
    finally:
        engine.dispose()
