"""A tenant-wide duplicate scan (M4): profiles read a page at a time, put in blocks by
:func:`~clientcore.entities.likeness.blocking_keys`, each pair that shares a block
bounded once (:class:`~clientcore.entities.likeness.EvidenceBound`, many pairs at a time)
and scored if its bound reaches the threshold, and the pairs above the threshold joined
into groups, best first.

A block holds the profiles that share a key. A block larger than :data:`BLOCK_LIMIT` (a
postal code everybody has, a common name) is not compared all against all: its profiles
are sorted by name and each is compared with the :data:`WINDOW` that follow it (a sorted
neighbourhood), so the candidate pairs stay near-linear in the number of clients.
"""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from clientcore.entities.distinct import distinct
from clientcore.entities.duplicates import (
    DuplicateGroup,
    DuplicatePair,
    DuplicateReason,
    ScanProgress,
    ScanStage,
)
from clientcore.entities.likeness import EvidenceBound, Profile, evidence, score
from clientcore.entities.profile_table import ProfileTable

BLOCK_LIMIT = 12
"""Blocks up to this size are compared all against all."""
WINDOW = 4
"""In a larger block, each profile is compared with this many that follow it by name."""
_PROGRESS_EVERY = 100_000
"""Candidate pairs bounded at once (:class:`~clientcore.entities.likeness.EvidenceBound`)
between two calls of the progress callback."""

Progress = Callable[[ScanProgress], object]
PageReader = Callable[[object], tuple[Sequence[str], object]]
"""Reads the page after a cursor (None: the first): its stored profiles
(:func:`~clientcore.entities.profile_table.profile_text`) and the next cursor (None: it
was the last)."""


def candidate_pairs(profiles: Sequence[Profile]) -> list[tuple[int, int]]:
    """Pairs of positions in ``profiles`` (smaller first, in order) that share a block."""
    first, second = _candidates(ProfileTable.of(profiles)).T
    return list(zip(first.tolist(), second.tolist(), strict=True))


def _candidates(profiles: ProfileTable) -> NDArray[np.int64]:
    """:func:`candidate_pairs` as an array of two columns, found with numpy.

    A block is the profiles whose key has one stored hash
    (:func:`~clientcore.entities.profile_table.stable_hash`); two keys with one hash (about
    once in 10^13 pairs of keys) only make a few more pairs to compare. A pair ``(a, b)``
    is the number ``a * len(profiles) + b`` until the pairs are made unique."""
    count = len(profiles)
    hashes, owners = profiles.key_hashes, profiles.key_owners
    order = np.argsort(hashes, kind="stable")
    hashes, owners = hashes[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
    sizes = np.diff(np.append(starts, len(hashes)))
    found: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]

    def add(a: NDArray[np.int64], b: NDArray[np.int64]) -> None:
        apart = a != b
        a, b = a[apart], b[apart]
        found.append(np.minimum(a, b) * count + np.maximum(a, b))

    for size in distinct(sizes[(sizes >= 2) & (sizes <= BLOCK_LIMIT)]).tolist():
        members = owners[starts[sizes == size][:, None] + np.arange(size)]
        left, right = np.triu_indices(size, 1)
        add(members[:, left].ravel(), members[:, right].ravel())
    blocks = np.repeat(np.arange(len(sizes)), sizes)
    large = (sizes > BLOCK_LIMIT)[blocks]
    members, blocks = owners[large], blocks[large]
    by_name = np.lexsort(
        (
            profiles.company_codes[members],
            profiles.first_codes[members],
            profiles.last_codes[members],
            blocks,
        )
    )
    members, blocks = members[by_name], blocks[by_name]
    for step in range(1, WINDOW + 1):
        same = blocks[:-step] == blocks[step:]
        add(members[:-step][same], members[step:][same])
    pairs = distinct(np.concatenate(found))
    return np.stack(divmod(pairs, count), axis=1) if count else pairs.reshape(0, 2)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's garbage collector off while a scan runs (on again after, if it was on).
    The scan makes a few objects per client that live until it ends, and frees no
    cycles; each full collection would walk all of them again (at 100,000 clients the
    collector took about half of the reading and blocking time). Process-wide: another
    thread's cycles wait for the scan to end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Found = tuple[int, int, float, tuple[DuplicateReason, ...]]
