"""The parts of the API as coroutines, made from the synchronous parts.

An async part is a list of the synchronous part's methods, each wrapped once by
:class:`awaited`: calling it hands "run this method of the part on a runner" to an
:class:`AsyncRunner`, which runs the synchronous method where synchronous storage code may
run (SQLAlchemy's ``AsyncConnection.run_sync`` greenlet, or a worker thread) and awaits it.
The operations, the parts' signatures and their checks are written once, in the
synchronous parts; mypy sees each awaited method with the synchronous one's parameters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from clientcore.api.bulk import Bulk
from clientcore.api.calendar import Calendar
from clientcore.api.catalog import Interests, PriceLists, Products
from clientcore.api.clients import SCAN_MIN_SCORE, Clients
from clientcore.api.consents import Consents
from clientcore.api.linked import Linked
from clientcore.api.merges import Merges
from clientcore.api.messages import Messages
from clientcore.api.notes import Notes
from clientcore.api.privacy import Privacy
from clientcore.api.records import KindRecords
from clientcore.api.reports import Reports
from clientcore.api.runner import Runner
from clientcore.api.sales import Sales
from clientcore.api.setup import Setup
from clientcore.api.staff import Staff
from clientcore.api.subjects import Subjects
from clientcore.api.tasks import Tasks
from clientcore.api.visits import Visits
from clientcore.entities.common import Actor
from clientcore.entities.duplicates import ScanProgress
from clientcore.entities.kinds import RecordKind
from clientcore.entities.privacy import PrivacyRoles
from clientcore.entities.search import PAGE_MAX_SIZE
from clientcore.operations.duplicate_scan import DuplicateScan

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")


class AsyncRunner(Protocol):
    """Where an async part's calls run: ``work`` gets a synchronous :class:`Runner` (a unit
    of work per call, or the transaction's unit) and runs on it, off the event loop's own
    code path."""

    def call(self, work: Callable[[Runner], R], /) -> Awaitable[R]: ...


class AsyncPart(Generic[S]):
    """A part whose methods (each an :class:`awaited` synchronous method) are coroutines."""

    def __init__(self, runner: AsyncRunner, part: Callable[[Runner], S]) -> None:
        self._runner = runner
        self._part = part

    async def _call(self, work: Callable[[S], R]) -> R:
        part = self._part
        return await self._runner.call(lambda runner: work(part(runner)))


class awaited(Generic[S, P, R]):  # noqa: N801 (used like a decorator)
    """A synchronous part's method, as a coroutine method of its async part."""

    def __init__(self, method: Callable[Concatenate[S, P], R]) -> None:
        self._method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, part: None, owner: type[Any]) -> awaited[S, P, R]: ...

    @overload
    def __get__(
        self, part: AsyncPart[S], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...

    def __get__(
        self, part: AsyncPart[S] | None, owner: type[Any]
    ) -> awaited[S, P, R] | Callable[P, Coroutine[Any, Any, R]]:
        if part is None:
            return self
        method = self._method
        bound = part

        async def call(*args: P.args, **kwargs: P.kwargs) -> R:
            return await bound._call(lambda sync_part: method(sync_part, *args, **kwargs))

        call.__name__ = getattr(method, "__name__", "call")
        call.__doc__ = method.__doc__
        return call


class AsyncClients(AsyncPart[Clients]):
    """``core.clients`` as coroutines (see :class:`~clientcore.api.clients.Clients`)."""

    register = awaited(Clients.register)
    import_many = awaited(Clients.import_many)
    import_clients = awaited(Clients.import_clients)
    get = awaited(Clients.get)
    by_code = awaited(Clients.by_code)
    update = awaited(Clients.update)
    deactivate = awaited(Clients.deactivate)
    reactivate = awaited(Clients.reactivate)
    delete = awaited(Clients.delete)
    assign_groups = awaited(Clients.assign_groups)
    unassign_group = awaited(Clients.unassign_group)
    set_attribute = awaited(Clients.set_attribute)
    clear_attribute = awaited(Clients.clear_attribute)
    search = awaited(Clients.search)
    history = awaited(Clients.history)
    similar = awaited(Clients.similar)

    async def find_duplicates(
        self,
        *,
        min_score: float = SCAN_MIN_SCORE,
        progress: Callable[[ScanProgress], object] | None = None,
        page_size: int = PAGE_MAX_SIZE,
    ) -> DuplicateScan:
        """:meth:`Clients.find_duplicates <clientcore.api.clients.Clients.find_duplicates>`,
        run to its end off the event loop (``progress`` is called from there): iterating
        over the answer gives its groups without reading anything more."""

        def scan(clients: Clients) -> DuplicateScan:
            found = clients.find_duplicates(
                min_score=min_score, progress=progress, page_size=page_size
            )
            for _ in found:
                pass
            return found

        return await self._call(scan)


class AsyncNotes(AsyncPart[Notes]):
    add = awaited(Notes.add)
    for_client = awaited(Notes.for_client)
    for_project = awaited(Notes.for_project)


class AsyncConsents(AsyncPart[Consents]):
    record = awaited(Consents.record)
    history = awaited(Consents.history)
    current = awaited(Consents.current)
    has = awaited(Consents.has)


class AsyncSubjects(AsyncPart[Subjects]):
    add = awaited(Subjects.add)
    update = awaited(Subjects.update)
    get = awaited(Subjects.get)
    for_client = awaited(Subjects.for_client)
    deactivate = awaited(Subjects.deactivate)
    reactivate = awaited(Subjects.reactivate)
    deactivate_all = awaited(Subjects.deactivate_all)
    reactivate_all = awaited(Subjects.reactivate_all)


class AsyncMerges(AsyncPart[Merges]):
    merge = awaited(Merges.merge)
    preview = awaited(Merges.preview)
    surviving = awaited(Merges.surviving)
    journal = awaited(Merges.journal)
    similar_subjects = awaited(Merges.similar_subjects)
    merge_subjects = awaited(Merges.merge_subjects)


class AsyncStaff(AsyncPart[Staff]):
    add = awaited(Staff.add)
    get = awaited(Staff.get)
    list = awaited(Staff.list)
    deactivate = awaited(Staff.deactivate)
    reactivate = awaited(Staff.reactivate)
    set_hours = awaited(Staff.set_hours)
    hours = awaited(Staff.hours)


class AsyncSetup(AsyncPart[Setup]):
    configure = awaited(Setup.configure)
    settings = awaited(Setup.settings)
    define_group = awaited(Setup.define_group)
    groups = awaited(Setup.groups)
    define_attribute = awaited(Setup.define_attribute)
    attributes = awaited(Setup.attributes)


class AsyncVisits(AsyncPart[Visits]):
    book = awaited(Visits.book)
    book_break = awaited(Visits.book_break)
    get = awaited(Visits.get)
    reschedule = awaited(Visits.reschedule)
    update = awaited(Visits.update)
    cancel = awaited(Visits.cancel)
    mark_arrived = awaited(Visits.mark_arrived)
    mark_no_show = awaited(Visits.mark_no_show)
    set_charges = awaited(Visits.set_charges)
    settle = awaited(Visits.settle)
    delete = awaited(Visits.delete)


class AsyncCalendar(AsyncPart[Calendar]):
    for_client = awaited(Calendar.for_client)
    for_staff = awaited(Calendar.for_staff)
    free_slots = awaited(Calendar.free_slots)
    asap_candidates = awaited(Calendar.asap_candidates)
    export_ical = awaited(Calendar.export_ical)


class AsyncMessages(AsyncPart[Messages]):
    configure = awaited(Messages.configure)
    settings = awaited(Messages.settings)
    send = awaited(Messages.send)
    schedule = awaited(Messages.schedule)
    get = awaited(Messages.get)
    cancel = awaited(Messages.cancel)
    cancel_scheduled = awaited(Messages.cancel_scheduled)
    history = awaited(Messages.history)
    follow_visit = awaited(Messages.follow_visit)
    length = awaited(Messages.length)
    send_business_card = awaited(Messages.send_business_card)
    dispatch = awaited(Messages.dispatch)


class AsyncSales(AsyncPart[Sales]):
    define_type = awaited(Sales.define_type)
    types = awaited(Sales.types)
    define_warehouse = awaited(Sales.define_warehouse)
    warehouses = awaited(Sales.warehouses)
    draft = awaited(Sales.draft)
    from_visit = awaited(Sales.from_visit)
    set_lines = awaited(Sales.set_lines)
    issue = awaited(Sales.issue)
    delete_draft = awaited(Sales.delete_draft)
    get = awaited(Sales.get)
    for_client = awaited(Sales.for_client)
    interested = awaited(Sales.interested)
    turnover = awaited(Sales.turnover)
    turnover_by_month = awaited(Sales.turnover_by_month)
    open_documents = awaited(Sales.open_documents)
    settle = awaited(Sales.settle)
    settlements = awaited(Sales.settlements)


class AsyncProducts(AsyncPart[Products]):
    define = awaited(Products.define)
    get = awaited(Products.get)
    list = awaited(Products.list)
    register_purchase = awaited(Products.register_purchase)


class AsyncPriceLists(AsyncPart[PriceLists]):
    create = awaited(PriceLists.create)
    get = awaited(PriceLists.get)
    list = awaited(PriceLists.list)
    set_prices = awaited(PriceLists.set_prices)
    prices = awaited(PriceLists.prices)
    assign = awaited(PriceLists.assign)
    unassign = awaited(PriceLists.unassign)
    of_client = awaited(PriceLists.of_client)
    clients = awaited(PriceLists.clients)


class AsyncInterests(AsyncPart[Interests]):
    record = awaited(Interests.record)
    remove = awaited(Interests.remove)
    of_client = awaited(Interests.of_client)
    in_products = awaited(Interests.in_products)


class AsyncTasks(AsyncPart[Tasks]):
    create = awaited(Tasks.create)
    create_for_clients = awaited(Tasks.create_for_clients)
    get = awaited(Tasks.get)
    done = awaited(Tasks.done)
    reopen = awaited(Tasks.reopen)
    for_client = awaited(Tasks.for_client)
    for_staff = awaited(Tasks.for_staff)


class AsyncLinked(AsyncPart[Linked]):
    add = awaited(Linked.add)
    close = awaited(Linked.close)
    for_client = awaited(Linked.for_client)
    company_data = awaited(Linked.company_data)
    set_company_data = awaited(Linked.set_company_data)
    medical_data = awaited(Linked.medical_data)
    set_medical_data = awaited(Linked.set_medical_data)


class AsyncBulk(AsyncPart[Bulk]):
    set_attribute = awaited(Bulk.set_attribute)
    clear_attribute = awaited(Bulk.clear_attribute)
    add_group = awaited(Bulk.add_group)
    remove_group = awaited(Bulk.remove_group)
    set_caretaker = awaited(Bulk.set_caretaker)
    change_caretaker = awaited(Bulk.change_caretaker)


class AsyncReports(AsyncPart[Reports]):
    names = awaited(Reports.names)
    run = awaited(Reports.run)
    clients_by_source = awaited(Reports.clients_by_source)
    clients_by_month = awaited(Reports.clients_by_month)
    visits_by_staff = awaited(Reports.visits_by_staff)
    consent_coverage = awaited(Reports.consent_coverage)
    turnover = awaited(Reports.turnover)


class AsyncKindRecords(AsyncPart[KindRecords[T]]):
    """``core.records(kind)`` as coroutines (see :class:`~clientcore.api.records.KindRecords`).

    Written out, not :class:`awaited`: the methods of a generic part keep their record type
    only this way."""

    def __init__(self, runner: AsyncRunner, kind: RecordKind[T]) -> None:
        super().__init__(runner, lambda sync_runner: KindRecords(sync_runner, kind))
        self.kind = kind

    async def add(self, record: T) -> T:
        return await self._call(lambda part: part.add(record))

    async def get(self, key: Any) -> T:
        return await self._call(lambda part: part.get(key))

    async def find(self, **fields: Any) -> list[T]:
        return await self._call(lambda part: part.find(**fields))

    async def count(self, **fields: Any) -> int:
        return await self._call(lambda part: part.count(**fields))

    async def replace(self, record: T) -> T:
        return await self._call(lambda part: part.replace(record))

    async def delete(self, record: T) -> None:
        await self._call(lambda part: part.delete(record))


class AsyncPrivacy(AsyncPart[Privacy]):
    forget = awaited(Privacy.forget)
    undo_forget = awaited(Privacy.undo_forget)
    request_anonymisation = awaited(Privacy.request_anonymisation)
    anonymise = awaited(Privacy.anonymise)
    receipts = awaited(Privacy.receipts)
    export = awaited(Privacy.export)
    inactive_since = awaited(Privacy.inactive_since)
    purge = awaited(Privacy.purge)

    def with_roles(self, roles: PrivacyRoles) -> AsyncPrivacy:
        """These operations, restricted to ``roles`` instead (see ``Privacy.with_roles``)."""
        part = self._part
        return AsyncPrivacy(self._runner, lambda runner: part(runner).with_roles(roles))


ASYNC_PARTS: dict[str, tuple[type[AsyncPart[Any]], Callable[[Runner], object]]] = {
    "clients": (AsyncClients, Clients),
    "notes": (AsyncNotes, Notes),
    "consents": (AsyncConsents, Consents),
    "subjects": (AsyncSubjects, Subjects),
    "staff": (AsyncStaff, Staff),
    "setup": (AsyncSetup, Setup),
    "visits": (AsyncVisits, Visits),
    "calendar": (AsyncCalendar, Calendar),
    "privacy": (AsyncPrivacy, Privacy),
    "messages": (AsyncMessages, Messages),
    "sales": (AsyncSales, Sales),
    "products": (AsyncProducts, Products),
    "price_lists": (AsyncPriceLists, PriceLists),
    "interests": (AsyncInterests, Interests),
    "merges": (AsyncMerges, Merges),
    "tasks": (AsyncTasks, Tasks),
    "linked": (AsyncLinked, Linked),
    "bulk": (AsyncBulk, Bulk),
    "reports": (AsyncReports, Reports),
}
"""Each async part and the synchronous part it awaits (a test checks that every public
method of a synchronous part has its awaited twin)."""


class AsyncParts:
    """Every part of the API as coroutines, over one :class:`AsyncRunner`."""

    def __init__(self, runner: AsyncRunner) -> None:
        self.clients = AsyncClients(runner, Clients)
        self.notes = AsyncNotes(runner, Notes)
        self.consents = AsyncConsents(runner, Consents)
        self.subjects = AsyncSubjects(runner, Subjects)
        self.staff = AsyncStaff(runner, Staff)
        self.setup = AsyncSetup(runner, Setup)
        self.visits = AsyncVisits(runner, Visits)
        self.calendar = AsyncCalendar(runner, Calendar)
        self.privacy = AsyncPrivacy(runner, Privacy)
        self.messages = AsyncMessages(runner, Messages)
        self.sales = AsyncSales(runner, Sales)
        self.products = AsyncProducts(runner, Products)
        self.price_lists = AsyncPriceLists(runner, PriceLists)
        self.interests = AsyncInterests(runner, Interests)
        self.merges = AsyncMerges(runner, Merges)
        self.tasks = AsyncTasks(runner, Tasks)
        self.linked = AsyncLinked(runner, Linked)
        self.bulk = AsyncBulk(runner, Bulk)
        self.reports = AsyncReports(runner, Reports)
        self._async_runner = runner

    def records(self, kind: RecordKind[T]) -> AsyncKindRecords[T]:
        """The records of ``kind`` (see ``Core.records``), as coroutines."""
        return AsyncKindRecords(self._async_runner, kind)


class AsyncTransaction(AsyncParts):
    """The parts of an :class:`~clientcore.AsyncCore`, all running in one unit of work (see
    ``AsyncCore.transaction``). Its calls run one at a time, in the order awaited."""

    def __init__(self, runner: AsyncRunner, *, tenant: str, actor: Actor | None) -> None:
        super().__init__(runner)
        self._tenant = tenant
        self._actor = actor

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def actor(self) -> Actor | None:
        return self._actor
