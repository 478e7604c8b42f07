"""Contract: every text field takes full Unicode up to its limit, and refuses one past it.

For each field, hypothesis feeds text of any plane (and, separately, text right at the limit
and one past it). An input is either stored and read back equal to its NFC form, or refused
with :class:`~clientcore.errors.ValidationError`; and it is refused exactly when the rules
say so (too long after NFC, a control character, blank where a value is required).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities import attribute, client, consent, contacts, group, note, staff, subject
from clientcore.entities.client import DocumentKind, IdentityDocument
from clientcore.entities.consent import Purpose
from clientcore.entities.contacts import Address, AddressKind, Phone
from clientcore.errors import ValidationError
from clientcore.facade import Core
from clientcore.testing.clock import new_tenant
from clientcore.testing.contracts.base import BackendContract

Store = Callable[[Core, str], str]


@attrs.frozen
class TextField:
    name: str
    limit: int
    store: Store
    """Save the value through the public API, read it back, return the stored text."""
    multiline: bool = False
    required: bool = False


def _client(core: Core, **fields: object) -> client.Client:
    registered = core.clients.register(**fields)  # type: ignore[arg-type]
    return core.clients.get(registered.id)


def _registered(core: Core) -> client.Client:
    return core.clients.register(last_name="Holder")


def _group_name(core: Core, group_id: object) -> str:
    return next(g.name for g in core.setup.groups() if g.id == group_id)


FIELDS = [
    TextField(
        "first_name",
        client.NAME_MAX_LENGTH,
        lambda c, v: _client(c, first_name=v, last_name="X").first_name,
    ),
    TextField(
        "last_name",
        client.NAME_MAX_LENGTH,
        lambda c, v: _client(c, first_name="X", last_name=v).last_name,
    ),
    TextField(
        "company_name",
        client.COMPANY_NAME_MAX_LENGTH,
        lambda c, v: _client(c, kind="company", company_name=v).company_name,
        required=True,
    ),
    TextField(
        "description",
        client.LONG_TEXT_MAX_LENGTH,
        lambda c, v: _client(c, last_name="X", description=v).description,
        multiline=True,
    ),
    TextField(
        "remarks",
        client.LONG_TEXT_MAX_LENGTH,
        lambda c, v: _client(c, last_name="X", remarks=v).remarks,
        multiline=True,
    ),
    TextField(
        "source", client.SOURCE_MAX_LENGTH, lambda c, v: _client(c, last_name="X", source=v).source
    ),
    TextField(
        "address.street",
        contacts.ADDRESS_LINE_MAX_LENGTH,
        lambda c, v: (
            _client(c, last_name="X", addresses=[Address(AddressKind.RESIDENCE, street=v)])
            .addresses[0]
            .street
        ),
    ),
    TextField(
        "address.city",
        contacts.CITY_MAX_LENGTH,
        lambda c, v: (
            _client(c, last_name="X", addresses=[Address(AddressKind.WORKPLACE, city=v)])
            .addresses[0]
            .city
        ),
    ),
    TextField(
        "phone.label",
        contacts.LABEL_MAX_LENGTH,
        lambda c, v: (
            _client(c, last_name="X", phones=[Phone("601234567", label=v)]).phones[0].label
        ),
    ),
    TextField(
        "identity_document.number",
        client.DOCUMENT_NUMBER_MAX_LENGTH,
        lambda c, v: (
            _client(
                c, last_name="X", identity_documents=[IdentityDocument(DocumentKind.ID_CARD, v)]
            )
            .identity_documents[0]
            .number
        ),
        required=True,
    ),
    TextField(
        "note.text",
        note.NOTE_MAX_LENGTH,
        lambda c, v: c.notes.for_client(c.notes.add(_registered(c).id, v).client_id)[0].text,
        multiline=True,
        required=True,
    ),
    TextField(
        "note.project",
        note.PROJECT_MAX_LENGTH,
        lambda c, v: (
            c.notes.for_client(c.notes.add(_registered(c).id, "x", project=v).client_id)[0].project
        ),
    ),
    TextField(
        "subject.name",
        subject.SUBJECT_NAME_MAX_LENGTH,
        lambda c, v: c.subjects.get(c.subjects.add(_registered(c).id, kind="pet", name=v).id).name,
        required=True,
    ),
    TextField(
        "subject.detail",
        subject.DETAIL_VALUE_MAX_LENGTH,
        lambda c, v: c.subjects.get(
            c.subjects.add(_registered(c).id, kind="pet", name="x", details={"k": v}).id
        ).details["k"],
    ),
    TextField(
        "consent.evidence",
        consent.CONSENT_EVIDENCE_MAX_LENGTH,
        lambda c, v: (
            c.consents.history(
                c.consents.record(
                    _registered(c).id, Purpose.DATA_PROCESSING, granted=True, source="x", evidence=v
                ).client_id
            )[0].evidence
        ),
        multiline=True,
    ),
    TextField(
        "group.name",
        group.GROUP_NAME_MAX_LENGTH,
        lambda c, v: _group_name(c, c.setup.define_group(v).id),
        required=True,
    ),
    TextField(
        "staff.name",
        staff.STAFF_NAME_MAX_LENGTH,
        lambda c, v: c.staff.get(c.staff.add(v).id).name,
        required=True,
    ),
    TextField(
        "attribute.text",
        attribute.ATTRIBUTE_TEXT_MAX_LENGTH,
        lambda c, v: str(c.clients.set_attribute(_registered(c).id, "free", v).attributes["free"]),
    ),
]


def acceptable(field: TextField, value: str) -> bool:
    """The rule the stores must apply, written independently of the validators."""
    normalized = unicodedata.normalize("NFC", value)
    allowed_controls = {"\n", "\r", "\t"} if field.multiline else set()
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed_controls for ch in value):
        return False
    if field.required and not normalized.strip():
        return False
    return len(normalized) <= field.limit


def _near_limit(limit: int) -> st.SearchStrategy[str]:
    """Text of ``limit - 1`` to ``limit + 1`` characters: a drawn chunk repeated and cut."""
    chunk = st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=20)
    return st.builds(
        lambda piece, size: (piece * (size // len(piece) + 1))[:size],
        chunk,
        st.integers(limit - 1, limit + 1),
    )


class UnicodeContract(BackendContract):
    examples = 25
    """How many hypothesis examples per field; an adapter on a slow server may lower it."""

    @pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
    def test_text_is_stored_as_nfc_or_refused(self, core: Core, field: TextField) -> None:
        @settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(value=st.one_of(st.text(max_size=30), _near_limit(field.limit)))
        def check(value: str) -> None:
            fresh = core.for_tenant(new_tenant())
            fresh.setup.configure(default_region="PL")
            fresh.setup.define_attribute("free", label="Free text", type="text")
            try:
                stored = field.store(fresh, value)
            except ValidationError:
                assert not acceptable(field, value), f"{field.name} refused a valid {value!r}"
                return
            assert acceptable(field, value), f"{field.name} accepted {value!r}"
            assert stored == unicodedata.normalize("NFC", value)

        check()
