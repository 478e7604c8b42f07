"""The fixtures every contract shares; an adapter supplies only ``backend``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

import clientcore
from clientcore.entities.common import Actor, Role
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant


class BackendContract:
    """Base of the contracts. Subclasses provide a ``backend`` fixture.

    The backend may be shared between tests: every test works in tenants of its own.
    """

    @pytest.fixture
    def backend(self) -> Iterator[Backend]:
        raise NotImplementedError("an adapter's test class provides the backend fixture")

    @pytest.fixture
    def clock(self) -> TickingClock:
        return TickingClock()

    @pytest.fixture
    def owner(self) -> Actor:
        return Actor("owner-1", roles={Role.OWNER}, name="Olga Owner")

    @pytest.fixture
    def open_core(self) -> Callable[..., Core]:
        """How the contracts open a core on ``backend``: ``clientcore.open(backend, **options)``.
        An async suite replaces it (see :mod:`clientcore.testing.blocking`), so that the same
        assertions run through :class:`~clientcore.AsyncCore`."""
        return clientcore.open

    @pytest.fixture
    def core(
        self, backend: Backend, clock: TickingClock, owner: Actor, open_core: Callable[..., Core]
    ) -> Core:
        core = open_core(backend, tenant=new_tenant(), actor=owner, clock=clock)
        core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
        return core
