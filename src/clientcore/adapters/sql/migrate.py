"""Schema migrations: Alembic revisions shipped in ``migrations/``, applied by one call.

>>> from clientcore.adapters.sql import upgrade
>>> upgrade("sqlite:///clinic.db")                                   # doctest: +SKIP
>>> upgrade(engine, prefix="cc_", schema="clients")                  # doctest: +SKIP

Tables are named ``clientcore_clients``... unless another ``prefix`` is given (``""``:
none). Our revision history is recorded in its own version table,
``{prefix}clientcore_version``, so it never mixes with a host's own ``alembic_version``.

A host with its own Alembic environment may run our revisions there instead: it adds
:data:`VERSIONS` to its ``version_locations``, passes :func:`host_options` to
``context.configure`` (where our tables are, and the hooks that keep its autogenerate and
its revisions off ours) and upgrades ``clientcore@head`` (:data:`BRANCH`); the history of
our branch is then kept in the host's version table. docs/sql.md shows a working setup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations.ops import MigrationScript
from alembic.runtime.environment import EnvironmentContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError, coerce_resource_to_filename
from sqlalchemy import Column, Connection, Engine, MetaData, Table, TypeDecorator, text
from sqlalchemy.types import TypeEngine

from clientcore.adapters.sql.engine import (
    begins_transactions,
    create_engine,
    in_sqlite_transaction,
)
from clientcore.adapters.sql.errors import translated
from clientcore.adapters.sql.schema import (
    DEFAULT_PREFIX,
    Id,
    Key,
    LongText,
    Moment,
    binary_collation,
    make_metadata,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
"""The folder of our revision files, for a host's Alembic ``version_locations``."""
BRANCH = "clientcore"
"""The branch label of our revisions (``alembic upgrade clientcore@head`` in a host setup).
Our revision ids start with ``clientcore_`` so that they never collide with a host's."""


def version_table(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}clientcore_version"


def alembic_config(prefix: str = DEFAULT_PREFIX, schema: str | None = None) -> Config:
    """An Alembic ``Config`` for our revisions with the given table prefix and schema."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["clientcore_prefix"] = prefix
    config.attributes["clientcore_schema"] = schema
    return config


def configure_options(prefix: str = DEFAULT_PREFIX, schema: str | None = None) -> dict[str, Any]:
    """The ``context.configure`` keywords our revisions read in a host's Alembic environment:
    the table-name prefix and the schema of clientcore's tables (see docs/sql.md).

    The host keeps its own ``target_metadata`` (add ``make_metadata(prefix, schema)`` to it
    so that autogenerate knows our tables) and its own version table.
    """
    return {"clientcore_prefix": prefix, "clientcore_schema": schema}


def compare_type(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_type: TypeEngine[Any],
    metadata_type: TypeEngine[Any],
) -> bool | None:
    """Alembic's ``compare_type`` hook: a column whose collation differs from the model's
    differs (Alembic's own comparison ignores collations, and our code, tenant and key
    columns depend on them); everything else is left to Alembic's comparison (None)."""
    expected: TypeEngine[Any] = metadata_type
    if isinstance(expected, TypeDecorator):
        expected = expected.load_dialect_impl(context.dialect)
    if getattr(expected, "collation", None) != getattr(inspected_type, "collation", None):
        return True
    return None


