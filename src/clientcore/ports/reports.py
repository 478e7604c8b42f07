"""The reports port: the counts the reports (B5) are made of, computed in the store (one
grouped query each on SQL, one aggregation on MongoDB), never by reading every record.

Periods are given as ``boundaries``: ascending UTC instants; period ``i`` is
``[boundaries[i], boundaries[i + 1])`` (the operation computes them from local months, so
that no store needs to know time zones). Records outside every period are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

Bucketed = tuple[int, int]
"""``(period index, count)``."""
StaffBucket = tuple[UUID, int, int, int]
"""``(staff id, period index, visits, no-shows)``."""


class ReportQueries(Protocol):
    def clients_by_source(self) -> list[tuple[str, int]]:
        """How many clients of the tenant have each source ("" for none), by source."""
        ...

    def clients_registered(self, boundaries: Sequence[datetime]) -> list[Bucketed]:
        """How many clients were registered (``created_at``) in each period that has
        any, by period."""
        ...

    def visits_by_staff(self, boundaries: Sequence[datetime]) -> list[StaffBucket]:
        """Per staff member and period (by start): visits that were not cancelled
        (breaks are not visits), and how many of them were no-shows; by staff id as
        text, then period. Only pairs with a visit appear."""
        ...

    def consent_coverage(self) -> list[tuple[str, int]]:
        """Per purpose: how many clients currently consent to it on some channel (or for
        every channel): the latest record of a (client, purpose, channel) grants it,
        latest by ``at``, then ``recorded_at``, then the order written. By purpose."""
        ...

    def client_count(self) -> int:
        """How many clients the tenant has."""
        ...
