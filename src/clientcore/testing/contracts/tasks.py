"""Contract: tasks (B3), linked records (C9) and the company and medical sections (C7)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import icalendar
import pytest

from clientcore.entities.event import Event, EventKind
from clientcore.entities.kinds import LINKED_RECORDS, MEDICAL_DATA, TASKS
from clientcore.entities.linked import ORDER, SUBSCRIPTION, TREATMENT, LinkedKind, LinkedStatus
from clientcore.entities.sections import MedicalData, special_category_fields
from clientcore.entities.task import TaskStatus
from clientcore.errors import ClientInUse, ConcurrencyError, NotFound, ValidationError
from clientcore.facade import Core
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.contracts.base import BackendContract


class TasksContract(BackendContract):
    def test_task_created_shows_on_the_client_and_in_the_staff_calendar(
        self, core: Core, clock: TickingClock
    ) -> None:
        vet = core.staff.add("Dr Vet").id
        client = core.clients.register(last_name="Nowak")
        due = clock.now() + timedelta(days=2)
        task = core.tasks.create(
            "Call back",
            due,
            vet,
            content="about the results",
            client_id=client.id,
            case="Results 2026",
            notify_creator=True,
        )
        assert core.tasks.get(task.id) == task
        assert task.status is TaskStatus.OPEN
        assert task.created_by == "owner-1"
        assert core.tasks.for_client(client.id) == [task]
        week = (due - timedelta(days=3), due + timedelta(days=3))
        assert core.tasks.for_staff(vet, *week) == [task]
        assert core.tasks.for_staff(vet, due + timedelta(seconds=1), due + timedelta(days=1)) == []
        feed = icalendar.Calendar.from_ical(core.calendar.export_ical(vet, *week))
        todos = [part for part in feed.walk() if part.name == "VTODO"]
        assert [(str(t["summary"]), t.decoded("due"), str(t["status"])) for t in todos] == [
            ("Call back", due.replace(microsecond=0), "NEEDS-ACTION")  # iCalendar: seconds
        ]
        assert "about the results" not in feed.to_ical().decode()  # the content is personal
        created = core.clients.history(client.id)[-1]
        assert created.kind == EventKind.TASK_CREATED
        assert created.entity_id == task.id

    def test_task_done_tells_the_creator_and_reopens(self, core: Core, clock: TickingClock) -> None:
        vet = core.staff.add("Dr Vet").id
        due = clock.now() + timedelta(hours=3)
        task = core.tasks.create("Order food", due, vet, notify_creator=True)
        done = core.tasks.done(task.id, expected_version=task.version)
        assert done.done
        assert done.done_by == "owner-1"
        assert done.version == task.version + 1
        assert (
            core.tasks.for_staff(
                vet, due - timedelta(hours=1), due + timedelta(hours=1), done=False
            )
            == []
        )
        with pytest.raises(ConcurrencyError):
            core.tasks.reopen(task.id, expected_version=task.version)
        reopened = core.tasks.reopen(task.id)
        assert reopened.status is TaskStatus.OPEN
        assert reopened.done_at is None
        assert core.tasks.done(reopened.id).version == reopened.version + 1
        assert core.tasks.get(task.id).done

    def test_task_done_event_names_the_creator_only_when_asked(
        self, core: Core, clock: TickingClock
    ) -> None:
        vet = core.staff.add("Dr Vet").id
        seen: list[Event] = []
        core.events.after_commit(EventKind.TASK_DONE, seen.append)
        asked = core.tasks.create("A", clock.now() + timedelta(days=1), vet, notify_creator=True)
        quiet = core.tasks.create("B", clock.now() + timedelta(days=1), vet)
        core.tasks.done(asked.id)
        core.tasks.done(quiet.id)
        notify = [
            [(c.field, c.new) for c in event.changes if c.field == "notify"] for event in seen
        ]
        assert notify == [[("notify", "owner-1")], []]

    def test_task_one_per_client_for_many_clients(self, core: Core, clock: TickingClock) -> None:
        vet = core.staff.add("Dr Vet").id
        clients = [core.clients.register(last_name=f"K{i}").id for i in range(4)]
        due = clock.now() + timedelta(days=7)
        tasks = core.tasks.create_for_clients(clients, "Vaccination reminder", due, vet)
        assert [task.client_id for task in tasks] == clients
        assert len({task.id for task in tasks}) == 4
        for client_id, task in zip(clients, tasks, strict=True):
            assert core.tasks.for_client(client_id) == [task]
        with pytest.raises(NotFound):
            core.tasks.create_for_clients([clients[0], uuid4()], "X", due, vet)
        assert core.tasks.for_client(clients[0]) == [tasks[0]]  # all or none

    def test_task_input_is_checked(self, core: Core, clock: TickingClock) -> None:
        vet = core.staff.add("Dr Vet").id
        due = clock.now()
        with pytest.raises(ValidationError):
            core.tasks.create("", due, vet)
        with pytest.raises(NotFound):
            core.tasks.create("Call", due, uuid4())
        with pytest.raises(NotFound):
            core.tasks.create("Call", due, vet, client_id=uuid4())
        other = core.for_tenant(new_tenant())
        with pytest.raises(NotFound):
            other.tasks.create("Call", due, vet)
        assert core.records(TASKS).count() == 0

    def test_task_goes_with_its_client_when_it_is_deleted(
        self, core: Core, clock: TickingClock
    ) -> None:
        vet = core.staff.add("Dr Vet").id
        client = core.clients.register(last_name="Nowak")
        core.tasks.create("Call", clock.now(), vet, client_id=client.id)
        core.clients.delete(client.id)
        assert core.records(TASKS).count() == 0

    def test_linked_records_of_every_kind_show_on_the_client(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        rental = LinkedKind("rental", "Rental")
        gym = core.linked.add(
            client.id, SUBSCRIPTION, "Gym", starts_on=date(2026, 1, 1), details={"plan": "gold"}
        )
        order = core.linked.add(client.id, ORDER, "Order 12/2026", details={"number": "12"})
        hired = core.linked.add(client.id, rental, "Bike")
        treatment = core.linked.add(client.id, TREATMENT, "Physiotherapy", notes="knee")
        assert core.linked.for_client(client.id) == [gym, order, hired, treatment]
        assert core.linked.for_client(client.id, rental) == [hired]
        assert treatment.special_category
        assert not gym.special_category
        stopped = core.linked.close(gym.id, ends_on=date(2026, 6, 30))
        assert stopped.status is LinkedStatus.CLOSED
        assert stopped.ends_on == date(2026, 6, 30)
        assert stopped.version == gym.version + 1
        assert core.linked.close(gym.id) == stopped
        with pytest.raises(ValidationError):
            core.linked.add(client.id, ORDER, "")
        kinds = [e.kind for e in core.clients.history(client.id)]
        assert kinds.count(EventKind.LINKED_ADDED) == 4
        assert kinds.count(EventKind.LINKED_CLOSED) == 1
        with pytest.raises(ClientInUse):
            core.clients.delete(client.id)
        assert core.records(LINKED_RECORDS).count(client_id=client.id) == 4

    def test_linked_record_dates_and_subject_are_checked(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        other = core.clients.register(last_name="Inny")
        pet = core.subjects.add(other.id, kind="pet", name="Burek")
        with pytest.raises(ValidationError):
            core.linked.add(
                client.id, ORDER, "Bad", starts_on=date(2026, 2, 1), ends_on=date(2026, 1, 1)
            )
        with pytest.raises(ValidationError):
            core.linked.add(client.id, ORDER, "Not theirs", subject_id=pet.id)
        with pytest.raises(NotFound):
            core.linked.add(uuid4(), ORDER, "Nobody")
        assert core.linked.for_client(client.id) == []

    def test_linked_company_and_medical_sections(self, core: Core) -> None:
        client = core.clients.register(kind="company", company_name="ACME")
        assert core.linked.company_data(client.id) is None
        company = core.linked.set_company_data(client.id, tax_id="PL123", legal_form="sp. z o.o.")
        assert core.linked.company_data(client.id) == company
        changed = core.linked.set_company_data(client.id, tax_id="PL124", expected_version=1)
        assert changed.tax_id == "PL124"
        assert changed.legal_form == "sp. z o.o."
        with pytest.raises(ConcurrencyError):
            core.linked.set_company_data(client.id, tax_id="PL125", expected_version=1)
        with pytest.raises(ValidationError):
            core.linked.set_company_data(client.id, **{"shoe_size": "42"})  # type: ignore[arg-type]
        medical = core.linked.set_medical_data(client.id, allergies="penicillin")
        assert core.linked.medical_data(client.id) == medical
        assert set(special_category_fields(MedicalData)) == set(MEDICAL_DATA.personal_fields)
        history = core.clients.history(client.id)[-1]
        assert history.kind == EventKind.SECTION_SET
        assert [(c.field, c.old, c.new) for c in history.changes] == [("allergies", None, None)]
        assert "penicillin" not in repr(core.clients.history(client.id))
