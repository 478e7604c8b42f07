"""Ranking and paging invariants of search, on the in-memory adapter (the SQL and Mongo
adapters are held to memory's answers by the agreement state machine and the contracts).

For any clients and any search, reading page by page at any size gives exactly the
matches, each once, ordered by (rank, sort key, id): the client whose code is the text,
then those of whom every term is a whole key, then the others."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import clientcore
from clientcore import Client
from clientcore.entities.search import client_search_keys, client_sort_key, search_terms
from clientcore.operations.clients import ClientFields

WORDS = ["an", "anna", "annabel", "nowak", "nowakowska", "no", "kot"]


def _expected(clients: list[Client], text: str) -> list[Client]:
    terms = search_terms(text, region=None)
    found = []
    for client in clients:
        keys = client_search_keys(client)
        if all(any(key.startswith(term) for key in keys) for term in terms):
            rank = 0 if client.code == text.strip() else 1 if set(terms) <= keys else 2
            found.append((rank, client_sort_key(client), str(client.id), client))
    return [entry[-1] for entry in sorted(found, key=lambda entry: entry[:3])]


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    text=st.lists(st.sampled_from([*WORDS, "a", "n", "k"]), min_size=1, max_size=2).map(" ".join),
    limit=st.integers(min_value=1, max_value=4),
)
def test_pages_hold_every_match_once_in_rank_order(
    people: list[tuple[str, str, bool]], text: str, limit: int
) -> None:
    core = clientcore.open("memory://", tenant="t", actor=clientcore.Actor("test"))
    clients = []  # one client may have the text as its code (codes are unique, one word)
    for index, (first, last, coded) in enumerate(people):
        fields: ClientFields = {"first_name": first, "last_name": last}
        if coded and index == 0 and " " not in text:
            fields["code"] = text
        clients.append(core.clients.register(**fields))
    read: list[Client] = []
    after = None
    while True:
        page = core.clients.search(text, limit=limit, after=after)
        read.extend(page.clients)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert read == _expected(clients, text)
