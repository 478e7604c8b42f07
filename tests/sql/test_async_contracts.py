"""The contract suites through :class:`clientcore.AsyncCore` on SQLAlchemy's asyncio drivers:
aiosqlite, asyncpg and asyncmy (MariaDB), on the databases of the synchronous suites.

Every contract of the API's parts and units runs on the three (:data:`ASYNC_CONTRACTS`);
the search and text contracts, which test the storage's text handling and are the slowest,
run on aiosqlite only (the synchronous suites run them on every engine).

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
    ClientContract,
    CountersContract,
    EventContract,
    KindsContract,
    RaceContract,
    RecordsContract,
    ScheduleContract,
    SearchContract,
    SharedCoreContract,
    TenancyContract,
    TransactionContract,
    UnicodeContract,
)
from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.kinds import HOST_KINDS

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


@pytest.fixture(scope="session")
def async_engine(sql_url: str, event_loop_thread: EventLoopThread) -> Iterator[AsyncEngine]:
    """An engine of the asyncio driver on each engine's database."""
    yield from _async_engine(sql_url, event_loop_thread)


class AsyncSqlContracts(BackendContract):
    """Opens every core of a contract as an AsyncCore on ``async_engine``."""

    @pytest.fixture
    def open_core(
        self, async_engine: AsyncEngine, event_loop_thread: EventLoopThread
    ) -> Callable[..., Core]:
        def open_async(_backend: Backend, **options: Any) -> clientcore.AsyncCore:
            return clientcore.open_async(async_engine, kinds=HOST_KINDS, **options)

        return blocking_opener(open_async, event_loop_thread)


class TestAsyncSql(
    AsyncSqlContracts,
    ClientContract,
    TenancyContract,
    RecordsContract,
    KindsContract,
    CountersContract,
    ScheduleContract,
    RaceContract,
    SharedCoreContract,
    TransactionContract,
    EventContract,
):
    @pytest.fixture
    def backend(self, sql_backend: SqlBackend) -> Iterator[Backend]:
        yield sql_backend


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlBackend]:
    url = f"sqlite:///{tmp_path_factory.mktemp('aiosqlite') / 'text.db'}"
    backend = SqlBackend.from_url(url, kinds=HOST_KINDS, migrate=True)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def sqlite_async_engine(
    sqlite_backend: SqlBackend, event_loop_thread: EventLoopThread
) -> Iterator[AsyncEngine]:
    yield from _async_engine(str(sqlite_backend.bind.engine.url), event_loop_thread)


class TestAsyncSqliteText(AsyncSqlContracts, SearchContract, UnicodeContract):
    @pytest.fixture
    def backend(self, sqlite_backend: SqlBackend) -> Iterator[Backend]:
        yield sqlite_backend

    @pytest.fixture
    def async_engine(self, sqlite_async_engine: AsyncEngine) -> AsyncEngine:
        return sqlite_async_engine
