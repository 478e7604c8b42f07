"""The scan's distinct values agree with ``numpy.unique`` (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from clientcore.entities.distinct import distinct, distinct_with_inverse


@given(st.lists(st.integers(-(2**63), 2**63 - 1) | st.sampled_from([0, 1, 7])))
def test_distinct_integers_are_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    wanted, inverse = np.unique(array, return_inverse=True)
    found, positions = distinct_with_inverse(array)
    assert found.tolist() == distinct(array).tolist() == wanted.tolist()
    assert positions.tolist() == inverse.reshape(-1).tolist()


@given(st.lists(st.sampled_from([-3.0, 0.0, 2.5, 9.25, 14.0])))
def test_distinct_floats_map_back_to_each_value(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    found, positions = distinct_with_inverse(array)
    assert found.tolist() == sorted(set(values))
    assert found[positions].tolist() == values
