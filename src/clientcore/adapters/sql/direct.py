"""Statements run on the driver's cursor, when nobody watches SQLAlchemy run them.

SQLAlchemy's execution of a statement (its cache look-up, parameter processing, execution
context, result object and event dispatch) costs 10-30 µs, several times what SQLite
takes for a short statement by key. A statement that the adapter builds once is compiled
here once per dialect into what the driver needs: its text, its parameters in order with
their bind processors, and the values of its literal parameters. Bound to values, it runs
on the unit of work's own driver connection, inside the transaction SQLAlchemy began, and
gives the rows the driver gives.

That is the same as SQLAlchemy running it only while nothing else happens around the
statement: :func:`unobserved` is true when no event listeners are on the connection or its
engine (a host's tracing or logging hooks), the engine does not echo, and no
``schema_translate_map`` changes the text. Otherwise, and for statements whose text or
values SQLAlchemy makes per execution (:func:`plan` is None), SQLAlchemy runs them.
Driver errors are wrapped as SQLAlchemy wraps them (:func:`.errors.from_driver`), so
:func:`.errors.translated` turns them into ours in the one place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from sqlalchemy import ClauseElement, Connection, Dialect
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.exc import StatementError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import ValuesBase
from sqlalchemy.sql.selectable import ReturnsRows

from clientcore.adapters.sql.errors import from_driver

Processor = Callable[[Any], Any]
_PARAMSTYLES = ("qmark", "format", "pyformat")


def unobserved(connection: Connection) -> bool:
    """Whether statements of ``connection`` may run on its driver's cursor: nothing listens
    to its execution or logs it, and nothing rewrites its statements. (SQLAlchemy's own
    flags, read defensively: a version without them gets SQLAlchemy's execution.)"""
    return not (
        getattr(connection, "_has_events", True)
        or getattr(connection.engine, "_has_events", True)
        or getattr(connection, "_echo", True)
        or "schema_translate_map" in connection.get_execution_options()
    )


@attrs.frozen
class Plan:
    """A statement compiled for one dialect, ready to bind and run on the driver."""

    sql: str
    names: tuple[str, ...]
    """The parameters, in the order of the placeholders (positional paramstyles)."""
    binds: tuple[Processor | None, ...]
    """Each parameter's bind processor, as SQLAlchemy would apply it."""
    literals: Mapping[str, Any]
    """The values of parameters that the statement carries (``status != 'cancelled'``)."""
    positional: bool

    def values(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``given`` values (a literal may be given too); a
        value its bind processor refuses raises a ``StatementError``, as SQLAlchemy's own
        execution does."""
        literals = self.literals
        try:
            processed = [
                value if bind is None else bind(value)
                for bind, value in zip(
                    self.binds,
                    [given[name] if name in given else literals[name] for name in self.names],
                    strict=True,
                )
            ]
        except Exception as error:
            raise StatementError(str(error), self.sql, None, error) from error
        return processed if self.positional else dict(zip(self.names, processed, strict=True))


def plan(statement: ClauseElement, dialect: Dialect, parameters: Mapping[str, Any]) -> Plan | None:
    """:func:`compiled` for ``parameters``: an INSERT or UPDATE takes the columns it writes
    from the names of its values, as SQLAlchemy compiles it (other statements do not)."""
    keys = tuple(sorted(parameters)) if isinstance(statement, ValuesBase) else ()
    return compiled(statement, dialect, keys)


@functools.lru_cache(maxsize=512)
def compiled(
    statement: ClauseElement, dialect: Dialect, column_keys: tuple[str, ...]
) -> Plan | None:
    """``statement`` (one the adapter builds once) compiled for ``dialect``; None when
    SQLAlchemy must run it: a paramstyle other than ``qmark``, ``format`` or ``pyformat``,
    parameters rendered per execution (expanding IN lists, ``literal_execute``), escaped
    parameter names, types bound through ``setinputsizes``, or result columns whose types
    convert the driver's values (the direct path returns the driver's rows as they are)."""
    if dialect.paramstyle not in _PARAMSTYLES or dialect.bind_typing is BindTyping.SETINPUTSIZES:
        return None
    done = statement.compile(dialect=dialect, column_keys=list(column_keys) or None)
    if not isinstance(done, SQLCompiler) or (
        done.literal_execute_params or done.post_compile_params or done.escaped_bind_names
    ):
        return None
    if isinstance(statement, ReturnsRows) and any(
        column.type.dialect_impl(dialect).result_processor(dialect, None) is not None
        for column in statement.exported_columns
    ):
        return None
    positional = done.positiontup is not None
    names = tuple(done.positiontup or done.binds)
    binds = tuple(done.binds[name] for name in names)
    return Plan(
        sql=done.string,
        names=names,
        binds=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
        literals={
            name: bind.effective_value
            for name, bind in zip(names, binds, strict=True)
            if not bind.required
        },
        positional=positional,
    )


def run(connection: Connection, sql: str, values: Any, *, many: bool = False) -> Any:
    """A cursor of ``connection``'s driver connection on which ``sql`` ran with ``values``
    (each of a sequence of them, with ``many``); the caller reads and closes it. A driver
    error is raised wrapped, for :func:`.errors.translated`."""
    cursor = connection.connection.cursor()
    try:
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
    except connection.dialect.loaded_dbapi.Error as error:
        cursor.close()
        raise from_driver(connection, sql, values, error) from error
    return cursor
