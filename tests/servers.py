"""Where the test servers are, and what to do when one cannot be reached.

On a laptop an unreachable server skips its suite; with ``CLIENTCORE_REQUIRE_SERVERS=1``
(set by ``.ci/run``) it fails the run instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os

import pytest

POSTGRES_URL = os.environ.get(
    "CLIENTCORE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get(
    "CLIENTCORE_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
MONGO_URI = os.environ.get("CLIENTCORE_TEST_MONGO_URI")


def servers_required() -> bool:
    return os.environ.get("CLIENTCORE_REQUIRE_SERVERS") == "1"


def unreachable(name: str, reason: object) -> None:
    """Skip (laptop) or fail (CI) because the ``name`` server cannot be used."""
    message = f"{name} is unreachable: {reason}"
    if servers_required():
        pytest.fail(f"{message} (CLIENTCORE_REQUIRE_SERVERS=1)", pytrace=False)
    pytest.skip(message)