"""A pair found by a scan: the positions of its profiles (the one whose id sorts first
first), its score and its reasons."""


def _groups(pairs: list[Found], profiles: ProfileTable) -> list[DuplicateGroup]:
    """Connected pairs as groups, best group first; pairs in a group best first (ties by
    the ids as text)."""
    parent: dict[int, int] = {}

    def root(item: int) -> int:
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second, _, _ in pairs:
        parent[root(first)] = root(second)
    members: dict[int, list[Found]] = defaultdict(list)
    for pair in pairs:
        members[root(pair[0])].append(pair)

    def order(pair: Found) -> tuple[float, str, str]:
        return -pair[2], profiles.id_text(pair[0]), profiles.id_text(pair[1])

    ranked = []
    for group_pairs in members.values():
        group_pairs.sort(key=order)
        ranked.append((order(group_pairs[0]), group_pairs))
    ranked.sort(key=lambda item: item[0])
    groups = []
    for _, group_pairs in ranked:
        made = tuple(
            DuplicatePair(profiles.profile(a).id, profiles.profile(b).id, likeness, reasons)
            for a, b, likeness, reasons in group_pairs
        )
        client_ids = dict.fromkeys(i for p in made for i in (p.first_id, p.second_id))
        groups.append(DuplicateGroup(client_ids=tuple(client_ids), pairs=made))
    return groups


class DuplicateScan:
    """The groups of likely duplicates of a tenant, best first: iterate over it. The
    clients are read and compared when the first group is asked for; ``clients_read`` and
    ``pairs_compared`` then say how much was done. Iterating again gives the same groups,
    without reading the clients again."""

    def __init__(
        self, read_page: PageReader, *, min_score: float, progress: Progress | None
    ) -> None:
        self._read_page = read_page
        self._min_score = min_score
        self._progress = progress
        self.clients_read = 0
        self.pairs_compared = 0
        self._found: list[DuplicateGroup] | None = None

    def _tell(self, stage: ScanStage, done: int, total: int | None) -> None:
        if self._progress is not None:
            self._progress(ScanProgress(stage, done, total))

    def _pages(self) -> Iterator[Sequence[str]]:
        cursor: object = None
        while True:
            page, cursor = self._read_page(cursor)
            yield page
            self.clients_read += len(page)
            self._tell(ScanStage.READING, self.clients_read, None)
            if cursor is None:
                return

    def _pairs(self, profiles: ProfileTable) -> list[Found]:
        candidates = _candidates(profiles)
        total = len(candidates)
        self._tell(ScanStage.COMPARING, 0, total)
        bound = EvidenceBound(profiles)
        found: list[Found] = []
        for start in range(0, total, _PROGRESS_EVERY):
            a, b = candidates[start : start + _PROGRESS_EVERY].T
            reach = bound.reaching(a, b, self._min_score)
            xs, ys = a[reach].tolist(), b[reach].tolist()
            profiles.make({*xs, *ys})
            for x, y in zip(xs, ys, strict=True):
                weight, reasons = evidence(profiles.profile(x), profiles.profile(y))
                likeness = score(weight)
                if likeness >= self._min_score:
                    if profiles.id_text(y) < profiles.id_text(x):
                        x, y = y, x
                    found.append((x, y, likeness, reasons))
            if start + len(a) < total:
                self._tell(ScanStage.COMPARING, start + len(a), total)
        self.pairs_compared = total
        self._tell(ScanStage.COMPARING, total, total)
        return found

    def __iter__(self) -> Iterator[DuplicateGroup]:
        if self._found is None:
            with _collector_paused():
                profiles = ProfileTable(self._pages())
                self._found = _groups(self._pairs(profiles), profiles)
                del profiles  # not kept while the caller goes through the groups
        yield from self._found
