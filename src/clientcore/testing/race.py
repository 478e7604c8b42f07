"""A booking race: many threads try to book partly overlapping times for one staff member.

Used by the contract suite on every adapter, and by the SQL tests against a deliberately
naive check-then-insert, which must lose (showing that the race can catch the bug).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import attrs

Attempt = tuple[datetime, int]
"""A start and a length in minutes."""


@attrs.frozen
class RaceResult:
    booked: int
    refused: int
    unexpected: tuple[BaseException, ...]


def attempts(count: int, day_start: datetime, *, seed: int = 3) -> list[Attempt]:
    """``count`` bookings on a 5-minute grid over 8 hours, 15 to 60 minutes long, so that
    most of them partly overlap others."""
    rng = random.Random(seed)
    return [
        (day_start + timedelta(minutes=5 * rng.randrange(0, 90)), rng.choice([15, 20, 30, 45, 60]))
        for _ in range(count)
    ]


def run_race(
    book: Callable[[datetime, int], bool],
    work: Sequence[Attempt],
    *,
    threads: int = 16,
) -> RaceResult:
    """Run ``book(start, minutes)`` for every attempt from ``threads`` threads at once.

    ``book`` returns True when booked and False when refused with the typed overlap
    error; anything it raises is collected as unexpected.
    """
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    outcomes: list[bool] = []
    unexpected: list[BaseException] = []

    def worker(share: Sequence[Attempt]) -> None:
        barrier.wait()
        for start, minutes in share:
            try:
                result = book(start, minutes)
            except BaseException as error:
                with lock:
                    unexpected.append(error)
                continue
            with lock:
                outcomes.append(result)

    pool = [threading.Thread(target=worker, args=(work[i::threads],)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return RaceResult(outcomes.count(True), outcomes.count(False), tuple(unexpected))


def overlapping_pairs(intervals: Sequence[tuple[datetime, datetime]]) -> int:
    """How many pairs of the half-open intervals overlap (touching end-to-start is fine)."""
    ordered = sorted(intervals)
    return sum(
        1
        for index, (_, end) in enumerate(ordered)
        for start, _ in ordered[index + 1 :]
        if start < end
    )
