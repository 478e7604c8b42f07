"""Register, change, find, deactivate and delete clients (C1-C4, C6, C10-C12, O6)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypedDict
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.attribute import AttributeDefinition
from clientcore.entities.client import (
    CODE_MAX_LENGTH,
    COMPANY_NAME_MAX_LENGTH,
    DOCUMENT_NUMBER_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
    AttributeValue,
    Client,
    ClientKind,
    ClientStatus,
    DocumentKind,
    IdentityDocument,
    NameDay,
)
from clientcore.entities.contacts import (
    Address,
    Email,
    Phone,
    normalize_addresses,
    normalize_emails,
    normalize_phones,
)
from clientcore.entities.event import Event, EventKind, FieldChange
from clientcore.entities.kinds import ATTRIBUTE_DEFINITIONS, GROUPS, STAFF
from clientcore.entities.search import (
    PAGE_MAX_SIZE,
    SEARCH_TEXT_MAX_LENGTH,
    ClientPage,
    ClientQuery,
    Match,
    Rank,
    StatusFilter,
    client_sort_key,
    phone_like,
    search_terms,
)
from clientcore.errors import (
    ClientInUse,
    ConcurrencyError,
    Conflict,
    DuplicateCode,
    ImportRowError,
    NotFound,
    ValidationError,
)
from clientcore.operations.context import (
    Context,
    diff,
    render,
    run_again_if_beaten,
    save_change,
)
from clientcore.operations.redirects import absorbed, live_client, refuse_merged
from clientcore.ports.unit_of_work import UnitOfWork

CODE_COUNTER = "client_code"
EVENTS_AT_ONCE = 250
"""An import's registration events are made and appended this many at a time, not all at
once: written by then, each group is dropped before the garbage collector moves it to its
oldest generation, whose full collections (of every object the process holds) then come
less often."""


class ClientFields(TypedDict, total=False):
    """The fields a caller may set on a client; every one is validated."""

    kind: ClientKind | str
    code: str
    first_name: str
    last_name: str
    company_name: str
    phones: Sequence[str | Phone]
    emails: Sequence[str | Email]
    addresses: Sequence[Address]
    description: str
    source: str
    caretaker_id: UUID | None
    name_day: NameDay | None
    birthday: date | None
    identity_documents: Sequence[IdentityDocument]
    remarks: str
    group_ids: Sequence[UUID]
    attributes: Mapping[str, object]


EDITABLE_FIELDS: tuple[str, ...] = tuple(ClientFields.__annotations__)
HISTORY_FIELDS: tuple[str, ...] = (*EDITABLE_FIELDS, "status")
_STATUS_EVENTS = {
    ClientStatus.ACTIVE: EventKind.CLIENT_ACTIVE,
    ClientStatus.INACTIVE: EventKind.CLIENT_INACTIVE,
}


def _check_code(code: object) -> str:
    value = validation.required_text("code", code, max_length=CODE_MAX_LENGTH)
    if any(ch.isspace() for ch in value):
        raise ValidationError("code", f"{value!r} must not contain spaces")
    return value


def _check_birthday(value: object, today: date) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError("birthday", f"must be a datetime.date, got {value!r}")
    if value > today:
        raise ValidationError("birthday", f"{value.isoformat()} is in the future")
    if value.year < 1900:
        raise ValidationError("birthday", f"{value.isoformat()} is before 1900")
    return value


def _check_documents(raw: object) -> tuple[IdentityDocument, ...]:
    documents = []
    for entry in validation.sequence("identity_documents", raw):
        if not isinstance(entry, IdentityDocument):
            raise ValidationError("identity_documents", "each entry must be an IdentityDocument")
        documents.append(
            IdentityDocument(
                validation.choice("identity_documents.kind", DocumentKind, entry.kind),
                validation.required_text(
                    "identity_documents.number", entry.number, max_length=DOCUMENT_NUMBER_MAX_LENGTH
                ),
            )
        )
    return tuple(documents)


def _check_attributes(
    uow: UnitOfWork, raw: object, known: dict[str, AttributeDefinition] | None = None
) -> dict[str, AttributeValue]:
    """Typed attribute values; ``known`` caches the definitions already read."""
    if not isinstance(raw, Mapping):
        raise ValidationError("attributes", "must be a mapping of attribute key to value")
    definitions = {} if known is None else known
    values: dict[str, AttributeValue] = {}
    for key, value in raw.items():
        definition = definitions.get(str(key))
        if definition is None:
            try:
                definition = uow.records(ATTRIBUTE_DEFINITIONS).get(str(key))
            except NotFound:
                raise ValidationError(
                    "attributes",
                    f"{key!r} is not defined; define it with core.setup.define_attribute",
                ) from None
            definitions[str(key)] = definition
        values[definition.key] = definition.validate(value)
    return values


def _check_groups(uow: UnitOfWork, raw: object, known: set[UUID] | None = None) -> frozenset[UUID]:
    """Ids of existing groups; ``known`` caches the ids already found."""
    found = set() if known is None else known
    group_ids = set()
    for entry in validation.sequence("group_ids", raw):
        if not isinstance(entry, UUID):
            raise ValidationError("group_ids", f"{entry!r} is not a group id (UUID)")
        if entry not in found:
            found.add(uow.records(GROUPS).get(entry).id)
        group_ids.add(entry)
    return frozenset(group_ids)


def _check_caretaker(uow: UnitOfWork, raw: object, known: set[UUID] | None = None) -> UUID | None:
    """The id of an active staff member; ``known`` caches the ids already found."""
    if raw is None:
        return None
    if not isinstance(raw, UUID):
        raise ValidationError("caretaker_id", f"{raw!r} is not a staff member id (UUID)")
    found = set() if known is None else known
    if raw not in found:
        member = uow.records(STAFF).get(raw)
        if not member.active:
            raise ValidationError("caretaker_id", f"staff member {member.name!r} is inactive")
        found.add(member.id)
    return raw


class _FieldChecks:
    """The checks of every client field, made once per operation.

    What they read from the store (the tenant's phone region, attribute definitions,
    groups, staff members) is read once per operation, not once per row of an import.
    """

    def __init__(self, uow: UnitOfWork, ctx: Context) -> None:
        definitions: dict[str, AttributeDefinition] = {}
        groups: set[UUID] = set()
        caretakers: set[UUID] = set()
        region: list[str | None] = []

        def phones(value: object) -> tuple[Phone, ...]:
            if not region:
                region.append(uow.settings.get().default_region)
            return normalize_phones(value, region=region[0])

        self._checks: dict[str, Callable[[Any], Any]] = {
            "kind": lambda v: validation.choice("kind", ClientKind, v),
            "code": _check_code,
            "first_name": lambda v: validation.text("first_name", v, max_length=NAME_MAX_LENGTH),
            "last_name": lambda v: validation.text("last_name", v, max_length=NAME_MAX_LENGTH),
            "company_name": lambda v: validation.text(
                "company_name", v, max_length=COMPANY_NAME_MAX_LENGTH
            ),
            "phones": phones,
            "emails": normalize_emails,
            "addresses": normalize_addresses,
            "description": lambda v: validation.text(
                "description", v, max_length=LONG_TEXT_MAX_LENGTH, multiline=True
            ),
            "source": lambda v: validation.text("source", v, max_length=SOURCE_MAX_LENGTH),
            "caretaker_id": lambda v: _check_caretaker(uow, v, caretakers),
            "name_day": _check_name_day,
            "birthday": lambda v: _check_birthday(v, ctx.now().date()),
            "identity_documents": _check_documents,
            "remarks": lambda v: validation.text(
                "remarks", v, max_length=LONG_TEXT_MAX_LENGTH, multiline=True
            ),
            "group_ids": lambda v: _check_groups(uow, v, groups),
            "attributes": lambda v: _check_attributes(uow, v, definitions),
        }

    def __call__(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Each given field checked and normalised; unknown names are refused."""
        checks = self._checks
        if not checks.keys() >= fields.keys():
            unknown = sorted(name for name in fields if name not in checks)
            raise ValidationError(
                unknown[0], f"is not a client field; known: {', '.join(EDITABLE_FIELDS)}"
            )
        return {name: checks[name](value) for name, value in fields.items()}


