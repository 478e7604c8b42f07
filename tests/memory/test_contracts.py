"""The contract suites on the in-memory adapter (a fresh store per test)."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.memory import MemoryBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts import AllContracts
from clientcore.testing.contracts.privacy import StoreContents
from clientcore.testing.kinds import HOST_KINDS
from tests.store_contents import memory_contents


class TestMemory(AllContracts):
    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        yield MemoryBackend(HOST_KINDS)

    @pytest.fixture
    def store_contents(self, backend: MemoryBackend) -> Iterator[StoreContents]:
        yield lambda: memory_contents(backend)
