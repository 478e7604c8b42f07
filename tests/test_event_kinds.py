"""Every change records an event whose kind is an EventKind member, and every member is
recorded by some change (the operations' tables of kinds are complete and right)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from uuid import UUID, uuid4

import attrs

import clientcore
from clientcore import (
    Actor,
    AttributeType,
    Charge,
    ChargeKind,
    Event,
    EventKind,
    NoteKind,
    Purpose,
    Role,
    SaleLine,
    TimeRange,
    WeeklySlot,
)
from clientcore.testing.clock import TickingClock
from clientcore.testing.kinds import HOST_KINDS, STAMPS, Stamp


def test_every_change_records_an_event_kind_and_every_kind_is_recorded() -> None:
    core = clientcore.open(
        "memory://",
        tenant="t",
        actor=Actor("o", roles={Role.OWNER}),
        kinds=HOST_KINDS,
        clock=TickingClock(),  # before the visits it books
    )
    seen: list[Event] = []
    core.events.after_commit(EventKind, seen.append)

    core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
    vet = core.staff.add("Dr Ewa").id
    core.staff.deactivate(vet)
    core.staff.reactivate(vet)
    core.staff.set_hours(vet, [WeeklySlot(0, TimeRange(time(8), time(18)))])
    group = core.setup.define_group("VIP").id
    core.setup.define_attribute("vip", label="VIP", type=AttributeType.FLAG)
    client = core.clients.register(last_name="Nowak").id
    core.clients.update(client, remarks="calm")
    core.clients.deactivate(client)
    core.clients.reactivate(client)
    core.clients.assign_groups(client, group)
    core.clients.unassign_group(client, group)
    core.notes.add(client, "a note")
    core.notes.add(client, "a memo", kind=NoteKind.MEMO)
    core.consents.record(client, Purpose.NOTIFICATIONS, granted=True, source="form")
    core.consents.record(client, Purpose.NOTIFICATIONS, granted=False, source="phone")
    pet = core.subjects.add(client, kind="pet", name="Burek").id
    core.subjects.update(pet, name="Azor")
    monday = datetime(2026, 6, 1, 8, tzinfo=UTC)  # 10:00 in Warsaw
    visit = core.visits.book(client, vet, monday, 30).id
    core.visits.reschedule(visit, start=monday.replace(hour=9))
    core.visits.update(visit, notes="limps")
    core.visits.set_charges(visit, [Charge(ChargeKind.SERVICE, "x", Decimal(1), Decimal(9), "EUR")])
    core.visits.settle(visit)
    core.visits.mark_arrived(visit)
    _sell(core, client)
    core.visits.cancel(core.visits.book(client, vet, monday.replace(hour=10), 30).id)
    core.visits.mark_no_show(core.visits.book(client, vet, monday.replace(hour=11), 30).id)
    core.visits.delete(core.visits.book(client, vet, monday.replace(hour=12), 30).id)
    pause = core.visits.book_break(vet, monday.replace(hour=13), 15).id
    core.visits.reschedule(pause, duration_minutes=30)
    core.visits.update(pause, notes="lunch")
    core.visits.cancel(pause)
    core.visits.delete(core.visits.book_break(vet, monday.replace(hour=14), 15).id)
    core.visits.delete(visit)
    core.clients.delete(core.clients.register(last_name="Lis").id)
    stamp = core.records(STAMPS).add(Stamp(uuid4(), client, datetime(2026, 1, 5, tzinfo=UTC)))
    core.records(STAMPS).replace(attrs.evolve(stamp, note="second"))
    core.records(STAMPS).delete(stamp)
    core.privacy.forget(client)
    core.privacy.undo_forget(client)
    core.privacy.export(client)
    request = core.privacy.request_anonymisation(client)
    core.privacy.anonymise(client, request.code)
    core.messages.configure(enabled=True)
    texted = core.clients.register(last_name="Sms", phones=["601234567"]).id
    core.messages.cancel(core.messages.send(texted, "a").id)
    core.messages.send(texted, "b", purpose="commercial")
    core.messages.dispatch()  # no commercial consent: suppressed
    twin = core.clients.register(last_name="Nowak").id
    core.subjects.add(twin, kind="pet", name="Azor")
    core.merges.merge(client, [twin])
    first, second = (subject.id for subject in core.subjects.for_client(client))
    core.merges.merge_subjects(first, [second])
    task = core.tasks.create("Call", monday, vet, client_id=client, notify_creator=True)
    core.tasks.done(task.id)
    core.tasks.reopen(task.id)
    linked = core.linked.add(client, clientcore.SUBSCRIPTION, "Gym")
    core.linked.close(linked.id)
    core.linked.set_medical_data(client, allergies="pollen")

    assert all(type(event.kind) is EventKind for event in seen)
    assert {event.kind for event in seen} == set(EventKind)


def _sell(core: clientcore.Core, client: UUID) -> None:
    """Every change of sales, price lists and interests, once."""
    invoice = core.sales.define_type("FV", "Invoice").id
    food = core.products.define("FOOD", "Dog food").id
    prices = core.price_lists.create("Regulars", "EUR").id
    core.price_lists.set_prices(prices, {food: 5})
    core.price_lists.set_prices(prices, {food: 6})
    core.price_lists.assign(prices, [client])
    interest = core.interests.record(client, food)
    draft = core.sales.draft(client, invoice, [SaleLine(1, food)])
    core.sales.set_lines(draft.id, [SaleLine(2, food)])
    core.sales.issue(draft.id)
    core.sales.settle(client, 12, "EUR")
    core.sales.delete_draft(core.sales.draft(client, invoice).id)
    core.interests.remove(interest.id)
    core.price_lists.unassign([client])
