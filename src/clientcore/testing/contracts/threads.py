"""One core shared by 16 threads: what a multi-threaded host (a WSGI server's workers) does."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from clientcore.entities.working_hours import TimeRange, WeeklySlot
from clientcore.errors import ConcurrencyError, VisitOverlap
from clientcore.facade import Core
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.race import attempts, overlapping_pairs

THREADS = 16
ROUNDS = 4
DAY = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


class SharedCoreContract(BackendContract):
    def test_a_core_is_shared_by_sixteen_threads(self, core: Core) -> None:
        """16 threads at once, each registering clients, changing one shared client with
        its version (reading again after ConcurrencyError) and booking partly overlapping
        visits of one staff member: every code is unique, no change is lost (the version
        counts them all), and no two visits overlap."""
        vet = core.staff.add("Dr Shared").id
        core.staff.set_hours(
            vet, [WeeklySlot(day, TimeRange(time(0), time(23, 59))) for day in range(7)]
        )
        shared = core.clients.register(last_name="Shared").id
        work = attempts(THREADS * ROUNDS, DAY)
        barrier = threading.Barrier(THREADS)
        lock = threading.Lock()
        codes: list[str] = []
        booked: list[bool] = []
        failures: list[BaseException] = []

        def append(mark: str) -> None:
            while True:
                client = core.clients.get(shared)
                try:
                    core.clients.update(
                        shared,
                        remarks=f"{client.remarks} {mark}".strip(),
                        expected_version=client.version,
                    )
                except ConcurrencyError:
                    continue
                return

        def book(start: datetime, minutes: int, client_id: UUID) -> bool:
            try:
                core.visits.book(client_id, vet, start, minutes)
            except VisitOverlap:
                return False
            return True

        def worker(number: int) -> None:
            try:
                barrier.wait()
                for round_ in range(ROUNDS):
                    client = core.clients.register(last_name=f"Thread {number}")
                    append(f"{number}.{round_}")
                    start, minutes = work[number * ROUNDS + round_]
                    result = book(start, minutes, client.id)
                    with lock:
                        codes.append(client.code)
                        booked.append(result)
            except BaseException as error:
                with lock:
                    failures.append(error)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert failures == []
        assert len(codes) == len(set(codes)) == THREADS * ROUNDS
        final = core.clients.get(shared)
        marks = final.remarks.split()
        assert sorted(marks) == sorted(f"{n}.{r}" for n in range(THREADS) for r in range(ROUNDS))
        assert final.version == 1 + THREADS * ROUNDS
        held = [
            (visit.start, visit.end)
            for visit in core.calendar.for_staff(vet, DAY, DAY + timedelta(hours=10))
            if visit.holds_time
        ]
        assert len(held) == booked.count(True) >= 1
        assert overlapping_pairs(held) == 0
