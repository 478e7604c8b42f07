"""Sales documents (O1), turnover (O2) and settlements (O3).

Numbers are gap-free per document type and year: issuing draws the next value of the
tenant's counter ``sales:<type id>:<year>`` in the issuing unit of work (see
:class:`~clientcore.ports.repositories.Counters`): a unit that fails gives its number back,
and concurrent issuers wait for each other on the counter's row (or document).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from clientcore.entities import money, validation
from clientcore.entities.catalog import Interested, price_key
from clientcore.entities.client import ClientStatus
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import (
    DOCUMENT_TYPES,
    PRICE_LIST_ASSIGNMENTS,
    PRICE_LISTS,
    PRICES,
    PRODUCTS,
    SALES_DOCUMENTS,
    SETTLEMENTS,
    WAREHOUSES,
)
from clientcore.entities.money import Rounding
from clientcore.entities.sales import (
    LINE_DESCRIPTION_MAX_LENGTH,
    MAX_LINES,
    Allocation,
    Amounts,
    DocumentLine,
    DocumentStatus,
    DocumentType,
    SaleLine,
    SalesDocument,
    Settlement,
    Turnover,
    TurnoverRow,
    Warehouse,
)
from clientcore.entities.visit import ChargeKind, VisitKind
from clientcore.errors import (
    ConcurrencyError,
    Conflict,
    Overpayment,
    ValidationError,
)
from clientcore.operations import records, visits
from clientcore.operations.catalog import checked_code, checked_name, interested, positive
from clientcore.operations.context import Context, run_again_if_beaten, tenant_zone
from clientcore.operations.redirects import creatable, linkable, live_client
from clientcore.ports.unit_of_work import UnitOfWork

SETTLEMENT_METHOD_MAX_LENGTH = 100


def define_type(
    uow: UnitOfWork, ctx: Context, code: str, name: str, rounding: Rounding | str
) -> DocumentType:
    document_type = DocumentType(
        id=ctx.ids(),
        code=checked_code(code),
        name=checked_name(name),
        created_at=ctx.now(),
        rounding=validation.choice("rounding", Rounding, rounding),
    )
    return records.add(uow, ctx, DOCUMENT_TYPES, document_type)


def define_warehouse(uow: UnitOfWork, ctx: Context, code: str, name: str) -> Warehouse:
    warehouse = Warehouse(
        id=ctx.ids(), code=checked_code(code), name=checked_name(name), created_at=ctx.now()
    )
    return records.add(uow, ctx, WAREHOUSES, warehouse)


# -- drafts ---------------------------------------------------------------------------


def _line(uow: UnitOfWork, raw: object, currency: str, price_list_id: UUID | None) -> DocumentLine:
    """A stored line from the caller's :class:`SaleLine`, what it leaves out taken from its
    product and the client's price list."""
    if not isinstance(raw, SaleLine):
        raise ValidationError("lines", "each line must be a SaleLine(...)")
    kind, description, vat_rate, unit_price = (
        raw.kind,
        raw.description,
        raw.vat_rate,
        raw.unit_price,
    )
    if raw.product_id is not None:
        product = uow.records(PRODUCTS).get(raw.product_id)
        kind = kind or product.kind
        description = description or product.name
        vat_rate = product.vat_rate if vat_rate is None else vat_rate
        if unit_price is None:
            unit_price = _listed_price(uow, product.id, currency, price_list_id)
    if unit_price is None or kind is None:
        raise ValidationError(
            "lines", "a line without a product needs its unit_price, kind and description"
        )
    return DocumentLine(
        kind=validation.choice("lines.kind", ChargeKind, kind),
        description=validation.required_text(
            "lines.description", description, max_length=LINE_DESCRIPTION_MAX_LENGTH
        ),
        quantity=positive("lines.quantity", raw.quantity),
        unit_price=money.amount("lines.unit_price", unit_price),
        vat_rate=money.percent("lines.vat_rate", 0 if vat_rate is None else vat_rate),
        discount=money.percent("lines.discount", raw.discount),
        product_id=raw.product_id,
    )


def _listed_price(
    uow: UnitOfWork, product_id: UUID, currency: str, price_list_id: UUID | None
) -> Decimal:
    if price_list_id is None:
        raise ValidationError(
            "lines.unit_price", "the client has no price list: give the line its unit_price"
        )
    price_list = uow.records(PRICE_LISTS).get(price_list_id)
    if price_list.currency != currency:
        raise ValidationError(
            "currency",
            f"the client's price list {price_list.name!r} is in {price_list.currency}, "
            f"the document in {currency}",
        )
    price = uow.records(PRICES).get_many([price_key(price_list_id, product_id)])
    if not price:
        raise ValidationError(
            "lines.unit_price",
            f"product {product_id} has no price in the price list {price_list.name!r}",
        )
    return next(iter(price.values())).unit_price


