"""Where the test servers are, fresh databases on them, and what to do when one is down.

On a laptop an unreachable server skips its suite; with ``CLIENTCORE_REQUIRE_SERVERS=1``
(set by ``.ci/run``) it fails the run instead, so CI can never pass by skipping.
Every test run works in databases of its own, dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

POSTGRES_URL = os.environ.get(
    "CLIENTCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get(
    "CLIENTCORE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
MONGO_URI = os.environ.get("CLIENTCORE_TEST_MONGO_URI")
SERVER_URLS = {"postgresql": POSTGRES_URL, "mariadb": MARIADB_URL}


def servers_required() -> bool:
    return os.environ.get("CLIENTCORE_REQUIRE_SERVERS") == "1"


def unreachable(name: str, reason: object) -> None:
    """Skip (laptop) or fail (CI) because the ``name`` server cannot be used."""
    message = f"{name} is unreachable: {reason}"
    if servers_required():
        pytest.fail(f"{message} (CLIENTCORE_REQUIRE_SERVERS=1)", pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def fresh_database(engine: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database (``engine``: sqlite, postgresql or mariadb), dropped
    when the block ends; a server that cannot be reached skips or fails the test."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / f'clientcore-{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(SERVER_URLS[engine])
    name = f"clientcore_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
        except SQLAlchemyError as error:
            unreachable(engine, error)
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            force = " WITH (FORCE)" if engine == "postgresql" else ""
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE {name}{force}")
    finally:
        admin.dispose()
