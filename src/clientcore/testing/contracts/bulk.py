"""Contract: bulk changes of clients (B1, B2) write every selected client at once, each
with its history event and a new version, all or nothing, and agree with the same change
made client by client."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.bulk import (
    AddGroup,
    BulkChange,
    BulkResult,
    ClearAttribute,
    ClientState,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
    SkipReason,
    applied,
)
from clientcore.entities.client import Client
from clientcore.entities.common import Role
from clientcore.entities.event import Event, EventKind
from clientcore.errors import NotFound, ValidationError
from clientcore.facade import Core
from clientcore.operations.bulk import ClientFilter
from clientcore.testing.clock import new_tenant
from clientcore.testing.contracts.base import BackendContract


def _state(client: Client) -> ClientState:
    return ClientState(
        client.id,
        client.version,
        client.status,
        client.caretaker_id,
        client.group_ids,
        client.attributes,
    )


class BulkContract(BackendContract):
    @pytest.fixture
    def setup(self, core: Core) -> Core:
        core.setup.define_attribute("vip", label="VIP", type="flag")
        core.setup.define_attribute("level", label="Level", type="number")
        return core

    def test_bulk_set_attribute_on_a_list_of_ids(self, setup: Core) -> None:
        core = setup
        a = core.clients.register(last_name="Adamska", attributes={"level": "1.5"})
        b = core.clients.register(last_name="Bednarz")
        c = core.clients.register(last_name="Cichy", attributes={"level": "2"})
        missing = uuid4()
        result = core.bulk.set_attribute("level", "2", client_ids=[a.id, b.id, c.id, missing])
        assert result.changed == (a.id, b.id)
        assert {(s.client_id, s.reason) for s in result.skipped} == {
            (c.id, SkipReason.UNCHANGED),
            (missing, SkipReason.NOT_FOUND),
        }
        assert result.changed_count == 2
        assert core.clients.get(a.id).attributes == {"level": Decimal("2")}
        assert core.clients.get(b.id).attributes == {"level": Decimal("2")}
        assert core.clients.get(a.id).version == a.version + 1
        assert core.clients.get(c.id).version == c.version
        last = core.clients.history(a.id)[-1]
        assert last.kind == EventKind.CLIENT_UPDATED
        assert [(ch.field, ch.old, ch.new) for ch in last.changes] == [
            ("attributes", "level=1.5", "level=2")
        ]
        assert len(core.clients.history(c.id)) == 1
        found = core.clients.search(attribute=("level", Decimal("2.0"))).clients
        assert {client.id for client in found} == {a.id, b.id, c.id}

    def test_bulk_set_and_clear_attribute_on_a_search(self, setup: Core) -> None:
        core = setup
        group = core.setup.define_group("Newsletter")
        inside = [
            core.clients.register(last_name=f"Nowak {i}", group_ids=[group.id]) for i in range(3)
        ]
        outside = core.clients.register(last_name="Kowalski")
        result = core.bulk.set_attribute("vip", True, search=ClientFilter(group_id=group.id))
        assert set(result.changed) == {client.id for client in inside}
        assert core.clients.get(outside.id).attributes == {}
        found = core.clients.search(attribute=("vip", True)).clients
        assert {client.id for client in found} == {client.id for client in inside}
        cleared = core.bulk.clear_attribute("vip", search=ClientFilter(text="nowak"))
        assert set(cleared.changed) == {client.id for client in inside}
        assert core.clients.search(attribute=("vip", True)).clients == ()
        assert all(core.clients.get(c.id).attributes == {} for c in inside)
        again = core.bulk.clear_attribute("vip", client_ids=[c.id for c in inside])
        assert again.changed == ()
        assert {s.reason for s in again.skipped} == {SkipReason.UNCHANGED}

    def test_bulk_change_caretaker_of_every_client_of_the_old_one(self, core: Core) -> None:
        leaving = core.staff.add("Leaving").id
        taking = core.staff.add("Taking over").id
        theirs = [core.clients.register(last_name=f"K{i}", caretaker_id=leaving) for i in range(4)]
        other = core.clients.register(last_name="Other", caretaker_id=taking)
        result = core.bulk.change_caretaker(leaving, taking)
        assert set(result.changed) == {client.id for client in theirs}
        assert core.clients.search(caretaker_id=leaving).clients == ()
        found = core.clients.search(caretaker_id=taking, limit=10).clients
        assert {client.id for client in found} == {*(c.id for c in theirs), other.id}
        event = core.clients.history(theirs[0].id)[-1]
        assert [(ch.field, ch.old, ch.new) for ch in event.changes] == [
            ("caretaker_id", str(leaving), str(taking))
        ]
        assert core.bulk.change_caretaker(leaving, taking).changed == ()

    @pytest.mark.parametrize("listening", [False, True])
    def test_bulk_change_caretaker_records_each_change_and_skips_merged_clients(
        self, core: Core, listening: bool
    ) -> None:
        heard: list[Event] = []
        if listening:  # the events then come from the operation, not the store
            core.events.after_commit(EventKind.CLIENT_UPDATED, heard.append)
        leaving = core.staff.add("Leaving").id
        taking = core.staff.add("Taking over").id
        active = core.clients.register(last_name="Active", caretaker_id=leaving).id
        inactive = core.clients.deactivate(
            core.clients.register(last_name="Inactive", caretaker_id=leaving).id
        ).id
        survivor = core.clients.register(last_name="Survivor", caretaker_id=leaving).id
        merged = core.clients.register(last_name="Merged", caretaker_id=leaving).id
        core.merges.merge(survivor, [merged])
        twins = {
            client_id: core.clients.register(last_name="Twin", caretaker_id=leaving).id
            for client_id in (active, inactive, survivor)
        }
        for twin in twins.values():
            core.clients.update(twin, caretaker_id=taking)
        before = {client_id: core.clients.get(client_id) for client_id in twins}
        merged_history = core.clients.history(merged)
        heard.clear()
        result = core.bulk.change_caretaker(leaving, taking)
        assert sorted(result.changed) == sorted(twins)
        assert [(s.client_id, s.reason) for s in result.skipped] == [(merged, SkipReason.MERGED)]
        for client_id, twin in twins.items():
            client = core.clients.get(client_id)
            assert client.caretaker_id == taking
            assert client.version == before[client_id].version + 1
            assert _recorded(core, client_id)[-1:] == _recorded(core, twin)[-1:]
        assert core.clients.history(merged) == merged_history
        if listening:
            assert {event.client_id for event in heard} == set(twins)
            assert len(heard) == len(twins)
        again = core.bulk.change_caretaker(taking, taking)
        assert again.changed == ()
        assert {s.reason for s in again.skipped} == {SkipReason.UNCHANGED}
        assert len(again.skipped) == 2 * len(twins)

    def test_bulk_caretaker_must_be_an_active_staff_member(self, core: Core) -> None:
        old = core.staff.add("Old").id
        core.clients.register(last_name="K", caretaker_id=old)
        with pytest.raises(NotFound):
            core.bulk.change_caretaker(old, uuid4())
        with pytest.raises(NotFound):
            core.bulk.change_caretaker(uuid4(), old)

    def test_bulk_add_and_remove_a_group(self, core: Core) -> None:
        group = core.setup.define_group("VIP")
        clients = [core.clients.register(last_name=f"G{i}") for i in range(3)]
        ids = [client.id for client in clients]
        core.clients.assign_groups(ids[0], group.id)
        added = core.bulk.add_group(group.id, client_ids=ids)
        assert added.changed == (ids[1], ids[2])
        assert [s.client_id for s in added.skipped] == [ids[0]]
        found = core.clients.search(group_id=group.id).clients
        assert {client.id for client in found} == set(ids)
        assert core.clients.history(ids[1])[-1].kind == EventKind.CLIENT_GROUPED
        removed = core.bulk.remove_group(group.id, search=ClientFilter(group_id=group.id))
        assert set(removed.changed) == set(ids)
        assert core.clients.search(group_id=group.id).clients == ()
        assert all(core.clients.get(i).group_ids == frozenset() for i in ids)
        assert core.clients.history(ids[1])[-1].kind == EventKind.CLIENT_UNGROUPED

    def test_bulk_bad_changes_are_refused_and_change_nothing(self, setup: Core) -> None:
        core = setup
        client = core.clients.register(last_name="Nowak")
        with pytest.raises(ValidationError):
            core.bulk.set_attribute("level", "not a number", client_ids=[client.id])
        with pytest.raises(NotFound):
            core.bulk.set_attribute("unknown", "x", client_ids=[client.id])
        with pytest.raises(NotFound):
            core.bulk.add_group(uuid4(), client_ids=[client.id])
        with pytest.raises(ValidationError):
            core.bulk.add_group(uuid4())
        assert core.clients.get(client.id) == client

    def test_bulk_all_or_nothing_in_a_transaction(self, setup: Core) -> None:
        core = setup
        clients = [core.clients.register(last_name=f"T{i}") for i in range(3)]

        def block() -> None:
            with core.transaction() as tx:
                tx.bulk.set_attribute("vip", True, client_ids=[c.id for c in clients])
                raise RuntimeError("the host changes its mind")

        with pytest.raises(RuntimeError):
            block()
        assert [core.clients.get(c.id) for c in clients] == clients
        assert all(len(core.clients.history(c.id)) == 1 for c in clients)

    def test_bulk_chunks_report_progress_and_add_up(self, setup: Core) -> None:
        core = setup
        ids = [core.clients.register(last_name=f"C{i}").id for i in range(5)]
        seen: list[tuple[int, int]] = []
        result = core.bulk.set_attribute(
            "vip", True, client_ids=ids, chunk_size=2, progress=lambda d, t: seen.append((d, t))
        )
        assert seen == [(2, 5), (4, 5), (5, 5)]
        assert result.changed == tuple(ids)
        assert all(core.clients.get(i).attributes == {"vip": True} for i in ids)
        with pytest.raises(ValidationError):
            core.bulk.set_attribute("vip", False, client_ids=ids, chunk_size=0)

    def test_bulk_other_tenants_clients_are_not_found(self, setup: Core) -> None:
        core = setup
        other = core.for_tenant(new_tenant())
        theirs = other.clients.register(last_name="Obcy")
        result = core.bulk.add_group(core.setup.define_group("X").id, client_ids=[theirs.id])
        assert result.changed == ()
        assert result.skipped[0].reason is SkipReason.NOT_FOUND
        assert other.clients.get(theirs.id) == theirs

    def test_bulk_events_reach_a_listening_handler_as_logged(self, setup: Core) -> None:
        core = setup
        heard: list[Event] = []
        core.events.after_commit(EventKind.CLIENT_UPDATED, heard.append)
        ids = [core.clients.register(last_name=f"L{i}").id for i in range(3)]
        result = core.bulk.set_attribute("vip", True, client_ids=ids)
        assert result.changed == tuple(ids)
        assert heard == [core.clients.history(client_id)[-1] for client_id in ids]
        cleared = core.bulk.clear_attribute("vip", client_ids=ids[:1])
        assert cleared.changed == (ids[0],)
        assert len(heard) == 4
        assert heard[-1] == core.clients.history(ids[0])[-1]

    def test_bulk_a_bulk_change_equals_the_change_made_client_by_client(self, setup: Core) -> None:
        core = setup
        staff = [core.staff.add(f"S{i}").id for i in range(2)]
        groups = [core.setup.define_group(f"G{i}").id for i in range(2)]
        definitions = {definition.key: definition for definition in core.setup.attributes()}
        changes = st.one_of(
            st.builds(SetAttribute, st.just("vip"), st.booleans()),
            st.builds(
                SetAttribute,
                st.just("level"),
                st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("2.5"), Decimal("-3")]),
            ),
            st.builds(ClearAttribute, st.sampled_from(["vip", "level"])),
            st.builds(SetCaretaker, st.sampled_from([None, *staff])),
            st.builds(AddGroup, st.sampled_from(groups)),
            st.builds(RemoveGroup, st.sampled_from(groups)),
        )

        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(st.lists(changes, min_size=1, max_size=6), st.lists(st.integers(0, 5), max_size=8))
        def run(steps: list[BulkChange], picks: list[int]) -> None:
            ids = [core.clients.register(last_name=f"H{i}").id for i in range(6)]
            # Each client's twin gets each change the bulk change makes, client by client.
            twins = {client_id: core.clients.register(last_name="T").id for client_id in ids}
            model = {client_id: _state(core.clients.get(client_id)) for client_id in ids}
            for change in steps:
                chosen = [ids[pick] for pick in picks]
                result = _run(core, change, chosen)
                if isinstance(change, SetAttribute):  # as stored: validated by its definition
                    change = SetAttribute(
                        change.key, definitions[change.key].validate(change.value)
                    )
                expected_changed = []
                for client_id in dict.fromkeys(chosen):
                    new = applied(change, model[client_id])
                    if new is not None:
                        model[client_id] = attrs.evolve(new, version=new.version + 1)
                        expected_changed.append(client_id)
                        _change_one(core, change, twins[client_id])
                assert list(result.changed) == expected_changed
            for client_id in ids:
                assert _state(core.clients.get(client_id)) == model[client_id]
                assert _recorded(core, client_id) == _recorded(core, twins[client_id])

        run()


def _run(core: Core, change: BulkChange, ids: list[UUID]) -> BulkResult:
    """``change`` made to ``ids`` through the public method of its kind."""
    if isinstance(change, SetAttribute):
        return core.bulk.set_attribute(change.key, change.value, client_ids=ids)
    if isinstance(change, ClearAttribute):
        return core.bulk.clear_attribute(change.key, client_ids=ids)
    if isinstance(change, SetCaretaker):
        return core.bulk.set_caretaker(change.caretaker_id, client_ids=ids)
    if isinstance(change, AddGroup):
        return core.bulk.add_group(change.group_id, client_ids=ids)
    return core.bulk.remove_group(change.group_id, client_ids=ids)


def _change_one(core: Core, change: BulkChange, client_id: UUID) -> None:
    """``change`` made to one client through the single-client method of its kind."""
    if isinstance(change, SetAttribute):
        core.clients.set_attribute(client_id, change.key, change.value)
    elif isinstance(change, ClearAttribute):
        core.clients.clear_attribute(client_id, change.key)
    elif isinstance(change, SetCaretaker):
        core.clients.update(client_id, caretaker_id=change.caretaker_id)
    elif isinstance(change, AddGroup):
        core.clients.assign_groups(client_id, change.group_id)
    else:
        core.clients.unassign_group(client_id, change.group_id)


def _recorded(core: Core, client_id: UUID) -> list[tuple[str, str, frozenset[Role], object]]:
    """What a client's history says after its registration: each event's kind, actor and
    changes (its own id, entity and time aside)."""
    return [
        (event.kind, event.actor_id, event.actor_roles, event.changes)
        for event in core.clients.history(client_id)[1:]
    ]
