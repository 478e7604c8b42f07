"""Reports over the client base (B5): named tables of rows a host renders as it likes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

Cell = str | int | Decimal | date | UUID | None
"""One value of a report row."""


@attrs.frozen
class Report:
    """A report: its ``name``, the names of its ``columns`` and its ``rows`` (each a tuple
    with a value per column), in the order to show them."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def as_dicts(self) -> list[dict[str, Cell]]:
        """Each row as a mapping of column name to value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]
