"""A hypothesis state machine that drives several backends through the same operations.

Every backend gets the same tenant set-up, the same clock and the same sequence of ids, so
the in-memory reference and every other adapter must return equal results and raise the
same errors, step after step, and show equal client lists and histories after every step.
A host checks its own adapter with it::

    class TestAgreement(agreement_machine([MemoryBackend(HOST_KINDS), MyBackend(...)]).TestCase):
        settings = hypothesis.settings(max_examples=25)

Every backend is made with the host kinds of :mod:`clientcore.testing.kinds`
(``HOST_KINDS``): the machine writes them through the generic records port too.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import clientcore
from clientcore.entities.common import Actor, Role
from clientcore.entities.consent import Purpose
from clientcore.entities.sales import SaleLine
from clientcore.errors import ClientCoreError
from clientcore.facade import Core
from clientcore.ports.unit_of_work import Backend
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.kinds import INVOICES, STAMPS, Invoice, Stamp

T = TypeVar("T")

OWNER = Actor("owner-1", roles={Role.OWNER})
START = datetime(2026, 3, 2, 8, tzinfo=UTC)
FIRST_NAMES = ["Łukasz", "Lukas", "Šarūnas", "Eglė", "Daan", "Zoë", ""]
LAST_NAMES = ["Nowak", "Nowakowska", "Żółć", "Kazlauskas", "de Vries", "van Dijk", ""]
PHONES = ["601 234 567", "+48 601 234 568", "+370 612 34567", "06 12345678", "123"]
CODES = ["A-1", "A-2", "1", "2", "3"]
TEXTS = ["", "no", "now", "nowak", "lukas", "zolc", "601", "+48 601", "a-", "de v", "%", "_"]
GROUPS = ["regulars", "allergic", "Regulars"]
INVOICE_NUMBERS = ["FV/1", "FV/2", "FV/3"]
PRICES = ["0.335", "10.00", "99.99", "250"]

Outcome = tuple[str, Any]


class SeededIds:
    """Ids from a seeded generator: every backend of a run sees the same sequence."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self._random.getrandbits(128), version=4)


