"""Collections and indexes of the adapter; creating them is idempotent.

Every index starts with ``tenant``: every query of the adapter filters on it.
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

from clientcore.adapters.mongo.errors import translate

PREFIX = "clientcore_"
"""Collection names start with this, so the adapter can share a host's database."""

CLIENTS = PREFIX + "clients"
STAFF = PREFIX + "staff"
GROUPS = PREFIX + "groups"
ATTRIBUTES = PREFIX + "attributes"
SETTINGS = PREFIX + "settings"
COUNTERS = PREFIX + "counters"
SUBJECTS = PREFIX + "subjects"
NOTES = PREFIX + "notes"
CONSENTS = PREFIX + "consents"
EVENTS = PREFIX + "events"
VISITS = PREFIX + "visits"
WORKING_HOURS = PREFIX + "working_hours"
LOCKS = PREFIX + "locks"


def _keys(*fields: str) -> list[tuple[str, int]]:
    return [(field, ASCENDING) for field in fields]


def _unique(*fields: str) -> IndexModel:
    return IndexModel(_keys(*fields), unique=True)


def _plain(*fields: str) -> IndexModel:
    return IndexModel(_keys(*fields))


INDEXES: dict[str, list[IndexModel]] = {
    CLIENTS: [
        _unique("tenant", "id"),
        _unique("tenant", "code"),
        _plain("tenant", "search_keys"),
        _plain("tenant", "sort_key", "sid"),
        _plain("tenant", "attribute_keys"),
        _plain("tenant", "group_ids"),
        _plain("tenant", "caretaker_id"),
    ],
    STAFF: [_unique("tenant", "id"), _plain("tenant", "name", "sid")],
    GROUPS: [_unique("tenant", "id"), _unique("tenant", "name")],
    ATTRIBUTES: [_unique("tenant", "key")],
    SETTINGS: [_unique("tenant")],
    COUNTERS: [_unique("tenant", "name")],
    SUBJECTS: [_unique("tenant", "id"), _plain("tenant", "client_id", "created_at", "sid")],
    NOTES: [
        _unique("tenant", "id"),
        _plain("tenant", "client_id", "created_at", "sid"),
        _plain("tenant", "project", "created_at", "sid"),
    ],
    CONSENTS: [_unique("tenant", "id"), _plain("tenant", "client_id", "seq")],
    EVENTS: [_unique("tenant", "id"), _plain("tenant", "client_id", "seq")],
    VISITS: [
        _unique("tenant", "id"),
        _plain("tenant", "staff_id", "start"),
        _plain("tenant", "client_id", "start", "sid"),
    ],
    WORKING_HOURS: [_unique("tenant", "staff_id")],
}


def ensure_indexes(database: Database[dict[str, object]]) -> None:
    """Create every collection's indexes (a no-op for those that exist)."""
    with translate():
        for name, indexes in INDEXES.items():
            database[name].create_indexes(indexes)
