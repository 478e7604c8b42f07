"""The contract suites. ``AllContracts`` combines them; subclass it with a ``backend`` fixture."""

from clientcore.testing.contracts.base import BackendContract
from clientcore.testing.contracts.clients import ClientContract
from clientcore.testing.contracts.duplicates import DuplicatesContract
from clientcore.testing.contracts.events import EventContract
from clientcore.testing.contracts.inputs import InputContract
from clientcore.testing.contracts.kinds import CountersContract, KindsContract
from clientcore.testing.contracts.records import RecordsContract
from clientcore.testing.contracts.schedule import RaceContract, ScheduleContract
from clientcore.testing.contracts.search import SearchContract
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
    DuplicatesContract,
):
    """Every contract of the storage ports, for one adapter."""


__all__ = [
    "AllContracts",
    "BackendContract",
    "ClientContract",
    "CountersContract",
    "DuplicatesContract",
    "EventContract",
    "InputContract",
    "KindsContract",
    "RaceContract",
    "RecordsContract",
    "ScheduleContract",
    "SearchContract",
    "SharedCoreContract",
    "TenancyContract",
    "TransactionContract",
    "UnicodeContract",
]
