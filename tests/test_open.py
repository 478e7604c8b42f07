"""clientcore.open: URLs, host objects, tenants and the facade's bindings."""

from __future__ import annotations

import pytest

import clientcore
from clientcore.adapters.memory import MemoryBackend
from clientcore.errors import InvalidTenant, UnsupportedTarget


@pytest.mark.parametrize("url", ["redis://localhost", "clinic.db", "", "memory"])
def test_unknown_urls_are_refused_with_the_supported_list(url: str) -> None:
    with pytest.raises(UnsupportedTarget, match="memory://"):
        clientcore.open(url, tenant="t")


def test_unknown_objects_are_refused() -> None:
    with pytest.raises(UnsupportedTarget):
        clientcore.open(object(), tenant="t")


def test_tenant_is_checked_before_anything_is_opened() -> None:
    with pytest.raises(InvalidTenant):
        clientcore.open("memory://", tenant="")


def test_each_memory_url_is_a_new_store_and_rebinding_shares_it() -> None:
    actor = clientcore.Actor("a")
    first = clientcore.open("memory://", tenant="t", actor=actor)
    client = first.clients.register(last_name="Nowak")
    assert clientcore.open("memory://", tenant="t").clients.search().clients == ()
    assert first.acting_as(clientcore.Actor("b")).clients.get(client.id) == client
    assert first.for_tenant("other").clients.search().clients == ()
    assert first.for_tenant("other").tenant == "other"
    assert first.capabilities.transactions


def test_a_host_backend_is_used_as_is_and_not_closed() -> None:
    backend = MemoryBackend()
    with clientcore.open(backend, tenant="t", actor=clientcore.Actor("a")) as core:
        client = core.clients.register(last_name="Nowak")
    assert clientcore.open(backend, tenant="t").clients.get(client.id) == client


def test_actor_needs_an_id() -> None:
    with pytest.raises(ValueError, match="actor"):
        clientcore.Actor("")
