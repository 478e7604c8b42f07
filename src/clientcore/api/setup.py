"""``core.setup``: the tenant's settings, client groups and custom attribute definitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from clientcore.api.checks import checked
from clientcore.api.unset import UNSET, Unset, given
from clientcore.entities.attribute import AttributeDefinition, AttributeType
from clientcore.entities.group import Group
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS
from clientcore.entities.settings import TenantSettings
from clientcore.operations import setup

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Setup:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def configure(
        self,
        *,
        default_region: str | Unset | None = UNSET,
        time_zone: str | Unset = UNSET,
    ) -> TenantSettings:
        """Set the region for national phone numbers ("PL"; ``None`` clears it) and the
        tenant's IANA time zone ("Europe/Warsaw"). A setting not given stays as it is (see
        :data:`UNSET`); a new tenant has no region and the zone "UTC"."""
        return self._run.write(
            setup.configure, given(default_region=default_region, time_zone=time_zone)
        )

    def settings(self) -> TenantSettings:
        return self._run.read(lambda uow: uow.settings.get())

    def define_group(self, name: str) -> Group:
        return self._run.write(setup.define_group, name)

    def groups(self) -> list[Group]:
        return self._run.read(lambda uow: uow.records(GROUPS).find())

    def define_attribute(
        self,
        key: str,
        *,
        label: str,
        type: AttributeType | str,
        choices: Sequence[str] = (),
        personal: bool = True,
    ) -> AttributeDefinition:
        """Define a custom client attribute (text, number, date, choice or flag);
        ``personal=False`` for one that anonymisation is to keep (docs/privacy.md)."""
        return self._run.write(
            setup.define_attribute, key, label=label, type=type, choices=choices, personal=personal
        )

    def attributes(self) -> list[AttributeDefinition]:
        """The custom attribute definitions."""
        return self._run.read(lambda uow: uow.records(ATTRIBUTE_DEFINITIONS).find())
