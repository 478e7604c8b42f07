"""Timing helpers and result tables shared by every benchmark.

Times are wall-clock on a shared machine, so every figure is reported next to a baseline
measured in the same run, and the ratio is what we track. Nothing here asserts a time.
"""

from __future__ import annotations

import gc
import platform
import re
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Row:
    """One comparison: our figure and the baseline's, in the same unit."""

    case: str
    ours: float
    baseline: float
    unit: str
    target: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "met" if self.ratio <= self.target else "missed"


def elapsed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` took."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def latencies_ms(action: Callable[[str], object], inputs: Sequence[str]) -> list[float]:
    """Milliseconds of each call of ``action`` on each input."""
    return [elapsed(lambda item=item: action(item)) * 1000 for item in inputs]  # type: ignore[misc]


def take_turns(actions: Sequence[Callable[[T], object]], inputs: Sequence[T]) -> list[list[float]]:
    """Milliseconds of each call of each action, the actions taking turns on each input.

    Who goes first moves round from one input to the next. The first to touch an input's
    rows reads whatever is not cached yet (a large database is not all in memory: the OS
    gives back pages it has not used lately, a server's buffer pool holds a part), and
    the others then find those pages cached; always the same one first would charge it
    every cold read, and its tail percentiles with it.
    """
    times: list[list[float]] = [[] for _ in actions]
    for turn, item in enumerate(inputs):
        for index in turn_order(len(actions), turn):
            start = time.perf_counter()
            actions[index](item)
            times[index].append((time.perf_counter() - start) * 1000)
    return times


def turn_order(count: int, turn: int) -> list[int]:
    """The order in which ``count`` contenders go on turn ``turn`` (0, 1, ...): who goes
    first moves round from one turn to the next."""
    return [(turn + offset) % count for offset in range(count)]


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (inclusive method), e.g. 50 or 95."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def render(title: str, rows: Sequence[Row]) -> str:
    """A Markdown table of the rows, with ratios."""
    lines = [
        f"### {title}",
        "",
        "| case | ours | baseline | ratio | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        target = f"≤ {row.target}x ({row.verdict})" if row.target is not None else ""
        lines.append(
            f"| {row.case} | {row.ours:.3f} {row.unit} | {row.baseline:.3f} {row.unit} "
            f"| {row.ratio:.2f}x | {target} |"
        )
    return "\n".join(lines)


def publish(
    key: str, title: str, rows: Sequence[Row], *, notes: str = "", write: bool = True
) -> str:
    """Print the table; with ``write``, replace this benchmark's section of docs/benchmarks.md."""
    return write_section(
        key, "\n\n".join(part for part in (render(title, rows), notes) if part), write=write
    )


def write_section(key: str, body: str, *, write: bool = True) -> str:
    """Print ``body`` with a time stamp; with ``write``, make it the section ``key`` of
    docs/benchmarks.md (replaced in place, or added at the end)."""
    stamp = f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}."
    body = f"{body}\n\n{stamp}"
    print(body, end="\n\n")
    if write:
        start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
        section = f"{start}\n{body}\n{end}"
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        text = (
            pattern.sub(lambda _: section, text)
            if pattern.search(text)
            else f"{text.rstrip()}\n\n{section}\n"
        )
        RESULTS.write_text(text, encoding="utf-8")
    return body


@contextmanager
def clean_heap() -> Iterator[None]:
    """The block runs on a collected heap whose objects the garbage collector then leaves
    alone (``gc.freeze``): each import pays for collecting what it makes, not for going
    through the harness's own rows (ours' input, the baselines' prepared rows) as the
    others' leftovers make it collect."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
