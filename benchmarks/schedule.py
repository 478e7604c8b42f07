"""Scheduling on SQLite (a file) and PostgreSQL: booking, and free-slot search.

Booking: ``core.visits.book`` against a hand-written transaction through the DB-API driver
that does what the store does to refuse a double booking (lock the staff member's row, look
for an overlapping entry of the staff member with the same indexed query, insert the visit
row, commit); its lock on PostgreSQL is ``SELECT ... FOR UPDATE``, the store's an
``UPDATE`` that changes nothing (safe under a host's REPEATABLE READ, and a little dearer).
Ours also checks the client, the staff member, the working hours and the tenant's time
zone, and writes an audit event. The baselines' statements, bind processors and values are
prepared before their timers start (ours binds its own values inside its call); each
baseline is checked to write the rows ours writes. Ours and the two baselines take turns,
each with staff members of its own, on the database seeded for the free-slot search, who
goes first moving round from one booking to the next. A second row (no target)
compares ours with the driver running the statements ours runs: the client's status; the
staff member, their working hours and the tenant's time zone in one statement that also
takes the lock (PostgreSQL: the UPDATE in a ``WITH``); the visit inserted by an
``INSERT ... SELECT ... WHERE NOT EXISTS`` an overlapping entry; the audit event's row.

Free slots: 10 staff members working Monday to Friday, 08:00-18:00 Europe/Warsaw, each with
a year of 15-minute visits (27 a day, a few cancelled: about 70,000), written directly with
the adapter's conversion functions. ``core.calendar.free_slots`` for all 10 over a random week
(30 minutes, every 15) against one indexed fetch of the week's visits of all 10 (start
and end only) and a plain Python sweep over the working hours. Both find the same slots.
Ours runs four statements (the staff members, the settings, the week's entries, the working
hours), on PostgreSQL in autocommit as every read-only unit of work there, the baseline one.

Where booking's time goes: between BEGIN and COMMIT ours runs four statements (the client's
status; the staff member's schedule, with the lock; the visit, checked and inserted at once;
the audit event), through SQLAlchemy's `Connection.execute`, the baseline
three (lock, check, insert; two on SQLite). On PostgreSQL each is a round trip to the
server; on SQLite they are cheap, the commit (which writes the audit event's pages too) is
most of the baseline, and what ours adds is mostly its own Python (the unit of work's
connection from the pool, the entities, the audit event's diff). The second row shows what
is left with the driver running ours' statements.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import sqlalchemy

import clientcore
from benchmarks import sqlkit
from benchmarks.harness import Row, percentile, publish, take_turns
from clientcore.adapters.sql import convert
from clientcore.entities.event import Event
from clientcore.entities.visit import Visit, VisitKind, VisitStatus
from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.operations.context import diff
from clientcore.operations.visits import VISIT_FIELDS

ZONE = ZoneInfo("Europe/Warsaw")
OPENS, CLOSES = time(8), time(18)
WORKDAYS = range(5)
STAFF = 10
PER_DAY = 27
QUARTER = timedelta(minutes=15)
YEAR_START = date.today() + timedelta(days=7 - date.today().weekday())
"""A Monday still to come: free slots and bookings are offered and accepted only in the
future."""
YEAR_DAYS = 360
ACTOR = clientcore.Actor("bench", roles=["owner"])
T = {
    role: sqlkit.name_of(role)
    for role in ("clients", "settings", "staff", "visits", "working_hours")
}
"""The real names of the tables the hand-written statements use (the default prefix)."""


def weekly() -> list[WeeklySlot]:
    return [WeeklySlot(day, TimeRange(OPENS, CLOSES)) for day in WORKDAYS]


def local(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=ZONE).astimezone(UTC)


def workdays(first: date, days: int) -> Iterator[date]:
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() in WORKDAYS:
            yield day


def year_of_visits(
    staff_ids: Sequence[uuid.UUID],
    client_ids: Sequence[uuid.UUID],
    seed: int = 5,
    days: int = YEAR_DAYS,
) -> list[Visit]:
    """27 visits of 15 minutes a working day per staff member, at random quarter hours;
    one in twenty cancelled."""
    rng = random.Random(seed)
    quarters = int(
        (datetime.combine(YEAR_START, CLOSES) - datetime.combine(YEAR_START, OPENS)) / QUARTER
    )
    now = sqlkit.now_utc()
    visits = []
    for staff_id in staff_ids:
        for day in workdays(YEAR_START, days):
            opens = local(day, OPENS)
            for quarter in sorted(rng.sample(range(quarters), PER_DAY)):
                start = opens + quarter * QUARTER
                visits.append(
                    Visit(
                        id=uuid.uuid4(),
                        staff_id=staff_id,
                        kind=VisitKind.VISIT,
                        start=start,
                        end=start + QUARTER,
                        created_at=now,
                        updated_at=now,
                        client_id=rng.choice(client_ids),
                        status=VisitStatus.CANCELLED if rng.random() < 0.05 else VisitStatus.BOOKED,
                    )
                )
    return visits


def seed(url: str, days: int = YEAR_DAYS) -> tuple[list[uuid.UUID], list[uuid.UUID], int]:
    """Staff (through the API), clients and ``days`` of visits (directly: a year unless
    told); the staff ids, the client ids and the number of visits."""
    with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
        core.setup.configure(default_region="PL", time_zone=ZONE.key)
        staff_ids = [core.staff.add(f"Staff {index}").id for index in range(STAFF)]
        for staff_id in staff_ids:
            core.staff.set_hours(staff_id, weekly())
        clients = core.clients.import_many(
            [{"first_name": "Client", "last_name": f"No{index}"} for index in range(500)]
        )
    client_ids = [client.id for client in clients]
    visits = year_of_visits(staff_ids, client_ids, days=days)
    sqlkit.seed(url, {"visits": [convert.visit_row(sqlkit.TENANT, visit) for visit in visits]})
    sqlkit.settle(url)
    return staff_ids, client_ids, len(visits)


# -- the hand-written baselines ------------------------------------------------------------


@attrs.frozen
class Booking:
    """A booking's values, bound for the driver (:meth:`Driver.prepare`)."""

    member: tuple[Any, ...]
    client: tuple[Any, ...]
    check: tuple[Any, ...]
    row: tuple[Any, ...]
    event_row: tuple[Any, ...] | None