def _price_list_id(uow: UnitOfWork, client_id: UUID) -> UUID | None:
    assignment = uow.records(PRICE_LIST_ASSIGNMENTS).get_many([client_id]).get(client_id)
    return None if assignment is None else assignment.price_list_id


def _lines(
    uow: UnitOfWork, lines: Sequence[SaleLine], currency: str, client_id: UUID
) -> tuple[DocumentLine, ...]:
    given = validation.sequence("lines", lines)
    if len(given) > MAX_LINES:
        raise ValidationError("lines", f"a document has at most {MAX_LINES} lines")
    price_list_id = _price_list_id(uow, client_id)
    return tuple(_line(uow, line, currency, price_list_id) for line in given)


def _currency(uow: UnitOfWork, client_id: UUID, currency: str | None) -> str:
    """The document's currency: as given, or the client's price list's."""
    if currency is not None:
        return money.currency_code("currency", currency)
    price_list_id = _price_list_id(uow, client_id)
    if price_list_id is None:
        raise ValidationError("currency", "the client has no price list: give the currency")
    return uow.records(PRICE_LISTS).get(price_list_id).currency


def _summary(document: SalesDocument) -> list[FieldChange]:
    gross = f"{document.totals.gross} {document.currency}"
    return [
        FieldChange("number", None, document.number),
        FieldChange("lines", None, str(len(document.lines))),
        FieldChange("gross", None, gross),
    ]


def _event(uow: UnitOfWork, ctx: Context, kind: EventKind, document: SalesDocument) -> None:
    ctx.record(
        uow, kind, entity_id=document.id, client_id=document.client_id, changes=_summary(document)
    )


def draft(
    uow: UnitOfWork,
    ctx: Context,
    *,
    client_id: UUID,
    type_id: UUID,
    currency: str | None,
    warehouse_id: UUID | None,
    lines: Sequence[SaleLine],
    visit_lines: tuple[DocumentLine, ...] = (),
    visit_id: UUID | None = None,
) -> SalesDocument:
    """A new draft of an active client (an inactive client gets no new documents):
    ``visit_lines`` billing ``visit_id``, then ``lines``."""
    ctx.acting()
    if creatable(uow, client_id) is not ClientStatus.ACTIVE:
        raise ValidationError("client_id", "the client is inactive; reactivate them first")
    document_type = uow.records(DOCUMENT_TYPES).get(type_id)
    if warehouse_id is not None:
        uow.records(WAREHOUSES).get(warehouse_id)
    code = _currency(uow, client_id, currency)
    now = ctx.now()
    document = SalesDocument(
        id=ctx.ids(),
        type_id=type_id,
        client_id=client_id,
        currency=code,
        rounding=document_type.rounding,
        created_at=now,
        updated_at=now,
        warehouse_id=warehouse_id,
        visit_id=visit_id,
        lines=visit_lines + _lines(uow, lines, code, client_id),
    )
    uow.records(SALES_DOCUMENTS).add(document)
    _event(uow, ctx, EventKind.SALE_DRAFTED, document)
    return document


def _load(uow: UnitOfWork, document_id: UUID, expected_version: int | None) -> SalesDocument:
    document = uow.records(SALES_DOCUMENTS).get(document_id)
    if expected_version is not None and document.version != expected_version:
        raise ConcurrencyError("sales document", document_id, expected_version)
    return document


def _load_draft(uow: UnitOfWork, document_id: UUID, expected_version: int | None) -> SalesDocument:
    document = _load(uow, document_id, expected_version)
    if document.issued:
        raise ValidationError("status", f"document {document.number} is issued and final")
    return document


def _store(
    uow: UnitOfWork,
    ctx: Context,
    document: SalesDocument,
    expected_version: int | None,
    **changes: object,
) -> SalesDocument:
    """Store a change of a document read in this unit (its version checked by the store; a
    concurrent writer that won runs the operation again, see :func:`run_again_if_beaten`)."""
    stamp = {"updated_at": ctx.now(), "version": document.version + 1}
    new = attrs.evolve(document, **stamp, **changes)  # type: ignore[arg-type]
    with run_again_if_beaten(expected_version):
        uow.records(SALES_DOCUMENTS).replace(new)
    return new


def set_lines(
    uow: UnitOfWork,
    ctx: Context,
    document_id: UUID,
    lines: Sequence[SaleLine],
    *,
    expected_version: int | None,
) -> SalesDocument:
    """Replace a draft's lines (a draft made from a visit keeps the visit's lines)."""
    ctx.acting()
    old = _load_draft(uow, document_id, expected_version)
    kept = tuple(line for line in old.lines if line.visit_id is not None)
    new = _store(
        uow,
        ctx,
        old,
        expected_version,
        lines=kept + _lines(uow, lines, old.currency, old.client_id),
    )
    _event(uow, ctx, EventKind.SALE_CHANGED, new)
    return new


