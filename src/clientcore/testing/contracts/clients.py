"""Contract: registering, changing, deactivating and deleting clients; their history."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

import clientcore
from clientcore.entities.attribute import AttributeType
from clientcore.entities.client import (
    ClientKind,
    ClientStatus,
    DocumentKind,
    IdentityDocument,
    NameDay,
)
from clientcore.entities.common import Actor, Role
from clientcore.entities.consent import Purpose
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.errors import (
    ActorRequired,
    ClientInUse,
    ConcurrencyError,
    DuplicateCode,
    DuplicateName,
    ImportRowError,
    NotFound,
    ValidationError,
)
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import new_tenant
from clientcore.testing.contracts.base import BackendContract

EDITORS = ("Kowalski", "Lis")
WAIT = 60.0
"""Seconds an editor waits for the other before giving up (a failure, never a hang)."""


def edit_race(
    core: Core, client_id: UUID, before_saving: threading.Barrier | None
) -> dict[str, object]:
    """Two editors read the client, meet, and save their own last name with the version
    they read; what happened to each: "won", "lost" (ConcurrencyError) or the error."""
    outcomes: dict[str, object] = {}

    def edit(name: str) -> None:
        try:
            seen = core.clients.get(client_id)
            if before_saving is not None:
                before_saving.wait()
            core.clients.update(client_id, expected_version=seen.version, last_name=name)
            outcomes[name] = "won"
        except ConcurrencyError:
            outcomes[name] = "lost"
        except BaseException as error:
            if before_saving is not None:
                before_saving.abort()
            outcomes[name] = error

    editors = [threading.Thread(target=edit, args=(name,)) for name in EDITORS]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join()
    return outcomes


def assert_one_winner(core: Core, client_id: UUID, outcomes: dict[str, object]) -> None:
    assert sorted(outcomes.values(), key=repr) == ["lost", "won"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    stored = core.clients.get(client_id)
    assert (stored.last_name, stored.version) == (winner, 2)
    assert [event.kind for event in core.clients.history(client_id)] == [
        "client.registered",
        "client.updated",
    ]


class ClientContract(BackendContract):
    def test_many_clients_are_read_at_once(self, core: Core, backend: Backend) -> None:
        """``get_many``: each asked client of the tenant as ``get`` reads it, by id; none for
        unknown ids and another tenant's clients."""
        first = core.clients.register(last_name="Nowak", phones=["601 234 567"]).id
        second = core.clients.register(last_name="Kowalska", emails=["k@example.com"]).id
        stranger = core.for_tenant(new_tenant()).clients.register(last_name="Obcy").id
        with backend.unit_of_work(core.tenant) as uow:
            many = uow.clients.get_many([second, stranger, uuid4(), first, second])
            assert many == {key: uow.clients.get(key) for key in (first, second)}
            assert uow.clients.get_many([]) == {}
        assert many[first] == core.clients.get(first)

    def test_two_editors_of_one_version_have_one_winner(self, core: Core) -> None:
        """Both read version 1 and save at the same moment: one wins, the other gets
        ConcurrencyError, never a silent overwrite."""
        for _ in range(5):
            client = core.clients.register(last_name="Nowak")
            outcomes = edit_race(core, client.id, threading.Barrier(len(EDITORS), timeout=WAIT))
            assert_one_winner(core, client.id, outcomes)

    def test_a_registrations_event_is_at_the_clients_creation(self, core: Core) -> None:
        """The clock ticks on every reading: each client's registration event is still at
        its ``created_at``, one import's events at the one time of its clients."""
        single = core.clients.register(last_name="Nowak")
        imported = core.clients.import_many([{"last_name": f"Kowalski {i}"} for i in range(3)])
        for client in (single, *imported):
            assert [event.at for event in core.clients.history(client.id)] == [client.created_at]
        assert len({client.created_at for client in imported}) == 1

    def test_codes_come_from_a_counter_in_order(self, core: Core) -> None:
        codes = [core.clients.register(last_name=f"Nowak {i}").code for i in range(3)]
        assert codes == ["1", "2", "3"]

    def test_a_deleted_clients_code_is_never_reused(self, core: Core) -> None:
        first = core.clients.register(last_name="Nowak")
        core.clients.delete(first.id)
        assert core.clients.register(last_name="Kowalski").code == "2"

    def test_hand_set_code_is_kept_and_skipped_by_the_counter(self, core: Core) -> None:
        core.clients.register(last_name="Hand", code="2")
        auto = [core.clients.register(last_name=f"Auto {i}").code for i in range(2)]
        assert auto == ["1", "3"]
        assert core.clients.by_code("2").last_name == "Hand"

    def test_duplicate_code_is_refused_on_register_and_update(self, core: Core) -> None:
        core.clients.register(last_name="A", code="K-1")
        other = core.clients.register(last_name="B")
        with pytest.raises(DuplicateCode):
            core.clients.register(last_name="C", code="K-1")
        with pytest.raises(DuplicateCode):
            core.clients.update(other.id, code="K-1")
        assert core.clients.get(other.id).code == other.code

    def test_codes_differ_by_case_and_trailing_characters(self, core: Core) -> None:
        core.clients.register(last_name="A", code="ab")
        core.clients.register(last_name="B", code="AB")
        core.clients.register(last_name="C", code="ab.")
        assert core.clients.by_code("AB").last_name == "B"

    def test_code_must_not_be_blank_or_contain_spaces(self, core: Core) -> None:
        for bad in ("", "  ", "a b", "x" * 33):
            with pytest.raises(ValidationError) as info:
                core.clients.register(last_name="A", code=bad)
            assert info.value.field == "code"

    def test_register_stores_every_field(self, core: Core) -> None:
        staff = core.staff.add("Dr Anna")
        group = core.setup.define_group("regulars")
        core.setup.define_attribute("weight", label="Weight", type=AttributeType.NUMBER)
        client = core.clients.register(
            first_name="Łukasz",
            last_name="Żółć",
            phones=["601 234 567", Phone("+31 6 12345678", label="NL", primary=True)],
            emails=["Lukasz@Example.com"],
            addresses=[
                Address(
                    AddressKind.RESIDENCE,
                    street="Długa 1",
                    postal_code="00-001",
                    city="Warszawa",
                    country="pl",
                )
            ],
            description="Prefers mornings.\nAllergic to penicillin.",
            source="leaflet",
            caretaker_id=staff.id,
            name_day=NameDay(month=10, day=18),
            birthday=date(1980, 2, 29),
            identity_documents=[IdentityDocument(DocumentKind.PASSPORT, "AB123456")],
            remarks="VIP",
            group_ids=[group.id],
            attributes={"weight": "72.50"},
        )
        stored = core.clients.get(client.id)
        assert stored == client
        assert stored.phones == (
            Phone("+48601234567", "", False),
            Phone("+31612345678", "NL", True),
        )
        assert stored.primary_phone == Phone("+31612345678", "NL", True)
        assert stored.emails == (Email("Lukasz@example.com", "", True),)
        assert stored.addresses[0].country == "PL"
        assert stored.attributes == {"weight": Decimal("72.5")}
        assert stored.group_ids == {group.id}
        assert stored.version == 1
        assert stored.status is ClientStatus.ACTIVE

    def test_company_needs_a_company_name_and_person_a_name(self, core: Core) -> None:
        with pytest.raises(ValidationError):
            core.clients.register(kind=ClientKind.COMPANY, first_name="Jan")
        with pytest.raises(ValidationError):
            core.clients.register(first_name=" ", last_name="")
        company = core.clients.register(kind="company", company_name="Vet & Co")
        assert company.display_name == "Vet & Co"

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"phones": ["12"]}, "phones"),
            ({"phones": ["not a phone"]}, "phones"),
            ({"phones": "601234567"}, "phones"),
            ({"phones": ["601234567", "+48 601 234 567"]}, "phones"),
            ({"emails": ["no-at-sign"]}, "emails"),
            ({"emails": ["a@b@c.com"]}, "emails"),
            (
                {
                    "emails": [
                        Email("a@example.com", primary=True),
                        Email("b@example.com", primary=True),
                    ]
                },
                "emails",
            ),
            ({"birthday": date(2999, 1, 1)}, "birthday"),
            ({"birthday": "1980-01-01"}, "birthday"),
            (
                {"addresses": [Address(AddressKind.RESIDENCE), Address(AddressKind.RESIDENCE)]},
                "addresses",
            ),
            (
                {"addresses": [Address(AddressKind.RESIDENCE, country="Poland")]},
                "addresses.country",
            ),
            ({"first_name": "x" * 101}, "first_name"),
            ({"first_name": "line\nbreak"}, "first_name"),
            ({"remarks": "nul\x00"}, "remarks"),
            ({"kind": "robot"}, "kind"),
            ({"attributes": {"undefined": 1}}, "attributes"),
            ({"group_ids": ["not-a-uuid"]}, "group_ids"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_bad_input_is_refused_with_the_field_named(
        self, core: Core, fields: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ValidationError) as info:
            core.clients.register(last_name="Nowak", **fields)  # type: ignore[arg-type]
        assert info.value.field == field
        assert core.clients.search(status="all").clients == ()

    def test_name_day_rejects_impossible_days(self) -> None:
        with pytest.raises(ValidationError):
            NameDay(month=2, day=30)
        assert NameDay(month=2, day=29).day == 29

    def test_unknown_ids_are_not_found(self, core: Core) -> None:
        with pytest.raises(NotFound):
            core.clients.get(uuid4())
        with pytest.raises(NotFound):
            core.clients.update(uuid4(), last_name="X")
        with pytest.raises(NotFound):
            core.clients.register(last_name="X", caretaker_id=uuid4())
        with pytest.raises(NotFound):
            core.clients.register(last_name="X", group_ids=[uuid4()])
        with pytest.raises(NotFound):
            core.clients.by_code("nope")

    def test_a_clients_status_is_read_alone_within_its_tenant(
        self, core: Core, backend: Backend
    ) -> None:
        active = core.clients.register(last_name="Nowak")
        inactive = core.clients.deactivate(core.clients.register(last_name="Lis").id)
        stranger = clientcore.open(backend, tenant=new_tenant(), actor=core.actor).clients.register(
            last_name="Obcy"
        )
        with backend.unit_of_work(core.tenant, read_only=True) as uow:
            assert uow.clients.status(active.id) is ClientStatus.ACTIVE
            assert uow.clients.status(inactive.id) is ClientStatus.INACTIVE
            for unknown in (uuid4(), stranger.id):
                with pytest.raises(NotFound):
                    uow.clients.status(unknown)

    def test_inactive_staff_cannot_become_caretaker(self, core: Core) -> None:
        staff = core.staff.deactivate(core.staff.add("Former").id)
        with pytest.raises(ValidationError):
            core.clients.register(last_name="X", caretaker_id=staff.id)

    def test_update_changes_only_given_fields_and_bumps_version(self, core: Core) -> None:
        client = core.clients.register(first_name="Jan", last_name="Nowak", phones=["601234567"])
        updated = core.clients.update(client.id, last_name="Kowalski")
        assert updated.version == 2
        assert updated.first_name == "Jan"
        assert updated.phones == client.phones
        assert core.clients.get(client.id) == updated

    def test_update_without_a_change_keeps_the_version(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        assert core.clients.update(client.id, last_name="Nowak") == client
        assert len(core.clients.history(client.id)) == 1

    def test_stale_expected_version_is_a_concurrency_error(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        core.clients.update(client.id, expected_version=1, last_name="Kowalski")
        with pytest.raises(ConcurrencyError):
            core.clients.update(client.id, expected_version=1, last_name="Wiśniewski")
        assert core.clients.get(client.id).last_name == "Kowalski"

    def test_deactivate_and_reactivate(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        assert core.clients.deactivate(client.id).status is ClientStatus.INACTIVE
        assert core.clients.reactivate(client.id).status is ClientStatus.ACTIVE
        kinds = [event.kind for event in core.clients.history(client.id)]
        assert kinds == ["client.registered", "client.inactive", "client.active"]

    def test_groups_assign_and_unassign(self, core: Core) -> None:
        regulars, allergic = (
            core.setup.define_group("regulars"),
            core.setup.define_group("allergic"),
        )
        client = core.clients.register(last_name="Nowak")
        client = core.clients.assign_groups(client.id, regulars.id, allergic.id)
        assert client.group_ids == {regulars.id, allergic.id}
        client = core.clients.unassign_group(client.id, regulars.id)
        assert core.clients.get(client.id).group_ids == {allergic.id}
        with pytest.raises(DuplicateName):
            core.setup.define_group("allergic")
        assert [g.name for g in core.setup.groups()] == ["allergic", "regulars"]

    def test_attributes_are_typed_and_validated(self, core: Core) -> None:
        core.setup.define_attribute("vip", label="VIP", type="flag")
        core.setup.define_attribute("since", label="Client since", type=AttributeType.DATE)
        core.setup.define_attribute("tier", label="Tier", type="choice", choices=["gold", "silver"])
        core.setup.define_attribute("nickname", label="Nickname", type="text")
        core.setup.define_attribute("balance", label="Balance", type="number")
        client = core.clients.register(last_name="Nowak")
        for key, value in [
            ("vip", "yes"),
            ("since", "2020-01-01"),
            ("tier", "bronze"),
            ("balance", "1e400"),
            ("balance", 1.5),
            ("nickname", "x" * 1001),
        ]:
            with pytest.raises(ValidationError):
                core.clients.set_attribute(client.id, key, value)
        core.clients.set_attribute(client.id, "vip", True)
        core.clients.set_attribute(client.id, "since", date(2020, 1, 1))
        core.clients.set_attribute(client.id, "tier", "gold")
        core.clients.set_attribute(client.id, "nickname", "Łuki")
        client = core.clients.set_attribute(client.id, "balance", Decimal("-12.340"))
        assert core.clients.get(client.id).attributes == {
            "vip": True,
            "since": date(2020, 1, 1),
            "tier": "gold",
            "nickname": "Łuki",
            "balance": Decimal("-12.34"),
        }
        client = core.clients.clear_attribute(client.id, "vip")
        assert "vip" not in core.clients.get(client.id).attributes
        with pytest.raises(DuplicateName):
            core.setup.define_attribute("vip", label="again", type="flag")
        with pytest.raises(ValidationError):
            core.setup.define_attribute("Bad Key", label="x", type="text")
        with pytest.raises(ValidationError):
            core.setup.define_attribute("colour", label="x", type="choice")
        assert [d.key for d in core.setup.attributes()] == [
            "balance",
            "nickname",
            "since",
            "tier",
            "vip",
        ]

    def test_delete_an_unreferenced_client(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        core.clients.delete(client.id)
        with pytest.raises(NotFound):
            core.clients.get(client.id)
        assert [e.kind for e in core.clients.history(client.id)] == [
            "client.registered",
            "client.deleted",
        ]

    def test_delete_a_referenced_client_points_to_deactivation(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        core.subjects.add(client.id, kind="pet", name="Burek")
        core.consents.record(client.id, Purpose.DATA_PROCESSING, granted=True, source="form")
        with pytest.raises(ClientInUse) as info:
            core.clients.delete(client.id)
        assert set(info.value.referenced_by) == {"subjects", "consents"}
        assert "core.clients.deactivate" in str(info.value)
        assert core.clients.get(client.id) == client

    def test_history_records_actor_time_and_field_changes(self, core: Core) -> None:
        client = core.clients.register(first_name="Jan", last_name="Nowak")
        reception = core.acting_as(Actor("rita", roles={Role.RECEPTION}))
        reception.clients.update(client.id, last_name="Kowalski", emails=["jan@example.com"])
        events = core.clients.history(client.id)
        assert [e.kind for e in events] == ["client.registered", "client.updated"]
        registered, updated = events
        assert registered.actor_id == "owner-1"
        assert registered.actor_roles == {Role.OWNER}
        assert updated.actor_id == "rita"
        assert updated.at > registered.at
        assert {(c.field, c.old, c.new) for c in updated.changes} == {
            ("last_name", "Nowak", "Kowalski"),
            ("emails", None, "jan@example.com *"),
        }
        assert ("first_name", None, "Jan") in {(c.field, c.old, c.new) for c in registered.changes}

    def test_every_imported_client_has_its_registration_event(self, core: Core) -> None:
        count = 501  # an import's events may be written in groups: several of them
        imported = core.clients.import_many([{"last_name": f"Imported{i}"} for i in range(count)])
        for client in imported:
            (event,) = core.clients.history(client.id)
            assert (event.kind, event.entity_id, event.actor_id) == (
                "client.registered",
                client.id,
                "owner-1",
            )
            assert ("last_name", None, client.last_name) in {
                (c.field, c.old, c.new) for c in event.changes
            }

    def test_changes_need_an_actor(self, backend: Backend) -> None:
        anonymous = clientcore.open(backend, tenant=new_tenant())
        with pytest.raises(ActorRequired):
            anonymous.clients.register(last_name="Nowak")
        assert anonymous.clients.search(status="all").clients == ()

    @pytest.mark.parametrize(
        ("row", "field", "message"),
        [
            ({"last_name": "Lis", "phones": ["bad"]}, "phones", "row 2: phones: "),
            (
                {"last_name": "Lis", "code": "K-9", "emails": ["no-at-sign"]},
                "emails",
                "row 2 (code 'K-9'): emails: ",
            ),
            ({"code": "K-9", "first_name": ""}, "last_name", "row 2 (code 'K-9'): last_name: "),
            ({"last_name": "Lis", "colour": "red"}, "colour", "row 2: colour: "),
            ({"last_name": "Lis", "code": "   "}, "code", "row 2: code: "),
        ],
    )
    def test_a_refused_import_row_is_named(
        self, core: Core, row: dict[str, object], field: str, message: str
    ) -> None:
        rows = [{"last_name": "Nowak"}, {"last_name": "Wrona", "code": "K-1"}, row]
        with pytest.raises(ImportRowError) as refused:
            core.clients.import_many(rows)  # type: ignore[arg-type]
        assert (refused.value.row, refused.value.field) == (2, field)
        given = row.get("code")
        assert refused.value.code == (given if isinstance(given, str) and given.strip() else None)
        assert str(refused.value).startswith(message)
        assert core.clients.search(status="all").clients == ()
        with pytest.raises(ImportRowError) as refused:
            core.clients.import_many([{"last_name": "Nowak"}, "Lis"])  # type: ignore[list-item]
        assert (refused.value.row, refused.value.field) == (1, "row")
        with pytest.raises(ValidationError) as single:
            core.clients.register(last_name="Lis", phones=["bad"])
        assert type(single.value) is ValidationError
        assert str(single.value).startswith("phones: ")

    def test_import_is_all_or_nothing(self, core: Core) -> None:
        core.clients.register(last_name="Existing", code="7")
        with pytest.raises(DuplicateCode):
            core.clients.import_many([{"last_name": "A"}, {"last_name": "B", "code": "7"}])
        with pytest.raises(ValidationError):
            core.clients.import_many([{"last_name": "A"}, {"last_name": "B", "phones": ["bad"]}])
        assert len(core.clients.search(status="all").clients) == 1
        imported = core.clients.import_many([{"last_name": f"N{i}"} for i in range(5)])
        numbers = [int(c.code) for c in imported]
        assert numbers == sorted(set(numbers))
        assert 7 not in numbers
        assert len(core.clients.search(status="all").clients) == 6
