"""A record kind's forget policy: checked when declared, and what it counts as pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import attrs
import pytest

from clientcore import ForgetPolicy, RecordKind
from clientcore.errors import ValidationError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@attrs.frozen
class Message:
    id: UUID
    client_id: UUID
    status: str
    send_at: datetime | None = None


def test_a_policy_names_fields_the_entity_has() -> None:
    with pytest.raises(ValidationError, match="no field 'state'"):
        RecordKind("messages", Message, forget=ForgetPolicy("state", ("scheduled",), "cancelled"))
    with pytest.raises(ValidationError, match="no field 'due'"):
        RecordKind(
            "messages",
            Message,
            forget=ForgetPolicy("status", ("scheduled",), "cancelled", upcoming="due"),
        )


def test_a_reversible_policy_has_one_value_to_restore() -> None:
    with pytest.raises(ValidationError):
        ForgetPolicy("status", ("scheduled", "draft"), "cancelled", reversible=True)
    with pytest.raises(ValidationError):
        ForgetPolicy("status", (), "cancelled")


def test_pending_means_a_pending_value_and_an_instant_still_to_come() -> None:
    policy = ForgetPolicy("status", ("scheduled",), "cancelled", upcoming="send_at")
    kind = RecordKind("messages", Message, client_field="client_id", forget=policy)
    assert kind.forget is policy

    def message(status: str, send_at: datetime | None) -> Message:
        return Message(uuid4(), uuid4(), status, send_at)

    assert policy.is_pending(message("scheduled", NOW + timedelta(minutes=1)), NOW)
    assert policy.is_pending(message("scheduled", None), NOW)
    assert not policy.is_pending(message("scheduled", NOW), NOW)
    assert not policy.is_pending(message("sent", NOW + timedelta(days=1)), NOW)
