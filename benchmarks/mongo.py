"""MongoDB adapter: importing clients, against pymongo ``insert_many`` of the same documents.

Ours is ``core.clients.import_many`` in batches of 10,000 on ``clientcore.open(uri)`` (validation,
codes from the counter, client documents with their search keys, audit events). The
baseline inserts the very documents ours wrote (read back from ours' collections, new
``_id``s, copied before its timer starts) with ``insert_many``, batch by batch, into another
new database whose indexes the adapter created. Ours is opened on the server's ``Database``
object, as a host would. Each imports three times, each time into a new database, who goes
first moving round; the medians are published. Every database is dropped afterwards.

It needs a real server (``CLIENTCORE_TEST_MONGO_URI`` or ``--uri``, e.g.
``mongodb://127.0.0.1:27017``): mongomock is an in-process fake whose speed says nothing
about MongoDB's, so without a server the benchmark is skipped and says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

import clientcore
from benchmarks.data import client_rows
from benchmarks.harness import Row, elapsed, publish, turn_order, write_section
from clientcore.adapters.mongo import MongoBackend, indexes

BATCH = 10_000
ROUNDS = 3
TENANT = "bench"
KEY = "mongo"
TITLE = "MongoDB import: core.clients.import_many vs insert_many of the same documents"
Document = dict[str, Any]


def skipped(reason: str, *, write: bool) -> str:
    return write_section(
        KEY,
        f"### {TITLE}\n\nSkipped: {reason}. mongomock is an in-process fake, no baseline for "
        "MongoDB's speed, so this benchmark runs only against a real server: set "
        "`CLIENTCORE_TEST_MONGO_URI` (or pass `--uri`), e.g. `mongodb://127.0.0.1:27017`.",
        write=write,
    )


@contextmanager
def fresh_database(client: MongoClient[Document], label: str) -> Iterator[str]:
    """The name of a new database, dropped when the block ends."""
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        client.drop_database(name)


COLLECTIONS = (indexes.CLIENTS, indexes.EVENTS)


def import_ours(
    database: Database[Document], rows: Sequence[clientcore.ClientFields]
) -> tuple[float, bool]:
    """Seconds of ``core.clients.import_many`` of ``rows``, batch by batch, into ``database``, and
    whether it ran in transactions."""
    core = clientcore.open(database, tenant=TENANT, actor=clientcore.Actor("bench"))
    core.setup.configure(default_region="PL")
    seconds = elapsed(
        lambda: [core.clients.import_many(rows[i : i + BATCH]) for i in range(0, len(rows), BATCH)]
    )
    return seconds, core.capabilities.transactions


def written(database: Database[Document]) -> dict[str, list[Document]]:
    """The documents of the tenant in each collection, in the order written, without ``_id``."""
    return {
        name: [
            {key: value for key, value in document.items() if key != "_id"}
            for document in database[name].find({"tenant": TENANT}).sort("_id", 1)
        ]
        for name in COLLECTIONS
    }


def insert_raw(database: Database[Document], documents: dict[str, list[Document]]) -> float:
    """Seconds of ``insert_many`` of ``documents`` into ``database`` (the adapter's indexes
    made first), a client batch and its events' batch at a time. The batches are copied
    before the timer starts (``insert_many`` sets each document's ``_id``)."""
    MongoBackend.on_database(database)  # the adapter's indexes, as ours has them
    count = max(len(docs) for docs in documents.values())
    batches = [
        (name, [dict(doc) for doc in documents[name][start : start + BATCH]])
        for start in range(0, count, BATCH)
        for name in COLLECTIONS
    ]

    def insert() -> None:
        for name, batch in batches:
            if batch:
                database[name].insert_many(batch, ordered=True)

    return elapsed(insert)


def measure(client: MongoClient[Document], count: int) -> tuple[list[Row], str]:
    """Ours and the baseline, :data:`ROUNDS` times each, each into a new database, who goes
    first moving round (ours first in the first round: the baseline inserts the documents
    ours wrote then): the table's row (medians) and a note."""
    rows = client_rows(count)
    seconds: dict[str, list[float]] = {"ours": [], "raw": []}
    documents: dict[str, list[Document]] = {}
    transactions = False
    for round_ in range(ROUNDS):
        for kind in [("ours", "raw")[who] for who in turn_order(2, round_)]:
            with fresh_database(client, kind) as name:
                if kind == "ours":
                    ours, transactions = import_ours(client[name], rows)
                    seconds[kind].append(ours)
                    documents = documents or written(client[name])
                else:
                    seconds[kind].append(insert_raw(client[name], documents))
    total = sum(len(docs) for docs in documents.values())
    ours, raw = (statistics.median(seconds[kind]) for kind in ("ours", "raw"))
    spread = "; ".join(
        f"{kind} {', '.join(f'{value:.1f}' for value in values)} s"
        for kind, values in seconds.items()
    )
    note = (
        "Ours validates every field, draws codes from the counter, checks them, and "
        "writes client documents (with search keys) and audit events"
        + (
            " in one multi-document transaction per batch"
            if transactions
            else " without transactions (the server offers none), undo steps kept"
        )
        + "; the baseline inserts the same documents, already made and copied before its "
        f"timer starts. Each imports {ROUNDS} times, each time into a new database, who goes "
        f"first moving round; the table gives the medians (each run: {spread})."
    )
    return [Row(f"import {count:,} clients ({total:,} documents)", ours, raw, "s")], note


def run(uri: str, count: int, *, write: bool) -> str:
    client: MongoClient[Document] = MongoClient(uri, serverSelectionTimeoutMS=3000)
    try:
        client.admin.command("ping")
    except PyMongoError as error:
        client.close()
        return skipped(f"the server at the given URI is unreachable ({error})", write=write)
    try:
        rows, note = measure(client, count)
    finally:
        client.close()
    return publish(KEY, TITLE, rows, notes=note, write=write)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--uri",
        default=os.environ.get("CLIENTCORE_TEST_MONGO_URI"),
        help="a MongoDB server (default: $CLIENTCORE_TEST_MONGO_URI)",
    )
    parser.add_argument("--n", type=int, default=100_000, help="clients to import")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    if not args.uri:
        skipped("no MongoDB server was given", write=not args.no_write)
        return
    run(args.uri, args.n, write=not args.no_write)


if __name__ == "__main__":
    main()
