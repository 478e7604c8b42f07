"""Every operation is all-or-nothing: a failure half-way leaves no trace."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import clientcore
from clientcore.adapters.memory.tenant import MemoryEventLog
from clientcore.entities.event import Event
from clientcore.errors import StorageError


def test_a_failure_after_the_first_write_rolls_everything_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = clientcore.open("memory://", tenant="t", actor=clientcore.Actor("a"))
    kept = core.clients.register(last_name="Kept")

    def broken_append(self: MemoryEventLog, events: Sequence[Event]) -> None:
        raise StorageError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(MemoryEventLog, "append", broken_append)
        with pytest.raises(StorageError):
            core.clients.register(last_name="Lost")
        with pytest.raises(StorageError):
            core.clients.update(kept.id, last_name="Changed")
        with pytest.raises(StorageError):
            core.clients.import_many([{"last_name": "A"}, {"last_name": "B"}])

    assert [c.last_name for c in core.clients.search(status="all").clients] == ["Kept"]
    assert core.clients.get(kept.id) == kept
    assert core.clients.search("lost").clients == ()
    assert core.clients.register(last_name="Next").code == "2"
