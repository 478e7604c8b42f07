"""An all-or-nothing import whose storage was busy runs again when its rows can be read
again, and says so when they cannot (a generator, a file): nothing is stored either way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest

import clientcore
from clientcore import Actor, Retry, Role
from clientcore.errors import StorageBusy, StorageError


class BusyOnce(Mapping[str, object]):
    """A row whose first reading finds the storage busy (as a deadlock would, mid-import)."""

    def __init__(self, fields: dict[str, object], busy: list[bool]) -> None:
        self._fields = fields
        self._busy = busy

    def __getitem__(self, name: str) -> object:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        if not self._busy:
            self._busy.append(True)
            raise StorageBusy("deadlock")
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


def _core() -> clientcore.Core:
    return clientcore.open(
        "memory://",
        tenant="clinic",
        actor=Actor("rita", roles={Role.OWNER}),
        retry=Retry(sleep=lambda _seconds: None),
    )


def test_a_list_is_read_again() -> None:
    core = _core()
    rows = [{"last_name": "Nowak"}, BusyOnce({"last_name": "Lis"}, [])]
    report = core.clients.import_clients(rows, batch_size=1)
    assert (report.read, report.imported) == (2, 2)
    assert len(core.clients.search().clients) == 2


def test_a_generator_cannot_be_read_again() -> None:
    core = _core()
    rows = [{"last_name": "Nowak"}, BusyOnce({"last_name": "Lis"}, [])]
    with pytest.raises(StorageError, match="cannot be read again") as failed:
        core.clients.import_clients((row for row in rows), batch_size=1)
    assert not isinstance(failed.value, StorageBusy)
    assert core.clients.search().clients == ()