def _check_name_day(value: object) -> NameDay | None:
    if value is not None and not isinstance(value, NameDay):
        raise ValidationError("name_day", "must be a NameDay(month=..., day=...)")
    return value


def _check_names(kind: ClientKind, first_name: str, last_name: str, company_name: str) -> None:
    """A company needs a company name; a person a first or a last name."""
    if kind is ClientKind.COMPANY and not company_name.strip():
        raise ValidationError("company_name", "a company client needs a company name")
    if kind is ClientKind.PERSON and not (first_name.strip() or last_name.strip()):
        raise ValidationError("last_name", "a person needs a first or a last name")


def _free_codes(uow: UnitOfWork, count: int, reserved: frozenset[str]) -> list[str]:
    """``count`` counter values that no client holds (a hand-set code may have taken one)."""
    codes: list[str] = []
    while len(codes) < count:
        need = count - len(codes)
        first = uow.counters.next(CODE_COUNTER, need)
        candidates = [str(value) for value in range(first, first + need)]
        taken = uow.clients.taken_codes(candidates) | reserved
        codes.extend(code for code in candidates if code not in taken)
    return codes


def register(uow: UnitOfWork, ctx: Context, fields: Mapping[str, Any]) -> Client:
    """Create a client; its code comes from the tenant's counter unless one is given."""
    return register_many(uow, ctx, [fields], numbered=False)[0]


