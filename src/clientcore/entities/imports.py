"""What an import of clients reports: refused rows, progress, the outcome (C12)."""

from __future__ import annotations

import enum

import attrs

IMPORT_BATCH_SIZE = 1000
"""Rows checked and written at a time by ``core.clients.import_clients``: only this many
rows (and their clients) are held at once, whatever the size of the input."""


class ImportMode(enum.StrEnum):
    """What an import does with the good rows when some rows are refused."""

    ALL_OR_NOTHING = "all_or_nothing"
    """One unit of work: any refused row stores nothing (every refusal is still reported)."""
    GOOD_ROWS = "good_rows"
    """A unit of work per batch: the good rows are stored, the refused ones reported."""


@attrs.frozen
class RowRefusal:
    """A refused row: ``row`` is its index in the rows given (from 0), ``code`` the code
    it gives (None: none), ``field`` and ``reason`` say what to fix."""

    row: int
    field: str
    reason: str
    code: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" if self.code is None else f"row {self.row} (code {self.code!r})"
        return f"{where}: {self.field}: {self.reason}"


@attrs.frozen
class ImportProgress:
    """How far an import is, after each batch: rows read, clients stored (in ALL_OR_NOTHING
    mode: written in the import's unit of work, committed at its end), rows refused."""

    read: int
    imported: int
    refused: int


@attrs.frozen
class ImportReport:
    """The outcome of an import: rows read, clients stored, and every refused row in order."""

    read: int
    imported: int
    refusals: tuple[RowRefusal, ...]
