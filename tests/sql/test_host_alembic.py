"""A host's own Alembic environment with clientcore's revisions in it, on every engine, run
through Alembic's command API as the host's developer runs the ``alembic`` command.

The environment is what ``alembic init`` makes, with the recipe of docs/sql.md:
clientcore's versions folder in ``version_locations`` and ``host_options()`` passed to
``context.configure``. The host has tables of its own, one of them named ``clients``, and
one that refers to ours. Autogenerate then proposes the host's tables and nothing of ours
(neither creating, changing nor dropping them, whether the host's ``target_metadata`` has
them or not), the host's revisions land in the host's versions folder and revise the
host's branch, they import our column types, and they run.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.operations import ops
from alembic.script import ScriptDirectory
from alembic.util import CommandError

import clientcore
from clientcore.adapters.sql import (
    TENANT_LENGTH,
    VERSIONS,
    Id,
    Key,
    Moment,
    SqlBackend,
    create_engine,
    head_revision,
)
from tests.servers import fresh_database
from tests.sql.conftest import ENGINES

ENV_PY = """\
from alembic import context
from sqlalchemy import (Column, ForeignKeyConstraint, Integer, MetaData, String, Table,
                        engine_from_config)

from clientcore.adapters.sql import TENANT_LENGTH, Id, Key, Moment, host_options, make_metadata

target_metadata = MetaData()
if {ours_in_metadata}:
    for table in make_metadata().tables.values():
        table.to_metadata(target_metadata)      # ours beside the host's: its foreign keys resolve
Table("clients", target_metadata,               # the host's own clients: no collision with ours
      Column("id", Integer, primary_key=True), Column("name", String(100), nullable=False))
Table("orders", target_metadata,
      Column("id", Integer, primary_key=True, autoincrement=False),
      Column("tenant", Key(TENANT_LENGTH), nullable=False),
      Column("client_id", Id(), nullable=False),
      Column("placed_at", Moment(), nullable=False),
      *([ForeignKeyConstraint(["tenant", "client_id"],
                              ["clientcore_clients.tenant", "clientcore_clients.id"])]
        if {ours_in_metadata} else []))

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section, {{}}))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata, **host_options())
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""


ORDERS = sqlalchemy.Table(
    "orders",
    sqlalchemy.MetaData(),
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True, autoincrement=False),
    sqlalchemy.Column("tenant", Key(TENANT_LENGTH), nullable=False),
    sqlalchemy.Column("client_id", Id(), nullable=False),
    sqlalchemy.Column("placed_at", Moment(), nullable=False),
)
"""The host's orders as its code reads them."""


def our_revision_files() -> set[str]:
    return {path.name for path in VERSIONS.glob("*.py")}


@pytest.fixture(autouse=True)
def _package_untouched() -> Iterator[None]:
    """Whatever a failing test wrote into the installed package's versions folder is removed
    (and the test's own assertions say that it did)."""
    before = our_revision_files()
    yield
    for name in our_revision_files() - before:
        (VERSIONS / name).unlink()


@pytest.fixture(params=ENGINES)
def host_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


def host_project(folder: Path, url: str, *, ours_in_metadata: bool) -> Config:
    """``alembic init migrations`` in ``folder``, then the recipe of docs/sql.md."""
    ini = folder / "alembic.ini"
    command.init(Config(str(ini)), str(folder / "migrations"))
    ini.write_text(
        textwrap.dedent(f"""\
            [alembic]
            script_location = %(here)s/migrations
            revision_environment = true
            path_separator = os
            version_locations = %(here)s/migrations/versions{os.pathsep}{VERSIONS}
            """),
        encoding="utf-8",
    )
    env = ENV_PY.format(ours_in_metadata=ours_in_metadata)
    (folder / "migrations" / "env.py").write_text(env, encoding="utf-8")
    config = Config(str(ini))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Proposed:
    """The operations autogenerate proposes (a ``process_revision_directives`` of the
    command API, which Alembic runs before the environment's own)."""

    def __init__(self) -> None:
        self.tables: list[tuple[str, str]] = []

    def __call__(self, _context: Any, _revision: Any, directives: list[Any]) -> None:
        for directive in directives:
            for upgrade in directive.upgrade_ops_list:
                self.tables += [_touched(op) for op in upgrade.ops]


def _touched(op: ops.MigrateOperation) -> tuple[str, str]:
    name = getattr(op, "table_name", None)
    if name is None and isinstance(op, ops.ModifyTableOps):
        name = op.table_name
    return type(op).__name__, str(name)