class Driver:
    """One DB-API connection (sqlite3 or psycopg) and the statements of the baselines."""

    def __init__(self, url: str) -> None:
        self.dialect = sqlkit.dialect_of(url)
        self.sqlite = self.dialect.name == "sqlite"
        mark = sqlkit.placeholder(self.dialect)
        self.mark = mark
        self.connection: Any = sqlkit.connect(url, autocommit=True)
        self.lock_sql = (
            None
            if self.sqlite  # BEGIN IMMEDIATE holds the database's write lock already
            else f"SELECT id FROM {T['staff']} WHERE tenant = {mark} AND id = {mark} FOR UPDATE"
        )
        m = mark
        self.overlap_sql = (
            f"SELECT id, starts_at, ends_at FROM {T['visits']} "
            f"WHERE tenant = {m} AND staff_id = {m} "
            f"AND starts_at < {m} AND starts_at > {m} AND ends_at > {m} "
            f"AND status != 'cancelled' AND id != {m} ORDER BY starts_at, id LIMIT 1"
        )
        self.columns = list(convert.visit_row(sqlkit.TENANT, _example_visit()))
        self.visit_binds = sqlkit.bind_processors("visits", self.columns, self.dialect)
        self.insert_sql = sqlkit.insert_sql("visits", self.columns, self.dialect)
        # the statements ours runs (see book(..., event)):
        self.client_sql = f"SELECT status FROM {T['clients']} WHERE tenant = {m} AND id = {m}"
        if self.sqlite:  # BEGIN IMMEDIATE holds the lock
            head, source, where = "", f"{T['staff']} s", f" WHERE s.tenant = {m} AND s.id = {m}"
        else:
            head = (
                f"WITH s AS (UPDATE {T['staff']} SET active = active "
                f"WHERE tenant = {m} AND id = {m} "
                "RETURNING tenant, id, active) "
            )
            source, where = "s", ""
        self.schedule_sql = (
            f"{head}SELECT s.active, h.weekly, h.overrides, t.time_zone FROM {source} "
            f"LEFT JOIN {T['working_hours']} h ON h.tenant = s.tenant AND h.staff_id = s.id "
            f"LEFT JOIN {T['settings']} t ON t.tenant = s.tenant{where}"
        )
        marks = ", ".join(mark for _ in self.columns)
        self.insert_if_free_sql = (
            f"INSERT INTO {T['visits']} ({', '.join(self.columns)}) SELECT {marks} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {T['visits']} "
            f"WHERE tenant = {m} AND staff_id = {m} AND starts_at < {m} "
            f"AND starts_at > {m} AND ends_at > {m} AND status != 'cancelled' AND id != {m})"
        )
        self.event_columns = list(convert.event_row(sqlkit.TENANT, _example_event()))
        self.event_binds = sqlkit.bind_processors("events", self.event_columns, self.dialect)
        self.event_sql = sqlkit.insert_sql("events", self.event_columns, self.dialect)
        self.busy_sql: dict[int, str] = {}
        """The free-slot fetch per number of staff members, made on first use."""

    def value(self, value: Any) -> Any:
        """An id or time as this driver binds it (hex ids and naive UTC text on SQLite)."""
        if not self.sqlite:
            return value
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return value

    def prepare(self, visit: Visit, event: Event | None = None) -> Booking:
        """The values of the statements that book ``visit`` (and write ``event``), bound
        for the driver: made before the booking is timed."""
        longest = timedelta(days=1)
        check = tuple(
            self.value(value)
            for value in (
                sqlkit.TENANT,
                visit.staff_id,
                visit.end,
                visit.start - longest,
                visit.start,
                visit.id,
            )
        )
        [row] = sqlkit.bound(
            [convert.visit_row(sqlkit.TENANT, visit)], self.columns, self.visit_binds
        )
        event_row = None
        if event is not None:
            [event_row] = sqlkit.bound(
                [convert.event_row(sqlkit.TENANT, event)], self.event_columns, self.event_binds
            )
        assert visit.client_id is not None
        return Booking(
            member=(sqlkit.TENANT, self.value(visit.staff_id)),
            client=(sqlkit.TENANT, self.value(visit.client_id)),
            check=check,
            row=row,
            event_row=event_row,
        )

    def book(self, booking: Booking) -> None:
        """Lock, check, insert and commit one booking; raise if the time is taken.

        With an event row (the audit event's), the statements ours runs instead: the
        client's status; the staff member's active flag with their working hours and the
        tenant's time zone, taking the lock (the hours are not evaluated); the visit's row
        inserted unless the time is taken; the event's row.
        """
        connection: Any = self.connection
        if self.sqlite:
            connection.execute("BEGIN IMMEDIATE")
        try:
            with contextlib.nullcontext() if self.sqlite else connection.transaction():
                if booking.event_row is not None:
                    self._as_ours(booking, booking.event_row)
                else:
                    if self.lock_sql is not None:
                        connection.execute(self.lock_sql, booking.member)
                    clash = connection.execute(self.overlap_sql, booking.check).fetchone()
                    if clash is not None:
                        raise RuntimeError(f"double booking {clash}")
                    connection.execute(self.insert_sql, booking.row)
            if self.sqlite:
                connection.execute("COMMIT")
        except BaseException:
            if self.sqlite:
                connection.execute("ROLLBACK")
            raise

    def _as_ours(self, booking: Booking, event_row: tuple[Any, ...]) -> None:
        """The statements of ``core.visits.book``, inside the caller's transaction."""
        connection: Any = self.connection
        status = connection.execute(self.client_sql, booking.client).fetchone()
        member = connection.execute(self.schedule_sql, booking.member).fetchone()
        if status is None or status[0] != "active" or member is None or not member[0]:
            raise RuntimeError(f"cannot book {booking}")
        inserted = connection.execute(self.insert_if_free_sql, (*booking.row, *booking.check))
        if inserted.rowcount != 1:
            raise RuntimeError(f"double booking {booking}")
        connection.execute(self.event_sql, event_row)

    def busy(
        self, staff_ids: Sequence[uuid.UUID], start: datetime, end: datetime
    ) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
        """One indexed fetch: the time-holding entries of all the staff members."""
        sql = self.busy_sql.get(len(staff_ids))
        if sql is None:
            marks = ", ".join(self.mark for _ in staff_ids)
            sql = self.busy_sql[len(staff_ids)] = (
                f"SELECT staff_id, starts_at, ends_at FROM {T['visits']} "
                f"WHERE tenant = {self.mark} "
                f"AND staff_id IN ({marks}) AND starts_at < {self.mark} "
                f"AND starts_at > {self.mark} AND ends_at > {self.mark} "
                "AND status != 'cancelled' ORDER BY staff_id, starts_at"
            )
        values = [sqlkit.TENANT, *staff_ids, end, start - timedelta(days=1), start]
        rows = self.connection.execute(sql, [self.value(value) for value in values]).fetchall()
        found: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {s: [] for s in staff_ids}
        for staff, begins, ends in rows:
            if self.sqlite:
                staff = uuid.UUID(hex=staff)
                begins = datetime.fromisoformat(begins).replace(tzinfo=UTC)
                ends = datetime.fromisoformat(ends).replace(tzinfo=UTC)
            found[staff].append((begins, ends))
        return found

    def close(self) -> None:
        self.connection.close()


