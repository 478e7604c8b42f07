"""The SQL backend and its unit of work: one tenant, one transaction.

Three bindings:

* a URL (``SqlBackend.from_url``): clientcore makes and owns the engine;
* a host's ``Engine`` (``SqlBackend.on_host(engine)``): each unit of work takes a
  connection from the host's pool and runs one transaction on it;
* a host's ``Connection`` (``SqlBackend.on_host(connection)``): each unit of work is a
  SAVEPOINT inside the host's transaction. Our commit releases the savepoint; the host's
  own commit or rollback decides whether our writes and the host's stay, together.

On a host's SQLite engine that :func:`~.engine.configure_sqlite` was not applied to, each
unit of work checks that foreign keys are enforced and makes sure it runs inside a real
SQLite transaction (see :func:`_prepare_sqlite`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, NestedTransaction, RootTransaction, make_url

from clientcore.adapters.sql.bulk import SqlBulkClients
from clientcore.adapters.sql.clients import SqlClientRepository
from clientcore.adapters.sql.db import Db
from clientcore.adapters.sql.engine import (
    READ_ONLY,
    backend_engine,
    begins_transactions,
    in_sqlite_transaction,
    is_configured,
    is_memory_sqlite,
)
from clientcore.adapters.sql.errors import translated
from clientcore.adapters.sql.outbox import SqlOutbox
from clientcore.adapters.sql.purge import purge
from clientcore.adapters.sql.records import SqlRecords
from clientcore.adapters.sql.reports import SqlReportQueries
from clientcore.adapters.sql.rows import shared_rows
from clientcore.adapters.sql.sales import SqlSalesLedger
from clientcore.adapters.sql.schema import DEFAULT_PREFIX, Tables, shared_tables
from clientcore.adapters.sql.tenant import SqlCounters, SqlEventLog, SqlSettingsRepository
from clientcore.adapters.sql.visits import SqlVisitRepository
from clientcore.entities.kinds import MESSAGES, OWN_KINDS, VISITS, RecordKind, Registry
from clientcore.errors import ClientCoreError, UnknownKind, UnsupportedTarget
from clientcore.ports.unit_of_work import Capabilities

T = TypeVar("T")


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse a SQLite connection that does not enforce foreign keys (SQLite's default, and
    ``PRAGMA foreign_keys`` cannot be changed inside a transaction): a host's engine that
    clientcore did not configure."""
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != 1:
        raise UnsupportedTarget(
            "this SQLite engine does not enforce foreign keys, which clientcore relies on: "
            "apply clientcore.adapters.sql.configure_sqlite(engine) to it before it opens "
            "connections (on an AsyncEngine: configure_sqlite(engine.sync_engine)), or run "
            "PRAGMA foreign_keys = ON on each new connection"
        )


