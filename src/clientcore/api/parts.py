"""The parts of the API, and the transaction object that has them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from clientcore.api.bulk import Bulk
from clientcore.api.calendar import Calendar
from clientcore.api.catalog import Interests, PriceLists, Products
from clientcore.api.checks import checked
from clientcore.api.clients import Clients
from clientcore.api.consents import Consents
from clientcore.api.linked import Linked
from clientcore.api.merges import Merges
from clientcore.api.messages import Messages
from clientcore.api.notes import Notes
from clientcore.api.privacy import Privacy
from clientcore.api.records import KindRecords
from clientcore.api.reports import Reports
from clientcore.api.sales import Sales
from clientcore.api.setup import Setup
from clientcore.api.staff import Staff
from clientcore.api.subjects import Subjects
from clientcore.api.tasks import Tasks
from clientcore.api.visits import Visits
from clientcore.entities.common import Actor
from clientcore.entities.kinds import RecordKind

if TYPE_CHECKING:
    from clientcore.api.runner import Runner

T = TypeVar("T")


@checked
class Parts:
    """Every part of the API over one runner: a :class:`Core` (a unit of work per call) or a
    :class:`Transaction` (one unit of work for all)."""

    def __init__(self, runner: Runner) -> None:
        self.clients = Clients(runner)
        self.notes = Notes(runner)
        self.consents = Consents(runner)
        self.subjects = Subjects(runner)
        self.staff = Staff(runner)
        self.setup = Setup(runner)
        self.visits = Visits(runner)
        self.calendar = Calendar(runner)
        self.privacy = Privacy(runner)
        self.messages = Messages(runner)
        self.sales = Sales(runner)
        self.products = Products(runner)
        self.price_lists = PriceLists(runner)
        self.interests = Interests(runner)
        self.merges = Merges(runner)
        self.tasks = Tasks(runner)
        self.linked = Linked(runner)
        self.bulk = Bulk(runner)
        self.reports = Reports(runner)
        self._run = runner

    def records(self, kind: RecordKind[T]) -> KindRecords[T]:
        """The records of ``kind``, one of the core's kinds (``clientcore.open(kinds=...)``);
        UnknownKind for any other."""
        return KindRecords(self._run, kind)


class Transaction(Parts):
    """The parts of a core, all running in one unit of work (see ``Core.transaction``).

    Reads see the unit's own writes where the store runs transactions
    (``core.capabilities.transactions``). Once a change made through it has raised, or the
    unit has ended, every call raises :class:`~clientcore.errors.TransactionClosed`.
    """

    def __init__(self, runner: Runner, *, tenant: str, actor: Actor | None) -> None:
        super().__init__(runner)
        self._tenant = tenant
        self._actor = actor

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def actor(self) -> Actor | None:
        return self._actor
