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

Without transactions a unit's writes wait for its commit, so the repository keeps the
clients the unit wrote and reads them in place of the stored ones (a search included), as a
transaction would show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from clientcore.adapters.mongo.convert import attribute_match_key, stored_uuid
from clientcore.adapters.mongo.store import Document, Scoped
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.duplicates import UNMATCHED
from clientcore.entities.likeness import Profile, profile, profile_of
from clientcore.entities.profile_table import profile_text
from clientcore.entities.search import (
    ClientQuery,
    Match,
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
        self._mine: dict[UUID, Client | None] = {}
        """The clients this unit wrote (None: deleted), kept without transactions only."""
        self._mine_codes: dict[str, UUID] = {}
        """The codes of ``_mine``'s clients."""

    @property
    def _reads_mine(self) -> bool:
        return bool(self._mine)

    def _remember(self, client_id: UUID, client: Client | None) -> None:
        if not self._store.work.keeps_writes:
            return
        before = self._mine.get(client_id)
        if before is not None and self._mine_codes.get(before.code) == client_id:
            del self._mine_codes[before.code]
        self._mine[client_id] = client
        if client is not None:
            self._mine_codes[client.code] = client_id

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
        for client in clients:
            self._remember(client.id, client)

    def _own(self, client_id: UUID) -> tuple[bool, Client | None]:
        """Whether this unit wrote the client, and what it wrote (None: deleted it)."""
        if self._reads_mine and client_id in self._mine:
            return True, self._mine[client_id]
        return False, None

    def get(self, client_id: UUID) -> Client:
        written, client = self._own(client_id)
        if written:
            if client is None:
                raise NotFound("client", client_id)
            return client
        return self._store.one({"id": client_id}, Client, lambda: NotFound("client", client_id))

    def get_many(self, client_ids: Sequence[UUID]) -> dict[UUID, Client]:
        found: dict[UUID, Client] = {}
        asked = []
        for client_id in dict.fromkeys(client_ids):
            written, client = self._own(client_id)
            if not written:
                asked.append(client_id)
            elif client is not None:
                found[client_id] = client
        documents = self._store.find({"id": {"$in": asked}}) if asked else []
        for document in documents:
            client = self._store.work.documents.structure(document, Client)
            found[client.id] = client
        return found

    def status(self, client_id: UUID) -> ClientStatus:
        if self._own(client_id)[0]:
            return self.get(client_id).status
        found = self._store.values("status", {"id": client_id})
        if not found:
            raise NotFound("client", client_id)
        return ClientStatus(found[0])

    def hold(self, client_id: UUID, *, exclusive: bool = False) -> ClientStatus:
        """The status, under the client's named lock (held until the unit of work ends,
        with or without transactions): MongoDB has no shared row locks, so linkers of one
        client take it in turn, and a merge takes it too."""
        self._store.work.hold(f"{self._store.tenant}/client/{client_id}")
        return self.status(client_id)

    def get_by_code(self, code: str) -> Client:
        if self._reads_mine:
            owner = self._mine_codes.get(code)
            if owner is not None:
                return self.get(owner)
            document = self._store.find_one({"code": code})
            if document is None or stored_uuid(document["id"]) in self._mine:
                raise NotFound("client with code", repr(code))
            return self._store.work.documents.structure(document, Client)
        return self._store.one(
            {"code": code}, Client, lambda: NotFound("client with code", repr(code))
        )

    def _code_owner(self, code: str) -> UUID | None:
        """The id of the client that has ``code``, as this unit sees it."""
        if self._reads_mine and code in self._mine_codes:
            return self._mine_codes[code]
        found = self._store.values("id", {"code": code})
        owner = stored_uuid(found[0]) if found else None
        return None if self._reads_mine and owner in self._mine else owner

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        if not codes:
            return frozenset()
        query = {"code": {"$in": list(codes)}}
        if not self._reads_mine:
            return frozenset(self._store.values("code", query))
        stored = self._store.find(query, projection={"_id": 0, "code": 1, "id": 1})
        taken = {d["code"] for d in stored if stored_uuid(d["id"]) not in self._mine}
        return frozenset(taken | {code for code in codes if code in self._mine_codes})

    def _check_version(self, client_id: UUID, version: int) -> Client:
        stored = self.get(client_id)
        if stored.version != version:
            raise ConcurrencyError("client", client_id, version)
        return stored

    def update(self, client: Client) -> None:
        expected = client.version - 1
        self._check_version(client.id, expected)
        owner = self._code_owner(client.code)
        if owner is not None and owner != client.id:
            raise DuplicateCode(client.code)
        self._store.update(
            {"id": client.id, "version": expected},
            self._document(client),
            missing=self._store.stale("client", client.id, expected),
            guarded=True,
            on_duplicate=lambda _: DuplicateCode(client.code),
            on_conflict=lambda: ConcurrencyError("client", client.id, expected),
        )
        self._remember(client.id, client)

    def delete(self, client: Client) -> None:
        self._check_version(client.id, client.version)
        self._store.delete(
            {"id": client.id, "version": client.version},
            missing=self._store.stale("client", client.id, client.version),
            on_conflict=lambda: ConcurrencyError("client", client.id, client.version),
        )
        self._remember(client.id, None)

    def search(self, query: ClientQuery) -> list[Client]:
        clauses: list[dict[str, Any]] = []
        for term in query.terms:
            within: dict[str, str] = {"$gte": term}
            bound = prefix_upper_bound(term)
            if bound is not None:
                within["$lt"] = bound
            whole = query.match is Match.WHOLE
            clauses.append({"search_keys": term if whole else {"$elemMatch": within}})
        if query.terms and query.match is Match.PREFIX_ONLY:
            # Not every term a whole key: some term is not one of the keys.
            clauses.append({"$or": [{"search_keys": {"$ne": term}} for term in query.terms]})
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
        structure = self._store.work.documents.structure
        if not self._reads_mine:
            documents = self._store.find(filters, sort=ORDER, limit=query.limit)
            return [structure(d, Client) for d in documents]
        # The first ``limit`` matches of the store that this unit did not write are among
        # its first ``limit + len(_mine)``; this unit's own are matched here.
        documents = self._store.find(filters, sort=ORDER, limit=query.limit + len(self._mine))
        found = [structure(d, Client) for d in documents]
        found = [client for client in found if client.id not in self._mine]
        found += [c for c in self._mine.values() if c is not None and _matches(query, c)]
        found.sort(key=lambda client: (client_sort_key(client), str(client.id)))
        return found[: query.limit]

    def profile_texts(self, after: UUID | None, size: int) -> list[str]:
        """Made from the identifying fields of each document when read (a document holds
        no stored profile: documents written by older versions would lack it)."""
        filters: dict[str, Any] = {"status": {"$nin": sorted(s.value for s in UNMATCHED)}}
        if after is not None:
            filters["id"] = {"$gt": after}
        extra = len(self._mine) if self._reads_mine else 0
        documents = self._store.find(
            filters, sort=(("id", 1),), limit=size + extra, projection=_PROFILE_FIELDS
        )
        found = [_profile(document) for document in documents]
        if extra:
            # As in :meth:`search`: this unit's own clients replace what the store holds.
            found = [p for p in found if p.id not in self._mine]
            found += [
                profile_of(client)
                for client in self._mine.values()
                if client is not None
                and client.status not in UNMATCHED
                and (after is None or client.id > after)
            ]
            found.sort(key=lambda p: p.id)
        return [profile_text(p) for p in found[:size]]


_PROFILE_FIELDS = dict.fromkeys(
    (
        "id",
        "first_name",
        "last_name",
        "company_name",
        "phones.number",
        "emails.address",
        "birthday",
        "identity_documents.number",
        "addresses.street",
        "addresses.postal_code",
        "addresses.city",
    ),
    1,
) | {"_id": 0}
"""The fields of a client document :func:`_profile` reads."""


def _profile(document: Document) -> Profile:
    """The likeness profile of a client document read with :data:`_PROFILE_FIELDS`."""
    birthday = document["birthday"]
    return profile(
        stored_uuid(document["id"]),
        (document["first_name"], document["last_name"], document["company_name"]),
        phones=[phone["number"] for phone in document["phones"]],
        emails=[email["address"] for email in document["emails"]],
        birthday=None if birthday is None else date.fromisoformat(birthday),
        documents=[item["number"] for item in document["identity_documents"]],
        addresses=[
            (item["street"], item["postal_code"], item["city"]) for item in document["addresses"]
        ],
    )


def _matches(query: ClientQuery, client: Client) -> bool:
    """Whether the store's search would find ``client`` (see :meth:`search`)."""
    if not query.matches_keys(client_search_keys(client)):
        return False
    if query.after is not None:
        sort_key, after_id = query.after
        if (client_sort_key(client), str(client.id)) <= (sort_key, str(after_id)):
            return False
    return query.admits(client)
