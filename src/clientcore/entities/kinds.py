"""Record kinds: every kind of record clientcore or a host stores, declared once.

Operations that reach every record of a client never name kinds one by one: they walk a
:class:`Registry` and act on each kind by what it declares. Deleting a client, merging
clients (:class:`MergePolicy`), forgetting, anonymising and exporting one
(:class:`ForgetPolicy`, :class:`ErasurePolicy`) do so. A new
kind (ours or a host's) costs an entity class and a :class:`RecordKind`; every adapter
stores it through one generic records port (:class:`~clientcore.ports.records.Records`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

import attrs

from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.catalog import (
    Interest,
    Price,
    PriceList,
    PriceListAssignment,
    Product,
    Purchase,
)
from clientcore.entities.common import personal_fields, scrubbed
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.group import Group
from clientcore.entities.linked import LinkedRecord
from clientcore.entities.merge import MergeLink, MergeRecord
from clientcore.entities.message import Message, MessageState, MessagingSettings
from clientcore.entities.note import Note
from clientcore.entities.sales import DocumentType, SalesDocument, Settlement, Warehouse
from clientcore.entities.sections import CompanyData, MedicalData
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject
from clientcore.entities.task import Task
from clientcore.entities.visit import Visit, VisitStatus
from clientcore.entities.working_hours import WorkingHours
from clientcore.errors import Conflict, DuplicateName, NotFound, ValidationError

T = TypeVar("T")

KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class MergePolicy(enum.StrEnum):
    """What merging clients does with a kind's records of the merged clients: the merge
    (``core.merges.merge``) walks the registry and acts on each kind by this policy, so a
    kind added later (ours or a host's) takes part with no change to the merge."""

    MOVE = "move"
    """They are made to refer to the base client (one set-based ``reassign`` per kind and
    merged client); the journal keeps their keys."""
    KEEP = "keep"
    """They stay on the merged client, reachable through its link to the base (the merge
    journal itself is such a kind)."""
    LINK = "link"
    """They stay on the merged client; a host shows them with the base's by reading through
    the merge links (``core.merges.merged_into``)."""


class ErasurePolicy(enum.StrEnum):
    """What anonymising a client does with a kind's records of that client (see
    :mod:`clientcore.operations.privacy`)."""

    SCRUB = "scrub"
    """Personal fields are blanked; the record stays (counts, dates, amounts)."""
    DELETE = "delete"
    """The records are removed."""
    RETAIN = "retain"
    """The records are kept as they are (a legal duty to keep them, for instance)."""


@attrs.frozen
class ForgetPolicy:
    """What forgetting a client does to a kind's pending records of that client (P1).

    A record is pending when its ``field`` holds one of the ``pending`` values and, for a
    kind with an ``upcoming`` field (an instant), that instant is still to come. Forgetting
    sets ``field`` to ``forgotten`` (a versioned kind's version bumped, an ``updated_at``
    field set to now) and records which records it changed. Undoing the forget sets
    ``field`` back to ``pending[0]`` on exactly those records when the policy is
    ``reversible`` (pets deactivated, then reactivated); otherwise they stay as the forget
    left them (cancelled visits and messages stay cancelled).

    clientcore's subjects and visits declare one; a kind added later (scheduled messages)
    declares its own and is covered without any change to the forget operation.
    """

    field: str
    pending: tuple[Any, ...]
    forgotten: Any
    reversible: bool = False
    upcoming: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.pending:
            raise ValidationError("forget", "a forget policy names at least one pending value")
        if self.reversible and len(self.pending) != 1:
            raise ValidationError(
                "forget", "a reversible forget policy has one pending value to restore"
            )

    @property
    def fields(self) -> tuple[str, ...]:
        """The entity fields the policy reads."""
        return (self.field,) if self.upcoming is None else (self.field, self.upcoming)

    def is_pending(self, record: object, now: Any) -> bool:
        """Whether forgetting the client is to change ``record``."""
        if getattr(record, self.field) not in self.pending:
            return False
        if self.upcoming is None:
            return True
        when = getattr(record, self.upcoming)
        return when is None or when > now  # an instant not set yet is still to come


@attrs.frozen
class RecordKind(Generic[T]):
    """One kind of record: its entity class and how every generic operation treats it.

    ``name`` is plural, lower case (``"subjects"``): the record kind in messages and the
    history, and the role of its table or collection. ``key`` is the field that identifies
    a record within its tenant. ``client_field`` / ``subject_field`` name the fields that
    refer to a client / a subject (None: the kind refers to none). ``order_by`` lists the
    fields records are read in order of; empty means the order they were written in.
    ``unique`` lists fields no two records of a tenant may share
    (:class:`~clientcore.errors.DuplicateName`). ``versioned`` kinds carry an integer
    ``version`` that every replacement bumps by one (optimistic locking).
    """

    name: str
    entity: type[T]
    key: str = "id"
    client_field: str | None = None
    subject_field: str | None = None
    order_by: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    versioned: bool = False
    merge: MergePolicy = MergePolicy.MOVE
    erasure: ErasurePolicy = ErasurePolicy.SCRUB
    blocks_client_deletion: bool = False
    label: str = ""
    """The kind in the singular, for messages (default: ``name`` without its final s)."""
    forget: ForgetPolicy | None = None
    """What forgetting a client does to its pending records (None: nothing)."""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not KIND_NAME.fullmatch(self.name):
            raise ValidationError(
                "name", f"a record kind's name is lower-case letters, digits and _: {self.name!r}"
            )
        if not attrs.has(self.entity):
            raise ValidationError("entity", f"{self.entity!r} is not an attrs class")
        fields = set(attrs.fields_dict(cast(Any, self.entity)))
        named = [self.key, *self.order_by, *self.unique]
        named += [name for name in (self.client_field, self.subject_field) if name]
        if self.versioned:
            named.append("version")
        if self.forget is not None:
            named += self.forget.fields
        for name in named:
            if name not in fields:
                raise ValidationError(
                    "fields", f"{self.entity.__name__} has no field {name!r} ({self.name})"
                )

    @property
    def singular(self) -> str:
        """The kind in the singular, for messages ("subject")."""
        return self.label or self.name.replace("_", " ").removesuffix("s")

    def not_found(self, key: object) -> NotFound:
        return NotFound(self.singular, repr(key) if isinstance(key, str) else key)

    def duplicate(self, record: T) -> Conflict:
        """The error of a record whose key or ``unique`` field is taken: DuplicateName on
        the first unique field when the kind has one."""
        if self.unique:
            return DuplicateName(self.singular, str(getattr(record, self.unique[0])))
        return Conflict(f"a {self.singular} {self.key_of(record)} already exists")

    @property
    def personal_fields(self) -> tuple[str, ...]:
        """The entity's fields that hold personal data, nested values included."""
        return personal_fields(self.entity)

    def key_of(self, record: T) -> Any:
        return getattr(record, self.key)

    def client_of(self, record: T) -> Any:
        return None if self.client_field is None else getattr(record, self.client_field)

    def check_fields(self, names: Iterable[str]) -> None:
        """Refuse a filter on a field the entity does not have (ValidationError)."""
        fields = attrs.fields_dict(cast(Any, self.entity))
        for name in names:
            if name not in fields:
                raise ValidationError(name, f"{self.entity.__name__} has no such field")

    def scrubbed(self, record: T) -> T:
        """``record`` with its personal fields blanked (nested values included); a versioned
        kind's version is bumped when anything changed, so that no one still holding the
        old version can write the old values back."""
        clean = scrubbed(record)
        if clean == record or not self.versioned:
            return clean
        return attrs.evolve(clean, version=getattr(record, "version") + 1)  # type: ignore[misc]  # noqa: B009

    def moved(self, record: T, client_id: UUID) -> T:
        """``record`` referring to the client ``client_id`` (the version bumped)."""
        if self.client_field is None:
            raise ValueError(f"{self.name} refer to no client")
        changes: dict[str, Any] = {self.client_field: client_id}
        if self.versioned:
            changes["version"] = getattr(record, "version") + 1  # noqa: B009
        return attrs.evolve(record, **changes)  # type: ignore[misc]

    def of_client(self, client_id: UUID) -> dict[str, UUID]:
        """The filter of the client's records (for ``find``, ``count``)."""
        if self.client_field is None:
            raise ValueError(f"{self.name} refer to no client")
        return {self.client_field: client_id}


def key_text(key: object) -> str:
    """A record's key as text, the same on every store: an id as its 32 hex digits."""
    return key.hex if isinstance(key, UUID) else str(key)


class Registry:
    """The record kinds of one core: clientcore's own, then the host's, by name."""

    def __init__(self, kinds: Iterable[RecordKind[Any]] = ()) -> None:
        self._kinds: dict[str, RecordKind[Any]] = {}
        for kind in kinds:
            if not isinstance(kind, RecordKind):
                raise ValidationError("kinds", f"not a RecordKind: {kind!r}")
            if kind.name in self._kinds:
                raise ValidationError("kinds", f"two record kinds are named {kind.name!r}")
            self._kinds[kind.name] = kind

    def with_host_kinds(self, kinds: Iterable[RecordKind[Any]]) -> Registry:
        """This registry and the host's kinds after it (a name may be declared once)."""
        return Registry([*self, *kinds])

    def __iter__(self) -> Iterator[RecordKind[Any]]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, RecordKind) and self._kinds.get(kind.name) == kind

    def __getitem__(self, name: str) -> RecordKind[Any]:
        return self._kinds[name]

    def client_linked(self) -> list[RecordKind[Any]]:
        """The kinds whose records refer to a client, in declaration order."""
        return [kind for kind in self if kind.client_field is not None]


