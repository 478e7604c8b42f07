"""Contract: working hours, booking without double-booking, changes, charges, free slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.client import Client
from clientcore.entities.common import Actor, Role
from clientcore.entities.kinds import STAFF, WORKING_HOURS
from clientcore.entities.visit import Charge, ChargeKind, Visit, VisitStatus
from clientcore.entities.working_hours import (
    DayOverride,
    Schedule,
    TimeRange,
    WeeklySlot,
    WorkingHours,
)
from clientcore.errors import (
    NotFound,
    OutsideWorkingHours,
    PermissionDenied,
    ValidationError,
    VisitOverlap,
)
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.race import attempts, booker, overlapping_pairs, run_race

WARSAW = ZoneInfo("Europe/Warsaw")


class _Undo(Exception):
    """Raised inside ``core.transaction()`` to roll a trial booking back."""


MONDAY = date(2026, 6, 1)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = WARSAW) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def every_day(start: time, end: time) -> list[WeeklySlot]:
    return [WeeklySlot(day, TimeRange(start, end)) for day in range(7)]


DST_ZONES = ["Europe/Warsaw", "Europe/Vilnius", "Europe/Amsterdam"]
DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25)]
"""The days of the 2026 changes in the EU: clocks move at 01:00 UTC in every one of these
zones (02:00 local in Warsaw and Amsterdam, 03:00 in Vilnius in spring, 04:00 in autumn)."""


def dst_change(day: date, zone: ZoneInfo) -> datetime:
    """The instant the clocks change on ``day`` in ``zone`` (checked, not assumed)."""
    change = datetime.combine(day, time(1), tzinfo=UTC)
    before = (change - timedelta(minutes=1)).astimezone(zone).utcoffset()
    assert before != change.astimezone(zone).utcoffset(), f"no clock change in {zone} at {change}"
    return change


def wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The date and time a clock in ``zone`` shows at ``instant`` (without the offset)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _night_shift(core: Core, zone: str, day: date, night: TimeRange) -> tuple[UUID, UUID]:
    """A tenant in ``zone`` with a client and a staff member who works ``night`` on
    ``day``'s weekday and 08:00-16:00 on the others: (staff id, client id)."""
    core.setup.configure(default_region="PL", time_zone=zone)
    vet = core.staff.add("Dr Night").id
    client = core.clients.register(last_name="Nowak").id
    day_shift = TimeRange(time(8), time(16))
    weekly = [WeeklySlot(d, night if d == day.weekday() else day_shift) for d in range(7)]
    core.staff.set_hours(vet, weekly)
    return vet, client


