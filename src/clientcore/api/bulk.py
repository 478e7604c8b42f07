"""``core.bulk``: one change to many clients at once (B1, B2), each changed client with its
history event; the result says which clients changed and which were skipped, and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, cast
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.bulk import (
    AddGroup,
    BulkChange,
    BulkResult,
    ClearAttribute,
    RemoveGroup,
    SetAttribute,
    SetCaretaker,
)
from clientcore.entities.client import AttributeValue
from clientcore.errors import ValidationError
from clientcore.operations import bulk
from clientcore.operations.bulk import ClientFilter
from clientcore.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from clientcore.api.runner import Runner

Progress = Callable[[int, int], None]
"""Called after each chunk with how many clients of the selection are done and how many
it has."""


@checked
class Bulk:
    """Bulk changes. Each method takes its selection as ``client_ids`` or ``search`` (one
    of them) and runs all or nothing in one unit of work, unless ``chunk_size`` is given:
    the selection is then read first and changed ``chunk_size`` clients per unit of work,
    each chunk committed before the next starts and ``progress(done, total)`` called after
    it; if a chunk fails, the chunks before it stay done and the error is raised.

    Assigning a price list in bulk is an extension point: a price-list change is one more
    :data:`~clientcore.entities.bulk.BulkChange` run through ``_apply``.
    """

    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def set_attribute(
        self,
        key: str,
        value: object,
        *,
        client_ids: Sequence[UUID] | None = None,
        search: ClientFilter | None = None,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Set the custom attribute ``key`` to ``value`` (validated by its definition)."""
        change = SetAttribute(key, cast(AttributeValue, value))
        return self._apply(change, _selection(client_ids, search), chunk_size, progress)

    def clear_attribute(
        self,
        key: str,
        *,
        client_ids: Sequence[UUID] | None = None,
        search: ClientFilter | None = None,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Remove the custom attribute ``key``; clients without it are skipped."""
        change = ClearAttribute(key)
        return self._apply(change, _selection(client_ids, search), chunk_size, progress)

    def add_group(
        self,
        group_id: UUID,
        *,
        client_ids: Sequence[UUID] | None = None,
        search: ClientFilter | None = None,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        return self._apply(AddGroup(group_id), _selection(client_ids, search), chunk_size, progress)

    def remove_group(
        self,
        group_id: UUID,
        *,
        client_ids: Sequence[UUID] | None = None,
        search: ClientFilter | None = None,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        change = RemoveGroup(group_id)
        return self._apply(change, _selection(client_ids, search), chunk_size, progress)

    def set_caretaker(
        self,
        caretaker_id: UUID | None,
        *,
        client_ids: Sequence[UUID] | None = None,
        search: ClientFilter | None = None,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Make ``caretaker_id`` (an active staff member, or None: none) the caretaker of
        every selected client."""
        change = SetCaretaker(caretaker_id)
        return self._apply(change, _selection(client_ids, search), chunk_size, progress)

    def change_caretaker(
        self,
        old_caretaker_id: UUID,
        new_caretaker_id: UUID | None,
        *,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Make ``new_caretaker_id`` (an active staff member, or None: none) the caretaker
        of every client whose caretaker is ``old_caretaker_id`` (when an employee leaves)."""
        change = SetCaretaker(new_caretaker_id)
        if chunk_size is None:
            result = self._run.write(bulk.change_caretaker, old_caretaker_id, change)
            return _reported(result, progress)
        select = partial(bulk.with_caretaker, caretaker_id=old_caretaker_id)
        return self._apply(change, select, chunk_size, progress)

    def _apply(
        self,
        change: BulkChange,
        select: Callable[[UnitOfWork], Sequence[UUID]],
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Apply ``change`` to the clients ``select(uow)`` returns (see the class)."""
        if chunk_size is None:
            return _reported(self._run.write(bulk.apply_selected, change, select), progress)
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValidationError("chunk_size", "must be a whole number of at least 1")
        ids = self._run.read(select)
        result = BulkResult((), ())
        for start in range(0, len(ids), chunk_size):
            result += self._run.write(bulk.apply, change, ids[start : start + chunk_size])
            if progress is not None:
                progress(min(start + chunk_size, len(ids)), len(ids))
        return result


def _selection(
    client_ids: Sequence[UUID] | None, search: ClientFilter | None
) -> Callable[[UnitOfWork], Sequence[UUID]]:
    """What selects the clients: the ids given, or the clients the search finds."""
    if (client_ids is None) == (search is None):
        raise ValidationError("client_ids", "give either client_ids or search (one of them)")
    if search is not None:
        return partial(bulk.selected, selection=search)
    ids = bulk.check_ids(cast(Sequence[UUID], client_ids))
    return lambda _uow: ids


def _reported(result: BulkResult, progress: Progress | None) -> BulkResult:
    """``result`` of a change made all at once, ``progress`` told that all of it is done."""
    if progress is not None:
        done = result.changed_count + len(result.skipped)
        progress(done, done)
    return result