STAFF: RecordKind[StaffMember] = RecordKind(
    "staff", StaffMember, order_by=("name", "id"), label="staff member"
)
GROUPS: RecordKind[Group] = RecordKind("groups", Group, order_by=("name", "id"), unique=("name",))
ATTRIBUTE_DEFINITIONS: RecordKind[AttributeDefinition] = RecordKind(
    "attribute_definitions",
    AttributeDefinition,
    key="key",
    order_by=("key",),
    unique=("key",),
    label="attribute",
)
WORKING_HOURS: RecordKind[WorkingHours] = RecordKind(
    "working_hours", WorkingHours, key="staff_id", order_by=("staff_id",)
)
SUBJECTS: RecordKind[Subject] = RecordKind(
    "subjects",
    Subject,
    client_field="client_id",
    order_by=("created_at", "id"),
    blocks_client_deletion=True,
    forget=ForgetPolicy("active", pending=(True,), forgotten=False, reversible=True),
)
NOTES: RecordKind[Note] = RecordKind(
    "notes",
    Note,
    client_field="client_id",
    order_by=("created_at", "id"),
    blocks_client_deletion=True,
)
CONSENTS: RecordKind[ConsentRecord] = RecordKind(
    "consents", ConsentRecord, client_field="client_id", blocks_client_deletion=True
)
VISITS: RecordKind[Visit] = RecordKind(
    "visits",
    Visit,
    client_field="client_id",
    subject_field="subject_id",
    order_by=("start", "id"),
    versioned=True,
    blocks_client_deletion=True,
    forget=ForgetPolicy(
        "status", pending=(VisitStatus.BOOKED,), forgotten=VisitStatus.CANCELLED, upcoming="start"
    ),
)
"""Visits keep a port of their own (the overlap lock); this declares how the generic walk
treats them."""

