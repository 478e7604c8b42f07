"""Tenant-partitioned dictionaries whose changes are journaled so a unit of work can undo them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Undo = Callable[[], None]


class Journal:
    """The undo steps of one unit of work, run in reverse on rollback."""

    def __init__(self) -> None:
        self._steps: list[Undo] = []

    def add(self, step: Undo) -> None:
        self._steps.append(step)

    def undo(self) -> None:
        while self._steps:
            self._steps.pop()()

    def forget(self) -> None:
        self._steps.clear()


class Table(Generic[K, V]):
    """Rows per tenant, in insertion order. ``on_change(tenant, old, new)`` keeps indexes."""

    def __init__(self, on_change: Callable[[str, V | None, V | None], None] | None = None) -> None:
        self._rows: dict[str, dict[K, V]] = {}
        self._on_change = on_change

    def get(self, tenant: str, key: K) -> V | None:
        return self._rows.get(tenant, {}).get(key)

    def rows(self, tenant: str) -> Iterator[V]:
        return iter(list(self._rows.get(tenant, {}).values()))

    def put(self, tenant: str, key: K, value: V | None, journal: Journal) -> None:
        """Insert, replace (``value``) or delete (None), journaling the previous state."""
        old = self._apply(tenant, key, value)
        journal.add(lambda: self._restore(tenant, key, old))

    def _apply(self, tenant: str, key: K, value: V | None) -> V | None:
        rows = self._rows.setdefault(tenant, {})
        old = rows.pop(key, None) if value is None else rows.get(key)
        if value is not None:
            rows[key] = value
        if self._on_change is not None:
            self._on_change(tenant, old, value)
        return old

    def _restore(self, tenant: str, key: K, old: V | None) -> None:
        """Undo one put; a deleted row goes back to the end (orders never depend on position)."""
        self._apply(tenant, key, old)
