"""Contract suites shipped with clientcore, so a host can run them on its own adapters.

Each contract is a class without a ``Test`` prefix. An adapter's test module subclasses
them with a ``backend`` fixture::

    class TestMemory(AllContracts):
        @pytest.fixture
        def backend(self) -> Iterator[Backend]:
            yield MemoryBackend()

Importing this package needs pytest and hypothesis (the ``test`` extra).
"""

from clientcore.testing.clock import TickingClock, new_tenant

__all__ = ["TickingClock", "new_tenant"]
