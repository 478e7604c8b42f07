"""MongoDB bulk changes: ``update_many`` over the selected clients' documents (two where
an array field loses one value and gains another), never a write per client.

Without transactions the writes wait for the commit like every write of the unit: the
bulk change is applied then, and undone if a later write of the commit fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from clientcore.adapters.mongo.convert import (
    attribute_document,
    attribute_match_key,
    encode,
    stored_uuid,
)
from clientcore.adapters.mongo.store import Document, Scoped
from clientcore.entities.bulk import (
    AddGroup,
    BulkChange,
    ClientState,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
)
from clientcore.entities.client import AttributeValue, ClientStatus
from clientcore.ports.bulk import WritesNoEvents

_READ = {"_id": 0, "id": 1, "version": 1, "status": 1, "caretaker_id": 1, "group_ids": 1}


class MongoBulkClients(WritesNoEvents):
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def states(self, client_ids: Sequence[UUID], field: str | None = None) -> list[ClientState]:
        documents = self._store.find(
            {"id": {"$in": list(dict.fromkeys(client_ids))}},
            projection={**_READ, "attributes": 1},
        )
        structure = self._store.work.documents.structure
        found = []
        for document in documents:
            caretaker = document.get("caretaker_id")
            found.append(
                ClientState(
                    id=stored_uuid(document["id"]),
                    version=document["version"],
                    status=ClientStatus(document["status"]),
                    caretaker_id=None if caretaker is None else stored_uuid(caretaker),
                    group_ids=frozenset(map(stored_uuid, document.get("group_ids", ()))),
                    attributes=_attributes(structure, document.get("attributes", {})),
                )
            )
        return found

    def with_caretaker(self, caretaker_id: UUID) -> list[UUID]:
        return [stored_uuid(v) for v in self._store.values("id", {"caretaker_id": caretaker_id})]

    def apply(self, change: BulkChange, client_ids: Sequence[UUID], at: datetime) -> int:
        if not client_ids:
            return 0
        stamp: Document = {"$set": {"updated_at": at}, "$inc": {"version": 1}}
        updates: list[Document]
        if isinstance(change, SetCaretaker):
            stamp["$set"]["caretaker_id"] = encode(change.caretaker_id)
            updates, fields = [stamp], ["caretaker_id"]
        elif isinstance(change, AddGroup | RemoveGroup):
            operator = "$addToSet" if isinstance(change, AddGroup) else "$pull"
            updates = [{**stamp, operator: {"group_ids": encode(change.group_id)}}]
            fields = ["group_ids"]
        else:
            field = f"attributes.{change.key}"  # keys are a-z, 0-9 and _
            pull = {"$pull": {"attribute_keys": {"$regex": f"^{change.key}\x1f"}}}
            if isinstance(change, SetAttribute):
                stamp["$set"][field] = attribute_document(change.value)
                add = {
                    "$addToSet": {"attribute_keys": attribute_match_key(change.key, change.value)}
                }
                updates = [{**stamp, **pull}, add]
            else:
                updates = [{**stamp, "$unset": {field: ""}, **pull}]
            fields = ["attributes", "attribute_keys"]
        self._store.update_all(
            {"id": {"$in": list(client_ids)}}, updates, [*fields, "updated_at", "version"]
        )
        return len(client_ids)


def _attributes(structure: Any, stored: dict[str, Any]) -> dict[str, AttributeValue]:
    return {key: structure(value, AttributeValue) for key, value in stored.items()}
