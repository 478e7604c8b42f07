"""Reports over N clients and N visits on PostgreSQL: ours vs the same counts in SQL by hand.

The clients and visits are made by the server itself (``INSERT ... SELECT`` over
``generate_series``, outside the timer): registrations spread over three years, one of
four sources, visits of five staff members spread over three years, one in ten a no-show,
one in ten cancelled, one in twenty a break (visits name no client: no report reads it).
Ours is ``core.reports.run(name, start=..., end=...)`` over 24 local months (Europe/Warsaw):
a unit of work, the tenant's settings, the grouped SELECT (months as a CASE over their UTC
boundaries) and, for the visits, the staff members' names. The baseline is one SELECT
written by hand with PostgreSQL's own month arithmetic (``to_char(created_at AT TIME ZONE
'Europe/Warsaw', 'YYYY-MM')``), through psycopg. Both give the same counts (checked).
Ours and the baseline take turns, who goes first alternating; the table gives the means.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, publish, take_turns

KEY = "reports"
TITLE = "Reports over N clients and N visits (PostgreSQL) vs the same SQL by hand"
TARGET = 1.5
ACTOR = clientcore.Actor("bench")
ZONE = "Europe/Warsaw"
START, END = date(2025, 1, 1), date(2027, 1, 1)


def _generate(url: str, count: int, staff: Sequence[str]) -> None:
    """``count`` clients and ``count`` visits, made by the server."""
    clients, visits = sqlkit.name_of("clients"), sqlkit.name_of("visits")
    staff_array = "ARRAY[" + ", ".join(f"'{member}'::uuid" for member in staff) + "]"
    connection = sqlkit.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {clients} (tenant, id, code, kind, created_at, updated_at, "
                "first_name, last_name, company_name, phones, emails, addresses, description, "
                "source, identity_documents, remarks, group_ids, attributes, status, version, "
                "sort_key) SELECT %s, gen_random_uuid(), 'b' || i, 'person', "
                "timestamptz '2024-07-01 00:00Z' + (i %% 1096) * interval '1 day' "
                "+ (i %% 1440) * interval '1 minute', now(), 'Anna', 'Nowak ' || i, '', '[]', "
                "'[]', '[]', '', (ARRAY['web', 'friend', '', 'flyer'])[i %% 4 + 1], '[]', '', "
                "'[]', '{}', 'active', 1, 'nowak ' || i FROM generate_series(1, %s) AS i",
                (sqlkit.TENANT, count),
            )
            cursor.execute(
                f"INSERT INTO {visits} (tenant, id, staff_id, kind, starts_at, ends_at, "
                "created_at, updated_at, first_consultation, asap, notes, source, status, "
                "charges, settled, version) SELECT %s, gen_random_uuid(), "
                f"({staff_array})[i %% {len(staff)} + 1], "
                "CASE WHEN i %% 20 = 0 THEN 'break' ELSE 'visit' END, start, "
                "start + interval '30 minutes', now(), now(), false, false, '', '', "
                "CASE WHEN i %% 10 = 3 THEN 'no_show' WHEN i %% 10 = 7 THEN 'cancelled' "
                "ELSE 'arrived' END, '[]', false, 1 FROM generate_series(1, %s) AS i, "
                "LATERAL (SELECT timestamptz '2024-07-01 00:00Z' + (i %% 1096) * interval '1 day' "
                "+ (i %% 48) * interval '30 minutes' AS start) AS s",
                (sqlkit.TENANT, count),
            )
        connection.commit()
    finally:
        connection.close()


def _hand_queries() -> dict[str, tuple[str, tuple[Any, ...]]]:
    clients, visits = sqlkit.name_of("clients"), sqlkit.name_of("visits")
    month = "to_char({} AT TIME ZONE '" + ZONE + "', 'YYYY-MM')"
    start = f"(timestamp '{START.isoformat()}' AT TIME ZONE '{ZONE}')"
    end = f"(timestamp '{END.isoformat()}' AT TIME ZONE '{ZONE}')"
    return {
        "clients_by_source": (
            f"SELECT source, count(*) FROM {clients} WHERE tenant = %s "
            "GROUP BY source ORDER BY source",
            (sqlkit.TENANT,),
        ),
        "clients_by_month": (
            f"SELECT {month.format('created_at')} AS m, count(*) FROM {clients} "
            f"WHERE tenant = %s AND created_at >= {start} AND created_at < {end} "
            "GROUP BY m ORDER BY m",
            (sqlkit.TENANT,),
        ),
        "visits_by_staff": (
            f"SELECT {month.format('starts_at')} AS m, staff_id, count(*), "
            "sum(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) "
            f"FROM {visits} WHERE tenant = %s AND kind = 'visit' AND status <> 'cancelled' "
            f"AND starts_at >= {start} AND starts_at < {end} "
            "GROUP BY m, staff_id ORDER BY m, staff_id::text",
            (sqlkit.TENANT,),
        ),
    }


def _same(name: str, ours: clientcore.Report, theirs: list[Any]) -> None:
    """Fail loudly if the hand-written SQL counts otherwise than ours (months with no
    clients are rows of ours only)."""
    mine: list[tuple[Any, ...]]
    hand: list[tuple[Any, ...]]
    if name == "visits_by_staff":
        mine = [(row[0], row[1], row[3], row[4]) for row in ours.rows]
        hand = [(m, staff, int(n), int(no_shows)) for m, staff, n, no_shows in theirs]
    else:
        mine = [tuple(row) for row in ours.rows if row[1]]
        hand = [(key, int(n)) for key, n in theirs]
    if mine != hand:
        raise AssertionError(f"{name}: ours {mine[:5]}... differs from {hand[:5]}...")


def run_engine(count: int, runs: int) -> list[Row]:
    rows = []
    with sqlkit.fresh_database("postgresql", "reports") as url:
        core = clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR)
        hand = sqlkit.connect(url, autocommit=True)
        try:
            core.setup.configure(time_zone=ZONE)
            staff = [str(core.staff.add(f"Vet {index}").id) for index in range(5)]
            _generate(url, count, staff)
            sqlkit.settle(url)
            for name, (sql, parameters) in _hand_queries().items():
                ours_report: list[clientcore.Report] = []
                theirs: list[list[Any]] = []

                def ours(_: int, name: str = name, kept: list[Any] = ours_report) -> None:
                    kept.append(core.reports.run(name, start=START, end=END))

                def by_hand(
                    _: int, sql: str = sql, parameters: Any = parameters, kept: Any = theirs
                ) -> None:
                    kept.append(sqlkit.fetch(hand, sql, parameters))

                sides: list[Callable[[int], None]] = [ours, by_hand]
                take_turns(sides, range(2))  # warm: plans, caches
                mine, baseline = take_turns(sides, range(runs))
                _same(name, ours_report[-1], theirs[-1])
                case = f"{name}: {count:,} clients, {count:,} visits (mean of {runs})"
                rows.append(
                    Row(case, statistics.mean(mine), statistics.mean(baseline), "ms", TARGET)
                )
        finally:
            hand.close()
            core.close()
    return rows


def run(count: int, runs: int, *, write: bool) -> str:
    notes = [" ".join(__doc__.split("\n\n")[1].split()).replace("``", "`")]
    down = sqlkit.server_available("postgresql")
    if down is not None:
        notes.append(f"postgresql: skipped, the server is unreachable ({down}).")
        return publish(KEY, TITLE, [], notes="\n\n".join(notes), write=write)
    return publish(KEY, TITLE, run_engine(count, runs), notes="\n\n".join(notes), write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="clients, and visits")
    parser.add_argument("--runs", type=int, default=5, help="runs of each report, each side")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    run(args.n, args.runs, write=not args.no_write)


if __name__ == "__main__":
    main()
