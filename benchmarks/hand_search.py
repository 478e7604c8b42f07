"""The statements of ``SqlClientRepository.plan`` written by hand as SQL text, run two ways.

:class:`CoreSearch` is the baseline the search target is judged on, as the mission's raw
baselines are "raw SQLAlchemy Core": a plain ``sqlalchemy.create_engine(url)`` (none of
clientcore's settings) and, per search, ``with engine.connect() as c:`` and
``c.execute(text(sql), values).all()`` per statement, as a host developer would write it.
It reads as ours reads: on PostgreSQL at READ COMMITTED in autocommit (as
``SqlBackend``'s read-only units do, through the same engine execution option), not in a
transaction per search.
:class:`DriverSearch` runs the same text through the DB-API driver alone (sqlite3, psycopg,
PyMySQL) on one autocommit connection and returns its tuples: the floor, informational.

Both run what ours runs for a page: the bounded count of the term's key range, then the
query the count chooses (the key range sorted, the stem read in order: the 4-character
stem for a term of 4 characters or more, else the 3-character one; or a window of the
sort order and, if it does not fill the page, the key range), with the same values.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy
from sqlalchemy import TextClause, text

from benchmarks import sqlkit
from clientcore.adapters.sql.schema import STEM_LENGTH, STEMS
from clientcore.entities.search import prefix_upper_bound

Run = Callable[[str, Mapping[str, Any]], Sequence[Any]]
"""Rows of the named statement (``count``, ``drive``, ``stem``, ``stem4``, ``window``) with
values."""

LONG_STEM = max(STEMS)
"""The length of the longest stem, which a term at least as long is read from."""


def search_sql(dialect: str, limit: int, mark: Callable[[str], str]) -> dict[str, str]:
    """The SQL text of each statement a search may run, its parameters written by ``mark``
    (``:name`` or ``%(name)s``): ``tenant``, ``low`` and ``high`` (the term's key range),
    ``bound`` (the count's), ``limit`` (the page's, plus one), ``stem`` and ``stem4``."""
    window = 5 * limit
    keys, clients = sqlkit.name_of("client_search_keys"), sqlkit.name_of("clients")
    keys_by_key, keys_by_client, keys_by_stem, keys_by_stem4 = (
        (
            f"(SELECT tenant, key, client_id, stem, stem4, sort_key, status FROM {keys} "
            f"INDEXED BY {index})"
            if dialect == "sqlite"
            else keys
        )
        for index in (
            f"sqlite_autoindex_{keys}_1",
            f"ix_{keys}_client",
            f"ix_{keys}_stem",
            f"ix_{keys}_stem4",
        )
    )
    tenant, limited = mark("tenant"), mark("limit")
    ends = f"AND k.key >= {mark('low')} AND k.key < {mark('high')}"
    page = (
        "SELECT c.* FROM (SELECT k.sort_key, k.client_id FROM {keys} k "
        f"WHERE k.tenant = {tenant} {{stem}} AND k.status = 'active' "
        "GROUP BY k.sort_key, k.client_id "
        f"ORDER BY k.sort_key, k.client_id LIMIT {limited}) p JOIN {clients} c "
        f"ON c.tenant = {tenant} AND c.id = p.client_id ORDER BY p.sort_key, p.client_id"
    )
    # the range checked per entry of the stem, as a CASE the planner cannot estimate
    yes, no = ("1", "0") if dialect == "sqlite" else ("true", "false")
    inside = f"CASE WHEN k.key >= {mark('low')} AND k.key < {mark('high')} THEN {yes} ELSE {no} END"
    return {
        "count": (
            f"SELECT (SELECT count(*) FROM (SELECT k.client_id FROM {keys} k "
            f"WHERE k.tenant = {tenant} {ends} LIMIT {mark('bound')}) AS r)"
        ),
        "drive": page.format(keys=keys_by_key, stem=ends),
        "stem": page.format(keys=keys_by_stem, stem=f"AND k.stem = {mark('stem')} AND {inside}"),
        "stem4": page.format(
            keys=keys_by_stem4, stem=f"AND k.stem4 = {mark('stem4')} AND {inside}"
        ),
        "window": (
            f"SELECT c.* FROM (SELECT tenant, id, sort_key FROM {clients} WHERE tenant = "
            f"{tenant} ORDER BY sort_key, id LIMIT {window}) w JOIN {clients} c "
            "ON c.tenant = w.tenant AND c.id = w.id "
            f"WHERE (SELECT k.key FROM {keys_by_client} k WHERE k.tenant = {tenant} "
            f"AND k.client_id = w.id {ends} LIMIT 1) IS NOT NULL AND c.status = 'active' "
            f"ORDER BY w.sort_key, w.id LIMIT {limited}"
        ),
    }


class HandSearch(abc.ABC):
    """A page of the clients whose keys start with a term: the rows of ``clients``, in the
    order ours returns them (the id is the second column)."""

    def __init__(self, url: str, limit: int) -> None:
        self.dialect = sqlkit.dialect_of(url).name
        self.limit = limit
        self.bound = 4 * 5 * limit

    @abc.abstractmethod
    def session(self) -> contextlib.AbstractContextManager[Run]:
        """The statements of one search run in this block."""

    def __call__(self, term: str) -> Sequence[Any]:
        values = {
            "tenant": sqlkit.TENANT,
            "low": term,
            "high": prefix_upper_bound(term),
            "bound": self.bound,
            "limit": self.limit,
            "stem": term[:STEM_LENGTH],
            "stem4": term[:LONG_STEM],
        }
        with self.session() as run:
            if run("count", values)[0][0] < self.bound:
                return run("drive", values)
            if len(term) >= LONG_STEM:
                return run("stem4", values)
            if len(term) >= STEM_LENGTH:
                return run("stem", values)
            rows = run("window", values)
            return rows if len(rows) == self.limit else run("drive", values)

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection or engine."""


class CoreSearch(HandSearch):
    """SQLAlchemy Core: ``text()`` statements on a plain engine, a connection per search."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, limit)
        self.plain = sqlalchemy.create_engine(url)
        self.engine = self.plain
        if self.dialect == "postgresql":
            with self.plain.connect() as connection:
                level = connection.default_isolation_level
            if level == "READ COMMITTED":  # each statement reads its own snapshot anyway
                self.engine = self.plain.execution_options(isolation_level="AUTOCOMMIT")
        self.statements: dict[str, TextClause] = {
            name: text(sql)
            for name, sql in search_sql(self.dialect, limit, lambda name: f":{name}").items()
        }

    @contextlib.contextmanager
    def session(self) -> Iterator[Run]:
        with self.engine.connect() as connection:
            yield lambda name, values: connection.execute(self.statements[name], values).all()

    def close(self) -> None:
        self.plain.dispose()


class DriverSearch(HandSearch):
    """The DB-API driver alone, on one connection in autocommit mode, returning tuples."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, limit)
        named = (lambda name: f":{name}") if self.dialect == "sqlite" else "%({})s".format
        self.statements = search_sql(self.dialect, limit, named)
        # one-off statements: planned with the values, as ours (literal bounds) is
        self.connection = sqlkit.connect(url, autocommit=True, prepared=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Run]:
        yield lambda name, values: sqlkit.fetch(self.connection, self.statements[name], values)

    def close(self) -> None:
        self.connection.close()
