"""On PostgreSQL, a unit of work that only reads holds no transaction at READ COMMITTED:
each of its statements reads its own snapshot there anyway, so ``BEGIN`` and ``ROLLBACK``
would only cost two round trips (and leave the session idle in a transaction between its
reads). At a stricter level, which a host chooses for its engine, the unit keeps one
transaction, and so one snapshot, for all its reads.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy

import clientcore
from clientcore import Actor
from clientcore.adapters.sql import SqlBackend
from tests.servers import fresh_database

TENANT = "readers"


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path_factory.mktemp("pg-readers")) as url:
        SqlBackend.from_url(url, migrate=True).close()
        yield url


def session_state(url: str, backend: SqlBackend, read_only: bool) -> str:
    """What another session sees of a unit's session after the unit has read once."""
    observing = sqlalchemy.create_engine(url, poolclass=sqlalchemy.NullPool)
    with backend.unit_of_work(TENANT, read_only=read_only) as uow:
        uow.settings.get()
        pid = uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with observing.connect() as observer:
            state = observer.exec_driver_sql(
                "SELECT state FROM pg_stat_activity WHERE pid = %(pid)s", {"pid": pid}
            ).scalar_one()
    return str(state)


def test_a_read_holds_no_transaction_and_the_next_write_does(postgres_url: str) -> None:
    # one pooled connection: the write below runs on the connection the read returned
    backend = SqlBackend.from_url(postgres_url, pool_size=1, max_overflow=0)
    try:
        assert session_state(postgres_url, backend, read_only=True) == "idle"
        assert session_state(postgres_url, backend, read_only=False) == "idle in transaction"
        assert session_state(postgres_url, backend, read_only=True) == "idle"
    finally:
        backend.close()


def remarks_around_an_edit(url: str, backend: SqlBackend) -> tuple[str, str]:
    """A client's remarks read twice in one read-only unit of ``backend``, before and after
    another connection commits a change to them."""
    with clientcore.open(url, tenant=TENANT, actor=Actor("rita")) as core:
        client = core.clients.register(first_name="Anna", last_name="Nowak")
        with backend.unit_of_work(TENANT, read_only=True) as uow:
            before = uow.clients.get(client.id)
            core.clients.update(client.id, expected_version=client.version, remarks="changed")
            again = uow.clients.get(client.id)
        assert core.clients.get(client.id).remarks == "changed"
    return before.remarks, again.remarks


def test_reads_at_repeatable_read_share_one_snapshot(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url, isolation_level="REPEATABLE READ")
    host = SqlBackend.on_host(engine)
    try:
        assert remarks_around_an_edit(postgres_url, host) == ("", "")
        assert session_state(postgres_url, host, read_only=True) == "idle in transaction"
    finally:
        engine.dispose()


def test_reads_at_read_committed_see_each_commit(postgres_url: str) -> None:
    backend = SqlBackend.from_url(postgres_url)
    try:
        assert remarks_around_an_edit(postgres_url, backend) == ("", "changed")
    finally:
        backend.close()
