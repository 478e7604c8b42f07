"""The contracts of the API's parts through :class:`clientcore.AsyncCore` on a synchronous
backend (memory), whose calls run in worker threads (the path MongoDB takes too).

Not the schedule contract: one of its tests holds a unit of work of the memory store open
in the test's thread while it calls the core, which the store's lock allows only from that
same thread (the SQL async suites run it).
"""

from collections.abc import Callable, Iterator

import pytest

import clientcore
from clientcore.adapters.memory import MemoryBackend
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.blocking import EventLoopThread, blocking_opener
from clientcore.testing.contracts import (
    ClientContract,
    EventContract,
    PrivacyContract,
    RaceContract,
    SharedCoreContract,
    TenancyContract,
    TransactionContract,
)
from clientcore.testing.contracts.privacy import StoreContents
from clientcore.testing.kinds import HOST_KINDS
from tests.store_contents import memory_contents


@pytest.fixture(scope="module")
def event_loop_thread() -> Iterator[EventLoopThread]:
    loop = EventLoopThread()
    yield loop
    loop.close()


class TestAsyncMemory(
    ClientContract,
    TenancyContract,
    RaceContract,
    SharedCoreContract,
    TransactionContract,
    EventContract,
    PrivacyContract,
):
    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        yield MemoryBackend(HOST_KINDS)

    @pytest.fixture
    def store_contents(self, backend: MemoryBackend) -> Iterator[StoreContents]:
        yield lambda: memory_contents(backend)

    @pytest.fixture
    def open_core(self, event_loop_thread: EventLoopThread) -> Callable[..., Core]:
        return blocking_opener(clientcore.open_async, event_loop_thread)
