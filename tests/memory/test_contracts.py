"""The contract suites on the in-memory adapter (a fresh store per test)."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.memory import MemoryBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts import AllContracts
from clientcore.testing.kinds import HOST_KINDS


class TestMemory(AllContracts):
    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        yield MemoryBackend(HOST_KINDS)
