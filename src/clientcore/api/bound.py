"""What a core (synchronous or asyncio) is bound to: a tenant and an actor."""

from __future__ import annotations

from typing import Protocol, Self

from clientcore.entities.common import Actor, check_actor
from clientcore.operations.context import Context


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
