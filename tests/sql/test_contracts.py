"""The contract suites on SQLite (a file), PostgreSQL and MariaDB."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.sql import SqlBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts import AllContracts
from clientcore.testing.contracts.privacy import StoreContents
from tests.store_contents import sql_contents


class TestSql(AllContracts):
    @pytest.fixture
    def backend(self, sql_backend: SqlBackend) -> Iterator[Backend]:
        yield sql_backend

    @pytest.fixture
    def store_contents(self, sql_backend: SqlBackend) -> Iterator[StoreContents]:
        yield lambda: sql_contents(sql_backend, whole_file=False)
