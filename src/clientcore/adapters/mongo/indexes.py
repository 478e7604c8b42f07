"""Collections and indexes of the adapter; creating them is idempotent.

Every index starts with ``tenant``: every query of the adapter filters on it. Each record
kind has a collection of its own: clientcore's kinds the names below, a host's kind
``clientcore_<kind name>``; its indexes come from its :class:`~.layout.Layout`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import IndexModel
from pymongo.database import Database

from clientcore.adapters.mongo.errors import translate
from clientcore.adapters.mongo.layout import Layout, index
from clientcore.entities.kinds import OWN_KINDS, SALES_KINDS, RecordKind
from clientcore.errors import ValidationError

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
MESSAGES = PREFIX + "messages"
MESSAGING_SETTINGS = PREFIX + "messaging_settings"

OWN_COLLECTIONS: dict[str, str] = {
    "staff": STAFF,
    "groups": GROUPS,
    "attribute_definitions": ATTRIBUTES,
    "working_hours": WORKING_HOURS,
    "subjects": SUBJECTS,
    "notes": NOTES,
    "consents": CONSENTS,
    "visits": VISITS,
    "messages": MESSAGES,
    "messaging_settings": MESSAGING_SETTINGS,
    **{kind.name: PREFIX + kind.name for kind in SALES_KINDS},
}
"""The collections of clientcore's own record kinds, by kind name."""

EXTRA_INDEXES: dict[str, list[IndexModel]] = {
    NOTES: [index("tenant", "project", "created_at", "sid")],
    VISITS: [index("tenant", "staff_id", "start")],
    MESSAGES: [index("tenant", "state", "due_at")],
    PREFIX + "sales_documents": [
        index("tenant", "visit_id"),
        index("tenant", "status", "issued_on"),
    ],
    PREFIX + "prices": [index("tenant", "price_list_id")],
    PREFIX + "interests": [index("tenant", "product_id")],
}
"""Indexes of our kinds' own queries beyond the generic ones (project notes, calendars)."""

INDEXES: dict[str, list[IndexModel]] = {
    CLIENTS: [
        index("tenant", "id", unique=True),
        index("tenant", "code", unique=True),
        index("tenant", "search_keys"),
        index("tenant", "sort_key", "sid"),
        index("tenant", "attribute_keys"),
        index("tenant", "group_ids"),
        index("tenant", "caretaker_id"),
    ],
    SETTINGS: [index("tenant", unique=True)],
    COUNTERS: [index("tenant", "name", unique=True)],
}
"""The indexes of the collections that hold no record kind (events have a layout)."""

TAKEN = frozenset({*INDEXES, *OWN_COLLECTIONS.values(), EVENTS, LOCKS})


def collection_of(kind: RecordKind[Any]) -> str:
    """The collection of ``kind``: ours by name, a host's ``clientcore_<name>``."""
    if kind in OWN_KINDS:
        return OWN_COLLECTIONS[kind.name]
    name = PREFIX + kind.name
    if name in TAKEN:
        raise ValidationError(
            "kinds",
            f"the MongoDB adapter keeps its own {name} collection: name the record kind "
            f"{kind.name!r} otherwise",
        )
    return name


def layout_of(kind: RecordKind[Any]) -> Layout[Any]:
    collection = collection_of(kind)
    return Layout(kind, collection, EXTRA_INDEXES.get(collection, ()))


def ensure_indexes(database: Database[dict[str, object]], layouts: Iterable[Layout[Any]]) -> None:
    """Create the indexes of the adapter's own collections and of every kind's (a no-op
    for those that exist)."""
    wanted = dict(INDEXES)
    for layout in layouts:
        wanted[layout.collection] = layout.indexes()
    with translate():
        for name, models in wanted.items():
            database[name].create_indexes(models)
