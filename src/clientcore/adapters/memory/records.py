"""In-memory repositories of set-up records: staff, groups, attributes, settings, counters."""

from __future__ import annotations

from uuid import UUID

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.group import Group
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.errors import DuplicateName, NotFound


class MemoryStaffRepository:
    def __init__(self, tenant: str, table: Table[UUID, StaffMember], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def add(self, member: StaffMember) -> None:
        self._table.put(self._tenant, member.id, member, self._journal)

    def get(self, staff_id: UUID) -> StaffMember:
        member = self._table.get(self._tenant, staff_id)
        if member is None:
            raise NotFound("staff member", staff_id)
        return member

    def update(self, member: StaffMember) -> None:
        self.get(member.id)
        self._table.put(self._tenant, member.id, member, self._journal)

    def list(self, *, active_only: bool = True) -> list[StaffMember]:
        members = [m for m in self._table.rows(self._tenant) if m.active or not active_only]
        return sorted(members, key=lambda m: (m.name, str(m.id)))


class MemoryGroupRepository:
    def __init__(self, tenant: str, table: Table[UUID, Group], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def add(self, group: Group) -> None:
        if any(g.name == group.name for g in self._table.rows(self._tenant)):
            raise DuplicateName("group", group.name)
        self._table.put(self._tenant, group.id, group, self._journal)

    def get(self, group_id: UUID) -> Group:
        group = self._table.get(self._tenant, group_id)
        if group is None:
            raise NotFound("group", group_id)
        return group

    def list(self) -> list[Group]:
        return sorted(self._table.rows(self._tenant), key=lambda g: (g.name, str(g.id)))


class MemoryAttributeDefinitionRepository:
    def __init__(
        self, tenant: str, table: Table[str, AttributeDefinition], journal: Journal
    ) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def add(self, definition: AttributeDefinition) -> None:
        if self._table.get(self._tenant, definition.key) is not None:
            raise DuplicateName("attribute", definition.key)
        self._table.put(self._tenant, definition.key, definition, self._journal)

    def get(self, key: str) -> AttributeDefinition:
        definition = self._table.get(self._tenant, key)
        if definition is None:
            raise NotFound("attribute", repr(key))
        return definition

    def list(self) -> list[AttributeDefinition]:
        return sorted(self._table.rows(self._tenant), key=lambda d: d.key)


class MemorySettingsRepository:
    def __init__(self, tenant: str, table: Table[str, TenantSettings], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def get(self) -> TenantSettings:
        return self._table.get(self._tenant, "settings") or TenantSettings()

    def put(self, settings: TenantSettings) -> None:
        self._table.put(self._tenant, "settings", settings, self._journal)


class MemoryCounters:
    def __init__(self, tenant: str, table: Table[str, int], journal: Journal) -> None:
        self._tenant, self._table, self._journal = tenant, table, journal

    def next(self, name: str, count: int = 1) -> int:
        if count < 1:
            raise ValueError("count must be at least 1")
        first = (self._table.get(self._tenant, name) or 0) + 1
        self._table.put(self._tenant, name, first + count - 1, self._journal)
        return first
