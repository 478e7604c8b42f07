"""Synthetic clients with injected duplicates, for the duplicate benchmarks.

Originals have a given name from a list of Polish, Lithuanian and Dutch names, a surname
made of syllables (thousands of them, some with diacritics), a birthday, a Polish mobile
number, an e-mail address and a home address. A tenth of them get a duplicate, written
as a receptionist might write the same person again: two or three of diacritics left
out, a typing error in the surname, first and last name swapped, the phone in its
national form or left out, the e-mail in other case or left out, day and month swapped,
another address.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import attrs

from clientcore import Address, AddressKind, ClientFields
from clientcore.entities.text import fold

GIVEN = [
    "Łukasz",
    "Anna",
    "Zofia",
    "Jan",
    "Piotr",
    "Katarzyna",
    "Małgorzata",
    "Tomasz",
    "Agnieszka",
    "Paweł",
    "Michał",
    "Ewa",
    "Krzysztof",
    "Barbara",
    "Andrzej",
    "Joanna",
    "Marek",
    "Magdalena",
    "Grzegorz",
    "Monika",
    "Šarūnas",
    "Eglė",
    "Rūta",
    "Jonas",
    "Tomas",
    "Aistė",
    "Lukas",
    "Daan",
    "Sanne",
    "Bram",
    "Lotte",
    "Sem",
    "Emma",
    "Luuk",
    "Julia",
    "Thijs",
    "Sophie",
    "Jesse",
    "Noor",
    "Ruben",
    "Lieke",
    "Wojciech",
    "Dorota",
    "Jakub",
    "Aleksandra",
    "Mateusz",
    "Natalia",
    "Bartosz",
    "Weronika",
]
_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "w",
    "z",
    "ch",
    "sz",
    "cz",
    "ż",
    "ł",
    "ś",
    "br",
    "kr",
    "pr",
    "st",
    "gr",
    "dr",
]
_NUCLEI = ["a", "e", "i", "o", "u", "y", "ó", "ą", "ę", "ie", "au"]
_ENDINGS = [
    "ski",
    "ska",
    "wicz",
    "czyk",
    "ak",
    "ek",
    "as",
    "is",
    "ienė",
    "aitė",
    "man",
    "sen",
    "ink",
    "dijk",
    "berg",
]
STREETS = [
    "Długa",
    "Krótka",
    "Polna",
    "Leśna",
    "Słoneczna",
    "Ogrodowa",
    "Lipowa",
    "Kwiatowa",
    "Szkolna",
    "Brzozowa",
    "Gedimino",
    "Vilniaus",
    "Laisvės",
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Schoolstraat",
]
CITIES = [
    "Warszawa",
    "Kraków",
    "Łódź",
    "Wrocław",
    "Poznań",
    "Gdańsk",
    "Vilnius",
    "Kaunas",
    "Utrecht",
    "Leiden",
]
DUPLICATE_SHARE = 0.1


def _surname(rng: random.Random) -> str:
    syllables = [rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(rng.randint(1, 2))]
    return ("".join(syllables) + rng.choice(_ENDINGS)).capitalize()


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two letters swapped
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 1:  # a letter left out
        return word[:at] + word[at + 1 :]
    return word[:at] + rng.choice("aeioukstnrl") + word[at + 1 :]  # a letter mistyped


def _plain(text: str) -> str:
    """Diacritics left out, case kept."""
    return "".join(a if fold(a) == a.lower() else fold(a) for a in text).title()


def original(rng: random.Random, number: int, surnames: list[str]) -> ClientFields:
    first, last = rng.choice(GIVEN), rng.choice(surnames)
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
    return {
        "first_name": first,
        "last_name": last,
        "birthday": born,
        "phones": [f"+48 5{number:08d}"],
        "emails": [f"{fold(first)}.{fold(last)}.{number}@example.com"],
        "addresses": [
            Address(
                AddressKind.RESIDENCE,
                street=f"ul. {rng.choice(STREETS)} {rng.randint(1, 120)}",
                postal_code=f"{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}",
                city=rng.choice(CITIES),
            )
        ],
    }


Change = Callable[[random.Random, dict[str, object]], None]


def _no_diacritics(rng: random.Random, row: dict[str, object]) -> None:
    row["first_name"] = _plain(str(row["first_name"]))
    row["last_name"] = _plain(str(row["last_name"]))


def _surname_typo(rng: random.Random, row: dict[str, object]) -> None:
    row["last_name"] = _typo(rng, str(row["last_name"]))


def _swapped(rng: random.Random, row: dict[str, object]) -> None:
    row["first_name"], row["last_name"] = row["last_name"], row["first_name"]


def _phone(rng: random.Random, row: dict[str, object]) -> None:
    if "phones" not in row:
        return
    if rng.random() < 0.5:
        del row["phones"]
    else:
        number = str(row["phones"][0])[4:]  # type: ignore[index]
        row["phones"] = [f"{number[:3]} {number[3:6]} {number[6:]}"]


def _email(rng: random.Random, row: dict[str, object]) -> None:
    if "emails" not in row:
        return
    if rng.random() < 0.5:
        del row["emails"]
    else:
        row["emails"] = [str(row["emails"][0]).upper()]  # type: ignore[index]


def _birthday(rng: random.Random, row: dict[str, object]) -> None:
    born = row.get("birthday")
    if not isinstance(born, date):
        return
    if born.day <= 12 and born.day != born.month:
        row["birthday"] = date(born.year, born.day, born.month)
    else:
        del row["birthday"]


def _moved(rng: random.Random, row: dict[str, object]) -> None:
    row["addresses"] = [
        Address(AddressKind.RESIDENCE, street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}")
    ]


CHANGES: tuple[Change, ...] = (
    _no_diacritics,
    _surname_typo,
    _swapped,
    _phone,
    _email,
    _birthday,
    _moved,
)


def duplicate_of(rng: random.Random, row: ClientFields) -> ClientFields:
    changed: dict[str, object] = dict(row)
    for change in rng.sample(CHANGES, rng.randint(2, 3)):
        change(rng, changed)
    return changed  # type: ignore[return-value]


@attrs.frozen
class Synthetic:
    rows: list[ClientFields]
    """Originals and duplicates, shuffled."""
    pairs: set[frozenset[int]]
    """Positions in ``rows`` of each true pair."""


def synthetic(count: int, seed: int = 5) -> Synthetic:
    """``count`` rows, of which a :data:`DUPLICATE_SHARE` are duplicates of another."""
    rng = random.Random(seed)
    surnames = sorted({_surname(rng) for _ in range(max(50, count // 20))})
    originals = round(count / (1 + DUPLICATE_SHARE))
    rows = [original(rng, number, surnames) for number in range(originals)]
    twins = [(index, duplicate_of(rng, rows[index])) for index in range(count - originals)]
    rows.extend(row for _, row in twins)
    order = list(range(len(rows)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    return Synthetic(
        rows=[rows[old] for old in order],
        pairs={frozenset((position[a], position[originals + n])) for n, (a, _) in enumerate(twins)},
    )
