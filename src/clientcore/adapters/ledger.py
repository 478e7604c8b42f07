"""Sums of issued sales documents read through the generic records port: the store hands
over every issued document and they are added up here. What the in-memory store and
MongoDB use for :class:`~clientcore.ports.repositories.SalesLedger`; SQL sums set-based
(:mod:`.sql.sales`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from clientcore.entities.sales import DocumentStatus, MonthTotals, SalesDocument
from clientcore.ports.records import Records


class RecordsSalesLedger:
    def __init__(self, documents: Records[SalesDocument]) -> None:
        self._documents = documents

    def month_totals(self, start: date, end: date) -> list[MonthTotals]:
        groups: dict[tuple[date, UUID, str], tuple[int, int, int]] = {}
        for document in self._documents.find(status=DocumentStatus.ISSUED):
            day, month = document.issued_on, document.issued_month
            if day is None or month is None or not start <= day <= end:
                continue
            key = (month, document.type_id, document.currency)
            count, net, vat = groups.get(key, (0, 0, 0))
            groups[key] = (count + 1, net + document.net_minor, vat + document.vat_minor)
        ordered = sorted(groups.items(), key=lambda item: (item[0][0], str(item[0][1]), item[0][2]))
        return [(*key, *sums) for key, sums in ordered]
