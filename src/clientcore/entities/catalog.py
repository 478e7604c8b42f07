"""Products and services sold, price lists (B4), clients' interests (C8) and purchases.

A price list holds a price per product; a client assigned to it gets those prices on their
documents' lines. An interest records that a client would like to hear about a product;
a sale or a purchase (stock received) of that product lists the clients interested in it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs

from clientcore.entities.common import pii
from clientcore.entities.visit import ChargeKind

INTEREST_NOTE_MAX_LENGTH = 500


@attrs.frozen
class Product:
    """A product or service the tenant sells; ``vat_rate`` (percent) is its lines' default."""

    id: UUID
    code: str
    name: str
    kind: ChargeKind
    created_at: datetime
    vat_rate: Decimal = Decimal(0)
    active: bool = True


@attrs.frozen
class PriceList:
    """Prices in one currency for the clients assigned to it."""

    id: UUID
    name: str
    currency: str
    created_at: datetime


def price_key(price_list_id: UUID, product_id: UUID) -> UUID:
    """The id of the price of a product in a price list: one per pair, by construction."""
    return uuid.uuid5(price_list_id, product_id.hex)


@attrs.frozen
class Price:
    """A product's net unit price in a price list (its id is :func:`price_key`)."""

    id: UUID
    price_list_id: UUID
    product_id: UUID
    unit_price: Decimal


@attrs.frozen
class PriceListAssignment:
    """The price list a client buys at (at most one per client)."""

    client_id: UUID
    price_list_id: UUID
    assigned_at: datetime


@attrs.frozen
class Interest:
    """A client's interest in a product (C8)."""

    id: UUID
    client_id: UUID
    product_id: UUID
    created_at: datetime
    note: str = pii(default="")


@attrs.frozen
class Purchase:
    """Goods received (bought by the tenant) of one product."""

    id: UUID
    product_id: UUID
    quantity: Decimal
    at: datetime
    warehouse_id: UUID | None = None


@attrs.frozen
class Interested:
    """What registering a sale or purchase of products tells: the interests in them, with
    each interested client's id in ``client_ids`` (once each, in the order first found)."""

    interests: tuple[Interest, ...]

    @property
    def client_ids(self) -> tuple[UUID, ...]:
        return tuple(dict.fromkeys(interest.client_id for interest in self.interests))


@attrs.frozen
class PurchaseRegistered:
    """A purchase stored, and the interests in its product."""

    purchase: Purchase
    interested: Interested
