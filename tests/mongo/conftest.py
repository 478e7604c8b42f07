"""The MongoDB backends: mongomock always, a real server when CLIENTCORE_TEST_MONGO_URI is set.

Each run works in a database of its own on the real server, dropped at the end; on
mongomock each test gets a new database.
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
def mongo_server(request: pytest.FixtureRequest) -> Iterator[MongoBackend | None]:
    """The real server's backend for the whole session, or None for mongomock."""
    if request.param == "mongomock":
        yield None
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


@pytest.fixture
def mongo_backend(mongo_server: MongoBackend | None) -> MongoBackend:
    """The session's server backend, or a new mongomock database for each test: mongomock
    checks a unique index by reading the whole collection on every insert, so a database
    that grows through the session makes every later insert slower (a real server uses
    the index)."""
    if mongo_server is not None:
        return mongo_server
    return MongoBackend.on_database(mongomock.MongoClient()["clientcore_test"], kinds=HOST_KINDS)
