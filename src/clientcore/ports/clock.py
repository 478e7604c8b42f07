"""Time and identity, as ports so that tests can fix them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class IdFactory(Protocol):
    def __call__(self) -> UUID:
        """A new, never used id."""
        ...