def revision_file(config: Config, revision: str) -> Path:
    return Path(ScriptDirectory.from_config(config).get_revision(revision).path)


@pytest.mark.parametrize("ours_in_metadata", [True, False], ids=["with-ours", "without-ours"])
def test_the_hosts_first_revision_proposes_its_tables_only_and_runs(
    host_url: str, tmp_path: Path, ours_in_metadata: bool
) -> None:
    project = tmp_path / "host"
    project.mkdir()
    config = host_project(project, host_url, ours_in_metadata=ours_in_metadata)
    before = our_revision_files()

    # the commands of docs/sql.md, through Alembic's command API
    command.upgrade(config, "clientcore@head")  # alembic upgrade clientcore@head
    proposed = Proposed()
    first = command.revision(  # alembic revision --autogenerate -m "host tables" --head base
        config,  # --branch-label host --version-path migrations/versions
        message="host tables",  # --depends-on clientcore@head
        autogenerate=True,
        head="base",
        branch_label="host",
        version_path=str(project / "migrations" / "versions"),
        depends_on="clientcore@head",
        process_revision_directives=proposed,
    )
    assert sorted(proposed.tables) == [("CreateTableOp", "clients"), ("CreateTableOp", "orders")]
    assert first is not None
    assert not isinstance(first, list)
    written = revision_file(config, first.revision)
    assert written.parent == project / "migrations" / "versions"
    assert our_revision_files() == before  # nothing written into the installed package
    assert first.down_revision is None
    assert first.dependencies == head_revision()
    text = written.read_text(encoding="utf-8")
    for name in ("Id", "Key", "Moment"):
        assert f"from clientcore.adapters.sql import {name}\n" in text
    assert "clientcore.adapters.sql.schema" not in text  # no type named without its import

    command.upgrade(config, "heads")  # alembic upgrade heads: the host's revision runs
    tables = set(sqlalchemy.inspect(sqlalchemy.create_engine(host_url)).get_table_names())
    assert {"clients", "orders", "clientcore_clients", "alembic_version"} <= tables

    # a later plain `alembic revision --autogenerate`: nothing to propose, on the host's branch
    proposed = Proposed()
    second = command.revision(
        config, message="nothing", autogenerate=True, process_revision_directives=proposed
    )
    assert proposed.tables == []
    assert second is not None
    assert not isinstance(second, list)
    assert revision_file(config, second.revision).parent == project / "migrations" / "versions"
    assert second.down_revision == first.revision
    assert our_revision_files() == before
    command.upgrade(config, "heads")

    engine = create_engine(host_url)  # SQLite's foreign keys on, as clientcore needs
    try:
        core = clientcore.open(engine, tenant="vet-1", actor=clientcore.Actor("rita"))
        client = core.clients.register(last_name="Nowak")
        order = {"id": 1, "tenant": "vet-1", "client_id": client.id, "placed_at": client.created_at}
        with engine.begin() as connection:
            connection.execute(ORDERS.insert(), order)
            assert connection.execute(sqlalchemy.select(ORDERS)).mappings().one() == order
        if ours_in_metadata:  # the host's foreign key to our clients was created too
            with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as connection:
                connection.execute(ORDERS.insert(), {**order, "id": 2, "client_id": uuid4()})
    finally:
        engine.dispose()


def test_a_plain_first_revision_goes_to_the_hosts_folder_on_its_own_branch(
    tmp_path: Path,
) -> None:
    """``alembic revision --autogenerate`` with no option: without ``place_host_revision``
    it would revise our head and be written into our package's folder."""
    project = tmp_path / "host"
    project.mkdir()
    url = f"sqlite:///{tmp_path / 'host.db'}"
    config = host_project(project, url, ours_in_metadata=False)
    before = our_revision_files()
    command.upgrade(config, "heads")
    first = command.revision(config, message="host tables", autogenerate=True)
    assert first is not None
    assert not isinstance(first, list)
    assert revision_file(config, first.revision).parent == project / "migrations" / "versions"
    assert first.down_revision is None
    assert first.dependencies == head_revision()
    assert our_revision_files() == before
    command.upgrade(config, "heads")
    with pytest.raises(CommandError, match="clientcore's branch"):
        command.revision(config, message="onto ours", head="clientcore@head")
    with pytest.raises(CommandError, match="clientcore's"):
        command.revision(config, message="into ours", version_path=str(VERSIONS))
    assert our_revision_files() == before
    backend = SqlBackend.from_url(url, migrate=False)
    try:
        clientcore.open(backend, tenant="t", actor=clientcore.Actor("a")).clients.register(
            last_name="Nowak"
        )
    finally:
        backend.close()
