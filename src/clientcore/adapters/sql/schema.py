"""The tables of the SQL adapter: SQLAlchemy Core ``Table`` objects on a ``MetaData``.

:func:`make_metadata` builds them under a table-name prefix and schema; the module's
``metadata`` is the default (:data:`DEFAULT_PREFIX`, the connection's default schema). Every
row carries its tenant, and every primary key starts with it.

Columns that are compared or ordered in SQL (tenant, client code, search keys, sort key,
group names...) compare code point by code point on every engine, like Python's ``str``:
``COLLATE "C"`` on PostgreSQL, a binary NO PAD collation on MariaDB/MySQL (so ``"a"`` and
``"a "`` stay distinct), and SQLite's default BINARY collation.

``client_search_keys`` has a row per folded search key of a client, with copies of what a
search filters and orders by (the client's status and sort key, rewritten with the other
index rows whenever the client changes) and the key's first 1, 2, :data:`STEM_LENGTH`
and 4 characters (its stems, :data:`STEMS`). Its primary key (tenant, key, client id) reads
a prefix as a range and covers the copies (SQLite keeps the table WITHOUT ROWID and InnoDB
clusters it by that key; PostgreSQL gets them as INCLUDE columns);
``ix_client_search_keys_stem`` (``_stem1``, ``_stem2``, ``_stem4``) lists each stem's keys
per status in the order of search results; ``ix_client_search_keys_client`` finds a
client's keys.

``client_search_pairs`` has a row per pair of a client's keys that do not start with a digit
(:func:`clientcore.adapters.sql.convert.search_pair_rows`): the lesser key (``word``), its
stem and the greater (``other``) and its stem. Its primary key (tenant, stem, other, word,
client id) finds the clients of two terms that are not prefixes of each other with one
range read per order of the two, however many clients each term has alone;
``ix_client_search_pairs_order`` lists the pairs of two stems per status in sort order.
"""

from __future__ import annotations

import enum
import functools
import typing
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from types import NoneType, UnionType
from typing import Any

import attrs
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine

from clientcore.entities.kinds import (
    COMPANY_DATA,
    LINKED_RECORDS,
    MEDICAL_DATA,
    MERGE_LINKS,
    MERGES,
    MESSAGES,
    MESSAGING_SETTINGS,
    SALES_KINDS,
    TASKS,
    RecordKind,
)
from clientcore.entities.search import KEY_MAX_LENGTH
from clientcore.errors import UnknownKind, UnsupportedTarget

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
DEFAULT_PREFIX = "clientcore_"
"""What every table, index and constraint name starts with unless the host chooses another
prefix (``""``: none): ``clientcore_clients``, ``clientcore_events``... A host's own
``clients``, ``events`` or ``settings`` tables then never collide with ours."""
TENANT_LENGTH = 64
KIND_KEY_LENGTH = 255
"""Characters of a text key, unique or ordered field of a host's record kind."""
STEM_LENGTH = 3
"""Characters of a search key kept as its stem: the keys of one stem are indexed in the
order of search results, so a term at least this long is read in that order."""
PAIR_ORDER = ("tenant", "stem", "other_stem", "status", "sort_key", "client_id", "word", "other")
"""``ix_client_search_pairs_order``: the pairs of two stems per status in sort order."""
STEMS = {1: "stem1", 2: "stem2", STEM_LENGTH: "stem", 4: "stem4"}
"""The stem columns of ``client_search_keys`` by length: a term is read in the order of
results from the column of its length, or of the longest (4) if it is longer. A long term
read from a short stem also reads the keys of other words with that stem that sort before
its matches (``jansen`` and the first name Jan share ``jan``)."""


GENERIC_OWN_KINDS: tuple[RecordKind[Any], ...] = (TASKS, LINKED_RECORDS, COMPANY_DATA, MEDICAL_DATA)
"""clientcore's kinds whose tables are made from their entities as a host kind's are
(:func:`kind_table`): nothing about them needs columns of their own."""


def _is_mariadb(dialect: Dialect) -> bool:
    return bool(getattr(dialect, "is_mariadb", False))


def binary_collation(dialect: Dialect) -> str | None:
    """The collation that compares like Python's ``str`` on this dialect (None: the default)."""
    if dialect.name == "postgresql":
        return "C"
    if dialect.name in ("mysql", "mariadb"):
        return "utf8mb4_nopad_bin" if _is_mariadb(dialect) else "utf8mb4_0900_bin"
    return None


