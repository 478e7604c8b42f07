"""Everything held about a client as one JSON document (right of access and portability).

The document follows the JSON Schema shipped as ``clientcore/export.schema.json``
(:data:`SCHEMA_PATH`; docs/privacy.md describes it). Every record kind of the registry
that refers to a client is included by name, ours and the host's, converted field by
field (:func:`to_json`): no kind is named here.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from typing import Any, cast
from uuid import UUID

import attrs

from clientcore.entities.client import Client
from clientcore.entities.common import Role, personal_fields
from clientcore.entities.event import EventKind
from clientcore.entities.kinds import RecordKind
from clientcore.operations.context import Context
from clientcore.operations.redirects import absorbed
from clientcore.ports.unit_of_work import UnitOfWork

FORMAT = "clientcore.export/1"
SCHEMA_NAME = "export.schema.json"

JsonValue = Any
"""What :func:`json.dumps` takes: dicts, lists, text, numbers, booleans and None."""


def schema() -> dict[str, Any]:
    """The JSON Schema of an export document."""
    text = resources.files("clientcore").joinpath(SCHEMA_NAME).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def to_json(value: object) -> JsonValue:
    """A stored value as JSON: an attrs record as an object of its fields, ids, instants
    (ISO 8601, UTC), dates and decimals (exact) as text, enum members as their values,
    tuples and sets as arrays (sets in sorted order), mappings as objects."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if attrs.has(type(value)):
        names = [field.name for field in attrs.fields(cast(Any, type(value)))]
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((to_json(item) for item in value), key=str)
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _held(uow: UnitOfWork, client: Client, kinds: list[RecordKind[Any]]) -> dict[str, JsonValue]:
    """The client, its records of every kind, and its history, as export values."""
    return {
        "client": to_json(client),
        "records": {
            kind.name: [
                to_json(record) for record in uow.records(kind).find(**kind.of_client(client.id))
            ]
            for kind in kinds
        },
        "history": [to_json(event) for event in uow.events.for_client(client.id)],
    }


def export(
    uow: UnitOfWork, ctx: Context, client_id: UUID, roles: frozenset[Role]
) -> dict[str, JsonValue]:
    """The export document of the client and of every client merged into it (the export
    itself recorded in its history). Raises NotFound, PermissionDenied."""
    ctx.require_role(*roles)
    client = uow.clients.get(client_id)
    kinds = list(uow.kinds.client_linked())
    document: dict[str, JsonValue] = {
        "format": FORMAT,
        "tenant": uow.tenant,
        "exported_at": to_json(ctx.now()),
        **_held(uow, client, kinds),
        "merged_clients": [
            _held(uow, uow.clients.get(merged_id), kinds) for merged_id in absorbed(uow, client_id)
        ],
        "personal_fields": {
            "client": list(personal_fields(Client)),
            **{kind.name: list(kind.personal_fields) for kind in kinds},
        },
    }
    ctx.record(uow, EventKind.CLIENT_EXPORTED, entity_id=client_id, client_id=client_id)
    return document
