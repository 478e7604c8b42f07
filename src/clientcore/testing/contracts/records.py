"""Contract: consents ledger, subjects of service, notes and staff."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clientcore.entities.consent import Channel, Purpose
from clientcore.entities.note import NoteKind
from clientcore.entities.settings import TenantSettings
from clientcore.errors import NotFound, ValidationError
from clientcore.facade import Core
from clientcore.testing.clock import TickingClock
from clientcore.testing.contracts.base import BackendContract


class RecordsContract(BackendContract):
    def test_consent_ledger_keeps_history_and_derives_state(
        self, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        core.consents.record(
            client.id,
            Purpose.NOTIFICATIONS,
            granted=True,
            channel=Channel.SMS,
            source="reception form",
            evidence="form #12",
        )
        core.consents.record(client.id, "commercial_information", granted=True, source="web")
        clock.advance(timedelta(days=1))
        core.consents.record(
            client.id, Purpose.NOTIFICATIONS, granted=False, channel="sms", source="phone call"
        )
        history = core.consents.history(client.id)
        assert [(r.purpose, r.channel, r.granted) for r in history] == [
            (Purpose.NOTIFICATIONS, Channel.SMS, True),
            (Purpose.COMMERCIAL_INFORMATION, None, True),
            (Purpose.NOTIFICATIONS, Channel.SMS, False),
        ]
        assert history[0].evidence == "form #12"
        assert history[0].recorded_by == "owner-1"
        assert core.consents.current(client.id) == {
            (Purpose.NOTIFICATIONS, Channel.SMS): False,
            (Purpose.COMMERCIAL_INFORMATION, None): True,
        }
        assert not core.consents.has(client.id, Purpose.NOTIFICATIONS, Channel.SMS)
        assert core.consents.has(client.id, Purpose.COMMERCIAL_INFORMATION, Channel.EMAIL)
        assert not core.consents.has(client.id, Purpose.THIRD_PARTY_SHARING)
        kinds = [e.kind for e in core.clients.history(client.id)]
        assert kinds.count("consent.granted") == 2
        assert kinds.count("consent.withdrawn") == 1

    def test_consent_given_earlier_is_ordered_by_when_the_client_gave_it(
        self, core: Core, clock: TickingClock
    ) -> None:
        client = core.clients.register(last_name="Nowak")
        now = clock.now()
        core.consents.record(client.id, Purpose.DATA_PROCESSING, granted=False, source="email")
        core.consents.record(
            client.id,
            Purpose.DATA_PROCESSING,
            granted=True,
            source="paper form",
            at=now - timedelta(days=30),
        )
        assert not core.consents.has(client.id, Purpose.DATA_PROCESSING)
        assert core.consents.history(client.id)[1].at == now - timedelta(days=30)

    def test_bad_consents_are_refused(self, core: Core, clock: TickingClock) -> None:
        client = core.clients.register(last_name="Nowak")
        future = clock.now() + timedelta(days=1)
        for kwargs in (
            {"purpose": "marketing", "granted": True, "source": "x"},
            {"purpose": Purpose.DATA_PROCESSING, "granted": True, "source": "x", "channel": "sms"},
            {"purpose": Purpose.NOTIFICATIONS, "granted": True, "source": "x", "channel": "fax"},
            {"purpose": Purpose.NOTIFICATIONS, "granted": "yes", "source": "x"},
            {"purpose": Purpose.NOTIFICATIONS, "granted": True, "source": ""},
            {"purpose": Purpose.NOTIFICATIONS, "granted": True, "source": "x", "at": future},
            {
                "purpose": Purpose.NOTIFICATIONS,
                "granted": True,
                "source": "x",
                "at": datetime(2020, 1, 1),
            },
        ):
            with pytest.raises(ValidationError):
                core.consents.record(client.id, **kwargs)
        assert core.consents.history(client.id) == []

    def test_subjects_of_service(self, core: Core) -> None:
        client = core.clients.register(last_name="Nowak")
        burek = core.subjects.add(client.id, kind="pet", name="Burek", details={"species": "dog"})
        mruczek = core.subjects.add(client.id, kind="pet", name="Mruczek")
        assert core.subjects.get(burek.id) == burek
        assert burek.details == {"species": "dog"}
        renamed = core.subjects.update(
            burek.id, name="Burek II", details={"species": "dog", "chip": "123"}
        )
        assert core.subjects.get(burek.id) == renamed
        assert [s.name for s in core.subjects.for_client(client.id)] == ["Burek II", "Mruczek"]
        changed = core.subjects.deactivate_all(client.id)
        assert {s.id for s in changed} == {burek.id, mruczek.id}
        assert core.subjects.for_client(client.id) == []
        assert len(core.subjects.for_client(client.id, include_inactive=True)) == 2
        core.subjects.reactivate(mruczek.id)
        assert [s.name for s in core.subjects.for_client(client.id)] == ["Mruczek"]
        assert [s.name for s in core.subjects.reactivate_all(client.id)] == ["Burek II"]
        assert "subject.updated" in [e.kind for e in core.clients.history(client.id)]
        with pytest.raises(ValidationError):
            core.subjects.add(client.id, kind="", name="x")
        with pytest.raises(ValidationError):
            core.subjects.add(client.id, kind="pet", name="x", details={"a": "\x00"})
        with pytest.raises(NotFound):
            core.subjects.update(mruczek.client_id, name="no such subject")

    def test_notes_and_memos_by_client_and_project(self, core: Core) -> None:
        first = core.clients.register(last_name="Nowak")
        second = core.clients.register(last_name="Kowalski")
        core.notes.add(first.id, "Called about the invoice.", project="renovation")
        core.notes.add(first.id, "Prefers e-mail.", kind=NoteKind.MEMO)
        core.notes.add(second.id, "Site visit done.\nAll fine.", project="renovation")
        assert [n.text for n in core.notes.for_client(first.id)] == [
            "Called about the invoice.",
            "Prefers e-mail.",
        ]
        assert core.notes.for_client(first.id)[1].kind is NoteKind.MEMO
        assert [n.client_id for n in core.notes.for_project("renovation")] == [first.id, second.id]
        assert core.notes.for_client(first.id)[0].author_id == "owner-1"
        with pytest.raises(ValidationError):
            core.notes.add(first.id, "   ")
        with pytest.raises(ValidationError):
            core.notes.add(first.id, "x", kind="letter")

    def test_staff_members(self, core: Core) -> None:
        anna = core.staff.add("Anna", roles=["staff"])
        bob = core.staff.add("Bob", roles=["administrator"])
        assert [s.name for s in core.staff.list()] == ["Anna", "Bob"]
        core.staff.deactivate(bob.id)
        assert [s.name for s in core.staff.list()] == ["Anna"]
        assert [s.name for s in core.staff.list(active_only=False)] == ["Anna", "Bob"]
        assert core.staff.reactivate(bob.id).active
        assert core.staff.get(anna.id) == anna
        with pytest.raises(ValidationError):
            core.staff.add("x", roles=["janitor"])

    def test_settings(self, core: Core) -> None:
        assert core.setup.settings().default_region == "PL"
        with pytest.raises(ValidationError):
            core.setup.configure(default_region="XX")
        with pytest.raises(ValidationError):
            core.setup.configure(time_zone="Mars/Olympus")
        core.setup.configure(default_region="LT", time_zone="Europe/Vilnius")
        client = core.clients.register(last_name="Žemaitis", phones=["8 612 34567"])
        assert client.phones[0].number == "+37061234567"

    def test_a_setting_not_given_stays(self, core: Core) -> None:
        core.setup.configure(time_zone="Europe/Amsterdam")
        assert core.setup.settings() == TenantSettings("PL", "Europe/Amsterdam")
        core.setup.configure(default_region="NL")
        assert core.setup.settings() == TenantSettings("NL", "Europe/Amsterdam")
        core.setup.configure(default_region=None)
        assert core.setup.settings() == TenantSettings(None, "Europe/Amsterdam")
        core.setup.configure()
        assert core.setup.settings() == TenantSettings(None, "Europe/Amsterdam")
        with pytest.raises(ValidationError):
            core.setup.configure(time_zone=None)  # type: ignore[arg-type]
