"""What deleting a visit does to the sales documents that bill it (V7): its drafts go with
it; a document already issued stays, so the visit cannot be deleted."""

from __future__ import annotations

from clientcore.entities.event import EventKind, FieldChange
from clientcore.entities.kinds import SALES_DOCUMENTS
from clientcore.entities.visit import Visit
from clientcore.errors import VisitInvoiced
from clientcore.operations.context import Context
from clientcore.ports.unit_of_work import UnitOfWork


def release_visit(uow: UnitOfWork, ctx: Context, visit: Visit) -> None:
    """Delete the draft documents billing ``visit``; raise VisitInvoiced if an issued one
    does."""
    documents = uow.records(SALES_DOCUMENTS)
    billing = documents.find(visit_id=visit.id)
    issued = [document.number or str(document.id) for document in billing if document.issued]
    if issued:
        raise VisitInvoiced(visit.id, issued)
    for document in billing:
        documents.delete(document)
        ctx.record(
            uow,
            EventKind.SALE_DELETED,
            entity_id=document.id,
            client_id=document.client_id,
            changes=[FieldChange("visit_id", str(visit.id), None)],
        )