def _registration_changes(client: Client) -> tuple[FieldChange, ...]:
    """The changes of a registration, ``diff(None, client, HISTORY_FIELDS)`` in one pass: a
    field without a value (None, "", an empty tuple, set or mapping: no client field can
    be False or 0) renders as no value, so it is skipped without rendering."""
    return tuple(
        [
            FieldChange(name, None, text)
            for name in HISTORY_FIELDS
            if (value := getattr(client, name)) and (text := render(value)) is not None
        ]
    )


def check_rows(
    uow: UnitOfWork, ctx: Context, rows: Sequence[Mapping[str, Any]], *, numbered: bool = False
) -> list[dict[str, Any]]:
    """The fields of each row checked and normalised, as :func:`register_many` stores them
    (reads what the checks need, writes nothing). ``numbered``: a refused row raises
    :class:`ImportRowError`, naming the row."""
    if not numbered:
        check = _FieldChecks(uow, ctx)
        return [check(row) for row in rows]
    checks = RowChecks(uow, ctx)
    return [checks(index, row) for index, row in enumerate(validation.sequence("rows", rows))]


class RowChecks:
    """The checks of an import's rows: each row's fields and names, as
    :func:`store_checked` stores them; a refused row raises :class:`ImportRowError`."""

    def __init__(self, uow: UnitOfWork, ctx: Context) -> None:
        self._check = _FieldChecks(uow, ctx)

    def __call__(self, index: int, row: object) -> dict[str, Any]:
        if not isinstance(row, Mapping):
            raise ImportRowError(index, None, "row", "must be a mapping of field names to values")
        try:
            values = self._check(row)
            _check_names(
                values.setdefault("kind", ClientKind.PERSON),
                values.get("first_name", ""),
                values.get("last_name", ""),
                values.get("company_name", ""),
            )
        except ValidationError as refused:
            raise _row_error(index, row, refused) from refused
        return values


def _row_error(index: int, row: Mapping[str, Any], refused: ValidationError) -> ImportRowError:
    """``refused`` (of the row at ``index``) naming the row and the code it gives."""
    code = row.get("code")
    return ImportRowError(
        index,
        code if isinstance(code, str) and code.strip() else None,
        refused.field,
        refused.reason,
    )