class Key(TypeDecorator[str]):
    """Text compared and ordered by code point: codes, tenants, search keys, names.

    Public (``clientcore.adapters.sql.Key``): a host's column that refers to a tenant of
    ours is ``Key(TENANT_LENGTH)``, so that its type, collation and (on MariaDB) character
    set are those of the column it refers to, as a foreign key needs.
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        collation = binary_collation(dialect)
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(
                mysql.VARCHAR(self.length, charset="utf8mb4", collation=collation)
            )
        return dialect.type_descriptor(String(self.length, collation=collation))


class LongText(TypeDecorator[str]):
    """Free text and JSON documents (MEDIUMTEXT on MariaDB, where TEXT stops at 64 KiB)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.MEDIUMTEXT(charset="utf8mb4"))
        # Not dialect.type_descriptor(Text()): psycopg 3 adapts every String, Text included,
        # to its VARCHAR bind type, and the DDL would say VARCHAR with psycopg and TEXT with
        # psycopg2. The type as returned here is what CREATE TABLE and Alembic compare see.
        return Text()


class Id(TypeDecorator[uuid.UUID]):
    """A UUID: native on PostgreSQL, 32 lowercase hex digits elsewhere.

    Both order like ``str(uuid)``: the hex digits sit in the same places. Public
    (``clientcore.adapters.sql.Id``): a host's column that refers to one of our ids (a
    client's) is an ``Id()``.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=True))
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.CHAR(32, charset="ascii", collation="ascii_bin"))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: uuid.UUID | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return value.hex

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        return None if value is None else stored_id(value)


def stored_id(value: object) -> uuid.UUID:
    """The UUID of an :class:`Id` column's value as a driver gives it: a UUID (PostgreSQL),
    or its 32 hex digits as text (or bytes). The one conversion of a stored id."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, bytes | bytearray):
        value = value.decode("ascii")
    return uuid.UUID(hex=str(value))


def stored_instant(value: datetime | str) -> datetime:
    """The aware UTC instant of a :class:`Moment` column's value as a driver gives it
    (SQLite's ISO text and a naive datetime, from MariaDB/MySQL, are UTC; an aware one,
    from PostgreSQL, is converted), or of an instant nested in JSON text. The one
    conversion of a stored instant."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_date(value: date | str) -> date:
    """A ``Date`` column's value as a driver gives it (a date, or SQLite's ISO text), or a
    date nested in JSON text. The one conversion of a stored date."""
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value) if isinstance(value, str) else value


class Moment(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC with milliseconds; read back aware, in UTC.

    TIMESTAMP WITH TIME ZONE on PostgreSQL, DATETIME(3) on MariaDB, ISO text on SQLite.
    Public (``clientcore.adapters.sql.Moment``), for a host's instants stored as ours are.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=3))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; store timezone-aware ones")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else stored_instant(value)


def _sequence() -> TypeEngine[int]:
    """An autoincrement integer: INTEGER on SQLite (its rowid), BIGINT elsewhere."""
    return BigInteger().with_variant(Integer(), "sqlite")


def _tenant() -> Column[str]:
    return Column("tenant", Key(TENANT_LENGTH), nullable=False)


def _moment(name: str, *, nullable: bool = False) -> Column[datetime]:
    return Column(name, Moment(), nullable=nullable)


@attrs.frozen
class Tables:
    """The adapter's tables, by their role (the real names carry the prefix)."""

    metadata: MetaData
    clients: Table
    client_search_keys: Table
    client_search_pairs: Table
    client_groups: Table
    client_attributes: Table
    staff: Table
    groups: Table
    attribute_definitions: Table
    settings: Table
    counters: Table
    subjects: Table
    notes: Table
    consents: Table
    events: Table
    visits: Table
    working_hours: Table
    messages: Table
    messaging_settings: Table
    merges: Table
    merge_links: Table
    tasks: Table
    linked_records: Table
    company_data: Table
    medical_data: Table
    host: tuple[tuple[str, Table], ...] = ()
    """The tables of the host's record kinds, by kind name."""
    derived: tuple[tuple[str, Table], ...] = ()
    """The tables of clientcore's own kinds that are derived from the kind alone, as a
    host's are (:data:`~clientcore.entities.kinds.SALES_KINDS`), by kind name."""

    def of(self, kind: RecordKind[Any]) -> Table:
        """The table of a record kind (clientcore's, by role, or the host's)."""
        for name, table in (*self.derived, *self.host):
            if name == kind.name:
                return table
        own = getattr(self, kind.name, None)
        if not isinstance(own, Table):
            raise UnknownKind(kind.name)
        return own

    @property
    def prefix(self) -> str:
        return str(self.metadata.info["clientcore_prefix"])

    @property
    def schema(self) -> str | None:
        return self.metadata.schema


