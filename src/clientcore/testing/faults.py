"""Fault injection: a backend whose units of work fail in the middle of an operation.

:class:`FailingBackend` wraps any backend and makes one method of one kind's records port
raise :class:`~clientcore.errors.StorageError` (what a store that fails reports), so that
a test can show that an operation walking many kinds (a merge) leaves nothing behind when
a later kind fails after earlier ones were written.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

from clientcore.entities.kinds import RecordKind, Registry
from clientcore.errors import StorageError
from clientcore.ports.bulk import BulkClients
from clientcore.ports.outbox import Outbox
from clientcore.ports.records import Records
from clientcore.ports.reports import ReportQueries
from clientcore.ports.repositories import (
    ClientRepository,
    Counters,
    EventLog,
    SalesLedger,
    SettingsRepository,
    VisitRepository,
)
from clientcore.ports.unit_of_work import Backend, Capabilities, UnitOfWork

T = TypeVar("T")


class InjectedFailure(StorageError):
    """The failure a :class:`FailingBackend` injects."""


class _FailingRecords(Records[T]):
    """A records port whose ``failing`` method raises :class:`InjectedFailure`."""

    def __init__(self, inner: Records[T], failing: str) -> None:
        self._inner = inner
        self._failing = failing

    def _check(self, method: str) -> None:
        if method == self._failing:
            raise InjectedFailure(f"injected: {self._inner.kind.name}.{method} failed")

    @property
    def kind(self) -> RecordKind[T]:
        return self._inner.kind

    def add(self, *records: T) -> None:
        self._check("add")
        self._inner.add(*records)

    def get(self, key: Any) -> T:
        return self._inner.get(key)

    def get_many(self, keys: Sequence[Any]) -> dict[Any, T]:
        return self._inner.get_many(keys)

    def find(self, **fields: Any) -> list[T]:
        return self._inner.find(**fields)

    def count(self, **fields: Any) -> int:
        return self._inner.count(**fields)

    def replace(self, record: T) -> None:
        self._check("replace")
        self._inner.replace(record)

    def delete(self, record: T) -> None:
        self._check("delete")
        self._inner.delete(record)

    def reassign(self, source: UUID, target: UUID) -> int:
        self._check("reassign")
        return self._inner.reassign(source, target)

    def move(self, source: UUID, target: UUID) -> list[str]:
        self._check("move")
        return self._inner.move(source, target)

    def scrub(self, client_id: UUID) -> int:
        self._check("scrub")
        return self._inner.scrub(client_id)


class _FailingUnit:
    """A unit of work of the wrapped backend, the failing kind's port replaced."""

    def __init__(self, inner: UnitOfWork, kind: str, method: str) -> None:
        self._inner = inner
        self._kind = kind
        self._method = method

    @property
    def tenant(self) -> str:
        return self._inner.tenant

    @property
    def clients(self) -> ClientRepository:
        return self._inner.clients

    @property
    def events(self) -> EventLog:
        return self._inner.events

    @property
    def counters(self) -> Counters:
        return self._inner.counters

    @property
    def settings(self) -> SettingsRepository:
        return self._inner.settings

    @property
    def visits(self) -> VisitRepository:
        return self._inner.visits

    @property
    def outbox(self) -> Outbox:
        return self._inner.outbox

    @property
    def sales(self) -> SalesLedger:
        return self._inner.sales

    @property
    def bulk(self) -> BulkClients:
        return self._inner.bulk

    @property
    def reports(self) -> ReportQueries:
        return self._inner.reports

    @property
    def kinds(self) -> Registry:
        return self._inner.kinds

    def records(self, kind: RecordKind[T]) -> Records[T]:
        port = self._inner.records(kind)
        return _FailingRecords(port, self._method) if kind.name == self._kind else port

    def commit(self) -> None:
        self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()

    def __enter__(self) -> _FailingUnit:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)


class FailingBackend:
    """``backend``, except that ``method`` of the records port of the kind named ``kind``
    raises :class:`InjectedFailure` in every unit of work. Closing it leaves ``backend``
    open (the test's)."""

    def __init__(self, backend: Backend, *, kind: str, method: str) -> None:
        self._backend = backend
        self._kind = kind
        self._method = method

    @property
    def capabilities(self) -> Capabilities:
        return self._backend.capabilities

    @property
    def kinds(self) -> Registry:
        return self._backend.kinds

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> UnitOfWork:
        inner = self._backend.unit_of_work(tenant, read_only=read_only)
        return _FailingUnit(inner, self._kind, self._method)

    def close(self) -> None:
        """Nothing: the wrapped backend is the caller's."""
