"""The shipped Alembic revisions, on every engine: they build exactly the library's MetaData
(with a table prefix, and in a schema), upgrade and downgrade cleanly, run from the
``clientcore migrate`` command, and run inside a host's own Alembic environment.

"Exactly" is Alembic's autogenerate comparison with :func:`compare_type`, which also sees
collations: the comparison test below shows that it reports a drifted column.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Column, ForeignKeyConstraint, Integer, MetaData, String, Table, text

import clientcore
from clientcore import Actor, Address, AddressKind, DocumentKind, IdentityDocument
from clientcore.adapters.sql import (
    VERSIONS,
    SqlBackend,
    compare_type,
    create_engine,
    current_revision,
    downgrade,
    head_revision,
    make_metadata,
    metadata,
    upgrade,
    version_table,
)
from clientcore.adapters.sql.schema import Id, Key, LongText
from clientcore.cli import main
from clientcore.testing.clock import new_tenant
from tests.servers import fresh_database
from tests.sql.conftest import ENGINES

SERVERS = ["postgresql", "mariadb"]
ROLES = set(make_metadata("").tables)
"""The tables' names without a prefix (``clients``, ``events``...)."""
DRIVERS = ["psycopg", "psycopg2"]


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on each engine."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=SERVERS)
def empty_server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def schema(empty_server_url: str) -> Iterator[str]:
    """The name of a schema (PostgreSQL) or database (MariaDB) that ``upgrade`` creates."""
    name = f"cc_schema_{uuid4().hex[:10]}"
    yield name
    engine = sqlalchemy.create_engine(empty_server_url)
    try:
        if engine.dialect.name != "postgresql":  # a PostgreSQL schema goes with its database
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    finally:
        engine.dispose()


def backend_of(url: str) -> str:
    return sqlalchemy.make_url(url).get_backend_name()


@contextlib.contextmanager
def connected(url: str) -> Iterator[sqlalchemy.Connection]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def differences(
    url: str,
    target: MetaData,
    *,
    versions: str = version_table(),
    schema: str | None = None,
) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match ``target``
    (empty: it matches), skipping the version table ``versions`` as migrate.py names it."""
    options: dict[str, Any] = {
        "version_table": versions,
        "version_table_schema": schema,
        "compare_type": compare_type,
    }
    if schema is not None:
        options["include_schemas"] = True
        options["include_name"] = lambda name, kind, _parents: kind != "schema" or name == schema
    with connected(url) as connection:
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, target))


def table_names(url: str, schema: str | None = None) -> set[str]:
    with connected(url) as connection:
        return set(sqlalchemy.inspect(connection).get_table_names(schema=schema))


def structure(url: str) -> dict[str, Any]:
    """Every table's columns, keys and indexes as the database reports them."""
    with connected(url) as connection:
        inspector = sqlalchemy.inspect(connection)
        return {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
                inspector.get_pk_constraint(name),
                sorted(map(repr, inspector.get_foreign_keys(name))),
                sorted(map(repr, inspector.get_indexes(name))),
                sorted(map(repr, inspector.get_unique_constraints(name))),
            )
            for name in sorted(inspector.get_table_names())
        }


def version_rows(url: str, table: str) -> list[str]:
    with connected(url) as connection:
        return sorted(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())


def a_client_round_trip(backend: SqlBackend) -> None:
    core = clientcore.open(backend, tenant=new_tenant(), actor=Actor("rita"))
    try:
        client = core.clients.register(last_name="Nowak")
        assert core.clients.by_code("1") == client
    finally:
        backend.close()