DERIVED_INDEXES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "sales_documents": (
        ("visit", ("visit_id",)),
        ("issued", ("status", "issued_on")),
    ),
    "prices": (("list", ("price_list_id",)),),
    "interests": (("product", ("product_id",)),),
}
"""Indexes of the sales kinds' own queries beyond those every kind's table has (a visit's
documents, turnover by period, a price list's prices, a product's interests): name suffix
and columns after ``tenant``."""


def _ref(tables: dict[str, Table], name: str, *columns: str) -> list[str]:
    table = tables[name]
    return [f"{table.fullname}.{column}" for column in columns]


def make_tables(
    prefix: str = DEFAULT_PREFIX, schema: str | None = None, kinds: Sequence[RecordKind[Any]] = ()
) -> Tables:
    """Every table, named ``prefix + role`` in ``schema`` (None: the connection's default),
    and a table for each of the host's record ``kinds`` (see :func:`kind_table`)."""
    metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)
    metadata.info["clientcore_prefix"] = prefix
    made: dict[str, Table] = {}

    def table(role: str, *items: Any, **options: Any) -> Table:
        made[role] = Table(
            prefix + role,
            metadata,
            *items,
            mysql_engine="InnoDB",
            mysql_charset="utf8mb4",
            **options,
        )
        return made[role]

    def fk(columns: list[str], role: str, *target: str) -> ForeignKeyConstraint:
        return ForeignKeyConstraint(columns, _ref(made, role, *target))

    table(
        "staff",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("name", LongText(), nullable=False),
        _moment("created_at"),
        Column("roles", LongText(), nullable=False),
        Column("active", Boolean(), nullable=False),
        PrimaryKeyConstraint("tenant", "id"),
    )
    table(
        "groups",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("name", Key(100), nullable=False),
        _moment("created_at"),
        PrimaryKeyConstraint("tenant", "id"),
        UniqueConstraint("tenant", "name"),
    )
    table(
        "attribute_definitions",
        _tenant(),
        Column("key", Key(64), nullable=False),
        Column("id", Id(), nullable=False),
        Column("label", LongText(), nullable=False),
        Column("type", Key(16), nullable=False),
        _moment("created_at"),
        Column("choices", LongText(), nullable=False),
        Column("personal", Boolean(), nullable=False),
        PrimaryKeyConstraint("tenant", "key"),
    )
    table(
        "settings",
        _tenant(),
        Column("default_region", Key(8), nullable=True),
        Column("time_zone", Key(64), nullable=False),
        PrimaryKeyConstraint("tenant"),
    )
    table(
        "counters",
        _tenant(),
        Column("name", Key(64), nullable=False),
        Column("value", BigInteger(), nullable=False),
        PrimaryKeyConstraint("tenant", "name"),
    )
    table(
        "clients",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("code", Key(32), nullable=False),
        Column("kind", Key(16), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        Column("first_name", LongText(), nullable=False),
        Column("last_name", LongText(), nullable=False),
        Column("company_name", LongText(), nullable=False),
        Column("phones", LongText(), nullable=False),
        Column("emails", LongText(), nullable=False),
        Column("addresses", LongText(), nullable=False),
        Column("description", LongText(), nullable=False),
        Column("source", Key(100), nullable=False),
        Column("caretaker_id", Id(), nullable=True),
        Column("name_day_month", SmallInteger(), nullable=True),
        Column("name_day_day", SmallInteger(), nullable=True),
        Column("birthday", Date(), nullable=True),
        Column("identity_documents", LongText(), nullable=False),
        Column("remarks", LongText(), nullable=False),
        Column("group_ids", LongText(), nullable=False),
        Column("attributes", LongText(), nullable=False),
        Column("status", Key(16), nullable=False),
        Column("version", Integer(), nullable=False),
        Column("sort_key", Key(KEY_MAX_LENGTH), nullable=False),
        Column("profile", LongText(), nullable=False),
        PrimaryKeyConstraint("tenant", "id"),
        UniqueConstraint("tenant", "code"),
        fk(["tenant", "caretaker_id"], "staff", "tenant", "id"),
    )
    made["clients"].append_constraint(
        Index(f"ix_{prefix}clients_order", "tenant", "sort_key", "id")
    )
    made["clients"].append_constraint(
        Index(f"ix_{prefix}clients_caretaker", "tenant", "caretaker_id")
    )
    table(
        "client_search_keys",
        _tenant(),
        Column("key", Key(KEY_MAX_LENGTH), nullable=False),
        Column("client_id", Id(), nullable=False),
        Column("stem", Key(STEM_LENGTH), nullable=False),
        Column("sort_key", Key(KEY_MAX_LENGTH), nullable=False),
        Column("status", Key(16), nullable=False),
        Column("stem1", Key(1), nullable=False),
        Column("stem2", Key(2), nullable=False),
        Column("stem4", Key(4), nullable=False),
        PrimaryKeyConstraint(
            "tenant", "key", "client_id", postgresql_include=["sort_key", "status"]
        ),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        Index(f"ix_{prefix}client_search_keys_client", "tenant", "client_id", "key"),
        *(
            Index(
                f"ix_{prefix}client_search_keys_{stem}",
                "tenant",
                stem,
                "status",
                "sort_key",
                "client_id",
                "key",
            )
            for stem in STEMS.values()
        ),
        sqlite_with_rowid=False,
    )
    table(
        "client_search_pairs",
        _tenant(),
        Column("stem", Key(STEM_LENGTH), nullable=False),
        Column("other", Key(KEY_MAX_LENGTH), nullable=False),
        Column("word", Key(KEY_MAX_LENGTH), nullable=False),
        Column("client_id", Id(), nullable=False),
        Column("sort_key", Key(KEY_MAX_LENGTH), nullable=False),
        Column("status", Key(16), nullable=False),
        Column("other_stem", Key(STEM_LENGTH), nullable=False),
        PrimaryKeyConstraint(
            "tenant",
            "stem",
            "other",
            "word",
            "client_id",
            postgresql_include=["sort_key", "status"],
        ),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        Index(f"ix_{prefix}client_search_pairs_client", "tenant", "client_id"),
        Index(f"ix_{prefix}client_search_pairs_order", *PAIR_ORDER),
        sqlite_with_rowid=False,
    )
    table(
        "client_groups",
        _tenant(),
        Column("client_id", Id(), nullable=False),
        Column("group_id", Id(), nullable=False),
        PrimaryKeyConstraint("tenant", "client_id", "group_id"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        fk(["tenant", "group_id"], "groups", "tenant", "id"),
        Index(f"ix_{prefix}client_groups_group", "tenant", "group_id"),
    )
    table(
        "client_attributes",
        _tenant(),
        Column("client_id", Id(), nullable=False),
        Column("key", Key(64), nullable=False),
        Column("value", Key(1100), nullable=False),
        PrimaryKeyConstraint("tenant", "client_id", "key"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        fk(["tenant", "key"], "attribute_definitions", "tenant", "key"),
        Index(f"ix_{prefix}client_attributes_key", "tenant", "key"),
    )
    table(
        "subjects",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("client_id", Id(), nullable=False),
        Column("kind", LongText(), nullable=False),
        Column("name", LongText(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        Column("details", LongText(), nullable=False),
        Column("active", Boolean(), nullable=False),
        PrimaryKeyConstraint("tenant", "id"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        Index(f"ix_{prefix}subjects_client", "tenant", "client_id", "created_at", "id"),
    )
    table(
        "notes",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("client_id", Id(), nullable=False),
        Column("kind", Key(16), nullable=False),
        Column("text", LongText(), nullable=False),
        Column("project", Key(100), nullable=False),
        Column("author_id", LongText(), nullable=False),
        _moment("created_at"),
        PrimaryKeyConstraint("tenant", "id"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        Index(f"ix_{prefix}notes_client", "tenant", "client_id", "created_at", "id"),
        Index(f"ix_{prefix}notes_project", "tenant", "project", "created_at", "id"),
    )
    table(
        "consents",
        Column("seq", _sequence(), primary_key=True, autoincrement=True),
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("client_id", Id(), nullable=False),
        Column("purpose", Key(32), nullable=False),
        Column("channel", Key(16), nullable=True),
        Column("granted", Boolean(), nullable=False),
        _moment("at"),
        Column("source", LongText(), nullable=False),
        Column("evidence", LongText(), nullable=False),
        Column("recorded_by", LongText(), nullable=False),
        _moment("recorded_at"),
        UniqueConstraint("tenant", "id"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        Index(f"ix_{prefix}consents_client", "tenant", "client_id", "seq"),
    )
    table(
        "events",
        Column("seq", _sequence(), primary_key=True, autoincrement=True),
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("kind", LongText(), nullable=False),
        Column("entity_id", Id(), nullable=False),
        Column("client_id", Id(), nullable=True),
        Column("actor_id", LongText(), nullable=False),
        _moment("at"),
        Column("actor_roles", LongText(), nullable=False),
        Column("changes", LongText(), nullable=False),
        UniqueConstraint("tenant", "id"),
        Index(f"ix_{prefix}events_client", "tenant", "client_id", "seq"),
    )
    table(
        "visits",
        _tenant(),
        Column("id", Id(), nullable=False),
        Column("staff_id", Id(), nullable=False),
        Column("kind", Key(16), nullable=False),
        _moment("starts_at"),
        _moment("ends_at"),
        _moment("created_at"),
        _moment("updated_at"),
        Column("client_id", Id(), nullable=True),
        Column("subject_id", Id(), nullable=True),
        Column("first_consultation", Boolean(), nullable=False),
        Column("asap", Boolean(), nullable=False),
        Column("notes", LongText(), nullable=False),
        Column("source", LongText(), nullable=False),
        Column("status", Key(16), nullable=False),
        Column("charges", LongText(), nullable=False),
        Column("settled", Boolean(), nullable=False),
        Column("version", Integer(), nullable=False),
        PrimaryKeyConstraint("tenant", "id"),
        fk(["tenant", "staff_id"], "staff", "tenant", "id"),
        fk(["tenant", "client_id"], "clients", "tenant", "id"),
        fk(["tenant", "subject_id"], "subjects", "tenant", "id"),
        Index(f"ix_{prefix}visits_staff", "tenant", "staff_id", "starts_at", "id"),
        Index(f"ix_{prefix}visits_client", "tenant", "client_id", "starts_at", "id"),
    )
    table(
        "working_hours",
        _tenant(),
        Column("staff_id", Id(), nullable=False),
        Column("weekly", LongText(), nullable=False),
        Column("overrides", LongText(), nullable=False),
        PrimaryKeyConstraint("tenant", "staff_id"),
        fk(["tenant", "staff_id"], "staff", "tenant", "id"),
    )
    kind_table(MESSAGES, table, made["clients"], prefix).append_constraint(
        Index(f"ix_{prefix}messages_due", "tenant", "state", "due_at", "id")
    )
    kind_table(MESSAGING_SETTINGS, table, made["clients"], prefix)
    for kind in (MERGES, MERGE_LINKS):  # tables made from the kind, like a host's
        kind_table(kind, table, made["clients"], prefix)
    for kind in GENERIC_OWN_KINDS:
        kind_table(kind, table, made["clients"], prefix)
    made["tasks"].append_constraint(
        Index(f"ix_{prefix}tasks_assigned", "tenant", "assigned_to", "due", "id")
    )
    made["tasks"].append_constraint(fk(["tenant", "assigned_to"], "staff", "tenant", "id"))
    made["linked_records"].append_constraint(
        fk(["tenant", "subject_id"], "subjects", "tenant", "id")
    )
    own = dict(made)
    derived = tuple(
        (kind.name, kind_table(kind, table, own["clients"], prefix)) for kind in SALES_KINDS
    )
    for name, derived_table in derived:
        for suffix, columns in DERIVED_INDEXES.get(name, ()):
            derived_table.append_constraint(
                Index(f"ix_{prefix}{name}_{suffix}", "tenant", *columns)
            )
    for kind in kinds:
        if kind.name in made:
            raise UnsupportedTarget(f"a host's record kind may not be named {kind.name!r}")
    host = tuple((kind.name, kind_table(kind, table, own["clients"], prefix)) for kind in kinds)
    return Tables(metadata=metadata, host=host, derived=derived, **own)


def _column_type(annotation: Any, text_key: bool) -> TypeEngine[Any]:
    """The column type of a field of a host's record kind (see :func:`kind_table`)."""
    options = [a for a in typing.get_args(annotation) if a is not NoneType]
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        return _column_type(options[0], text_key) if len(options) == 1 else LongText()
    if not isinstance(annotation, type):
        return LongText()
    if issubclass(annotation, enum.Enum):
        return Key(64)
    if issubclass(annotation, bool):
        return Boolean()
    if issubclass(annotation, int):
        return BigInteger()
    if issubclass(annotation, uuid.UUID):
        return Id()
    if issubclass(annotation, datetime):
        return Moment()
    if issubclass(annotation, date):
        return Date()
    if issubclass(annotation, str) and text_key:
        return Key(KIND_KEY_LENGTH)
    return LongText()


def kind_table(
    kind: RecordKind[Any], table: Callable[..., Table], clients: Table, prefix: str
) -> Table:
    """The table of a host's record kind, made by ``table(role, *items)`` (its name is
    ``prefix + kind.name``).

    A column per field of the entity: ids, instants, dates, integers, booleans and enum
    values as such, text as text (compared by code point where it is a key, unique or
    ordered on: at most :data:`KIND_KEY_LENGTH` characters), anything nested as JSON
    text. The key is unique per tenant, kinds read in the order written get a ``seq``
    column, a client field refers to the client (a foreign key) and is indexed with the
    order fields after it.
    """
    compared = {kind.key, *kind.unique, *kind.order_by}
    fields = attrs.fields(attrs.resolve_types(kind.entity))
    items: list[Any] = [_tenant()]
    for field in fields:
        nullable = NoneType in typing.get_args(field.type)
        column_type = _column_type(field.type, field.name in compared)
        items.append(Column(field.name, column_type, nullable=nullable))
    if kind.order_by:
        items.append(PrimaryKeyConstraint("tenant", kind.key))
    else:
        items.insert(0, Column("seq", _sequence(), primary_key=True, autoincrement=True))
        items.append(UniqueConstraint("tenant", kind.key))
    items.extend(UniqueConstraint("tenant", name) for name in kind.unique if name != kind.key)
    name = kind.name
    if kind.client_field is not None:
        items.append(
            ForeignKeyConstraint(["tenant", kind.client_field], [clients.c.tenant, clients.c.id])
        )
        order = kind.order_by or ("seq",)
        items.append(Index(f"ix_{prefix}{name}_client", "tenant", kind.client_field, *order))
    return table(name, *items)


@functools.lru_cache(maxsize=64)
def shared_tables(
    prefix: str = DEFAULT_PREFIX, schema: str | None = None, kinds: tuple[RecordKind[Any], ...] = ()
) -> Tables:
    """The :class:`Tables` of ``make_tables(prefix, schema, kinds)``, made once per process
    and reused by every backend with the same prefix, schema and kinds (equal kinds: a
    :class:`RecordKind` compares by value).

    Nothing in them changes once made (the adapter only builds statements from them), so a
    core opened on a host's ``Connection`` per request costs no table building, and the
    statements made once per table (and SQLAlchemy's compiled cache, keyed on them) stay
    warm from one request to the next. The least recently used of 64 combinations is
    dropped, so a host making kinds on the fly cannot grow it without end.
    A host that wants tables of its own to change (for its migrations) calls
    :func:`make_tables` or :func:`make_metadata`, which always build new ones.
    """
    return make_tables(prefix, schema, kinds)


metadata = make_tables().metadata
"""The tables with the default prefix in the default schema (for a host's Alembic)."""


def make_metadata(
    prefix: str = DEFAULT_PREFIX, schema: str | None = None, kinds: Sequence[RecordKind[Any]] = ()
) -> MetaData:
    """The ``MetaData`` of the tables named ``prefix + role`` in ``schema``, with those of
    the host's record ``kinds`` (for the host's own migrations)."""
    return make_tables(prefix, schema, kinds).metadata
