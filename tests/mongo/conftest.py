"""The MongoDB backends: mongomock always, a real server when CLIENTCORE_TEST_MONGO_URI is set.

Each run works in a database of its own on the real server, dropped at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import mongomock
import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from clientcore.adapters.mongo import MongoBackend
from clientcore.testing.kinds import HOST_KINDS
from tests.servers import MONGO_URI, unreachable

TARGETS = ["mongomock", "server"] if MONGO_URI else ["mongomock"]


@pytest.fixture(scope="session", params=TARGETS)
def mongo_backend(request: pytest.FixtureRequest) -> Iterator[MongoBackend]:
    if request.param == "mongomock":
        yield MongoBackend.on_database(mongomock.MongoClient()["clientcore_test"], kinds=HOST_KINDS)
        return
    assert MONGO_URI is not None
    client: MongoClient[dict[str, object]] = MongoClient(MONGO_URI, serverSelectionTimeoutMS=5000)
    name = f"clientcore_test_{uuid.uuid4().hex[:12]}"
    try:
        try:
            backend = MongoBackend.on_database(client[name], kinds=HOST_KINDS)
        except Exception as error:
            if isinstance(error.__cause__, PyMongoError):
                unreachable("MongoDB", error)
            raise
        yield backend
    finally:
        client.drop_database(name)
        client.close()
