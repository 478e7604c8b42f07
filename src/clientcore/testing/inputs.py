"""Wrong-typed and out-of-range arguments for every public method of every part of a core.

:func:`public_methods` walks the parts of a :class:`~clientcore.Core` (``core.clients``,
``core.visits``...) with :mod:`inspect`; :func:`call_with_bad_arguments` (a hypothesis
``data`` strategy user) picks one of them and calls it with, for each parameter, either a
fitting value (an id of a record made for the call) or an arbitrary hostile one: a value
of the wrong type, text with a lone surrogate or NUL, a number past any column, a
datetime at the ends of Python's range or without a zone, a malformed id...

What a call may do is one of two things: raise a :class:`~clientcore.errors.ClientCoreError`,
or succeed and return what it stored (a record read back by its id equals it). Anything
else (a ``TypeError``, a driver's error, ``OverflowError``) fails the property. Hosts may run
it on their own adapters like the contracts.
"""

from __future__ import annotations

import enum
import functools
import inspect
import math
import types
import typing
from collections import abc
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from clientcore.entities.client import DocumentKind, IdentityDocument, NameDay
from clientcore.entities.contacts import Address, AddressKind, Email, Phone
from clientcore.entities.visit import Charge, ChargeKind
from clientcore.entities.working_hours import DayOverride, TimeRange, WeeklySlot
from clientcore.errors import ClientCoreError
from clientcore.facade import Core
from clientcore.operations.clients import EDITABLE_FIELDS
from clientcore.testing.clock import new_tenant

PARTS = ("calendar", "clients", "consents", "notes", "setup", "staff", "subjects", "visits")
Method = Callable[..., Any]

_TEXTS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["", " ", "\ud800", "a\x00b", "1e1000000", "not-a-uuid", "ß", "\u200b", "tel:+48601"]
    ),
    st.sampled_from([65, 257, 10_001]).map(lambda length: "x" * length),
)
_NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, 10**30, True, False]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("1e1000000"), Decimal("-0")]),
)
_MOMENTS = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),  # naive
    st.sampled_from(
        [
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        ]
    ),
    st.dates(),
    st.times(),
)
_ATOMS = st.one_of(
    st.none(),
    _TEXTS,
    _NUMBERS,
    _MOMENTS,
    st.uuids(),
    st.binary(max_size=16),
    st.sampled_from([object(), b"\x00" * 16, str(UUID(int=1)), math.pi]),
)
_ENTITIES = st.one_of(
    # attrs classes check no types: what an operation gets may hold anything
    st.builds(Address, _ATOMS, _ATOMS, _ATOMS, _ATOMS, _ATOMS),
    st.builds(Charge, _ATOMS, _ATOMS, _ATOMS, _ATOMS, _ATOMS),
    st.builds(WeeklySlot, _ATOMS, st.one_of(_ATOMS, st.builds(TimeRange, _ATOMS, _ATOMS))),
    st.builds(DayOverride, _ATOMS, _ATOMS),
    st.builds(IdentityDocument, _ATOMS, _ATOMS),
    st.builds(Phone, _ATOMS, _ATOMS, _ATOMS),
    st.builds(Email, _ATOMS, _ATOMS, _ATOMS),
)
_VALUES = st.recursive(
    st.one_of(_ATOMS, _ENTITIES),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.frozensets(st.uuids(), max_size=2),
        st.dictionaries(_TEXTS, inner, max_size=2),
    ),
    max_leaves=4,
)


