"""The one place where pymongo's errors become clientcore's.

Every driver call of the adapter runs inside :func:`translate`. A caller passes what a
unique-key violation or a write conflict means at that call (``DuplicateCode``,
``DuplicateName``, ``ConcurrencyError``); a write conflict or transient transaction error
that no caller explains is a :class:`~clientcore.errors.StorageBusy` (nothing was changed,
the facade runs the unit of work again); anything else the driver raises (connection lost,
timeouts, a server refusing a command) is a :class:`~clientcore.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bson.errors import BSONError
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WTimeoutError,
)

from clientcore.errors import ClientCoreError, StorageBusy, StorageError

DUPLICATE_KEY = 11000
WRITE_CONFLICT = 112
TRANSIENT = "TransientTransactionError"

OnDuplicate = Callable[[Mapping[str, Any]], ClientCoreError]
"""Builds the domain error from the violated key's values (empty if the server omits them)."""
OnConflict = Callable[[], ClientCoreError]


def _duplicate_key(error: PyMongoError) -> Mapping[str, Any] | None:
    """The key values of a unique-index violation, or None if ``error`` is not one."""
    if isinstance(error, DuplicateKeyError):
        return dict((error.details or {}).get("keyValue") or {})
    if isinstance(error, BulkWriteError):
        for failure in error.details.get("writeErrors", []):
            if failure.get("code") == DUPLICATE_KEY:
                return dict(failure.get("keyValue") or {})
    return None


def is_conflict(error: PyMongoError) -> bool:
    """A write conflict with a concurrent transaction (the whole transaction must be redone)."""
    return error.has_error_label(TRANSIENT) or (
        isinstance(error, OperationFailure) and error.code == WRITE_CONFLICT
    )


@contextmanager
def translate(
    *, on_duplicate: OnDuplicate | None = None, on_conflict: OnConflict | None = None
) -> Iterator[None]:
    """Run driver calls; re-raise their errors as clientcore errors."""
    try:
        yield
    except ClientCoreError:
        raise
    except PyMongoError as error:
        key = _duplicate_key(error)
        if key is not None and on_duplicate is not None:
            raise on_duplicate(key) from error
        if is_conflict(error):
            if on_conflict is not None:
                raise on_conflict() from error
            raise StorageBusy(
                "MongoDB: the unit of work collided with a concurrent one and was rolled back; "
                f"nothing was changed, run it again ({_describe(error)})"
            ) from error
        raise StorageError(f"MongoDB: {_describe(error)}") from error
    except BSONError as error:
        raise StorageError(f"MongoDB cannot encode or decode a document: {error}") from error


def _describe(error: PyMongoError) -> str:
    if isinstance(error, ExecutionTimeout | WTimeoutError):
        return f"the operation timed out ({error})"
    if isinstance(error, ConnectionFailure):
        return f"cannot reach the server ({error})"
    return str(error)
