"""``clientcore demo``: a short story of a vet clinic, told through the public API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import clientcore
from clientcore.entities.common import Actor, Role
from clientcore.entities.consent import Channel, Purpose
from clientcore.entities.contacts import Address, AddressKind
from clientcore.localtime import local_text


def run(url: str, say: Callable[[str], None] = print) -> None:
    """Register clients, find one without diacritics, group them, record consents, show history."""
    reception = Actor("rita", roles={Role.RECEPTION}, name="Rita (reception)")
    with clientcore.open(url, tenant="happy-paws-clinic", actor=reception) as core:
        say(f"Happy Paws vet clinic, data in {url}")
        core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
        vet = core.staff.add("Dr Ewa Wiśniewska", roles=[Role.STAFF])

        lukasz = core.clients.register(
            first_name="Łukasz",
            last_name="Żółkiewski",
            phones=["601 234 567"],
            emails=["lukasz@example.com"],
            source="leaflet",
            caretaker_id=vet.id,
            addresses=[
                Address(
                    AddressKind.RESIDENCE,
                    street="ul. Długa 5",
                    postal_code="00-238",
                    city="Warszawa",
                    country="PL",
                )
            ],
            birthday=date(1985, 3, 14),
        )
        sarunas = core.clients.register(
            first_name="Šarūnas", last_name="Kazlauskas", phones=["+370 612 34567"], source="google"
        )
        core.clients.register(
            kind="company",
            company_name="Boerderij van der Berg",
            emails=["info@vanderberg.example.nl"],
        )
        say(f"Registered 3 clients; Łukasz got code {lukasz.code}, Šarūnas {sarunas.code}.")

        found = core.clients.search("lukasz zolk").clients
        say(f"Search 'lukasz zolk' finds: {', '.join(c.display_name for c in found)}")
        by_phone = core.clients.search("+48 601-234-567").clients
        say(f"Search '+48 601-234-567' finds: {', '.join(c.display_name for c in by_phone)}")

        regulars = core.setup.define_group("regulars")
        core.clients.assign_groups(lukasz.id, regulars.id)
        core.clients.assign_groups(sarunas.id, regulars.id)
        in_group = core.clients.search(group_id=regulars.id).clients
        say(f"Group 'regulars': {', '.join(c.display_name for c in in_group)}")

        core.subjects.add(lukasz.id, kind="pet", name="Burek", details={"species": "dog"})
        core.consents.record(
            lukasz.id,
            Purpose.NOTIFICATIONS,
            granted=True,
            channel=Channel.SMS,
            source="reception form",
            evidence="signed form 2026/118",
        )
        core.consents.record(
            lukasz.id, Purpose.COMMERCIAL_INFORMATION, granted=False, source="form"
        )
        sms_ok = core.consents.has(lukasz.id, Purpose.NOTIFICATIONS, Channel.SMS)
        say(f"Łukasz agreed to SMS notifications: {'yes' if sms_ok else 'no'}")

        owner = core.acting_as(Actor("olga", roles={Role.OWNER}, name="Olga (owner)"))
        owner.clients.update(lukasz.id, last_name="Żółkiewski-Nowak")

        say("History of Łukasz:")
        zone = ZoneInfo(core.setup.settings().time_zone)
        for event in core.clients.history(lukasz.id):
            fields = ", ".join(
                f"{c.field}: {c.old or '-'} -> {c.new or '-'}" for c in event.changes
            )
            when = local_text(event.at.replace(microsecond=0), zone)
            say(f"  {when} {event.actor_id:<5} {event.kind:<18} {fields}")