@attrs.frozen
class Fixtures:
    """Records made for one call, whose ids and keys are the fitting values."""

    core: Core
    client_id: UUID
    staff_id: UUID
    group_id: UUID
    visit_id: UUID
    subject_id: UUID

    def fitting(self, name: str) -> st.SearchStrategy[Any]:
        """A value that fits a parameter called ``name`` (hypothesis also mixes in others)."""
        ids = {
            "client_id": self.client_id,
            "caretaker_id": self.staff_id,
            "staff_id": self.staff_id,
            "group_id": self.group_id,
            "visit_id": self.visit_id,
            "subject_id": self.subject_id,
        }
        if name in ids:
            return st.just(ids[name])
        monday = datetime(2026, 6, 1, 9, tzinfo=UTC)
        known: Mapping[str, st.SearchStrategy[Any]] = {
            "staff_ids": st.just([self.staff_id]),
            "group_ids": st.just((self.group_id,)),
            "start": st.just(monday),
            "end": st.just(monday + timedelta(days=1)),
            "at": st.just(datetime(2025, 1, 1, tzinfo=UTC)),
            "duration_minutes": st.sampled_from([15, 30]),
            "step_minutes": st.just(30),
            "key": st.just("weight"),
            "value": st.sampled_from(["12.5", 3, Decimal("0.5")]),
            "attribute": st.just(("weight", 3)),
            "purpose": st.just("notifications"),
            "granted": st.booleans(),
            "weekly": st.just([WeeklySlot(0, TimeRange(time(8), time(16)))]),
            "overrides": st.just([DayOverride(date(2026, 6, 2))]),
            "charges": st.just(
                [Charge(ChargeKind.SERVICE, "Exam", Decimal(1), Decimal("80"), "PLN")]
            ),
            "addresses": st.just([Address(AddressKind.RESIDENCE, city="Łódź", country="PL")]),
            "phones": st.just(["+48 601 234 567", Phone("+31612345678")]),
            "emails": st.just([Email("anna@example.com")]),
            "name_day": st.just(NameDay(month=2, day=29)),
            "identity_documents": st.just([IdentityDocument(DocumentKind.PASSPORT, "AB1")]),
            "type": st.sampled_from(["text", "number", "flag"]),
            "kind": st.sampled_from(["person", "pet", "note"]),
            "status": st.sampled_from(["all", "active"]),
            "kinds": st.just([]),
            **_PLAIN,
        }
        return known.get(name, st.text(max_size=12))


_PLAIN: Mapping[str, st.SearchStrategy[Any]] = {
    "time_zone": st.sampled_from(["Europe/Warsaw", "UTC"]),
    "default_region": st.sampled_from(["PL", None]),
    "label": st.just("Label"),
    "choices": st.just(["a", "b"]),
    "roles": st.just(["staff"]),
    "details": st.just({"species": "dog"}),
    "channel": st.sampled_from([None, "sms"]),
    "limit": st.integers(1, 20),
    "after": st.none(),
    "expected_version": st.sampled_from([None, 1, 2]),
    "birthday": st.dates(date(1950, 1, 1), date(2020, 1, 1)),
    "attributes": st.just({"weight": "1.5"}),
    "code": st.text("ABC-123", min_size=1, max_size=6),
    "first_name": st.text(max_size=20),
    "last_name": st.text(min_size=1, max_size=20),
    "company_name": st.text(min_size=1, max_size=20),
    "name": st.text(min_size=1, max_size=20),
}


def make_fixtures(core: Core) -> Fixtures:
    """Records of a fresh tenant of ``core`` to aim the calls at."""
    core = core.for_tenant(new_tenant("fuzz"))
    core.setup.configure(default_region="PL", time_zone="Europe/Warsaw")
    core.setup.define_attribute("weight", label="Weight", type="number")
    vet = core.staff.add("Dr Ewa", roles=["staff"])
    core.staff.set_hours(
        vet.id, [WeeklySlot(day, TimeRange(time(7), time(19))) for day in range(7)]
    )
    client = core.clients.register(last_name="Nowak", phones=["601 234 567"])
    start = datetime(2026, 6, 1, 8, tzinfo=UTC)
    return Fixtures(
        core=core,
        client_id=client.id,
        staff_id=vet.id,
        group_id=core.setup.define_group("VIP").id,
        visit_id=core.visits.book(client.id, vet.id, start, 30).id,
        subject_id=core.subjects.add(client.id, kind="pet", name="Burek").id,
    )


