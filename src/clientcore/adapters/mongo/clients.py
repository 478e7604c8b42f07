"""The MongoDB client repository: unique codes, optimistic versions and indexed prefix search.

Besides the entity's fields, each client document holds what its queries need:

* ``search_keys``: the folded keys of :func:`client_search_keys`, an array with an index on
  ``(tenant, search_keys)``; a term matches by the range ``[term, successor)`` inside one
  element (``$elemMatch``), never by a regular expression, so ``%``, ``_``, ``\\``, ``.``,
  ``*`` in a term are plain characters;
* ``sort_key`` and ``sid`` (the id as text): results are ordered by ``(sort_key, sid)`` and a
  page starts after the query's ``after`` cursor;
* ``attribute_keys``: one ``key\\x1fkind:value`` string per custom attribute, equal exactly
  when the values are equal for the in-memory adapter (see ``attribute_match_key``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from clientcore.adapters.mongo.convert import attribute_match_key
from clientcore.adapters.mongo.store import Document, Scoped
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.search import (
    ClientQuery,
    StatusFilter,
    client_search_keys,
    client_sort_key,
    prefix_upper_bound,
)
from clientcore.errors import ConcurrencyError, DuplicateCode, NotFound

ORDER = (("sort_key", 1), ("sid", 1))


class MongoClientRepository:
    def __init__(self, store: Scoped) -> None:
        self._store = store

    def _document(self, client: Client) -> Document:
        document = self._store.work.documents.unstructure(client)
        document["sid"] = str(client.id)
        document["sort_key"] = client_sort_key(client)
        document["search_keys"] = sorted(client_search_keys(client))
        document["attribute_keys"] = sorted(
            attribute_match_key(key, value) for key, value in client.attributes.items()
        )
        return document

    def add_many(self, clients: Sequence[Client]) -> None:
        codes = [client.code for client in clients]
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise DuplicateCode(code)
            seen.add(code)
        for code in sorted(self.taken_codes(codes)):
            raise DuplicateCode(code)

        def duplicate(key: Mapping[str, Any]) -> DuplicateCode:
            return DuplicateCode(str(key.get("code", codes[0])))

        self._store.insert(
            [self._document(client) for client in clients], guarded=True, on_duplicate=duplicate
        )

    def get(self, client_id: UUID) -> Client:
        return self._store.one({"id": client_id}, Client, lambda: NotFound("client", client_id))

    def status(self, client_id: UUID) -> ClientStatus:
        found = self._store.values("status", {"id": client_id})
        if not found:
            raise NotFound("client", client_id)
        return ClientStatus(found[0])

    def get_by_code(self, code: str) -> Client:
        return self._store.one(
            {"code": code}, Client, lambda: NotFound("client with code", repr(code))
        )

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        if not codes:
            return frozenset()
        return frozenset(self._store.values("code", {"code": {"$in": list(codes)}}))

    def _check_version(self, client_id: UUID, version: int) -> Client:
        stored = self.get(client_id)
        if stored.version != version:
            raise ConcurrencyError("client", client_id, version)
        return stored

    def update(self, client: Client) -> None:
        expected = client.version - 1
        self._check_version(client.id, expected)
        owner = self._store.find_one({"code": client.code})
        if owner is not None and owner["sid"] != str(client.id):
            raise DuplicateCode(client.code)
        self._store.update(
            {"id": client.id, "version": expected},
            self._document(client),
            missing=self._store.stale("client", client.id, expected),
            guarded=True,
            on_duplicate=lambda _: DuplicateCode(client.code),
            on_conflict=lambda: ConcurrencyError("client", client.id, expected),
        )

    def delete(self, client: Client) -> None:
        self._check_version(client.id, client.version)
        self._store.delete(
            {"id": client.id, "version": client.version},
            missing=self._store.stale("client", client.id, client.version),
            on_conflict=lambda: ConcurrencyError("client", client.id, client.version),
        )

    def search(self, query: ClientQuery) -> list[Client]:
        clauses: list[dict[str, Any]] = []
        for term in query.terms:
            within: dict[str, str] = {"$gte": term}
            bound = prefix_upper_bound(term)
            if bound is not None:
                within["$lt"] = bound
            clauses.append({"search_keys": {"$elemMatch": within}})
        if query.after is not None:
            sort_key, after_id = query.after
            clauses.append(
                {
                    "$or": [
                        {"sort_key": {"$gt": sort_key}},
                        {"sort_key": sort_key, "sid": {"$gt": str(after_id)}},
                    ]
                }
            )
        filters: dict[str, Any] = {"$and": clauses} if clauses else {}
        if query.status is not StatusFilter.ALL:
            filters["status"] = query.status.value
        if query.group_id is not None:
            filters["group_ids"] = query.group_id
        if query.caretaker_id is not None:
            filters["caretaker_id"] = query.caretaker_id
        if query.source is not None:
            filters["source"] = query.source
        if query.attribute is not None:
            filters["attribute_keys"] = attribute_match_key(*query.attribute)
        documents = self._store.find(filters, sort=ORDER, limit=query.limit)
        return [self._store.work.documents.structure(d, Client) for d in documents]
