"""AsyncCore: the parts as coroutines, its retries, its bindings and what it refuses.

The contract suites run through it too (tests/sql/test_async_contracts.py,
tests/memory/test_async_contracts.py)."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import clientcore
from clientcore.adapters.sql import SqlBackend, configure_sqlite
from clientcore.api.awaited import ASYNC_PARTS
from clientcore.api.parts import Parts
from clientcore.entities.common import Actor
from clientcore.entities.event import Event, EventKind
from clientcore.errors import (
    NotFound,
    PermissionDenied,
    StorageBusy,
    TransactionClosed,
    UnsupportedTarget,
)
from clientcore.facade import Retry
from tests.test_retries import BusyCommits

ACTOR = Actor("rita")
QUICK = Retry(attempts=4, first_pause=0, longest_pause=0)


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_every_method_of_every_part_is_awaited() -> None:
    core = clientcore.open("memory://", tenant="t")
    assert set(ASYNC_PARTS) == {name for name in vars(core) if not name.startswith("_")} - {
        "events"
    }
    for name, (async_part, part) in ASYNC_PARTS.items():
        assert part is type(getattr(core, name))
        assert isinstance(part, type)
        awaited = {name for name in vars(async_part) if not name.startswith("_")}
        assert _public_methods(part) == awaited, name
    assert _public_methods(Parts) - {"records"} <= _public_methods(clientcore.AsyncCore)


def test_a_coroutine_method_keeps_its_name_and_docs() -> None:
    core = clientcore.open_async("memory://", tenant="t", actor=ACTOR)
    assert core.clients.register.__name__ == "register"
    assert core.clients.register.__doc__ == clientcore.Clients.register.__doc__
    assert inspect.iscoroutinefunction(core.visits.book)


def test_a_core_on_memory_runs_every_part_in_worker_threads() -> None:
    async def main() -> None:
        async with clientcore.open_async("memory://", tenant="t", actor=ACTOR) as core:
            client = await core.clients.register(last_name="Nowak")
            assert (await core.clients.get(client.id)).last_name == "Nowak"
            await core.notes.add(client.id, "first visit")
            assert [n.text for n in await core.notes.for_client(client.id)] == ["first visit"]
            async with core.transaction() as tx:
                await tx.clients.update(client.id, first_name="Anna")
                await tx.notes.add(client.id, "renamed")
            assert (await core.clients.get(client.id)).first_name == "Anna"
            with pytest.raises(NotFound):
                await core.for_tenant("other").clients.get(client.id)

    asyncio.run(main())


def test_a_busy_store_runs_the_call_again_and_then_raises() -> None:
    store = BusyCommits()

    async def main() -> None:
        core = clientcore.open_async(store, tenant="t", actor=ACTOR, retry=QUICK)
        store.busy, store.commits = 3, 0
        client = await core.clients.register(last_name="Nowak")
        assert store.commits == 4
        assert client.code == "1"
        store.busy, store.commits = 4, 0
        with pytest.raises(StorageBusy):
            await core.clients.register(last_name="Kowalska")
        assert store.commits == 4
        assert [c.code for c in (await core.clients.search(status="all")).clients] == ["1"]

    asyncio.run(main())


def test_a_busy_store_inside_a_hosts_transaction_is_not_run_again() -> None:
    store = BusyCommits(joins_host_transaction=True)

    async def main() -> None:
        core = clientcore.open_async(store, tenant="t", actor=ACTOR, retry=QUICK)
        store.busy, store.commits = 1, 0
        with pytest.raises(StorageBusy):
            await core.clients.register(last_name="Nowak")
        assert store.commits == 1

    asyncio.run(main())


def test_a_transaction_that_raises_leaves_nothing_and_closes() -> None:
    committed: list[Event] = []

    async def main() -> None:
        core = clientcore.open_async("memory://", tenant="t", actor=ACTOR)
        core.events.after_commit(EventKind, committed.append)
        with pytest.raises(RuntimeError):  # noqa: PT012 (the block is what raises)
            async with core.transaction() as tx:
                await tx.clients.register(last_name="Nowak")
                raise RuntimeError("the host changed its mind")
        with pytest.raises(TransactionClosed):
            await tx.clients.register(last_name="Late")
        assert (await core.clients.search(status="all")).clients == ()
        assert committed == []

    asyncio.run(main())


@pytest.mark.parametrize(
    "target",
    ["sqlite+aiosqlite:///x.db", "postgresql+asyncpg://h/db", "mysql+asyncmy://h/db"],
)
def test_an_async_drivers_url_asks_for_an_engine(target: str) -> None:
    with pytest.raises(UnsupportedTarget, match="create_async_engine"):
        clientcore.open_async(target, tenant="t")


def test_pymongos_async_client_is_refused_with_the_reason() -> None:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(connect=False)
    with pytest.raises(UnsupportedTarget, match="synchronous pymongo Database"):
        clientcore.open_async(client["db"], tenant="t")


def _sqlite_engine(folder: Path) -> tuple[str, AsyncEngine]:
    path = folder / "async.db"
    SqlBackend.from_url(f"sqlite:///{path}", migrate=True).close()
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    configure_sqlite(engine.sync_engine)
    return str(path), engine


def test_tasks_sharing_a_core_on_an_async_engine_get_unique_codes(tmp_path: Path) -> None:
    _path, engine = _sqlite_engine(tmp_path)

    async def main() -> list[str]:
        core = clientcore.open_async(engine, tenant="t", actor=ACTOR)
        try:
            clients = await asyncio.gather(
                *(core.clients.register(last_name=f"N{n}") for n in range(16))
            )
            return sorted(client.code for client in clients)
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == sorted(str(n) for n in range(1, 17))


def test_on_a_hosts_async_connection_the_hosts_transaction_decides(tmp_path: Path) -> None:
    _path, engine = _sqlite_engine(tmp_path)

    async def main() -> None:
        try:
            async with engine.connect() as connection:
                core = clientcore.open_async(connection, tenant="t", actor=ACTOR)
                assert core.capabilities.joins_host_transaction
                await core.clients.register(last_name="Rolled back")
                await connection.rollback()
                await core.clients.register(last_name="Kept")
                await connection.commit()
            fresh = clientcore.open_async(engine, tenant="t", actor=ACTOR)
            page = await fresh.clients.search(status="all")
            assert [c.last_name for c in page.clients] == ["Kept"]
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_a_connection_not_yet_started_is_refused(tmp_path: Path) -> None:
    _path, engine = _sqlite_engine(tmp_path)
    with pytest.raises(UnsupportedTarget, match="not connected"):
        clientcore.open_async(engine.connect(), tenant="t")


def test_a_bridge_with_a_table_prefix_is_used_as_it_is(tmp_path: Path) -> None:
    from clientcore.adapters.sql.bridge import AsyncSqlBridge

    path = tmp_path / "prefixed.db"
    SqlBackend.from_url(f"sqlite:///{path}", prefix="cc_", migrate=True).close()
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    configure_sqlite(engine.sync_engine)

    async def main() -> None:
        try:
            bridge = AsyncSqlBridge(engine, prefix="cc_")
            core = clientcore.open_async(bridge, tenant="t", actor=ACTOR)
            client = await core.clients.register(last_name="Nowak")
            assert (await core.clients.get(client.id)).code == "1"
        finally:
            await engine.dispose()

    asyncio.run(main())
    assert (
        "cc_clients"
        in sqlalchemy.inspect(sqlalchemy.create_engine(f"sqlite:///{path}")).get_table_names()
    )


def test_a_mongomock_database_runs_in_worker_threads() -> None:
    import mongomock

    async def main() -> None:
        database: object = mongomock.MongoClient()["clinic"]
        core = clientcore.open_async(database, tenant="t", actor=ACTOR)
        client = await core.clients.register(last_name="Nowak")
        assert (await core.clients.by_code(client.code)).id == client.id

    asyncio.run(main())


def test_an_unconfigured_aiosqlite_engine_is_refused_with_the_remedy(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    SqlBackend.from_url(f"sqlite:///{path}", migrate=True).close()
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")

    async def main() -> None:
        try:
            core = clientcore.open_async(engine, tenant="t", actor=ACTOR)
            with pytest.raises(UnsupportedTarget, match=r"configure_sqlite\(engine.sync_engine\)"):
                await core.clients.register(last_name="Nowak")
            configure_sqlite(engine.sync_engine)
            await engine.dispose()  # connections made from now on get the settings
            assert (await core.clients.register(last_name="Nowak")).code == "1"
        finally:
            await engine.dispose()

    asyncio.run(main())


def test_merges_are_awaited_and_keep_the_core_s_merge_roles() -> None:
    async def main() -> None:
        async with clientcore.open_async(
            "memory://",
            tenant="t",
            actor=Actor("olga", roles={clientcore.Role.OWNER}),
            merge_roles={clientcore.Role.OWNER},
        ) as core:
            base = await core.clients.register(last_name="Nowak")
            twin = await core.clients.register(last_name="Nowak")
            preview = await core.merges.preview(base.id, [twin.id])
            assert preview.dry_run
            outcome = await core.merges.merge(base.id, [twin.id])
            assert await core.merges.surviving(twin.id) == base.id
            assert await core.merges.journal(base.id) == [outcome.record]
            desk = core.acting_as(clientcore.Actor("desk", roles={clientcore.Role.RECEPTION}))
            other = await core.clients.register(last_name="Lis")
            with pytest.raises(PermissionDenied):
                await desk.merges.merge(base.id, [other.id])

    asyncio.run(main())
