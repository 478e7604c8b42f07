"""``core.products``, ``core.price_lists`` and ``core.interests``: what is sold, at which
prices to which clients (B4), and who would like to hear of it (C8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.catalog import Interest, Interested, PriceList, Product, PurchaseRegistered
from clientcore.entities.kinds import INTERESTS, PRICE_LISTS, PRODUCTS
from clientcore.entities.visit import ChargeKind
from clientcore.operations import catalog

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Products:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def define(
        self,
        code: str,
        name: str,
        *,
        kind: ChargeKind | str = ChargeKind.GOODS,
        vat_rate: Decimal | int | str = 0,
    ) -> Product:
        """A product or service (``vat_rate`` in percent). Raises DuplicateName (the code)."""
        return self._run.write(
            catalog.define_product, code=code, name=name, kind=kind, vat_rate=vat_rate
        )

    def get(self, product_id: UUID) -> Product:
        return self._run.read(lambda uow: uow.records(PRODUCTS).get(product_id))

    def list(self) -> list[Product]:
        """Every product, by code."""
        return self._run.read(lambda uow: uow.records(PRODUCTS).find())

    def register_purchase(
        self,
        product_id: UUID,
        quantity: Decimal | int | str,
        *,
        warehouse_id: UUID | None = None,
    ) -> PurchaseRegistered:
        """Record goods received of a product; the result lists the clients interested."""
        return self._run.write(catalog.register_purchase, product_id, quantity, warehouse_id)


@checked
class PriceLists:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def create(self, name: str, currency: str) -> PriceList:
        """Raises DuplicateName (the name)."""
        return self._run.write(catalog.create_price_list, name, currency)

    def get(self, price_list_id: UUID) -> PriceList:
        return self._run.read(lambda uow: uow.records(PRICE_LISTS).get(price_list_id))

    def set_prices(
        self, price_list_id: UUID, prices: Mapping[UUID, Decimal | int | str]
    ) -> dict[UUID, Decimal]:
        """Set products' net unit prices in the list (others stay); every price of the list
        by product id."""
        return self._run.write(catalog.set_prices, price_list_id, prices)

    def prices(self, price_list_id: UUID) -> dict[UUID, Decimal]:
        return self._run.read(catalog.prices_of, price_list_id)

    def assign(self, price_list_id: UUID, client_ids: Sequence[UUID]) -> int:
        """Assign one or many clients to the price list (B4), all or nothing; how many
        changed (each gets a history event)."""
        return self._run.write(catalog.assign, price_list_id, client_ids)

    def unassign(self, client_ids: Sequence[UUID]) -> int:
        """The clients buy at no price list any more; how many changed."""
        return self._run.write(catalog.assign, None, client_ids)

    def of_client(self, client_id: UUID) -> PriceList | None:
        return self._run.read(catalog.price_list_of, client_id)

    def clients(self, price_list_id: UUID) -> list[UUID]:
        """The ids of the clients assigned to the price list."""
        return self._run.read(catalog.clients_of, price_list_id)

    def list(self) -> list[PriceList]:
        """Every price list, by name."""
        return self._run.read(lambda uow: uow.records(PRICE_LISTS).find())


@checked
class Interests:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def record(self, client_id: UUID, product_id: UUID, *, note: str = "") -> Interest:
        """The client is interested in the product (once: recording it again returns the
        interest recorded)."""
        return self._run.write(catalog.record_interest, client_id, product_id, note)

    def remove(self, interest_id: UUID) -> None:
        self._run.write(catalog.remove_interest, interest_id)

    def of_client(self, client_id: UUID) -> list[Interest]:
        return self._run.read(lambda uow: uow.records(INTERESTS).find(client_id=client_id))

    def in_products(self, product_ids: Sequence[UUID]) -> Interested:
        """The interests in any of the products."""
        return self._run.read(catalog.interested, product_ids)
