"""The in-memory adapter: the reference behaviour every other adapter is tested against."""

from clientcore.adapters.memory.uow import MemoryBackend, MemoryUnitOfWork

__all__ = ["MemoryBackend", "MemoryUnitOfWork"]
