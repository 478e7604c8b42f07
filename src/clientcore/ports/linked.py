"""The one interface through which every client-linked record kind is reached.

Merge, forget, anonymise, export and delete never name record kinds: they walk
``uow.linked_records()``. A new kind (ours, or a host's own table) joins by implementing
this protocol, and every such operation reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID


class Linked(Protocol):
    """A record that may refer to a client: what every adapter's generic repository of
    client-linked records needs of its entities."""

    @property
    def id(self) -> UUID: ...

    @property
    def client_id(self) -> UUID | None: ...


class ClientLinkedRecords(Protocol):
    @property
    def kind(self) -> str:
        """Plural name of the records, used in messages and exports ("subjects", "notes")."""
        ...

    @property
    def blocks_deletion(self) -> bool:
        """True if a client with such records may not be deleted (the audit log does not)."""
        ...

    def count_for_client(self, client_id: UUID) -> int:
        """How many records refer to the client."""
        ...

    def for_client(self, client_id: UUID) -> Sequence[object]:
        """The records that refer to the client (attrs instances), in a stable order."""
        ...

    def move_to_client(self, source_id: UUID, target_id: UUID) -> int:
        """Make every record of ``source_id`` refer to ``target_id``; returns how many moved."""
        ...

    def scrub_client(self, client_id: UUID) -> int:
        """Blank every personal-data field of the client's records; returns how many changed."""
        ...
