"""The distinct values of a numpy array, found by sorting it.

``numpy.unique`` finds them by hashing since numpy 2.3 and then sorts them: on the
duplicate scan's arrays (a quarter of a million 64-bit pair numbers) that took four times
as long as one sort and a comparison of neighbours.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

Scalar = TypeVar("Scalar", bound=np.generic)


def _firsts(ordered: NDArray[Scalar]) -> NDArray[np.bool_]:
    """True where a sorted array's value differs from the one before it."""
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return new


def distinct(values: NDArray[Scalar]) -> NDArray[Scalar]:
    """The distinct values, sorted."""
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]


def distinct_with_inverse(values: NDArray[Scalar]) -> tuple[NDArray[Scalar], NDArray[np.int64]]:
    """The distinct values, sorted, and for each value the position of its own among them."""
    order = np.argsort(values)
    ordered = values[order]
    new = _firsts(ordered)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse
