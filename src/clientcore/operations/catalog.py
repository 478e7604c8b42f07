"""Products, price lists and the clients assigned to them (B4), interests (C8), purchases.

Set-up records (products, price lists, prices, purchases) are stored through the generic
record operations (:mod:`.records`), which record ``record.added`` / ``record.replaced``
events; what concerns a client (its price list, its interests) is in the client's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from uuid import UUID

from clientcore.entities import money, validation
from clientcore.entities.catalog import (
    INTEREST_NOTE_MAX_LENGTH,
    Interest,
    Interested,
    Price,
    PriceList,
    PriceListAssignment,
    Product,
    Purchase,
    PurchaseRegistered,
    price_key,
)
from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import (
    INTERESTS,
    PRICE_LIST_ASSIGNMENTS,
    PRICE_LISTS,
    PRICES,
    PRODUCTS,
    PURCHASES,
    WAREHOUSES,
)
from clientcore.entities.sales import CODE_MAX_LENGTH, NAME_MAX_LENGTH
from clientcore.entities.visit import ChargeKind
from clientcore.errors import ValidationError
from clientcore.operations import records
from clientcore.operations.context import Context
from clientcore.operations.redirects import creatable, linkable, live_client
from clientcore.ports.unit_of_work import UnitOfWork


def checked_code(value: object) -> str:
    """A code of a product, warehouse or document type: short single-line text."""
    return validation.required_text("code", value, max_length=CODE_MAX_LENGTH)


def checked_name(value: object) -> str:
    return validation.required_text("name", value, max_length=NAME_MAX_LENGTH)


def define_product(
    uow: UnitOfWork,
    ctx: Context,
    *,
    code: str,
    name: str,
    kind: ChargeKind | str,
    vat_rate: Decimal | int | str,
) -> Product:
    product = Product(
        id=ctx.ids(),
        code=checked_code(code),
        name=checked_name(name),
        kind=validation.choice("kind", ChargeKind, kind),
        vat_rate=money.percent("vat_rate", vat_rate),
        created_at=ctx.now(),
    )
    return records.add(uow, ctx, PRODUCTS, product)


def create_price_list(uow: UnitOfWork, ctx: Context, name: str, currency: str) -> PriceList:
    price_list = PriceList(
        id=ctx.ids(),
        name=checked_name(name),
        currency=money.currency_code("currency", currency),
        created_at=ctx.now(),
    )
    return records.add(uow, ctx, PRICE_LISTS, price_list)


def set_prices(
    uow: UnitOfWork,
    ctx: Context,
    price_list_id: UUID,
    prices: Mapping[UUID, Decimal | int | str],
) -> dict[UUID, Decimal]:
    """Set the net unit prices of products in a price list (others stay); the list's prices."""
    uow.records(PRICE_LISTS).get(price_list_id)
    products = uow.records(PRODUCTS).get_many(list(prices))
    stored = uow.records(PRICES)
    keys = {product_id: price_key(price_list_id, product_id) for product_id in prices}
    existing = stored.get_many(list(keys.values()))
    for product_id, raw in prices.items():
        if product_id not in products:
            raise PRODUCTS.not_found(product_id)
        price = Price(
            id=keys[product_id],
            price_list_id=price_list_id,
            product_id=product_id,
            unit_price=money.amount(f"prices.{product_id}", raw),
        )
        old = existing.get(price.id)
        if old is None:
            records.add(uow, ctx, PRICES, price)
        elif old != price:
            records.replace(uow, ctx, PRICES, price)
    return prices_of(uow, price_list_id)


def prices_of(uow: UnitOfWork, price_list_id: UUID) -> dict[UUID, Decimal]:
    uow.records(PRICE_LISTS).get(price_list_id)
    return {
        price.product_id: price.unit_price
        for price in uow.records(PRICES).find(price_list_id=price_list_id)
    }


def assign(
    uow: UnitOfWork, ctx: Context, price_list_id: UUID | None, client_ids: Sequence[UUID]
) -> int:
    """Assign the clients to a price list (None: to none); how many clients changed. Each
    client changed gets an event in its history; all or nothing."""
    ctx.acting()
    if price_list_id is not None:
        uow.records(PRICE_LISTS).get(price_list_id)
    wanted = list(dict.fromkeys(client_ids))
    for client_id in wanted:
        linkable(uow, client_id)
    assignments = uow.records(PRICE_LIST_ASSIGNMENTS)
    current = assignments.get_many(wanted)
    now = ctx.now()
    changed = 0
    for client_id in wanted:
        old = current.get(client_id)
        old_list = None if old is None else old.price_list_id
        if old_list == price_list_id:
            continue
        event = EventKind.PRICE_LIST_ASSIGNED
        if price_list_id is not None:
            new = PriceListAssignment(client_id, price_list_id, now)
            (assignments.add if old is None else assignments.replace)(new)
        elif old is not None:
            assignments.delete(old)
            event = EventKind.PRICE_LIST_UNASSIGNED
        ctx.record(
            uow,
            event,
            entity_id=client_id,
            client_id=client_id,
            changes=[FieldChange("price_list_id", _text(old_list), _text(price_list_id))],
        )
        changed += 1
    return changed


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def price_list_of(uow: UnitOfWork, client_id: UUID) -> PriceList | None:
    """The client's price list (None: the client has none). Raises NotFound (the client)."""
    live_client(uow, client_id)
    assignment = uow.records(PRICE_LIST_ASSIGNMENTS).get_many([client_id]).get(client_id)
    return None if assignment is None else uow.records(PRICE_LISTS).get(assignment.price_list_id)


def clients_of(uow: UnitOfWork, price_list_id: UUID) -> list[UUID]:
    """The clients assigned to the price list, in the order they were assigned."""
    uow.records(PRICE_LISTS).get(price_list_id)
    found = uow.records(PRICE_LIST_ASSIGNMENTS).find(price_list_id=price_list_id)
    return [assignment.client_id for assignment in found]


# -- interests (C8) -------------------------------------------------------------------


def record_interest(
    uow: UnitOfWork, ctx: Context, client_id: UUID, product_id: UUID, note: str
) -> Interest:
    """Record the client's interest in a product (once: the one recorded is returned)."""
    ctx.acting()
    creatable(uow, client_id)
    uow.records(PRODUCTS).get(product_id)
    interests = uow.records(INTERESTS)
    for existing in interests.find(client_id=client_id, product_id=product_id):
        return existing
    interest = Interest(
        id=ctx.ids(),
        client_id=client_id,
        product_id=product_id,
        created_at=ctx.now(),
        note=validation.text("note", note, max_length=INTEREST_NOTE_MAX_LENGTH, multiline=True),
    )
    interests.add(interest)
    ctx.record(
        uow,
        EventKind.INTEREST_RECORDED,
        entity_id=interest.id,
        client_id=client_id,
        changes=[FieldChange("product_id", None, str(product_id))],
    )
    return interest


def remove_interest(uow: UnitOfWork, ctx: Context, interest_id: UUID) -> None:
    ctx.acting()
    interests = uow.records(INTERESTS)
    interest = interests.get(interest_id)
    interests.delete(interest)
    ctx.record(
        uow,
        EventKind.INTEREST_REMOVED,
        entity_id=interest.id,
        client_id=interest.client_id,
        changes=[FieldChange("product_id", str(interest.product_id), None)],
    )


def interested(uow: UnitOfWork, product_ids: Sequence[UUID]) -> Interested:
    """The interests in any of the products, product by product, oldest first."""
    interests = uow.records(INTERESTS)
    found: list[Interest] = []
    for product_id in dict.fromkeys(product_ids):
        found += interests.find(product_id=product_id)
    return Interested(tuple(found))


def register_purchase(
    uow: UnitOfWork,
    ctx: Context,
    product_id: UUID,
    quantity: Decimal | int | str,
    warehouse_id: UUID | None,
) -> PurchaseRegistered:
    """Record goods received of a product; the clients interested in it come back."""
    uow.records(PRODUCTS).get(product_id)
    if warehouse_id is not None:
        uow.records(WAREHOUSES).get(warehouse_id)
    purchase = Purchase(
        id=ctx.ids(),
        product_id=product_id,
        quantity=positive("quantity", quantity),
        at=ctx.now(),
        warehouse_id=warehouse_id,
    )
    records.add(uow, ctx, PURCHASES, purchase)
    return PurchaseRegistered(purchase, interested(uow, [product_id]))


def positive(field: str, value: object) -> Decimal:
    """A positive exact amount (a quantity, a payment): :func:`money.amount` above zero."""
    number = money.amount(field, value)
    if not number:
        raise ValidationError(field, "must be more than 0")
    return number
