"""Port interfaces (``typing.Protocol``): what the operations need from storage and the world."""

from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.records import Records
from clientcore.ports.repositories import (
    ClientRepository,
    Counters,
    EventLog,
    SettingsRepository,
    VisitRepository,
)
from clientcore.ports.unit_of_work import Backend, Capabilities, UnitOfWork

__all__ = [
    "Backend",
    "Capabilities",
    "ClientRepository",
    "Clock",
    "Counters",
    "EventLog",
    "IdFactory",
    "Records",
    "SettingsRepository",
    "UnitOfWork",
    "VisitRepository",
]
