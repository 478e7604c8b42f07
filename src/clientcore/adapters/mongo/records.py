"""MongoDB repositories of set-up records: staff, groups, attributes, settings, counters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from pymongo.collection import Collection

from clientcore.adapters.mongo.store import Document, Scoped, reserve
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.group import Group
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.errors import DuplicateName, NotFound

BY_NAME = (("name", 1), ("sid", 1))


def _with_sid(store: Scoped, entity: Any) -> Document:
    document = store.work.documents.unstructure(entity)
    document["sid"] = str(entity.id)
    return document


class MongoStaffRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def _missing(self, staff_id: UUID) -> Callable[[], NotFound]:
        return lambda: NotFound("staff member", staff_id)

    def add(self, member: StaffMember) -> None:
        self._store.insert([_with_sid(self._store, member)])

    def get(self, staff_id: UUID) -> StaffMember:
        return self._store.one({"id": staff_id}, StaffMember, self._missing(staff_id))

    def update(self, member: StaffMember) -> None:
        self.get(member.id)
        self._store.update(
            {"id": member.id}, _with_sid(self._store, member), missing=self._missing(member.id)
        )

    def list(self, *, active_only: bool = True) -> list[StaffMember]:
        query = {"active": True} if active_only else {}
        return self._store.all(query, StaffMember, sort=BY_NAME)


class MongoGroupRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def add(self, group: Group) -> None:
        if self._store.find_one({"name": group.name}) is not None:
            raise DuplicateName("group", group.name)
        self._store.insert(
            [_with_sid(self._store, group)],
            guarded=True,
            on_duplicate=lambda _: DuplicateName("group", group.name),
        )

    def get(self, group_id: UUID) -> Group:
        return self._store.one({"id": group_id}, Group, lambda: NotFound("group", group_id))

    def list(self) -> list[Group]:
        return self._store.all({}, Group, sort=BY_NAME)


class MongoAttributeDefinitionRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def add(self, definition: AttributeDefinition) -> None:
        if self._store.find_one({"key": definition.key}) is not None:
            raise DuplicateName("attribute", definition.key)
        self._store.insert(
            [self._store.work.documents.unstructure(definition)],
            guarded=True,
            on_duplicate=lambda _: DuplicateName("attribute", definition.key),
        )

    def get(self, key: str) -> AttributeDefinition:
        return self._store.one(
            {"key": key}, AttributeDefinition, lambda: NotFound("attribute", repr(key))
        )

    def list(self) -> list[AttributeDefinition]:
        return self._store.all({}, AttributeDefinition, sort=(("key", 1),))


class MongoSettingsRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def get(self) -> TenantSettings:
        return self._store.maybe({}, TenantSettings) or TenantSettings()

    def put(self, settings: TenantSettings) -> None:
        self._store.update({}, self._store.work.documents.unstructure(settings))


class MongoCounters:
    """Counters of a tenant, taken at once and outside any transaction (see ``reserve``)."""

    def __init__(self, collection: Collection[Document], tenant: str) -> None:
        self._collection = collection
        self._tenant = tenant

    def next(self, name: str, count: int = 1) -> int:
        return reserve(self._collection, self._tenant, name, count)
