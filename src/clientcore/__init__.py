"""clientcore: the client-management core a host application imports.

>>> import clientcore
>>> core = clientcore.open("memory://", tenant="vet-1", actor=clientcore.Actor("anna"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clientcore import errors
from clientcore.aio import AsyncCore, open_async
from clientcore.api.awaited import (
    AsyncCalendar,
    AsyncClients,
    AsyncConsents,
    AsyncKindRecords,
    AsyncNotes,
    AsyncSetup,
    AsyncStaff,
    AsyncSubjects,
    AsyncTransaction,
    AsyncVisits,
)
from clientcore.api.calendar import Calendar
from clientcore.api.clients import Clients
from clientcore.api.consents import Consents
from clientcore.api.events import (
    AfterCommitHandler,
    Events,
    HandlerErrorReport,
    InUnitHandler,
)
from clientcore.api.notes import Notes
from clientcore.api.parts import Transaction
from clientcore.api.records import KindRecords
from clientcore.api.setup import Setup
from clientcore.api.staff import Staff
from clientcore.api.subjects import Subjects
from clientcore.api.unset import UNSET, Unset
from clientcore.api.visits import Visits
from clientcore.bootstrap import backend_for
from clientcore.entities import (
    Actor,
    Address,
    AddressKind,
    AttributeDefinition,
    AttributeType,
    Channel,
    Client,
    ClientKind,
    ClientPage,
    ClientStatus,
    ConsentRecord,
    DocumentKind,
    Email,
    Event,
    EventKind,
    FieldChange,
    Group,
    IdentityDocument,
    NameDay,
    Note,
    NoteKind,
    Phone,
    Purpose,
    Role,
    StaffMember,
    StatusFilter,
    Subject,
    TenantSettings,
)
from clientcore.entities.duplicates import (
    Candidate,
    DuplicateGroup,
    DuplicatePair,
    DuplicatePolicy,
    DuplicateReason,
    ScanProgress,
    ScanStage,
)
from clientcore.entities.kinds import ErasurePolicy, MergePolicy, RecordKind
from clientcore.entities.visit import Charge, ChargeKind, Visit, VisitKind, VisitStatus
from clientcore.entities.working_hours import DayOverride, TimeRange, WeeklySlot, WorkingHours
from clientcore.facade import Core, Retry
from clientcore.operations.calendar import ClientVisits, FreeSlot, code_summary
from clientcore.operations.clients import ClientFields
from clientcore.operations.duplicate_scan import DuplicateScan
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.unit_of_work import Capabilities

__version__ = "0.1.0"

__all__ = [
    "UNSET",
    "Actor",
    "Address",
    "AddressKind",
    "AfterCommitHandler",
    "AsyncCalendar",
    "AsyncClients",
    "AsyncConsents",
    "AsyncCore",
    "AsyncKindRecords",
    "AsyncNotes",
    "AsyncSetup",
    "AsyncStaff",
    "AsyncSubjects",
    "AsyncTransaction",
    "AsyncVisits",
    "AttributeDefinition",
    "AttributeType",
    "Calendar",
    "Candidate",
    "Capabilities",
    "Channel",
    "Charge",
    "ChargeKind",
    "Client",
    "ClientFields",
    "ClientKind",
    "ClientPage",
    "ClientStatus",
    "ClientVisits",
    "Clients",
    "Clock",
    "ConsentRecord",
    "Consents",
    "Core",
    "DayOverride",
    "DocumentKind",
    "DuplicateGroup",
    "DuplicatePair",
    "DuplicatePolicy",
    "DuplicateReason",
    "DuplicateScan",
    "Email",
    "ErasurePolicy",
    "Event",
    "EventKind",
    "Events",
    "FieldChange",
    "FreeSlot",
    "Group",
    "HandlerErrorReport",
    "IdFactory",
    "IdentityDocument",
    "InUnitHandler",
    "KindRecords",
    "MergePolicy",
    "NameDay",
    "Note",
    "NoteKind",
    "Notes",
    "Phone",
    "Purpose",
    "RecordKind",
    "Retry",
    "Role",
    "ScanProgress",
    "ScanStage",
    "Setup",
    "Staff",
    "StaffMember",
    "StatusFilter",
    "Subject",
    "Subjects",
    "TenantSettings",
    "TimeRange",
    "Transaction",
    "Unset",
    "Visit",
    "VisitKind",
    "VisitStatus",
    "Visits",
    "WeeklySlot",
    "WorkingHours",
    "__version__",
    "code_summary",
    "errors",
    "open",
    "open_async",
]


def open(
    target: object,
    *,
    tenant: str,
    actor: Actor | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    kinds: Sequence[RecordKind[Any]] = (),
    retry: Retry | None = None,
    on_handler_error: HandlerErrorReport | None = None,
) -> Core:
    """Open the core on a URL (``memory://``) or a backend, scoped to ``tenant``.

    ``actor`` is who makes the changes (required for any change; see ``Core.acting_as``).
    ``clock`` and ``ids`` replace the real time and ``uuid4`` (tests fix them).
    ``kinds`` declares the host's own record kinds (see :class:`RecordKind`): they are
    stored beside clientcore's and reached by the same walk, in the same unit of work.
    ``retry`` says how an operation runs again when the storage was busy (see :class:`Retry`).
    ``on_handler_error`` is told of each after-commit event handler that raised (the error
    is also logged on the ``clientcore`` logger; see :class:`Events`).
    Raises :class:`~clientcore.errors.InvalidTenant` for a missing or blank tenant and
    :class:`~clientcore.errors.UnsupportedTarget` for an unknown URL or object.
    """
    from clientcore.entities.common import check_tenant

    check_tenant(tenant)
    backend, owned = backend_for(target, kinds)
    return Core(
        backend,
        tenant=tenant,
        actor=actor,
        clock=clock,
        ids=ids,
        owns_backend=owned,
        retry=retry,
        events=Events(on_handler_error=on_handler_error),
    )
