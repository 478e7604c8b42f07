"""mongomock made atomic per operation, as a MongoDB server is.

mongomock runs ``find_one_and_update`` and its kin as a find followed by a write, so two
threads can both match the same version of a document; a server never lets them. The
MongoDB adapter relies on the server's single-document atomicity (see docs/mongo.md), so
the tests run mongomock with one lock around every operation of a collection.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from mongomock.collection import Collection

OPERATIONS = (
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "find_one",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "count_documents",
    "distinct",
    "create_indexes",
)


def _locked(operation: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(operation)
    def run(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return operation(*args, **kwargs)

    return run


@contextmanager
def atomic_operations() -> Iterator[None]:
    """While the block runs, every listed mongomock operation holds one shared lock."""
    lock = threading.RLock()
    with pytest.MonkeyPatch.context() as patch:
        for name in OPERATIONS:
            patch.setattr(Collection, name, _locked(getattr(Collection, name), lock))
        yield
