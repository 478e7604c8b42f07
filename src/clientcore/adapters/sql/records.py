"""SQL repositories of set-up records: staff, groups, attributes, settings, counters."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, Table, select, update

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import Db
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.group import Group
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.errors import DuplicateName, NotFound


class SqlRepository:
    """Base of the repositories of one unit of work: its ``Db`` and tenant filter."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def _mine(self, table: Table, *conditions: ColumnElement[bool]) -> list[ColumnElement[bool]]:
        return [table.c.tenant == self._db.tenant, *conditions]


class SqlStaffRepository(SqlRepository):
    def add(self, member: StaffMember) -> None:
        self._db.execute(self._db.tables.staff.insert(), convert.staff_row(self._db.tenant, member))

    def get(self, staff_id: UUID) -> StaffMember:
        table = self._db.tables.staff
        row = self._db.row(select(table).where(*self._mine(table, table.c.id == staff_id)))
        if row is None:
            raise NotFound("staff member", staff_id)
        return convert.staff_from_row(row)

    def update(self, member: StaffMember) -> None:
        table = self._db.tables.staff
        row = convert.staff_row(self._db.tenant, member)
        del row["tenant"], row["id"]
        statement = update(table).where(*self._mine(table, table.c.id == member.id)).values(row)
        if self._db.execute(statement).rowcount != 1:
            raise NotFound("staff member", member.id)

    def list(self, *, active_only: bool = True) -> list[StaffMember]:
        table = self._db.tables.staff
        where = self._mine(table, table.c.active.is_(True)) if active_only else self._mine(table)
        members = [
            convert.staff_from_row(row) for row in self._db.rows(select(table).where(*where))
        ]
        return sorted(members, key=lambda m: (m.name, str(m.id)))


class SqlGroupRepository(SqlRepository):
    def add(self, group: Group) -> None:
        self._db.execute(
            self._db.tables.groups.insert(),
            convert.group_row(self._db.tenant, group),
            unique=lambda _message: DuplicateName("group", group.name),
        )

    def get(self, group_id: UUID) -> Group:
        table = self._db.tables.groups
        row = self._db.row(select(table).where(*self._mine(table, table.c.id == group_id)))
        if row is None:
            raise NotFound("group", group_id)
        return convert.group_from_row(row)

    def list(self) -> list[Group]:
        table = self._db.tables.groups
        groups = [
            convert.group_from_row(row)
            for row in self._db.rows(select(table).where(*self._mine(table)))
        ]
        return sorted(groups, key=lambda g: (g.name, str(g.id)))


class SqlAttributeDefinitionRepository(SqlRepository):
    def add(self, definition: AttributeDefinition) -> None:
        self._db.execute(
            self._db.tables.attribute_definitions.insert(),
            convert.definition_row(self._db.tenant, definition),
            unique=lambda _message: DuplicateName("attribute", definition.key),
        )

    def get(self, key: str) -> AttributeDefinition:
        table = self._db.tables.attribute_definitions
        row = self._db.row(select(table).where(*self._mine(table, table.c.key == key)))
        if row is None:
            raise NotFound("attribute", repr(key))
        return convert.definition_from_row(row)

    def list(self) -> list[AttributeDefinition]:
        table = self._db.tables.attribute_definitions
        rows = self._db.rows(select(table).where(*self._mine(table)))
        return sorted((convert.definition_from_row(row) for row in rows), key=lambda d: d.key)


class SqlSettingsRepository(SqlRepository):
    def get(self) -> TenantSettings:
        table = self._db.tables.settings
        row = self._db.row(select(table).where(*self._mine(table)))
        return TenantSettings() if row is None else convert.settings_from_row(row)

    def put(self, settings: TenantSettings) -> None:
        self._db.upsert(
            self._db.tables.settings,
            convert.settings_row(self._db.tenant, settings),
            key=("tenant",),
        )


class SqlCounters(SqlRepository):
    """Per-tenant counters: an atomic upsert ``value = value + count``, then a read of the row
    this transaction now holds locked (other writers wait until it ends)."""

    def next(self, name: str, count: int = 1) -> int:
        if count < 1:
            raise ValueError("count must be at least 1")
        table = self._db.tables.counters
        self._db.upsert(
            table,
            {"tenant": self._db.tenant, "name": name, "value": count},
            key=("tenant", "name"),
            add="value",
        )
        value = self._db.execute(
            select(table.c.value).where(*self._mine(table, table.c.name == name))
        ).scalar_one()
        return int(value) - count + 1
