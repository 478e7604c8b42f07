"""SQL client repository: code uniqueness and versions backed by the database, indexed search.

A client is one ``clients`` row plus index rows: its folded search keys
(``client_search_keys``) and the pairs of them (``client_search_pairs``), its groups and
its attribute values (for the filters). Search
matches each term as a prefix of a key with a range on the key index
(``key >= term AND key < successor(term)``, so ``%``, ``_`` and ``\\`` are plain
characters), or reads a term's stem (its first characters) in the order of the results,
and orders by the stored sort key and id with keyset paging. Which statements
a search runs depends on how many keys its terms match (see
:meth:`SqlClientRepository.plan`); they are made once per shape of query and bound to the
values when run.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal
from uuid import UUID

import attrs
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Dialect,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.types import NullType

from clientcore.adapters.sql import convert
from clientcore.adapters.sql.convert import paired
from clientcore.adapters.sql.db import BATCH, Db
from clientcore.adapters.sql.referrers import referring_tables
from clientcore.adapters.sql.schema import STEM_LENGTH, STEMS, Tables
from clientcore.entities.attribute import comparable
from clientcore.entities.client import Client, ClientStatus
from clientcore.entities.duplicates import UNMATCHED
from clientcore.entities.search import ClientQuery, Match, prefix_upper_bound
from clientcore.errors import ClientInUse, ConcurrencyError, DuplicateCode, NotFound

_BOUND_PER_ROW = 20
"""Keys of a term (pairs of two terms, clients of a filter) counted per row of the page:
fewer drive, their rows sorted; more are read in sort order until the page is full."""
_Others = Literal["probe", "window", "intersect"]
"""How a page checks the terms other than the driving one (see :func:`_page`)."""


def _code_in(message: str, codes: Sequence[str]) -> str:
    """The code a driver's duplicate-key message names, if it names one of ``codes``."""
    named = [code for code in codes if code in message]
    return max(named, key=len) if named else codes[0]