def test_an_empty_database_upgraded_to_head_is_the_metadata(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    assert differences(empty_url, metadata) == []
    assert table_names(empty_url) == {*metadata.tables, version_table()}
    assert {f"clientcore_{name}" for name in ROLES} == set(metadata.tables)  # the default


def test_tables_without_a_prefix_are_the_metadata_without_one(empty_url: str) -> None:
    upgrade(empty_url, prefix="")
    assert current_revision(empty_url, prefix="") == head_revision()
    assert current_revision(empty_url) is None  # the default prefix's history is another one
    assert differences(empty_url, make_metadata(""), versions=version_table("")) == []
    assert table_names(empty_url) == {*ROLES, "clientcore_version"}
    a_client_round_trip(SqlBackend.from_url(empty_url, prefix="", migrate=False))


def test_prefixed_tables_are_the_prefixed_metadata(empty_url: str) -> None:
    upgrade(empty_url, prefix="cc_")
    assert current_revision(empty_url, prefix="cc_") == head_revision()
    assert current_revision(empty_url) is None  # the default prefix's history is another one
    assert differences(empty_url, make_metadata("cc_"), versions=version_table("cc_")) == []
    assert table_names(empty_url) == {
        *(f"cc_{name}" for name in ROLES),
        "cc_clientcore_version",
    }
    a_client_round_trip(SqlBackend.from_url(empty_url, prefix="cc_", migrate=False))


def test_tables_in_a_schema_are_the_metadata_of_that_schema(
    empty_server_url: str, schema: str
) -> None:
    """A PostgreSQL schema, or a MariaDB database, created by ``upgrade`` if missing."""
    assert current_revision(empty_server_url, schema=schema) is None
    upgrade(empty_server_url, prefix="cc_", schema=schema)
    assert current_revision(empty_server_url, prefix="cc_", schema=schema) == head_revision()
    found = differences(
        empty_server_url,
        make_metadata("cc_", schema),
        versions=version_table("cc_"),
        schema=schema,
    )
    assert found == []
    assert table_names(empty_server_url) == set()  # nothing in the default schema
    assert len(table_names(empty_server_url, schema)) == len(metadata.tables) + 1
    a_client_round_trip(
        SqlBackend.from_url(empty_server_url, prefix="cc_", schema=schema, migrate=False)
    )


def test_the_comparison_reports_a_drifted_column(empty_url: str) -> None:
    """The check above can fail: a longer key column is reported on every engine, and a
    key column without its binary collation on the engines that have collations."""
    upgrade(empty_url)
    drifted = make_metadata()
    clients = drifted.tables["clientcore_clients"]
    clients.c.sort_key.type = Key(101)
    clients.c.code.type = String(32)
    changed = {(d[0][0], d[0][2], d[0][3]) for d in differences(empty_url, drifted)}
    expected = {("modify_type", "clientcore_clients", "sort_key")}
    if backend_of(empty_url) != "sqlite":  # SQLite's keys compare bytes without a collation
        expected.add(("modify_type", "clientcore_clients", "code"))
    assert changed == expected


def test_long_text_is_text_whatever_the_postgresql_driver() -> None:
    """psycopg 3 adapts every String, Text included, to its VARCHAR type: the DDL of our
    free-text columns must not depend on which driver ran the migration."""
    drivers = [sqlalchemy.make_url(f"postgresql+{name}://").get_dialect()() for name in DRIVERS]
    assert [str(LongText().compile(dialect=driver)) for driver in drivers] == ["TEXT", "TEXT"]


def test_upgrading_twice_changes_nothing(empty_url: str) -> None:
    upgrade(empty_url)
    before = structure(empty_url)
    upgrade(empty_url)
    assert structure(empty_url) == before
    assert version_rows(empty_url, version_table()) == [head_revision()]


host = MetaData()
Table("host_orders", host, Column("id", Integer, primary_key=True))


def test_downgrade_to_base_leaves_no_clientcore_table(empty_url: str) -> None:
    engine = create_engine(empty_url)
    host.create_all(engine)
    engine.dispose()
    upgrade(empty_url, prefix="cc_")
    downgrade(empty_url, prefix="cc_")
    assert table_names(empty_url) == {"host_orders"}
    assert current_revision(empty_url, prefix="cc_") is None
    upgrade(empty_url, prefix="cc_")  # and back up again
    assert current_revision(empty_url, prefix="cc_") == head_revision()


@pytest.mark.parametrize("prefix", ["", "cc_"])
def test_the_migrate_command_upgrades(
    empty_url: str, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", empty_url, "--prefix", prefix]) == 0
    assert head_revision() in capsys.readouterr().out
    assert current_revision(empty_url, prefix=prefix) == head_revision()
    assert differences(empty_url, make_metadata(prefix), versions=version_table(prefix)) == []


def test_the_migrate_command_takes_a_schema(empty_server_url: str, schema: str) -> None:
    assert main(["migrate", empty_server_url, "--schema", schema]) == 0
    assert current_revision(empty_server_url, schema=schema) == head_revision()
    assert table_names(empty_server_url) == set()


def test_the_migrate_command_reports_a_refusal_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Port 1 refuses the connection at once: exit status 1, a one-line reason, no
    traceback, and the password is masked."""
    url = "postgresql+psycopg://clinic:s3cret@127.0.0.1:1/clinic"
    assert main(["migrate", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("clientcore migrate: postgresql+psycopg://clinic:***@127.0.0.1:1/clinic")
    assert "s3cret" not in err
    assert "Traceback" not in err


# -- a host's own Alembic environment ---------------------------------------------------

ENV_PY = '''
"""The host's Alembic environment: its revisions and clientcore's, one version table."""
from alembic import context
from sqlalchemy import Column, ForeignKeyConstraint, Integer, MetaData, Table, engine_from_config

from clientcore.adapters.sql import configure_options, make_metadata
from clientcore.adapters.sql.schema import Id, Key, LongText

PREFIX = "cc_"
host = MetaData()
for table in make_metadata(PREFIX).tables.values():
    table.to_metadata(host)  # our tables beside the host's, so its foreign keys resolve
Table(
    "orders",
    host,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tenant", Key(64), nullable=False),
    Column("client_id", Id(), nullable=False),
    ForeignKeyConstraint(["tenant", "client_id"], ["cc_clients.tenant", "cc_clients.id"]),
)

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section, {}))
with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=host, **configure_options(prefix=PREFIX)
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''

HOST_REVISION = '''
"""The host's orders, which refer to clientcore's clients."""
import sqlalchemy as sa
from alembic import op

from clientcore.adapters.sql.schema import Id, Key, LongText

revision = "host_0001"
down_revision = None
branch_labels = ("host",)
depends_on = "CLIENTCORE_HEAD"


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("tenant", Key(64), nullable=False),
        sa.Column("client_id", Id(), nullable=False),
        sa.ForeignKeyConstraint(["tenant", "client_id"], ["cc_clients.tenant", "cc_clients.id"]),
    )


def downgrade():
    op.drop_table("orders")
'''


def host_alembic(folder: Path, url: str) -> Config:
    """A host project's Alembic setup whose version_locations include clientcore's."""
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    revision = HOST_REVISION.replace("CLIENTCORE_HEAD", head_revision())  # our newest
    (versions / "host_0001_orders.py").write_text(revision, encoding="utf-8")
    ini = folder / "alembic.ini"
    ini.write_text(
        textwrap.dedent(f"""\
            [alembic]
            script_location = %(here)s/migrations
            path_separator = os
            version_locations = %(here)s/migrations/versions{os.pathsep}{VERSIONS}
            """),
        encoding="utf-8",
    )
    config = Config(str(ini))
    config.set_main_option("sqlalchemy.url", url)
    return config


host_tables = MetaData()
for table in make_metadata("cc_").tables.values():
    table.to_metadata(host_tables)
orders = Table(
    "orders",
    host_tables,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tenant", Key(64), nullable=False),
    Column("client_id", Id(), nullable=False),
    ForeignKeyConstraint(["tenant", "client_id"], ["cc_clients.tenant", "cc_clients.id"]),
)
"""The host's tables as its env.py declares them: ours, and its orders."""


def test_a_hosts_alembic_environment_runs_our_revisions(empty_url: str, tmp_path: Path) -> None:
    config = host_alembic(tmp_path / "host", empty_url)
    command.upgrade(config, "clientcore@head")  # our branch only
    assert version_rows(empty_url, "alembic_version") == [head_revision()]
    assert table_names(empty_url) == {*(f"cc_{n}" for n in ROLES), "alembic_version"}

    command.upgrade(config, "heads")  # and the host's, which depends on ours
    # host_0001 depends on our head, so Alembic's version table keeps host_0001 alone
    assert version_rows(empty_url, "alembic_version") == ["host_0001"]
    assert current_revision(empty_url, prefix="cc_") is None  # our own version table is unused
    assert differences(empty_url, host_tables, versions="alembic_version") == []

    backend = SqlBackend.from_url(empty_url, prefix="cc_", migrate=False)
    try:
        core = clientcore.open(backend, tenant="vet-1", actor=Actor("rita"))
        client = core.clients.register(last_name="Nowak")
        with connected(empty_url) as connection:
            with connection.begin():
                connection.execute(
                    orders.insert().values(id=1, tenant="vet-1", client_id=client.id)
                )
            with pytest.raises(sqlalchemy.exc.IntegrityError), connection.begin():
                connection.execute(orders.insert().values(id=2, tenant="vet-1", client_id=uuid4()))
    finally:
        backend.close()


def search_index_rows(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The stems of every search key, and every pair of keys, in a fixed order."""
    keys = metadata.tables["clientcore_client_search_keys"].c
    pairs_ = metadata.tables["clientcore_client_search_pairs"].c
    with connected(url) as connection:
        stems = connection.execute(
            sqlalchemy.select(
                keys.key, keys.client_id, keys.stem1, keys.stem2, keys.stem, keys.stem4
            ).order_by(keys.key, keys.client_id)
        ).all()
        pairs = connection.execute(
            sqlalchemy.select(
                pairs_.stem,
                pairs_.other,
                pairs_.word,
                pairs_.client_id,
                pairs_.sort_key,
                pairs_.status,
                pairs_.other_stem,
            ).order_by(pairs_.stem, pairs_.other, pairs_.word, pairs_.client_id)
        ).all()
    return [tuple(row) for row in stems], [tuple(row) for row in pairs]


@pytest.mark.parametrize("before", ["clientcore_0007", "clientcore_0008"])
def test_the_search_stems_revisions_fill_them_from_the_stored_keys(
    empty_url: str, before: str
) -> None:
    """clientcore_0008 backfills the short stems and the pairs of keys of clients stored
    before it, and clientcore_0010 the 4-character stem: the same rows as the adapter
    writes for them (a digit-first key, such as a phone form or the code, has no pair;
    non-ASCII keys compare by code point; a key shorter than a stem is its own stem)."""
    upgrade(empty_url)
    core = clientcore.open(empty_url, tenant=new_tenant(), actor=Actor("rita"))
    try:
        core.clients.register(
            first_name="Łucja", last_name="Żółw-Nowak", phones=["+48 600 100 200"]
        )
        core.clients.register(first_name="Anna", last_name="Ösel", emails=["a.b@example.com"])
        inactive = core.clients.register(kind="company", company_name="Zakład 2 Ósemka")
        core.clients.deactivate(inactive.id)
    finally:
        core.close()
    written = search_index_rows(empty_url)
    assert written[1], "no pairs written"
    downgrade(empty_url, revision=before)
    upgrade(empty_url)
    assert search_index_rows(empty_url) == written


def stored_profiles(url: str) -> list[tuple[Any, ...]]:
    """Every client's id and stored profile, by id."""
    clients = metadata.tables["clientcore_clients"].c
    with connected(url) as connection:
        rows = connection.execute(
            sqlalchemy.select(clients.id, clients.profile).order_by(clients.id)
        ).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("before", ["clientcore_0008", "clientcore_0010"])
def test_the_stored_profiles_revisions_fill_them_from_the_stored_clients(
    empty_url: str, before: str
) -> None:
    """clientcore_0009 backfills the profile of each client stored before it, and
    clientcore_0011 writes it anew in the form of this version (both in more than one
    batch of 1,000): the text the adapter writes for it, diacritics, addresses, documents
    and a company included."""
    upgrade(empty_url)
    core = clientcore.open(empty_url, tenant=new_tenant(), actor=Actor("rita"))
    try:
        core.setup.configure(default_region="PL")
        core.clients.register(
            first_name="Łucja",
            last_name="Żółw-Nowak",
            phones=["600 100 200"],
            emails=["Lucja@Example.COM"],
            birthday=date(1980, 2, 1),
            addresses=[Address(AddressKind.RESIDENCE, "ul. Długa 5", "00-950", "Warszawa")],
            identity_documents=[IdentityDocument(DocumentKind.ID_CARD, "ABC 123456")],
        )
        core.clients.register(kind="company", company_name="Zakład 2 Ósemka")
        core.clients.import_many(
            [{"first_name": "Anna", "last_name": f"Nowak {n}"} for n in range(1000)]
        )
    finally:
        core.close()
    written = stored_profiles(empty_url)
    assert len(written) == 1002
    assert all(profile for _, profile in written)
    downgrade(empty_url, revision=before)
    if before == "clientcore_0010":
        with connected(empty_url) as connection:
            clients = metadata.tables["clientcore_clients"]
            connection.execute(clients.update().values(profile="[an earlier form]"))
            connection.commit()
    upgrade(empty_url)
    assert stored_profiles(empty_url) == written
