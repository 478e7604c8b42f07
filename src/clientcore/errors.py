"""The one exception hierarchy of clientcore.

Every error a caller can see is a subclass of :class:`ClientCoreError`. Adapters translate
driver errors into these classes in one place each, so a host never has to catch an
SQLAlchemy or pymongo exception. An operation that raises has changed nothing: its unit
of work is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.localtime import span_text

if TYPE_CHECKING:
    from clientcore.entities.duplicates import Candidate

__all__ = [
    "ActorRequired",
    "ClientCoreError",
    "ClientInUse",
    "ConcurrencyError",
    "Conflict",
    "DuplicateCode",
    "DuplicateName",
    "HandlerDepthExceeded",
    "ImportRowError",
    "InvalidTenant",
    "LikelyDuplicate",
    "NotFound",
    "OutsideWorkingHours",
    "PermissionDenied",
    "StorageBusy",
    "StorageError",
    "TransactionClosed",
    "UnsupportedTarget",
    "ValidationError",
    "VisitOverlap",
]


class ClientCoreError(Exception):
    """Base class of every error raised by clientcore."""


class ValidationError(ClientCoreError, ValueError):
    """An input value was refused; ``field`` names it and the message says what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ImportRowError(ValidationError):
    """A row of an import was refused: ``row`` is its index in the rows given (from 0),
    ``code`` the code the row gives (None: it gives none), ``field`` and ``reason`` say
    what to fix. Nothing of the import was stored."""

    def __init__(self, row: int, code: str | None, field: str, message: str) -> None:
        super().__init__(field, message)
        where = f"row {row}" if code is None else f"row {row} (code {code!r})"
        self.args = (f"{where}: {field}: {message}",)
        self.row = row
        self.code = code


class InvalidTenant(ValidationError):
    """The tenant was None, empty or malformed; nothing is read or written without one."""

    def __init__(self, message: str) -> None:
        super().__init__("tenant", message)


class ActorRequired(ClientCoreError, ValueError):
    """A change was attempted without saying who makes it."""

    def __init__(self) -> None:
        super().__init__(
            "every change records who made it: pass actor=Actor(...) to clientcore.open "
            "or use core.acting_as(actor)"
        )


class NotFound(ClientCoreError, LookupError):
    """No record of this kind with this id or key exists in the current tenant."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"no {kind} {key!s} in this tenant")
        self.kind = kind
        self.key = key


class UnknownKind(ClientCoreError, LookupError):
    """A record kind that this core was not opened with (see ``kinds=`` of ``open``)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"no record kind {name!r} in this core: "
            "declare it with clientcore.open(..., kinds=[...])"
        )
        self.name = name


class Conflict(ClientCoreError):
    """The change contradicts data that is already stored."""


class DuplicateCode(Conflict):
    """Another client of the tenant already has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"client code {code!r} is already used by another client in this tenant")
        self.code = code


class DuplicateName(Conflict):
    """Another definition (group, attribute) of the tenant already has this name or key."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"a {kind} named {name!r} already exists in this tenant")
        self.kind = kind
        self.name = name


class ConcurrencyError(Conflict):
    """Someone else changed the record since it was read; re-read it and apply the change again."""

    def __init__(self, kind: str, key: UUID, expected_version: int) -> None:
        super().__init__(
            f"{kind} {key} was changed by someone else (expected version {expected_version}); "
            "read it again and retry"
        )
        self.kind = kind
        self.key = key
        self.expected_version = expected_version


class ClientInUse(Conflict):
    """A client that other records refer to cannot be deleted; deactivate it instead."""

    def __init__(self, client_id: UUID, referenced_by: Sequence[str]) -> None:
        kinds = ", ".join(referenced_by)
        super().__init__(
            f"client {client_id} cannot be deleted because {kinds} refer to it; "
            "deactivate the client instead (core.clients.deactivate)"
        )
        self.client_id = client_id
        self.referenced_by = tuple(referenced_by)


class VisitOverlap(Conflict):
    """The time is taken: another visit or break of the same staff member overlaps it.

    ``start`` and ``end`` are the entry in the way (UTC); the message shows them in
    ``zone``, the tenant's (None: UTC)."""

    def __init__(
        self, conflicting_id: UUID, start: datetime, end: datetime, zone: tzinfo | None = None
    ) -> None:
        super().__init__(
            f"the staff member already has an entry {span_text(start, end, zone)} "
            f"(id {conflicting_id}); touching end-to-start is allowed"
        )
        self.conflicting_id = conflicting_id
        self.start = start
        self.end = end
        self.zone = zone

    def in_zone(self, zone: tzinfo) -> VisitOverlap:
        """The same error, its message in ``zone``."""
        return VisitOverlap(self.conflicting_id, self.start, self.end, zone)


class OutsideWorkingHours(Conflict):
    """The time is not inside the staff member's working hours; the message shows it in
    ``zone``, the tenant's (None: UTC)."""

    def __init__(self, start: datetime, end: datetime, zone: tzinfo | None = None) -> None:
        super().__init__(
            f"{span_text(start, end, zone)} is outside the staff member's working "
            "hours; an owner or administrator may book it with override_hours=True"
        )
        self.start = start
        self.end = end
        self.zone = zone


class PermissionDenied(ClientCoreError):
    """The acting person's roles do not allow this operation."""


class UnsupportedTarget(ClientCoreError, ValueError):
    """``clientcore.open`` was given a URL or object it cannot bind to."""


class StorageError(ClientCoreError):
    """The storage failed in a way no other error describes (connection lost, disk full...)."""


class StorageBusy(StorageError):
    """A transient storage failure: a deadlock, a serialization failure, a lock wait timeout,
    SQLite's "database is locked", a MongoDB write conflict or transient transaction error.

    Nothing was changed and the same operation may simply run again. A
    :class:`~clientcore.Core` runs the whole operation again a few times itself,
    with jittered exponential backoff, and raises this only when every attempt was busy, or
    at once when its units of work are part of a host's transaction (which only the host can
    run again as a whole). Inside ``core.transaction()`` nothing is run again: the block
    gets this, and the host runs the whole block again.
    """


class HandlerDepthExceeded(ClientCoreError):
    """Handlers called inside a unit of work wrote changes whose events called handlers
    that wrote again, ``limit`` levels deep: most likely a handler that answers its own
    event. The whole change is rolled back."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(
            f"event handlers nested more than {limit} deep (at {kind!r}); "
            "does a handler write a change that calls it again?"
        )
        self.kind = kind
        self.limit = limit


class TransactionClosed(ClientCoreError):
    """A transaction was used after its ``with`` block ended, or after a change made in it
    raised (what that change did before it raised cannot be kept: the whole transaction is
    rolled back, also when the caller caught the error and let the block end normally)."""

    def __init__(self, *, failed: bool = False) -> None:
        super().__init__(
            "a change in this transaction failed, so it was rolled back (see the cause)"
            if failed
            else "this transaction has ended or a change in it failed; use a new transaction"
        )


class LikelyDuplicate(Conflict):
    """Registration was asked to refuse likely duplicates, and existing clients look like
    the new one: ``candidates`` lists them, best first, each with its score and reasons.
    Nothing was stored."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        shown = ", ".join(
            f"{c.client.code} ({c.score:.2f}: {', '.join(c.reasons)})" for c in candidates
        )
        super().__init__(f"existing clients look like this one: {shown}")
        self.candidates = tuple(candidates)
