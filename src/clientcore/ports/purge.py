"""A store that can clean what it keeps physically of erased values (docs/privacy.md)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Purging(Protocol):
    """A backend whose store keeps old values after they were overwritten (free pages, a
    write-ahead log, dead row versions) and that can clean them."""

    def purge(self, *, thorough: bool = False) -> None:
        """Clean them: a light purge costs little and runs after every anonymisation (SQLite's
        WAL checkpoint); a thorough one rewrites the store's tables or collections (VACUUM
        FULL, OPTIMIZE TABLE, compact), for a quiet hour."""
        ...


def purge(backend: object, *, thorough: bool) -> None:
    """``backend.purge(thorough=...)`` if the backend can purge; nothing otherwise (a store
    that keeps no old values, as the in-memory one)."""
    if isinstance(backend, Purging):
        backend.purge(thorough=thorough)
