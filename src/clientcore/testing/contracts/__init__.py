"""The contract suites. ``AllContracts`` combines them; subclass it with a ``backend`` fixture."""

from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.contracts.bulk import BulkContract
from clientcore.testing.contracts.clients import ClientContract
from clientcore.testing.contracts.duplicates import DuplicatesContract
from clientcore.testing.contracts.events import EventContract
from clientcore.testing.contracts.imports import ImportContract
from clientcore.testing.contracts.inputs import InputContract
from clientcore.testing.contracts.kinds import CountersContract, KindsContract
from clientcore.testing.contracts.merge import MergeContract
from clientcore.testing.contracts.privacy import PrivacyContract
from clientcore.testing.contracts.records import RecordsContract
from clientcore.testing.contracts.reports import ReportsContract
from clientcore.testing.contracts.sales import SalesContract
from clientcore.testing.contracts.schedule import RaceContract, ScheduleContract
from clientcore.testing.contracts.search import SearchContract
from clientcore.testing.contracts.tasks import TasksContract
from clientcore.testing.contracts.tenancy import TenancyContract
from clientcore.testing.contracts.threads import SharedCoreContract
from clientcore.testing.contracts.transactions import TransactionContract
from clientcore.testing.contracts.unicode import UnicodeContract


class AllContracts(
    ClientContract,
    SearchContract,
    TenancyContract,
    RecordsContract,
    KindsContract,
    CountersContract,
    UnicodeContract,
    ScheduleContract,
    RaceContract,
    SharedCoreContract,
    TransactionContract,
    EventContract,
    InputContract,
    PrivacyContract,
    SalesContract,
    MergeContract,
    BulkContract,
    TasksContract,
    ReportsContract,
    ImportContract,
    DuplicatesContract,
):
    """Every contract of the storage ports, for one adapter."""


__all__ = [
    "AllContracts",
    "BackendContract",
    "BulkContract",
    "ClientContract",
    "CountersContract",
    "DuplicatesContract",
    "EventContract",
    "ImportContract",
    "InputContract",
    "KindsContract",
    "MergeContract",
    "PrivacyContract",
    "RaceContract",
    "RecordsContract",
    "ReportsContract",
    "SalesContract",
    "ScheduleContract",
    "SearchContract",
    "SharedCoreContract",
    "TasksContract",
    "TenancyContract",
    "TransactionContract",
    "UnicodeContract",
]