def _example_visit() -> Visit:
    now = sqlkit.now_utc()
    return Visit(uuid.uuid4(), uuid.uuid4(), VisitKind.VISIT, now, now, now, now)


def _example_event() -> Event:
    return Event(uuid.uuid4(), "visit.booked", uuid.uuid4(), None, "bench", sqlkit.now_utc())


def booked_event(visit: Visit) -> Event:
    """The audit event ``core.visits.book`` writes for ``visit``."""
    return Event(
        id=uuid.uuid4(),
        kind="visit.booked",
        entity_id=visit.id,
        client_id=visit.client_id,
        actor_id=ACTOR.id,
        actor_roles=ACTOR.roles,
        at=visit.created_at,
        changes=diff(None, visit, VISIT_FIELDS, ZONE),
    )


def sweep_slots(
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]],
    start: datetime,
    end: datetime,
    length: timedelta,
    step: timedelta,
) -> list[tuple[datetime, str, uuid.UUID]]:
    """Free starts on the local ``step`` grid inside working hours, per staff member."""
    slots = []
    first = start.astimezone(ZONE).date()
    last = end.astimezone(ZONE).date()
    step_minutes = int(step.total_seconds() // 60)
    for staff_id, taken in busy.items():
        day = first
        while day <= last:
            if day.weekday() in WORKDAYS:
                free = max(local(day, OPENS), start)
                closes = min(local(day, CLOSES), end)
                gaps = []
                for begins, ends in taken:
                    if ends <= free or begins >= closes:
                        continue
                    if begins > free:
                        gaps.append((free, begins))
                    free = max(free, ends)
                if free < closes:
                    gaps.append((free, closes))
                for begins, ends in gaps:
                    minute = begins.astimezone(ZONE).hour * 60 + begins.astimezone(ZONE).minute
                    candidate = begins + timedelta(minutes=(-minute) % step_minutes)
                    while candidate + length <= ends:
                        slots.append((candidate, str(staff_id), staff_id))
                        candidate += step
            day += timedelta(days=1)
    slots.sort()
    return slots


@attrs.frozen
class Turn:
    """One booking of each kind: ours' arguments, and the baselines' bound values."""

    start: datetime
    client_id: uuid.UUID
    ours_staff: uuid.UUID
    hand_staff: uuid.UUID
    full_staff: uuid.UUID
    hand: Booking
    full: Booking


def prepare_turn(
    driver: Driver,
    index: int,
    slots: Sequence[datetime],
    client_ids: Sequence[uuid.UUID],
    ours_staff: Sequence[uuid.UUID],
    hand_staff: Sequence[uuid.UUID],
    full_staff: Sequence[uuid.UUID],
) -> Turn:
    """Booking ``index``: two staff members of each kind take turns on the slots, and the
    clients take turns on the bookings."""
    start, staff = slots[index // 2], index % 2
    client_id = client_ids[index % len(client_ids)]
    now = sqlkit.now_utc()
    visit = Visit(
        id=uuid.uuid4(),
        staff_id=hand_staff[staff],
        kind=VisitKind.VISIT,
        start=start,
        end=start + QUARTER,
        created_at=now,
        updated_at=now,
        client_id=client_id,
    )
    full = attrs.evolve(visit, id=uuid.uuid4(), staff_id=full_staff[staff])
    return Turn(
        start=start,
        client_id=client_id,
        ours_staff=ours_staff[staff],
        hand_staff=hand_staff[staff],
        full_staff=full_staff[staff],
        hand=driver.prepare(visit),
        full=driver.prepare(full, booked_event(full)),
    )


def booking_rows(url: str, staff_id: uuid.UUID) -> list[dict[str, Any]]:
    """The stored rows of the staff member's first booking: its visit row, then its audit
    event's row if there is one, without what differs from one booking to another of the
    same slot (ids, the staff member, times of writing)."""
    visits, events = sqlkit.table("visits"), sqlkit.table("events")
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            visit = (
                connection.execute(
                    sqlalchemy.select(visits)
                    .where(visits.c.staff_id == staff_id)
                    .order_by(visits.c.starts_at)
                    .limit(1)
                )
                .mappings()
                .one()
            )
            event = (
                connection.execute(
                    sqlalchemy.select(events).where(events.c.entity_id == visit["id"])
                )
                .mappings()
                .one_or_none()
            )
    finally:
        engine.dispose()
    found = [{k: v for k, v in visit.items() if k not in _VARYING}]
    if event is not None:
        changes = [c for c in convert.load(event["changes"]) if c[0] != "staff_id"]
        found.append({**{k: v for k, v in event.items() if k not in _VARYING}, "changes": changes})
    return found


_VARYING = frozenset({"id", "seq", "staff_id", "entity_id", "created_at", "updated_at", "at"})


# -- the run ---------------------------------------------------------------------------


LENGTH, STEP = timedelta(minutes=30), timedelta(minutes=15)
"""The free slots looked for: 30 minutes, starting every 15."""


def ours_slots(
    core: clientcore.Core, staff_ids: Sequence[uuid.UUID], week: datetime
) -> list[tuple[datetime, uuid.UUID]]:
    """The free slots ``core.calendar.free_slots`` finds in the week from ``week``, as
    (start, staff)."""
    slots = core.calendar.free_slots(
        staff_ids, LENGTH // timedelta(minutes=1), week, week + timedelta(7)
    )
    return [(slot.start, slot.staff_id) for slot in slots]


def hand_slots(
    driver: Driver, staff_ids: Sequence[uuid.UUID], week: datetime
) -> list[tuple[datetime, uuid.UUID]]:
    """The free slots of the baseline (one fetch and a sweep), as (start, staff)."""
    end = week + timedelta(days=7)
    busy = driver.busy(staff_ids, week, end)
    return [(start, staff) for start, _, staff in sweep_slots(busy, week, end, LENGTH, STEP)]


def booking_staff(core: clientcore.Core) -> tuple[list[uuid.UUID], ...]:
    """Two staff members for ours, two for the baseline, two for the baseline that runs
    ours' statements, each with the weekly working hours."""
    kinds = tuple(
        [core.staff.add(f"{label} {index}").id for index in range(2)]
        for label in ("Booker", "Hand", "Full")
    )
    for staff_ids in kinds:
        for staff_id in staff_ids:
            core.staff.set_hours(staff_id, weekly())
    return kinds


def booking_slots() -> list[datetime]:
    """The starts the bookings take in turn: each quarter hour of the working days."""
    return [
        local(day, OPENS) + quarter * QUARTER
        for day in workdays(YEAR_START, YEAR_DAYS)
        for quarter in range(40)
    ]


def book_ours(core: clientcore.Core, turn: Turn) -> None:
    core.visits.book(turn.client_id, turn.ours_staff, turn.start, 15)


def run_engine(engine: str, bookings: int, searches: int) -> list[Row]:
    rows: list[Row] = []
    with sqlkit.fresh_database(engine, "schedule") as url:
        staff_ids, client_ids, visits = seed(url)
        driver = Driver(url)
        rng = random.Random(3)
        try:
            with clientcore.open(url, tenant=sqlkit.TENANT, actor=ACTOR) as core:
                weeks = [
                    local(YEAR_START + timedelta(days=rng.randrange(YEAR_DAYS - 7)), time(0))
                    for _ in range(searches)
                ]
                for week in weeks[:3]:  # warm up, and both find the same slots
                    assert ours_slots(core, staff_ids, week) == hand_slots(driver, staff_ids, week)
                mine, theirs = take_turns(
                    [
                        lambda week: ours_slots(core, staff_ids, week),
                        lambda week: hand_slots(driver, staff_ids, week),
                    ],
                    weeks,
                )
                case = f"{engine}: free slots of {T['staff']} staff over a week ({visits:,} visits)"
                for q in (50, 95):
                    rows.append(
                        Row(f"{case}, p{q}", percentile(mine, q), percentile(theirs, q), "ms", 1.5)
                    )

                ours_staff, hand_staff, full_staff = booking_staff(core)
                slots = booking_slots()
                turns = [
                    prepare_turn(
                        driver, index, slots, client_ids, ours_staff, hand_staff, full_staff
                    )
                    for index in range(bookings)
                ]
                ours_ms, hand_ms, full_ms = (
                    sum(times) / bookings
                    for times in take_turns(
                        [
                            lambda turn: book_ours(core, turn),
                            lambda turn: driver.book(turn.hand),
                            lambda turn: driver.book(turn.full),
                        ],
                        turns,
                    )
                )
                first = turns[0]
                ours_rows = booking_rows(url, first.ours_staff)
                assert booking_rows(url, first.hand_staff)[0] == ours_rows[0], "hand-written"
                assert booking_rows(url, first.full_staff) == ours_rows, "as ours"
                case = f"{engine}: book a visit (mean of {bookings:,})"
                rows.append(Row(case, ours_ms, hand_ms, "ms", 2.0))
                rows.append(
                    Row(
                        f"{case}, vs the driver also reading and writing what ours does",
                        ours_ms,
                        full_ms,
                        "ms",
                    )
                )
        finally:
            driver.close()
    return rows


def run(engines: Sequence[str], bookings: int, searches: int, *, write: bool) -> str:
    rows: list[Row] = []
    notes: list[str] = []
    for engine in sqlkit.reachable(engines, notes):
        rows += run_engine(engine, bookings, searches)
    return publish(
        "schedule",
        "Scheduling: core.visits.book and core.calendar.free_slots vs hand-written SQL",
        rows,
        notes="\n\n".join(
            [
                " ".join(
                    part.replace("\n", " ").strip() for part in __doc__.split("\n\n")[1:4]
                ).replace("``", "`"),
                *notes,
            ]
        ),
        write=write,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--bookings", type=int, default=1000, help="bookings to time, each side")
    parser.add_argument("--searches", type=int, default=100, help="free-slot searches to time")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    for engine in engines:
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"--engines: {engine!r}; this benchmark runs sqlite and postgresql")
    run(engines, args.bookings, args.searches, write=not args.no_write)


if __name__ == "__main__":
    main()
