"""``core.reports``: reports over the client base (B5), as rows a host renders."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from clientcore.api.checks import checked
from clientcore.entities.report import Report
from clientcore.operations import reports
from clientcore.operations.reports import Months

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Reports:
    """Monthly reports cover the local months (the tenant's time zone) from ``start``'s
    month up to, not including, ``end``'s month (at most 120)."""

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def names(self) -> list[str]:
        return list(reports.REPORTS)

    def run(self, name: str, *, start: date | None = None, end: date | None = None) -> Report:
        """The report named ``name`` (see :meth:`names`); without ``start`` and ``end``,
        over the twelve months up to and including the current one."""
        today = self._run.now().date()
        if end is None:
            end = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        if start is None:
            start = date(end.year - 1, end.month, 1)
        return self._run.read(reports.run, name, Months(start, end))

    def clients_by_source(self) -> Report:
        return self.run("clients_by_source")

    def clients_by_month(self, start: date, end: date) -> Report:
        return self.run("clients_by_month", start=start, end=end)

    def visits_by_staff(self, start: date, end: date) -> Report:
        return self.run("visits_by_staff", start=start, end=end)

    def consent_coverage(self) -> Report:
        return self.run("consent_coverage")

    def turnover(self, start: date, end: date) -> Report:
        """Issued sales documents per month (from ``start``'s month up to, not including,
        ``end``'s), document type and currency, with their totals."""
        return self.run("turnover", start=start, end=end)
