"""The contract suites on SQLite (a file), PostgreSQL and MariaDB, each run twice: on
clientcore's own engine, whose statements go to the driver's cursor, and on an engine that
a host observes (an event listener, as its tracing would add), whose statements SQLAlchemy
runs so that the host sees them (``tests/sql/test_direct_statements.py``)."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from clientcore.adapters.sql import SqlBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts import AllContracts
from clientcore.testing.kinds import HOST_KINDS


class TestSql(AllContracts):
    @pytest.fixture
    def backend(self, sql_backend: SqlBackend) -> Iterator[Backend]:
        yield sql_backend


class TestSqlObserved(AllContracts):
    @pytest.fixture
    def backend(self, observed_sql_backend: SqlBackend) -> Iterator[Backend]:
        yield observed_sql_backend


def _ignore(*_args: Any) -> None:
    """A listener that does nothing: its presence alone makes SQLAlchemy run statements."""


@pytest.fixture(scope="module")
def observed_sql_backend(sql_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(sql_url, kinds=HOST_KINDS)
    event.listen(backend.bind, "before_cursor_execute", _ignore)
    yield backend
    backend.close()
