"""Import clients from any iterable, a batch at a time, reporting each refused row (C12).

Only one batch of rows (and of clients) is held at once, whatever the size of the input:
rows are read from the iterable as the batches are made, and each batch is checked,
stored and dropped before the next is read.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from clientcore.entities.imports import ImportProgress, ImportReport, RowRefusal
from clientcore.errors import ImportRefused, ImportRowError, StorageError
from clientcore.operations.clients import RowChecks, store_checked
from clientcore.operations.context import Context
from clientcore.ports.unit_of_work import UnitOfWork

Batch = list[tuple[int, object]]
"""Rows of an import with their index in the input (from 0)."""
Progress = Callable[[ImportProgress], object]


def batches(rows: Iterable[object], size: int) -> Iterator[Batch]:
    """The rows, numbered from 0, ``size`` at a time, read from ``rows`` as they are asked for."""
    numbered = enumerate(rows)
    while batch := list(itertools.islice(numbered, size)):
        yield batch


def import_batch(uow: UnitOfWork, ctx: Context, batch: Batch) -> tuple[int, list[RowRefusal]]:
    """Check every row of ``batch`` and store the good ones; the number stored and the
    refusals, in row order. A code given twice keeps its first row; a code already held
    by a stored client (an earlier batch's included) is refused."""
    ctx.acting()
    checks = RowChecks(uow, ctx)
    good: list[tuple[int, dict[str, Any]]] = []
    refusals: list[RowRefusal] = []
    for index, row in batch:
        try:
            good.append((index, checks(index, row)))
        except ImportRowError as refused:
            refusals.append(RowRefusal(index, refused.field, refused.reason, refused.code))
    taken = uow.clients.taken_codes([values["code"] for _, values in good if "code" in values])
    seen: set[str] = set()
    kept = []
    for index, values in good:
        code = values.get("code")
        if code is not None and (code in taken or code in seen):
            reason = f"{code!r} is already used by another client in this tenant"
            refusals.append(RowRefusal(index, "code", reason, code))
            continue
        if code is not None:
            seen.add(code)
        kept.append(values)
    if kept:
        store_checked(uow, ctx, kept)
    refusals.sort(key=lambda refusal: refusal.row)
    return len(kept), refusals


class Tally:
    """What an import has done so far; tells ``progress`` after each batch."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self.read = 0
        self.imported = 0
        self.refusals: list[RowRefusal] = []

    def add(self, read: int, imported: int, refusals: list[RowRefusal]) -> None:
        self.read += read
        self.imported += imported
        self.refusals.extend(refusals)
        if self._progress is not None:
            self._progress(ImportProgress(self.read, self.imported, len(self.refusals)))

    def report(self, *, stored: bool = True) -> ImportReport:
        return ImportReport(self.read, self.imported if stored else 0, tuple(self.refusals))


class Rows:
    """An import's input, which a unit of work run again (the storage was busy) reads
    again: refused with :class:`StorageError` when it can be read only once (an iterator,
    a generator, a file), as nothing of the first run was stored."""

    def __init__(self, rows: Iterable[object]) -> None:
        self._rows = rows
        self._once = iter(rows) is rows
        self._read = False

    def __iter__(self) -> Iterator[object]:
        if self._read and self._once:
            raise StorageError(
                "the storage was busy and the import's rows, which can be read only once, "
                "cannot be read again; nothing was stored: import them again"
            )
        self._read = True
        return iter(self._rows)


def import_all(
    uow: UnitOfWork, ctx: Context, rows: Rows, size: int, progress: Progress | None
) -> ImportReport:
    """Every row in this unit of work, a batch at a time; any refused row raises
    :class:`ImportRefused` (so nothing is stored) once every row has been checked."""
    tally = Tally(progress)
    for batch in batches(rows, size):
        tally.add(len(batch), *import_batch(uow, ctx, batch))
    if tally.refusals:
        raise ImportRefused(tally.report(stored=False))
    return tally.report()
