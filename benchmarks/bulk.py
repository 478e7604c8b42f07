"""Bulk changes: set an attribute on N clients, change the caretaker of N clients.

Ours is ``core.bulk.set_attribute(key, value, client_ids=ids)``: per batch of ids
(PostgreSQL: 5,000, bound as one ``uuid[]``; SQLite: all of them, every client of the
tenant read in rowid order and the members kept, with their rowids) it reads the clients'
status and changed field (SELECT ... FOR UPDATE), decides in Python once per distinct
stored value whether the client changes and what its event says (the old and new value as
a change of that client alone records it), and writes one INSERT ... SELECT of the events
(ids made by the engine), one UPDATE and one upsert of the attribute index rows (INSERT
... SELECT ... ON CONFLICT); on SQLite these find the clients by the rowids read, the
UPDATE in rowid order. And
``core.bulk.change_caretaker(old, new)``, which reads no ids first: every client of the
old caretaker has the same stored value, so the change is decided once per client status
and the statements select the clients by caretaker and status (PostgreSQL: one UPDATE ...
RETURNING whose rows the events' INSERT reads in the same statement, then a SELECT of the
skipped clients; SQLite: the clients' ids and statuses read, then one INSERT ... SELECT of
the events and one UPDATE). The baseline is the same change written by hand in one
transaction: one UPDATE of every client of the tenant (the attribute set in the JSON
column by the engine's JSON functions), the attribute index rows deleted and inserted with
one DELETE and one INSERT ... SELECT, and one INSERT ... SELECT of an event per client (a
constant change text: the hand-written SQL does not render old values). Each run changes
every one of the N clients: the value flips (True, False...) and the caretaker moves
between two staff members. Ours and the baseline take turns, who goes first alternating;
the setup (clients written by the driver, statistics refreshed) is outside the timer.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

import clientcore
from benchmarks import sqlkit
from benchmarks.data import client_rows
from benchmarks.harness import Row, elapsed, publish

KEY = "bulk"
TITLE = "Bulk changes of N clients with their history events vs hand-written set-based SQL"
TARGET = 2.0
ACTOR = clientcore.Actor("bench")


def _mark(dialect: str) -> str:
    """The driver's parameter mark: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if dialect == "sqlite" else "%s"


def _event_sql(dialect: str, changes: str) -> str:
    """INSERT ... SELECT of one ``client.updated`` event per client of the tenant whose
    caretaker is the second parameter (any, if the SELECT's condition is dropped)."""
    events, clients = sqlkit.name_of("events"), sqlkit.name_of("clients")
    new_id = "gen_random_uuid()" if dialect == "postgresql" else "lower(hex(randomblob(16)))"
    mark = _mark(dialect)
    return (
        f"INSERT INTO {events} (tenant, id, kind, entity_id, client_id, actor_id, at, "
        f"actor_roles, changes) SELECT tenant, {new_id}, 'client.updated', id, id, 'bench', "
        f"{mark}, '[]', '{changes}' FROM {clients} WHERE tenant = {mark}"
    )


class HandWritten:
    """The baseline: the changes as one transaction of set-based statements, by the driver."""

    def __init__(self, url: str, dialect: str) -> None:
        self._connection = sqlkit.connect(url)
        self._dialect = dialect
        self._mark = _mark(dialect)
        self._processors = {
            name: sqlkit.bind_processors("clients", [name], sqlkit.dialect_of(url))[0]
            for name in ("updated_at", "caretaker_id")
        }

    def _bound(self, column: str, value: object) -> object:
        process = self._processors[column]
        return value if process is None else process(value)

    def _run(self, statements: Sequence[tuple[str, tuple[object, ...]]]) -> None:
        cursor = self._connection.cursor()
        if self._dialect == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        for sql, parameters in statements:
            cursor.execute(sql, parameters)
        cursor.close()
        self._connection.commit()

    def set_attribute(self, value: bool, at: datetime) -> None:
        clients, index = sqlkit.name_of("clients"), sqlkit.name_of("client_attributes")
        m = self._mark
        stored = '["flag","1"]' if value else '["flag","0"]'
        if self._dialect == "postgresql":
            new = f"(attributes::jsonb || jsonb_build_object('vip', {m}::jsonb))::text"
        else:
            new = f"json_set(attributes, '$.\"vip\"', json({m}))"
        now = self._bound("updated_at", at)
        text = "vip=yes" if value else "vip=no"
        self._run(
            [
                (
                    f"UPDATE {clients} SET attributes = {new}, version = version + 1, "
                    f"updated_at = {m} WHERE tenant = {m}",
                    (stored, now, sqlkit.TENANT),
                ),
                (f"DELETE FROM {index} WHERE tenant = {m} AND key = 'vip'", (sqlkit.TENANT,)),
                (
                    f"INSERT INTO {index} (tenant, client_id, key, value) SELECT tenant, id, "
                    f"'vip', {m} FROM {clients} WHERE tenant = {m}",
                    ("flag:1" if value else "flag:0", sqlkit.TENANT),
                ),
                (
                    _event_sql(self._dialect, f'[["attributes",null,"{text}"]]'),
                    (now, sqlkit.TENANT),
                ),
            ]
        )

    def change_caretaker(self, old: uuid.UUID, new: uuid.UUID, at: datetime) -> None:
        clients, m = sqlkit.name_of("clients"), self._mark
        now = self._bound("updated_at", at)
        old_id, new_id = self._bound("caretaker_id", old), self._bound("caretaker_id", new)
        changes = f'[["caretaker_id","{old}","{new}"]]'
        self._run(
            [
                (
                    _event_sql(self._dialect, changes) + f" AND caretaker_id = {m}",
                    (now, sqlkit.TENANT, old_id),
                ),
                (
                    f"UPDATE {clients} SET caretaker_id = {m}, version = version + 1, "
                    f"updated_at = {m} WHERE tenant = {m} AND caretaker_id = {m}",
                    (new_id, now, sqlkit.TENANT, old_id),
                ),
            ]
        )

    def close(self) -> None:
        self._connection.close()


