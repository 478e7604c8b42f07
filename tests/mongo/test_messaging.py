"""The messaging contracts on MongoDB (mongomock, and a real server when one is configured)."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.mongo import MongoBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts.messaging import (
    ConsentHistoryContract,
    MessagingContract,
    VisitMessagingContract,
)


class TestMongoMessaging(MessagingContract, VisitMessagingContract, ConsentHistoryContract):
    @pytest.fixture
    def backend(self, mongo_backend: MongoBackend) -> Iterator[Backend]:
        yield mongo_backend
