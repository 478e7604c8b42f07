"""The MongoDB records port: one generic implementation for every record kind, ours or a
host's, each in a collection of its own (see :mod:`.layout` for its documents).

* Unique fields (and the key) have unique indexes: a value taken by a concurrent writer is
  refused by the server even where this unit's own check saw it free.
* A versioned kind's ``replace`` and ``delete`` are conditional writes on
  ``{key, version}``: a concurrent change makes them match nothing (ConcurrencyError).
* Without transactions a unit's writes wait for its commit (see :mod:`.store`), so the
  store cannot show them to the unit's own reads: each records object keeps the records
  its unit wrote (``_mine``) and reads them in place of the stored ones, as a transaction
  would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs
from bson import ObjectId

from clientcore.adapters.mongo.layout import Layout
from clientcore.adapters.mongo.store import Document, Scoped
from clientcore.entities.kinds import RecordKind, key_text
from clientcore.errors import ClientCoreError, ConcurrencyError, StorageBusy

T = TypeVar("T")

Row = tuple[Any, Any]
"""A record (None: deleted by this unit) and its stored tiebreak (``seq`` or ``_id``)."""


class MongoRecords(Generic[T]):
    """The records of one kind in one tenant, in one unit of work.

    ``sequence(count)`` reserves ``seq`` values (kinds kept in the order written).
    """

    def __init__(
        self,
        layout: Layout[T],
        store: Scoped,
        *,
        sequence: Callable[[int], int] | None = None,
    ) -> None:
        if layout.as_written and sequence is None:
            raise ValueError(f"{layout.kind.name} are kept in the order written: pass sequence")
        self._layout = layout
        self._kind = layout.kind
        self._store = store
        self._documents = store.work.documents
        self._sequence = sequence
        self._mine: dict[Any, Row] = {}
        """What this unit wrote, by key (kept in both modes: visits read it beside fresh
        reads; without transactions every read does)."""
        self._mine_unique: dict[str, dict[Any, Any]] = {name: {} for name in self._kind.unique}
        """The keys of ``_mine``'s records by the value of each unique field."""

    @property
    def kind(self) -> RecordKind[T]:
        return self._kind

    # -- documents ---------------------------------------------------------------------
    def _document(self, record: T) -> Document:
        document = self._documents.unstructure(record)
        for field, copy in self._layout.text_copies.items():
            value = getattr(record, field)
            document[copy] = None if value is None else str(value)
        return document

    def _value(self, field: str, value: Any) -> Any:
        """``value`` of ``field`` as stored, for a query."""
        self._kind.check_fields([field])
        return self._documents.value(value, self._layout.types[field])

    def _query(self, fields: Mapping[str, Any]) -> Document:
        return {name: self._value(name, value) for name, value in fields.items()}

    def _key_query(self, key: Any) -> Document:
        return {self._kind.key: self._value(self._kind.key, key)}

    def _row(self, document: Document) -> tuple[T, Any]:
        record = self._documents.structure(document, self._kind.entity)
        tiebreak = self._layout.tiebreak
        return record, None if tiebreak is None else document.get(tiebreak)

    def _remember(self, key: Any, record: T | None, tiebreak: Any) -> None:
        """This unit wrote ``record`` (None: deleted the record) with ``key``."""
        before = self._mine.get(key, (None, None))[0]
        for name, owners in self._mine_unique.items():
            if before is not None and owners.get(getattr(before, name)) == key:
                del owners[getattr(before, name)]
            if record is not None:
                owners[getattr(record, name)] = key
        self._mine[key] = (record, tiebreak)

    # -- reads -------------------------------------------------------------------------
    @property
    def _reads_mine(self) -> bool:
        """Whether reads must add this unit's kept writes to what the store holds."""
        return self._store.work.keeps_writes and bool(self._mine)

    def _lookup(self, key: Any) -> tuple[T, Any] | None:
        """The record with ``key`` as this unit sees it, with its tiebreak."""
        if self._reads_mine and key in self._mine:
            record, tiebreak = self._mine[key]
            return None if record is None else (record, tiebreak)
        document = self._store.find_one(self._key_query(key))
        return None if document is None else self._row(document)

    def get(self, key: Any) -> T:
        found = self._lookup(key)
        if found is None:
            raise self._kind.not_found(key)
        return found[0]

    def get_many(self, keys: Sequence[Any]) -> dict[Any, T]:
        wanted = list(dict.fromkeys(keys))
        found: dict[Any, T] = {}
        asked = wanted
        if self._reads_mine:
            asked = [key for key in wanted if key not in self._mine]
            for key in wanted:
                record = self._mine[key][0] if key in self._mine else None
                if record is not None:
                    found[key] = record
        if asked:
            values = [self._value(self._kind.key, key) for key in asked]
            for document in self._store.find({self._kind.key: {"$in": values}}):
                record = self._row(document)[0]
                found[self._kind.key_of(record)] = record
        return {key: found[key] for key in wanted if key in found}

    def _rows(self, query: Document, keep: Callable[[T], bool]) -> list[tuple[T, Any]]:
        """The records ``query`` matches (``keep``: the same test on a record of
        ``_mine``), in the kind's order, with their tiebreaks."""
        if not self._reads_mine:
            return [self._row(d) for d in self._store.find(query, sort=self._layout.sort)]
        rows = [
            row
            for row in map(self._row, self._store.find(query))
            if self._kind.key_of(row[0]) not in self._mine
        ]
        rows += [(r, tiebreak) for r, tiebreak in self._mine.values() if r is not None and keep(r)]
        rows.sort(key=lambda row: self._layout.order(*row))
        return rows

    def _select(self, query: Document, keep: Callable[[T], bool]) -> list[T]:
        return [record for record, _ in self._rows(query, keep)]

    def find(self, **fields: Any) -> list[T]:
        return self._select(self._query(fields), _equal_to(fields))

    def count(self, **fields: Any) -> int:
        if self._reads_mine:
            return len(self.find(**fields))
        return self._store.count(self._query(fields))

    # -- checks ------------------------------------------------------------------------
    def _refuse_duplicates(self, records: Sequence[T], *, new: bool) -> None:
        """A record whose key or unique field's value another one has (among ``records``
        or stored; the key only when the records are ``new``) is refused at once,
        ``kind.duplicate``, as every store refuses it (without transactions, not only when
        the unit commits). What concurrent writers store
        meanwhile the unique indexes refuse at the write."""
        kind = self._kind
        for field in (kind.key, *kind.unique):
            seen: set[Any] = set()
            for record in records:
                value = getattr(record, field)
                if value in seen:
                    raise kind.duplicate(record)
                seen.add(value)
        clauses = [
            {field: {"$in": [self._value(field, getattr(r, field)) for r in records]}}
            for field in (kind.key, *kind.unique)
            if new or field != kind.key
        ]
        if not clauses:
            return
        others = [self._row(d)[0] for d in self._store.find({"$or": clauses})]
        if self._reads_mine:
            others = [other for other in others if kind.key_of(other) not in self._mine]
        stored_keys = {kind.key_of(other) for other in others}
        for record in records:
            key = kind.key_of(record)
            if new and key in stored_keys:
                raise kind.duplicate(record)
            for field in kind.unique:
                value = getattr(record, field)
                owner = self._mine_unique[field].get(value) if self._reads_mine else None
                if owner is not None and owner != key:
                    raise kind.duplicate(record)
                if any(kind.key_of(o) != key and getattr(o, field) == value for o in others):
                    raise kind.duplicate(record)

    def _check_version(self, stored: T, version: int) -> None:
        if self._kind.versioned and getattr(stored, "version") != version:  # noqa: B009
            raise ConcurrencyError(self._kind.singular, self._kind.key_of(stored), version)

    def _stale(self, key: Any, version: int) -> Callable[[], ClientCoreError]:
        """The error of a versioned write that matched nothing: the record is gone
        (NotFound) or another unit of work changed it first (ConcurrencyError)."""

        def error() -> ClientCoreError:
            if self._store.find_one(self._key_query(key)) is None:
                return self._kind.not_found(key)
            return ConcurrencyError(self._kind.singular, key, version)

        return error

    # -- writes ------------------------------------------------------------------------
    def add(self, *records: T) -> None:
        if not records:
            return
        kind = self._kind
        if self._reads_mine:
            for record in records:
                if self._mine.get(kind.key_of(record), (None,))[0] is not None:
                    raise kind.duplicate(record)
        self._refuse_duplicates(records, new=True)
        documents = [self._document(record) for record in records]
        if self._layout.as_written:
            assert self._sequence is not None
            first = self._sequence(len(documents))
            for offset, document in enumerate(documents):
                document["seq"] = first + offset
        else:
            for document in documents:
                document["_id"] = ObjectId()

        def duplicate(values: Mapping[str, Any]) -> ClientCoreError:
            named = {field: value for field, value in values.items() if field != "tenant"}
            for record, document in zip(records, documents, strict=True):
                if named and all(document.get(f) == v for f, v in named.items()):
                    return kind.duplicate(record)
            return kind.duplicate(records[0])

        self._store.insert(documents, guarded=bool(kind.unique), on_duplicate=duplicate)
        tiebreak = self._layout.tiebreak
        for record, document in zip(records, documents, strict=True):
            self._remember(kind.key_of(record), record, tiebreak and document[tiebreak])

    def replace(self, record: T) -> None:
        self._store_replacement(record, self._replaceable(record))

    def _replaceable(self, record: T) -> tuple[T, Any]:
        """The stored record that ``record`` replaces, with its tiebreak, checked: it
        exists (NotFound) at the version before (ConcurrencyError), and ``record`` takes no
        unique value of another (DuplicateName)."""
        key = self._kind.key_of(record)
        found = self._lookup(key)
        if found is None:
            raise self._kind.not_found(key)
        if self._kind.versioned:
            self._check_version(found[0], getattr(record, "version") - 1)  # noqa: B009
        if self._kind.unique:
            self._refuse_duplicates([record], new=False)
        return found

    def _store_replacement(self, record: T, found: tuple[T, Any]) -> None:
        kind = self._kind
        key = kind.key_of(record)
        query = self._key_query(key)
        missing: Callable[[], ClientCoreError] = lambda: kind.not_found(key)  # noqa: E731
        conflict = None
        if kind.versioned:
            expected = getattr(record, "version") - 1  # noqa: B009
            query["version"] = expected
            missing = self._stale(key, expected)
            conflict = lambda: ConcurrencyError(kind.singular, key, expected)  # noqa: E731
        self._store.update(
            query,
            self._document(record),
            missing=missing,
            guarded=kind.versioned or bool(kind.unique),
            on_duplicate=lambda _: kind.duplicate(record),
            on_conflict=conflict,
        )
        self._remember(key, record, found[1])

    def delete(self, record: T) -> None:
        kind = self._kind
        key = kind.key_of(record)
        found = self._lookup(key)
        if found is None:
            raise kind.not_found(key)
        query = self._key_query(key)
        if kind.versioned:
            version: int = getattr(record, "version")  # noqa: B009
            self._check_version(found[0], version)
            query["version"] = version
            self._store.delete(
                query,
                missing=self._stale(key, version),
                on_conflict=lambda: ConcurrencyError(kind.singular, key, version),
            )
        else:
            self._store.delete(query, missing=lambda: kind.not_found(key))
        self._remember(key, None, None)

    def move(self, source: UUID, target: UUID) -> list[str]:
        kind = self._kind
        keys = [key_text(kind.key_of(record)) for record in self.find(**kind.of_client(source))]
        self.reassign(source, target)
        return keys

    def reassign(self, source: UUID, target: UUID) -> int:
        """Move the client's records to ``target`` in one ``update_many`` (bumping the
        version of each record of a versioned kind)."""
        of_source = self._kind.of_client(source)
        (field,) = of_source
        if source == target:
            return 0
        moving = self._rows(self._query(of_source), _equal_to(of_source))
        if not moving:
            return 0
        changes: dict[str, Any] = {field: target}
        back: dict[str, Any] = {field: source}
        copy = self._layout.text_copies.get(field)
        if copy is not None:
            changes[copy], back[copy] = str(target), str(source)
        bump = "version" if self._kind.versioned else None
        self._store.move(self._query(of_source), changes, back, bump=bump)
        for record, tiebreak in moving:
            moved = {field: target}
            if bump is not None:
                moved[bump] = getattr(record, bump) + 1
            new = attrs.evolve(record, **moved)  # type: ignore[misc]
            self._remember(self._kind.key_of(record), new, tiebreak)
        return len(moving)

    def scrub(self, client_id: UUID) -> int:
        """Blank the client's records' personal fields (see :meth:`rewrite`)."""
        return self.rewrite(self._kind.scrubbed, self._kind.of_client(client_id))

    def rewrite(
        self, change: Callable[[T], T], where: Mapping[str, Any], *, only: Sequence[str] = ()
    ) -> int:
        """Replace each record whose fields equal ``where`` by ``change(record)`` where that
        differs (storing the fields ``only`` names alone, if given); how many changed. A
        record changed or removed meanwhile (a versioned one: its version) fails the commit
        with StorageBusy, and the whole change runs again."""
        changed = 0
        for record, tiebreak in self._rows(self._query(where), _equal_to(where)):
            new = change(record)
            if new == record:
                continue
            key = self._kind.key_of(record)
            query = self._key_query(key)
            if self._kind.versioned:
                query["version"] = getattr(record, "version")  # noqa: B009
            document = self._document(new)
            if only:
                document = {field: document[field] for field in only}
            self._store.update(query, document, missing=_changed_meanwhile(key))
            self._remember(key, new, tiebreak)
            changed += 1
        return changed


def _equal_to(fields: Mapping[str, Any]) -> Callable[[Any], bool]:
    wanted = list(fields.items())
    return lambda record: all(getattr(record, name) == value for name, value in wanted)


def _changed_meanwhile(key: Any) -> Callable[[], ClientCoreError]:
    return lambda: StorageBusy(
        f"record {key} was changed or removed by another unit of work meanwhile; nothing was "
        "changed, run it again"
    )
