"""The public API: its parts, and every type in a public signature importable from
``clientcore`` itself."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator

import pytest

import clientcore
from clientcore.api.parts import Parts
from clientcore.operations.clients import ClientFields

PARTS = [
    "calendar",
    "clients",
    "consents",
    "interests",
    "messages",
    "notes",
    "price_lists",
    "products",
    "sales",
    "setup",
    "staff",
    "subjects",
    "visits",
]


def _part_classes() -> list[type]:
    core = clientcore.open("memory://", tenant="t")
    assert sorted(vars(core).keys() & set(PARTS)) == PARTS
    return [type(getattr(core, name)) for name in PARTS]


def _public_callables() -> Iterator[tuple[str, Callable[..., object]]]:
    yield "clientcore.open", clientcore.open
    yield "clientcore.open_async", clientcore.open_async
    classes = [
        *_part_classes(),
        clientcore.Core,
        clientcore.Transaction,
        clientcore.AsyncCore,
        clientcore.AsyncTransaction,
        clientcore.AsyncKindRecords,
        clientcore.Events,
        clientcore.Retry,
    ]
    for cls in classes:
        for name, member in inspect.getmembers(cls):
            if name.startswith("_"):
                continue
            if isinstance(member, property) and member.fget is not None:
                yield f"{cls.__name__}.{name}", member.fget
            elif inspect.isfunction(member):
                yield f"{cls.__name__}.{name}", member


def _classes_in(hint: object) -> Iterator[type]:
    """Every class a type hint names, through unions, generics and callables."""
    if isinstance(hint, list):
        for item in hint:
            yield from _classes_in(item)
        return
    origin = typing.get_origin(hint)
    if origin is None and isinstance(hint, type):
        yield hint
        if typing.is_typeddict(hint):
            for field in typing.get_type_hints(hint).values():
                yield from _classes_in(field)
        return
    for argument in typing.get_args(hint):
        yield from _classes_in(argument)


def _named_classes() -> dict[str, set[type]]:
    found: dict[str, set[type]] = {}
    for where, function in _public_callables():
        for hint in typing.get_type_hints(function).values():
            for cls in _classes_in(hint):
                found.setdefault(where, set()).add(cls)
    return found


def test_every_class_in_a_public_signature_is_importable_from_clientcore() -> None:
    missing = {
        f"{where}: {cls.__module__}.{cls.__qualname__}"
        for where, classes in _named_classes().items()
        for cls in classes
        if cls.__module__.startswith("clientcore")
        and getattr(clientcore, cls.__name__, None) is not cls
    }
    assert not missing


def test_the_walk_reaches_the_everyday_types() -> None:
    named = set().union(*_named_classes().values())
    for name in ["Visit", "Charge", "WeeklySlot", "FreeSlot", "ClientVisits", "Capabilities"]:
        assert getattr(clientcore, name) in named


def test_everything_in_all_exists() -> None:
    assert [name for name in clientcore.__all__ if not hasattr(clientcore, name)] == []


def test_a_core_and_a_transaction_have_the_same_parts() -> None:
    core = clientcore.open("memory://", tenant="t", actor=clientcore.Actor("a"))
    with core.transaction() as tx:
        assert {name: type(getattr(tx, name)) for name in PARTS} == {
            name: type(getattr(core, name)) for name in PARTS
        }
    assert isinstance(core, Parts)


def test_a_clients_update_takes_every_client_field_as_unset_by_default() -> None:
    parameters = inspect.signature(clientcore.Clients.update).parameters
    fields = {name for name, p in parameters.items() if p.default is clientcore.UNSET}
    assert fields == set(ClientFields.__annotations__)


@pytest.mark.parametrize(
    ("method", "fields"),
    [
        (clientcore.Subjects.update, {"kind", "name", "details"}),
        (clientcore.Visits.update, {"notes", "source", "first_consultation", "asap"}),
        (clientcore.Visits.reschedule, {"start", "duration_minutes", "staff_id"}),
    ],
)
def test_partial_updates_default_to_unset(method: Callable[..., object], fields: set[str]) -> None:
    parameters = inspect.signature(method).parameters
    assert {name for name, p in parameters.items() if p.default is clientcore.UNSET} == fields


def test_unset_fields_are_kept_and_given_ones_changed_even_to_none() -> None:
    core = clientcore.open("memory://", tenant="t", actor=clientcore.Actor("a"))
    vet = core.staff.add("Dr Ewa")
    client = core.clients.register(last_name="Nowak", caretaker_id=vet.id, remarks="calm")
    changed = core.clients.update(client.id, caretaker_id=None)
    assert (changed.caretaker_id, changed.remarks) == (None, "calm")
    pet = core.subjects.add(client.id, kind="pet", name="Burek", details={"species": "dog"})
    renamed = core.subjects.update(pet.id, name="Azor")
    assert (renamed.name, renamed.details) == ("Azor", {"species": "dog"})
    assert core.subjects.update(pet.id, details={}).details == {}
    assert repr(clientcore.UNSET) == "UNSET"
