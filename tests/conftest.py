"""Fixtures of the whole test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mongomock_atomic import atomic_operations

# The contract suites live in the package (hosts run them too): rewrite their asserts so a
# failure shows the values compared, as in a test module.
pytest.register_assert_rewrite("clientcore.testing")


@pytest.fixture(scope="session", autouse=True)
def _atomic_mongomock() -> Iterator[None]:
    with atomic_operations():
        yield
