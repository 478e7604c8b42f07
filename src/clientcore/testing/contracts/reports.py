"""Contract: reports over the client base (B5) count in the store as the tenant's local
months say, and every adapter gives the same rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from clientcore.entities.consent import Channel, Purpose
from clientcore.entities.sales import SaleLine
from clientcore.entities.visit import ChargeKind
from clientcore.errors import ValidationError
from clientcore.facade import Core
from clientcore.testing.clock import TickingClock
from clientcore.testing.contracts.base import BackendContract


def _at(clock: TickingClock, moment: datetime) -> None:
    """Move the clock to ``moment`` (it only moves forward)."""
    clock.advance(moment - clock.now())


class ReportsContract(BackendContract):
    def test_report_clients_by_source_and_by_local_month(
        self, core: Core, clock: TickingClock
    ) -> None:
        core.clients.register(last_name="A", source="web")
        core.clients.register(last_name="B", source="web")
        _at(clock, datetime(2026, 1, 31, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw: January
        core.clients.register(last_name="C")
        _at(clock, datetime(2026, 1, 31, 23, 30, tzinfo=UTC))  # 00:30 in Warsaw: February
        core.clients.register(last_name="D", source="friend")
        _at(clock, datetime(2026, 3, 10, tzinfo=UTC))
        core.clients.register(last_name="E", source="web")
        assert core.reports.clients_by_source().rows == (("", 1), ("friend", 1), ("web", 3))
        report = core.reports.clients_by_month(date(2025, 12, 1), date(2026, 4, 1))
        assert report.columns == ("month", "clients")
        assert report.rows == (("2025-12", 0), ("2026-01", 3), ("2026-02", 1), ("2026-03", 1))
        assert core.reports.clients_by_month(date(2026, 2, 1), date(2026, 3, 1)).rows == (
            ("2026-02", 1),
        )
        with pytest.raises(ValidationError):
            core.reports.clients_by_month(date(2026, 3, 1), date(2026, 3, 1))
        with pytest.raises(ValidationError):
            core.reports.run("no_such_report")

    def test_report_visits_and_no_shows_per_staff_and_month(
        self, core: Core, clock: TickingClock
    ) -> None:
        anna = core.staff.add("Anna").id
        bob = core.staff.add("Bob").id
        client = core.clients.register(last_name="Nowak").id
        _at(clock, datetime(2026, 4, 1, tzinfo=UTC))

        def book(staff: UUID, day: int, month: int, hour: int = 9) -> UUID:
            start = datetime(2026, month, day, hour, tzinfo=UTC)
            return core.visits.book(
                client, staff, start, 30, override_hours=True, allow_past=True
            ).id

        book(anna, 5, 1)
        missed = book(anna, 6, 1)
        core.visits.mark_no_show(missed)
        cancelled = book(anna, 7, 1)
        core.visits.cancel(cancelled)
        book(anna, 3, 2)
        book(bob, 20, 2)
        core.visits.book_break(
            anna, datetime(2026, 2, 4, 9, tzinfo=UTC), 30, override_hours=True, allow_past=True
        )
        book(bob, 2, 3)  # outside the period
        report = core.reports.visits_by_staff(date(2026, 1, 1), date(2026, 3, 1))
        assert report.columns == ("month", "staff_id", "staff", "visits", "no_shows")
        expected = sorted(
            [
                ("2026-01", anna, "Anna", 2, 1),
                ("2026-02", anna, "Anna", 1, 0),
                ("2026-02", bob, "Bob", 1, 0),
            ],
            key=lambda row: (row[0], str(row[1])),
        )
        assert list(report.rows) == expected

    def test_report_consent_coverage_per_purpose(self, core: Core, clock: TickingClock) -> None:
        ids = [core.clients.register(last_name=f"K{i}").id for i in range(4)]
        record = core.consents.record
        record(ids[0], Purpose.DATA_PROCESSING, granted=True, source="form")
        record(ids[1], Purpose.DATA_PROCESSING, granted=True, source="form")
        record(ids[1], Purpose.DATA_PROCESSING, granted=False, source="phone")
        record(ids[2], Purpose.NOTIFICATIONS, granted=True, channel=Channel.SMS, source="form")
        record(ids[2], Purpose.NOTIFICATIONS, granted=False, channel=Channel.EMAIL, source="form")
        earlier = clock.now() - timedelta(days=3)
        record(ids[3], Purpose.DATA_PROCESSING, granted=True, source="form")
        record(ids[3], Purpose.DATA_PROCESSING, granted=False, source="letter", at=earlier)
        report = core.reports.consent_coverage()
        assert report.columns == ("purpose", "clients", "of", "share")
        assert report.as_dicts()[0] == {
            "purpose": "data_processing",
            "clients": 2,
            "of": 4,
            "share": Decimal("0.500"),
        }
        assert {row[0]: row[1] for row in report.rows} == {
            "data_processing": 2,
            "commercial_information": 0,
            "third_party_sharing": 0,
            "notifications": 1,
        }

    def test_report_turnover_per_month_type_and_currency(
        self, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        invoice = core.sales.define_type("FV", "Invoice")
        receipt = core.sales.define_type("PAR", "Receipt")
        line = SaleLine(
            quantity=2, unit_price="10.00", vat_rate=23, description="Food", kind=ChargeKind.GOODS
        )
        _at(clock, datetime(2026, 1, 31, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw: January
        core.sales.issue(core.sales.draft(client.id, invoice.id, [line], currency="PLN").id)
        _at(clock, datetime(2026, 2, 3, 9, tzinfo=UTC))
        for document_type in (invoice, invoice, receipt):
            draft = core.sales.draft(client.id, document_type.id, [line], currency="PLN")
            core.sales.issue(draft.id)
        core.sales.draft(client.id, invoice.id, [line], currency="PLN")  # a draft: not sold
        report = core.reports.turnover(date(2026, 1, 1), date(2026, 3, 1))
        assert report.columns == ("month", "type", "currency", "documents", "net", "vat", "gross")
        assert report.rows == (
            ("2026-01", "FV", "PLN", 1, Decimal("20.00"), Decimal("4.60"), Decimal("24.60")),
            ("2026-02", "FV", "PLN", 2, Decimal("40.00"), Decimal("9.20"), Decimal("49.20")),
            ("2026-02", "PAR", "PLN", 1, Decimal("20.00"), Decimal("4.60"), Decimal("24.60")),
        )
        assert core.reports.run("turnover", start=date(2026, 3, 1), end=date(2026, 4, 1)).rows == ()
