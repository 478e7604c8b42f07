"""``core.records(kind)``: the records of one of the host's kinds (or ours, to read)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from clientcore.api.checks import check_fields, checked
from clientcore.entities.kinds import RecordKind
from clientcore.operations import records

if TYPE_CHECKING:
    from clientcore.api.runner import Runner

T = TypeVar("T")


@checked
class KindRecords(Generic[T]):
    """Add, read, replace and delete records of one kind, each change in the history.

    A versioned kind's replacement carries the next version (``version + 1`` of what was
    read), and is refused with ConcurrencyError if someone changed it meanwhile.
    """

    def __init__(self, runner: Runner, kind: RecordKind[T]) -> None:
        self._run = runner
        self.kind = kind

    def _checked(self, record: T) -> T:
        """``record``'s fields checked against the entity's annotations (ValidationError),
        like the arguments of every public method; its class is checked by the operation."""
        if isinstance(record, self.kind.entity):
            check_fields(
                self.kind.entity,
                {
                    field.name: getattr(record, field.name)
                    for field in attrs.fields(cast(Any, type(record)))
                },
            )
        return record

    def _filter(self, fields: Mapping[str, Any]) -> Mapping[str, Any]:
        self.kind.check_fields(fields)
        check_fields(self.kind.entity, fields)
        return fields

    def add(self, record: T) -> T:
        """Store a new record. Raises NotFound (its client), DuplicateName, ValidationError."""
        return self._run.write(records.add, self.kind, self._checked(record))

    def get(self, key: Any) -> T:
        """Raises NotFound; ValidationError for a key not of the key field's type."""
        self._filter({self.kind.key: key})
        return self._run.read(lambda uow: uow.records(self.kind).get(key))

    def find(self, **fields: Any) -> list[T]:
        """The records whose fields equal the values given, in the kind's order."""
        return self._run.read(records.find, self.kind, dict(self._filter(fields)))

    def count(self, **fields: Any) -> int:
        self._filter(fields)
        return self._run.read(lambda uow: uow.records(self.kind).count(**fields))

    def replace(self, record: T) -> T:
        """Raises NotFound, ConcurrencyError, DuplicateName."""
        return self._run.write(records.replace, self.kind, self._checked(record))

    def delete(self, record: T) -> None:
        """Raises NotFound, ConcurrencyError."""
        self._run.write(records.delete, self.kind, self._checked(record))
