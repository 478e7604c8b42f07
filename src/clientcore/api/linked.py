"""``core.linked``: records linked to a client (C9) and its company and medical data (C7)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from typing_extensions import Unpack

from clientcore.api.checks import checked
from clientcore.entities.linked import LinkedKind, LinkedRecord
from clientcore.entities.sections import CompanyData, CompanyFields, MedicalData, MedicalFields
from clientcore.operations import linked

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Linked:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def add(
        self,
        client_id: UUID,
        kind: LinkedKind,
        title: str,
        *,
        starts_on: date | None = None,
        ends_on: date | None = None,
        subject_id: UUID | None = None,
        details: Mapping[str, str] | None = None,
        notes: str = "",
    ) -> LinkedRecord:
        """Link a record of ``kind`` (``clientcore.SUBSCRIPTION``, ``ORDER``, ``REPAIR``,
        ``TREATMENT``, ``BUSINESS_TRIP``, or the host's own :class:`LinkedKind`)."""
        return self._run.write(
            linked.add,
            client_id,
            kind,
            title,
            starts_on=starts_on,
            ends_on=ends_on,
            subject_id=subject_id,
            details=details,
            notes=notes,
        )

    def close(
        self,
        record_id: UUID,
        *,
        ends_on: date | None = None,
        expected_version: int | None = None,
    ) -> LinkedRecord:
        """Close it: stop a subscription, deliver an order, finish a repair."""
        return self._run.write(
            linked.close, record_id, ends_on=ends_on, expected_version=expected_version
        )

    def for_client(self, client_id: UUID, kind: LinkedKind | None = None) -> list[LinkedRecord]:
        """What is shown on the client: its linked records (of ``kind``), oldest first."""
        return self._run.read(linked.for_client, client_id, kind)

    def company_data(self, client_id: UUID) -> CompanyData | None:
        return self._run.read(linked.section, CompanyData, client_id)

    def set_company_data(
        self,
        client_id: UUID,
        *,
        expected_version: int | None = None,
        **fields: Unpack[CompanyFields],
    ) -> CompanyData:
        """Write the fields given (``tax_id``, ``registry_number``...) of the section."""
        return self._run.write(
            linked.set_section, CompanyData, client_id, fields, expected_version=expected_version
        )

    def medical_data(self, client_id: UUID) -> MedicalData | None:
        return self._run.read(linked.section, MedicalData, client_id)

    def set_medical_data(
        self,
        client_id: UUID,
        *,
        expected_version: int | None = None,
        **fields: Unpack[MedicalFields],
    ) -> MedicalData:
        """Write the fields given (``allergies``, ``conditions``...): special-category
        data, whose values the history never shows."""
        return self._run.write(
            linked.set_section, MedicalData, client_id, fields, expected_version=expected_version
        )
