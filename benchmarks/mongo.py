"""MongoDB adapter: importing clients, against pymongo ``insert_many`` of the same documents.

Ours is ``core.clients.import_many`` in batches of 10,000 on ``clientcore.open(uri)`` (validation,
codes from the counter, client documents with their search keys, audit events). The
baseline inserts the very documents ours wrote (read back from ours' collections, new
``_id``s) with ``insert_many``, batch by batch, into another new database whose indexes the
adapter created. Ours is opened on the server's ``Database`` object, as a host would.
Both databases are dropped afterwards.

It needs a real server (``CLIENTCORE_TEST_MONGO_URI`` or ``--uri``, e.g.
``mongodb://127.0.0.1:27017``): mongomock is an in-process fake whose speed says nothing
about MongoDB's, so without a server the benchmark is skipped and says so.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

import clientcore
from benchmarks.data import client_rows
from benchmarks.harness import Row, elapsed, publish, write_section
from clientcore.adapters.mongo import MongoBackend, indexes

BATCH = 10_000
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


def run(uri: str, count: int, *, write: bool) -> str:
    client: MongoClient[Document] = MongoClient(uri, serverSelectionTimeoutMS=3000)
    try:
        client.admin.command("ping")
    except PyMongoError as error:
        client.close()
        return skipped(f"the server at the given URI is unreachable ({error})", write=write)
    rows = client_rows(count)
    try:
        with (
            fresh_database(client, "ours") as ours_name,
            fresh_database(client, "raw") as raw_name,
        ):
            core = clientcore.open(
                client[ours_name], tenant=TENANT, actor=clientcore.Actor("bench")
            )
            transactions = core.capabilities.transactions
            core.setup.configure(default_region="PL")

            def import_ours() -> None:
                for start in range(0, count, BATCH):
                    core.clients.import_many(rows[start : start + BATCH])

            ours = elapsed(import_ours)
            written = client[ours_name]
            collections = (indexes.CLIENTS, indexes.EVENTS)
            documents = {
                name: [
                    {key: value for key, value in document.items() if key != "_id"}
                    for document in written[name].find({"tenant": TENANT}).sort("_id", 1)
                ]
                for name in collections
            }
            raw_database = client[raw_name]
            MongoBackend.on_database(raw_database)  # the adapter's indexes, as ours has them

            def insert_raw() -> None:  # a client document and an event per client, batch by batch
                for start in range(0, count, BATCH):
                    stop = start + BATCH if start + BATCH < count else None  # the rest
                    for name in collections:
                        batch = documents[name][start:stop]
                        raw_database[name].insert_many([dict(doc) for doc in batch], ordered=True)

            raw = elapsed(insert_raw)
    finally:
        client.close()
    total = sum(len(docs) for docs in documents.values())
    return publish(
        KEY,
        TITLE,
        [Row(f"import {count:,} clients ({total:,} documents)", ours, raw, "s")],
        notes=(
            "Ours validates every field, draws codes from the counter, checks them, and "
            "writes client documents (with search keys) and audit events"
            + (
                " in one multi-document transaction per batch"
                if transactions
                else " without transactions (the server offers none), undo steps kept"
            )
            + "; the baseline inserts the same documents, already made."
        ),
        write=write,
    )


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