class SqlBackend:
    """clientcore on a SQL database (SQLite, PostgreSQL, MariaDB/MySQL).

    ``prefix`` is put before every table name (``clientcore_`` unless told; ``""``: none)
    and ``schema`` holds the tables (None: the
    connection's default); both must match what :func:`~.migrate.upgrade` was given.
    ``kinds`` are the host's record kinds, each stored in a table of its own (see
    :func:`~.schema.kind_table`), which the host's migrations create.
    """

    def __init__(
        self,
        bind: Engine | Connection,
        *,
        prefix: str = DEFAULT_PREFIX,
        schema: str | None = None,
        kinds: Sequence[RecordKind[Any]] = (),
        owns_engine: bool = False,
    ) -> None:
        if not isinstance(bind, Engine | Connection):
            raise UnsupportedTarget(
                f"a SqlBackend needs a SQLAlchemy Engine or Connection, not {type(bind).__name__}"
            )
        self.bind = bind
        self.kinds: Registry = OWN_KINDS.with_host_kinds(kinds)
        self.tables: Tables = shared_tables(prefix, schema, tuple(kinds))
        self.rows = shared_rows()
        self._owns_engine = owns_engine
        engine = bind if isinstance(bind, Engine) else bind.engine
        sqlite = engine.dialect.name == "sqlite"
        self._checks_foreign_keys = sqlite and not is_configured(engine)
        self._begins_sqlite = sqlite and not begins_transactions(engine)
        """Each unit begins its SQLite transaction itself (the engine does not)."""
        self.capabilities = Capabilities(
            transactions=True, joins_host_transaction=isinstance(bind, Connection)
        )
        single = isinstance(bind, Connection) or is_memory_sqlite(bind.url)
        self._read_engine: Engine | None = None
        """The engine of units that only read (see :meth:`_readers`)."""
        self._serial = threading.RLock() if single else None
        """One shared connection (a host's Connection, in-memory SQLite): one unit at a time."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        schema: str | None = None,
        kinds: Sequence[RecordKind[Any]] = (),
        migrate: bool | None = None,
        **engine_options: Any,
    ) -> SqlBackend:
        """A backend on its own engine for ``url``.

        ``migrate`` upgrades the schema to the newest revision first; by default it does so
        on SQLite (a fresh file is ready to use) and not on server databases, which are
        upgraded once, on deployment, with :func:`~.migrate.upgrade` or
        ``clientcore migrate URL``. Migrating creates the tables of the host's ``kinds``
        too where they are missing.
        """
        engine = backend_engine(url, **engine_options)
        if migrate is None:
            migrate = make_url(url).get_backend_name() == "sqlite"
        backend = cls(engine, prefix=prefix, schema=schema, kinds=kinds, owns_engine=True)
        if migrate:
            from clientcore.adapters.sql.migrate import upgrade

            try:
                upgrade(engine, prefix=prefix, schema=schema)
                backend.create_host_tables()
            except BaseException:
                engine.dispose()
                raise
        return backend

    @classmethod
    def on_host(
        cls,
        bind: object,
        *,
        prefix: str = DEFAULT_PREFIX,
        schema: str | None = None,
        kinds: Sequence[RecordKind[Any]] = (),
    ) -> SqlBackend:
        """A backend on a host's ``Engine`` or ``Connection``, which it never closes."""
        if not isinstance(bind, Engine | Connection):
            raise UnsupportedTarget(
                f"cannot open a {type(bind).__name__}: pass a SQLAlchemy Engine or Connection"
            )
        return cls(bind, prefix=prefix, schema=schema, kinds=kinds)

    def create_host_tables(self) -> None:
        """Create the tables of the host's record kinds that do not exist yet (what a
        host's own migration does on a server database; SQLite files get them on open)."""
        tables = [table for _name, table in self.tables.host]
        if tables:
            with translated(), self.connection() as (connection, transaction):
                self.tables.metadata.create_all(connection, tables=tables)
                transaction.commit()

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, tenant, read_only=read_only)

    def purge(self, *, thorough: bool = False) -> None:
        """Clean what the database keeps physically of erased values (see
        :mod:`.purge`). On a host's Connection nothing is done: the host runs it."""
        if isinstance(self.bind, Engine):
            with self.bind.connect() as connection:
                self.purge_on(connection, thorough=thorough)

    def purge_on(self, connection: Connection, *, thorough: bool) -> None:
        """:meth:`purge` on ``connection``, which is in no transaction."""
        purge(connection, list(self.tables.metadata.sorted_tables), thorough=thorough)

    @contextlib.contextmanager
    def connection(
        self, *, read_only: bool = False
    ) -> Iterator[tuple[Connection, RootTransaction | NestedTransaction]]:
        """A connection and a transaction (a savepoint on a host's Connection) for one unit;
        on SQLite, a deferred one if it only reads (``read_only``)."""
        serial = contextlib.nullcontext() if self._serial is None else self._serial
        with serial, translated():
            if isinstance(self.bind, Connection):
                self._prepare_sqlite(self.bind, read_only=False)  # the host's: it may write
                yield self.bind, self.bind.begin_nested()
                return
            engine = self._readers(self.bind) if read_only else self.bind
            with engine.connect() as connection:
                transaction = connection.begin()
                self._prepare_sqlite(connection, read_only=read_only)
                yield connection, transaction

    def _prepare_sqlite(self, connection: Connection, *, read_only: bool) -> None:
        if self._checks_foreign_keys:
            _check_foreign_keys(connection)
        if self._begins_sqlite:
            in_sqlite_transaction(connection, read_only=read_only)

    def _readers(self, engine: Engine) -> Engine:
        """``engine`` with the execution options of a unit that only reads (made once: the
        options are the engine's, not each connection's).

        On PostgreSQL at READ COMMITTED (its default) every statement of a transaction
        reads its own snapshot, so a unit that only reads gains nothing from a transaction
        but pays two round trips for it (``BEGIN``, ``ROLLBACK``): its statements run in
        autocommit instead, which psycopg switches on the client alone. At a stricter
        level (a host's engine or server setting, read from a first connection) the unit
        keeps its transaction and so one snapshot for all its reads. Elsewhere the option
        only marks the connection (SQLite then begins a deferred transaction).
        """
        if self._read_engine is None:
            options: dict[str, Any] = {READ_ONLY: True}
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    level = (
                        connection.get_execution_options().get("isolation_level")
                        or connection.default_isolation_level
                    )
                if level == "READ COMMITTED":
                    options["isolation_level"] = "AUTOCOMMIT"
            self._read_engine = engine.execution_options(**options)
        return self._read_engine

    def close(self) -> None:
        """Dispose of the engine made by ``from_url``; a host's engine or connection stays."""
        if self._owns_engine and isinstance(self.bind, Engine):
            self.bind.dispose()


