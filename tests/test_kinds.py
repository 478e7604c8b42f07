"""The registry of record kinds: what a declaration must say, and how a host adds its own."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs
import pytest

import clientcore
from clientcore.adapters.memory import MemoryBackend
from clientcore.entities.common import personal_fields, pii
from clientcore.entities.kinds import OWN_KINDS, SUBJECTS, RecordKind, Registry
from clientcore.errors import UnsupportedTarget, ValidationError
from clientcore.testing.kinds import HOST_KINDS, INVOICES, STAMPS, InvoiceLine


@attrs.frozen
class Badge:
    id: UUID
    owner_id: UUID
    at: datetime
    holder: str = pii(default="")


def test_a_kind_names_only_fields_its_entity_has() -> None:
    with pytest.raises(ValidationError):
        RecordKind("badges", Badge, client_field="client_id")
    with pytest.raises(ValidationError):
        RecordKind("badges", Badge, order_by=("when",))
    with pytest.raises(ValidationError):
        RecordKind("badges", Badge, versioned=True)
    with pytest.raises(ValidationError):
        RecordKind("Badges!", Badge)
    with pytest.raises(ValidationError):
        RecordKind("badges", dict)
    assert RecordKind("badges", Badge, client_field="owner_id").singular == "badge"


def test_a_name_is_declared_once() -> None:
    with pytest.raises(ValidationError):
        OWN_KINDS.with_host_kinds([RecordKind("subjects", Badge)])
    with pytest.raises(ValidationError):
        Registry([INVOICES, INVOICES])
    registry = OWN_KINDS.with_host_kinds(HOST_KINDS)
    assert registry["invoices"] is INVOICES
    assert SUBJECTS in registry
    assert STAMPS in registry
    assert [kind.name for kind in registry.client_linked()] == [
        "subjects",
        "notes",
        "consents",
        "visits",
        "messages",
        "price_list_assignments",
        "sales_documents",
        "settlements",
        "interests",
        "invoices",
        "stamps",
    ]


def test_personal_fields_include_nested_values() -> None:
    assert INVOICES.personal_fields == ("buyer", "lines")
    assert personal_fields(InvoiceLine) == ("description",)
    assert STAMPS.personal_fields == ("note",)
    assert SUBJECTS.personal_fields == ("name", "details")
    assert personal_fields(Badge) == ("holder",)


def test_a_backend_object_keeps_the_kinds_it_was_made_with() -> None:
    backend = MemoryBackend(HOST_KINDS)
    core = clientcore.open(backend, tenant="t", kinds=[INVOICES])
    assert INVOICES in backend.kinds
    assert core.tenant == "t"
    with pytest.raises(UnsupportedTarget):
        clientcore.open(MemoryBackend(), tenant="t", kinds=[INVOICES])
    opened = clientcore.open("memory://", tenant="t", kinds=HOST_KINDS)
    assert opened.capabilities.transactions