MESSAGES: RecordKind[Message] = RecordKind(
    "messages",
    Message,
    client_field="client_id",
    order_by=("due_at", "id"),
    versioned=True,
    blocks_client_deletion=True,
    forget=ForgetPolicy(
        "state", pending=(MessageState.SCHEDULED,), forgotten=MessageState.CANCELLED
    ),
)
"""The outbox; the dispatcher claims due messages through a port of its own (the lock)."""
MESSAGING_SETTINGS: RecordKind[MessagingSettings] = RecordKind(
    "messaging_settings", MessagingSettings, order_by=("id",), label="messaging settings"
)

DOCUMENT_TYPES: RecordKind[DocumentType] = RecordKind(
    "document_types", DocumentType, order_by=("code",), unique=("code",), label="document type"
)
WAREHOUSES: RecordKind[Warehouse] = RecordKind(
    "warehouses", Warehouse, order_by=("code",), unique=("code",)
)
PRODUCTS: RecordKind[Product] = RecordKind(
    "products", Product, order_by=("code",), unique=("code",)
)
PRICE_LISTS: RecordKind[PriceList] = RecordKind(
    "price_lists", PriceList, order_by=("name",), unique=("name",), label="price list"
)
PRICES: RecordKind[Price] = RecordKind("prices", Price)
PRICE_LIST_ASSIGNMENTS: RecordKind[PriceListAssignment] = RecordKind(
    "price_list_assignments",
    PriceListAssignment,
    key="client_id",
    client_field="client_id",
    merge=MergePolicy.KEEP,
    erasure=ErasurePolicy.DELETE,
    label="price list assignment",
)
"""Merge policy KEEP: the base client keeps its own price list (a client has at most one).
Erasure policy DELETE: the assignment says nothing once the client is anonymous."""
SALES_DOCUMENTS: RecordKind[SalesDocument] = RecordKind(
    "sales_documents",
    SalesDocument,
    client_field="client_id",
    order_by=("created_at", "id"),
    versioned=True,
    erasure=ErasurePolicy.RETAIN,
    blocks_client_deletion=True,
    label="sales document",
)
"""Merge policy MOVE: the documents are to refer to the base client. Erasure policy RETAIN:
issued invoices must be kept unchanged for the years tax law says (they hold no personal
field of their own; the policy of the client record they refer to decides what is blanked)."""
SETTLEMENTS: RecordKind[Settlement] = RecordKind(
    "settlements",
    Settlement,
    client_field="client_id",
    order_by=("at", "id"),
    erasure=ErasurePolicy.RETAIN,
    blocks_client_deletion=True,
)
"""Payments are accounting records, kept like the documents they pay."""
INTERESTS: RecordKind[Interest] = RecordKind(
    "interests", Interest, client_field="client_id", order_by=("created_at", "id")
)
"""Merge policy MOVE; erasure policy SCRUB (the note); deleted with the client."""
PURCHASES: RecordKind[Purchase] = RecordKind("purchases", Purchase, order_by=("at", "id"))