def _alternating(ours: Callable[[int], None], theirs: Callable[[int], None], runs: int) -> Row:
    """Seconds of each, who goes first alternating; each run gets its own number."""
    times: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = [(0, ours), (1, theirs)] if run % 2 == 0 else [(1, theirs), (0, ours)]
        for position, (side, action) in enumerate(order):
            times[side].append(elapsed(lambda a=action, n=2 * run + position: a(n)))  # type: ignore[misc]
    return Row("", statistics.mean(times[0]), statistics.mean(times[1]), "s", TARGET)


def run_engine(engine: str, count: int, runs: int) -> list[Row]:
    with sqlkit.fresh_database(engine, "bulk") as url:
        core = clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR)
        try:
            core.setup.define_attribute("vip", label="VIP", type="flag")
            staff = [core.staff.add(name).id for name in ("Leaving", "Taking over")]
            clients = [
                attrs.evolve(client, caretaker_id=staff[0])
                for client in sqlkit.direct_clients(
                    client_rows(count), first_code=1, now=sqlkit.now_utc()
                )
            ]
            sqlkit.seed(url, sqlkit.client_table_rows(clients))
            sqlkit.settle(url)
            ids = [client.id for client in clients]
            hand = HandWritten(url, engine)
            try:

                def ours_attribute(number: int) -> None:
                    result = core.bulk.set_attribute("vip", number % 2 == 0, client_ids=ids)
                    assert result.changed_count == count, result.changed_count

                def hand_attribute(number: int) -> None:
                    hand.set_attribute(number % 2 == 0, sqlkit.now_utc())

                def ours_caretaker(number: int) -> None:
                    old, new = staff[number % 2], staff[1 - number % 2]
                    assert core.bulk.change_caretaker(old, new).changed_count == count

                def hand_caretaker(number: int) -> None:
                    old, new = staff[number % 2], staff[1 - number % 2]
                    hand.change_caretaker(old, new, sqlkit.now_utc())

                attribute = _alternating(ours_attribute, hand_attribute, runs)
                caretaker = _alternating(ours_caretaker, hand_caretaker, runs)
            finally:
                hand.close()
        finally:
            core.close()
    return [
        dataclasses.replace(attribute, case=f"{engine}: set an attribute on {count:,} clients"),
        dataclasses.replace(caretaker, case=f"{engine}: change the caretaker of {count:,} clients"),
    ]


def run(engines: Sequence[str], count: int, runs: int, *, write: bool) -> str:
    rows: list[Row] = []
    notes = [" ".join(__doc__.split("\n\n")[1].split()).replace("``", "`")]
    for engine in sqlkit.reachable(engines, notes):
        rows.extend(run_engine(engine, count, runs))
    return publish(KEY, TITLE, rows, notes="\n\n".join(notes), write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--n", type=int, default=100_000, help="clients changed by each run")
    parser.add_argument("--runs", type=int, default=2, help="runs of each change, each side")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    for engine in engines:
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"--engines: {engine!r}; this benchmark runs sqlite and postgresql")
    run(engines, args.n, args.runs, write=not args.no_write)


if __name__ == "__main__":
    main()
