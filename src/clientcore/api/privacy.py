"""``core.privacy``: forget a client and undo it, anonymise one in two confirmed steps,
export everything held about one, and find clients inactive for long (docs/privacy.md)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from clientcore.api.checks import checked
from clientcore.entities.client import Client
from clientcore.entities.privacy import (
    AnonymisationReceipt,
    ConfirmationRequest,
    ForgetResult,
    PrivacyRoles,
    UndoResult,
)
from clientcore.errors import PurgeIncomplete
from clientcore.operations import export, privacy

if TYPE_CHECKING:
    from clientcore.api.runner import Runner


@checked
class Privacy:
    """The privacy operations, each restricted to the roles of :class:`PrivacyRoles` (a
    host chooses others with :meth:`with_roles`); an actor without one gets
    PermissionDenied."""

    def __init__(self, runner: Runner, roles: PrivacyRoles | None = None) -> None:
        self._run = runner
        self.roles = PrivacyRoles() if roles is None else roles

    def with_roles(self, roles: PrivacyRoles) -> Privacy:
        """These operations, restricted to ``roles`` instead."""
        return Privacy(self._run, roles)

    def forget(self, client_id: UUID) -> ForgetResult:
        """Forget the client (P1): not a deletion. It becomes forgotten (found only with the
        ``"all"`` status filter, refused for new visits and records with ClientForgotten),
        its pets inactive, its future visits and scheduled messages cancelled; one unit of
        work, one event. Raises NotFound, Conflict (already forgotten), PermissionDenied."""
        return self._run.write(privacy.forget, client_id, self.roles.forget)

    def undo_forget(self, client_id: UUID) -> UndoResult:
        """Undo the forget (P2): the client's status back, exactly the pets the forget
        deactivated reactivated; cancelled visits and messages stay cancelled (the result
        lists them). Raises NotFound, Conflict (not forgotten), PermissionDenied."""
        return self._run.write(privacy.undo_forget, client_id, self.roles.forget)

    def request_anonymisation(self, client_id: UUID) -> ConfirmationRequest:
        """Step one of anonymising (P3): a short code for this client and actor, to be
        retyped within ten minutes, once. Raises NotFound, PermissionDenied."""
        return self._run.write(privacy.request_anonymisation, client_id, self.roles.anonymise)

    def anonymise(self, client_id: UUID, code: str) -> AnonymisationReceipt:
        """Step two (P3), irreversible: every personal value of the client blanked, its
        record kept; the receipt returned and stored. Raises InvalidConfirmation (wrong,
        expired, used or missing code: nothing changed), NotFound, PermissionDenied; and
        PurgeIncomplete (with the receipt) when the store could not yet clear old copies of
        the values: the anonymisation stands, run :meth:`purge` later."""
        receipt = self._run.write(privacy.anonymise, client_id, code, self.roles.anonymise)
        try:
            self._run.purge()
        except PurgeIncomplete as error:
            raise PurgeIncomplete(str(error), receipt=receipt) from error
        return receipt

    def purge(self) -> None:
        """Rewrite the store's tables or collections so that no erased value is left in
        free space or old row versions (docs/privacy.md): slow, for a quiet hour. Needs a
        role of ``roles.anonymise``."""
        self._run.write(privacy.may_purge, self.roles.anonymise)
        self._run.purge(thorough=True)

    def receipts(self, client_id: UUID) -> list[AnonymisationReceipt]:
        """The receipts of the client's anonymisations, oldest first."""
        return self._run.read(privacy.receipts, client_id)

    def export(self, client_id: UUID) -> dict[str, Any]:
        """Everything held about the client as one JSON-ready document, which
        :func:`clientcore.export_schema` describes. Raises NotFound, PermissionDenied."""
        return self._run.write(export.export, client_id, self.roles.export)

    def inactive_since(self, moment: datetime) -> list[Client]:
        """Clients with no change and no visit since ``moment``, not anonymised yet."""
        return self._run.read(privacy.inactive_since, moment)
