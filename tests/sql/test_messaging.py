"""The messaging contracts on SQLite (a file), PostgreSQL and MariaDB."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.sql import SqlBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts.messaging import (
    ConsentHistoryContract,
    MessagingContract,
    VisitMessagingContract,
)


class TestSqlMessaging(MessagingContract, VisitMessagingContract, ConsentHistoryContract):
    @pytest.fixture
    def backend(self, sql_backend: SqlBackend) -> Iterator[Backend]:
        yield sql_backend
