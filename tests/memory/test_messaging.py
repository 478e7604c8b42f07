"""The messaging contracts on the in-memory adapter."""

from collections.abc import Iterator

import pytest

from clientcore.adapters.memory import MemoryBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.contracts.messaging import (
    ConsentHistoryContract,
    MessagingContract,
    VisitMessagingContract,
)


class TestMessaging(MessagingContract, VisitMessagingContract, ConsentHistoryContract):
    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        yield MemoryBackend()
