"""Contract: ``core.transaction()`` runs the calls of its block in one unit of work."""

from __future__ import annotations

import pytest

from clientcore.entities.client import Client
from clientcore.entities.consent import Purpose
from clientcore.entities.event import EventKind
from clientcore.errors import TransactionClosed, ValidationError
from clientcore.facade import Core
from clientcore.testing.contracts.base import BackendContract


class Boom(Exception):
    """What a block raises to be rolled back."""


class TransactionContract(BackendContract):
    def test_calls_on_several_parts_are_kept_together(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        with core.transaction() as tx:
            tx.clients.update(client.id, remarks="consent on paper")
            tx.consents.record(client.id, Purpose.NOTIFICATIONS, granted=True, source="form")
            tx.notes.add(client.id, "signed")
        assert core.clients.get(client.id).remarks == "consent on paper"
        assert [r.purpose for r in core.consents.history(client.id)] == [Purpose.NOTIFICATIONS]
        assert [n.text for n in core.notes.for_client(client.id)] == ["signed"]

    def test_a_block_that_raises_keeps_nothing_it_did(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")

        def block() -> None:
            with core.transaction() as tx:
                tx.clients.update(client.id, remarks="consent on paper")
                tx.consents.record(client.id, Purpose.NOTIFICATIONS, granted=True, source="form")
                tx.notes.add(client.id, "signed")
                tx.clients.register(last_name="Kowalski")
                raise Boom()

        with pytest.raises(Boom):
            block()
        assert core.clients.get(client.id).remarks == ""
        assert core.consents.history(client.id) == []
        assert core.notes.for_client(client.id) == []
        assert [c.id for c in core.clients.search(status="all").clients] == [client.id]
        assert [e.kind for e in core.clients.history(client.id)] == [EventKind.CLIENT_REGISTERED]

    def test_a_client_and_its_consent_are_registered_all_or_nothing(self, core: Core) -> None:
        """Reads inside a block see its writes (MongoDB without transactions too: its unit
        of work reads its own pending writes); a block that raises keeps nothing."""
        registered: list[Client] = []

        def block(*, fail: bool) -> None:
            with core.transaction() as tx:
                client = tx.clients.register(last_name="Nowak")
                tx.consents.record(client.id, Purpose.DATA_PROCESSING, granted=True, source="web")
                assert tx.clients.get(client.id) == client
                registered.append(client)
                if fail:
                    raise Boom()

        with pytest.raises(Boom):
            block(fail=True)
        assert core.clients.search(status="all").clients == ()
        block(fail=False)
        kept = registered[-1]
        assert core.clients.search(status="all").clients == (kept,)
        assert [r.purpose for r in core.consents.history(kept.id)] == [Purpose.DATA_PROCESSING]

    def test_a_transaction_is_closed_after_its_block(self, core: Core) -> None:
        with core.transaction() as tx:
            client = tx.clients.register(last_name="Nowak")
        assert tx.tenant == core.tenant
        assert tx.actor == core.actor
        with pytest.raises(TransactionClosed):
            tx.clients.get(client.id)
        with pytest.raises(TransactionClosed):
            tx.notes.add(client.id, "late")
        assert core.notes.for_client(client.id) == []

    def test_a_change_that_raised_rolls_the_block_back_even_if_caught(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")

        def block() -> None:
            with core.transaction() as tx:
                tx.notes.add(client.id, "kept?")
                with pytest.raises(ValidationError):
                    tx.clients.update(client.id, last_name="")
                with pytest.raises(TransactionClosed):
                    tx.notes.add(client.id, "after the failure")

        with pytest.raises(TransactionClosed) as info:
            block()
        assert isinstance(info.value.__cause__, ValidationError)
        assert core.notes.for_client(client.id) == []
        assert core.clients.get(client.id).last_name == "Nowak"
