"""Sales documents (O1), their types and warehouses, and settlements (O3).

A document is a draft until it is issued: then it gets the next number of its type and
year (gap-free, drawn from the store's counter in the issuing unit of work) and never
changes again, except for what has been paid of it. Its amounts are computed from its
lines, exactly, rounded as its type says (:class:`~clientcore.entities.money.Rounding`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, localcontext
from uuid import UUID

import attrs

from clientcore.entities.money import EXACT, Rounding, rounded
from clientcore.entities.visit import ChargeKind

CODE_MAX_LENGTH = 16
NAME_MAX_LENGTH = 200
LINE_DESCRIPTION_MAX_LENGTH = 200
MAX_LINES = 1000
HUNDRED = Decimal(100)


@attrs.frozen
class DocumentType:
    """A kind of sales document the tenant issues (receipt, invoice...): ``code`` starts
    its numbers (``"FV/2026/7"``), ``rounding`` says how its amounts are rounded."""

    id: UUID
    code: str
    name: str
    created_at: datetime
    rounding: Rounding = Rounding.PER_LINE


@attrs.frozen
class Warehouse:
    """Where goods are sold or received from."""

    id: UUID
    code: str
    name: str
    created_at: datetime
    active: bool = True


@attrs.frozen
class Amounts:
    """Net, VAT and gross (net + VAT) amounts in one currency."""

    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@attrs.frozen
class DocumentLine:
    """One service or goods line: ``quantity`` x ``unit_price`` (net), less ``discount``
    percent, plus ``vat_rate`` percent of VAT. ``product_id`` names the product sold (if
    any), ``visit_id`` the visit it was charged on (if any)."""

    kind: ChargeKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    product_id: UUID | None = None
    visit_id: UUID | None = None

    @property
    def exact(self) -> Amounts:
        """The line's amounts with every digit (nothing rounded)."""
        with localcontext(EXACT):
            net = self.quantity * self.unit_price * (HUNDRED - self.discount) / HUNDRED
            return Amounts(net=net, vat=net * self.vat_rate / HUNDRED)


@attrs.frozen
class SaleLine:
    """A line as the caller gives it; what it leaves out comes from the product: its name
    (``description``), kind, VAT rate, and its price in the client's price list
    (``unit_price=None``). A line without a product gives all of them."""

    quantity: Decimal | int | str
    product_id: UUID | None = None
    unit_price: Decimal | int | str | None = None
    vat_rate: Decimal | int | str | None = None
    discount: Decimal | int | str = 0
    description: str = ""
    kind: ChargeKind | str | None = None


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    """Lines may change, the document may be deleted; it has no number."""
    ISSUED = "issued"
    """Numbered and final: only payments change it."""


def line_amounts(line: DocumentLine, currency: str, rounding: Rounding) -> Amounts:
    """A line's amounts as a document with ``rounding`` shows them: rounded per line, or
    exact (rounded only in the document's totals)."""
    exact = line.exact
    if rounding is Rounding.PER_DOCUMENT:
        return exact
    return Amounts(net=rounded(exact.net, currency), vat=rounded(exact.vat, currency))


def totals(lines: Sequence[DocumentLine], currency: str, rounding: Rounding) -> Amounts:
    """A document's totals: the sums of its lines' rounded amounts (per line), or its lines'
    exact sums rounded once (per document)."""
    shown = [line_amounts(line, currency, rounding) for line in lines]
    with localcontext(EXACT):
        net = sum((amounts.net for amounts in shown), Decimal(0))
        vat = sum((amounts.vat for amounts in shown), Decimal(0))
    return Amounts(net=rounded(net, currency), vat=rounded(vat, currency))


@attrs.frozen
class SalesDocument:
    """A sales document of a client: a draft, or issued with its ``number``.

    ``currency`` and ``rounding`` are fixed when the draft is made (the rounding from its
    type). ``paid`` is what settlements have paid of it; ``open`` what remains.
    ``visit_id`` is the visit whose charges it bills (if any).
    """

    id: UUID
    type_id: UUID
    client_id: UUID
    currency: str
    rounding: Rounding
    created_at: datetime
    updated_at: datetime
    warehouse_id: UUID | None = None
    visit_id: UUID | None = None
    lines: tuple[DocumentLine, ...] = ()
    status: DocumentStatus = DocumentStatus.DRAFT
    number: str | None = None
    year: int | None = None
    sequence: int | None = None
    issued_at: datetime | None = None
    issued_on: date | None = None
    """The day of issue in the tenant's time zone (what turnover periods compare)."""
    paid: Decimal = Decimal(0)
    version: int = 1
    issued_month: date | None = None
    """The first day of the month of issue; with the totals in minor units below, set at
    issue, what a store sums set-based (turnover per month) without reading the lines."""
    net_minor: int = 0
    vat_minor: int = 0

    @property
    def issued(self) -> bool:
        return self.status is DocumentStatus.ISSUED

    @property
    def totals(self) -> Amounts:
        return totals(self.lines, self.currency, self.rounding)

    @property
    def line_amounts(self) -> tuple[Amounts, ...]:
        """Each line's amounts as the document shows them (see :func:`line_amounts`)."""
        return tuple(line_amounts(line, self.currency, self.rounding) for line in self.lines)

    @property
    def open(self) -> Decimal:
        """What remains to be paid of an issued document (nothing of a draft)."""
        return self.totals.gross - self.paid if self.issued else Decimal(0)


@attrs.frozen
class Allocation:
    """The part of a settlement that pays one document."""

    document_id: UUID
    amount: Decimal


@attrs.frozen
class Settlement:
    """One payment of a client settling one or more issued documents (O3), in full or in
    part: ``amount`` is the sum of its ``allocations``."""

    id: UUID
    client_id: UUID
    currency: str
    amount: Decimal
    allocations: tuple[Allocation, ...]
    at: datetime
    recorded_by: str
    method: str = ""


MonthTotals = tuple[date, UUID, str, int, int, int]
"""Issued documents of one month, type and currency as a store sums them: ``(month,
type_id, currency, documents, net in minor units, VAT in minor units)``."""


@attrs.frozen
class TurnoverRow:
    """Issued documents of one month, type and currency: how many, and their totals."""

    month: date
    """The first day of the month (in the tenant's time zone)."""
    type_id: UUID
    type_code: str
    currency: str
    documents: int
    net: Decimal
    vat: Decimal
    gross: Decimal


@attrs.frozen
class Turnover:
    """Everything sold to a client in a period (O2): the issued documents, oldest first,
    and their totals per currency."""

    client_id: UUID
    start: date
    end: date
    documents: tuple[SalesDocument, ...]
    totals: dict[str, Amounts]
