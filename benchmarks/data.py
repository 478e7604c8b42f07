"""Deterministic client rows for benchmarks: Polish, Lithuanian and Dutch names, valid phones."""

from __future__ import annotations

import random

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
    """``count`` rows for ``core.import_clients``: names, a Polish mobile and an e-mail."""
    rng = random.Random(seed)
    rows: list[ClientFields] = []
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            {
                "first_name": first,
                "last_name": f"{last}{index % 997}",
                "phones": [f"+48 6{index:08d}"],
                "emails": [f"client{index}@example.com"],
            }
        )
    return rows


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
