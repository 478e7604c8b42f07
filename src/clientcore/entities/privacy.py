"""What forgetting, undoing a forget and anonymising a client return (P1-P3), and who may."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any
from uuid import UUID

import attrs

from clientcore.entities.client import Client
from clientcore.entities.common import Role, role_set

CONFIRMATION_TTL = timedelta(minutes=10)
"""How long an anonymisation's confirmation code may be used."""
CONFIRMATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits that cannot be mistaken for one another when retyped (no O/0, I/1)."""
CONFIRMATION_LENGTH = 6


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class PrivacyRoles:
    """Who may do what (a host may choose others): forgetting and undoing it need one of
    ``forget``; anonymising and exporting one of ``anonymise`` / ``export``."""

    forget: frozenset[Role] = attrs.field(
        default=frozenset(Role), converter=role_set
    )  # reception or above: every role
    anonymise: frozenset[Role] = attrs.field(
        default=frozenset({Role.OWNER, Role.ADMINISTRATOR}), converter=role_set
    )
    export: frozenset[Role] = attrs.field(
        default=frozenset({Role.OWNER, Role.ADMINISTRATOR}), converter=role_set
    )


@attrs.frozen
class ForgetResult:
    """A forgotten client, and per record kind the keys of the records the forget changed
    (pets deactivated, future visits and scheduled messages cancelled)."""

    client: Client
    changed: Mapping[str, tuple[Any, ...]] = attrs.field(converter=_frozen)


@attrs.frozen
class UndoResult:
    """A client no longer forgotten: per kind, the records set back (``restored``: pets
    reactivated) and those that stay as the forget left them (``still_cancelled``)."""

    client: Client
    restored: Mapping[str, tuple[Any, ...]] = attrs.field(converter=_frozen)
    still_cancelled: Mapping[str, tuple[Any, ...]] = attrs.field(converter=_frozen)


@attrs.frozen
class ConfirmationRequest:
    """The first step of an anonymisation: ``code`` is shown to the actor, who retypes it
    before ``expires_at``. Only its salted hash is stored."""

    client_id: UUID
    code: str = attrs.field(repr=False)
    expires_at: datetime


@attrs.frozen
class AnonymisationReceipt:
    """Proof that a client was anonymised, without any personal value: when, by whom,
    which client, and how many values of each kind were scrubbed (``"client"`` for the
    client's own fields, a record kind's name for its records, ``"history"`` for events)."""

    id: UUID
    client_id: UUID
    actor_id: str
    at: datetime
    scrubbed: Mapping[str, int] = attrs.field(converter=_frozen)
