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
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Connection, Engine, NestedTransaction, RootTransaction, make_url

from clientcore.adapters.sql import convert
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
from clientcore.adapters.sql.linked import SqlLinkedRecords
from clientcore.adapters.sql.records import (
    SqlAttributeDefinitionRepository,
    SqlCounters,
    SqlGroupRepository,
    SqlSettingsRepository,
    SqlStaffRepository,
)
from clientcore.adapters.sql.schema import Tables, make_tables
from clientcore.adapters.sql.visits import SqlVisitRepository, SqlWorkingHoursRepository
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.event import Event
from clientcore.entities.note import Note
from clientcore.entities.subject import Subject
from clientcore.errors import ClientCoreError, UnsupportedTarget
from clientcore.ports.linked import ClientLinkedRecords
from clientcore.ports.unit_of_work import Capabilities

BY_CREATION = ("created_at", "id")
AS_WRITTEN = ("seq",)


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse a SQLite connection that does not enforce foreign keys (SQLite's default, and
    ``PRAGMA foreign_keys`` cannot be changed inside a transaction): a host's engine that
    clientcore did not configure."""
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar() != 1:
        raise UnsupportedTarget(
            "this SQLite engine does not enforce foreign keys, which clientcore relies on: "
            "apply clientcore.adapters.sql.configure_sqlite(engine) to it before it opens "
            "connections (or run PRAGMA foreign_keys = ON on each new connection)"
        )


class SqlSubjectRepository(SqlLinkedRecords[Subject]):
    def add(self, subject: Subject) -> None:
        self._insert([subject])

    def get(self, subject_id: UUID) -> Subject:
        return self._get(subject_id)

    def update(self, subject: Subject) -> None:
        self._replace_existing(subject)


class SqlNoteRepository(SqlLinkedRecords[Note]):
    def add(self, note: Note) -> None:
        self._insert([note])

    def for_project(self, project: str) -> list[Note]:
        return self._select(self._table.c.project == project)


class SqlConsentRepository(SqlLinkedRecords[ConsentRecord]):
    def append(self, record: ConsentRecord) -> None:
        self._insert([record])


class SqlEventLog(SqlLinkedRecords[Event]):
    def append(self, events: Sequence[Event]) -> None:
        self._insert(events)


class SqlBackend:
    """clientcore on a SQL database (SQLite, PostgreSQL, MariaDB/MySQL).

    ``prefix`` is put before every table name and ``schema`` holds the tables (None: the
    connection's default); both must match what :func:`~.migrate.upgrade` was given.
    """

    def __init__(
        self,
        bind: Engine | Connection,
        *,
        prefix: str = "",
        schema: str | None = None,
        owns_engine: bool = False,
    ) -> None:
        if not isinstance(bind, Engine | Connection):
            raise UnsupportedTarget(
                f"a SqlBackend needs a SQLAlchemy Engine or Connection, not {type(bind).__name__}"
            )
        self.bind = bind
        self.tables: Tables = make_tables(prefix, schema)
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
        prefix: str = "",
        schema: str | None = None,
        migrate: bool | None = None,
        **engine_options: Any,
    ) -> SqlBackend:
        """A backend on its own engine for ``url``.

        ``migrate`` upgrades the schema to the newest revision first; by default it does so
        on SQLite (a fresh file is ready to use) and not on server databases, which are
        upgraded once, on deployment, with :func:`~.migrate.upgrade` or
        ``clientcore migrate URL``.
        """
        engine = backend_engine(url, **engine_options)
        if migrate is None:
            migrate = make_url(url).get_backend_name() == "sqlite"
        backend = cls(engine, prefix=prefix, schema=schema, owns_engine=True)
        if migrate:
            from clientcore.adapters.sql.migrate import upgrade

            try:
                upgrade(engine, prefix=prefix, schema=schema)
            except BaseException:
                engine.dispose()
                raise
        return backend

    @classmethod
    def on_host(cls, bind: object, *, prefix: str = "", schema: str | None = None) -> SqlBackend:
        """A backend on a host's ``Engine`` or ``Connection``, which it never closes."""
        if not isinstance(bind, Engine | Connection):
            raise UnsupportedTarget(
                f"cannot open a {type(bind).__name__}: pass a SQLAlchemy Engine or Connection"
            )
        return cls(bind, prefix=prefix, schema=schema)

    def unit_of_work(self, tenant: str, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, tenant, read_only=read_only)

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


R = TypeVar("R")


class _Repository(Generic[R]):
    """A repository of a unit of work, made from the unit's ``Db`` when first used in an
    entry of the unit (a unit uses few of them)."""

    def __init__(self, make: Callable[[Db], R]) -> None:
        self._make = make

    def __get__(self, unit: SqlUnitOfWork, owner: type[SqlUnitOfWork] | None = None) -> R:
        made: R | None = unit._repositories.get(self)
        if made is None:
            made = unit._repositories[self] = self._make(unit._db)
        return made


class SqlUnitOfWork:
    connection: Connection
    """The unit's connection while it is open (a participant's reads and writes on it share
    the unit's transaction or savepoint)."""

    clients = _Repository(SqlClientRepository)
    staff = _Repository(SqlStaffRepository)
    groups = _Repository(SqlGroupRepository)
    attributes = _Repository(SqlAttributeDefinitionRepository)
    settings = _Repository(SqlSettingsRepository)
    counters = _Repository(SqlCounters)
    working_hours = _Repository(SqlWorkingHoursRepository)
    subjects = _Repository(
        lambda db: SqlSubjectRepository(
            db,
            db.tables.subjects,
            kind="subjects",
            blocks_deletion=True,
            order_by=BY_CREATION,
            to_row=convert.subject_row,
            from_row=convert.subject_from_row,
        )
    )
    notes = _Repository(
        lambda db: SqlNoteRepository(
            db,
            db.tables.notes,
            kind="notes",
            blocks_deletion=True,
            order_by=BY_CREATION,
            to_row=convert.note_row,
            from_row=convert.note_from_row,
        )
    )
    consents = _Repository(
        lambda db: SqlConsentRepository(
            db,
            db.tables.consents,
            kind="consents",
            blocks_deletion=True,
            order_by=AS_WRITTEN,
            to_row=convert.consent_row,
            from_row=convert.consent_from_row,
        )
    )
    events = _Repository(
        lambda db: SqlEventLog(
            db,
            db.tables.events,
            kind="events",
            blocks_deletion=False,
            order_by=AS_WRITTEN,
            to_row=convert.event_row,
            from_row=convert.event_from_row,
        )
    )
    visits = _Repository(
        lambda db: SqlVisitRepository(
            db,
            db.tables.visits,
            kind="visits",
            blocks_deletion=True,
            order_by=("starts_at", "id"),
            to_row=convert.visit_row,
            from_row=convert.visit_from_row,
        )
    )

    def __init__(self, backend: SqlBackend, tenant: str, *, read_only: bool = False) -> None:
        self.tenant = tenant
        self._backend = backend
        self._read_only = read_only
        self._scope: contextlib.ExitStack | None = None
        self._transaction: RootTransaction | NestedTransaction | None = None

    def linked_records(self) -> Sequence[ClientLinkedRecords]:
        return (self.subjects, self.notes, self.consents, self.visits, self.events)

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
        self._db = Db(self.connection, self._backend.tables, self.tenant)
        self._repositories: dict[_Repository[Any], Any] = {}
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
