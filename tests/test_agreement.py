"""Every adapter agrees with the in-memory reference on the same random sequence of operations:
SQLite, PostgreSQL, MariaDB and MongoDB (mongomock, and a real server when configured)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mongomock
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from clientcore.adapters.memory import MemoryBackend
from clientcore.adapters.mongo import MongoBackend
from clientcore.adapters.sql import SqlBackend
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.agreement import agreement_machine
from clientcore.testing.kinds import HOST_KINDS
from tests.servers import fresh_database


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Backend]]:
    folder: Path = tmp_path_factory.mktemp("agreement")
    with contextlib.ExitStack() as stack:
        opened: list[Backend] = [MemoryBackend(HOST_KINDS)]
        for engine in ("sqlite", "postgresql", "mariadb"):
            url = stack.enter_context(fresh_database(engine, folder))
            backend = SqlBackend.from_url(url, kinds=HOST_KINDS, migrate=True)
            stack.callback(backend.close)
            opened.append(backend)
        database: Any = mongomock.MongoClient()["agreement"]
        opened.append(MongoBackend.on_database(database, kinds=HOST_KINDS))
        yield opened


@pytest.mark.slow
def test_every_adapter_agrees_with_the_reference(backends: list[Backend]) -> None:
    run_state_machine_as_test(
        agreement_machine(backends),
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
