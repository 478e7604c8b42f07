"""Entities: frozen attrs value objects. They import only the standard library, attrs and
the validation libraries (phonenumbers, email-validator), never a storage driver."""

from clientcore.entities.attribute import AttributeDefinition, AttributeType
from clientcore.entities.client import (
    AttributeValue,
    Client,
    ClientKind,
    ClientStatus,
    DocumentKind,
    IdentityDocument,
    NameDay,
)
from clientcore.entities.common import Actor, Role, personal_fields, scrubbed
from clientcore.entities.consent import Channel, ConsentRecord, Purpose
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.entities.event import Event, EventKind, FieldChange
from clientcore.entities.group import Group
from clientcore.entities.note import Note, NoteKind
from clientcore.entities.search import ClientPage, ClientQuery, StatusFilter
from clientcore.entities.settings import TenantSettings
from clientcore.entities.staff import StaffMember
from clientcore.entities.subject import Subject

__all__ = [
    "Actor",
    "Address",
    "AddressKind",
    "AttributeDefinition",
    "AttributeType",
    "AttributeValue",
    "Channel",
    "Client",
    "ClientKind",
    "ClientPage",
    "ClientQuery",
    "ClientStatus",
    "ConsentRecord",
    "DocumentKind",
    "Email",
    "Event",
    "EventKind",
    "FieldChange",
    "Group",
    "IdentityDocument",
    "NameDay",
    "Note",
    "NoteKind",
    "Phone",
    "Purpose",
    "Role",
    "StaffMember",
    "StatusFilter",
    "Subject",
    "TenantSettings",
    "personal_fields",
    "scrubbed",
]