def issue(
    uow: UnitOfWork, ctx: Context, document_id: UUID, *, expected_version: int | None
) -> SalesDocument:
    """Number a draft (the next number of its type in the year of issue, in the tenant's
    time zone) and make it final."""
    ctx.acting()
    old = _load_draft(uow, document_id, expected_version)
    if not old.lines:
        raise ValidationError("lines", "a document without lines cannot be issued")
    document_type = uow.records(DOCUMENT_TYPES).get(old.type_id)
    totals = old.totals
    now = ctx.now()
    day = now.astimezone(tenant_zone(uow)).date()
    sequence = uow.counters.next(f"sales:{old.type_id.hex}:{day.year}")
    new = _store(
        uow,
        ctx,
        old,
        expected_version,
        status=DocumentStatus.ISSUED,
        number=f"{document_type.code}/{day.year}/{sequence}",
        year=day.year,
        sequence=sequence,
        issued_at=now,
        issued_on=day,
        issued_month=day.replace(day=1),
        net_minor=money.to_minor(totals.net, old.currency),
        vat_minor=money.to_minor(totals.vat, old.currency),
    )
    _event(uow, ctx, EventKind.SALE_ISSUED, new)
    return new


def delete_draft(
    uow: UnitOfWork, ctx: Context, document_id: UUID, *, expected_version: int | None
) -> None:
    """Delete a draft; an issued document is never deleted."""
    ctx.acting()
    document = _load_draft(uow, document_id, expected_version)
    uow.records(SALES_DOCUMENTS).delete(document)
    _event(uow, ctx, EventKind.SALE_DELETED, document)


def from_visit(
    uow: UnitOfWork,
    ctx: Context,
    visit_id: UUID,
    *,
    type_id: UUID,
    vat_rate: Decimal | int | str,
    warehouse_id: UUID | None,
    lines: Sequence[SaleLine],
) -> SalesDocument:
    """A draft billing a visit: each of its charges a line at ``vat_rate``, then ``lines``.
    A visit is billed by one document at most (Conflict)."""
    visit = uow.visits.get(visit_id)
    if visit.kind is VisitKind.BREAK or not visit.charges or visit.client_id is None:
        raise ValidationError("visit_id", "the visit has no charges to bill")
    billed = uow.records(SALES_DOCUMENTS).find(visit_id=visit_id)
    if billed:
        raise Conflict(f"visit {visit_id} is already billed by document {billed[0].id}")
    rate = money.percent("vat_rate", vat_rate)
    return draft(
        uow,
        ctx,
        client_id=visit.client_id,
        type_id=type_id,
        currency=visit.charges[0].currency,
        warehouse_id=warehouse_id,
        lines=lines,
        visit_id=visit_id,
        visit_lines=tuple(
            DocumentLine(
                kind=charge.kind,
                description=charge.description,
                quantity=charge.quantity,
                unit_price=charge.unit_price,
                vat_rate=rate,
                visit_id=visit_id,
            )
            for charge in visit.charges
        ),
    )


def issued_of(uow: UnitOfWork, client_id: UUID) -> list[SalesDocument]:
    """The client's issued documents, in the order issued."""
    found = uow.records(SALES_DOCUMENTS).find(client_id=client_id, status=DocumentStatus.ISSUED)
    return sorted(found, key=lambda d: (d.issued_at, d.number))


def documents_of(uow: UnitOfWork, client_id: UUID) -> list[SalesDocument]:
    live_client(uow, client_id)
    return uow.records(SALES_DOCUMENTS).find(client_id=client_id)


def interested_in(uow: UnitOfWork, document_id: UUID) -> Interested:
    """The interests in the products a document sells (C8)."""
    document = uow.records(SALES_DOCUMENTS).get(document_id)
    return interested(uow, [line.product_id for line in document.lines if line.product_id])


# -- turnover (O2) --------------------------------------------------------------------


def _period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError("end", "the period ends before it starts")


def _sum(amounts: Sequence[Amounts]) -> Amounts:
    return Amounts(
        net=sum((a.net for a in amounts), Decimal(0)), vat=sum((a.vat for a in amounts), Decimal(0))
    )


def _within(document: SalesDocument, start: date, end: date) -> bool:
    return document.issued_on is not None and start <= document.issued_on <= end


def turnover(uow: UnitOfWork, client_id: UUID, start: date, end: date) -> Turnover:
    """The client's issued documents of days ``start`` to ``end`` (both included, in the
    tenant's time zone), with totals per currency."""
    _period(start, end)
    live_client(uow, client_id)
    documents = [d for d in issued_of(uow, client_id) if _within(d, start, end)]
    by_currency: dict[str, list[Amounts]] = {}
    for document in documents:
        by_currency.setdefault(document.currency, []).append(document.totals)
    return Turnover(
        client_id=client_id,
        start=start,
        end=end,
        documents=tuple(documents),
        totals={currency: _sum(amounts) for currency, amounts in sorted(by_currency.items())},
    )


