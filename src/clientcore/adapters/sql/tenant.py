"""SQL tenant settings, counters and the history (append-only)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, Update, bindparam, select, update

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.records import WHERE_ID, WHERE_TENANT, mine
from clientcore.entities.event import Event, scrub_changes
from clientcore.entities.settings import TenantSettings


class SqlRepository:
    """Base of the repositories of one unit of work: its ``Db`` and tenant."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def _values(self, **values: Any) -> dict[str, Any]:
        """Parameters of a statement made once: the tenant and ``values``."""
        return {"tenant": self._db.tenant, **values}


@functools.lru_cache(maxsize=16)
def _settings_of(settings: Table) -> Select[Any]:
    """The tenant's settings (read by position: a phone-like search reads the region)."""
    return select(settings.c.default_region, settings.c.time_zone).where(mine(settings))


@functools.lru_cache(maxsize=16)
def _counter_value(counters: Table) -> Select[Any]:
    return select(counters.c.value).where(mine(counters), counters.c.name == bindparam("key"))


@functools.lru_cache(maxsize=16)
def _events_of(events: Table) -> Select[Any]:
    return (
        select(events)
        .where(mine(events), events.c.client_id == bindparam("client_id"))
        .order_by(events.c.seq)
    )


@functools.lru_cache(maxsize=16)
def _rewrite_changes(events: Table) -> Update:
    return (
        update(events)
        .where(mine(events, WHERE_TENANT), events.c.id == bindparam(WHERE_ID))
        .values(changes=bindparam("changes"))
    )


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


class SqlEventLog(SqlRepository):
    """Events in the order appended (``seq``); only :meth:`scrub` ever changes one."""

    def append(self, events: Sequence[Event]) -> None:
        tenant = self._db.tenant
        self._db.copy_many(
            self._db.tables.events, [convert.event_row(tenant, event) for event in events]
        )

    def for_client(self, client_id: UUID) -> Sequence[Event]:
        rows = self._db.rows(_events_of(self._db.tables.events), self._values(client_id=client_id))
        return [convert.event_from_row(row) for row in rows]

    def scrub(self, client_id: UUID, fields: frozenset[str]) -> int:
        changed = 0
        statement = _rewrite_changes(self._db.tables.events)
        for event in self.for_client(client_id):
            clean = scrub_changes(event, fields)
            if clean != event:
                row = convert.event_row(self._db.tenant, clean)
                parameters = {WHERE_TENANT: self._db.tenant, WHERE_ID: event.id}
                self._db.changed(statement, {**parameters, "changes": row["changes"]})
                changed += 1
        return changed
