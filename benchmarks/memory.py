"""In-memory adapter: registering clients and prefix search, against a plain dict and list.

The baseline (:class:`PlainIndex`) stores the same rows in a dict and keeps a sorted list
of the same search keys as ours (folded name words, e-mail addresses and their words, phone
digit forms, the code; made from the rows as ``benchmarks.data`` writes them, with the
library's ``fold`` and ``phone_search_keys``), and finds a page as ours orders it: no
validation, no phone parsing, no entities, no history. The ratio is the price of what the
core adds (validation, E.164 normalisation, codes from a counter, entities, audit events).
Each import runs three times, who goes first moving round; the table gives the medians.
The searches take turns on each text, who goes first moving round from text to text; the
baseline is checked to find the clients ours finds, in the same order.
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import statistics
import unicodedata
import uuid
from collections.abc import Sequence
from typing import Any

import clientcore
from benchmarks.data import client_rows, prefixes
from benchmarks.harness import Row, elapsed, percentile, publish, take_turns, turn_order
from clientcore.entities.contacts import phone_search_keys
from clientcore.entities.search import client_sort_key
from clientcore.entities.text import fold

BATCH = 10_000
ROUNDS = 3
PAGE = 50


def _parts(word: str) -> list[str]:
    """The parts of a word between punctuation marks (Unicode categories P*)."""
    return "".join(" " if unicodedata.category(ch)[0] == "P" else ch for ch in word).split()


def _words(folded: str) -> set[str]:
    """The words of folded text, and the parts of each between punctuation marks."""
    words = set()
    for word in folded.split():
        words.add(word)
        words.update(_parts(word))
    return words


def _sort_words(folded: str) -> str:
    return " ".join(part for word in folded.split() for part in _parts(word))


class PlainIndex:
    """The baseline: rows in a dict, (key, id) pairs in a sorted list, a sort key per id."""

    def __init__(self) -> None:
        self.by_id: dict[uuid.UUID, dict[str, Any]] = {}
        self.sort_keys: dict[uuid.UUID, str] = {}
        self.keys: list[tuple[str, uuid.UUID]] = []

    def import_rows(self, rows: Sequence[clientcore.ClientFields]) -> None:
        for number, row in enumerate(rows, start=1):
            client_id, code = uuid.uuid4(), str(number)
            self.by_id[client_id] = {**row, "id": client_id, "code": code}
            names = [fold(str(row.get(field, ""))) for field in ("first_name", "last_name")]
            self.sort_keys[client_id] = _sort_words(names[1]) + "\x01" + _sort_words(names[0])
            keys = {fold(code)}
            for name in names:
                keys.update(_words(name))
            for address in row.get("emails", ()):
                folded = fold(str(address))
                keys.add(folded)
                keys.update(_words(folded.split("@", 1)[0]))
            for phone in row.get("phones", ()):
                keys.update(
                    phone_search_keys("+" + "".join(ch for ch in str(phone) if ch.isdigit()))
                )
            self.keys.extend((key, client_id) for key in keys)
        self.keys.sort()

    def search(self, text: str, limit: int = PAGE) -> list[dict[str, Any]]:
        """The first ``limit`` rows in sort order (folded name, then id) with a key starting
        with each word of ``text``."""
        found: set[uuid.UUID] | None = None
        for term in fold(text).split():
            matched = set()
            index = bisect.bisect_left(self.keys, (term,))
            while index < len(self.keys) and self.keys[index][0].startswith(term):
                matched.add(self.keys[index][1])
                index += 1
            found = matched if found is None else found & matched
        page = heapq.nsmallest(
            limit, found or (), key=lambda client_id: (self.sort_keys[client_id], str(client_id))
        )
        return [self.by_id[client_id] for client_id in page]


def open_core() -> clientcore.Core:
    core = clientcore.open("memory://", tenant="bench", actor=clientcore.Actor("bench"))
    core.setup.configure(default_region="PL")
    return core


def import_ours(core: clientcore.Core, rows: Sequence[clientcore.ClientFields]) -> float:
    return elapsed(
        lambda: [core.clients.import_many(rows[i : i + BATCH]) for i in range(0, len(rows), BATCH)]
    )


def same_results(core: clientcore.Core, index: PlainIndex, texts: Sequence[str]) -> None:
    """Fail loudly unless the baseline finds the clients ours finds, in the same order: the
    same sort keys, and the same clients for each but the page's last (ties are broken by
    id, and each side makes its own ids)."""
    for text in texts:
        ours = [
            (client_sort_key(client), client.code)
            for client in core.clients.search(text, limit=PAGE).clients
        ]
        theirs = [(index.sort_keys[row["id"]], row["code"]) for row in index.search(text)]
        assert [key for key, _ in ours] == [key for key, _ in theirs], text
        last = ours[-1][0] if ours else None
        assert {found for found in ours if found[0] != last} == {
            found for found in theirs if found[0] != last
        }, text


def run(count: int, searches: int, *, write: bool) -> str:
    rows = client_rows(count)
    seconds: dict[str, list[float]] = {"ours": [], "baseline": []}
    core, index = open_core(), PlainIndex()
    for round_ in range(ROUNDS):
        for kind in [("ours", "baseline")[who] for who in turn_order(2, round_)]:
            if kind == "ours":
                core = open_core()  # outside the timer, as the baseline's empty index is
                seconds[kind].append(import_ours(core, rows))
            else:
                index = PlainIndex()
                seconds[kind].append(elapsed(lambda index=index: index.import_rows(rows)))  # type: ignore[misc]

    texts: Sequence[str] = prefixes(searches)
    core.clients.search(texts[0])  # builds the sorted key index once, as the first search would
    same_results(core, index, texts[:20])
    ours, raw = take_turns(
        [lambda text: core.clients.search(text, limit=PAGE), index.search], texts
    )
    rows_out = [
        Row(
            f"register {count:,} clients (import, batches of {BATCH:,}; median of {ROUNDS})",
            statistics.median(seconds["ours"]),
            statistics.median(seconds["baseline"]),
            "s",
        ),
        Row(f"prefix search p50 over {count:,}", percentile(ours, 50), percentile(raw, 50), "ms"),
        Row(f"prefix search p95 over {count:,}", percentile(ours, 95), percentile(raw, 95), "ms"),
    ]
    return publish(
        "memory",
        "In-memory adapter vs plain dict and sorted list",
        rows_out,
        notes=__doc__.split("\n\n", 1)[1].replace("\n", " ").strip(),
        write=write,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="clients to register")
    parser.add_argument("--searches", type=int, default=300, help="searches to time")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args(argv)
    run(args.n, args.searches, write=not args.no_write)


if __name__ == "__main__":
    main()
