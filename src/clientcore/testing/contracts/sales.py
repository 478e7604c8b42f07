"""Contract: sales documents and their numbers (O1), turnover (O2), settlements (O3), price
lists (B4), interests (C8), and the link to visits (V6, V7)."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.catalog import Interest
from clientcore.entities.client import Client
from clientcore.entities.kinds import (
    INTERESTS,
    PRICE_LIST_ASSIGNMENTS,
    SALES_DOCUMENTS,
    SALES_KINDS,
    SETTLEMENTS,
    ErasurePolicy,
    MergePolicy,
)
from clientcore.entities.money import Rounding
from clientcore.entities.sales import DocumentStatus, DocumentType, SaleLine, SalesDocument
from clientcore.entities.visit import Charge, ChargeKind
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import (
    ClientInUse,
    ConcurrencyError,
    Conflict,
    DuplicateName,
    NotFound,
    Overpayment,
    StorageBusy,
    ValidationError,
    VisitInvoiced,
)
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.race import run_race

D = Decimal


def service(quantity: str, price: str, vat: str, discount: str = "0") -> SaleLine:
    return SaleLine(
        quantity=D(quantity),
        unit_price=D(price),
        vat_rate=D(vat),
        discount=D(discount),
        description="service",
        kind=ChargeKind.SERVICE,
    )


ODD_LINES = [
    service("3", "0.335", "23"),
    service("1", "0.335", "23"),
    service("2", "10", "8", "15"),
]
"""Lines whose rounding per line and per document differ (see the totals test)."""


class _Undo(Exception):
    """Raised inside ``core.transaction()`` to roll an issue back."""


class SalesContract(BackendContract):
    numbering_issuers = 6
    numbering_documents = 5
    """Documents each issuer thread issues in the numbering race."""

    @pytest.fixture
    def invoice(self, core: Core) -> DocumentType:
        return core.sales.define_type("FV", "Invoice")

    @pytest.fixture
    def client(self, core: Core) -> Client:
        return core.clients.register(last_name="Nowak")

    def _issued(self, core: Core, client: Client, type_id: UUID, *lines: SaleLine) -> SalesDocument:
        drafted = core.sales.draft(client.id, type_id, list(lines), currency="PLN")
        return core.sales.issue(drafted.id)

    # -- totals ----------------------------------------------------------------------

    def test_totals_are_exact_and_rounded_as_the_type_says(
        self, core: Core, client: Client
    ) -> None:
        per_line = core.sales.define_type("FV", "Invoice")
        per_document = core.sales.define_type("PA", "Receipt", rounding=Rounding.PER_DOCUMENT)
        by_line = core.sales.draft(client.id, per_line.id, ODD_LINES, currency="pln")
        by_document = core.sales.draft(client.id, per_document.id, ODD_LINES, currency="PLN")
        # 3 x 0.335 = 1.005 -> 1.01 (VAT 0.23115 -> 0.23); 0.335 -> 0.34 (VAT 0.07705 -> 0.08);
        # 2 x 10 less 15% = 17.00 (VAT 1.36)
        stored = core.sales.get(by_line.id)
        assert stored == by_line
        assert stored.currency == "PLN"
        assert [a.net for a in stored.line_amounts] == [D("1.01"), D("0.34"), D("17.00")]
        assert (stored.totals.net, stored.totals.vat, stored.totals.gross) == (
            D("18.35"),
            D("0.31") + D("1.36"),
            D("20.02"),
        )
        # per document: net 18.34 exactly, VAT 1.6682 -> 1.67
        stored = core.sales.get(by_document.id)
        assert stored.rounding is Rounding.PER_DOCUMENT
        assert (stored.totals.net, stored.totals.vat, stored.totals.gross) == (
            D("18.34"),
            D("1.67"),
            D("20.01"),
        )
        assert stored.lines[0].unit_price == D("0.335")

    def test_bad_lines_are_refused(self, core: Core, client: Client, invoice: DocumentType) -> None:
        bad = [
            SaleLine(quantity=1.5, unit_price=D(1), description="x", kind=ChargeKind.GOODS),  # type: ignore[arg-type]
            SaleLine(quantity=D(1), unit_price=D("-1"), description="x", kind=ChargeKind.GOODS),
            SaleLine(quantity=D(0), unit_price=D(1), description="x", kind=ChargeKind.GOODS),
            SaleLine(
                quantity=D(1), unit_price=D(1), vat_rate=D(101), description="x", kind="goods"
            ),
            SaleLine(
                quantity=D(1), unit_price=D(1), discount=D("-5"), description="x", kind="goods"
            ),
            SaleLine(quantity=D(1), unit_price=D(1), description="", kind=ChargeKind.GOODS),
            SaleLine(quantity=D(1), description="x", kind=ChargeKind.GOODS),
        ]
        for line in bad:
            with pytest.raises(ValidationError):
                core.sales.draft(client.id, invoice.id, [line], currency="PLN")
        with pytest.raises(ValidationError):
            core.sales.draft(client.id, invoice.id, [service("1", "1", "0")], currency="zł")
        with pytest.raises(ValidationError):  # no currency, and no price list to take it from
            core.sales.draft(client.id, invoice.id, [service("1", "1", "0")])
        with pytest.raises(NotFound):
            core.sales.draft(client.id, UUID(int=1), [service("1", "1", "0")], currency="PLN")
        core.clients.deactivate(client.id)
        with pytest.raises(ValidationError):  # an inactive client gets no new documents
            core.sales.draft(client.id, invoice.id, [service("1", "1", "0")], currency="PLN")
        assert core.sales.for_client(client.id) == []

    # -- numbering ---------------------------------------------------------------------

    def test_numbers_run_per_type_and_year_without_gaps(
        self, core: Core, client: Client, invoice: DocumentType, clock: TickingClock
    ) -> None:
        receipt = core.sales.define_type("PA", "Receipt")
        first = self._issued(core, client, invoice.id, service("1", "10", "23"))
        abandoned = core.sales.draft(
            client.id, invoice.id, [service("1", "5", "23")], currency="PLN"
        )
        core.sales.delete_draft(abandoned.id)
        second = self._issued(core, client, invoice.id, service("1", "20", "23"))
        other = self._issued(core, client, receipt.id, service("1", "30", "23"))
        assert [first.number, second.number, other.number] == [
            "FV/2026/1",
            "FV/2026/2",
            "PA/2026/1",
        ]
        assert (second.year, second.sequence, second.status) == (2026, 2, DocumentStatus.ISSUED)
        clock.advance(datetime(2026, 12, 31, 23, 30, tzinfo=UTC) - clock.now())  # 00:30 in Warsaw
        next_year = self._issued(core, client, invoice.id, service("1", "10", "23"))
        assert next_year.number == "FV/2027/1"
        assert next_year.issued_on == date(2027, 1, 1)

    def test_an_issued_document_is_final(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        issued = self._issued(core, client, invoice.id, service("1", "10", "23"))
        with pytest.raises(ValidationError):
            core.sales.issue(issued.id)
        with pytest.raises(ValidationError):
            core.sales.set_lines(issued.id, [service("1", "1", "0")])
        with pytest.raises(ValidationError):
            core.sales.delete_draft(issued.id)
        assert core.sales.get(issued.id) == issued
        empty = core.sales.draft(client.id, invoice.id, currency="PLN")
        with pytest.raises(ValidationError):
            core.sales.issue(empty.id)
        changed = core.sales.set_lines(empty.id, [service("2", "1", "0")])
        with pytest.raises(ConcurrencyError):
            core.sales.issue(empty.id, expected_version=empty.version)
        assert core.sales.issue(changed.id, expected_version=changed.version).number == "FV/2026/2"

    def test_a_rolled_back_issue_gives_its_number_back(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        drafts = [
            core.sales.draft(client.id, invoice.id, [service("1", "1", "0")], currency="PLN")
            for _ in range(2)
        ]
        if core.capabilities.transactions:
            with pytest.raises(_Undo):
                _issue_and_undo(core, drafts[0].id)
        assert core.sales.get(drafts[0].id).status is DocumentStatus.DRAFT
        assert core.sales.issue(drafts[1].id).number == "FV/2026/1"
        assert core.sales.issue(drafts[0].id).number == "FV/2026/2"

    def test_concurrent_issuers_get_every_number_once(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        per_issuer = self.numbering_documents
        drafts = [
            core.sales.draft(client.id, invoice.id, [service("1", "1", "0")], currency="PLN").id
            for _ in range(self.numbering_issuers * per_issuer)
        ]
        rolls_back = core.capabilities.transactions
        lock = threading.Lock()
        queue = list(drafts)

        def issue_next(_start: datetime, undo: int) -> bool:
            with lock:
                document_id = queue.pop()
            if rolls_back and undo == 0:
                # A block the store found busy is rolled back too (core.transaction() runs
                # nothing again; the host would): all the undo needs to be.
                with contextlib.suppress(_Undo, StorageBusy):
                    _issue_and_undo(core, document_id)
            core.sales.issue(document_id)
            return True

        work = [(datetime.now(UTC), index % 3) for index in range(len(drafts))]
        result = run_race(issue_next, work, threads=self.numbering_issuers)
        assert result.unexpected == ()
        numbers = sorted(d.sequence or 0 for d in core.sales.for_client(client.id))
        assert numbers == list(range(1, len(drafts) + 1))

    # -- the records and the tenant -----------------------------------------------------

    def test_sales_records_are_kinds_of_the_registry(
        self, core: Core, client: Client, backend: Backend
    ) -> None:
        assert all(kind in backend.kinds for kind in SALES_KINDS)
        assert SALES_DOCUMENTS.merge is MergePolicy.MOVE
        assert SALES_DOCUMENTS.erasure is ErasurePolicy.RETAIN
        assert SETTLEMENTS.erasure is ErasurePolicy.RETAIN
        assert INTERESTS.personal_fields == ("note",)
        assert PRICE_LIST_ASSIGNMENTS.merge is MergePolicy.KEEP
        product = core.products.define("FOOD", "Dog food", vat_rate=8)
        core.interests.record(client.id, product.id, note="asks every week")
        core.clients.delete(client.id)  # interests go with the client
        assert core.interests.in_products([product.id]).interests == ()
        payer = core.clients.register(last_name="Kowalski")
        invoice = core.sales.define_type("FV", "Invoice")
        core.sales.draft(payer.id, invoice.id, [service("1", "1", "0")], currency="PLN")
        with pytest.raises(ClientInUse) as refused:
            core.clients.delete(payer.id)
        assert "sales_documents" in refused.value.referenced_by

    def test_another_tenant_sees_nothing_and_numbers_on_its_own(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        issued = self._issued(core, client, invoice.id, service("1", "10", "23"))
        other = core.for_tenant(core.tenant + "-other")
        other.setup.configure(time_zone="Europe/Warsaw")
        with pytest.raises(NotFound):
            other.sales.get(issued.id)
        assert other.sales.types() == []
        own_type = other.sales.define_type("FV", "Invoice")
        own_client = other.clients.register(last_name="Obcy")
        assert self._issued(other, own_client, own_type.id, service("1", "1", "0")).number == (
            "FV/2026/1"
        )
        with pytest.raises(DuplicateName):
            core.sales.define_type("FV", "Invoice again")

    # -- turnover (O2) --------------------------------------------------------------------

    def test_turnover_of_a_client_per_period_and_currency(
        self, core: Core, client: Client, invoice: DocumentType, clock: TickingClock
    ) -> None:
        receipt = core.sales.define_type("PA", "Receipt")
        january = self._issued(core, client, invoice.id, service("2", "50", "23"))
        someone_else = core.clients.register(last_name="Inny")
        self._issued(core, someone_else, invoice.id, service("1", "999", "0"))
        clock.advance(timedelta(days=31))
        february = self._issued(core, client, receipt.id, service("1", "100", "8"))
        euro = core.sales.draft(client.id, invoice.id, [service("1", "10", "0")], currency="EUR")
        euro = core.sales.issue(euro.id)
        core.sales.draft(client.id, invoice.id, [service("9", "9", "0")], currency="PLN")  # draft

        whole = core.sales.turnover(client.id, date(2026, 1, 1), date(2026, 2, 28))
        assert [d.id for d in whole.documents] == [january.id, february.id, euro.id]
        assert {c: (a.net, a.vat, a.gross) for c, a in whole.totals.items()} == {
            "EUR": (D("10"), D("0"), D("10")),
            "PLN": (D("200.00"), D("31.00"), D("231.00")),
        }
        only_january = core.sales.turnover(client.id, date(2026, 1, 1), date(2026, 1, 31))
        assert [d.id for d in only_january.documents] == [january.id]
        with pytest.raises(ValidationError):
            core.sales.turnover(client.id, date(2026, 2, 1), date(2026, 1, 1))

        rows = core.sales.turnover_by_month(date(2026, 1, 1), date(2026, 12, 31))
        assert [(r.month, r.type_code, r.currency, r.documents, r.gross) for r in rows] == [
            (date(2026, 1, 1), "FV", "PLN", 2, D("123.00") + D("999")),
            (date(2026, 2, 1), "FV", "EUR", 1, D("10")),
            (date(2026, 2, 1), "PA", "PLN", 1, D("108.00")),
        ]

    # -- settlements (O3) -----------------------------------------------------------------

    def test_one_settlement_pays_several_documents_in_part(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        first = self._issued(core, client, invoice.id, service("1", "100", "0"))
        second = self._issued(core, client, invoice.id, service("1", "50", "0"))
        core.sales.draft(client.id, invoice.id, [service("1", "70", "0")], currency="PLN")
        assert [d.id for d in core.sales.open_documents(client.id)] == [first.id, second.id]

        settlement = core.sales.settle(client.id, D("120.00"), "PLN", method="cash")
        assert [(a.document_id, a.amount) for a in settlement.allocations] == [
            (first.id, D("100")),
            (second.id, D("20.00")),
        ]
        assert [(d.id, d.open) for d in core.sales.open_documents(client.id)] == [
            (second.id, D("30.00"))
        ]
        with pytest.raises(Overpayment) as refused:
            core.sales.settle(client.id, D("30.01"), "PLN")
        assert refused.value.open_amount == D("30.00")
        with pytest.raises(ValidationError):
            core.sales.settle(client.id, D("0.001"), "PLN")  # below the grosz
        with pytest.raises(ValidationError):  # a paid document is not open
            core.sales.settle(client.id, D("1"), "PLN", document_ids=[first.id])
        core.sales.settle(client.id, D("30"), "PLN", document_ids=[second.id])
        assert core.sales.open_documents(client.id) == []
        assert core.sales.get(second.id).paid == D("50.00")
        assert [s.amount for s in core.sales.settlements(client.id)] == [D("120.00"), D("30")]
        stranger = core.clients.register(last_name="Obcy")
        with pytest.raises(NotFound):
            core.sales.settle(stranger.id, D("1"), "PLN", document_ids=[first.id])
        kinds = [e.kind for e in core.clients.history(client.id)]
        assert kinds.count("settlement.recorded") == 2
        assert kinds.count("sale.paid") == 3

    def test_concurrent_payments_never_pay_more_than_is_open(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        document = self._issued(core, client, invoice.id, service("1", "100", "0"))

        def pay(_start: datetime, cents: int) -> bool:
            try:
                core.sales.settle(client.id, D(cents).scaleb(-2), "PLN", document_ids=[document.id])
            except Overpayment:
                return False
            return True

        result = run_race(pay, [(datetime.now(UTC), 1500)] * 12, threads=6)
        assert result.unexpected == ()
        assert (result.booked, result.refused) == (6, 6)  # 6 x 15.00 fit in 100.00
        assert core.sales.get(document.id).paid == D("90.00")
        assert sum(s.amount for s in core.sales.settlements(client.id)) == D("90.00")

    # -- price lists (B4) -------------------------------------------------------------------

    def test_lines_take_their_price_from_the_clients_price_list(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        food = core.products.define("FOOD", "Dog food", vat_rate=8)
        bath = core.products.define("BATH", "Bath", kind=ChargeKind.SERVICE, vat_rate=23)
        regulars = core.price_lists.create("Regulars", "PLN")
        assert core.price_lists.set_prices(regulars.id, {food.id: D("40.00"), bath.id: 80}) == {
            food.id: D("40.00"),
            bath.id: D(80),
        }
        core.price_lists.set_prices(regulars.id, {bath.id: D("75.50")})
        other = core.clients.register(last_name="Kowalska")
        assert core.price_lists.assign(regulars.id, [client.id, other.id, client.id]) == 2
        assert core.price_lists.assign(regulars.id, [client.id]) == 0
        assert core.price_lists.of_client(other.id) == regulars
        assert core.price_lists.clients(regulars.id) == [client.id, other.id]

        document = core.sales.draft(
            client.id,
            invoice.id,
            [SaleLine(quantity=2, product_id=food.id), SaleLine(quantity=1, product_id=bath.id)],
        )
        assert document.currency == "PLN"
        assert [(x.unit_price, x.vat_rate, x.description, x.kind) for x in document.lines] == [
            (D("40.00"), D(8), "Dog food", ChargeKind.GOODS),
            (D("75.50"), D(23), "Bath", ChargeKind.SERVICE),
        ]
        with pytest.raises(ValidationError):  # the list is in PLN
            core.sales.draft(client.id, invoice.id, [SaleLine(1, food.id)], currency="EUR")
        core.price_lists.unassign([other.id])
        assert core.price_lists.of_client(other.id) is None
        with pytest.raises(ValidationError):  # no list: the line needs its price
            core.sales.draft(other.id, invoice.id, [SaleLine(1, food.id)], currency="PLN")
        with pytest.raises(NotFound):
            core.price_lists.assign(regulars.id, [client.id, UUID(int=7)])
        kinds = [e.kind for e in core.clients.history(other.id)]
        assert kinds[-2:] == ["price_list.assigned", "price_list.unassigned"]

    # -- interests (C8) ---------------------------------------------------------------------

    def test_a_sale_or_purchase_lists_the_interested_clients(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        food = core.products.define("FOOD", "Dog food", vat_rate=8)
        toy = core.products.define("TOY", "Toy", vat_rate=23)
        other = core.clients.register(last_name="Kowalska")
        interest = core.interests.record(client.id, food.id, note="large bags")
        assert core.interests.record(client.id, food.id) == interest
        core.interests.record(other.id, food.id)
        core.interests.record(other.id, toy.id)
        warehouse = core.sales.define_warehouse("MAIN", "Main store")
        received = core.products.register_purchase(food.id, 10, warehouse_id=warehouse.id)
        assert received.purchase.quantity == 10
        assert received.interested.client_ids == (client.id, other.id)
        sold = self._issued(
            core, client, invoice.id, SaleLine(quantity=1, product_id=toy.id, unit_price=D(5))
        )
        assert core.sales.interested(sold.id).client_ids == (other.id,)
        core.interests.remove(interest.id)
        assert core.interests.of_client(client.id) == []
        assert [i.client_id for i in core.interests.in_products([food.id]).interests] == [other.id]
        assert isinstance(core.interests.of_client(other.id)[0], Interest)

    # -- visits (V6, V7) --------------------------------------------------------------------

    def _visit_with_charges(self, core: Core, client: Client) -> UUID:
        vet = core.staff.add("Dr Sale").id
        core.staff.set_hours(
            vet, [WeeklySlot(d, TimeRange(time(0), time(23, 59))) for d in range(7)]
        )
        start = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
        visit = core.visits.book(client.id, vet, start, 30)
        charges = [
            Charge(ChargeKind.SERVICE, "Vaccination", D(1), D("120.00"), "PLN"),
            Charge(ChargeKind.GOODS, "Tablets", D(2), D("15.25"), "PLN"),
        ]
        return core.visits.set_charges(visit.id, charges).id

    def test_a_visits_charges_become_a_document_and_paying_it_settles_the_visit(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        visit_id = self._visit_with_charges(core, client)
        assert core.visits.get(visit_id).to_be_paid
        document = core.sales.from_visit(
            visit_id, invoice.id, vat_rate=8, lines=[service("1", "10", "23")]
        )
        assert document.visit_id == visit_id
        assert [(x.description, x.visit_id) for x in document.lines] == [
            ("Vaccination", visit_id),
            ("Tablets", visit_id),
            ("service", None),
        ]
        assert document.totals.gross == D("162.54") + D("12.30")
        with pytest.raises(Conflict):
            core.sales.from_visit(visit_id, invoice.id)
        issued = core.sales.issue(document.id)
        core.sales.settle(client.id, D("100"), "PLN")
        assert core.visits.get(visit_id).to_be_paid  # paid in part
        core.sales.settle(client.id, issued.totals.gross - D(100), "PLN")
        assert not core.visits.get(visit_id).to_be_paid

    def test_deleting_a_visit_takes_its_drafts_and_refuses_when_it_is_invoiced(
        self, core: Core, client: Client, invoice: DocumentType
    ) -> None:
        drafted = self._visit_with_charges(core, client)
        draft = core.sales.from_visit(drafted, invoice.id)
        core.visits.delete(drafted)
        with pytest.raises(NotFound):
            core.sales.get(draft.id)
        invoiced = self._visit_with_charges(core, client)
        issued = core.sales.issue(core.sales.from_visit(invoiced, invoice.id).id)
        with pytest.raises(VisitInvoiced) as refused:
            core.visits.delete(invoiced)
        assert refused.value.numbers == (issued.number,)
        assert core.visits.get(invoiced).id == invoiced
        assert core.sales.get(issued.id) == issued

    # -- money properties ---------------------------------------------------------------------

    @given(data=st.data())
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def test_a_documents_total_is_the_sum_of_its_lines_under_its_rounding(
        self, core: Core, client: Client, data: st.DataObject
    ) -> None:
        rounding = data.draw(st.sampled_from(Rounding))
        type_id = _type_of(core, rounding)
        drawn = data.draw(st.lists(line_values(), min_size=1, max_size=6))
        lines = [
            SaleLine(q, unit_price=p, vat_rate=v, discount=d, description="item", kind=k)
            for q, p, v, d, k in drawn
        ]
        currency = data.draw(st.sampled_from(["PLN", "JPY", "KWD"]))
        stored = core.sales.get(core.sales.draft(client.id, type_id, lines, currency=currency).id)
        unit = {"PLN": D("0.01"), "JPY": D(1), "KWD": D("0.001")}[currency]

        def cents(amount: Decimal) -> Decimal:
            return amount.quantize(unit, rounding="ROUND_HALF_UP")

        nets = [q * p * (100 - d) / 100 for q, p, _v, d, _k in drawn]
        vats = [net * v / 100 for net, (_q, _p, v, _d, _k) in zip(nets, drawn, strict=True)]
        if rounding is Rounding.PER_LINE:
            net, vat = sum(map(cents, nets)), sum(map(cents, vats))
        else:
            net, vat = cents(sum(nets, D(0))), cents(sum(vats, D(0)))
        assert (stored.totals.net, stored.totals.vat) == (net, vat)
        assert stored.totals.gross == net + vat
        assert stored.totals.gross == cents(stored.totals.gross)

    @given(payments=st.lists(st.decimals("0.01", "150", places=2), min_size=1, max_size=6))
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def test_a_settlement_never_pays_more_than_is_open(
        self, core: Core, invoice: DocumentType, payments: list[Decimal]
    ) -> None:
        payer = core.clients.register(last_name="Payer")
        documents = [
            self._issued(core, payer, invoice.id, service("1", price, "23"))
            for price in ("40.00", "75.55")
        ]
        owed = sum((d.totals.gross for d in documents), D(0))
        paid = D(0)
        for payment in payments:
            if payment > owed - paid:
                with pytest.raises(Overpayment):
                    core.sales.settle(payer.id, payment, "PLN")
            else:
                settlement = core.sales.settle(payer.id, payment, "PLN")
                assert sum(a.amount for a in settlement.allocations) == payment
                paid += payment
            stored = [core.sales.get(d.id) for d in documents]
            assert all(0 <= d.paid <= d.totals.gross for d in stored)
            assert sum(d.paid for d in stored) == paid
            assert sum(d.open for d in core.sales.open_documents(payer.id)) == owed - paid


def _issue_and_undo(core: Core, document_id: UUID) -> None:
    """Issue the document in a transaction that is then rolled back (raises _Undo)."""
    with core.transaction() as tx:
        assert tx.sales.issue(document_id).number is not None
        raise _Undo


def _type_of(core: Core, rounding: Rounding) -> UUID:
    code = "R" + rounding.value[4:8].upper()
    for document_type in core.sales.types():
        if document_type.code == code:
            return document_type.id
    return core.sales.define_type(code, rounding.value, rounding=rounding).id


def line_values() -> st.SearchStrategy[tuple[Decimal, Decimal, Decimal, Decimal, ChargeKind]]:
    """A line's quantity (up to 3 decimals), unit price (up to 4), VAT rate, discount and
    kind."""
    return st.tuples(
        st.decimals("0.001", "10000", places=3),
        st.decimals("0", "100000", places=4),
        st.sampled_from([D(0), D(5), D(8), D(23), D("7.7")]),
        st.decimals("0", "100", places=2),
        st.sampled_from(ChargeKind),
    )