def public_methods(core: Core) -> Iterator[tuple[str, str]]:
    """(part, method) of every public method of every part of ``core``."""
    for part in PARTS:
        for name, member in inspect.getmembers(type(getattr(core, part))):
            if not name.startswith("_") and inspect.isfunction(member):
                yield part, name


def _of_type(hint: object) -> st.SearchStrategy[Any]:
    """Any value of the annotated type, out of range included (huge ints, any text, any
    datetime, naive ones too), or a hostile value of another type."""
    return st.one_of(_typed(hint), _VALUES)


def _typed(hint: object) -> st.SearchStrategy[Any]:
    simple: Mapping[object, st.SearchStrategy[Any]] = {
        int: st.integers(),
        bool: st.booleans(),
        str: st.text(),
        UUID: st.uuids(),
        datetime: st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
        date: st.dates(),
        Decimal: st.decimals(),
    }
    if hint in simple:
        return simple[hint]
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_typed(argument) for argument in arguments])
    if origin in (list, tuple, abc.Sequence) and arguments:
        return st.lists(_typed(arguments[0]), max_size=3)
    if origin in (dict, abc.Mapping) and len(arguments) == 2:
        return st.dictionaries(_typed(arguments[0]), _typed(arguments[1]), max_size=3)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and attrs.has(hint):
        fields = [_ATOMS for field in attrs.fields(hint) if field.init]
        return st.builds(functools.partial(_made, hint), *fields)
    return _VALUES


def _made(cls: type, *values: Any) -> Any:
    """An instance of ``cls`` made of ``values``; what it refuses (a class that checks
    itself, such as ``NameDay``) is passed on as a plain tuple of them."""
    try:
        return cls(*values)
    except ClientCoreError:
        return values


def _arguments(
    data: st.DataObject, fixtures: Fixtures, method: Method
) -> tuple[list[Any], dict[str, Any]]:
    """Fitting values, but for one parameter (sometimes none) that gets any value of its
    type or a hostile one: so that calls get past the first refusal into the operation."""
    parameters = list(inspect.signature(method).parameters.values())
    hints = typing.get_type_hints(method)
    target = data.draw(st.sampled_from([None, *[p.name for p in parameters]]), label="bad")
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in parameters:
        name = parameter.name
        if parameter.kind is parameter.VAR_KEYWORD:
            fields = data.draw(st.lists(st.sampled_from(_FIELDS), max_size=3, unique=True))
            for field in fields:
                bad = field == fields[0] and target == name
                kwargs[field] = data.draw(_VALUES if bad else fixtures.fitting(field), label=field)
            continue
        if parameter.kind is parameter.VAR_POSITIONAL:
            entry = _VALUES if target == name else fixtures.fitting(name.rstrip("s") + "_id")
            args.extend(data.draw(st.lists(entry, max_size=2), label=name))
            continue
        if target != name and parameter.default is not parameter.empty and data.draw(st.booleans()):
            continue  # left to its default
        strategy = _of_type(hints.get(name, object)) if target == name else fixtures.fitting(name)
        value = data.draw(strategy, label=name)
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return args, kwargs


_FIELDS = list(EDITABLE_FIELDS)


def call_with_bad_arguments(data: st.DataObject, fixtures: Fixtures) -> None:
    """Call one public method with drawn arguments; fail unless it raised a
    :class:`~clientcore.errors.ClientCoreError` or returned what it stored."""
    core = fixtures.core
    part_name, name = data.draw(st.sampled_from(sorted(public_methods(core))), label="method")
    part = getattr(core, part_name)
    method = getattr(part, name)
    args, kwargs = _arguments(data, fixtures, method)
    try:
        result = method(*args, **kwargs)
    except ClientCoreError:
        return
    stored_id = getattr(result, "id", None)
    read = getattr(part, "get", None)
    if isinstance(stored_id, UUID) and read is not None and name != "delete":
        assert read(stored_id) == result, f"{part_name}.{name} returned what it did not store"
