"""The one exception hierarchy of clientcore.

Every error a caller can see is a subclass of :class:`ClientCoreError`. Adapters translate
driver errors into these classes in one place each, so a host never has to catch an
SQLAlchemy or pymongo exception. An operation that raises has changed nothing: its unit
of work is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.localtime import span_text

if TYPE_CHECKING:
    from clientcore.entities.duplicates import Candidate
    from clientcore.entities.imports import ImportReport
    from clientcore.entities.privacy import AnonymisationReceipt

__all__ = [
    "ActorRequired",
    "ClientCoreError",
    "ClientForgotten",
    "ClientInUse",
    "ClientMerged",
    "ConcurrencyError",
    "Conflict",
    "DeliveryFailed",
    "DuplicateCode",
    "DuplicateName",
    "HandlerDepthExceeded",
    "ImportRefused",
    "ImportRowError",
    "InvalidConfirmation",
    "InvalidTenant",
    "LikelyDuplicate",
    "MergeRefused",
    "MessagingDisabled",
    "NoRecipient",
    "NotFound",
    "OutsideWorkingHours",
    "PermissionDenied",
    "PurgeIncomplete",
    "StorageBusy",
    "StorageError",
    "TransactionClosed",
    "UnknownPlaceholder",
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


class ImportRefused(ValidationError):
    """An all-or-nothing import refused rows, so nothing of it was stored: ``report`` (an
    :class:`~clientcore.ImportReport`) lists every refused row; the message names the first."""

    def __init__(self, report: ImportReport) -> None:
        first = report.refusals[0]
        super().__init__(first.field, first.reason)
        self.args = (f"{len(report.refusals)} row(s) refused, nothing stored; first: {first}",)
        self.report = report


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


class Overpayment(Conflict):
    """A settlement would pay more than is open on the documents it settles."""

    def __init__(self, amount: Decimal, open_amount: Decimal, currency: str) -> None:
        super().__init__(
            f"a payment of {amount} {currency} is more than the {open_amount} {currency} open "
            "on the documents it settles"
        )
        self.amount = amount
        self.open_amount = open_amount
        self.currency = currency


class VisitInvoiced(Conflict):
    """A visit that issued sales documents bill cannot be deleted (an issued document is
    never removed); cancel the visit instead."""

    def __init__(self, visit_id: UUID, numbers: Sequence[str]) -> None:
        super().__init__(
            f"visit {visit_id} is billed by issued document(s) {', '.join(numbers)}; "
            "an issued document stays, so the visit cannot be deleted (cancel it instead)"
        )
        self.visit_id = visit_id
        self.numbers = tuple(numbers)


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


class PurgeIncomplete(StorageError):
    """An erasure is committed, but the store could not yet clear every old copy of the
    erased values: on SQLite a connection still reads a snapshot older than the erasure,
    and the write-ahead log must keep that snapshot's pages (with the values) until it ends.

    Nothing is rolled back. ``receipt`` is the anonymisation's receipt when
    ``core.privacy.anonymise`` raised this (it is stored, as always); run
    ``core.privacy.purge()`` once the long reader has finished.
    """

    def __init__(self, message: str, *, receipt: AnonymisationReceipt | None = None) -> None:
        super().__init__(message)
        self.receipt = receipt


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


class ClientForgotten(ValidationError):
    """The client is forgotten (P1): it cannot be booked or given new records until the
    forget is undone."""

    def __init__(self, client_id: UUID) -> None:
        super().__init__("client_id", f"client {client_id} is forgotten; undo the forget first")
        self.client_id = client_id


class InvalidConfirmation(ClientCoreError):
    """An anonymisation was confirmed with a code that is wrong, expired, already used, or
    was never requested (by this actor, for this client). Nothing was changed.
    ``reason`` is one of ``"missing"``, ``"wrong"``, ``"expired"``, ``"used"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the confirmation code is not valid ({reason}); request a new one")
        self.reason = reason


class MessagingDisabled(ClientCoreError):
    """Messaging is not enabled for the tenant (``core.messages.configure(enabled=True)``)."""

    def __init__(self) -> None:
        super().__init__("messaging is not enabled for this tenant")


class NoRecipient(ClientCoreError):
    """The client has no phone (SMS) or e-mail address (e-mail) to send a message to."""

    def __init__(self, client_id: UUID, channel: str) -> None:
        super().__init__(f"client {client_id} has no {'phone' if channel == 'sms' else 'e-mail'}")
        self.client_id = client_id
        self.channel = channel


class UnknownPlaceholder(ValidationError):
    """A template names a placeholder that is not offered (``placeholder``)."""

    def __init__(self, field: str, placeholder: str, known: Sequence[str]) -> None:
        super().__init__(
            field, f"unknown placeholder {{{placeholder}}}; known: {', '.join(sorted(known))}"
        )
        self.placeholder = placeholder


class DeliveryFailed(ClientCoreError):
    """A gateway did not take a message. ``transient`` failures (the provider busy or
    unreachable) are worth another try later; permanent ones (an invalid number, a refused
    sender) are not. ``code`` is the provider's own error code, if it gave one."""

    def __init__(self, reason: str, *, transient: bool, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.code = code


class ClientMerged(NotFound):
    """The client was merged into another: ``base_id`` is the client it lives on as (the end
    of the chain when that one was merged too). A NotFound, so code that handles a missing
    client handles it; ``core.merges.surviving(client_id)`` resolves any old id."""

    def __init__(self, client_id: UUID, base_id: UUID) -> None:
        ClientCoreError.__init__(self, f"client {client_id} was merged into client {base_id}")
        self.kind = "client"
        self.key = client_id
        self.client_id = client_id
        self.base_id = base_id


class MergeRefused(Conflict):
    """A merge that cannot be made: ``reason`` says why (a client merged with itself, into
    a merged client, of a status that cannot be merged, subjects of different clients...)
    and ``ids`` names the records concerned. Nothing was changed."""

    def __init__(self, reason: str, ids: Sequence[UUID] = ()) -> None:
        named = ", ".join(str(i) for i in ids)
        super().__init__(f"cannot merge: {reason}" + (f" ({named})" if named else ""))
        self.reason = reason
        self.ids = tuple(ids)


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
