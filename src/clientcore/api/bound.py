"""What a core (synchronous or asyncio) is bound to: a tenant and an actor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, Self

from clientcore.api.ids import time_ordered_id
from clientcore.api.runner import SystemClock
from clientcore.entities.common import Actor, Role, check_actor, role_set
from clientcore.operations.context import Context
from clientcore.ports.clock import Clock, IdFactory


class _Runs(Protocol):
    @property
    def tenant(self) -> str: ...

    @property
    def context(self) -> Context: ...


class Bound:
    """The tenant and actor of a core, and copies of it bound to another of either."""

    _runner: _Runs

    @property
    def tenant(self) -> str:
        return self._runner.tenant

    @property
    def actor(self) -> Actor | None:
        return self._runner.context.actor

    def acting_as(self, actor: Actor) -> Self:
        """The same store and tenant, with changes recorded as made by ``actor``."""
        return self._rebind(self.tenant, check_actor(actor))

    def for_tenant(self, tenant: str) -> Self:
        """The same store and actor, scoped to another tenant."""
        return self._rebind(tenant, self.actor)

    def _rebind(self, tenant: str, actor: Actor | None) -> Self:
        raise NotImplementedError


def new_context(
    actor: Actor | None, clock: Clock | None, ids: IdFactory | None, merge_roles: Iterable[Role]
) -> Context:
    """The context a new core (``Core`` or ``AsyncCore``) runs its operations in: the real
    time and time-ordered ids (:func:`time_ordered_id`) unless the host gives its own."""
    return Context(
        actor=actor,
        clock=clock or SystemClock(),
        ids=ids or time_ordered_id,
        merge_roles=role_set(merge_roles),
    )
