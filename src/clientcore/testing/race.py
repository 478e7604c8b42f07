"""A booking race: many threads (and processes) try to book partly overlapping times for one
staff member.

Used by the contract suite on every adapter, and by the SQL tests, which also race from
several processes and race a deliberately naive check-then-insert, which must lose (showing
that the race can catch the bug).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from queue import Empty
from typing import Any
from uuid import UUID

import attrs

from clientcore.errors import VisitOverlap
from clientcore.facade import Core

Attempt = tuple[datetime, int]
"""A start and a length in minutes."""

Book = Callable[[datetime, int], bool]
"""Books ``(start, minutes)``: True when booked, False when refused as overlapping."""

OpenBooker = Callable[[], AbstractContextManager[Book]]
"""Opens what a process needs to book (its own connections) and closes it at the end."""


def booker(core: Core, client_id: UUID, staff_id: UUID) -> Book:
    """Bookings of the client with the staff member through ``core.visits.book``: an
    attempt refused with :class:`~clientcore.errors.VisitOverlap` returns False, any other
    error is raised (and counted as unexpected by :func:`run_race`)."""

    def book(start: datetime, minutes: int) -> bool:
        try:
            core.visits.book(client_id, staff_id, start, minutes)
        except VisitOverlap:
            return False
        return True

    return book


@attrs.frozen
class RaceResult:
    booked: int
    refused: int
    unexpected: tuple[BaseException, ...]

    def __add__(self, other: RaceResult) -> RaceResult:
        return RaceResult(
            self.booked + other.booked,
            self.refused + other.refused,
            self.unexpected + other.unexpected,
        )


class RemoteError(Exception):
    """An unexpected error raised in another process, carried back as its type, message and
    traceback (not every error class can be pickled)."""


def attempts(count: int, day_start: datetime, *, seed: int = 3) -> list[Attempt]:
    """``count`` bookings on a 5-minute grid over 8 hours, 15 to 60 minutes long, so that
    most of them partly overlap others."""
    rng = random.Random(seed)
    return [
        (day_start + timedelta(minutes=5 * rng.randrange(0, 90)), rng.choice([15, 20, 30, 45, 60]))
        for _ in range(count)
    ]


def run_race(
    book: Book,
    work: Sequence[Attempt],
    *,
    threads: int = 16,
    ready: Callable[[], object] | None = None,
) -> RaceResult:
    """Run ``book(start, minutes)`` for every attempt from ``threads`` threads at once.

    ``book`` returns True when booked and False when refused with the typed overlap
    error; anything it raises is collected as unexpected. ``ready`` is called once every
    thread is waiting at the start line, before any is let go (another process's barrier).
    """

    def start_line() -> None:
        if ready is not None:
            ready()

    barrier = threading.Barrier(threads, action=start_line)
    lock = threading.Lock()
    outcomes: list[bool] = []
    unexpected: list[BaseException] = []

    def worker(share: Sequence[Attempt]) -> None:
        try:
            barrier.wait()
        except BaseException as error:  # the start line failed (``ready`` raised, or broke)
            with lock:
                unexpected.append(error)
            return
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


def run_race_in_processes(
    open_booker: OpenBooker,
    work: Sequence[Attempt],
    *,
    processes: int,
    threads: int = 16,
    threads_per_process: int = 4,
    timeout: float = 300.0,
) -> RaceResult:
    """Race the attempts from ``threads`` threads of this process and, at the same moment,
    from ``processes`` other processes with ``threads_per_process`` threads each.

    The processes are started with the ``spawn`` method, so they share nothing with this one
    but the database. ``open_booker`` must pickle (a module-level function, or an instance
    of a module-level class): each process calls it to open its own connections. The
    attempts are dealt to all the threads in turn, and no thread starts booking before
    every thread of every process is ready. A process that dies makes the race fail at
    once; ``timeout`` bounds every wait for the others.
    """
    if processes == 0:
        with open_booker() as book:
            return run_race(book, work, threads=threads)
    context = multiprocessing.get_context("spawn")
    everyone = threads + processes * threads_per_process

    def share(first: int, count: int) -> list[Attempt]:
        return [a for i, a in enumerate(work) if first <= i % everyone < first + count]

    ready: Any = context.Queue()
    go = context.Event()
    results: Any = context.Queue()
    children = [
        context.Process(
            target=_race_in_child,
            args=(
                open_booker,
                share(threads + p * threads_per_process, threads_per_process),
                threads_per_process,
                (ready, go, timeout),
                results,
            ),
            daemon=True,
        )
        for p in range(processes)
    ]

    def receive(queue: Any, what: str, *, may_have_ended: bool) -> Any:
        """The next item of ``queue``, unless a process ends too early or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return queue.get(timeout=0.1)
            except Empty:
                ended = [c.exitcode for c in children if c.exitcode is not None]
                if any(code != 0 or not may_have_ended for code in ended):
                    raise RuntimeError(
                        f"a racing process ended before sending its {what} (exit code {ended[0]})"
                    ) from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no {what} from the racing processes") from None

    def start_line() -> None:
        for _ in children:
            receive(ready, "start signal", may_have_ended=False)
        go.set()

    for child in children:
        child.start()
    finished = False
    try:
        with open_booker() as book:
            outcome = run_race(book, share(0, threads), threads=threads, ready=start_line)
        for _ in children:
            outcome += receive(results, "result", may_have_ended=True)
        finished = True
    finally:
        for child in children:
            if finished:
                child.join(timeout=timeout)
            if child.is_alive():
                child.kill()
                child.join()
    return outcome


def _race_in_child(
    open_booker: OpenBooker,
    work: Sequence[Attempt],
    threads: int,
    start: tuple[Any, Any, float],
    results: Any,
) -> None:
    """The body of a racing process: its share of the attempts, then its result, always."""
    ready, go, timeout = start

    def start_line() -> None:
        ready.put(None)
        if not go.wait(timeout):
            raise TimeoutError("the other racers never started")

    try:
        with open_booker() as book:
            result = run_race(book, work, threads=threads, ready=start_line)
    except BaseException as error:
        result = RaceResult(0, 0, (error,))
    results.put(attrs.evolve(result, unexpected=tuple(_portable(e) for e in result.unexpected)))


def _portable(error: BaseException) -> RemoteError:
    trace = "".join(traceback.format_exception(error))
    return RemoteError(f"{type(error).__module__}.{type(error).__qualname__}: {error}\n{trace}")


def overlapping_pairs(intervals: Sequence[tuple[datetime, datetime]]) -> int:
    """How many pairs of the half-open intervals overlap (touching end-to-start is fine)."""
    ordered = sorted(intervals)
    return sum(
        1
        for index, (_, end) in enumerate(ordered)
        for start, _ in ordered[index + 1 :]
        if start < end
    )