def register_many(
    uow: UnitOfWork, ctx: Context, rows: Sequence[Mapping[str, Any]], *, numbered: bool = True
) -> list[Client]:
    """Create clients in one unit of work (one, or an import); all or none are stored.
    ``numbered`` (an import): an invalid row raises :class:`ImportRowError`, which names
    the row (its index, and its code if it gives one) and the field."""
    ctx.acting()
    validated = check_rows(uow, ctx, rows, numbered=numbered)
    if not numbered:
        for values in validated:
            _check_names(
                values.setdefault("kind", ClientKind.PERSON),
                values.get("first_name", ""),
                values.get("last_name", ""),
                values.get("company_name", ""),
            )
    given = [values["code"] for values in validated if "code" in values]
    seen: set[str] = set()
    for code in given:
        if code in seen:
            raise DuplicateCode(code)
        seen.add(code)
    for code in sorted(uow.clients.taken_codes(given)):
        raise DuplicateCode(code)
    return store_checked(uow, ctx, validated)


def store_checked(uow: UnitOfWork, ctx: Context, validated: list[dict[str, Any]]) -> list[Client]:
    """Store clients of checked fields (whose codes, if given, are free), with their
    registration events; a client without a code gets the counter's next free value."""
    given = frozenset(values["code"] for values in validated if "code" in values)
    now = ctx.now()
    # Counter values are taken only once every row is known to be valid: a store whose
    # counter lives outside the unit of work (MongoDB) would otherwise lose them.
    auto_codes = iter(_free_codes(uow, len(validated) - len(given), given))
    clients = [
        Client(
            id=ctx.ids(),
            code=values.pop("code", "") or next(auto_codes),
            created_at=now,
            updated_at=now,
            **values,
        )
        for values in validated
    ]
    uow.clients.add_many(clients)
    for start in range(0, len(clients), EVENTS_AT_ONCE):
        ctx.append(
            uow,
            [
                ctx.event(
                    EventKind.CLIENT_REGISTERED,
                    entity_id=client.id,
                    client_id=client.id,
                    changes=_registration_changes(client),
                    at=now,  # when the clients were created
                )
                for client in clients[start : start + EVENTS_AT_ONCE]
            ],
        )
    return clients


def _save(
    uow: UnitOfWork,
    ctx: Context,
    old: Client,
    new: Client,
    kind: EventKind,
    *,
    expected_version: int | None,
) -> Client:
    """Store the change of a client read in this unit (see :func:`_run_again_if_beaten`)."""
    store = uow.clients.update
    with run_again_if_beaten(expected_version):
        return save_change(
            uow, ctx, kind, old, new, fields=HISTORY_FIELDS, store=store, client_id=old.id
        )


def _load(uow: UnitOfWork, client_id: UUID, expected_version: int | None) -> Client:
    client = live_client(uow, client_id)
    if expected_version is not None and client.version != expected_version:
        raise ConcurrencyError("client", client_id, expected_version)
    return client


