"""In-memory report counts, computed from the stored records as the stores compute them."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from clientcore.adapters.memory.table import Table
from clientcore.entities.client import Client
from clientcore.entities.consent import ConsentRecord, current_consents
from clientcore.entities.kinds import CONSENTS, VISITS, RecordKind
from clientcore.entities.visit import Visit, VisitKind, VisitStatus
from clientcore.ports.reports import Bucketed, StaffBucket


def period(moment: datetime, boundaries: Sequence[datetime]) -> int | None:
    """The index of the period of ``boundaries`` that holds ``moment`` (None: none)."""
    index = bisect.bisect_right(boundaries, moment) - 1
    return index if 0 <= index < len(boundaries) - 1 else None


class MemoryReportQueries:
    def __init__(
        self,
        tenant: str,
        clients: Table[UUID, Client],
        find: Callable[[RecordKind[Any]], list[Any]],
    ) -> None:
        self._tenant = tenant
        self._clients = clients
        self._find = find

    def clients_by_source(self) -> list[tuple[str, int]]:
        counts = Counter(client.source for client in self._clients.rows(self._tenant))
        return sorted(counts.items())

    def clients_registered(self, boundaries: Sequence[datetime]) -> list[Bucketed]:
        found = (period(c.created_at, boundaries) for c in self._clients.rows(self._tenant))
        return sorted(Counter(index for index in found if index is not None).items())

    def visits_by_staff(self, boundaries: Sequence[datetime]) -> list[StaffBucket]:
        visits: Counter[tuple[str, int]] = Counter()
        no_shows: Counter[tuple[str, int]] = Counter()
        ids: dict[str, UUID] = {}
        visit: Visit
        for visit in self._find(VISITS):
            index = period(visit.start, boundaries)
            if index is None or visit.kind is not VisitKind.VISIT:
                continue
            if visit.status is VisitStatus.CANCELLED:
                continue
            key = (str(visit.staff_id), index)
            ids[key[0]] = visit.staff_id
            visits[key] += 1
            no_shows[key] += visit.status is VisitStatus.NO_SHOW
        return [
            (ids[staff], index, n, no_shows[staff, index])
            for (staff, index), n in sorted(visits.items())
        ]

    def consent_coverage(self) -> list[tuple[str, int]]:
        by_client: dict[UUID, list[ConsentRecord]] = {}
        for record in self._find(CONSENTS):
            by_client.setdefault(record.client_id, []).append(record)
        covered: Counter[str] = Counter()
        for records in by_client.values():
            state = current_consents(records)
            covered.update({purpose.value for (purpose, _), granted in state.items() if granted})
        return sorted(covered.items())

    def client_count(self) -> int:
        return sum(1 for _ in self._clients.rows(self._tenant))
