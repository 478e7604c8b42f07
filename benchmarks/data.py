"""Deterministic client rows for benchmarks: Polish, Lithuanian and Dutch names, valid phones."""

from __future__ import annotations

import random
from collections.abc import Iterator

from clientcore import ClientFields

FIRST = [
    "Łukasz",
    "Anna",
    "Šarūnas",
    "Zofia",
    "Jan",
    "Eglė",
    "Daan",
    "Sanne",
    "Piotr",
    "Rūta",
    "Bram",
]
LAST = [
    "Nowak",
    "Kowalska",
    "Żółkiewski",
    "Kazlauskas",
    "Petrauskienė",
    "de Vries",
    "Jansen",
    "Wiśniewski",
    "Vasiliauskas",
    "van Dijk",
    "Lewandowska",
    "Bakker",
]


def client_rows(count: int, seed: int = 7) -> list[ClientFields]:
    """``count`` rows for ``core.clients.import_many``: names, a Polish mobile and an e-mail."""
    return list(stream_client_rows(count, seed))


def stream_client_rows(count: int, seed: int = 7) -> Iterator[ClientFields]:
    """The rows of :func:`client_rows`, made one at a time as they are asked for."""
    rng = random.Random(seed)
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        yield {
            "first_name": first,
            "last_name": f"{last}{index % 997}",
            "phones": [f"+48 6{index:08d}"],
            "emails": [f"client{index}@example.com"],
        }


def prefixes(count: int, seed: int = 11) -> list[str]:
    """Search texts: name prefixes of 3-5 letters, written without diacritics."""
    rng = random.Random(seed)
    words = [
        "luk",
        "anna",
        "sarun",
        "zof",
        "nowak1",
        "kowal",
        "zolk",
        "kazl",
        "jans",
        "dijk",
        "bakk",
    ]
    return [rng.choice(words) for _ in range(count)]


def rare_prefixes(count: int, clients: int, seed: int = 13) -> list[str]:
    """Search texts matching a handful of the first ``clients`` rows of :func:`client_rows`:
    a whole e-mail name (``client4711``: one client), a last name with its number
    (``kowalska123``: about ``clients / 12 / 997``) or national phone digits (one)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        index = rng.randrange(clients // 10, clients)
        kind = rng.randrange(3)
        if kind == 0:
            texts.append(f"client{index}")
        elif kind == 1:
            last = rng.choice(["kowalska", "nowak", "jansen", "bakker", "kazlauskas"])
            texts.append(f"{last}{rng.randrange(997)}")
        else:
            texts.append(f"6{index:08d}")
    return texts
