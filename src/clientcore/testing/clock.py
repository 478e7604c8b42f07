"""Deterministic time and ids for tests."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta


class TickingClock:
    """A clock that starts at ``start`` and advances ``step`` on every reading (thread-safe)."""

    def __init__(
        self,
        start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        step: timedelta = timedelta(milliseconds=1),
    ) -> None:
        self._now = start
        self._step = step
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._now += self._step
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


def new_tenant(prefix: str = "t") -> str:
    """A tenant id no other test uses, so tests can share one store without seeing each other."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
