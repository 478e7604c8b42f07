"""Sales on SQLite (a file) and PostgreSQL: turnover per month and document type.

100,000 issued documents (3 document types, 2 currencies, spread over a year, one line each)
are written directly with the adapter's row conversion, then ``core.sales.turnover_by_month``
over the year is timed against the same ``GROUP BY`` written by hand and run through the
DB-API driver (its SQL text and values made before the timer starts), whose sums in minor
units are turned into the same rows (amounts, document type codes read in a second
statement, as ours reads them). Ours and the baseline take turns, who goes first moving
round; both are checked to give the same rows.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, percentile, publish, take_turns
from clientcore.adapters.sql.rows import shared_rows
from clientcore.entities.money import Rounding, from_minor, to_minor
from clientcore.entities.sales import DocumentLine, DocumentStatus, SalesDocument, TurnoverRow
from clientcore.entities.visit import ChargeKind

ACTOR = clientcore.Actor("bench", roles=["owner"])
YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
CURRENCIES = ("PLN", "EUR")


def documents(
    count: int, client_id: uuid.UUID, type_ids: Sequence[uuid.UUID]
) -> list[SalesDocument]:
    """``count`` issued documents, numbered per type, days spread over the year."""
    made = []
    for index in range(count):
        day = START + timedelta(days=index % 365)
        type_id = type_ids[index % len(type_ids)]
        currency = CURRENCIES[index % 7 == 0]
        line = DocumentLine(
            kind=ChargeKind.SERVICE,
            description="Consultation",
            quantity=Decimal(1 + index % 3),
            unit_price=Decimal(f"{10 + index % 90}.{index % 100:02d}"),
            vat_rate=Decimal(23),
        )
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        draft = SalesDocument(
            id=uuid.uuid4(),
            type_id=type_id,
            client_id=client_id,
            currency=currency,
            rounding=Rounding.PER_LINE,
            created_at=at,
            updated_at=at,
            lines=(line,),
        )
        totals = draft.totals
        issued = attrs.evolve(
            draft,
            status=DocumentStatus.ISSUED,
            number=f"X/{YEAR}/{index + 1}",
            year=YEAR,
            sequence=index + 1,
            issued_at=at,
            issued_on=day,
            issued_month=day.replace(day=1),
            net_minor=to_minor(totals.net, currency),
            vat_minor=to_minor(totals.vat, currency),
        )
        made.append(issued)
    return made


class HandTurnover:
    """The same sums by hand: one GROUP BY through the driver, the type codes read."""

    def __init__(self, url: str) -> None:
        dialect = sqlkit.dialect_of(url)
        mark = sqlkit.placeholder(dialect)
        documents_table = sqlkit.name_of("sales_documents")
        types_table = sqlkit.name_of("document_types")
        self._sums = (
            f"SELECT issued_month, type_id, currency, COUNT(*), SUM(net_minor), SUM(vat_minor) "
            f"FROM {documents_table} WHERE tenant = {mark} AND status = {mark} "
            f"AND issued_on >= {mark} AND issued_on <= {mark} "
            "GROUP BY issued_month, type_id, currency ORDER BY issued_month, type_id, currency"
        )
        self._types = f"SELECT id, code FROM {types_table} WHERE tenant = {mark}"
        sqlite = dialect.name == "sqlite"
        self._values: tuple[Any, ...] = (
            sqlkit.TENANT,
            "issued",
            START.isoformat() if sqlite else START,
            END.isoformat() if sqlite else END,
        )
        self._connection = sqlkit.connect(url, autocommit=True)

    def __call__(self, _turn: int) -> list[TurnoverRow]:
        codes = {
            str(uuid.UUID(str(i))): code
            for i, code in sqlkit.fetch(self._connection, self._types, (sqlkit.TENANT,))
        }
        rows = []
        for month, type_id, currency, count, net, vat in sqlkit.fetch(
            self._connection, self._sums, self._values
        ):
            type_key = uuid.UUID(str(type_id))
            net_amount, vat_amount = from_minor(int(net), currency), from_minor(int(vat), currency)
            rows.append(
                TurnoverRow(
                    month=month if isinstance(month, date) else date.fromisoformat(month),
                    type_id=type_key,
                    type_code=codes[str(type_key)],
                    currency=currency,
                    documents=int(count),
                    net=net_amount,
                    vat=vat_amount,
                    gross=net_amount + vat_amount,
                )
            )
        return sorted(rows, key=lambda row: (row.month, row.type_code, row.currency))

    def close(self) -> None:
        self._connection.close()


def run(engine: str, count: int, runs: int) -> list[Row]:
    with sqlkit.fresh_database(engine, "sales") as url:
        with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
            core.setup.configure(time_zone="Europe/Warsaw")
            client = core.clients.register(last_name="Nowak")
            type_ids = [core.sales.define_type(code, code).id for code in ("FV", "PA", "KO")]
        rows_of = shared_rows()
        made = documents(count, client.id, type_ids)
        sqlkit.seed(url, {"sales_documents": [rows_of.row(sqlkit.TENANT, d) for d in made]})
        sqlkit.settle(url)
        hand = HandTurnover(url)
        try:
            with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:

                def ours(_turn: int) -> list[TurnoverRow]:
                    return core.sales.turnover_by_month(START, END)

                assert ours(0) == hand(0), "the baseline sums otherwise"
                times = take_turns([ours, hand], list(range(runs)))
        finally:
            hand.close()
    case = f"{engine}: turnover per month and type over {count:,} documents"
    return [
        Row(f"{case}, p50", percentile(times[0], 50), percentile(times[1], 50), "ms", 1.5),
        Row(f"{case}, p95", percentile(times[0], 95), percentile(times[1], 95), "ms"),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="print only")
    options = parser.parse_args(argv)
    rows: list[Row] = []
    for engine in options.engines.split(","):
        rows += run(engine, options.documents, options.runs)
    publish(
        "sales",
        "Sales: core.sales.turnover_by_month vs the same GROUP BY by hand",
        rows,
        notes=" ".join((__doc__ or "").split()),
        write=not options.no_write,
    )


if __name__ == "__main__":
    main()
