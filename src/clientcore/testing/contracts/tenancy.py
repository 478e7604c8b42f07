"""Contract: tenants never see or change each other's rows, through any read or write path."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import attrs
import pytest

import clientcore
from clientcore.entities.common import Actor
from clientcore.entities.consent import Purpose
from clientcore.errors import InvalidTenant, NotFound
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract


@attrs.frozen
class TenantWorld:
    core: Core
    client_id: UUID
    subject_id: UUID
    group_id: UUID
    staff_id: UUID


def _populate(core: Core) -> TenantWorld:
    """The same look-alike data in every tenant: same names, codes, phones, groups."""
    core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
    staff = core.staff.add("Dr Anna")
    group = core.setup.define_group("regulars")
    core.setup.define_attribute("tier", label="Tier", type="choice", choices=["gold"])
    client = core.clients.register(
        first_name="Łukasz",
        last_name="Nowak",
        code="C-1",
        phones=["601234567"],
        emails=["lukasz@example.com"],
        source="web",
        caretaker_id=staff.id,
        group_ids=[group.id],
        attributes={"tier": "gold"},
    )
    subject = core.subjects.add(client.id, kind="pet", name="Burek")
    core.notes.add(client.id, "Shared project note", project="p1")
    core.consents.record(client.id, Purpose.NOTIFICATIONS, granted=True, source="form")
    return TenantWorld(core, client.id, subject.id, group.id, staff.id)


class TenancyContract(BackendContract):
    @pytest.fixture
    def worlds(
        self,
        backend: Backend,
        clock: TickingClock,
        owner: Actor,
        open_core: Callable[..., Core],
    ) -> list[TenantWorld]:
        return [
            _populate(open_core(backend, tenant=new_tenant(), actor=owner, clock=clock))
            for _ in range(3)
        ]

    def test_every_read_path_stays_in_its_tenant(self, worlds: list[TenantWorld]) -> None:
        for world in worlds:
            core = world.core
            found = core.clients.search("lukasz", status="all").clients
            assert [c.id for c in found] == [world.client_id]
            for filters in (
                {"group_id": world.group_id},
                {"caretaker_id": world.staff_id},
                {"source": "web"},
                {"attribute": ("tier", "gold")},
            ):
                page = core.clients.search(**filters)
                assert [c.id for c in page.clients] == [world.client_id]
            assert core.clients.by_code("C-1").id == world.client_id
            assert {e.client_id for e in core.clients.history(world.client_id)} == {world.client_id}
            assert [n.client_id for n in core.notes.for_project("p1")] == [world.client_id]
            assert [s.id for s in core.staff.list()] == [world.staff_id]
            assert [g.id for g in core.setup.groups()] == [world.group_id]

    def test_another_tenants_ids_read_as_not_found(self, worlds: list[TenantWorld]) -> None:
        mine, other = worlds[0].core, worlds[1]
        reads: list[Callable[[], object]] = [
            lambda: mine.clients.get(other.client_id),
            lambda: mine.clients.history(other.client_id),
            lambda: mine.notes.for_client(other.client_id),
            lambda: mine.subjects.for_client(other.client_id),
            lambda: mine.consents.history(other.client_id),
            lambda: mine.subjects.get(other.subject_id),
            lambda: mine.staff.get(other.staff_id),
        ]
        for read in reads:
            with pytest.raises(NotFound):
                read()
        assert mine.clients.search(group_id=other.group_id).clients == ()

    def test_writes_with_another_tenants_ids_change_nothing(
        self, worlds: list[TenantWorld]
    ) -> None:
        mine, other = worlds[0].core, worlds[1]
        before = other.core.clients.get(other.client_id)
        history = other.core.clients.history(other.client_id)
        writes: list[Callable[[], object]] = [
            lambda: mine.clients.update(other.client_id, last_name="Hacked"),
            lambda: mine.clients.deactivate(other.client_id),
            lambda: mine.clients.delete(other.client_id),
            lambda: mine.notes.add(other.client_id, "x"),
            lambda: mine.subjects.add(other.client_id, kind="pet", name="x"),
            lambda: mine.consents.record(
                other.client_id, Purpose.NOTIFICATIONS, granted=False, source="x"
            ),
            lambda: mine.subjects.deactivate(other.subject_id),
            lambda: mine.subjects.deactivate_all(other.client_id),
            lambda: mine.clients.assign_groups(worlds[0].client_id, other.group_id),
            lambda: mine.clients.update(worlds[0].client_id, caretaker_id=other.staff_id),
            lambda: mine.staff.deactivate(other.staff_id),
        ]
        for write in writes:
            with pytest.raises(NotFound):
                write()
        assert other.core.clients.get(other.client_id) == before
        assert other.core.clients.history(other.client_id) == history
        assert other.core.subjects.get(other.subject_id).active
        assert other.core.staff.get(other.staff_id).active
        assert len(other.core.consents.history(other.client_id)) == 1

    def test_codes_and_counters_are_per_tenant(self, worlds: list[TenantWorld]) -> None:
        codes = [world.core.clients.register(last_name="Next").code for world in worlds]
        assert codes == ["1", "1", "1"]

    @pytest.mark.parametrize("tenant", [None, "", " ", " padded", 7, "x" * 65, "tab\there"])
    def test_a_missing_or_malformed_tenant_is_an_error(
        self, backend: Backend, tenant: object
    ) -> None:
        with pytest.raises(InvalidTenant):
            clientcore.open(backend, tenant=tenant)  # type: ignore[arg-type]