def agreement_machine(backends: Sequence[Backend]) -> type[RuleBasedStateMachine]:
    """A state machine over ``backends``; the first is the reference the others must match."""

    class Agreement(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            tenant = new_tenant("agree")
            seed = random.getrandbits(32)
            self.cores = [
                clientcore.open(
                    backend,
                    tenant=tenant,
                    actor=OWNER,
                    clock=TickingClock(START - timedelta(hours=1)),
                    ids=SeededIds(seed),
                )
                for backend in backends
            ]
            self.apply(
                lambda core: core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
            )
            staff = self.apply(lambda core: core.staff.add("Dr Anna").id)
            assert staff is not None
            self.staff = staff
            self.clients: list[uuid.UUID] = []
            self.groups: list[uuid.UUID] = []
            self.invoices: list[uuid.UUID] = []
            per_line = self.apply(lambda core: core.sales.define_type("FV", "Invoice").id)
            per_document = self.apply(
                lambda core: core.sales.define_type("PA", "Receipt", rounding="per_document").id
            )
            assert per_line is not None
            assert per_document is not None
            self.document_types = [per_line, per_document]

        def apply(self, operation: Callable[[Core], T]) -> T | None:
            """Run ``operation`` on every backend; all must agree on its result or error.
            Returns the result, or None if it raised (the same error everywhere)."""
            outcomes: list[Outcome] = []
            for core in self.cores:
                try:
                    outcomes.append(("returned", operation(core)))
                except ClientCoreError as error:
                    outcomes.append(("raised", (type(error).__name__, str(error))))
            reference = outcomes[0]
            for index, outcome in enumerate(outcomes[1:], start=1):
                assert outcome == reference, f"backend {index} disagrees: {outcome} != {reference}"
            return reference[1] if reference[0] == "returned" else None

        def _client(self, index: int) -> uuid.UUID:
            return self.clients[index % len(self.clients)]

        @rule(
            first=st.sampled_from(FIRST_NAMES),
            last=st.sampled_from(LAST_NAMES),
            phone=st.none() | st.sampled_from(PHONES),
            code=st.none() | st.sampled_from(CODES),
        )
        def register(self, first: str, last: str, phone: str | None, code: str | None) -> None:
            fields: dict[str, Any] = {"first_name": first, "last_name": last}
            if phone is not None:
                fields["phones"] = [phone]
            if code is not None:
                fields["code"] = code
            client = self.apply(lambda core: core.clients.register(**fields))
            if client is not None:
                self.clients.append(client.id)

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), last=st.sampled_from(LAST_NAMES), stale=st.booleans())
        def update(self, index: int, last: str, stale: bool) -> None:
            client_id = self._client(index)
            expected = 1 if stale else None
            self.apply(
                lambda core: core.clients.update(
                    client_id, expected_version=expected, last_name=last
                )
            )

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), active=st.booleans())
        def set_status(self, index: int, active: bool) -> None:
            client_id = self._client(index)
            if active:
                self.apply(lambda core: core.clients.reactivate(client_id))
            else:
                self.apply(lambda core: core.clients.deactivate(client_id))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50))
        def delete(self, index: int) -> None:
            client_id = self._client(index)
            self.apply(lambda core: core.clients.delete(client_id))

        @rule(name=st.sampled_from(GROUPS))
        def define_group(self, name: str) -> None:
            group = self.apply(lambda core: core.setup.define_group(name))
            if group is not None:
                self.groups.append(group.id)

        @precondition(lambda self: self.clients and self.groups)
        @rule(index=st.integers(0, 50), which=st.integers(0, 5), assign=st.booleans())
        def group(self, index: int, which: int, assign: bool) -> None:
            client_id, group_id = self._client(index), self.groups[which % len(self.groups)]
            if assign:
                self.apply(lambda core: core.clients.assign_groups(client_id, group_id))
            else:
                self.apply(lambda core: core.clients.unassign_group(client_id, group_id))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), name=st.sampled_from(["Burek", "Mruczek", ""]))
        def add_subject(self, index: int, name: str) -> None:
            client_id = self._client(index)
            self.apply(lambda core: core.subjects.add(client_id, kind="pet", name=name))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), active=st.booleans())
        def subjects_active(self, index: int, active: bool) -> None:
            client_id = self._client(index)
            if active:
                self.apply(lambda core: core.subjects.reactivate_all(client_id))
            else:
                self.apply(lambda core: core.subjects.deactivate_all(client_id))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), purpose=st.sampled_from(Purpose), granted=st.booleans())
        def consent(self, index: int, purpose: Purpose, granted: bool) -> None:
            client_id = self._client(index)
            self.apply(
                lambda core: core.consents.record(
                    client_id, purpose, granted=granted, source="form"
                )
            )

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), slot=st.integers(0, 12), minutes=st.sampled_from([15, 45]))
        def book(self, index: int, slot: int, minutes: int) -> None:
            client_id, start = self._client(index), START + timedelta(minutes=30 * slot)
            self.apply(
                lambda core: core.visits.book(
                    client_id, self.staff, start, minutes, override_hours=True
                )
            )

        @precondition(lambda self: self.clients)
        @rule(
            index=st.integers(0, 50),
            number=st.sampled_from(INVOICE_NUMBERS),
            key=st.integers(1, 2**32),
        )
        def add_invoice(self, index: int, number: str, key: int) -> None:
            """A host's kind, through the generic records port: unique numbers, versions."""
            invoice = Invoice(
                uuid.UUID(int=key), self._client(index), number, START, Decimal("10.00")
            )
            if self.apply(lambda core: core.records(INVOICES).add(invoice)) is not None:
                self.invoices.append(invoice.id)

        @precondition(lambda self: self.invoices)
        @rule(which=st.integers(0, 50), stale=st.booleans(), remove=st.booleans())
        def change_invoice(self, which: int, stale: bool, remove: bool) -> None:
            key = self.invoices[which % len(self.invoices)]
            stored = self.apply(lambda core: core.records(INVOICES).get(key))
            if stored is None:
                return
            if remove:
                self.apply(lambda core: core.records(INVOICES).delete(stored))
                return
            version = stored.version if stale else stored.version + 1
            paid = attrs.evolve(stored, paid=not stored.paid, version=version)
            self.apply(lambda core: core.records(INVOICES).replace(paid))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), key=st.integers(1, 2**32))
        def add_stamp(self, index: int, key: int) -> None:
            stamp = Stamp(uuid.UUID(int=key), self._client(index), START, "stamp")
            self.apply(lambda core: core.records(STAMPS).add(stamp))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), undo=st.booleans())
        def forget(self, index: int, undo: bool) -> None:
            """Forget a client (pets deactivated, visits to come cancelled), or undo it."""
            client_id = self._client(index)
            if undo:
                self.apply(lambda core: core.privacy.undo_forget(client_id))
            else:
                self.apply(lambda core: core.privacy.forget(client_id))

        @precondition(lambda self: self.clients)
        @rule(
            index=st.integers(0, 50),
            rounding=st.integers(0, 1),
            prices=st.lists(st.sampled_from(PRICES), min_size=1, max_size=3),
            issue=st.booleans(),
        )
        def sell(self, index: int, rounding: int, prices: list[str], issue: bool) -> None:
            """A sales document (drafted, perhaps issued: numbered from the counter)."""
            client_id, type_id = self._client(index), self.document_types[rounding]
            lines = [
                SaleLine(
                    Decimal(3), unit_price=Decimal(p), vat_rate=23, description="x", kind="goods"
                )
                for p in prices
            ]
            document = self.apply(
                lambda core: core.sales.draft(client_id, type_id, lines, currency="PLN")
            )
            if document is not None and issue:
                self.apply(lambda core: core.sales.issue(document.id))

        @precondition(lambda self: self.clients)
        @rule(index=st.integers(0, 50), amount=st.sampled_from(PRICES))
        def pay(self, index: int, amount: str) -> None:
            """A settlement of the client's open documents (Overpayment beyond them)."""
            client_id = self._client(index)
            self.apply(lambda core: core.sales.settle(client_id, Decimal(amount), "PLN"))

        @precondition(lambda self: len(self.clients) >= 2)
        @rule(
            base=st.integers(0, 50),
            merged=st.lists(st.integers(0, 50), min_size=1, max_size=2),
            choose=st.booleans(),
            dry_run=st.booleans(),
        )
        def merge(self, base: int, merged: list[int], choose: bool, dry_run: bool) -> None:
            """Merge (or preview merging) clients: refused ones (merged already, with
            itself) must be refused alike everywhere."""
            base_id = self._client(base)
            merged_ids = [self._client(index) for index in merged]
            choice = {"last_name": merged_ids[0]} if choose else None
            self.apply(
                lambda core: core.merges.merge(base_id, merged_ids, choose=choice, dry_run=dry_run)
            )

        @rule(text=st.sampled_from(TEXTS), status=st.sampled_from(["active", "inactive", "all"]))
        def search(self, text: str, status: str) -> None:
            self.apply(lambda core: core.clients.search(text, status=status, limit=5))

        @rule()
        def unknown_id(self) -> None:
            missing = uuid.UUID(int=0)
            self.apply(lambda core: core.clients.get(missing))

        @invariant()
        def stores_agree(self) -> None:
            self.apply(lambda core: core.clients.search(status="all", limit=1000))
            self.apply(lambda core: core.records(INVOICES).find())
            self.apply(lambda core: core.records(STAMPS).find())
            for client_id in self.clients[-3:]:
                self.apply(lambda core, client_id=client_id: core.clients.history(client_id))  # type: ignore[misc]
                self.apply(lambda core, client_id=client_id: core.calendar.for_client(client_id))  # type: ignore[misc]
                self.apply(lambda core, client_id=client_id: core.sales.for_client(client_id))  # type: ignore[misc]
                self.apply(lambda core, client_id=client_id: core.merges.surviving(client_id))  # type: ignore[misc]
                self.apply(lambda core, client_id=client_id: core.merges.journal(client_id))  # type: ignore[misc]
                self.apply(lambda core, client_id=client_id: core.clients.get(client_id))  # type: ignore[misc]

    return Agreement
