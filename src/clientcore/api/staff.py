"""``core.staff``: staff members and their working hours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.common import Role
from clientcore.entities.kinds import STAFF
from clientcore.entities.staff import StaffMember
from clientcore.entities.working_hours import DayOverride, WeeklySlot, WorkingHours
from clientcore.operations import setup, working_hours

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Staff:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def add(self, name: str, *, roles: Sequence[Role | str] = ()) -> StaffMember:
        return self._run.write(setup.add_staff, name, roles)

    def get(self, staff_id: UUID) -> StaffMember:
        return self._run.read(lambda uow: uow.records(STAFF).get(staff_id))

    def list(self, *, active_only: bool = True) -> list[StaffMember]:
        return self._run.read(setup.staff_list, active_only=active_only)

    def deactivate(self, staff_id: UUID) -> StaffMember:
        return self._run.write(setup.set_staff_active, staff_id, False)

    def reactivate(self, staff_id: UUID) -> StaffMember:
        return self._run.write(setup.set_staff_active, staff_id, True)

    def set_hours(
        self, staff_id: UUID, weekly: Sequence[WeeklySlot], overrides: Sequence[DayOverride] = ()
    ) -> WorkingHours:
        """Replace a staff member's weekly hours (local time in the tenant's zone) and dated
        exceptions (a DayOverride with no hours is a day off)."""
        return self._run.write(working_hours.set_working_hours, staff_id, weekly, overrides)

    def hours(self, staff_id: UUID) -> WorkingHours:
        return self._run.read(working_hours.hours_of_member, staff_id)
