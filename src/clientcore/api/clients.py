"""``core.clients``: register, read, change, find and delete clients."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from typing_extensions import Unpack

from clientcore.api.checks import checked
from clientcore.api.unset import UNSET, Unset, given
from clientcore.entities import validation
from clientcore.entities.client import Client, ClientKind, ClientStatus, IdentityDocument, NameDay
from clientcore.entities.contacts import Address, Email, Phone
from clientcore.entities.duplicates import Candidate, DuplicatePolicy, ScanProgress
from clientcore.entities.event import Event
from clientcore.entities.imports import (
    IMPORT_BATCH_SIZE,
    ImportMode,
    ImportProgress,
    ImportReport,
)
from clientcore.entities.search import PAGE_MAX_SIZE, ClientPage, StatusFilter
from clientcore.entities.validation import choice
from clientcore.errors import ValidationError
from clientcore.operations import clients, imports
from clientcore.operations import duplicates as likely
from clientcore.operations.clients import ClientFields
from clientcore.operations.duplicate_scan import DuplicateScan

if TYPE_CHECKING:
    from clientcore.api.runner import Runner

SCAN_MIN_SCORE = 0.5
"""The least score of a pair a duplicate scan reports, by default: names alike and one
more field that agrees."""
SIMILAR_MIN_SCORE = 0.3
"""The least score of a candidate before registration, by default: lower than a scan's,
since a receptionist can ask the client (the same name alone is reported)."""


def _min_score(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValidationError("min_score", f"must be between 0 and 1, got {value!r}")
    return float(value)


@checked
class Clients:
    """The clients of the tenant. Each call is one unit of work (see :class:`Core`)."""

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def register(
        self,
        *,
        duplicates: DuplicatePolicy | str = DuplicatePolicy.ALLOW,
        **fields: Unpack[ClientFields],
    ) -> Client:
        """Create a client. Its code comes from the tenant's counter unless ``code`` is given.

        ``duplicates="refuse"``: if existing clients look like the new one (as
        :meth:`similar` finds them), raise :class:`~clientcore.errors.LikelyDuplicate`
        carrying them, and store nothing."""
        policy = choice("duplicates", DuplicatePolicy, duplicates)
        if policy is DuplicatePolicy.ALLOW:
            return self._run.write(clients.register, fields)
        return self._run.write(
            likely.register, fields, duplicates=policy, min_score=SIMILAR_MIN_SCORE
        )

    def similar(
        self, *, min_score: float = SIMILAR_MIN_SCORE, **fields: Unpack[ClientFields]
    ) -> list[Candidate]:
        """Existing clients (of any status) that look like the client ``fields`` describe
        (the fields of :meth:`register`, checked alike), best first, at most ten: each with
        a score from 0 to 1 and the reasons (same phone, same e-mail, names alike despite
        diacritics, typing errors or swapped first and last name, same birthday, address or
        identity document). Writes nothing."""
        threshold = _min_score(min_score)
        return self._run.read(likely.similar, fields, now=self._run.now(), min_score=threshold)

    def find_duplicates(
        self,
        *,
        min_score: float = SCAN_MIN_SCORE,
        progress: Callable[[ScanProgress], object] | None = None,
        page_size: int = PAGE_MAX_SIZE,
    ) -> DuplicateScan:
        """Every group of likely duplicates among the tenant's clients, best first, each
        pair with its score and reasons: iterate over the answer. The clients are read a
        page at a time (a unit of work each, unless in a transaction) when the first group
        is asked for (``page_size`` clients at a time); ``progress`` is told how far
        reading and comparing have got."""
        threshold = _min_score(min_score)
        if not 1 <= page_size <= PAGE_MAX_SIZE:
            raise ValidationError("page_size", f"must be a whole number from 1 to {PAGE_MAX_SIZE}")

        def read_page(cursor: object) -> tuple[Sequence[str], object]:
            after = cursor if isinstance(cursor, UUID) else None
            return self._run.read(likely.profiles_page, after, page_size)

        return DuplicateScan(read_page, min_score=threshold, progress=progress)

    def import_many(self, rows: Sequence[ClientFields]) -> list[Client]:
        """Create many clients in one unit of work: all are stored, or none. A refused row
        raises :class:`~clientcore.errors.ImportRowError` naming the row (index, and code if
        it gives one) and the field."""
        return self._run.write(clients.register_many, rows)

    def import_clients(
        self,
        rows: Iterable[Mapping[str, object]],
        *,
        mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
        batch_size: int = IMPORT_BATCH_SIZE,
        progress: Callable[[ImportProgress], object] | None = None,
    ) -> ImportReport:
        """Create clients from any iterable of rows (a list, a generator, a
        ``csv.DictReader``), ``batch_size`` rows at a time, holding one batch at once.
        ``progress`` is called after each batch. Every refused row is reported (its index
        from 0, field, reason). ``ALL_OR_NOTHING``: one unit of work; any refusal raises
        :class:`~clientcore.errors.ImportRefused` (its ``report`` lists them) and stores
        nothing. ``GOOD_ROWS``: a unit of work per batch; the good rows are stored and the
        report lists the rest."""
        chosen = validation.choice("mode", ImportMode, mode)
        if batch_size < 1:
            raise ValidationError("batch_size", "must be at least 1")
        if chosen is ImportMode.ALL_OR_NOTHING:
            return self._run.write(imports.import_all, imports.Rows(rows), batch_size, progress)
        tally = imports.Tally(progress)
        for batch in imports.batches(rows, batch_size):
            tally.add(len(batch), *self._run.write(imports.import_batch, batch))
        return tally.report()

    def get(self, client_id: UUID) -> Client:
        """The client. A merged client raises :class:`~clientcore.errors.ClientMerged`,
        whose ``base_id`` is the client it lives on as."""
        return self._run.read(clients.get, client_id)

    def by_code(self, code: str) -> Client:
        """The client with the code (ClientMerged for a merged client's code, see :meth:`get`)."""
        return self._run.read(clients.by_code, code)

    def update(
        self,
        client_id: UUID,
        *,
        expected_version: int | None = None,
        kind: ClientKind | str | Unset = UNSET,
        code: str | Unset = UNSET,
        first_name: str | Unset = UNSET,
        last_name: str | Unset = UNSET,
        company_name: str | Unset = UNSET,
        phones: Sequence[str | Phone] | Unset = UNSET,
        emails: Sequence[str | Email] | Unset = UNSET,
        addresses: Sequence[Address] | Unset = UNSET,
        description: str | Unset = UNSET,
        source: str | Unset = UNSET,
        caretaker_id: UUID | Unset | None = UNSET,
        name_day: NameDay | Unset | None = UNSET,
        birthday: date | Unset | None = UNSET,
        identity_documents: Sequence[IdentityDocument] | Unset = UNSET,
        remarks: str | Unset = UNSET,
        group_ids: Sequence[UUID] | Unset = UNSET,
        attributes: Mapping[str, object] | Unset = UNSET,
    ) -> Client:
        """Change the fields given (see :data:`UNSET`: ``None`` or ``()`` clears one). Pass
        the ``version`` you read as ``expected_version`` to get
        :class:`~clientcore.errors.ConcurrencyError` instead of overwriting a newer edit.
        Every change of a client takes ``expected_version``; without it, a concurrent
        writer is no error: the change is run again on what it wrote."""
        fields = given(
            kind=kind,
            code=code,
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
            phones=phones,
            emails=emails,
            addresses=addresses,
            description=description,
            source=source,
            caretaker_id=caretaker_id,
            name_day=name_day,
            birthday=birthday,
            identity_documents=identity_documents,
            remarks=remarks,
            group_ids=group_ids,
            attributes=attributes,
        )
        return self._run.write(clients.update, client_id, fields, expected_version=expected_version)

    def deactivate(self, client_id: UUID, *, expected_version: int | None = None) -> Client:
        return self._run.write(
            clients.set_status,
            client_id,
            ClientStatus.INACTIVE,
            expected_version=expected_version,
        )

    def reactivate(self, client_id: UUID, *, expected_version: int | None = None) -> Client:
        return self._run.write(
            clients.set_status, client_id, ClientStatus.ACTIVE, expected_version=expected_version
        )

    def delete(self, client_id: UUID, *, expected_version: int | None = None) -> None:
        """Delete a client nothing refers to; otherwise raises ClientInUse (deactivate instead)."""
        self._run.write(clients.delete, client_id, expected_version=expected_version)

    def assign_groups(
        self, client_id: UUID, *group_ids: UUID, expected_version: int | None = None
    ) -> Client:
        return self._run.write(
            clients.assign_groups, client_id, group_ids, expected_version=expected_version
        )

    def unassign_group(
        self, client_id: UUID, group_id: UUID, *, expected_version: int | None = None
    ) -> Client:
        return self._run.write(
            clients.unassign_group, client_id, group_id, expected_version=expected_version
        )

    def set_attribute(
        self, client_id: UUID, key: str, value: object, *, expected_version: int | None = None
    ) -> Client:
        """Set one custom attribute. With ``expected_version`` (the ``version`` read) a
        newer edit is refused with ConcurrencyError (a safe read-modify-write); without
        it, a concurrent change is not an error: the call reads the client again and
        applies the value to what it finds."""
        return self._run.write(
            clients.set_attribute, client_id, key, value, expected_version=expected_version
        )

    def clear_attribute(
        self, client_id: UUID, key: str, *, expected_version: int | None = None
    ) -> Client:
        return self._run.write(
            clients.clear_attribute, client_id, key, expected_version=expected_version
        )

    def search(
        self,
        text: str = "",
        *,
        status: StatusFilter | str = StatusFilter.ACTIVE,
        group_id: UUID | None = None,
        caretaker_id: UUID | None = None,
        source: str | None = None,
        attribute: tuple[str, object] | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> ClientPage:
        """Clients whose name words, e-mail, phone or code start with each word of ``text``
        (case and accents ignored; a phone in any format), filtered; pass
        ``page.next_cursor`` as ``after`` for the next page."""
        return self._run.read(
            clients.search,
            text,
            status=status,
            group_id=group_id,
            caretaker_id=caretaker_id,
            source=source,
            attribute=attribute,
            limit=limit,
            after=after,
        )

    def history(self, client_id: UUID) -> list[Event]:
        """Every change of the client, oldest first (a deleted client's too)."""
        return self._run.read(clients.history, client_id)
