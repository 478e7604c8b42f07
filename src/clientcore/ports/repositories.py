"""Repository ports. Every repository is scoped to the tenant of its unit of work.

An id of another tenant reads as :class:`~clientcore.errors.NotFound`, and writes with it
change nothing. Methods raise only the errors of :mod:`clientcore.errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.event import Event
from clientcore.entities.sales import MonthTotals
from clientcore.entities.search import ClientQuery
from clientcore.entities.settings import TenantSettings
from clientcore.entities.visit import Visit
from clientcore.entities.working_hours import Schedule
from clientcore.ports.records import Records


class ClientRepository(Protocol):
    def add_many(self, clients: Sequence[Client]) -> None:
        """Store many new clients at once. Raises DuplicateCode (and stores none of them)."""
        ...

    def get(self, client_id: UUID) -> Client:
        """Raises NotFound."""
        ...

    def get_many(self, client_ids: Sequence[UUID]) -> dict[UUID, Client]:
        """Those of ``client_ids`` that are clients of the tenant, by id, read at once (a
        dispatcher checks a whole batch's recipients with one read)."""
        ...

    def status(self, client_id: UUID) -> ClientStatus:
        """The client's status alone, without reading the whole record (a booking needs
        no more). Raises NotFound."""
        ...

    def hold(self, client_id: UUID, *, exclusive: bool = False) -> ClientStatus:
        r"""The client's status, read under a lock held until the unit of work ends, so that
        no merge runs between this read and the unit's commit.

        An operation that links a record to the client holds it (shared: linkers do not
        wait for each other); a merge holds each client it merges ``exclusive``\ly, before
        reading them. So a link made while a merge runs either commits first (and the merge
        then moves it) or waits for the merge and sees the client merged. Raises NotFound.
        """
        ...

    def get_by_code(self, code: str) -> Client:
        """Raises NotFound."""
        ...

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        """Those of ``codes`` that clients of the tenant already have."""
        ...

    def update(self, client: Client) -> None:
        """Replace the stored client, whose version must be ``client.version - 1``.

        Raises NotFound, ConcurrencyError (stored version differs), DuplicateCode.
        """
        ...

    def delete(self, client: Client) -> None:
        """Remove the client, whose stored version must be ``client.version``.

        Raises NotFound, ConcurrencyError.
        """
        ...

    def search(self, query: ClientQuery) -> list[Client]:
        """Clients matching every term (as a prefix of a search key) and every filter,
        ordered by (sort key, id), after the query's cursor, at most ``query.limit``."""
        ...

    def profile_texts(self, after: UUID | None, size: int) -> list[str]:
        """The stored likeness profiles
        (:func:`~clientcore.entities.profile_table.profile_text` of
        :func:`~clientcore.entities.likeness.profile_of` each client, as written with the
        client) of at most ``size`` of the tenant's clients whose status is not in
        :data:`~clientcore.entities.duplicates.UNMATCHED`, in the order of their ids, after
        the id ``after`` (None: from the first). What a duplicate scan reads: one value per
        client, no :class:`~clientcore.entities.client.Client` made."""
        ...


class EventLog(Protocol):
    """The history: append-only. Nothing rewrites who did what and when; the one change
    allowed is :meth:`scrub`, blanking personal values inside old field changes (what
    anonymising a client does, docs/privacy.md)."""

    def append(self, events: Sequence[Event]) -> None:
        """Add events after every event already in the log."""
        ...

    def for_client(self, client_id: UUID) -> Sequence[Event]:
        """The client's history in the order it was written."""
        ...

    def scrub(self, client_id: UUID, fields: frozenset[str]) -> int:
        """Blank the old and new values of the changes of ``fields`` in the client's events;
        how many events changed."""
        ...


Busy = tuple[UUID, datetime, datetime]
"""A staff member's time taken by one entry: ``(staff_id, start, end)``, see
:meth:`VisitRepository.busy`."""


class VisitRepository(Records[Visit], Protocol):
    """Visits and breaks, a records port of their own kind
    (:data:`~clientcore.entities.kinds.VISITS`) whose ``add`` and ``replace`` enforce the
    no-overlap rule in the store itself, atomically, so that concurrent writers can never
    both succeed: they raise VisitOverlap if a time-holding entry of the same staff member
    overlaps (other entries only, on ``replace``). ``delete`` removes a visit's charges
    with it."""

    def schedule(self, staff_id: UUID, *, lock: bool = False) -> Schedule:
        """The staff member, their working hours (empty if never set) and the tenant's time
        zone, read at once: what a booking of the staff member is checked against.

        ``lock``: the unit of work is about to add or move entries of this staff member. The
        store then takes, in the same read, the lock under which ``add`` and ``update``
        refuse overlaps (held until the unit of work ends; they take it themselves
        otherwise). Raises NotFound.
        """
        ...

    def for_staff(self, staff_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        """Entries of the staff member overlapping ``[start, end)``, cancelled ones too,
        ordered by start, then id."""
        ...

    def asap_after(self, staff_id: UUID, after: datetime) -> list[Visit]:
        """Booked visits of the staff member flagged "as soon as possible" that start at or
        after ``after``, ordered by start, then id."""
        ...

    def busy(self, staff_ids: Sequence[UUID], start: datetime, end: datetime) -> list[Busy]:
        """The time taken in ``[start, end)``: one ``(staff_id, start, end)`` per
        time-holding entry (visit or break, not cancelled) of any of the staff members that
        overlaps the range (touching it is not overlapping), its start and end in UTC as
        stored; ordered by staff member (ids as text), then start.

        What a free-slot search needs and no more, for many staff members at once: one
        indexed query, no :class:`~clientcore.entities.visit.Visit` made. Ids of no staff
        member of the tenant simply have no entries; duplicates count once.
        """
        ...


class Counters(Protocol):
    def next(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive values of the tenant's counter; return the first.

        A value taken by a committed unit of work is never handed out again. The values are
        reserved inside the unit of work's transaction where the store has one
        (``Capabilities.transactions``): a unit that rolls back gives them back, so numbers
        such as invoice numbers have no gaps, and concurrent units wait for each other.
        Without transactions a rolled-back unit may leave a gap.
        """
        ...


class SalesLedger(Protocol):
    """Sums of issued sales documents, computed by the store where it can (set-based)."""

    def month_totals(self, start: date, end: date) -> list[MonthTotals]:
        """The tenant's issued documents of days ``start`` to ``end`` (both included) per
        month, document type and currency: count and totals in minor units, ordered by
        month, then type id (as text), then currency."""
        ...


class SettingsRepository(Protocol):
    def get(self) -> TenantSettings:
        """The tenant's settings (defaults if never set)."""
        ...

    def put(self, settings: TenantSettings) -> None: ...