class SqlUnitOfWork:
    connection: Connection
    """The unit's connection while it is open (host code's reads and writes on it share the
    unit's transaction or savepoint)."""

    def __init__(self, backend: SqlBackend, tenant: str, *, read_only: bool = False) -> None:
        self.tenant = tenant
        self.kinds = backend.kinds
        self._backend = backend
        self._read_only = read_only
        self._scope: contextlib.ExitStack | None = None
        self._transaction: RootTransaction | NestedTransaction | None = None

    def records(self, kind: RecordKind[T]) -> SqlRecords[T]:
        if kind not in self.kinds:
            raise UnknownKind(kind.name)
        made: SqlRecords[T] | None = self._records.get(kind.name)
        if made is None:
            backend = self._backend
            made = SqlRecords(kind, self._db, backend.tables.of(kind), backend.rows)
            self._records[kind.name] = made
        return made

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("the unit of work is not open (use it in a with block)")
        with translated():
            self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            with translated():
                self._transaction.rollback()

    def __enter__(self) -> SqlUnitOfWork:
        scope = contextlib.ExitStack()
        self.connection, self._transaction = scope.enter_context(
            self._backend.connection(read_only=self._read_only)
        )
        self._scope = scope
        backend = self._backend
        self._db = db = Db(self.connection, backend.tables, self.tenant)
        self.clients = SqlClientRepository(db)
        self.settings = SqlSettingsRepository(db)
        self.counters = SqlCounters(db)
        self.events = SqlEventLog(db)
        self.bulk = SqlBulkClients(db)
        self.reports = SqlReportQueries(db)
        self.visits = SqlVisitRepository(VISITS, db, backend.tables.visits, backend.rows)
        self.outbox = SqlOutbox(MESSAGES, db, backend.tables.messages, backend.rows)
        self._records: dict[str, Any] = {VISITS.name: self.visits, MESSAGES.name: self.outbox}
        self.sales = SqlSalesLedger(db)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        scope, self._scope = self._scope, None
        try:
            if isinstance(self._transaction, NestedTransaction):
                self.rollback()  # a savepoint: the host's connection stays open
            # Closing our own connection rolls back its open transaction: once, where a
            # rollback first would make the pool roll back again when the connection
            # returns (a round trip on MariaDB).
            if scope is not None:
                with translated():
                    scope.close()
        except ClientCoreError:
            if exc is None:
                raise  # otherwise the error that ended the unit is the one to report
        finally:
            self._transaction = None
