"""A tenant-wide duplicate scan (M4): profiles read a page at a time, put in blocks by
:func:`~clientcore.entities.likeness.blocking_keys`, each pair that shares a block scored
once, and the pairs above the threshold joined into groups, best first.

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

from clientcore.entities.duplicates import (
    DuplicateGroup,
    DuplicatePair,
    ScanProgress,
    ScanStage,
)
from clientcore.entities.likeness import (
    EvidenceBound,
    Profile,
    blocking_keys,
    evidence,
    score,
)

BLOCK_LIMIT = 12
"""Blocks up to this size are compared all against all."""
WINDOW = 4
"""In a larger block, each profile is compared with this many that follow it by name."""
_PROGRESS_EVERY = 10_000
"""Candidate pairs bounded at once (:class:`~clientcore.entities.likeness.EvidenceBound`)
between two calls of the progress callback."""

Progress = Callable[[ScanProgress], object]
PageReader = Callable[[object], tuple[Sequence[Profile], object]]
"""Reads the page after a cursor (None: the first): its profiles and the next cursor
(None: it was the last)."""


def candidate_pairs(profiles: Sequence[Profile]) -> list[tuple[int, int]]:
    """Pairs of positions in ``profiles`` (smaller first, in order) that share a block.

    While they are gathered, a pair ``(a, b)`` is the number ``a * len(profiles) + b``:
    numbers are not tracked by the garbage collector, hundreds of thousands of tuples are
    (and each full collection walks every object the process holds)."""
    count = len(profiles)
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, profile in enumerate(profiles):
        for key in blocking_keys(profile):
            blocks[key].append(position)
    pairs: set[int] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) <= BLOCK_LIMIT:
            pairs.update(a * count + b for i, a in enumerate(members) for b in members[i + 1 :])
            continue
        members.sort(key=lambda p: (profiles[p].last, profiles[p].first, profiles[p].company))
        for index, a in enumerate(members):
            for b in members[index + 1 : index + 1 + WINDOW]:
                pairs.add(a * count + b if a < b else b * count + a)
    return [divmod(pair, count) for pair in sorted(pairs)]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's garbage collector off while a scan runs (on again after, if it was on).
    The scan makes a few objects per client that live until it ends, and frees no
    cycles; each full collection would walk all of them again (at 100,000 clients the
    collector took a third of the reading and blocking time). Process-wide: another
    thread's cycles wait for the scan to end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _groups(pairs: list[DuplicatePair]) -> list[DuplicateGroup]:
    """Connected pairs as groups, best group first; pairs in a group best first."""
    parent: dict[object, object] = {}

    def root(item: object) -> object:
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for pair in pairs:
        parent[root(pair.first_id)] = root(pair.second_id)
    members: dict[object, list[DuplicatePair]] = defaultdict(list)
    for pair in pairs:
        members[root(pair.first_id)].append(pair)
    groups = []
    for group_pairs in members.values():
        group_pairs.sort(key=lambda p: (-p.score, str(p.first_id), str(p.second_id)))
        ids = dict.fromkeys(i for p in group_pairs for i in (p.first_id, p.second_id))
        groups.append(DuplicateGroup(client_ids=tuple(ids), pairs=tuple(group_pairs)))
    groups.sort(key=lambda g: (-g.score, str(g.pairs[0].first_id), str(g.pairs[0].second_id)))
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

    def _profiles(self) -> list[Profile]:
        profiles: list[Profile] = []
        cursor: object = None
        while True:
            page, cursor = self._read_page(cursor)
            profiles.extend(page)
            self.clients_read = len(profiles)
            self._tell(ScanStage.READING, len(profiles), None)
            if cursor is None:
                return profiles

    def _pairs(self, profiles: list[Profile]) -> list[DuplicatePair]:
        candidates = np.array(candidate_pairs(profiles), dtype=np.int64).reshape(-1, 2)
        total = len(candidates)
        self._tell(ScanStage.COMPARING, 0, total)
        bound = EvidenceBound(profiles)
        found = []
        for start in range(0, total, _PROGRESS_EVERY):
            a, b = candidates[start : start + _PROGRESS_EVERY].T
            reach = bound.reaching(a, b, self._min_score)
            for x, y in zip(a[reach].tolist(), b[reach].tolist(), strict=True):
                first, second = profiles[x], profiles[y]
                weight, reasons = evidence(first, second)
                likeness = score(weight)
                if likeness >= self._min_score:
                    if str(second.id) < str(first.id):
                        first, second = second, first
                    found.append(DuplicatePair(first.id, second.id, likeness, reasons))
            if start + len(a) < total:
                self._tell(ScanStage.COMPARING, start + len(a), total)
        self.pairs_compared = total
        self._tell(ScanStage.COMPARING, total, total)
        return found

    def __iter__(self) -> Iterator[DuplicateGroup]:
        if self._found is None:
            with _collector_paused():
                self._found = _groups(self._pairs(self._profiles()))
        yield from self._found