class ScheduleContract(BackendContract):
    @pytest.fixture
    def clinic(self, core: Core) -> tuple[Core, UUID, UUID]:
        """A clinic with one vet working 09:00-17:00 every day and one client."""
        vet = core.staff.add("Dr Ewa", roles=[Role.STAFF])
        core.staff.set_hours(vet.id, every_day(time(9), time(17)))
        client = core.clients.register(first_name="Jan", last_name="Nowak")
        return core, vet.id, client.id

    def test_book_and_read_a_visit(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        pet = core.subjects.add(client, kind="pet", name="Burek")
        visit = core.visits.book(
            client,
            vet,
            at(MONDAY, 10),
            30,
            subject_id=pet.id,
            first_consultation=True,
            asap=True,
            notes="Check the paw",
            source="sms campaign",
        )
        assert core.visits.get(visit.id) == visit
        assert visit.start == at(MONDAY, 10).astimezone(UTC)
        assert visit.duration == timedelta(minutes=30)
        assert (visit.first_consultation, visit.asap, visit.notes, visit.source) == (
            True,
            True,
            "Check the paw",
            "sms campaign",
        )
        assert visit.status is VisitStatus.BOOKED
        assert "visit.booked" in [e.kind for e in core.clients.history(client)]

    @pytest.mark.parametrize(
        ("hour", "minute", "length"),
        [(10, 0, 30), (9, 45, 30), (10, 15, 5), (9, 0, 120), (10, 29, 1)],
    )
    def test_overlaps_are_refused_and_name_the_conflict(
        self, clinic: tuple[Core, UUID, UUID], hour: int, minute: int, length: int
    ) -> None:
        core, vet, client = clinic
        first = core.visits.book(client, vet, at(MONDAY, 10), 30)
        with pytest.raises(VisitOverlap) as info:
            core.visits.book(client, vet, at(MONDAY, hour, minute), length)
        assert info.value.conflicting_id == first.id
        assert info.value.start == first.start
        assert [v.id for v in core.calendar.for_staff(vet, at(MONDAY, 0), at(MONDAY, 23))] == [
            first.id
        ]

    def test_touching_entries_other_staff_and_cancelled_time_do_not_conflict(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        other = core.staff.add("Dr Adam").id
        core.staff.set_hours(other, every_day(time(9), time(17)))
        first = core.visits.book(client, vet, at(MONDAY, 10), 30)
        core.visits.book(client, vet, at(MONDAY, 10, 30), 30)
        core.visits.book(client, vet, at(MONDAY, 9, 30), 30)
        core.visits.book(client, other, at(MONDAY, 10), 30)
        core.visits.cancel(first.id)
        again = core.visits.book(client, vet, at(MONDAY, 10), 30)
        assert again.status is VisitStatus.BOOKED

    def test_a_break_holds_time_like_a_visit(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        lunch = core.visits.book_break(vet, at(MONDAY, 12), 45, notes="lunch")
        with pytest.raises(VisitOverlap) as info:
            core.visits.book(client, vet, at(MONDAY, 12, 30), 30)
        assert info.value.conflicting_id == lunch.id
        assert lunch.client_id is None
        with pytest.raises(ValidationError):
            core.visits.mark_arrived(lunch.id)

    def test_working_hours_and_the_explicit_override(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, at(MONDAY, 8, 30), 60)
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, at(MONDAY, 16, 45), 30)
        reception = core.acting_as(Actor("rita", roles={Role.RECEPTION}))
        with pytest.raises(PermissionDenied):
            reception.visits.book(client, vet, at(MONDAY, 18), 30, override_hours=True)
        late = core.visits.book(client, vet, at(MONDAY, 18), 30, override_hours=True)
        with pytest.raises(VisitOverlap):
            core.visits.book(client, vet, at(MONDAY, 18), 30, override_hours=True)
        assert core.visits.get(late.id).start == at(MONDAY, 18).astimezone(UTC)

    def test_day_off_and_extra_hours_overrides(self, core: Core) -> None:
        vet = core.staff.add("Dr Ewa").id
        client = core.clients.register(last_name="Nowak").id
        core.staff.set_hours(
            vet,
            every_day(time(9), time(17)),
            [
                DayOverride(MONDAY),
                DayOverride(MONDAY + timedelta(days=1), (TimeRange(time(6), time(8)),)),
            ],
        )
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, at(MONDAY, 10), 30)
        core.visits.book(client, vet, at(MONDAY + timedelta(days=1), 6, 30), 30)
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, at(MONDAY + timedelta(days=1), 10), 30)
        assert core.staff.hours(vet).overrides[0].hours == ()

    @pytest.mark.parametrize(
        ("weekly", "overrides"),
        [
            ([WeeklySlot(7, TimeRange(time(9), time(10)))], []),
            ([WeeklySlot(0, TimeRange(time(10), time(9)))], []),
            (
                [
                    WeeklySlot(0, TimeRange(time(9), time(12))),
                    WeeklySlot(0, TimeRange(time(11), time(13))),
                ],
                [],
            ),
            ([], [DayOverride(MONDAY), DayOverride(MONDAY)]),
            ([WeeklySlot(0, TimeRange(time(9, 0, 30), time(10)))], []),
        ],
    )
    def test_bad_working_hours_are_refused(
        self, core: Core, weekly: list[WeeklySlot], overrides: list[DayOverride]
    ) -> None:
        vet = core.staff.add("Dr Ewa").id
        with pytest.raises(ValidationError):
            core.staff.set_hours(vet, weekly, overrides)
        assert core.staff.hours(vet).weekly == ()

    def test_overlapping_working_hours_are_named_in_full(self, core: Core) -> None:
        vet = core.staff.add("Dr Ewa").id
        weekly = [
            WeeklySlot(0, TimeRange(time(11), time(13))),
            WeeklySlot(0, TimeRange(time(8), time(12))),
        ]
        with pytest.raises(ValidationError) as refused:
            core.staff.set_hours(vet, weekly)
        assert refused.value.reason == "08:00-12:00 overlaps 11:00-13:00"

    def test_bad_bookings_are_refused(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        other_client = core.clients.register(last_name="Other").id
        foreign_pet = core.subjects.add(other_client, kind="pet", name="Mruczek").id
        naive = datetime(2026, 6, 1, 10)
        for args, kwargs in [
            ((client, vet, naive, 30), {}),
            ((client, vet, at(MONDAY, 10).replace(second=30), 30), {}),
            ((client, vet, at(MONDAY, 10), 0), {}),
            ((client, vet, at(MONDAY, 10), 24 * 60 + 1), {}),
            ((client, vet, at(MONDAY, 10), 30), {"subject_id": foreign_pet}),
            ((client, vet, at(MONDAY, 10), 30), {"notes": "x" * 2001}),
        ]:
            with pytest.raises(ValidationError):
                core.visits.book(*args, **kwargs)  # type: ignore[arg-type]
        core.clients.deactivate(other_client)
        with pytest.raises(ValidationError):
            core.visits.book(other_client, vet, at(MONDAY, 10), 30)
        with pytest.raises(NotFound):
            core.visits.book(uuid4(), vet, at(MONDAY, 10), 30)
        with pytest.raises(NotFound):
            core.visits.book(client, uuid4(), at(MONDAY, 10), 30)
        assert core.calendar.for_staff(vet, at(MONDAY, 0), at(MONDAY, 23)) == []

    def test_reschedule_with_the_same_checks(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        first = core.visits.book(client, vet, at(MONDAY, 10), 30)
        second = core.visits.book(client, vet, at(MONDAY, 11), 30)
        moved = core.visits.reschedule(first.id, start=at(MONDAY, 10, 15))
        assert moved.version == 2
        with pytest.raises(VisitOverlap) as info:
            core.visits.reschedule(second.id, start=at(MONDAY, 10, 30))
        assert (info.value.conflicting_id, info.value.start, info.value.end) == (
            moved.id,
            moved.start,
            moved.end,
        )
        assert core.visits.get(second.id).start == second.start
        with pytest.raises(OutsideWorkingHours):
            core.visits.reschedule(second.id, duration_minutes=8 * 60)
        longer = core.visits.reschedule(second.id, duration_minutes=60)
        assert longer.end == at(MONDAY, 12).astimezone(UTC)
        with pytest.raises(ValidationError):
            core.visits.reschedule(core.visits.cancel(first.id).id, start=at(MONDAY, 14))
        assert "visit.rescheduled" in [e.kind for e in core.clients.history(client)]

    def test_status_changes(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30)
        assert core.visits.mark_arrived(visit.id).status is VisitStatus.ARRIVED
        with pytest.raises(ValidationError):
            core.visits.mark_no_show(visit.id)
        missed = core.visits.book(client, vet, at(MONDAY, 11), 30)
        assert core.visits.mark_no_show(missed.id).status is VisitStatus.NO_SHOW
        updated = core.visits.update(
            core.visits.book(client, vet, at(MONDAY, 12), 30).id, notes="Bring X-ray"
        )
        assert core.visits.get(updated.id).notes == "Bring X-ray"

    def test_details_stay_editable_after_arrival_but_not_the_time(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30, asap=True)
        arrived = core.visits.mark_arrived(visit.id)
        noted = core.visits.update(
            visit.id,
            notes="Limps on the left hind leg",
            source="walk-in",
            first_consultation=True,
            expected_version=arrived.version,
        )
        assert core.visits.get(visit.id) == noted
        assert (noted.status, noted.notes, noted.source, noted.first_consultation) == (
            VisitStatus.ARRIVED,
            "Limps on the left hind leg",
            "walk-in",
            True,
        )
        assert noted.version == arrived.version + 1
        with pytest.raises(ValidationError) as refused:
            core.visits.update(visit.id, asap=False)
        assert refused.value.field == "asap"
        for move in ({"start": at(MONDAY, 11)}, {"duration_minutes": 60}, {"staff_id": vet}):
            with pytest.raises(ValidationError):
                core.visits.reschedule(visit.id, **move)
        assert core.visits.get(visit.id) == noted
        missed = core.visits.mark_no_show(core.visits.book(client, vet, at(MONDAY, 11), 30).id)
        assert core.visits.update(missed.id, notes="called: rebook").notes == "called: rebook"
        assert [e.kind for e in core.clients.history(client)].count("visit.updated") == 2

    def test_charges_and_payment(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30)
        assert not visit.to_be_paid
        lines = [
            Charge(ChargeKind.SERVICE, "Consultation", Decimal(1), Decimal("120.00"), "pln"),
            Charge(ChargeKind.GOODS, "Vitamins", Decimal(2), Decimal("15.50"), "PLN"),
        ]
        charged = core.visits.set_charges(visit.id, lines)
        assert charged.to_be_paid
        assert sum(line.total for line in core.visits.get(visit.id).charges) == Decimal("151.00")
        assert core.visits.get(visit.id).charges[0].currency == "PLN"
        assert not core.visits.settle(visit.id).to_be_paid
        for bad in (
            [Charge(ChargeKind.SERVICE, "x", Decimal(1), 12.5, "PLN")],  # type: ignore[arg-type]
            [Charge(ChargeKind.SERVICE, "x", Decimal(1), Decimal(-1), "PLN")],
            [
                Charge(ChargeKind.SERVICE, "x", Decimal(1), Decimal(1), "PLN"),
                Charge(ChargeKind.SERVICE, "y", Decimal(1), Decimal(1), "EUR"),
            ],
            [Charge(ChargeKind.SERVICE, "x", Decimal(1), Decimal(1), "zł")],
        ):
            with pytest.raises(ValidationError):
                core.visits.set_charges(visit.id, bad)
        assert not core.visits.get(visit.id).to_be_paid

    def test_only_owners_and_administrators_delete_visits(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30)
        core.visits.set_charges(
            visit.id, [Charge(ChargeKind.SERVICE, "x", Decimal(1), Decimal(10), "EUR")]
        )
        staff = core.acting_as(Actor("ewa", roles={Role.STAFF}))
        with pytest.raises(PermissionDenied):
            staff.visits.delete(visit.id)
        core.acting_as(Actor("adam", roles={Role.ADMINISTRATOR})).visits.delete(visit.id)
        with pytest.raises(NotFound):
            core.visits.get(visit.id)
        deleted = [e for e in core.clients.history(client) if e.kind == "visit.deleted"]
        assert [e.actor_id for e in deleted] == ["adam"]
        core.visits.book(client, vet, at(MONDAY, 10), 30)

    def test_a_clients_visits_past_and_upcoming(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        start = now - timedelta(days=3) + timedelta(hours=1)
        past = core.visits.book(client, vet, start, 30, allow_past=True)  # recorded afterwards
        upcoming = core.visits.book(client, vet, at(MONDAY, 10), 30)
        visits = core.calendar.for_client(client)
        assert [v.id for v in visits.past] == [past.id]
        assert [v.id for v in visits.upcoming] == [upcoming.id]

    def test_free_slots_honour_hours_breaks_and_visits(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        core.staff.set_hours(vet, every_day(time(9), time(12)))
        core.visits.book(client, vet, at(MONDAY, 10), 30)
        core.visits.book_break(vet, at(MONDAY, 11, 15), 15)
        slots = core.calendar.free_slots([vet], 30, at(MONDAY, 0), at(MONDAY, 23, 59))
        starts = [s.start.astimezone(WARSAW).strftime("%H:%M") for s in slots]
        assert starts == ["09:00", "09:15", "09:30", "10:30", "10:45", "11:30"]
        for slot in slots:
            booked = core.visits.book(client, vet, slot.start, 30)
            core.visits.cancel(booked.id)

    def test_messages_and_history_show_the_tenants_local_time(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        with pytest.raises(OutsideWorkingHours) as outside:
            core.visits.book(client, vet, at(MONDAY, 17), 30)
        assert str(outside.value).startswith(
            "2026-06-01 17:00-17:30 Europe/Warsaw is outside the staff member's working hours"
        )
        assert outside.value.start == at(MONDAY, 17)  # the attributes stay instants
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30)
        later = core.visits.book(client, vet, at(MONDAY, 12), 30)
        with pytest.raises(VisitOverlap) as taken:
            core.visits.book(client, vet, at(MONDAY, 10, 15), 30)
        assert "an entry 2026-06-01 10:00-10:30 Europe/Warsaw (id " in str(taken.value)
        with pytest.raises(VisitOverlap) as taken:
            core.visits.reschedule(later.id, start=at(MONDAY, 9, 45))
        assert "an entry 2026-06-01 10:00-10:30 Europe/Warsaw (id " in str(taken.value)
        core.visits.reschedule(visit.id, start=at(MONDAY, 11))
        core.visits.delete(visit.id)
        night = core.visits.book(
            client, vet, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 60, override_hours=True
        )
        changes = [
            {c.field: (c.old, c.new) for c in event.changes if c.field in ("start", "end")}
            for event in core.clients.history(client)
            if event.entity_id in (visit.id, night.id)
        ]
        assert changes == [
            {
                "start": (None, "2026-06-01 10:00 Europe/Warsaw"),
                "end": (None, "2026-06-01 10:30 Europe/Warsaw"),
            },
            {
                "start": ("2026-06-01 10:00 Europe/Warsaw", "2026-06-01 11:00 Europe/Warsaw"),
                "end": ("2026-06-01 10:30 Europe/Warsaw", "2026-06-01 11:30 Europe/Warsaw"),
            },
            {
                "start": ("2026-06-01 11:00 Europe/Warsaw", None),
                "end": ("2026-06-01 11:30 Europe/Warsaw", None),
            },
            {  # the clocks go back at 03:00: 02:30 is shown twice, so its offset is named
                "start": (None, "2026-10-25 02:30 (UTC+02:00) Europe/Warsaw"),
                "end": (None, "2026-10-25 02:30 (UTC+01:00) Europe/Warsaw"),
            },
        ]

    def test_free_slots_are_what_a_booking_accepts_now(
        self, clinic: tuple[Core, UUID, UUID], clock: TickingClock
    ) -> None:
        core, vet, client = clinic
        other = core.staff.add("Dr Adam").id
        core.staff.set_hours(other, every_day(time(9), time(17)))
        core.visits.book(client, vet, at(MONDAY, 11), 30)
        clock.advance(at(MONDAY, 10, 7) - clock.now())  # Monday, 10:07 in Warsaw
        day = (at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0))
        core.staff.deactivate(other)
        slots = core.calendar.free_slots([vet, other], 30, *day, step_minutes=15)
        assert {slot.staff_id for slot in slots} == {vet}
        assert slots[0].start == at(MONDAY, 10, 15)
        assert core.calendar.free_slots([other], 30, *day) == []
        accepted = []
        for start in (at(MONDAY, 8) + timedelta(minutes=15 * step) for step in range(40)):
            for member in (vet, other):
                try:
                    with core.transaction() as tx:
                        tx.visits.book(client, member, start, 30)
                        accepted.append((member, start))
                        raise _Undo
                except (_Undo, ValidationError, OutsideWorkingHours, VisitOverlap):
                    pass
        assert accepted == [(slot.staff_id, slot.start) for slot in slots]
        with pytest.raises(ValidationError) as passed:
            core.visits.book(client, vet, at(MONDAY, 10), 30)
        assert passed.value.field == "start"
        assert "2026-06-01 10:00 Europe/Warsaw has passed" in str(passed.value)
        with pytest.raises(ValidationError):
            core.visits.book_break(vet, at(MONDAY, 10), 5)
        core.staff.reactivate(other)
        assert core.calendar.free_slots([other], 30, *day)[0].start == at(MONDAY, 10, 15)

    def test_only_an_owner_or_administrator_books_in_the_past(
        self, clinic: tuple[Core, UUID, UUID], clock: TickingClock
    ) -> None:
        core, vet, client = clinic
        clock.advance(at(MONDAY, 12) - clock.now())
        staff = core.acting_as(Actor("rita", roles={Role.STAFF}))
        with pytest.raises(PermissionDenied):
            staff.visits.book(client, vet, at(MONDAY, 10), 30, allow_past=True)
        admin = core.acting_as(Actor("adam", roles={Role.ADMINISTRATOR}))
        recorded = admin.visits.book(client, vet, at(MONDAY, 10), 30, allow_past=True)
        assert core.visits.get(recorded.id) == recorded
        longer = staff.visits.reschedule(recorded.id, duration_minutes=45)  # the start stays
        assert longer.start == recorded.start
        with pytest.raises(ValidationError):
            staff.visits.reschedule(recorded.id, start=at(MONDAY, 9))
        with pytest.raises(ValidationError):
            staff.visits.reschedule(recorded.id, start=at(MONDAY, 11, 30))
        moved = staff.visits.reschedule(recorded.id, start=at(MONDAY, 12, 15))
        assert moved.start == at(MONDAY, 12, 15)
        with pytest.raises(ValidationError):
            staff.visits.reschedule(recorded.id, start=at(MONDAY, 9), override_hours=True)
        assert admin.visits.reschedule(
            recorded.id, start=at(MONDAY, 9), allow_past=True
        ).start == at(MONDAY, 9)

    def test_free_slots_for_several_staff(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        other = core.staff.add("Dr Adam").id
        core.staff.set_hours(other, [WeeklySlot(MONDAY.weekday(), TimeRange(time(9), time(10)))])
        core.staff.set_hours(vet, [WeeklySlot(MONDAY.weekday(), TimeRange(time(9), time(10)))])
        core.visits.book(client, vet, at(MONDAY, 9), 60)
        slots = core.calendar.free_slots([vet, other], 60, at(MONDAY, 0), at(MONDAY, 23))
        assert [(s.staff_id, s.start) for s in slots] == [(other, at(MONDAY, 9).astimezone(UTC))]

    @pytest.mark.parametrize("zone", ["Europe/Warsaw", "Europe/Vilnius", "Europe/Amsterdam"])
    @pytest.mark.parametrize(
        ("day", "real_hours"), [(date(2026, 3, 29), 2), (date(2026, 10, 25), 4)]
    )
    def test_dst_changes(self, core: Core, zone: str, day: date, real_hours: int) -> None:
        """Hours 01:00-04:00 local last 2 real hours in spring and 4 in autumn; a day shift
        stays 08:00-16:00 local on either side of the change."""
        tz = ZoneInfo(zone)
        vet, client = _night_shift(core, zone, day, TimeRange(time(1), time(4)))
        start = datetime.combine(day, time(0), tzinfo=tz)
        slots = core.calendar.free_slots(
            [vet], 60, start, start + timedelta(hours=6), step_minutes=60
        )
        assert len(slots) == real_hours
        for slot in slots:
            core.visits.book(client, vet, slot.start, 60)
        with pytest.raises((VisitOverlap, OutsideWorkingHours)):
            core.visits.book(client, vet, slots[-1].end, 60)
        for neighbour in (day - timedelta(days=1), day + timedelta(days=1)):
            first = core.calendar.free_slots(
                [vet],
                60,
                datetime.combine(neighbour, time(0), tzinfo=tz),
                datetime.combine(neighbour, time(23), tzinfo=tz),
            )[0]
            assert first.start.astimezone(tz).time() == time(8)
            assert first.start.astimezone(tz).date() == neighbour

    @pytest.mark.parametrize("zone", DST_ZONES)
    @pytest.mark.parametrize("day", DST_DAYS, ids=["spring", "autumn"])
    def test_dst_free_slots_and_bookings_across_the_change(
        self, core: Core, zone: str, day: date
    ) -> None:
        """A shift from 00:00 to 06:00 local spans the change: 5 real hours in spring, 7 in
        autumn. A visit may straddle the change; the free slots around it step through real
        time; every offered slot can be booked, and booking them all fills exactly the real
        length of the shift. The day shifts either side stay 08:00-16:00 local."""
        tz = ZoneInfo(zone)
        change = dst_change(day, tz)
        vet, client = _night_shift(core, zone, day, TimeRange(time(0), time(6)))
        begin = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(day, time(6), tzinfo=tz).astimezone(UTC)
        real_minutes = 5 * 60 if change.month == 3 else 7 * 60
        assert end - begin == timedelta(minutes=real_minutes)

        half_hour = timedelta(minutes=30)
        window = (begin - timedelta(hours=2), end + timedelta(hours=2))
        every_half_hour = [begin + i * half_hour for i in range(real_minutes // 30)]
        slots = core.calendar.free_slots([vet], 30, *window, step_minutes=30)
        assert [(s.staff_id, s.start, s.end) for s in slots] == [
            (vet, start, start + half_hour) for start in every_half_hour
        ]

        straddling = core.visits.book(client, vet, change - half_hour, 60)
        assert straddling.end == change + half_hour
        shown = wall_clock(straddling.end, tz) - wall_clock(straddling.start, tz)
        assert shown == timedelta(minutes=120 if change.month == 3 else 0)  # an hour lost / won
        slots = core.calendar.free_slots([vet], 30, *window, step_minutes=30)
        assert [s.start for s in slots] == [
            start for start in every_half_hour if not straddling.overlaps(start, start + half_hour)
        ]
        assert len(slots) == real_minutes // 30 - 2
        for slot in slots:
            core.visits.book(client, vet, slot.start, 30)
        assert core.calendar.free_slots([vet], 15, *window) == []
        held = [v for v in core.calendar.for_staff(vet, *window) if v.holds_time]
        assert sum((v.end - v.start for v in held), timedelta()) == end - begin
        for first, second in pairwise(held):
            assert first.end == second.start
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, end, 30)
        with pytest.raises(OutsideWorkingHours):
            core.visits.book(client, vet, begin - half_hour, 30)
        with pytest.raises(VisitOverlap):
            core.visits.book(client, vet, change, 15)
        for neighbour in (day - timedelta(days=1), day + timedelta(days=1)):
            hourly = core.calendar.free_slots(
                [vet],
                60,
                datetime.combine(neighbour, time(0), tzinfo=tz),
                datetime.combine(neighbour, time(23), tzinfo=tz),
                step_minutes=60,
            )
            assert [s.start.astimezone(tz).strftime("%d %H:%M") for s in hourly] == [
                f"{neighbour.day:02} {hour:02}:00" for hour in range(8, 16)
            ]

    def test_dst_random_bookings_agree_with_free_slots(self, core: Core) -> None:
        """Random bookings on a night that spans a clock change, in each zone: a booking is
        refused exactly when it overlaps an earlier one or leaves the shift, and afterwards
        the free slots are exactly the free quarter hours of real time."""

        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            st.sampled_from(DST_ZONES),
            st.sampled_from(DST_DAYS),
            st.lists(
                st.tuples(st.integers(-4, 30), st.sampled_from([15, 30, 45, 60, 90])),
                min_size=1,
                max_size=12,
            ),
        )
        def run(zone: str, day: date, steps: list[tuple[int, int]]) -> None:
            tz = ZoneInfo(zone)
            clinic = core.for_tenant(new_tenant())
            clinic.setup.configure(time_zone=zone)
            vet = clinic.staff.add("Dr Night").id
            clinic.staff.set_hours(vet, every_day(time(0), time(6)))
            client = clinic.clients.register(last_name="Nowak").id
            begin = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
            end = datetime.combine(day, time(6), tzinfo=tz).astimezone(UTC)
            quarter = timedelta(minutes=15)
            model: list[tuple[datetime, datetime]] = []
            for slot, length in steps:
                start = begin + slot * quarter
                finish = start + timedelta(minutes=length)
                clash = any(a < finish and start < b for a, b in model)
                inside = begin <= start and finish <= end
                try:
                    visit = clinic.visits.book(client, vet, start, length)
                except (VisitOverlap, OutsideWorkingHours):
                    assert clash or not inside, f"refused a free time at {start}"
                    continue
                assert inside, f"booked outside working hours at {start}"
                assert not clash, f"double-booked at {start}"
                assert (visit.start, visit.end) == (start, finish)
                model.append((start, finish))
            window = (begin - timedelta(hours=2), end + timedelta(hours=2))
            free = [
                begin + i * quarter
                for i in range((end - begin) // quarter)
                if not any(
                    a < begin + (i + 1) * quarter and begin + i * quarter < b for a, b in model
                )
            ]
            assert [s.start for s in clinic.calendar.free_slots([vet], 15, *window)] == free
            held = [v for v in clinic.calendar.for_staff(vet, *window) if v.holds_time]
            assert sorted((v.start, v.end) for v in held) == sorted(model)

        run()

    def test_asap_candidates_fit_the_freed_time(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        freed = core.visits.book(client, vet, at(MONDAY, 9), 60)
        core.visits.book(client, vet, at(MONDAY, 10), 60)
        short = core.visits.book(client, vet, at(MONDAY, 14), 30, asap=True)
        core.visits.book(client, vet, at(MONDAY, 15), 90, asap=True)
        core.visits.book(client, vet, at(MONDAY, 16, 30), 30)
        core.visits.cancel(freed.id)
        assert [v.id for v in core.calendar.asap_candidates(freed.id)] == [short.id]

    def test_icalendar_export(self, clinic: tuple[Core, UUID, UUID]) -> None:
        core, vet, client = clinic
        visit = core.visits.book(client, vet, at(MONDAY, 10), 30, first_consultation=True)
        core.visits.book_break(vet, at(MONDAY, 12), 30)
        core.visits.cancel(core.visits.book(client, vet, at(MONDAY, 14), 30).id)
        calendar = icalendar.Calendar.from_ical(
            core.calendar.export_ical(vet, at(MONDAY, 0), at(MONDAY, 23))
        )
        events = list(calendar.walk("VEVENT"))
        code = core.clients.get(client).code
        assert [str(e["summary"]) for e in events] == [f"Visit {code}", "Break"]
        assert str(events[0]["uid"]) == f"{visit.id}@clientcore"
        assert events[0].decoded("dtstart") == visit.start

    def test_icalendar_summaries_carry_no_personal_data_unless_asked(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, client = clinic
        core.clients.update(client, phones=["601 234 567"], emails=["jan@example.com"])
        core.visits.book(client, vet, at(MONDAY, 10), 30, notes="Limps", first_consultation=True)
        core.visits.book_break(vet, at(MONDAY, 12), 30, notes="Lunch")
        shared = core.calendar.export_ical(vet, at(MONDAY, 0), at(MONDAY, 23)).decode()
        for personal in ("Jan", "Nowak", "601234567", "jan@example", "Limps"):
            assert personal not in shared

        def named(visit: Visit, owner: Client | None) -> str:
            return "Break" if owner is None else f"{owner.display_name}: {visit.notes}"

        own = core.calendar.export_ical(vet, at(MONDAY, 0), at(MONDAY, 23), summary=named)
        summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(own).walk("VEVENT")]
        assert summaries == ["Jan Nowak: Limps", "Break"]
        with pytest.raises(ValidationError):
            core.calendar.export_ical(
                vet,
                at(MONDAY, 0),
                at(MONDAY, 23),
                summary=lambda visit, owner: 1,  # type: ignore[arg-type,return-value]
            )

    def test_random_bookings_never_overlap(self, core: Core) -> None:
        """book / reschedule / cancel in any order: the store agrees with a simple model and
        no two time-holding entries of one staff member ever overlap."""

        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            st.lists(
                st.tuples(
                    st.sampled_from(["book", "move", "cancel"]),
                    st.integers(0, 1),
                    st.integers(0, 31),
                    st.sampled_from([15, 30, 45, 60, 90]),
                ),
                min_size=1,
                max_size=25,
            )
        )
        def run(steps: list[tuple[str, int, int, int]]) -> None:
            clinic = core.for_tenant(new_tenant())
            clinic.setup.configure(time_zone="Europe/Warsaw")
            staff = [clinic.staff.add(f"Vet {i}").id for i in range(2)]
            for member in staff:
                clinic.staff.set_hours(member, every_day(time(9), time(17)))
            client = clinic.clients.register(last_name="Nowak").id
            model: dict[UUID, tuple[UUID, datetime, datetime]] = {}
            for action, who, slot, length in steps:
                start = at(MONDAY, 9) + timedelta(minutes=15 * slot)
                end = start + timedelta(minutes=length)
                inside = end <= at(MONDAY, 17)
                target = next(iter(model), None)
                if action == "cancel":
                    if target is not None:
                        clinic.visits.cancel(target)
                        del model[target]
                    continue
                moving = target if action == "move" else None
                if action == "move" and moving is None:
                    continue
                clash = any(
                    s == staff[who] and a < end and start < b
                    for key, (s, a, b) in model.items()
                    if key != moving
                )
                try:
                    if moving is None:
                        visit = clinic.visits.book(client, staff[who], start, length)
                    else:
                        visit = clinic.visits.reschedule(
                            moving, start=start, duration_minutes=length, staff_id=staff[who]
                        )
                except (VisitOverlap, OutsideWorkingHours):
                    refused_rightly = clash or not inside
                    assert refused_rightly, f"refused a free slot at {start}"
                    continue
                assert inside, f"booked outside working hours at {start}"
                assert not clash, f"double-booked at {start}"
                model[visit.id] = (staff[who], visit.start, visit.end)
            for member in staff:
                held = [
                    v
                    for v in clinic.calendar.for_staff(member, at(MONDAY, 0), at(MONDAY, 23))
                    if v.holds_time
                ]
                assert {v.id: (member, v.start, v.end) for v in held} == {
                    key: value for key, value in model.items() if value[0] == member
                }
                for first, second in pairwise(held):
                    assert first.end <= second.start

        run()

    # -- uow.visits.busy: the time held, for many staff members in one read ---------------

    def test_busy_is_the_time_held_by_each_staff_member(
        self, backend: Backend, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        """One ``(staff_id, start, end)`` per time-holding entry of the staff members that
        overlaps the range, in UTC, ordered by staff member (ids as text), then start.
        Cancelled entries, entries that only touch the range, entries of other staff
        members and other tenants' rows are left out; unknown and repeated ids are fine."""
        core, vet, client = clinic
        other = core.staff.add("Dr Adam").id
        core.staff.set_hours(other, every_day(time(9), time(17)))
        window = (at(MONDAY, 9), at(MONDAY, 17))
        visit = core.visits.book(client, vet, at(MONDAY, 9), 30)
        lunch = core.visits.book_break(vet, at(MONDAY, 12), 45)
        core.visits.cancel(core.visits.book(client, vet, at(MONDAY, 10), 30).id)
        core.visits.book(client, vet, at(MONDAY, 8), 60, override_hours=True)
        core.visits.book(client, vet, at(MONDAY, 17), 30, override_hours=True)
        core.visits.book(client, vet, at(MONDAY + timedelta(days=1), 9), 30)
        overnight = core.visits.book(
            client, other, at(MONDAY - timedelta(days=1), 9, 30), 24 * 60, override_hours=True
        )
        past_the_end = core.visits.book(client, other, at(MONDAY, 16, 30), 60, override_hours=True)
        bystander = core.staff.add("Dr Ola").id
        core.visits.book(client, bystander, at(MONDAY, 10), 30, override_hours=True)
        elsewhere = core.for_tenant(new_tenant())
        stranger = elsewhere.staff.add("Dr Obcy").id
        elsewhere.visits.book(
            elsewhere.clients.register(last_name="Obcy").id,
            stranger,
            at(MONDAY, 10),
            30,
            override_hours=True,
        )

        with backend.unit_of_work(core.tenant) as uow:
            found = uow.visits.busy([other, vet, vet, uuid4(), stranger], *window)
            assert uow.visits.busy([], *window) == []
            assert uow.visits.busy([vet], at(MONDAY, 13), at(MONDAY, 17)) == []
        expected = [
            (entry.staff_id, entry.start, entry.end)
            for entry in (visit, lunch, overnight, past_the_end)
        ]
        assert found == sorted(expected, key=lambda e: (str(e[0]), e[1]))
        for staff_id, start, end in found:
            assert isinstance(staff_id, UUID)
            assert start.utcoffset() == end.utcoffset() == timedelta(0)
        with backend.unit_of_work(elsewhere.tenant) as uow:
            assert uow.visits.busy([vet, other, bystander], *window) == []

    @pytest.mark.parametrize("zone", DST_ZONES)
    def test_busy_reaches_back_a_whole_day_of_real_time(
        self, backend: Backend, core: Core, zone: str
    ) -> None:
        """A range given in local time just after a clock change still finds the longest
        entry (24 hours) that began 23.5 real hours before it (the day before held 23 or
        25 hours of wall clock); so does the staff calendar."""
        tz = ZoneInfo(zone)
        vet = core.staff.add("Dr Long").id
        client = core.clients.register(last_name="Nowak").id
        for day in DST_DAYS:
            start = datetime.combine(day + timedelta(days=1), time(0, 30), tzinfo=tz)
            window = (start, start + timedelta(hours=1))
            begin = start.astimezone(UTC) - timedelta(hours=23, minutes=30)
            longest = core.visits.book(client, vet, begin, 24 * 60, override_hours=True)
            with backend.unit_of_work(core.tenant) as uow:
                assert uow.visits.busy([vet], *window) == [(vet, longest.start, longest.end)]
            assert [v.id for v in core.calendar.for_staff(vet, *window)] == [longest.id]

    def test_busy_agrees_with_the_staff_calendar(
        self, backend: Backend, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        """For any range: exactly the time-holding entries the staff calendars show."""
        core, vet, client = clinic
        other = core.staff.add("Dr Adam").id
        core.staff.set_hours(other, every_day(time(9), time(17)))
        sunday = at(MONDAY - timedelta(days=1), 0)
        for member, day, hour, minute, length in [
            (vet, 0, 22, 0, 180),
            (vet, 1, 9, 0, 30),
            (vet, 1, 9, 30, 45),
            (vet, 1, 16, 45, 15),
            (vet, 2, 9, 15, 60),
            (other, 1, 9, 0, 24 * 60),
            (other, 2, 10, 0, 30),
        ]:
            core.visits.book(
                client,
                member,
                sunday + timedelta(days=day, hours=hour, minutes=minute),
                length,
                override_hours=True,
            )
        core.visits.book_break(vet, at(MONDAY, 12), 30)
        core.visits.cancel(core.visits.book(client, vet, at(MONDAY, 14), 30).id)
        quarter = timedelta(minutes=15)

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(st.integers(0, 4 * 24 * 4), st.integers(1, 2 * 24 * 4))
        def run(offset: int, quarters: int) -> None:
            start = sunday + offset * quarter
            end = start + quarters * quarter
            with backend.unit_of_work(core.tenant) as uow:
                found = uow.visits.busy([vet, other], start, end)
            shown = [
                (v.staff_id, v.start, v.end)
                for member in (vet, other)
                for v in core.calendar.for_staff(member, start, end)
                if v.holds_time
            ]
            assert found == sorted(shown, key=lambda e: (str(e[0]), e[1]))

        run()

    def test_free_slots_of_unknown_staff_are_not_found(
        self, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        core, vet, _client = clinic
        stranger = core.for_tenant(new_tenant()).staff.add("Dr Obcy").id
        for staff_ids in ([uuid4()], [vet, uuid4()], [vet, stranger], [stranger]):
            with pytest.raises(NotFound):
                core.calendar.free_slots(staff_ids, 30, at(MONDAY, 0), at(MONDAY, 23))
        assert core.calendar.free_slots(
            [vet, vet], 30, at(MONDAY, 9), at(MONDAY, 10)
        ) == core.calendar.free_slots([vet], 30, at(MONDAY, 9), at(MONDAY, 10))

    def test_working_hours_of_many_staff_members_at_once(
        self, backend: Backend, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        """``get_many`` of working hours: each one's ``get``, by id, for those whose hours
        were set in the tenant; none for the others and for ids of no staff member of the
        tenant."""
        core, vet, _client = clinic
        unset = core.staff.add("Dr Adam").id
        night = core.staff.add("Dr Night").id
        core.staff.set_hours(
            night,
            [WeeklySlot(0, TimeRange(time(0), time(6)))],
            [DayOverride(MONDAY, (TimeRange(time(1), time(2)),))],
        )
        elsewhere = core.for_tenant(new_tenant())
        stranger = elsewhere.staff.add("Dr Obcy").id
        elsewhere.staff.set_hours(stranger, every_day(time(8), time(9)))
        asked = [night, vet, unset, stranger, uuid4(), vet]
        with backend.unit_of_work(core.tenant) as uow:
            hours = uow.records(WORKING_HOURS)
            many = hours.get_many(asked)
            assert many == {staff_id: hours.get(staff_id) for staff_id in (night, vet)}
            assert hours.get_many([]) == {}
            for missing in (unset, stranger):
                with pytest.raises(NotFound):
                    hours.get(missing)
        assert many[vet] == core.staff.hours(vet)
        assert many[night] == core.staff.hours(night)
        assert many[night].overrides[0].hours == (TimeRange(time(1), time(2)),)
        assert core.staff.hours(unset) == WorkingHours(unset)

    def test_a_staff_members_schedule_is_read_at_once(
        self, backend: Backend, clinic: tuple[Core, UUID, UUID]
    ) -> None:
        """``uow.visits.schedule``: the member (active or not), their hours (empty if never
        set) and the tenant's zone (UTC if never set); NotFound for an id of no staff
        member of the tenant. Taking the booking lock changes nothing of what is read."""
        core, vet, _client = clinic
        resting = core.staff.add("Dr Adam").id
        core.staff.deactivate(resting)
        elsewhere = core.for_tenant(new_tenant())
        stranger = elsewhere.staff.add("Dr Obcy").id
        for lock in (False, True):
            with backend.unit_of_work(core.tenant) as uow:
                assert uow.visits.schedule(vet, lock=lock) == Schedule(
                    uow.records(STAFF).get(vet),
                    uow.records(WORKING_HOURS).get(vet),
                    "Europe/Warsaw",
                )
                read = uow.visits.schedule(resting, lock=lock)
                assert read.member == core.staff.get(resting)
                assert not read.member.active
                assert read.hours == WorkingHours(resting)
                for unknown in (stranger, uuid4()):
                    with pytest.raises(NotFound):
                        uow.visits.schedule(unknown, lock=lock)
            with backend.unit_of_work(elsewhere.tenant) as uow:
                assert uow.visits.schedule(stranger, lock=lock).time_zone == "UTC"


class RaceContract(BackendContract):
    race_attempts = 300
    """Attempts in the contract run; the SQL race tests (``tests/sql/test_booking_race.py``)
    run the full 1,000 of the issue, from several processes too."""

    def test_concurrent_bookings_never_double_book(self, core: Core) -> None:
        vet = core.staff.add("Dr Race").id
        core.staff.set_hours(vet, every_day(time(0), time(23, 59)))
        client = core.clients.register(last_name="Nowak").id

        work = attempts(self.race_attempts, at(MONDAY, 8))
        result = run_race(booker(core, client, vet), work)
        assert result.unexpected == ()
        assert result.booked + result.refused == len(work)
        held = [
            (v.start, v.end)
            for v in core.calendar.for_staff(vet, at(MONDAY, 0), at(MONDAY, 23))
            if v.holds_time
        ]
        assert len(held) == result.booked
        assert result.booked > 1
        assert result.refused > 0
        assert overlapping_pairs(held) == 0
