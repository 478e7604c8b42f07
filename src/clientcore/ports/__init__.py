"""Port interfaces (``typing.Protocol``): what the operations need from storage and the world."""

from clientcore.ports.clock import Clock, IdFactory
from clientcore.ports.linked import ClientLinkedRecords
from clientcore.ports.repositories import (
    AttributeDefinitionRepository,
    ClientRepository,
    ConsentRepository,
    Counters,
    EventLog,
    GroupRepository,
    NoteRepository,
    SettingsRepository,
    StaffRepository,
    SubjectRepository,
    VisitRepository,
    WorkingHoursRepository,
)
from clientcore.ports.unit_of_work import Backend, Capabilities, Participant, UnitOfWork

__all__ = [
    "AttributeDefinitionRepository",
    "Backend",
    "Capabilities",
    "ClientLinkedRecords",
    "ClientRepository",
    "Clock",
    "ConsentRepository",
    "Counters",
    "EventLog",
    "GroupRepository",
    "IdFactory",
    "NoteRepository",
    "Participant",
    "SettingsRepository",
    "StaffRepository",
    "SubjectRepository",
    "UnitOfWork",
    "VisitRepository",
    "WorkingHoursRepository",
]
