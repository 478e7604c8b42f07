"""The contract suites through :class:`clientcore.AsyncCore` on SQLAlchemy's asyncio drivers:
aiosqlite, asyncpg and asyncmy (MariaDB).

Every contract runs on aiosqlite. On asyncpg and asyncmy (the databases of the synchronous
suites), to keep the suite's time, the contracts of what the async path changes: the
clients' writes and their errors (unique codes, versions, references), host record kinds,
counters, transactions, events, and concurrency (the booking race, a core shared by 16
threads); not search, text, schedule, tenancy and kinds, which test the storage's reads and
run on every engine in the synchronous suites.

The contracts are written against ``Core``; here every core they open is an ``AsyncCore``
seen through :func:`clientcore.testing.blocking.blocking`, so the same assertions run
through ``run_sync``. Their direct reads of the store (``backend.unit_of_work``) use the
synchronous backend on the same database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import clientcore
from clientcore.adapters.sql import SqlBackend, configure_sqlite
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.blocking import EventLoopThread, blocking_opener
from clientcore.testing.contracts import (
    AllContracts,
    ClientContract,
    CountersContract,
    EventContract,
    RaceContract,
    RecordsContract,
    SharedCoreContract,
    TransactionContract,
)
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.contracts.privacy import StoreContents
from clientcore.testing.kinds import HOST_KINDS
from tests.store_contents import sql_contents

ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "mysql": "asyncmy"}


def async_url(url: str) -> str:
    """``url`` with the asyncio driver of its database."""
    parsed = make_url(url)
    driver = ASYNC_DRIVERS[parsed.get_backend_name()]
    return parsed.set(drivername=f"{parsed.get_backend_name()}+{driver}").render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def event_loop_thread() -> Iterator[EventLoopThread]:
    loop = EventLoopThread()
    yield loop
    loop.close()


def _async_engine(url: str, loop: EventLoopThread) -> Iterator[AsyncEngine]:
    engine = create_async_engine(async_url(url))
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine.sync_engine)
    yield engine
    loop.run(engine.dispose())


class AsyncSqlContracts(BackendContract):
    """Opens every core of a contract as an AsyncCore on ``async_engine``."""

    @pytest.fixture
    def async_engine(self) -> AsyncEngine:
        raise NotImplementedError("a test class provides the async engine")

    @pytest.fixture
    def open_core(
        self, async_engine: AsyncEngine, event_loop_thread: EventLoopThread
    ) -> Callable[..., Core]:
        def open_async(_backend: Backend, **options: Any) -> clientcore.AsyncCore:
            return clientcore.open_async(async_engine, kinds=HOST_KINDS, **options)

        return blocking_opener(open_async, event_loop_thread)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('aiosqlite') / 'async.db'}"
    SqlBackend.from_url(url, kinds=HOST_KINDS, migrate=True).close()
    yield url


@pytest.fixture(scope="session")
def sqlite_backend(sqlite_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(sqlite_url, kinds=HOST_KINDS)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def sqlite_async_engine(
    sqlite_url: str, event_loop_thread: EventLoopThread
) -> Iterator[AsyncEngine]:
    yield from _async_engine(sqlite_url, event_loop_thread)


class TestAsyncSqlite(AsyncSqlContracts, AllContracts):
    """Every contract, on aiosqlite."""

    @pytest.fixture
    def backend(self, sqlite_backend: SqlBackend) -> Iterator[Backend]:
        yield sqlite_backend

    @pytest.fixture
    def store_contents(self, sqlite_backend: SqlBackend) -> Iterator[StoreContents]:
        yield lambda: sql_contents(sqlite_backend, whole_file=False)

    @pytest.fixture
    def async_engine(self, sqlite_async_engine: AsyncEngine) -> AsyncEngine:
        return sqlite_async_engine


@pytest.fixture(scope="session")
def server_kinds_backend(server_url: str) -> Iterator[SqlBackend]:
    backend = SqlBackend.from_url(server_url, kinds=HOST_KINDS)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def server_async_engine(
    server_url: str, event_loop_thread: EventLoopThread
) -> Iterator[AsyncEngine]:
    yield from _async_engine(server_url, event_loop_thread)


class TestAsyncServers(
    AsyncSqlContracts,
    ClientContract,
    RecordsContract,
    CountersContract,
    RaceContract,
    SharedCoreContract,
    TransactionContract,
    EventContract,
):
    """The contracts of what the async path changes, on asyncpg and asyncmy."""

    @pytest.fixture
    def backend(self, server_kinds_backend: SqlBackend) -> Iterator[Backend]:
        yield server_kinds_backend

    @pytest.fixture
    def async_engine(self, server_async_engine: AsyncEngine) -> AsyncEngine:
        return server_async_engine
