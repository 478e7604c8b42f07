"""Contract: bad input is refused with a typed error, identically on every adapter, and
changes nothing; input that is accepted is stored as given (or as its documented normal
form), never silently changed into another value.

Each case here was once seen escaping as a driver or Python error (``decimal.Overflow``,
``UnicodeEncodeError``, ``OverflowError``, ``AttributeError``, ``StorageError`` for a
malformed id) or changing a value without a word ("ß" stored as the country "SS").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

import clientcore
from clientcore.entities.common import Actor, Role
from clientcore.entities.contacts import Address, AddressKind
from clientcore.entities.working_hours import DayOverride, TimeRange, WeeklySlot
from clientcore.errors import ConcurrencyError, ValidationError
from clientcore.facade import Core
from clientcore.operations.calendar import FREE_SLOTS_MAX
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.kinds import INVOICES, Invoice

FAR_FUTURE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, 0, 0, tzinfo=UTC)
SURROGATE = "\ud800"
MALFORMED_IDS: list[Any] = ["not-a-uuid", str(uuid4()), 1, 1.5, b"\x00" * 16]


def _refused(call: Callable[[], object], field: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    if field is not None:
        assert refused.value.field == field, refused.value
    return refused.value


def _snapshot(core: Core, client_id: UUID) -> tuple[object, int]:
    """What a refused call must leave as it was: the client and the length of its history."""
    return core.clients.get(client_id), len(core.clients.history(client_id))


class InputContract(BackendContract):
    @pytest.fixture
    def numbered(self, core: Core) -> Core:
        core.setup.define_attribute("weight", label="Weight", type="number")
        return core

    @pytest.mark.parametrize("number", ["1e1000000", "-1e1000000", "1e-1000000", "9" * 200])
    def test_a_number_past_any_decimal_context_is_refused_everywhere(
        self, numbered: Core, number: str
    ) -> None:
        core = numbered
        client = core.clients.register(last_name="Nowak")
        before = _snapshot(core, client.id)
        _refused(lambda: core.clients.register(last_name="X", attributes={"weight": number}))
        _refused(lambda: core.clients.set_attribute(client.id, "weight", number))
        _refused(lambda: core.clients.update(client.id, attributes={"weight": number}))
        _refused(lambda: core.clients.search(attribute=("weight", number)))
        assert _snapshot(core, client.id) == before
        assert [c.id for c in core.clients.search("").clients] == [client.id]

    def test_a_number_is_never_rounded_into_another(self, numbered: Core) -> None:
        client = numbered.clients.register(last_name="Nowak")
        _refused(
            lambda: numbered.clients.set_attribute(
                client.id, "weight", "1.000000000000000000000000000001"
            )
        )
        stored = numbered.clients.set_attribute(client.id, "weight", "12.500").attributes
        assert numbered.clients.get(client.id).attributes == stored
        assert str(stored["weight"]) == "12.5"

    def test_lone_surrogates_in_lookups_are_refused_alike(self, numbered: Core) -> None:
        core = numbered
        client = core.clients.register(last_name="Nowak", code="A-1")
        core.notes.add(client.id, "hello", project="p")
        before = _snapshot(core, client.id)
        _refused(lambda: core.clients.by_code(SURROGATE), "code")
        _refused(lambda: core.clients.by_code("A" + SURROGATE), "code")
        _refused(lambda: core.notes.for_project(SURROGATE), "project")
        _refused(lambda: core.clients.set_attribute(client.id, SURROGATE, 1), "key")
        _refused(lambda: core.clients.clear_attribute(client.id, SURROGATE), "key")
        _refused(lambda: core.clients.search(attribute=(SURROGATE, 1)), "attribute")
        _refused(lambda: core.clients.search(SURROGATE), "text")
        _refused(lambda: core.clients.by_code("A\x00"), "code")
        assert _snapshot(core, client.id) == before

    @pytest.mark.parametrize("actor_id", ["", SURROGATE, "a\x00", "a\nb", "x" * 257])
    def test_an_actor_id_no_store_can_keep_is_refused(self, core: Core, actor_id: str) -> None:
        refused = _refused(lambda: Actor(actor_id), "actor")
        assert isinstance(refused, ValueError)
        assert core.clients.search("").clients == ()

    def test_an_unknown_role_is_refused_with_a_typed_error(self, core: Core) -> None:
        refused = _refused(lambda: Actor("rita", roles={"king"}), "roles")
        assert isinstance(refused, ValueError)
        _refused(lambda: Actor("rita", roles="owner"), "roles")
        assert Actor("rita", roles={"owner"}).roles == {Role.OWNER}
        _refused(lambda: core.acting_as("rita"), "actor")  # type: ignore[arg-type]

    @pytest.mark.parametrize("moment", [FAR_FUTURE, FAR_PAST, datetime(1899, 12, 31, tzinfo=UTC)])
    def test_instants_at_the_ends_of_the_range_are_refused(
        self, core: Core, moment: datetime
    ) -> None:
        vet = core.staff.add("Dr Ewa")
        core.staff.set_hours(
            vet.id, [WeeklySlot(d, TimeRange(time(0), time(23))) for d in range(7)]
        )
        client = core.clients.register(last_name="Nowak")
        later = moment + timedelta(hours=12) if moment < FAR_FUTURE else moment
        earlier = moment - timedelta(hours=12) if moment > FAR_PAST else moment
        calls: list[Callable[[], object]] = [
            lambda: core.visits.book(client.id, vet.id, moment, 30, override_hours=True),
            lambda: core.visits.book_break(vet.id, moment, 30, override_hours=True),
            lambda: core.calendar.for_staff(vet.id, earlier, later),
            lambda: core.calendar.free_slots([vet.id], 30, earlier, later),
            lambda: core.calendar.export_ical(vet.id, earlier, later),
            lambda: core.consents.record(
                client.id, "notifications", granted=True, source="form", at=moment
            ),
        ]
        for call in calls:
            _refused(call)
        visit = core.visits.book(
            client.id, vet.id, datetime(2026, 6, 1, 10, tzinfo=UTC), 30, override_hours=True
        )
        _refused(lambda: core.visits.reschedule(visit.id, start=moment, override_hours=True))
        _refused(lambda: core.staff.set_hours(vet.id, [], [DayOverride(date(9999, 12, 31))]))
        assert core.visits.get(visit.id) == visit
        assert core.calendar.for_client(client.id).upcoming == (visit,)

    def test_wrong_types_in_consents_and_search_filters_are_refused(self, numbered: Core) -> None:
        core = numbered
        client = core.clients.register(last_name="Nowak")
        _refused(
            lambda: core.consents.record(
                client.id,
                "notifications",
                granted=True,
                source="form",
                at="2020-01-01",  # type: ignore[arg-type]
            ),
            "at",
        )
        _refused(lambda: core.clients.search(attribute=1), "attribute")  # type: ignore[arg-type]
        _refused(lambda: core.clients.search(attribute=("weight",)), "attribute")  # type: ignore[arg-type]
        _refused(lambda: core.clients.search(attribute=["weight", 1]), "attribute")  # type: ignore[arg-type]
        assert core.consents.history(client.id) == []

    @pytest.mark.parametrize("country", ["ß", "ﬀ", "ǅ", "P1", "PLN", "Ｐ", "ıs"])
    def test_a_country_is_checked_before_its_case_is_changed(
        self, core: Core, country: str
    ) -> None:
        _refused(
            lambda: core.clients.register(
                last_name="Nowak", addresses=[Address(AddressKind.RESIDENCE, country=country)]
            ),
            "addresses.country",
        )
        assert core.clients.search("").clients == ()
        stored = core.clients.register(
            last_name="Nowak", addresses=[Address(AddressKind.RESIDENCE, city="Łódź", country="pl")]
        )
        assert core.clients.get(stored.id).addresses[0].country == "PL"

    @pytest.mark.parametrize("bad", MALFORMED_IDS)
    def test_a_malformed_id_is_a_validation_error_on_every_adapter(
        self, core: Core, bad: Any
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        group = core.setup.define_group("VIP")
        before = _snapshot(core, client.id)
        calls: list[Callable[[], object]] = [
            lambda: core.clients.get(bad),
            lambda: core.clients.update(bad, last_name="X"),
            lambda: core.clients.history(bad),
            lambda: core.staff.get(bad),
            lambda: core.staff.hours(bad),
            lambda: core.visits.get(bad),
            lambda: core.subjects.get(bad),
            lambda: core.notes.for_client(bad),
            lambda: core.consents.history(bad),
            lambda: core.calendar.for_client(bad),
            lambda: core.clients.assign_groups(client.id, bad),
            lambda: core.clients.unassign_group(client.id, bad),
            lambda: core.clients.update(client.id, group_ids=[group.id, bad]),
            lambda: core.clients.update(client.id, caretaker_id=bad),
            lambda: core.clients.search(group_id=bad),
            lambda: core.clients.search(caretaker_id=bad),
        ]
        for call in calls:
            _refused(call)
        assert _snapshot(core, client.id) == before

    def test_a_hosts_records_are_checked_against_their_fields(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        invoices = core.records(INVOICES)
        issued = datetime(2026, 1, 1, tzinfo=UTC)
        calls: list[Callable[[], object]] = [
            lambda: invoices.get("not-a-uuid"),
            lambda: invoices.get(SURROGATE),
            lambda: invoices.find(number=SURROGATE),
            lambda: invoices.find(client_id="x"),
            lambda: invoices.count(number="FV\x00"),
            lambda: invoices.add(Invoice(uuid4(), client.id, SURROGATE, issued, Decimal(1))),
            lambda: invoices.add(Invoice(uuid4(), client.id, "FV/1", FAR_FUTURE, Decimal(1))),
            lambda: invoices.add(Invoice(uuid4(), "x", "FV/1", issued, Decimal(1))),  # type: ignore[arg-type]
        ]
        for call in calls:
            _refused(call)
        assert invoices.find() == []
        assert core.clients.history(client.id)[-1].kind == "client.registered"

    @pytest.mark.parametrize("zone", ["0" * 256, "Europe", "../etc", SURROGATE])
    def test_a_time_zone_that_names_no_zone_file_is_refused(self, core: Core, zone: str) -> None:
        """Found by the property of clientcore.testing.inputs: a name too long for a file
        raised OSError from zoneinfo."""
        before = core.setup.settings()
        _refused(lambda: core.setup.configure(default_region="PL", time_zone=zone), "time_zone")
        assert core.setup.settings() == before

    @pytest.mark.parametrize("version", ["1", 1.0, True])
    def test_an_expected_version_that_is_no_int_is_a_validation_error(
        self, core: Core, version: Any
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        _refused(
            lambda: core.clients.update(client.id, expected_version=version, last_name="X"),
            "expected_version",
        )
        _refused(lambda: core.clients.delete(client.id, expected_version=version))
        assert core.clients.get(client.id) == client

    def test_free_slots_past_the_bound_are_refused_not_built(self, core: Core) -> None:
        members = [core.staff.add(f"Dr {n}") for n in range(3)]
        for member in members:
            core.staff.set_hours(
                member.id, [WeeklySlot(d, TimeRange(time(0), time(23, 59))) for d in range(7)]
            )
        start = datetime(2030, 1, 1, tzinfo=UTC)
        ids = [member.id for member in members]
        refused = _refused(
            lambda: core.calendar.free_slots(
                ids, 1, start, start + timedelta(days=366), step_minutes=1
            ),
            "end",
        )
        assert str(FREE_SLOTS_MAX) in str(refused)
        page = core.calendar.free_slots(ids, 30, start, start + timedelta(days=1), step_minutes=30)
        assert 0 < len(page) <= FREE_SLOTS_MAX

    def test_every_change_of_a_client_takes_an_expected_version(self, numbered: Core) -> None:
        core = numbered
        group = core.setup.define_group("VIP")
        client = core.clients.register(last_name="Nowak")
        changes: list[Callable[[int], clientcore.Client]] = [
            lambda v: core.clients.set_attribute(client.id, "weight", 12, expected_version=v),
            lambda v: core.clients.clear_attribute(client.id, "weight", expected_version=v),
            lambda v: core.clients.assign_groups(client.id, group.id, expected_version=v),
            lambda v: core.clients.unassign_group(client.id, group.id, expected_version=v),
            lambda v: core.clients.deactivate(client.id, expected_version=v),
            lambda v: core.clients.reactivate(client.id, expected_version=v),
            lambda v: core.clients.update(client.id, expected_version=v, remarks="calm"),
        ]
        for change in changes:
            current = core.clients.get(client.id)
            with pytest.raises(ConcurrencyError):
                change(current.version - 1)
            assert core.clients.get(client.id) == current
            changed = change(current.version)
            assert changed.version == current.version + 1
            assert core.clients.get(client.id) == changed

    def test_unversioned_changes_racing_on_one_client_lose_nothing(self, numbered: Core) -> None:
        """Writers that give no version never get ConcurrencyError: a change that lost the
        row to another is run again on what that one wrote (on the servers, the database
        itself refuses the loser; see tests/sql)."""
        core = numbered
        keys = [f"k{n}" for n in range(4)]
        for key in keys:
            core.setup.define_attribute(key, label=key, type="number")
        groups = [core.setup.define_group(f"G{n}") for n in range(4)]
        client = core.clients.register(last_name="Nowak")
        outcomes = race_unversioned(core, client.id, keys, [group.id for group in groups])
        assert outcomes == {}, {name: repr(error) for name, error in outcomes.items()}
        stored = core.clients.get(client.id)
        assert set(stored.attributes) == set(keys)
        assert stored.group_ids == {group.id for group in groups}

    @pytest.mark.parametrize(
        "typed", ["tel:+48601234567", "+48 601 234 567 ext. 12", "601\u200b234\u200b567"]
    )
    def test_a_phone_accepted_at_registration_is_found_as_typed(
        self, core: Core, typed: str
    ) -> None:
        client = core.clients.register(last_name="Nowak", phones=[typed])
        core.clients.register(last_name="Kowalski", phones=["+48 602 000 000"])
        assert [c.id for c in core.clients.search(typed).clients] == [client.id]
        assert [c.id for c in core.clients.search("601 234 567").clients] == [client.id]


def race_unversioned(
    core: Core, client_id: UUID, keys: list[str], group_ids: list[UUID], rounds: int = 3
) -> dict[str, BaseException]:
    """Threads that set an attribute each and assign a group each, all on one client at
    once, without a version; the errors they met, by thread (none is expected)."""
    start = threading.Barrier(len(keys) + len(group_ids), timeout=60)
    errors: dict[str, BaseException] = {}

    def run(name: str, change: Callable[[], object]) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                change()
        except Exception as error:
            errors[name] = error

    threads = [
        threading.Thread(
            target=run,
            args=(key, lambda key=key: core.clients.set_attribute(client_id, key, 1)),
        )
        for key in keys
    ] + [
        threading.Thread(
            target=run,
            args=(str(group), lambda group=group: core.clients.assign_groups(client_id, group)),
        )
        for group in group_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