OUR_TYPES: tuple[type[TypeDecorator[Any]], ...] = (Id, Key, LongText, Moment)
"""The column types of our tables (and of a host's kinds' tables), all importable from
``clientcore.adapters.sql``."""


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Alembic's ``render_item`` hook for a host's environment: a column of one of our types
    (``Id``, ``Key``, ``LongText``, ``Moment``, in a host's table that refers to ours or in a
    host kind's table) is written as ``Key(length=64)`` and the revision imports it from
    ``clientcore.adapters.sql``. Without it, Alembic names the type by its module
    (``clientcore.adapters.sql.schema.Key``) without importing that module, and the revision
    fails with a ``NameError`` when it runs. Anything else is left to Alembic (False)."""
    if type_ == "type" and isinstance(obj, OUR_TYPES):
        autogen_context.imports.add(f"from clientcore.adapters.sql import {type(obj).__name__}")
        return repr(obj)
    return False


IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]
"""Alembic's ``include_object`` hook: (object, name, type, reflected, compare_to) -> bool."""


def skip_our_tables(prefix: str = DEFAULT_PREFIX, schema: str | None = None) -> IncludeObject:
    """Alembic's ``include_object`` hook for a host's environment: autogenerate leaves the
    tables our revisions make (with this ``prefix``, in this ``schema``) and our version
    table alone, with their columns, indexes and constraints, whether the host's
    ``target_metadata`` has them or not. Our revisions alone create, change and drop them.
    The tables of the host's own record kinds are the host's to migrate and stay in."""
    ours = {table.name for table in make_metadata(prefix, schema).tables.values()}
    ours.add(version_table(prefix))

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        if not isinstance(table, Table):
            return True
        return not (table.name in ours and (table.schema or None) == schema)

    return include_object


def place_host_revision(
    context: MigrationContext, revision: Any, directives: list[MigrationScript]
) -> None:
    """Alembic's ``process_revision_directives`` hook for a host's environment: a new
    revision of the host never goes into our package's versions folder (:data:`VERSIONS`)
    nor onto our branch.

    ``alembic revision`` puts a revision in the folder of the head it revises. In a host's
    environment that has no revision of its own yet, that head is ours, so a plain
    ``alembic revision --autogenerate`` would write into the installed clientcore package.
    This hook makes such a revision the first of the host's own branch instead: it revises
    nothing (``--head base``), depends on our head (``--depends-on``, so that it runs after
    our tables exist) and goes into the host's versions folder (the one of its
    ``version_locations`` that is not ours). A later plain ``alembic revision`` revises the
    host's head, never ours. A revision asked for explicitly onto our branch, or into our
    folder, is refused with ``alembic.util.CommandError``.
    """
    script = context.script
    if script is None:
        return
    ours = VERSIONS.resolve()
    locations = [coerce_resource_to_filename(str(at)) for at in script.version_locations or ()]
    theirs = [location.resolve() for location in locations if location.resolve() != ours]
    for directive in directives:
        if not isinstance(directive, MigrationScript):
            continue
        if directive.version_path is not None and Path(directive.version_path).resolve() == ours:
            raise CommandError(f"a host's revision may not go into clientcore's {VERSIONS}")
        if directive.head not in (None, "head"):
            try:
                heads = script.get_revisions(directive.head)
            except RevisionError:
                continue  # Alembic says what is wrong with the head asked for
            if any(head is not None and _is_ours(head) for head in heads):
                raise CommandError(
                    f"{directive.head!r} is clientcore's branch; a host's revisions revise "
                    "its own (--head base for the first, then --head <label>@head)"
                )
        else:
            current = [script.get_revision(head) for head in script.get_heads()]
            own = [head for head in current if not _is_ours(head)]
            if len(own) == 1:
                directive.head = own[0].revision
            elif not own:  # the host's first revision: a branch of its own, after ours
                directive.head = "base"
                if directive.depends_on is None:
                    directive.depends_on = [head.revision for head in current] or None
            # several heads of the host's own: Alembic asks which one to revise
        if directive.version_path is None and directive.head == "base":
            # a revision after a head goes into the head's folder: the host's, as checked
            if len(theirs) != 1:
                raise CommandError(
                    "the host's Alembic environment has no single versions folder of its "
                    "own besides clientcore's: pass --version-path"
                )
            directive.version_path = str(theirs[0])


def _is_ours(script: Script) -> bool:
    return Path(script.path).resolve().parent == VERSIONS.resolve()


def host_options(prefix: str = DEFAULT_PREFIX, schema: str | None = None) -> dict[str, Any]:
    """Every ``context.configure`` keyword of a host's Alembic environment that runs our
    revisions beside its own (docs/sql.md): :func:`configure_options` (where our tables
    are), :func:`compare_type`, and the hooks that keep autogenerate off our tables
    (:func:`skip_our_tables`), import our column types in the host's revisions
    (:func:`render_item`) and keep the host's revisions out of our package and our branch
    (:func:`place_host_revision`). A host with hooks of its own calls ours from them."""
    return {
        **configure_options(prefix, schema),
        "compare_type": compare_type,
        "include_object": skip_our_tables(prefix, schema),
        "render_item": render_item,
        "process_revision_directives": place_host_revision,
    }


def _own_options(prefix: str, schema: str | None) -> dict[str, Any]:
    """The ``context.configure`` keywords of our own environment (``upgrade``, ``alembic``)."""
    return {
        "target_metadata": make_metadata(prefix, schema),
        "version_table": version_table(prefix),
        "version_table_schema": schema,
        "compare_type": compare_type,
        **configure_options(prefix, schema),
    }


def run_environment(context: EnvironmentContext) -> None:
    """The body of ``migrations/env.py``: run our revisions on the given connection."""
    config = context.config
    x_args = context.get_x_argument(as_dictionary=True)
    prefix = config.attributes.get("clientcore_prefix", x_args.get("prefix", DEFAULT_PREFIX))
    schema = config.attributes.get("clientcore_schema", x_args.get("schema"))
    options = _own_options(prefix, schema)
    connection = config.attributes.get("connection")
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    with contextlib.ExitStack() as stack:
        if connection is None:
            engine = create_engine(str(config.get_main_option("sqlalchemy.url")))
            stack.callback(engine.dispose)
            connection = stack.enter_context(engine.connect())
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


@contextlib.contextmanager
def _connection(target: str | Engine | Connection) -> Iterator[Connection]:
    """A connection in a transaction that commits at the end (a host's Connection: its own
    transaction, which the host commits)."""
    if isinstance(target, Connection):
        yield target
        return
    engine = create_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite" and not begins_transactions(engine):
                in_sqlite_transaction(connection, read_only=False)  # DDL inside it too
            yield connection
    finally:
        if isinstance(target, str):
            engine.dispose()


def _create_schema(connection: Connection, schema: str) -> None:
    dialect = connection.dialect
    quoted = dialect.identifier_preparer.quote_schema(schema)
    if dialect.name == "postgresql":
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    elif dialect.name in ("mysql", "mariadb"):
        collation = binary_collation(dialect)
        connection.execute(
            text(
                f"CREATE DATABASE IF NOT EXISTS {quoted} CHARACTER SET utf8mb4 COLLATE {collation}"
            )
        )


def upgrade(
    target: str | Engine | Connection,
    *,
    prefix: str = DEFAULT_PREFIX,
    schema: str | None = None,
    revision: str = "head",
) -> None:
    """Upgrade the database at ``target`` (a URL, an Engine or a Connection) to ``revision``.

    Creates ``schema`` first if it does not exist (PostgreSQL schema, MariaDB database).
    On a host's Connection the work joins the host's transaction, which the host commits.
    Raises :class:`~clientcore.errors.StorageError` if the database refuses.
    """
    with translated(), _connection(target) as connection:
        if schema is not None:
            _create_schema(connection, schema)
        config = alembic_config(prefix, schema)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(
    target: str | Engine | Connection,
    *,
    prefix: str = DEFAULT_PREFIX,
    schema: str | None = None,
    revision: str = "base",
) -> None:
    """Downgrade the database at ``target`` to ``revision``; ``"base"`` drops every table of
    clientcore, its version table included (a schema it created stays). Raises
    :class:`~clientcore.errors.StorageError` if the database refuses.
    """
    with translated(), _connection(target) as connection:
        config = alembic_config(prefix, schema)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        if revision == "base":
            Table(version_table(prefix), MetaData(), schema=schema).drop(
                connection, checkfirst=True
            )


def current_revision(
    target: str | Engine | Connection, *, prefix: str = DEFAULT_PREFIX, schema: str | None = None
) -> str | None:
    """The revision the database is at (None: never upgraded)."""
    with translated(), _connection(target) as connection:
        context = MigrationContext.configure(
            connection,
            opts={"version_table": version_table(prefix), "version_table_schema": schema},
        )
        return context.get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this version of clientcore."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
