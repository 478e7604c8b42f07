"""``core.consents``: the consent ledger; grants and withdrawals are appended, never changed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.consent import Channel, ConsentRecord, Purpose, has_consent
from clientcore.operations import consents

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Consents:
    def __init__(self, runner: Runner) -> None:
        self._run = runner

    def record(
        self,
        client_id: UUID,
        purpose: Purpose | str,
        *,
        granted: bool,
        source: str,
        channel: Channel | str | None = None,
        evidence: str = "",
        at: datetime | None = None,
    ) -> ConsentRecord:
        """Append a grant (``granted=True``) or withdrawal to the client's consent ledger;
        ``at`` (default now) is when the client said so."""
        return self._run.write(
            consents.record_consent,
            client_id,
            purpose,
            granted=granted,
            channel=channel,
            source=source,
            evidence=evidence,
            at=at,
        )

    def history(self, client_id: UUID) -> list[ConsentRecord]:
        """The client's ledger, in the order it was written."""
        return self._run.read(consents.consent_history, client_id)

    def current(self, client_id: UUID) -> Mapping[tuple[Purpose, Channel | None], bool]:
        """The current state per (purpose, channel), derived from the ledger."""
        return self._run.read(consents.consents_of, client_id)

    def has(self, client_id: UUID, purpose: Purpose, channel: Channel | None = None) -> bool:
        """Whether the client's consent to ``purpose`` (on ``channel``) holds now."""
        return has_consent(self.history(client_id), purpose, channel)
