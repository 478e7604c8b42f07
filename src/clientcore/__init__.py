"""clientcore: the client-management core a host application imports.

>>> import clientcore
>>> core = clientcore.open("memory://", tenant="vet-1", actor=clientcore.Actor("anna"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clientcore import errors
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
from clientcore.entities.kinds import ErasurePolicy, MergePolicy, RecordKind
from clientcore.facade import Core, Retry
from clientcore.operations.clients import ClientFields
from clientcore.ports.clock import Clock, IdFactory

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Address",
    "AddressKind",
    "AttributeDefinition",
    "AttributeType",
    "Channel",
    "Client",
    "ClientFields",
    "ClientKind",
    "ClientPage",
    "ClientStatus",
    "ConsentRecord",
    "Core",
    "DocumentKind",
    "Email",
    "ErasurePolicy",
    "Event",
    "FieldChange",
    "Group",
    "IdentityDocument",
    "MergePolicy",
    "NameDay",
    "Note",
    "NoteKind",
    "Phone",
    "Purpose",
    "RecordKind",
    "Retry",
    "Role",
    "StaffMember",
    "StatusFilter",
    "Subject",
    "TenantSettings",
    "__version__",
    "errors",
    "open",
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
) -> Core:
    """Open the core on a URL (``memory://``) or a backend, scoped to ``tenant``.

    ``actor`` is who makes the changes (required for any change; see ``Core.acting_as``).
    ``clock`` and ``ids`` replace the real time and ``uuid4`` (tests fix them).
    ``kinds`` declares the host's own record kinds (see :class:`RecordKind`): they are
    stored beside clientcore's and reached by the same walk, in the same unit of work.
    ``retry`` says how an operation runs again when the storage was busy (see :class:`Retry`).
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
    )
