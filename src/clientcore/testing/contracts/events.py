"""Contract: a host's event handlers, inside the unit of work and after its commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from clientcore.api.events import HANDLER_DEPTH_LIMIT
from clientcore.api.parts import Transaction
from clientcore.entities.common import Actor
from clientcore.entities.consent import Purpose
from clientcore.entities.event import Event, EventKind
from clientcore.errors import HandlerDepthExceeded
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract


class Veto(Exception):
    """What an in-unit handler raises to refuse a change."""


class EventContract(BackendContract):
    @pytest.fixture
    def reports(self) -> list[tuple[Event, Exception]]:
        return []

    @pytest.fixture
    def reporting_core(
        self,
        backend: Backend,
        clock: TickingClock,
        owner: Actor,
        reports: list[tuple[Event, Exception]],
        open_core: Callable[..., Core],
    ) -> Iterator[Core]:
        yield open_core(
            backend,
            tenant=new_tenant(),
            actor=owner,
            clock=clock,
            on_handler_error=lambda event, error: reports.append((event, error)),
        )

    def test_an_in_unit_handler_writes_in_the_same_unit(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        seen: list[str] = []

        def on_withdrawal(event: Event, tx: Transaction) -> None:
            assert event.client_id is not None
            tx.notes.add(event.client_id, f"withdrew {event.entity_id}")

        core.events.on(EventKind.CONSENT_WITHDRAWN, on_withdrawal)
        core.events.on(
            [EventKind.NOTE_ADDED, EventKind.MEMO_ADDED], lambda e, tx: seen.append(e.kind)
        )
        record = core.consents.record(
            client.id, Purpose.NOTIFICATIONS, granted=False, source="phone"
        )
        assert [n.text for n in core.notes.for_client(client.id)] == [f"withdrew {record.id}"]
        assert seen == [EventKind.NOTE_ADDED]
        kinds = [e.kind for e in core.clients.history(client.id)]
        assert kinds[-2:] == [EventKind.CONSENT_WITHDRAWN, EventKind.NOTE_ADDED]

    def test_an_in_unit_handler_that_raises_rolls_the_change_back(self, core: Core) -> None:
        committed: list[Event] = []

        def refuse(event: Event, tx: Transaction) -> None:
            raise Veto(event.kind)

        core.events.on(EventKind.CLIENT_REGISTERED, refuse)
        core.events.after_commit(EventKind, committed.append)
        with pytest.raises(Veto):
            core.clients.import_many([{"last_name": "Nowak"}, {"last_name": "Lis"}])
        assert core.clients.search(status="all").clients == ()
        assert committed == []

    def test_handlers_see_one_operations_events_in_order(self, core: Core) -> None:
        in_unit: list[object] = []
        committed: list[object] = []
        core.events.on(EventKind.CLIENT_REGISTERED, lambda e, tx: in_unit.append(e.entity_id))
        core.events.after_commit(
            EventKind.CLIENT_REGISTERED, lambda e: committed.append(e.entity_id)
        )
        clients = core.clients.import_many(
            [{"last_name": "Nowak"}, {"last_name": "Lis"}, {"last_name": "Wrona"}]
        )
        assert in_unit == committed == [c.id for c in clients]

    def test_after_commit_handlers_run_only_for_a_committed_change(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        committed: list[str] = []
        core.events.after_commit(
            [EventKind.CLIENT_UPDATED, EventKind.NOTE_ADDED], lambda e: committed.append(e.kind)
        )

        def block() -> None:
            with core.transaction() as tx:
                tx.clients.update(client.id, remarks="x")
                tx.notes.add(client.id, "x")
                raise Veto()

        with pytest.raises(Veto):
            block()
        assert committed == []
        with core.transaction() as tx:
            tx.clients.update(client.id, remarks="y")
            tx.notes.add(client.id, "y")
            assert committed == []
        assert committed == [EventKind.CLIENT_UPDATED, EventKind.NOTE_ADDED]

    def test_a_failing_after_commit_handler_is_reported_and_the_change_kept(
        self,
        reporting_core: Core,
        reports: list[tuple[Event, Exception]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        core = reporting_core
        later: list[str] = []

        def fail(event: Event) -> None:
            raise RuntimeError("the mail server is down")

        core.events.after_commit(EventKind.CLIENT_REGISTERED, fail)
        core.events.after_commit(EventKind.CLIENT_REGISTERED, lambda e: later.append(e.kind))
        with caplog.at_level(logging.ERROR, logger="clientcore"):
            client = core.clients.register(last_name="Nowak")
        assert core.clients.get(client.id) == client
        assert [(event.entity_id, str(error)) for event, error in reports] == [
            (client.id, "the mail server is down")
        ]
        assert later == [EventKind.CLIENT_REGISTERED]
        assert any(record.exc_info for record in caplog.records if record.name == "clientcore")

    def test_handlers_are_shared_by_rebound_cores(self, core: Core) -> None:
        seen: list[tuple[str, str]] = []
        core.events.after_commit(
            EventKind.CLIENT_REGISTERED, lambda e: seen.append((e.actor_id, e.kind))
        )
        core.acting_as(Actor("rita")).clients.register(last_name="Nowak")
        core.for_tenant(new_tenant()).clients.register(last_name="Lis")
        assert seen == [
            ("rita", EventKind.CLIENT_REGISTERED),
            ("owner-1", EventKind.CLIENT_REGISTERED),
        ]

    def test_a_handler_that_answers_itself_is_stopped(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        core.events.on(EventKind.NOTE_ADDED, lambda e, tx: tx.notes.add(client.id, "again"))
        with pytest.raises(HandlerDepthExceeded) as info:
            core.notes.add(client.id, "first")
        assert info.value.limit == HANDLER_DEPTH_LIMIT
        assert core.notes.for_client(client.id) == []

    def test_unknown_kinds_are_refused_when_subscribing(self, core: Core) -> None:
        with pytest.raises(ValueError, match=r"client\.regstered"):
            core.events.on("client.regstered", lambda e, tx: None)  # type: ignore[arg-type]
