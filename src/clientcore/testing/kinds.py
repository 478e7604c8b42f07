"""Record kinds of an imaginary host, declared as a host would, for the contract suites.

An adapter's test backend is made with :data:`HOST_KINDS` so that every contract can
show a host's records taking part beside clientcore's own.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

import attrs

from clientcore.entities.common import pii
from clientcore.entities.kinds import ErasurePolicy, RecordKind


@attrs.frozen
class InvoiceLine:
    description: str = pii()
    amount: Decimal = Decimal(0)


@attrs.frozen
class Invoice:
    """A host's invoice: a unique number, a client, nested lines, a version."""

    id: UUID
    client_id: UUID
    number: str
    issued_at: datetime
    total: Decimal
    buyer: str = pii(default="")
    lines: tuple[InvoiceLine, ...] = ()
    paid: bool = False
    version: int = 1


@attrs.frozen
class Stamp:
    """A host's loyalty stamp: read in the order written, with the erasure policy DELETE."""

    id: UUID
    client_id: UUID
    at: datetime
    note: str = pii(default="")


INVOICES: RecordKind[Invoice] = RecordKind(
    "invoices",
    Invoice,
    client_field="client_id",
    order_by=("issued_at", "id"),
    unique=("number",),
    versioned=True,
    erasure=ErasurePolicy.RETAIN,
    blocks_client_deletion=True,
)
STAMPS: RecordKind[Stamp] = RecordKind(
    "stamps", Stamp, client_field="client_id", erasure=ErasurePolicy.DELETE
)
HOST_KINDS = (INVOICES, STAMPS)
