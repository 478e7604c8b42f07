"""Fixtures of the whole test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mongomock_atomic import atomic_operations


@pytest.fixture(scope="session", autouse=True)
def _atomic_mongomock() -> Iterator[None]:
    with atomic_operations():
        yield
