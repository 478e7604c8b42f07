"""Finding clients that look like a new one before it is registered (M4), and reading a
tenant's clients a page at a time for a duplicate scan.

Candidates are found through the client search index that every adapter keeps (see
:mod:`clientcore.entities.search`): a few exact lookups (each phone's E.164 digits, each
e-mail address, the name words in either order) and one lookup by the first letters of
the names (to get past typing errors), each a page of at most :data:`LOOKUP_LIMIT`
clients. The clients found are scored in Python with
:func:`~clientcore.entities.likeness.evidence`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import attrs

from clientcore.entities.client import Client, ClientKind
from clientcore.entities.duplicates import UNMATCHED, Candidate, DuplicatePolicy
from clientcore.entities.likeness import evidence, profile_of, score
from clientcore.entities.profile_table import profile_id
from clientcore.entities.search import (
    ClientQuery,
    StatusFilter,
    client_sort_key,
    search_terms,
)
from clientcore.errors import LikelyDuplicate
from clientcore.operations import clients
from clientcore.operations.context import Context
from clientcore.ports.unit_of_work import UnitOfWork

LOOKUP_LIMIT = 50
"""Clients read per lookup; a name shared by more clients is narrowed by the other lookups."""
NAME_STEM = 3
"""Letters of each name that the typo-tolerant lookup takes."""
CANDIDATE_LIMIT = 10


@attrs.frozen
class _At:
    """A clock stopped at one instant: what checking a description needs of a context."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant


def _described(uow: UnitOfWork, ctx: Context, fields: Mapping[str, Any]) -> Client:
    """The client that registering ``fields`` would make (checked as registration checks
    them), with a new id and no code."""
    values = clients.check_rows(uow, ctx, [fields])[0]
    values.pop("code", None)
    values.setdefault("kind", ClientKind.PERSON)
    now = ctx.now()
    return Client(id=ctx.ids(), code="", created_at=now, updated_at=now, **values)


def _lookups(client: Client) -> Iterator[tuple[str, ...]]:
    """The search terms of each lookup (all of a lookup's terms must match)."""
    for phone in client.phones:
        yield (phone.number.lstrip("+"),)
    for email in client.emails:
        yield tuple(search_terms(email.address, region=None))
    if client.kind is ClientKind.COMPANY:
        yield tuple(search_terms(client.company_name, region=None))
        return
    names = search_terms(f"{client.first_name} {client.last_name}", region=None)
    if names:
        yield names
        stems = tuple(sorted({term[:NAME_STEM] for term in names}))
        if stems != names:
            yield stems


def _candidates(uow: UnitOfWork, client: Client, min_score: float) -> list[Candidate]:
    found: dict[UUID, Client] = {}
    for terms in _lookups(client):
        query = ClientQuery(terms=terms, status=StatusFilter.ALL, limit=LOOKUP_LIMIT)
        for other in uow.clients.search(query):
            if other.status not in UNMATCHED:
                found.setdefault(other.id, other)
    profile = profile_of(client)
    candidates = []
    for other in found.values():
        weight, reasons = evidence(profile, profile_of(other))
        likeness = score(weight)
        if likeness >= min_score:
            candidates.append(Candidate(other, likeness, reasons))
    candidates.sort(key=lambda c: (-c.score, client_sort_key(c.client), str(c.client.id)))
    return candidates[:CANDIDATE_LIMIT]


def similar(
    uow: UnitOfWork, fields: Mapping[str, Any], *, now: datetime, min_score: float
) -> list[Candidate]:
    """Existing clients of the tenant that look like the client ``fields`` describe
    (registration fields, checked as registration checks them), best first, at most
    :data:`CANDIDATE_LIMIT`."""
    ctx = Context(actor=None, clock=_At(now), ids=uuid.uuid4)
    return _candidates(uow, _described(uow, ctx, fields), min_score)


def register(
    uow: UnitOfWork,
    ctx: Context,
    fields: Mapping[str, Any],
    *,
    duplicates: DuplicatePolicy,
    min_score: float,
) -> Client:
    """Register a client; with :attr:`DuplicatePolicy.REFUSE`, raise
    :class:`LikelyDuplicate` (with the candidates) instead if existing clients look like it."""
    if duplicates is DuplicatePolicy.REFUSE:
        candidates = _candidates(uow, _described(uow, ctx, fields), min_score)
        if candidates:
            raise LikelyDuplicate(candidates)
    return clients.register(uow, ctx, fields)


def profiles_page(uow: UnitOfWork, after: UUID | None, size: int) -> tuple[list[str], UUID | None]:
    """The stored profiles of a page of ``size`` of the tenant's clients (active and inactive, not
    :data:`UNMATCHED`) after the id ``after`` (None: the first page), and the cursor of
    the next page (None: no more)."""
    page = uow.clients.profile_texts(after, size + 1)
    if len(page) > size:
        return page[:size], profile_id(page[size - 1])
    return page, None