def turnover_by_month(uow: UnitOfWork, start: date, end: date) -> list[TurnoverRow]:
    """Issued documents of days ``start`` to ``end`` per month, document type and currency,
    ordered so (a type by its code), summed by the store
    (:class:`~clientcore.ports.repositories.SalesLedger`)."""
    _period(start, end)
    types = {t.id: t.code for t in uow.records(DOCUMENT_TYPES).find()}
    rows = []
    for month, type_id, currency, count, net_minor, vat_minor in uow.sales.month_totals(start, end):
        net, vat = money.from_minor(net_minor, currency), money.from_minor(vat_minor, currency)
        rows.append(
            TurnoverRow(
                month=month,
                type_id=type_id,
                type_code=types[type_id],
                currency=currency,
                documents=count,
                net=net,
                vat=vat,
                gross=net + vat,
            )
        )
    return sorted(rows, key=lambda row: (row.month, row.type_code, row.currency))


# -- settlements (O3) -----------------------------------------------------------------


def open_documents(uow: UnitOfWork, client_id: UUID) -> list[SalesDocument]:
    """The client's issued documents with something left to pay, in the order issued."""
    live_client(uow, client_id)
    return [document for document in issued_of(uow, client_id) if document.open > 0]


def _to_settle(
    uow: UnitOfWork, client_id: UUID, currency: str, document_ids: Sequence[UUID] | None
) -> list[SalesDocument]:
    if document_ids is None:
        return [d for d in open_documents(uow, client_id) if d.currency == currency]
    wanted = list(dict.fromkeys(document_ids))
    if not wanted:
        raise ValidationError("document_ids", "name at least one document")
    found = uow.records(SALES_DOCUMENTS).get_many(wanted)
    documents = []
    for document_id in wanted:
        document = found.get(document_id)
        if document is None or document.client_id != client_id:
            raise SALES_DOCUMENTS.not_found(document_id)
        if not document.issued or document.open <= 0 or document.currency != currency:
            raise ValidationError(
                "document_ids",
                f"document {document.number or document.id} is not an open {currency} "
                "document (a draft, paid, or in another currency)",
            )
        documents.append(document)
    return documents


def settle(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    amount: Decimal | int | str,
    currency: str,
    *,
    document_ids: Sequence[UUID] | None,
    method: str,
) -> Settlement:
    """One payment of a client paying open documents in the order given (None: the
    client's open documents in ``currency``, oldest first), each in full until the amount
    runs out (the last one perhaps in part). Raises Overpayment for more than is open."""
    actor = ctx.acting()
    code = money.currency_code("currency", currency)
    paid = positive("amount", amount)
    if money.rounded(paid, code) != paid:
        raise ValidationError("amount", f"has more decimals than {code} has")
    linkable(uow, client_id)
    documents = _to_settle(uow, client_id, code, document_ids)
    still_open = sum((document.open for document in documents), Decimal(0))
    if paid > still_open:
        raise Overpayment(paid, still_open, code)
    allocations = []
    left = paid
    for document in documents:
        if not left:
            break
        part = min(left, document.open)
        left -= part
        allocations.append(Allocation(document.id, part))
        new = _store(uow, ctx, document, None, paid=document.paid + part)
        ctx.record(
            uow,
            EventKind.SALE_PAID,
            entity_id=new.id,
            client_id=client_id,
            changes=[FieldChange("paid", str(document.paid), str(new.paid))],
        )
        if new.open == 0 and new.visit_id is not None:
            _settle_visit(uow, ctx, new.visit_id)
    settlement = Settlement(
        id=ctx.ids(),
        client_id=client_id,
        currency=code,
        amount=paid,
        allocations=tuple(allocations),
        at=ctx.now(),
        recorded_by=actor.id,
        method=validation.text("method", method, max_length=SETTLEMENT_METHOD_MAX_LENGTH),
    )
    uow.records(SETTLEMENTS).add(settlement)
    ctx.record(
        uow,
        EventKind.SETTLEMENT_RECORDED,
        entity_id=settlement.id,
        client_id=client_id,
        changes=[FieldChange("amount", None, f"{paid} {code}")],
    )
    return settlement


def _settle_visit(uow: UnitOfWork, ctx: Context, visit_id: UUID) -> None:
    """The visit a paid document billed is no longer to be paid (V6)."""
    found = uow.visits.get_many([visit_id])
    if visit_id in found and found[visit_id].to_be_paid:
        visits.settle(uow, ctx, visit_id)
