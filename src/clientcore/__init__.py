"""clientcore: the client-management core a host application imports.

>>> import clientcore
>>> core = clientcore.open("memory://", tenant="vet-1", actor=clientcore.Actor("anna"))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from clientcore import errors
from clientcore.aio import AsyncCore, open_async
from clientcore.api.awaited import (
    AsyncBulk,
    AsyncCalendar,
    AsyncClients,
    AsyncConsents,
    AsyncInterests,
    AsyncKindRecords,
    AsyncLinked,
    AsyncMerges,
    AsyncMessages,
    AsyncNotes,
    AsyncPriceLists,
    AsyncPrivacy,
    AsyncProducts,
    AsyncReports,
    AsyncSales,
    AsyncSetup,
    AsyncStaff,
    AsyncSubjects,
    AsyncTasks,
    AsyncTransaction,
    AsyncVisits,
)
from clientcore.api.bulk import Bulk
from clientcore.api.calendar import Calendar
from clientcore.api.catalog import Interests, PriceLists, Products
from clientcore.api.clients import Clients
from clientcore.api.consents import Consents
from clientcore.api.events import (
    AfterCommitHandler,
    Events,
    HandlerErrorReport,
    InUnitHandler,
)
from clientcore.api.ids import time_ordered_id
from clientcore.api.linked import Linked
from clientcore.api.merges import Merges
from clientcore.api.messages import DispatchPolicy, DispatchReport, Messages
from clientcore.api.notes import Notes
from clientcore.api.parts import Transaction
from clientcore.api.privacy import Privacy
from clientcore.api.records import KindRecords
from clientcore.api.reports import Reports
from clientcore.api.sales import Sales
from clientcore.api.setup import Setup
from clientcore.api.staff import Staff
from clientcore.api.subjects import Subjects
from clientcore.api.tasks import Tasks
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
from clientcore.entities.bulk import (
    AddGroup,
    BulkChange,
    BulkResult,
    ClearAttribute,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
    Skipped,
    SkipReason,
)
from clientcore.entities.catalog import (
    Interest,
    Interested,
    Price,
    PriceList,
    PriceListAssignment,
    Product,
    Purchase,
    PurchaseRegistered,
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
from clientcore.entities.imports import ImportMode, ImportProgress, ImportReport, RowRefusal
from clientcore.entities.kinds import ErasurePolicy, ForgetPolicy, MergePolicy, RecordKind
from clientcore.entities.linked import (
    BUSINESS_TRIP,
    LINKED_KINDS,
    ORDER,
    REPAIR,
    SUBSCRIPTION,
    TREATMENT,
    LinkedKind,
    LinkedRecord,
    LinkedStatus,
)
from clientcore.entities.merge import (
    DEFAULT_MERGE_ROLES,
    ChoiceReason,
    ConflictKind,
    FieldChoice,
    MergeConflict,
    MergeLink,
    MergeOutcome,
    MergeRecord,
    MergeTarget,
    MovedRecords,
    SubjectPair,
)
from clientcore.entities.message import (
    Message,
    MessagePurpose,
    MessageState,
    MessagingSettings,
    QuietHours,
)
from clientcore.entities.money import Rounding
from clientcore.entities.privacy import (
    AnonymisationReceipt,
    ConfirmationRequest,
    ForgetResult,
    PrivacyRoles,
    UndoResult,
)
from clientcore.entities.report import Report
from clientcore.entities.sales import (
    Allocation,
    Amounts,
    DocumentLine,
    DocumentStatus,
    DocumentType,
    SaleLine,
    SalesDocument,
    Settlement,
    Turnover,
    TurnoverRow,
    Warehouse,
)
from clientcore.entities.sections import CompanyData, CompanyFields, MedicalData, MedicalFields
from clientcore.entities.sms import SmsEncoding, SmsLength
from clientcore.entities.task import Task, TaskStatus
from clientcore.entities.visit import Charge, ChargeKind, Visit, VisitKind, VisitStatus
from clientcore.entities.working_hours import DayOverride, TimeRange, WeeklySlot, WorkingHours
from clientcore.facade import Core, Retry
from clientcore.operations.bulk import ClientFilter
from clientcore.operations.calendar import ClientVisits, FreeSlot, code_summary
from clientcore.operations.clients import ClientFields
from clientcore.operations.duplicate_scan import DuplicateScan
from clientcore.operations.export import schema as export_schema
from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.messaging import Attachment, EmailSender, OutgoingEmail, SmsGateway
from clientcore.ports.unit_of_work import Capabilities

__version__ = "0.1.0"

__all__ = [
    "BUSINESS_TRIP",
    "DEFAULT_MERGE_ROLES",
    "LINKED_KINDS",
    "ORDER",
    "REPAIR",
    "SUBSCRIPTION",
    "TREATMENT",
    "UNSET",
    "Actor",
    "AddGroup",
    "Address",
    "AddressKind",
    "AfterCommitHandler",
    "Allocation",
    "Amounts",
    "AnonymisationReceipt",
    "AsyncBulk",
    "AsyncCalendar",
    "AsyncClients",
    "AsyncConsents",
    "AsyncCore",
    "AsyncInterests",
    "AsyncKindRecords",
    "AsyncLinked",
    "AsyncMerges",
    "AsyncMessages",
    "AsyncNotes",
    "AsyncPriceLists",
    "AsyncPrivacy",
    "AsyncProducts",
    "AsyncReports",
    "AsyncSales",
    "AsyncSetup",
    "AsyncStaff",
    "AsyncSubjects",
    "AsyncTasks",
    "AsyncTransaction",
    "AsyncVisits",
    "Attachment",
    "AttributeDefinition",
    "AttributeType",
    "Bulk",
    "BulkChange",
    "BulkResult",
    "Calendar",
    "Candidate",
    "Capabilities",
    "Channel",
    "Charge",
    "ChargeKind",
    "ChoiceReason",
    "ClearAttribute",
    "Client",
    "ClientFields",
    "ClientFilter",
    "ClientKind",
    "ClientPage",
    "ClientStatus",
    "ClientVisits",
    "Clients",
    "Clock",
    "CompanyData",
    "CompanyFields",
    "ConfirmationRequest",
    "ConflictKind",
    "ConsentRecord",
    "Consents",
    "Core",
    "DayOverride",
    "DispatchPolicy",
    "DispatchReport",
    "DocumentKind",
    "DocumentLine",
    "DocumentStatus",
    "DocumentType",
    "DuplicateGroup",
    "DuplicatePair",
    "DuplicatePolicy",
    "DuplicateReason",
    "DuplicateScan",
    "Email",
    "EmailSender",
    "ErasurePolicy",
    "Event",
    "EventKind",
    "Events",
    "FieldChange",
    "FieldChoice",
    "ForgetPolicy",
    "ForgetResult",
    "FreeSlot",
    "Group",
    "HandlerErrorReport",
    "IdFactory",
    "IdentityDocument",
    "ImportMode",
    "ImportProgress",
    "ImportReport",
    "InUnitHandler",
    "Interest",
    "Interested",
    "Interests",
    "KindRecords",
    "Linked",
    "LinkedKind",
    "LinkedRecord",
    "LinkedStatus",
    "MedicalData",
    "MedicalFields",
    "MergeConflict",
    "MergeLink",
    "MergeOutcome",
    "MergePolicy",
    "MergeRecord",
    "MergeTarget",
    "Merges",
    "Message",
    "MessagePurpose",
    "MessageState",
    "Messages",
    "MessagingSettings",
    "MovedRecords",
    "NameDay",
    "Note",
    "NoteKind",
    "Notes",
    "OutgoingEmail",
    "Phone",
    "Price",
    "PriceList",
    "PriceListAssignment",
    "PriceLists",
    "Privacy",
    "PrivacyRoles",
    "Product",
    "Products",
    "Purchase",
    "PurchaseRegistered",
    "Purpose",
    "QuietHours",
    "RecordKind",
    "RemoveGroup",
    "Report",
    "Reports",
    "Retry",
    "Role",
    "Rounding",
    "RowRefusal",
    "SaleLine",
    "Sales",
    "SalesDocument",
    "ScanProgress",
    "ScanStage",
    "SetAttribute",
    "SetCaretaker",
    "Settlement",
    "Setup",
    "SkipReason",
    "Skipped",
    "SmsEncoding",
    "SmsGateway",
    "SmsLength",
    "Staff",
    "StaffMember",
    "StatusFilter",
    "Subject",
    "SubjectPair",
    "Subjects",
    "Task",
    "TaskStatus",
    "Tasks",
    "TenantSettings",
    "TimeRange",
    "Transaction",
    "Turnover",
    "TurnoverRow",
    "UndoResult",
    "Unset",
    "Visit",
    "VisitKind",
    "VisitStatus",
    "Visits",
    "Warehouse",
    "WeeklySlot",
    "WorkingHours",
    "__version__",
    "code_summary",
    "errors",
    "export_schema",
    "open",
    "open_async",
    "time_ordered_id",
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
    merge_roles: Iterable[Role] = DEFAULT_MERGE_ROLES,
) -> Core:
    """Open the core on a URL (``memory://``) or a backend, scoped to ``tenant``.

    ``actor`` is who makes the changes (required for any change; see ``Core.acting_as``).
    ``clock`` and ``ids`` replace the real time and :func:`time_ordered_id` (UUID version 7;
    tests fix them, a host may pass ``uuid.uuid4``).
    ``kinds`` declares the host's own record kinds (see :class:`RecordKind`): they are
    stored beside clientcore's and reached by the same walk, in the same unit of work.
    ``retry`` says how an operation runs again when the storage was busy (see :class:`Retry`).
    ``on_handler_error`` is told of each after-commit event handler that raised (the error
    is also logged on the ``clientcore`` logger; see :class:`Events`).
    ``merge_roles``: an actor needs one of them to merge clients or subjects
    (``core.merges``; default owner, administrator, reception).
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
        merge_roles=merge_roles,
    )
