"""``core.sales``: document types, warehouses, sales documents (O1), turnover (O2) and
settlements (O3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.catalog import Interested
from clientcore.entities.kinds import DOCUMENT_TYPES, SALES_DOCUMENTS, SETTLEMENTS, WAREHOUSES
from clientcore.entities.money import Rounding
from clientcore.entities.sales import (
    DocumentType,
    SaleLine,
    SalesDocument,
    Settlement,
    Turnover,
    TurnoverRow,
    Warehouse,
)
from clientcore.operations import sales

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Sales:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def define_type(
        self, code: str, name: str, *, rounding: Rounding | str = Rounding.PER_LINE
    ) -> DocumentType:
        """A document type of the tenant (``"FV"``, "Invoice"); its numbers are
        ``CODE/YEAR/N``. Raises DuplicateName (the code)."""
        return self._run.write(sales.define_type, code, name, rounding)

    def types(self) -> list[DocumentType]:
        return self._run.read(lambda uow: uow.records(DOCUMENT_TYPES).find())

    def define_warehouse(self, code: str, name: str) -> Warehouse:
        """Raises DuplicateName (the code)."""
        return self._run.write(sales.define_warehouse, code, name)

    def warehouses(self) -> list[Warehouse]:
        return self._run.read(lambda uow: uow.records(WAREHOUSES).find())

    def draft(
        self,
        client_id: UUID,
        type_id: UUID,
        lines: Sequence[SaleLine] = (),
        *,
        currency: str | None = None,
        warehouse_id: UUID | None = None,
    ) -> SalesDocument:
        """A draft document of an active client. ``currency`` defaults to the client's
        price list's; a line's price, VAT rate and description to its product's (the
        price from the client's price list)."""
        return self._run.write(
            sales.draft,
            client_id=client_id,
            type_id=type_id,
            lines=lines,
            currency=currency,
            warehouse_id=warehouse_id,
        )

    def from_visit(
        self,
        visit_id: UUID,
        type_id: UUID,
        *,
        vat_rate: Decimal | int | str = 0,
        lines: Sequence[SaleLine] = (),
        warehouse_id: UUID | None = None,
    ) -> SalesDocument:
        """A draft billing a visit's charges (each a line at ``vat_rate`` percent), then
        ``lines``. Once an issued document billing it is paid in full, the visit is no
        longer to be paid (``Visit.to_be_paid``)."""
        return self._run.write(
            sales.from_visit,
            visit_id,
            type_id=type_id,
            vat_rate=vat_rate,
            warehouse_id=warehouse_id,
            lines=lines,
        )

    def set_lines(
        self, document_id: UUID, lines: Sequence[SaleLine], *, expected_version: int | None = None
    ) -> SalesDocument:
        """Replace a draft's lines (those billing its visit stay)."""
        return self._run.write(
            sales.set_lines, document_id, lines, expected_version=expected_version
        )

    def issue(self, document_id: UUID, *, expected_version: int | None = None) -> SalesDocument:
        """Give a draft the next number of its type and year (no gaps) and make it final."""
        return self._run.write(sales.issue, document_id, expected_version=expected_version)

    def delete_draft(self, document_id: UUID, *, expected_version: int | None = None) -> None:
        """Delete a draft (ValidationError for an issued document, which stays for good)."""
        self._run.write(sales.delete_draft, document_id, expected_version=expected_version)

    def get(self, document_id: UUID) -> SalesDocument:
        return self._run.read(lambda uow: uow.records(SALES_DOCUMENTS).get(document_id))

    def for_client(self, client_id: UUID) -> list[SalesDocument]:
        """The client's documents, drafts too, in the order made."""
        return self._run.read(sales.documents_of, client_id)

    def interested(self, document_id: UUID) -> Interested:
        """The clients interested in the products a document sells (C8)."""
        return self._run.read(sales.interested_in, document_id)

    def turnover(self, client_id: UUID, start: date, end: date) -> Turnover:
        """What the client was sold from ``start`` to ``end`` (days in the tenant's time
        zone, both included): issued documents and totals per currency."""
        return self._run.read(sales.turnover, client_id, start, end)

    def turnover_by_month(self, start: date, end: date) -> list[TurnoverRow]:
        """The tenant's issued documents from ``start`` to ``end`` per month, document type
        and currency (for reports)."""
        return self._run.read(sales.turnover_by_month, start, end)

    def open_documents(self, client_id: UUID) -> list[SalesDocument]:
        """The client's issued documents with something left to pay (``open``)."""
        return self._run.read(sales.open_documents, client_id)

    def settle(
        self,
        client_id: UUID,
        amount: Decimal | int | str,
        currency: str,
        *,
        document_ids: Sequence[UUID] | None = None,
        method: str = "",
    ) -> Settlement:
        """One payment settling the documents named, in that order (None: the client's open
        documents in ``currency``, oldest first), each in full until the amount runs out.
        Raises Overpayment for more than is open on them."""
        return self._run.write(
            sales.settle,
            client_id,
            amount,
            currency,
            document_ids=document_ids,
            method=method,
        )

    def settlements(self, client_id: UUID) -> list[Settlement]:
        return self._run.read(lambda uow: uow.records(SETTLEMENTS).find(client_id=client_id))
