"""The contract suites on MongoDB: mongomock, and a real server when one is configured."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.mongo import MongoBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts import AllContracts
from clientcore.testing.contracts.privacy import StoreContents
from tests.store_contents import mongo_contents


class TestMongo(AllContracts):
    @pytest.fixture
    def backend(self, mongo_backend: MongoBackend) -> Iterator[Backend]:
        yield mongo_backend

    @pytest.fixture
    def store_contents(self, mongo_backend: MongoBackend) -> Iterator[StoreContents]:
        yield lambda: mongo_contents(mongo_backend)
