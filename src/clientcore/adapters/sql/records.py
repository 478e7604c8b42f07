"""SQL repositories of set-up records: staff, groups, attributes, settings, counters.

Their statements are made once per table (the ``functools.lru_cache`` functions below),
with bound parameters, and bound to the values when run.
"""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, Update, bindparam, select, update

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.linked import WHERE_ID, WHERE_TENANT, mine
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.group import Group
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.errors import DuplicateName, NotFound


class SqlRepository:
    """Base of the repositories of one unit of work: its ``Db`` and tenant."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def _values(self, **values: Any) -> dict[str, Any]:
        """Parameters of a statement made once: the tenant and ``values``."""
        return {"tenant": self._db.tenant, **values}


@functools.lru_cache(maxsize=64)
def by_key(table: Table, column: str) -> Select[Any]:
    """The tenant's row of ``table`` whose ``column`` is the parameter ``key``."""
    return select(table).where(mine(table), table.c[column] == bindparam("key"))


@functools.lru_cache(maxsize=64)
def every_row(table: Table) -> Select[Any]:
    """Every row of the tenant in ``table``."""
    return select(table).where(mine(table))


@functools.lru_cache(maxsize=16)
def _settings_of(settings: Table) -> Select[Any]:
    """The tenant's settings (read by position: a phone-like search reads the region)."""
    return select(settings.c.default_region, settings.c.time_zone).where(mine(settings))


@functools.lru_cache(maxsize=16)
def _active_staff(staff: Table) -> Select[Any]:
    return select(staff).where(mine(staff), staff.c.active.is_(True))


@functools.lru_cache(maxsize=16)
def _update_staff(staff: Table) -> Update:
    """SET the row's columns (by name) WHERE ``w_tenant`` and ``w_id``."""
    return update(staff).where(mine(staff, WHERE_TENANT), staff.c.id == bindparam(WHERE_ID))


@functools.lru_cache(maxsize=16)
def _counter_value(counters: Table) -> Select[Any]:
    return select(counters.c.value).where(mine(counters), counters.c.name == bindparam("key"))


class SqlStaffRepository(SqlRepository):
    def add(self, member: StaffMember) -> None:
        self._db.insert_many(self._db.tables.staff, [convert.staff_row(self._db.tenant, member)])

    def get(self, staff_id: UUID) -> StaffMember:
        row = self._db.row(by_key(self._db.tables.staff, "id"), self._values(key=staff_id))
        if row is None:
            raise NotFound("staff member", staff_id)
        return convert.staff_from_row(row)

    def update(self, member: StaffMember) -> None:
        row: dict[str, Any] = convert.staff_row(self._db.tenant, member)
        del row["tenant"], row["id"]
        row.update({WHERE_TENANT: self._db.tenant, WHERE_ID: member.id})
        if self._db.execute(_update_staff(self._db.tables.staff), row).rowcount != 1:
            raise NotFound("staff member", member.id)

    def list(self, *, active_only: bool = True) -> list[StaffMember]:
        staff = self._db.tables.staff
        statement = _active_staff(staff) if active_only else every_row(staff)
        members = [convert.staff_from_row(row) for row in self._db.rows(statement, self._values())]
        return sorted(members, key=lambda m: (m.name, str(m.id)))


class SqlGroupRepository(SqlRepository):
    def add(self, group: Group) -> None:
        self._db.insert_many(
            self._db.tables.groups,
            [convert.group_row(self._db.tenant, group)],
            unique=lambda _message: DuplicateName("group", group.name),
        )

    def get(self, group_id: UUID) -> Group:
        row = self._db.row(by_key(self._db.tables.groups, "id"), self._values(key=group_id))
        if row is None:
            raise NotFound("group", group_id)
        return convert.group_from_row(row)

    def list(self) -> list[Group]:
        rows = self._db.rows(every_row(self._db.tables.groups), self._values())
        return sorted(
            (convert.group_from_row(row) for row in rows), key=lambda g: (g.name, str(g.id))
        )


class SqlAttributeDefinitionRepository(SqlRepository):
    def add(self, definition: AttributeDefinition) -> None:
        self._db.insert_many(
            self._db.tables.attribute_definitions,
            [convert.definition_row(self._db.tenant, definition)],
            unique=lambda _message: DuplicateName("attribute", definition.key),
        )

    def get(self, key: str) -> AttributeDefinition:
        table = self._db.tables.attribute_definitions
        row = self._db.row(by_key(table, "key"), self._values(key=key))
        if row is None:
            raise NotFound("attribute", repr(key))
        return convert.definition_from_row(row)

    def list(self) -> list[AttributeDefinition]:
        rows = self._db.rows(every_row(self._db.tables.attribute_definitions), self._values())
        return sorted((convert.definition_from_row(row) for row in rows), key=lambda d: d.key)


class SqlSettingsRepository(SqlRepository):
    def get(self) -> TenantSettings:
        rows = self._db.tuples(_settings_of(self._db.tables.settings), self._values())
        if not rows:
            return TenantSettings()
        default_region, time_zone = rows[0]
        return TenantSettings(default_region=default_region, time_zone=time_zone)

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
        value = self._db.execute(_counter_value(table), self._values(key=name)).scalar_one()
        return int(value) - count + 1
