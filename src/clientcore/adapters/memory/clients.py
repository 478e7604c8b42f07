"""In-memory client repository with the same code-uniqueness, versioning and search rules as SQL."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Sequence
from uuid import UUID

from clientcore.adapters.memory.table import Journal, Table
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.duplicates import UNMATCHED
from clientcore.entities.likeness import profile_of
from clientcore.entities.profile_table import profile_text
from clientcore.entities.search import ClientQuery, Match, client_search_keys, client_sort_key
from clientcore.errors import ConcurrencyError, DuplicateCode, NotFound


class ClientIndexes:
    """Per-tenant code index and prefix index of search keys, kept by the client table."""

    def __init__(self) -> None:
        self.by_code: dict[str, dict[str, UUID]] = {}
        self.rank: dict[str, dict[UUID, tuple[str, str]]] = {}
        """Per tenant: client id -> (sort key, id as text), the order of search results."""
        self._postings: dict[str, dict[str, set[UUID]]] = {}
        self._sorted: dict[str, list[str]] = {}

    def on_change(self, tenant: str, old: Client | None, new: Client | None) -> None:
        codes = self.by_code.setdefault(tenant, {})
        ranks = self.rank.setdefault(tenant, {})
        postings = self._postings.setdefault(tenant, {})
        if old is not None:
            codes.pop(old.code, None)
            del ranks[old.id]
            for key in client_search_keys(old):
                ids = postings[key]
                ids.discard(old.id)
                if not ids:
                    del postings[key]
                    self._sorted.pop(tenant, None)
        if new is not None:
            codes[new.code] = new.id
            ranks[new.id] = (client_sort_key(new), str(new.id))
            for key in client_search_keys(new):
                if key not in postings:
                    postings[key] = set()
                    self._sorted.pop(tenant, None)
                postings[key].add(new.id)

    def with_key(self, tenant: str, key: str) -> set[UUID]:
        """Ids of clients with the search key ``key``, whole."""
        return set(self._postings.get(tenant, {}).get(key, ()))

    def with_prefix(self, tenant: str, prefix: str) -> set[UUID]:
        """Ids of clients with a search key starting with ``prefix`` (a bisect over sorted keys)."""
        postings = self._postings.get(tenant, {})
        keys = self._sorted.get(tenant)
        if keys is None:
            keys = self._sorted[tenant] = sorted(postings)
        found: set[UUID] = set()
        for position in range(bisect.bisect_left(keys, prefix), len(keys)):
            key = keys[position]
            if not key.startswith(prefix):
                break
            found |= postings[key]
        return found


class MemoryClientRepository:
    def __init__(
        self, tenant: str, table: Table[UUID, Client], indexes: ClientIndexes, journal: Journal
    ) -> None:
        self._tenant = tenant
        self._table = table
        self._indexes = indexes
        self._journal = journal

    def add_many(self, clients: Sequence[Client]) -> None:
        taken = self.taken_codes([client.code for client in clients])
        seen: set[str] = set()
        for client in clients:
            if client.code in taken or client.code in seen:
                raise DuplicateCode(client.code)
            seen.add(client.code)
        for client in clients:
            self._table.put(self._tenant, client.id, client, self._journal)

    def get(self, client_id: UUID) -> Client:
        client = self._table.get(self._tenant, client_id)
        if client is None:
            raise NotFound("client", client_id)
        return client

    def get_many(self, client_ids: Sequence[UUID]) -> dict[UUID, Client]:
        found = {key: self._table.get(self._tenant, key) for key in dict.fromkeys(client_ids)}
        return {key: client for key, client in found.items() if client is not None}

    def status(self, client_id: UUID) -> ClientStatus:
        return self.get(client_id).status

    def hold(self, client_id: UUID, *, exclusive: bool = False) -> ClientStatus:
        """The status: units of work on the memory store run one at a time already."""
        return self.status(client_id)

    def get_by_code(self, code: str) -> Client:
        client_id = self._indexes.by_code.get(self._tenant, {}).get(code)
        if client_id is None:
            raise NotFound("client with code", repr(code))
        return self.get(client_id)

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        existing = self._indexes.by_code.get(self._tenant, {})
        return frozenset(code for code in codes if code in existing)

    def update(self, client: Client) -> None:
        stored = self.get(client.id)
        if stored.version != client.version - 1:
            raise ConcurrencyError("client", client.id, client.version - 1)
        owner = self._indexes.by_code.get(self._tenant, {}).get(client.code)
        if owner is not None and owner != client.id:
            raise DuplicateCode(client.code)
        self._table.put(self._tenant, client.id, client, self._journal)

    def delete(self, client: Client) -> None:
        stored = self.get(client.id)
        if stored.version != client.version:
            raise ConcurrencyError("client", client.id, client.version)
        self._table.put(self._tenant, client.id, None, self._journal)

    def search(self, query: ClientQuery) -> list[Client]:
        ranks = self._indexes.rank.get(self._tenant, {})
        ids: Iterable[UUID] = ranks
        whole = query.match is Match.WHOLE
        for term in query.terms:
            matched = (self._indexes.with_key if whole else self._indexes.with_prefix)(
                self._tenant, term
            )
            ids = matched if ids is ranks else set(ids) & matched
        if query.match is Match.PREFIX_ONLY:
            wholes = [self._indexes.with_key(self._tenant, term) for term in query.terms]
            ids = set(ids) - wholes[0].intersection(*wholes[1:])
        cursor = None if query.after is None else (query.after[0], str(query.after[1]))
        heap = [
            (ranks[client_id], client_id)
            for client_id in ids
            if cursor is None or ranks[client_id] > cursor
        ]
        heapq.heapify(heap)
        found: list[Client] = []
        while heap and len(found) < query.limit:
            _, client_id = heapq.heappop(heap)
            client = self.get(client_id)
            if query.admits(client):
                found.append(client)
        return found

    def profile_texts(self, after: UUID | None, size: int) -> list[str]:
        """Made from the stored clients when read: the memory store keeps no more than
        its clients."""
        rows = (
            client
            for client in self._table.rows(self._tenant)
            if client.status not in UNMATCHED and (after is None or client.id > after)
        )
        return [profile_text(profile_of(client)) for client in heapq.nsmallest(size, rows, key=_id)]


def _id(client: Client) -> UUID:
    return client.id
