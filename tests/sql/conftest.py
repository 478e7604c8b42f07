"""One migrated database per engine for the whole run, shared by the SQL test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clientcore.adapters.sql import SqlBackend
from clientcore.testing.kinds import HOST_KINDS
from tests.servers import fresh_database

SERVERS = ["postgresql", "mariadb"]
ENGINES = ["sqlite", *SERVERS]


def _migrated(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    with fresh_database(request.param, folder) as url:
        SqlBackend.from_url(url, kinds=HOST_KINDS, migrate=True).close()
        yield url


@pytest.fixture(scope="session", params=ENGINES)
def sql_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database on each engine (SQLite in a file, the servers in a new database)."""
    yield from _migrated(request, tmp_path_factory.mktemp("sql"))


@pytest.fixture(scope="session", params=SERVERS)
def server_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database on each server engine, for what only servers can show (isolation
    levels, transactions that interleave)."""
    yield from _migrated(request, tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def sql_backend(sql_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(sql_url, kinds=HOST_KINDS)
    yield backend
    backend.close()


@pytest.fixture
def server_backend(server_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(server_url)
    yield backend
    backend.close()
