"""Typed sections of a client's record (C7): company data and medical data.

Each is a record of its own kind, one per client (keyed by the client's id), rather than
fields of :class:`~clientcore.entities.client.Client`: most clients have neither, a
section is read and changed on its own, and the medical section is special-category
personal data (GDPR art. 9) that a host may keep from roles that see the rest of the
client. Every field of the medical section is marked with :func:`special_category`
(personal data, and of the special category), so the scrub of personal fields reaches it
and the export clientcore does not have yet can treat it apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, cast
from uuid import UUID

import attrs

from clientcore.entities.common import pii

SPECIAL_CATEGORY_KEY = "clientcore.special_category"
"""attrs field-metadata key of personal data of a special category (health, GDPR art. 9);
such a field is personal too (:func:`~clientcore.entities.common.pii`)."""
SECTION_TEXT_MAX_LENGTH = 4000
SECTION_FIELD_MAX_LENGTH = 200


def special_category(**kwargs: Any) -> Any:
    """A :func:`~clientcore.entities.common.pii` field that holds special-category data."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[SPECIAL_CATEGORY_KEY] = True
    return pii(metadata=metadata, **kwargs)


def special_category_fields(cls: type) -> tuple[str, ...]:
    """The fields of an attrs class declared :func:`special_category`."""
    return tuple(
        field.name
        for field in attrs.fields(cast(Any, cls))
        if field.metadata.get(SPECIAL_CATEGORY_KEY)
    )


@attrs.frozen
class CompanyData:
    """A company client's registration data (tax and register numbers, representative)."""

    client_id: UUID
    updated_at: datetime
    tax_id: str = ""
    registry_number: str = ""
    legal_form: str = ""
    industry: str = ""
    representative: str = pii(default="")
    website: str = ""
    version: int = 1


@attrs.frozen
class MedicalData:
    """A client's health data: special-category personal data, every field of it."""

    client_id: UUID
    updated_at: datetime
    blood_type: str = special_category(default="")
    allergies: str = special_category(default="")
    conditions: str = special_category(default="")
    medications: str = special_category(default="")
    notes: str = special_category(default="")
    version: int = 1


class CompanyFields(TypedDict, total=False):
    """The fields of :class:`CompanyData` a caller sets."""

    tax_id: str
    registry_number: str
    legal_form: str
    industry: str
    representative: str
    website: str


class MedicalFields(TypedDict, total=False):
    """The fields of :class:`MedicalData` a caller sets."""

    blood_type: str
    allergies: str
    conditions: str
    medications: str
    notes: str