SALES_KINDS: tuple[RecordKind[Any], ...] = (
    DOCUMENT_TYPES,
    WAREHOUSES,
    PRODUCTS,
    PRICE_LISTS,
    PRICES,
    PRICE_LIST_ASSIGNMENTS,
    SALES_DOCUMENTS,
    SETTLEMENTS,
    INTERESTS,
    PURCHASES,
)
"""The kinds of sales, price lists and interests: stored like a host's kinds (a table or
collection derived from the kind alone)."""

MERGES: RecordKind[MergeRecord] = RecordKind(
    "merges",
    MergeRecord,
    client_field="client_id",
    order_by=("at", "id"),
    merge=MergePolicy.KEEP,
    erasure=ErasurePolicy.RETAIN,
    blocks_client_deletion=True,
)
"""The merge journal: one record per merge, on the base client (kept by later merges)."""
MERGE_LINKS: RecordKind[MergeLink] = RecordKind(
    "merge_links",
    MergeLink,
    key="merged_id",
    order_by=("at", "merged_id"),
    erasure=ErasurePolicy.RETAIN,
)
"""Where each merged client or subject went: what redirects a read of it to its base."""

TASKS: RecordKind[Task] = RecordKind(
    "tasks", Task, client_field="client_id", order_by=("due", "id"), versioned=True
)
"""Tasks about a client go with it when it is deleted; their declared merge policy moves
them to the base client."""
LINKED_RECORDS: RecordKind[LinkedRecord] = RecordKind(
    "linked_records",
    LinkedRecord,
    client_field="client_id",
    subject_field="subject_id",
    order_by=("created_at", "id"),
    versioned=True,
    blocks_client_deletion=True,
    label="linked record",
)
"""Subscriptions, orders, repairs, treatments, trips... (one kind, see entities.linked)."""
COMPANY_DATA: RecordKind[CompanyData] = RecordKind(
    "company_data",
    CompanyData,
    key="client_id",
    client_field="client_id",
    versioned=True,
    merge=MergePolicy.KEEP,
    label="company data",
)
"""One per client at most (keyed by it), so the declared merge policy keeps the merged
client's own."""
MEDICAL_DATA: RecordKind[MedicalData] = RecordKind(
    "medical_data",
    MedicalData,
    key="client_id",
    client_field="client_id",
    versioned=True,
    merge=MergePolicy.KEEP,
    erasure=ErasurePolicy.DELETE,
    label="medical data",
)
"""Special-category data: the declared erasure policy deletes it whole rather than keeping a
blank record."""

OWN_KINDS = Registry(
    [
        STAFF,
        GROUPS,
        ATTRIBUTE_DEFINITIONS,
        WORKING_HOURS,
        SUBJECTS,
        NOTES,
        CONSENTS,
        VISITS,
        MERGES,
        MERGE_LINKS,
        MESSAGES,
        MESSAGING_SETTINGS,
        *SALES_KINDS,
        TASKS,
        LINKED_RECORDS,
        COMPANY_DATA,
        MEDICAL_DATA,
    ]
)
"""clientcore's own record kinds."""