class SqlClientRepository:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._t = db.tables.clients

    def _index_rows(self, clients: Sequence[Client], rows: Sequence[Mapping[str, Any]]) -> None:
        """The index rows of ``clients``, whose ``clients`` rows are ``rows``."""
        tenant, tables = self._db.tenant, self._db.tables
        keys = [
            key
            for client, row in zip(clients, rows, strict=True)
            for key in convert.search_key_rows(tenant, client, row["sort_key"])
        ]
        self._db.copy_many(tables.client_search_keys, keys)
        pairs = [
            pair
            for client, row in zip(clients, rows, strict=True)
            for pair in convert.search_pair_rows(tenant, client, row["sort_key"])
        ]
        self._db.copy_many(tables.client_search_pairs, pairs)
        self._db.insert_many(
            tables.client_groups,
            (group for client in clients for group in convert.group_rows(tenant, client)),
        )
        self._db.insert_many(
            tables.client_attributes,
            (value for client in clients for value in convert.attribute_rows(tenant, client)),
        )

    def _drop_index_rows(self, client_id: UUID) -> None:
        tables = self._db.tables
        for table in (
            tables.client_search_keys,
            tables.client_search_pairs,
            tables.client_groups,
            tables.client_attributes,
        ):
            self._db.execute(
                delete(table).where(
                    table.c.tenant == self._db.tenant, table.c.client_id == client_id
                )
            )

    def add_many(self, clients: Sequence[Client]) -> None:
        codes = [client.code for client in clients]
        taken = self.taken_codes(codes)
        seen: set[str] = set()
        for code in codes:
            if code in taken or code in seen:
                raise DuplicateCode(code)
            seen.add(code)
        tenant = self._db.tenant
        rows = [convert.client_row(tenant, client) for client in clients]
        self._db.insert_many(
            self._t, rows, unique=lambda message: DuplicateCode(_code_in(message, codes))
        )
        self._db.refresh_statistics(self._t, len(rows))
        self._index_rows(clients, rows)

    def _where_id(self, client_id: UUID) -> ColumnElement[bool]:
        return and_(self._t.c.tenant == self._db.tenant, self._t.c.id == client_id)

    def _found(self, statement: Select[Any], value: object, kind: str, shown: object) -> Any:
        """The first row of ``statement`` for the tenant and ``value``, or ``NotFound``."""
        rows = self._db.tuples(statement, {"tenant": self._db.tenant, "value": value})
        if not rows:
            raise NotFound(kind, shown)
        return rows[0]

    def get(self, client_id: UUID) -> Client:
        row = self._found(_by_column(self._db.tables, "id"), client_id, "client", client_id)
        return convert.client_from_row(row)

    def get_many(self, client_ids: Sequence[UUID]) -> dict[UUID, Client]:
        wanted = list(dict.fromkeys(client_ids))
        clients = self._db.tables.clients
        found: dict[UUID, Client] = {}
        for first in range(0, len(wanted), BATCH):
            statement = select(*_client_columns(clients)).where(
                clients.c.tenant == self._db.tenant,
                clients.c.id.in_(wanted[first : first + BATCH]),
            )
            for row in self._db.tuples(statement):
                client = convert.client_from_row(row)
                found[client.id] = client
        return found

    def profile_texts(self, after: UUID | None, size: int) -> list[str]:
        """The ``profile`` column, written with the rest of the client's row."""
        statement = _profiles(self._db.tables, after is not None)
        values = {"tenant": self._db.tenant, "after": after, "size": size}
        return [row[0] for row in self._db.tuples(statement, values)]

    def status(self, client_id: UUID) -> ClientStatus:
        statement = _by_column(self._db.tables, "id", status_only=True)
        return ClientStatus(self._found(statement, client_id, "client", client_id)[0])

    def hold(self, client_id: UUID, *, exclusive: bool = False) -> ClientStatus:
        """The status, its row locked (``FOR SHARE``, or ``FOR UPDATE`` when exclusive) until
        the transaction ends. SQLite takes no row locks: ``BEGIN IMMEDIATE`` holds the
        database's write lock already."""
        statement = _held(self._db.tables, exclusive)
        return ClientStatus(self._found(statement, client_id, "client", client_id)[0])

    def get_by_code(self, code: str) -> Client:
        statement = _by_column(self._db.tables, "code")
        return convert.client_from_row(self._found(statement, code, "client with code", repr(code)))

    def taken_codes(self, codes: Sequence[str]) -> frozenset[str]:
        """Those of ``codes`` that clients of the tenant have, looked up in batches.

        PostgreSQL gets each batch as a list of literals: if it does not use the code index
        (statistics lag behind a bulk import, so it may expect a handful of rows and filter
        them instead), the filter is then a hash lookup rather than a walk of the list.
        """
        unique = sorted(set(codes))
        taken: set[str] = set()
        literal = self._db.dialect == "postgresql"
        for start in range(0, len(unique), BATCH):
            chunk: BindParameter[Any] = bindparam(
                "codes", unique[start : start + BATCH], expanding=True, literal_execute=literal
            )
            taken.update(
                self._db.execute(
                    select(self._t.c.code).where(
                        self._t.c.tenant == self._db.tenant, self._t.c.code.in_(chunk)
                    )
                ).scalars()
            )
        return frozenset(taken)

    def _refuse(self, client_id: UUID, expected: int) -> None:
        """After a conditional write changed nothing: the client is gone, or it moved on."""
        found = self._db.execute(
            select(self._t.c.version).where(self._where_id(client_id))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("client", client_id)
        raise ConcurrencyError("client", client_id, expected)

    def update(self, client: Client) -> None:
        expected = client.version - 1
        row = convert.client_row(self._db.tenant, client)
        del row["tenant"], row["id"], row["created_at"]
        changed = self._db.execute(
            update(self._t)
            .where(self._where_id(client.id), self._t.c.version == expected)
            .values(row),
            unique=lambda _message: DuplicateCode(client.code),
        ).rowcount
        if changed != 1:
            self._refuse(client.id, expected)
        self._drop_index_rows(client.id)
        self._index_rows([client], [row])

    def delete(self, client: Client) -> None:
        stored = self._db.execute(
            self._db.for_update(select(self._t.c.version).where(self._where_id(client.id)))
        ).scalar_one_or_none()
        if stored is None:
            raise NotFound("client", client.id)
        if stored != client.version:
            raise ConcurrencyError("client", client.id, client.version)
        self._drop_index_rows(client.id)
        self._db.execute(
            delete(self._t).where(self._where_id(client.id)),
            foreign_key=lambda message: ClientInUse(
                client.id,
                referring_tables(self._db, self._t, self._where_id(client.id), message),
            ),
        )

    def search(self, query: ClientQuery) -> list[Client]:
        statements, parameters = self._steps(query)
        rows = self._db.tuples(statements[0], parameters)
        if len(statements) > 1 and len(rows) < query.limit:
            rows = self._db.tuples(statements[1], parameters)
        return [convert.client_from_row(row) for row in rows]

    def statement(self, query: ClientQuery) -> Select[Any]:
        """The SELECT a search runs first, with its values (EXPLAIN it to see the plan)."""
        return self.plan(query)[0]

    def plan(self, query: ClientQuery) -> list[Select[Any]]:
        """The SELECTs a search runs, with their values, in order; the second runs only if
        the first does not fill the page.

        A group or caretaker filter is counted first, up to a bound (on its own index): if
        fewer clients pass it, they drive (read by id, the terms checked per client, the
        few that pass sorted). Otherwise, without terms: the first clients in sort order
        (``ix_clients_order``). With terms, the keys in each term's range are counted up to
        the bound first (on the key index), and, for two terms :func:`_pair` accepts, the
        rows of their pairs (``client_search_pairs``); then:

        * the rarest term has few keys: its key range drives. Its key rows (which carry
          the sort key) are sorted and the page's clients read by id; the other terms
          are checked per client;
        * two common terms have pairs: few (fewer than the bound: "kowalska nowak"), the
          pairs are read (one range per order of the two) and sorted; many ("anna
          kowalska"), the pairs of the two terms' stems are read in sort order per order
          of the two and per status (``ix_client_search_pairs_order``), and merged;
        * every term has many keys: the longest term's stem (of 1, 2, 3 or 4 characters,
          :data:`.schema.STEMS`) is read in sort order, per status (the statuses' reads
          merged when the filter is "all"), keeping its keys in the term's range, until the
          page is full; the other terms are checked per client. On SQLite, with several
          terms the read stops at the sort key of the stem's ``bound``-th key; if that does
          not fill the page, the terms' key ranges are intersected, each read once, the
          rarest driving.

        Only the last case may sort many matches, and no step reads the clients table
        other than by id or in sort order. PostgreSQL is given the key bounds as literals, so
        that a generic plan never decides between the steps.
        """
        statements, parameters = self._steps(query)
        return [statement.params(parameters) for statement in statements]

    def counting(self, query: ClientQuery) -> Select[Any] | None:
        """The SELECT a search with terms runs before :meth:`plan`'s: the bounded count of
        each term's keys (and of the pairs of two of them, see :func:`_pair`), with its
        values (None: a search without terms counts nothing). A group or caretaker
        filter's own count runs before it (see :meth:`plan`)."""
        if not query.terms:
            return None
        shape = _Shape.of(query)
        parameters = shape.parameters(query, self._db.tenant)
        _set_bounds(parameters, query.limit)
        dialect = self._db.connection.dialect
        return _counts(self._db.tables, dialect, shape, _pair(query.terms)).params(parameters)

    def explain(self, query: ClientQuery) -> list[list[str]]:
        """The engine's plan of each SELECT of :meth:`plan` (see :meth:`.Db.explain`)."""
        return [self._db.explain(statement) for statement in self.plan(query)]

    def _steps(self, query: ClientQuery) -> tuple[list[Select[Any]], dict[str, Any]]:
        """The statements of :meth:`plan` (made once per shape of query) and their values."""
        db = self._db
        shape = _Shape.of(query)
        parameters = shape.parameters(query, db.tenant)
        dialect = db.connection.dialect
        bound = _set_bounds(parameters, query.limit)
        if (shape.group or shape.caretaker) and db.tuples(
            _members(db.tables, shape, counted=True), parameters
        )[0][0] < bound:
            return [_walk(db.tables, dialect, shape, members=True)], parameters
        if not query.terms:
            return [_walk(db.tables, dialect, shape)], parameters
        pair = _pair(query.terms)
        counted = db.tuples(_counts(db.tables, dialect, shape, pair), parameters)[0]
        counts = [int(n) for n in counted[: len(query.terms)]]
        driving = min(range(len(counts)), key=counts.__getitem__)
        if counts[driving] < bound:
            return [_page(db.tables, dialect, shape, driving)], parameters
        if pair is not None:
            ordered = int(counted[-1]) >= bound
            return [_pairs(db.tables, dialect, shape, pair, ordered)], parameters
        longest = max(range(len(query.terms)), key=lambda index: len(query.terms[index]))
        stem = STEMS[min(len(query.terms[longest]), max(STEMS))]
        # Only SQLite intersects the terms' ranges (measured there). PostgreSQL estimates a
        # key range compared under COLLATE "C" at one row and then joined two ranges by a
        # nested loop over both (seconds at 100,000 clients); MariaDB was not measured.
        # They keep the stem read in order with per-client probes.
        if len(query.terms) == 1 or dialect.name != "sqlite":
            return [_page(db.tables, dialect, shape, longest, stem=stem)], parameters
        first = _page(db.tables, dialect, shape, longest, stem=stem, how="window")
        drive = _page(db.tables, dialect, shape, driving, how="intersect", whole_range=True)
        return [first, drive], parameters


def _pair(terms: Sequence[str]) -> tuple[int, int] | None:
    """Two terms whose clients ``client_search_pairs`` holds (the longest such two), or
    None: each term is at least a stem long and :func:`.convert.paired`, and neither is a
    prefix of the other (so no one key matches both: each match is a pair of keys)."""
    eligible = sorted(
        (index for index, term in enumerate(terms) if len(term) >= STEM_LENGTH and paired(term)),
        key=lambda index: -len(terms[index]),
    )
    for first, second in itertools.combinations(eligible, 2):
        one, other = terms[first], terms[second]
        if not (one.startswith(other) or other.startswith(one)):
            return first, second
    return None


def _set_bounds(parameters: dict[str, Any], limit: int) -> int:
    """Add the count's bound of a page of ``limit`` to ``parameters``; the bound."""
    bound = _BOUND_PER_ROW * limit
    parameters["bound"] = bound
    return bound


@functools.lru_cache(maxsize=64)
def _by_column(tables: Tables, column: str, *, status_only: bool = False) -> Select[Any]:
    """The tenant's client (or only its status) whose ``column`` equals ``value`` (made once,
    bound when run)."""
    clients = tables.clients
    selected = [clients.c.status] if status_only else _client_columns(clients)
    return select(*selected).where(
        clients.c.tenant == bindparam("tenant"), clients.c[column] == bindparam("value")
    )


@functools.lru_cache(maxsize=64)
def _held(tables: Tables, exclusive: bool) -> Select[Any]:
    """The client's status, its row locked (see :meth:`SqlClientRepository.hold`)."""
    return _by_column(tables, "id", status_only=True).with_for_update(read=not exclusive)


@functools.lru_cache(maxsize=64)
def _profiles(tables: Tables, after: bool) -> Select[Any]:
    """A page of :meth:`SqlClientRepository.profile_texts`: the stored profiles of the
    tenant's clients not :data:`~clientcore.entities.duplicates.UNMATCHED`, by id (the
    primary key's order), after the id ``after`` if ``after``."""
    clients = tables.clients
    statement = (
        select(type_coerce(clients.c.profile, NullType()))
        .where(
            clients.c.tenant == bindparam("tenant"),
            clients.c.status.not_in([status.value for status in sorted(UNMATCHED)]),
        )
        .order_by(clients.c.id)
        .limit(bindparam("size"))
    )
    return statement.where(clients.c.id > bindparam("after")) if after else statement


def _client_columns(clients: Table) -> list[ColumnElement[Any]]:
    """The columns :func:`.convert.client_from_row` reads, without their types: it converts
    the driver's values itself."""
    return [type_coerce(clients.c[name], NullType()) for name in convert.CLIENT_COLUMNS]


# -- search statements: one per shape of query, bound to values when run ----------------


@attrs.frozen
class _Shape:
    """What the statements of a search depend on, apart from values."""

    bounded: tuple[bool, ...]
    """Per term: whether it has an upper bound (only a term of U+10FFFF has none)."""
    status: bool
    group: bool
    caretaker: bool
    source: bool
    attribute: bool
    after: bool
    match: Match

    @classmethod
    def of(cls, query: ClientQuery) -> _Shape:
        return cls(
            bounded=tuple(prefix_upper_bound(term) is not None for term in query.terms),
            status=query.status.value != "all",
            group=query.group_id is not None,
            caretaker=query.caretaker_id is not None,
            source=query.source is not None,
            attribute=query.attribute is not None,
            after=query.after is not None,
            match=query.match,
        )

    def parameters(self, query: ClientQuery, tenant: str) -> dict[str, Any]:
        values: dict[str, Any] = {"tenant": tenant, "limit": query.limit}
        for index, term in enumerate(query.terms):
            values[f"low{index}"] = term
            values[f"high{index}"] = prefix_upper_bound(term)
            # The stem of the term's pairs, and the value of the stem column its keys are
            # read from (its first 4 characters, or all of a shorter term).
            values[f"stem{index}"] = term[:STEM_LENGTH]
            values[f"read_stem{index}"] = term[: max(STEMS)]
        if self.status:
            values["status"] = query.status.value
        if query.group_id is not None:
            values["group_id"] = query.group_id
        if query.caretaker_id is not None:
            values["caretaker_id"] = query.caretaker_id
        if query.source is not None:
            values["source"] = query.source
        if query.attribute is not None:
            key, value = query.attribute
            values.update(attribute_key=key, attribute_value=comparable(value))
        if query.after is not None:
            values["after_key"], values["after_id"] = query.after
        return values


def _bounds(
    dialect: Dialect,
    shape: _Shape,
    index: int,
    key: ColumnElement[str],
    *,
    whole: bool | None = None,
) -> list[ColumnElement[bool]]:
    """``key`` starts with term ``index``: a range on the key index; or, ``whole`` (by
    default, when the query matches whole keys), ``key`` is the term. PostgreSQL gets the
    bounds as literals, to plan with them rather than with a generic plan."""
    literal_execute = dialect.name == "postgresql"
    low = bindparam(f"low{index}", type_=key.type, literal_execute=literal_execute)
    if whole is None:
        whole = shape.match is Match.WHOLE
    if whole:
        return [key == low]
    where = [key >= low]
    if shape.bounded[index]:
        high = bindparam(f"high{index}", type_=key.type, literal_execute=literal_execute)
        where.append(key < high)
    return where


def _opaque(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """``conditions`` as one CASE expression, which a planner cannot estimate.

    A term's range read from its stem: PostgreSQL would multiply the selectivities of the
    stem and of the range (which implies the stem), find very few matches, and choose to
    sort them all rather than read the stem in order and stop at the page's end. A CASE
    it estimates as true for half of the stem's keys, which makes reading in order the
    cheaper plan (as it is: the stem path runs only for terms with many matches).
    """
    return case((and_(*conditions), true()), else_=false())


def _key_range(tables: Tables, dialect: Dialect, shape: _Shape, index: int) -> Select[Any]:
    """Ids of the clients with a key in the range of term ``index`` (the key index)."""
    keys = tables.client_search_keys
    return select(keys.c.client_id).where(
        keys.c.tenant == bindparam("tenant"), *_bounds(dialect, shape, index, keys.c.key)
    )


@functools.lru_cache(maxsize=256)
def _counts(
    tables: Tables, dialect: Dialect, shape: _Shape, pair: tuple[int, int] | None
) -> Select[Any]:
    """The keys in each term's range, counted up to ``bound``: one row, one count per term;
    then, for a ``pair`` of terms, the count of their pairs (:func:`_pair_rows`), likewise."""
    reads: list[Select[Any] | CompoundSelect[Any]] = [
        _key_range(tables, dialect, shape, index) for index in range(len(shape.bounded))
    ]
    if pair is not None:
        reads.append(_pair_rows(tables, dialect, shape, pair))
    return select(
        *(
            select(func.count())
            .select_from(read.limit(bindparam("bound")).subquery())
            .scalar_subquery()
            for read in reads
        )
    )


def _keys_by(tables: Tables, dialect: Dialect, columns: Sequence[str]) -> Any:
    """``client_search_keys`` read through its index whose columns start with ``columns``.

    SQLite, without ``ANALYZE`` statistics, may pick another index of the table (every one
    starts with the tenant); ``INDEXED BY`` pins this one. Other engines plan freely. Each
    use is a name of its own (a probe inside a read of the stem is another read of the
    table, not a correlation to it).
    """
    keys = tables.client_search_keys
    if dialect.name != "sqlite":
        return keys.alias(f"keys_by_{columns[-1]}")
    if [column.name for column in keys.primary_key][: len(columns)] == list(columns):
        name = f"sqlite_autoindex_{keys.name}_1"  # the primary key of a WITHOUT ROWID table
    else:
        name = next(
            str(index.name)
            for index in keys.indexes
            if [column.name for column in index.columns][: len(columns)] == list(columns)
        )
    preparer = dialect.identifier_preparer
    listed = ", ".join(preparer.quote(column.name) for column in keys.columns)
    return (
        text(
            f"SELECT {listed} FROM {preparer.format_table(keys)} INDEXED BY {preparer.quote(name)}"
        )
        .columns(*keys.columns)
        .subquery(f"keys_by_{columns[-1]}")
    )


def _probe(
    tables: Tables,
    dialect: Dialect,
    shape: _Shape,
    index: int,
    client: ColumnElement[UUID],
    *,
    whole: bool | None = None,
) -> ColumnElement[bool]:
    """Whether the client has a key in the range of term ``index`` (or, ``whole``, the
    term itself; see :func:`_bounds`), read by client id.

    A scalar subquery (the first such key, if any) rather than EXISTS: planners turn an
    EXISTS into a semi-join and may read the term's whole key range to hash or materialise
    it, which for a common term costs more than the few clients of a page need; a scalar
    subquery is run per client, on ``ix_client_search_keys_client``, on every engine.
    """
    source = _keys_by(tables, dialect, ("tenant", "client_id"))
    first = (
        select(source.c.key)
        .where(
            source.c.tenant == bindparam("tenant"),
            source.c.client_id == client,
            *_bounds(dialect, shape, index, source.c.key, whole=whole),
        )
        .limit(1)
        .scalar_subquery()
    )
    return first.is_not(None)


def _ranked(
    tables: Tables,
    dialect: Dialect,
    shape: _Shape,
    client: ColumnElement[UUID],
    *,
    whole_range: bool = False,
) -> list[ColumnElement[bool]]:
    """For a query of prefix-only matches: not every term is a whole key of the client.

    Checked per candidate by client id (a probe per term), or, for a ``whole_range`` of
    candidates (a common term's range read whole and sorted), as membership of each term's
    full-word clients, each read once (``client_id NOT IN (clients with key = term)``):
    per-key probes over a range of 170,000 keys took 3 s at a million clients on SQLite."""
    if shape.match is not Match.PREFIX_ONLY:
        return []
    terms = range(len(shape.bounded))
    if whole_range:
        keys = tables.client_search_keys
        return [
            or_(
                *(
                    client.not_in(
                        select(keys.c.client_id).where(
                            keys.c.tenant == bindparam("tenant"),
                            *_bounds(dialect, shape, index, keys.c.key, whole=True),
                        )
                    )
                    for index in terms
                )
            )
        ]
    return [not_(and_(*(_probe(tables, dialect, shape, i, client, whole=True) for i in terms)))]


def _in_range(
    tables: Tables, dialect: Dialect, shape: _Shape, index: int, client: ColumnElement[UUID]
) -> ColumnElement[bool]:
    """Whether the client has a key in the range of term ``index``, as membership of the
    term's whole key range: an engine reads the range once (a hash or a temporary index)
    rather than probing per client, which is cheaper when there are many clients to check."""
    return client.in_(_key_range(tables, dialect, shape, index))


@functools.lru_cache(maxsize=256)
def _page(
    tables: Tables,
    dialect: Dialect,
    shape: _Shape,
    driving: int,
    stem: str | None = None,
    how: _Others = "probe",
    whole_range: bool = False,
) -> Select[Any]:
    """The first clients in sort order with a key in the driving term's range, found
    among the key rows alone (they carry the sort key and status); only the page's clients
    are read from ``clients``, by id.

    With ``stem`` (a column of :data:`.schema.STEMS`), the keys of the term's stem are read
    from that column's index in its order, which per status is the order of the results:
    the read stops at the page's last client, whatever the number of matches; without a
    status filter, each status's read is limited so and the reads merged (see
    :func:`_merged`). Without ``stem``, the term's key range is read from the primary key
    and its clients sorted (few of them). A client with several keys in the range is one
    group.

    The other terms are checked per client (``how``): ``"probe"``, by client id
    (:func:`_probe`); ``"window"``, likewise, but only on the first ``bound`` keys read (of
    a stem, in order: if they fill the page it is exact, otherwise the next step of the
    plan runs); ``"intersect"``, as membership of each term's whole key range
    (:func:`_in_range`): the terms' key ranges intersected, each read once (SQLite's last
    step for terms that :func:`_pairs` cannot take).

    Read from the stem, the term's range is checked on each index entry (see
    :func:`_opaque`). ``whole_range``: the driving range has many keys (see
    :func:`_ranked`).
    """
    keys = _keys_by(tables, dialect, ("tenant", stem or "key"))
    k = keys.c
    clients = tables.clients
    c = clients.c
    bounds = _bounds(dialect, shape, driving, k.key)

    def driving_keys(status: ColumnElement[str] | None) -> list[ColumnElement[bool]]:
        """The driving term's keys (of ``status``, if given)."""
        where = [
            k.tenant == bindparam("tenant"),
            _opaque(bounds) if stem else and_(*bounds),
            *_after(shape, k.sort_key, k.client_id),
        ]
        if stem:
            where.append(k[stem] == bindparam(f"read_stem{driving}", type_=k[stem].type))
        if status is not None:
            where.append(k.status == status)
        return where

    def page(status: ColumnElement[str] | None) -> Select[Any]:
        """The first ``limit`` clients among the driving term's keys (of ``status``) that
        pass the checks (``"window"``: among those up to the window's last sort key)."""
        check = _in_range if how == "intersect" else _probe
        where = [
            *driving_keys(status),
            *(
                check(tables, dialect, shape, index, k.client_id)
                for index in range(len(shape.bounded))
                if index != driving
            ),
            *_ranked(tables, dialect, shape, k.client_id, whole_range=whole_range),
        ]
        if how == "window":
            where.append(k.sort_key <= ceiling)
        found = select(k.sort_key, k.client_id).select_from(keys)
        filters = _filters(tables, shape, clients, status=False)
        if filters:
            found = found.join(clients, and_(c.tenant == k.tenant, c.id == k.client_id))
        return (
            found.where(*where, *filters)
            .group_by(k.sort_key, k.client_id)
            .order_by(k.sort_key, k.client_id)
            .limit(bindparam("limit"))
        )

    def in_order(status: ColumnElement[str] | None) -> Select[Any]:
        """The driving term's keys (of ``status``) in sort order."""
        return (
            select(k.sort_key, k.client_id)
            .where(*driving_keys(status))
            .order_by(k.sort_key, k.client_id)
        )

    wanted: ColumnElement[str] | None = bindparam("status") if shape.status else None
    merge = stem is not None and wanted is None
    # "window": the sort key of the stem's ``bound``-th key, read from the index alone (and
    # of every status, merged): the page stops there, its matches still read in order.
    window = _merged(in_order, "bound") if merge else in_order(wanted).limit(bindparam("bound"))
    ceiling = select(func.max(window.subquery("stem_window").c.sort_key)).scalar_subquery()
    found = (_merged(page, "limit") if merge else page(wanted)).subquery("page")
    return _clients_of(clients, found)


def _clients_of(clients: Table, page: Any) -> Select[Any]:
    """The clients of ``page`` (a subquery of sort keys and client ids), read by id, in
    its order."""
    c = clients.c
    return (
        select(*_client_columns(clients))
        .select_from(
            page.join(clients, and_(c.tenant == bindparam("tenant"), c.id == page.c.client_id))
        )
        .order_by(page.c.sort_key, page.c.client_id)
    )


def _merged(read: Callable[[ColumnElement[str]], Select[Any]], limit: str) -> Select[Any]:
    """The first ``limit`` rows in sort order of ``read`` for every status, each read
    limited so in its index's order (status before the sort key) and the reads merged:
    a few short ordered reads rather than one of the whole stem sorted."""
    parts = [
        read(literal(status.value)).subquery(f"of_{status.name.lower()}") for status in ClientStatus
    ]
    merged = union_all(*(select(*part.c) for part in parts)).subquery("merged")
    return select(*merged.c).order_by(merged.c.sort_key, merged.c.client_id).limit(bindparam(limit))


def _pair_where(
    tables: Tables,
    dialect: Dialect,
    shape: _Shape,
    word: int,
    other: int,
    *,
    ordered: bool = False,
) -> list[ColumnElement[bool]]:
    """The rows of ``client_search_pairs`` whose lesser key is in term ``word``'s range and
    the greater in term ``other``'s: a range of the primary key (the first term's stem,
    the second's range as ``other``, the first's as ``word``); ``ordered``, the rows of the
    two terms' stems (``ix_client_search_pairs_order``, in sort order per status), each
    checked against the ranges (see :func:`_opaque`)."""
    p = tables.client_search_pairs.c
    bounds = [*_bounds(dialect, shape, other, p.other), *_bounds(dialect, shape, word, p.word)]
    where = [
        p.tenant == bindparam("tenant"),
        p.stem == bindparam(f"stem{word}", type_=p.stem.type),
        *_after(shape, p.sort_key, p.client_id),
    ]
    if ordered:
        return [
            *where,
            p.other_stem == bindparam(f"stem{other}", type_=p.stem.type),
            _opaque(bounds),
        ]
    return [*where, *bounds]


def _pair_rows(
    tables: Tables, dialect: Dialect, shape: _Shape, pair: tuple[int, int]
) -> CompoundSelect[Any]:
    """The rows of ``client_search_pairs`` of the two terms of ``pair`` (see :func:`_pair`):
    per order of the two terms, one range read of the primary key (:func:`_pair_where`),
    which holds just the clients with both, however many each term has alone."""
    p = tables.client_search_pairs.c
    status = [p.status == bindparam("status")] if shape.status else []
    return union_all(
        *(
            select(p.tenant, p.sort_key, p.client_id).where(
                *_pair_where(tables, dialect, shape, word, other), *status
            )
            for word, other in (pair, pair[::-1])
        )
    )


@functools.lru_cache(maxsize=256)
def _pairs(
    tables: Tables, dialect: Dialect, shape: _Shape, pair: tuple[int, int], ordered: bool = False
) -> Select[Any]:
    """The first clients in sort order with a pair of keys in the ranges of the two terms of
    ``pair``; the other terms are checked per client.

    Few pairs (fewer than ``bound``): :func:`_pair_rows`, sorted. Many (``ordered``): per
    order of the two terms and per status, the pairs of the terms' stems read in sort order
    until the page is full, and the reads merged: a first and last name many clients have
    is found wherever its clients sit in sort order."""
    clients = tables.clients
    c = clients.c
    pairs = tables.client_search_pairs

    def page(source: Any, where: list[ColumnElement[bool]]) -> Select[Any]:
        """The first ``limit`` clients of ``source`` (pair rows) that pass the checks."""
        s = source.c
        found = select(s.sort_key, s.client_id).select_from(source)
        filters = _filters(tables, shape, clients, status=False)
        if filters:
            found = found.join(clients, and_(c.tenant == s.tenant, c.id == s.client_id))
        return (
            found.where(
                *where,
                *(
                    _probe(tables, dialect, shape, index, s.client_id)
                    for index in range(len(shape.bounded))
                    if index not in pair
                ),
                *_ranked(tables, dialect, shape, s.client_id),
                *filters,
            )
            .group_by(s.sort_key, s.client_id)
            .order_by(s.sort_key, s.client_id)
            .limit(bindparam("limit"))
        )

    if not ordered:
        return _clients_of(
            clients,
            page(_pair_rows(tables, dialect, shape, pair).subquery("pairs"), []).subquery("page"),
        )
    statuses: list[ColumnElement[str]] = (
        [bindparam("status")]
        if shape.status
        else [literal(status.value) for status in ClientStatus]
    )
    reads = [
        page(
            pairs,
            [
                *_pair_where(tables, dialect, shape, word, other, ordered=True),
                pairs.c.status == status,
            ],
        ).subquery(f"read_{number}")
        for number, (word, other, status) in enumerate(
            (word, other, status) for word, other in (pair, pair[::-1]) for status in statuses
        )
    ]
    merged = union_all(*(select(read.c.sort_key, read.c.client_id) for read in reads)).subquery(
        "merged"
    )
    m = merged.c
    found = (
        select(m.sort_key, m.client_id)
        .group_by(m.sort_key, m.client_id)
        .order_by(m.sort_key, m.client_id)
        .limit(bindparam("limit"))
        .subquery("page")
    )
    return _clients_of(clients, found)


@functools.lru_cache(maxsize=64)
def _members(tables: Tables, shape: _Shape, *, counted: bool = False) -> Select[Any]:
    """The ids of the group's clients (``client_groups``), or else of the caretaker's
    (``ix_clients_caretaker``); ``counted``: how many, up to ``bound``."""
    if shape.group:
        groups = tables.client_groups
        members = select(groups.c.client_id).where(
            groups.c.tenant == bindparam("tenant"), groups.c.group_id == bindparam("group_id")
        )
    else:
        c = tables.clients.c
        members = select(c.id).where(
            c.tenant == bindparam("tenant"), c.caretaker_id == bindparam("caretaker_id")
        )
    if not counted:
        return members
    return select(func.count()).select_from(members.limit(bindparam("bound")).subquery())


@functools.lru_cache(maxsize=256)
def _walk(tables: Tables, dialect: Dialect, shape: _Shape, members: bool = False) -> Select[Any]:
    """Clients in sort order (``ix_clients_order``) that pass the filters and have a key
    in each term's range (checked per client).

    ``members``: only a group's or caretaker's few clients (fewer than ``bound``,
    :func:`_members`), each read by id and those that pass sorted: a filter few clients
    pass then costs its own few rows, not a read of the sort order or of a common term's
    stem until the page fills."""
    clients = tables.clients
    c = clients.c
    return (
        select(*_client_columns(clients))
        .where(
            c.tenant == bindparam("tenant"),
            *([c.id.in_(_members(tables, shape))] if members else []),
            *_filters(tables, shape, clients),
            *(_probe(tables, dialect, shape, index, c.id) for index in range(len(shape.bounded))),
            *_ranked(tables, dialect, shape, c.id),
            *_after(shape, c.sort_key, c.id),
        )
        .order_by(c.sort_key, c.id)
        .limit(bindparam("limit"))
    )


def _after(
    shape: _Shape, sort_key: ColumnElement[str], client_id: ColumnElement[UUID]
) -> list[ColumnElement[bool]]:
    """Keyset paging: past the (sort key, id) of the previous page's last client
    (``sort_key >= after_key`` bounds a read of an index in sort order from below)."""
    if not shape.after:
        return []
    key: BindParameter[Any] = bindparam("after_key", type_=sort_key.type)
    last: BindParameter[Any] = bindparam("after_id", type_=client_id.type)
    past = or_(sort_key > key, and_(sort_key == key, client_id > last))
    return [sort_key >= key, past]


def _filters(
    tables: Tables, shape: _Shape, clients: Table, *, status: bool = True
) -> list[ColumnElement[bool]]:
    """The exact filters of a search: status (unless ``status`` is false), group,
    caretaker, source, attribute."""
    c = clients.c
    where: list[ColumnElement[bool]] = []
    if shape.status and status:
        where.append(c.status == bindparam("status"))
    if shape.group:
        where.append(_has_row(tables.client_groups, clients, group_id="group_id"))
    if shape.caretaker:
        where.append(c.caretaker_id == bindparam("caretaker_id"))
    if shape.source:
        where.append(c.source == bindparam("source"))
    if shape.attribute:
        where.append(
            _has_row(
                tables.client_attributes, clients, key="attribute_key", value="attribute_value"
            )
        )
    return where


def _has_row(table: Table, clients: Table, **parameters: str) -> ColumnElement[bool]:
    """The client has a row in ``table`` (an index table of clients) whose columns equal
    the named parameters (column name: parameter name)."""
    return exists().where(
        table.c.tenant == clients.c.tenant,
        table.c.client_id == clients.c.id,
        *(table.c[column] == bindparam(name) for column, name in parameters.items()),
    )
