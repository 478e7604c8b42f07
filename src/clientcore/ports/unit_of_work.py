"""The unit of work: one tenant, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, TypeVar

import attrs

from clientcore.entities.kinds import RecordKind, Registry
from clientcore.ports.outbox import Outbox
from clientcore.ports.records import Records
from clientcore.ports.repositories import (
    ClientRepository,
    Counters,
    EventLog,
    SalesLedger,
    SettingsRepository,
    VisitRepository,
)

T = TypeVar("T")


@attrs.frozen
class Capabilities:
    """What a backend guarantees, declared so that callers and tests can see it."""

    transactions: bool
    """All-or-nothing units of work across several records (even after a crash)."""

    joins_host_transaction: bool = False
    """Units of work are savepoints inside a host's transaction. A failure the database
    reports (a deadlock) may have ended the host's whole transaction, which only the host
    can run again, so clientcore does not retry such units itself."""


class UnitOfWork(Protocol):
    """Repositories of one tenant inside one transaction.

    Used as a context manager: leaving the block without :meth:`commit` rolls back.
    """

    @property
    def tenant(self) -> str: ...

    @property
    def clients(self) -> ClientRepository: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def counters(self) -> Counters: ...

    @property
    def settings(self) -> SettingsRepository: ...

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def outbox(self) -> Outbox:
        """The messages, with the dispatcher's claim (also ``records(MESSAGES)``)."""
        ...

    @property
    def sales(self) -> SalesLedger: ...

    @property
    def kinds(self) -> Registry:
        """Every record kind of this unit of work: clientcore's own, then the host's."""
        ...

    def records(self, kind: RecordKind[T]) -> Records[T]:
        """The generic records port of ``kind`` (one of :attr:`kinds`)."""
        ...

    def commit(self) -> None:
        """Make every change of this unit of work durable at once."""
        ...

    def rollback(self) -> None:
        """Discard every change of this unit of work."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Backend(Protocol):
    """A storage binding: makes units of work for tenants."""

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def kinds(self) -> Registry:
        """The record kinds this backend stores: clientcore's own, then the host's."""
        ...

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> UnitOfWork:
        """A fresh unit of work scoped to ``tenant`` (already validated).

        ``read_only``: the caller only reads, never writes or commits. A store may then
        read without taking write locks (SQLite starts a deferred transaction, which reads
        a snapshot alongside a writer instead of waiting for it) or without a transaction
        where its isolation gives one no single snapshot anyway (PostgreSQL at READ
        COMMITTED); others ignore it.
        """
        ...

    def close(self) -> None:
        """Release what the backend opened itself (never a host's own engine or client)."""
        ...