def update(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> Client:
    """Change the given fields. With ``expected_version`` a stale read is refused."""
    ctx.acting()
    old = _load(uow, client_id, expected_version)
    values = _FieldChecks(uow, ctx)(fields)
    code = values.get("code", old.code)
    if code != old.code and uow.clients.taken_codes([code]):
        raise DuplicateCode(code)
    new = attrs.evolve(old, **values)
    _check_names(new.kind, new.first_name, new.last_name, new.company_name)
    return _save(uow, ctx, old, new, EventKind.CLIENT_UPDATED, expected_version=expected_version)


def _change(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    kind: EventKind,
    expected_version: int | None,
    change: Callable[[Client], Mapping[str, Any]],
) -> Client:
    """Read the client (refused if not at ``expected_version``), set the fields that
    ``change`` computes from it, and save it with its event."""
    ctx.acting()
    old = _load(uow, client_id, expected_version)
    new = attrs.evolve(old, **change(old))
    return _save(uow, ctx, old, new, kind, expected_version=expected_version)


def set_status(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    status: ClientStatus,
    *,
    expected_version: int | None = None,
) -> Client:
    def change(old: Client) -> dict[str, Any]:
        if old.status is ClientStatus.FORGOTTEN:  # its pets and visits wait for the undo
            raise Conflict(f"client {client_id} is forgotten; undo the forget instead")
        return {"status": status}

    return _change(uow, ctx, client_id, _STATUS_EVENTS[status], expected_version, change)


def assign_groups(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    group_ids: Sequence[UUID],
    *,
    expected_version: int | None = None,
) -> Client:
    def change(old: Client) -> dict[str, Any]:
        return {"group_ids": old.group_ids | _check_groups(uow, list(group_ids))}

    return _change(uow, ctx, client_id, EventKind.CLIENT_GROUPED, expected_version, change)


def unassign_group(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    group_id: UUID,
    *,
    expected_version: int | None = None,
) -> Client:
    def change(old: Client) -> dict[str, Any]:
        uow.records(GROUPS).get(group_id)
        return {"group_ids": old.group_ids - {group_id}}

    return _change(uow, ctx, client_id, EventKind.CLIENT_UNGROUPED, expected_version, change)


def set_attribute(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    key: str,
    value: object,
    *,
    expected_version: int | None = None,
) -> Client:
    def change(old: Client) -> dict[str, Any]:
        return {"attributes": {**old.attributes, **_check_attributes(uow, {key: value})}}

    return _change(uow, ctx, client_id, EventKind.CLIENT_UPDATED, expected_version, change)


def clear_attribute(
    uow: UnitOfWork,
    ctx: Context,
    client_id: UUID,
    key: str,
    *,
    expected_version: int | None = None,
) -> Client:
    def change(old: Client) -> dict[str, Any]:
        uow.records(ATTRIBUTE_DEFINITIONS).get(key)
        return {"attributes": {k: v for k, v in old.attributes.items() if k != key}}

    return _change(uow, ctx, client_id, EventKind.CLIENT_UPDATED, expected_version, change)


def delete(uow: UnitOfWork, ctx: Context, client_id: UUID, *, expected_version: int | None) -> None:
    """Delete a client nothing refers to; otherwise :class:`ClientInUse` points to deactivation."""
    ctx.acting()
    client = _load(uow, client_id, expected_version)
    in_use = [
        kind.name
        for kind in uow.kinds.client_linked()
        if kind.blocks_client_deletion and uow.records(kind).count(**kind.of_client(client_id))
    ]
    if in_use:
        raise ClientInUse(client_id, in_use)
    for kind in uow.kinds.client_linked():
        records = uow.records(kind)
        for record in records.find(**kind.of_client(client_id)):
            records.delete(record)
    with run_again_if_beaten(expected_version):
        uow.clients.delete(client)
    ctx.record(
        uow,
        EventKind.CLIENT_DELETED,
        entity_id=client_id,
        client_id=client_id,
        changes=diff(client, None, ("code",)),
    )


def history(uow: UnitOfWork, client_id: UUID) -> list[Event]:
    """The client's events in order; a deleted client's history stays readable. The
    history of a client that others were merged into has theirs too, read through the
    merge links (nothing is rewritten), in the order of their times (theirs first among
    events of one millisecond: they all happened before their merge)."""
    events = list(uow.events.for_client(client_id))
    if not events:
        uow.clients.get(client_id)
    merged = absorbed(uow, client_id)
    if not merged:
        return events
    timed = [(event.at, 1, event) for event in events]
    timed += [(event.at, 0, event) for other in merged for event in uow.events.for_client(other)]
    return [event for _, _, event in sorted(timed, key=lambda entry: entry[:2])]


def get(uow: UnitOfWork, client_id: UUID) -> Client:
    """The client; :class:`ClientMerged` (naming the surviving client) if it was merged."""
    return live_client(uow, client_id)


def by_code(uow: UnitOfWork, code: str) -> Client:
    """The client with the code (a merged client's code stays reserved: ClientMerged)."""
    return refuse_merged(uow, uow.clients.get_by_code(code))


def encode_cursor(rank: Rank, client: Client) -> str:
    raw = f"{rank.value}:{client.id}:{client_sort_key(client)}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str) -> tuple[Rank, tuple[str, UUID]]:
    """The rank and the (sort key, id) of the last client of the previous page."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        rank, client_id, sort_key = raw.split(":", 2)
        return Rank(int(rank)), (sort_key, UUID(client_id))
    except (ValueError, UnicodeError, binascii.Error):
        raise ValidationError("after", "is not a cursor returned by a previous page") from None


def _exact_code(uow: UnitOfWork, text: str, query: ClientQuery) -> Client | None:
    """The client whose code is the text typed (spaces around it ignored), if it passes
    the query's filters: one look-up on the code's unique index."""
    code = text.strip()
    if not code:
        return None
    try:
        client = uow.clients.get_by_code(code)
    except NotFound:
        return None
    return client if query.admits(client) else None


def ranked(
    search: Callable[[ClientQuery], Sequence[Client]],
    query: ClientQuery,
    by_code: Client | None,
    cursor: tuple[Rank, tuple[str, UUID]] | None,
) -> list[tuple[Rank, Client]]:
    """Up to ``query.limit`` matches past ``cursor``, best rank first (see :class:`Rank`):
    ``by_code`` (the client whose code is the text, if it passes the filters), then a
    store ``search`` per rank, in sort-key order, for at most the rest of the page.

    A rank's query runs only while the page is not full, so a page costs at most one
    code look-up and two bounded searches, whatever the number of matches. When the page
    holds every full-word match (their query ran from the start and did not fill it), the
    prefix query is a plain one that skips them here, rather than one that checks each
    candidate is not a full-word match. Without terms every client matches alike (one
    rank)."""
    if not query.terms:
        found = search(attrs.evolve(query, after=None if cursor is None else cursor[1]))
        return [(Rank.PREFIX, client) for client in found]
    start = Rank.CODE if cursor is None else cursor[0]
    page: list[tuple[Rank, Client]] = []
    if by_code is not None and cursor is None:
        page.append((Rank.CODE, by_code))
    skipped = set() if by_code is None else {by_code.id}  # held by an earlier rank
    prefixes = Match.PREFIX_ONLY
    for rank in (Rank.WHOLE, Rank.PREFIX):
        wanted = query.limit - len(page)
        if rank < start or wanted <= 0:
            continue
        after = cursor[1] if cursor is not None and cursor[0] is rank else None
        asked = wanted + len(skipped)
        found = search(
            attrs.evolve(
                query,
                match=Match.WHOLE if rank is Rank.WHOLE else prefixes,
                after=after,
                limit=asked,
            )
        )
        page += [(rank, client) for client in found if client.id not in skipped][:wanted]
        if rank is Rank.WHOLE and after is None and len(found) < asked:
            prefixes = Match.PREFIX
            skipped.update(client.id for client in found)
    return page


def search(
    uow: UnitOfWork,
    text: str = "",
    *,
    status: StatusFilter | str = StatusFilter.ACTIVE,
    group_id: UUID | None = None,
    caretaker_id: UUID | None = None,
    source: str | None = None,
    attribute: tuple[str, object] | None = None,
    limit: int = 50,
    after: str | None = None,
) -> ClientPage:
    """A page of clients matching the text and every filter, best first: the client
    whose code is the text, then those of whom every word typed is a whole word (or
    the exact phone number), then the other matches; within each, in sort-key order."""
    text = validation.text("text", text, max_length=SEARCH_TEXT_MAX_LENGTH)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PAGE_MAX_SIZE:
        raise ValidationError("limit", f"must be a whole number from 1 to {PAGE_MAX_SIZE}")
    checked_attribute = None
    if attribute is not None:
        if not isinstance(attribute, tuple) or len(attribute) != 2:
            raise ValidationError("attribute", "must be a (key, value) pair")
        key, value = attribute
        definition = uow.records(ATTRIBUTE_DEFINITIONS).get(key)
        checked_attribute = (definition.key, definition.validate(value))
    query = ClientQuery(
        terms=search_terms(
            text, region=uow.settings.get().default_region if phone_like(text) else None
        ),
        status=validation.choice("status", StatusFilter, status),
        group_id=group_id,
        caretaker_id=caretaker_id,
        source=None
        if source is None
        else validation.text("source", source, max_length=SOURCE_MAX_LENGTH),
        attribute=checked_attribute,
        limit=limit + 1,
    )
    found = ranked(
        uow.clients.search,
        query,
        _exact_code(uow, text, query),
        None if after is None else decode_cursor(after),
    )
    page = found[:limit]
    return ClientPage(
        clients=tuple(client for _, client in page),
        next_cursor=encode_cursor(*page[-1]) if len(found) > limit else None,
    )
