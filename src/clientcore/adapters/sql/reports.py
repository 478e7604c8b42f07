"""SQL report counts: one grouped SELECT each. A period is a CASE over the boundaries
(given as values), computed in a subquery and grouped on outside, so that every engine
groups on the same expression."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, distinct, func, literal, select, true

from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.schema import Moment
from clientcore.entities.visit import VisitKind, VisitStatus
from clientcore.ports.reports import Bucketed, StaffBucket


def _period(column: ColumnElement[datetime], boundaries: Sequence[datetime]) -> Any:
    """The index of the period ``column`` falls in (it is known to be in one)."""
    ends = boundaries[1:]
    if len(ends) == 1:
        return literal(0)
    return case(
        *((column < literal(end, Moment()), index) for index, end in enumerate(ends[:-1])),
        else_=len(ends) - 1,
    )


def _within(column: ColumnElement[datetime], boundaries: Sequence[datetime]) -> list[Any]:
    return [column >= literal(boundaries[0], Moment()), column < literal(boundaries[-1], Moment())]


class SqlReportQueries:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._tables = db.tables

    def _run(self, statement: Select[Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._db.tuples(statement)]

    def clients_by_source(self) -> list[tuple[str, int]]:
        c = self._tables.clients.c
        statement = (
            select(c.source, func.count())
            .where(c.tenant == self._db.tenant)
            .group_by(c.source)
            .order_by(c.source)
        )
        return [(source, int(count)) for source, count in self._run(statement)]

    def clients_registered(self, boundaries: Sequence[datetime]) -> list[Bucketed]:
        c = self._tables.clients.c
        inner = (
            select(_period(c.created_at, boundaries).label("period"))
            .where(c.tenant == self._db.tenant, *_within(c.created_at, boundaries))
            .subquery()
        )
        statement = (
            select(inner.c.period, func.count()).group_by(inner.c.period).order_by(inner.c.period)
        )
        return [(int(index), int(count)) for index, count in self._run(statement)]

    def visits_by_staff(self, boundaries: Sequence[datetime]) -> list[StaffBucket]:
        v = self._tables.visits.c
        inner = (
            select(
                v.staff_id,
                _period(v.starts_at, boundaries).label("period"),
                case((v.status == VisitStatus.NO_SHOW.value, 1), else_=0).label("no_show"),
            )
            .where(
                v.tenant == self._db.tenant,
                v.kind == VisitKind.VISIT.value,
                v.status != VisitStatus.CANCELLED.value,
                *_within(v.starts_at, boundaries),
            )
            .subquery()
        )
        statement = select(
            inner.c.staff_id, inner.c.period, func.count(), func.sum(inner.c.no_show)
        ).group_by(inner.c.staff_id, inner.c.period)
        rows = [
            (staff, int(index), int(visits), int(no_shows))
            for staff, index, visits, no_shows in self._run(statement)
        ]
        return sorted(rows, key=lambda row: (str(row[0]), row[1]))

    def consent_coverage(self) -> list[tuple[str, int]]:
        k = self._tables.consents.c
        latest = func.row_number().over(
            partition_by=[k.client_id, k.purpose, k.channel],
            order_by=[k.at.desc(), k.recorded_at.desc(), k.seq.desc()],
        )
        ranked = (
            select(k.client_id, k.purpose, k.granted, latest.label("rank"))
            .where(k.tenant == self._db.tenant)
            .subquery()
        )
        statement = (
            select(ranked.c.purpose, func.count(distinct(ranked.c.client_id)))
            .where(ranked.c.rank == 1, ranked.c.granted == true())
            .group_by(ranked.c.purpose)
            .order_by(ranked.c.purpose)
        )
        return [(purpose, int(count)) for purpose, count in self._run(statement)]

    def client_count(self) -> int:
        c = self._tables.clients.c
        statement = select(func.count()).select_from(self._tables.clients)
        return int(self._db.execute(statement.where(c.tenant == self._db.tenant)).scalar_one())
