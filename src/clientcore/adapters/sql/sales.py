"""SQL sums of issued sales documents: one GROUP BY over the documents' stored totals in
minor units (whole numbers, so every engine sums them exactly)."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, select

from clientcore.adapters.sql.records import mine
from clientcore.adapters.sql.schema import stored_date, stored_id
from clientcore.adapters.sql.tenant import SqlRepository
from clientcore.entities.kinds import SALES_DOCUMENTS
from clientcore.entities.sales import DocumentStatus, MonthTotals


@functools.lru_cache(maxsize=16)
def _month_totals(documents: Table) -> Select[Any]:
    c = documents.c
    groups = (c.issued_month, c.type_id, c.currency)
    return (
        select(*groups, func.count(), func.sum(c.net_minor), func.sum(c.vat_minor))
        .where(
            mine(documents),
            c.status == DocumentStatus.ISSUED.value,
            c.issued_on >= bindparam("start"),
            c.issued_on <= bindparam("end"),
        )
        .group_by(*groups)
        .order_by(*groups)
    )


class SqlSalesLedger(SqlRepository):
    def month_totals(self, start: date, end: date) -> list[MonthTotals]:
        statement = _month_totals(self._db.tables.of(SALES_DOCUMENTS))
        rows = self._db.tuples(statement, self._values(start=start, end=end))
        return [
            (stored_date(month), stored_id(type_id), currency, int(count), int(net), int(vat))
            for month, type_id, currency, count, net, vat in rows
        ]
