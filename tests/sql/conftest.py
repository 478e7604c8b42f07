"""One migrated database per engine for the whole run, shared by the SQL test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clientcore.adapters.sql import SqlBackend
from tests.servers import fresh_database

ENGINES = ["sqlite", "postgresql", "mariadb"]


@pytest.fixture(scope="session", params=ENGINES)
def sql_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database on each engine (SQLite in a file, the servers in a new database)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("sql")) as url:
        SqlBackend.from_url(url, migrate=True).close()
        yield url


@pytest.fixture(scope="session")
def sql_backend(sql_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(sql_url)
    yield backend
    backend.close()
