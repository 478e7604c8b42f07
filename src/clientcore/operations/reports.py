"""Reports over the client base (B5), as :class:`~clientcore.entities.report.Report` rows.

Months are the tenant's local months (its time zone): the operation turns them into UTC
boundaries and the store counts per period (:class:`~clientcore.ports.reports.ReportQueries`).
:data:`REPORTS` names every report for ``core.reports.run`` and the ``clientcore report``
command; a report of another part (turnover per month and document type, from the sales
documents) joins by adding an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs

from clientcore.entities.consent import Purpose
from clientcore.entities.kinds import STAFF
from clientcore.entities.report import Cell, Report
from clientcore.errors import ValidationError
from clientcore.operations import sales
from clientcore.operations.context import tenant_zone
from clientcore.ports.unit_of_work import UnitOfWork

ONE_DAY = timedelta(days=1)
MAX_MONTHS = 120
"""The longest period a monthly report covers."""
SHARE_PLACES = Decimal("0.001")


@attrs.frozen
class Months:
    """Whole local months from ``start``'s month up to (not including) ``end``'s month."""

    start: date
    end: date

    def labels(self) -> list[str]:
        """``YYYY-MM`` of each month."""
        return [f"{year:04d}-{month + 1:02d}" for year, month in self._months()[:-1]]

    def _months(self) -> list[tuple[int, int]]:
        """(year, month - 1) of each month and of the end's month."""
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise ValidationError("start", "start and end are dates")
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        if not first < last or last - first > MAX_MONTHS:
            raise ValidationError("end", f"must be 1 to {MAX_MONTHS} months after start")
        return [divmod(index, 12) for index in range(first, last + 1)]

    def days(self) -> tuple[date, date]:
        """The first and the last day of the months (local dates)."""
        (first_year, first_month), *_, (end_year, end_month) = self._months()
        return date(first_year, first_month + 1, 1), date(end_year, end_month + 1, 1) - ONE_DAY

    def boundaries(self, uow: UnitOfWork) -> list[datetime]:
        """The UTC instants the months begin at (and the last one ends at), in the
        tenant's time zone."""
        zone = tenant_zone(uow)
        return [
            datetime(year, month + 1, 1, tzinfo=zone).astimezone(UTC)
            for year, month in self._months()
        ]


def clients_by_source(uow: UnitOfWork, months: Months | None = None) -> Report:
    """Every client, by source ("" for none). ``months`` is not used (all clients)."""
    rows = tuple((source, count) for source, count in uow.reports.clients_by_source())
    return Report("clients_by_source", ("source", "clients"), rows)


def clients_by_month(uow: UnitOfWork, months: Months) -> Report:
    """Clients registered in each month of the period (months with none show 0)."""
    counts = dict(uow.reports.clients_registered(months.boundaries(uow)))
    rows = tuple((label, counts.get(index, 0)) for index, label in enumerate(months.labels()))
    return Report("clients_by_month", ("month", "clients"), rows)


def visits_by_staff(uow: UnitOfWork, months: Months) -> Report:
    """Visits (not cancelled) and no-shows per staff member and month with any."""
    labels = months.labels()
    found = uow.reports.visits_by_staff(months.boundaries(uow))
    staff = uow.records(STAFF).get_many(list(dict.fromkeys(row[0] for row in found)))
    rows: list[tuple[Cell, ...]] = []
    for staff_id, index, visits, no_shows in sorted(found, key=lambda row: (row[1], str(row[0]))):
        member = staff.get(staff_id)
        rows.append((labels[index], staff_id, member.name if member else "", visits, no_shows))
    return Report(
        "visits_by_staff", ("month", "staff_id", "staff", "visits", "no_shows"), tuple(rows)
    )


def consent_coverage(uow: UnitOfWork, months: Months | None = None) -> Report:
    """Per purpose: how many clients consent to it now, of all clients, and the share."""
    covered = dict(uow.reports.consent_coverage())
    total = uow.reports.client_count()
    rows = []
    for purpose in Purpose:
        count = covered.get(purpose.value, 0)
        share = (Decimal(count) / total).quantize(SHARE_PLACES) if total else Decimal(0)
        rows.append((purpose.value, count, total, share))
    return Report("consent_coverage", ("purpose", "clients", "of", "share"), tuple(rows))


def turnover(uow: UnitOfWork, months: Months) -> Report:
    """Issued sales documents per month, document type and currency (docs/sales.md): how
    many, and their net, VAT and gross totals, summed by the store."""
    rows = tuple(
        (f"{r.month:%Y-%m}", r.type_code, r.currency, r.documents, r.net, r.vat, r.gross)
        for r in sales.turnover_by_month(uow, *months.days())
    )
    columns = ("month", "type", "currency", "documents", "net", "vat", "gross")
    return Report("turnover", columns, rows)


ReportFunction = Callable[[UnitOfWork, Months], Report]
REPORTS: dict[str, ReportFunction] = {
    "clients_by_source": clients_by_source,
    "clients_by_month": clients_by_month,
    "visits_by_staff": visits_by_staff,
    "consent_coverage": consent_coverage,
    "turnover": turnover,
}
"""Every report by name (a function of the unit of work and the months)."""


def run(uow: UnitOfWork, name: str, months: Months) -> Report:
    """The report ``name`` over ``months`` (ValidationError for an unknown name)."""
    report = REPORTS.get(name)
    if report is None:
        raise ValidationError("name", f"{name!r} is not a report; known: {', '.join(REPORTS)}")
    return report(uow, months)
