"""One generic MongoDB implementation of every client-linked record kind, and its kinds.

Subjects and notes are ordered by creation time, then id; consents and events "as
written", by a per-tenant ``seq`` taken from a counter when they are appended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from clientcore.adapters.mongo.store import Document, Scoped, Sort
from clientcore.entities.common import scrubbed
from clientcore.entities.consent import ConsentRecord
from clientcore.entities.event import Event
from clientcore.entities.note import Note
from clientcore.entities.subject import Subject
from clientcore.errors import ConcurrencyError, NotFound
from clientcore.ports.linked import Linked

T = TypeVar("T", bound=Linked)

BY_CREATION: Sort = (("created_at", 1), ("sid", 1))
AS_WRITTEN: Sort = (("seq", 1),)


class MongoLinkedRecords(Generic[T]):
    """Documents of one kind that refer to clients, in one collection, ordered by ``order``.

    ``sequence(count)`` (for kinds kept in the order written) reserves ``seq`` values.
    """

    def __init__(
        self,
        kind: str,
        cls: type[T],
        *,
        blocks_deletion: bool,
        order: Sort,
        store: Scoped,
        sequence: Callable[[int], int] | None = None,
    ) -> None:
        self._kind = kind
        self._cls = cls
        self._blocks_deletion = blocks_deletion
        self._order = order
        self._store = store
        self._sequence = sequence

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def blocks_deletion(self) -> bool:
        return self._blocks_deletion

    def _missing(self, record_id: UUID) -> Callable[[], NotFound]:
        return lambda: NotFound(self._kind.rstrip("s"), record_id)

    def _document(self, record: T) -> Document:
        document = self._store.work.documents.unstructure(record)
        document["sid"] = str(record.id)
        return document

    def _insert(self, records: Sequence[T]) -> None:
        documents = [self._document(record) for record in records]
        if self._sequence is not None and documents:
            first = self._sequence(len(documents))
            for offset, document in enumerate(documents):
                document["seq"] = first + offset
        self._store.insert(documents)

    def _replace(self, record: T, *, version: int | None = None) -> None:
        """Replace the stored record (keeping its ``seq``); with ``version``, only if that
        version is still the stored one (else NotFound or ConcurrencyError)."""
        if version is None:
            self._store.update(
                {"id": record.id}, self._document(record), missing=self._missing(record.id)
            )
            return
        singular = self._kind.rstrip("s")
        self._store.update(
            {"id": record.id, "version": version},
            self._document(record),
            missing=self._store.stale(singular, record.id, version),
            guarded=True,
            on_conflict=lambda: ConcurrencyError(singular, record.id, version),
        )

    def _get(self, record_id: UUID) -> T:
        return self._store.one({"id": record_id}, self._cls, self._missing(record_id))

    def _select(self, query: dict[str, Any]) -> list[T]:
        return self._store.all(query, self._cls, sort=self._order)

    def for_client(self, client_id: UUID) -> Sequence[T]:
        return self._select({"client_id": client_id})

    def count_for_client(self, client_id: UUID) -> int:
        return self._store.count({"client_id": client_id})

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        moved = self.count_for_client(source_id)
        if moved:
            self._store.move(
                {"client_id": source_id}, {"client_id": target_id}, {"client_id": source_id}
            )
        return moved

    def scrub_client(self, client_id: UUID) -> int:
        changed = 0
        for record in self.for_client(client_id):
            clean = scrubbed(record)
            if clean != record:
                self._replace(clean)
                changed += 1
        return changed


class MongoSubjectRepository(MongoLinkedRecords[Subject]):
    def add(self, subject: Subject) -> None:
        self._insert([subject])

    def get(self, subject_id: UUID) -> Subject:
        return self._get(subject_id)

    def update(self, subject: Subject) -> None:
        self._get(subject.id)
        self._replace(subject)


class MongoNoteRepository(MongoLinkedRecords[Note]):
    def add(self, note: Note) -> None:
        self._insert([note])

    def for_project(self, project: str) -> list[Note]:
        return self._select({"project": project})


class MongoConsentRepository(MongoLinkedRecords[ConsentRecord]):
    def append(self, record: ConsentRecord) -> None:
        self._insert([record])


class MongoEventLog(MongoLinkedRecords[Event]):
    def append(self, events: Sequence[Event]) -> None:
        self._insert(events)
