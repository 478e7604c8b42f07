"""The arguments of every public method checked against its signature before it runs.

A part's method says what it takes in its annotations; :func:`checked` makes the class
refuse anything else with :class:`~clientcore.errors.ValidationError` naming the argument,
before a unit of work is opened, identically on every adapter:

- an id annotated ``UUID`` must be a ``uuid.UUID`` (``"not-a-uuid"`` is refused, never
  sent to a store that would answer ``StorageError`` or ``NotFound``);
- text must hold no lone surrogate and no NUL (what no store keeps: lookups by a code, a
  project or an attribute key answer alike everywhere);
- ``int`` is an int and not a bool; a datetime is timezone-aware and from the year 1900 up
  to 9000, a date likewise (:data:`clientcore.entities.validation.EARLIEST`, ``LATEST``);
- containers are of the kind named, their entries checked likewise; a class named (an
  enum, ``Address``, ``Actor``...) must be an instance of it.

What a value means (lengths, ranges, whether an id exists) is for the operation to check.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import attrs
from typing_extensions import Unpack

from clientcore.entities import validation
from clientcore.errors import ValidationError

C = TypeVar("C", bound=type)
Check = Callable[[str, Any], None]


def _accept(field: str, value: Any) -> None:
    return None


def _type_name(hint: object) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _instance(cls: type) -> Check:
    name = cls.__name__

    def check(field: str, value: Any) -> None:
        if not isinstance(value, cls):
            raise ValidationError(field, f"must be a {name}, got {type(value).__name__}")

    return check


def _text(field: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, got {type(value).__name__}")
    validation.unstorable(field, value)


def _int(field: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be a whole number, got {type(value).__name__}")


def _uuid(field: str, value: Any) -> None:
    if not isinstance(value, UUID):
        raise ValidationError(field, f"{value!r} is not an id (a uuid.UUID)")


def _moment(field: str, value: Any) -> None:
    validation.moment(field, value)


def _day(field: str, value: Any) -> None:
    validation.day(field, value)


_SIMPLE: dict[object, Check] = {
    object: _accept,
    Any: _accept,
    str: _text,
    int: _int,
    bool: _instance(bool),
    UUID: _uuid,
    datetime: _moment,
    date: _day,
    Decimal: _instance(Decimal),
    types.NoneType: _instance(types.NoneType),
}


def _union(hints: tuple[object, ...]) -> Check:
    checks = [checker(hint) for hint in hints]
    # A value that is one of the plain alternatives' types is judged by that alternative
    # (a lone surrogate in a str is a text error, not "must be a UUID or text").
    names = " or ".join(
        "None" if hint is types.NoneType else _type_name(typing.get_origin(hint) or hint)
        for hint in hints
    )

    def check(field: str, value: Any) -> None:
        failures = []
        for one in checks:
            try:
                one(field, value)
                return
            except ValidationError as failure:
                failures.append(failure)
        for hint, refused in zip(hints, failures, strict=True):
            base = typing.get_origin(hint) or hint
            if isinstance(base, type) and isinstance(value, base):
                raise refused
        raise ValidationError(field, f"must be {names}, got {type(value).__name__}")

    return check


def _sequence(entry: Check) -> Check:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, list | tuple):
            raise ValidationError(field, f"must be a list, got {type(value).__name__}")
        for item in value:
            entry(field, item)

    return check


def _tuple(entries: tuple[Check, ...]) -> Check:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, tuple) or len(value) != len(entries):
            raise ValidationError(field, f"must be a tuple of {len(entries)}, got {value!r}")
        for one, item in zip(entries, value, strict=True):
            one(field, item)

    return check


def _mapping(key: Check, item: Check) -> Check:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise ValidationError(field, f"must be a mapping, got {type(value).__name__}")
        for k, v in value.items():
            key(field, k)
            item(f"{field}.{k}", v)

    return check


@functools.cache
def checker(hint: object) -> Check:
    """The check of a value against a resolved type hint."""
    simple = _SIMPLE.get(hint)
    if simple is not None:
        return simple
    if hint is None:
        return _instance(types.NoneType)
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union(arguments)
    if origin in (Sequence, list, set, frozenset) or (
        origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis
    ):
        return _sequence(checker(arguments[0]) if arguments else _accept)
    if origin is tuple:
        return _tuple(tuple(checker(argument) for argument in arguments))
    if origin in (Mapping, dict):
        return _mapping(checker(arguments[0]), checker(arguments[1]))
    if origin is Unpack or origin is typing.Literal:
        return _accept
    if origin is not None and isinstance(origin, type):
        return _instance(origin)  # a generic class: RecordKind[T]
    if typing.is_typeddict(hint):
        # a row of an import: the operation checks it whole and names the row it refuses
        return _accept
    if isinstance(hint, type):
        return _instance(hint)  # an enum, an attrs class, a Callable
    return _accept  # a TypeVar: the operation checks it


def _keyword_fields(hint: object) -> Mapping[str, Check]:
    """The checks of ``**fields: Unpack[SomeTypedDict]``, by field name."""
    arguments = typing.get_args(hint)
    if typing.get_origin(hint) is Unpack and arguments and typing.is_typeddict(arguments[0]):
        return {name: checker(field) for name, field in typing.get_type_hints(arguments[0]).items()}
    return {}


class _Signature:
    """The checks of one method's parameters, made when it is first called."""

    def __init__(self, function: Callable[..., Any]) -> None:
        hints = typing.get_type_hints(function)
        parameters = list(inspect.signature(function).parameters.values())[1:]  # self
        self.positional = [
            (p.name, checker(hints.get(p.name, object)))
            for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        self.keyword = {p.name: checker(hints.get(p.name, object)) for p in parameters}
        rest = next((p for p in parameters if p.kind is p.VAR_POSITIONAL), None)
        self.rest = None if rest is None else (rest.name, checker(hints.get(rest.name, object)))
        fields = next((p for p in parameters if p.kind is p.VAR_KEYWORD), None)
        self.fields = {} if fields is None else _keyword_fields(hints.get(fields.name))

    def __call__(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        for (name, check), value in zip(self.positional, args, strict=False):
            check(name, value)
        if self.rest is not None:
            name, check = self.rest
            for value in args[len(self.positional) :]:
                check(name, value)
        for name, value in kwargs.items():
            known = self.keyword.get(name) or self.fields.get(name)
            if known is not None:
                known(name, value)


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    made: list[_Signature] = []

    @functools.wraps(function)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not made:
            made.append(_Signature(function))
        made[0](args, kwargs)
        return function(self, *args, **kwargs)

    return guarded


def checked(cls: C) -> C:
    """Make every public method of ``cls`` check its arguments against its annotations."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, _guarded(member))
    return cls


@functools.cache
def _field_checks(cls: type) -> Mapping[str, Check]:
    """The checks of the fields of a host's class; a field whose annotation cannot be
    resolved (a name its module does not define) is left to the operation."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        hints = {
            field.name: object if isinstance(field.type, str) else field.type
            for field in attrs.fields(cls)
        }
    return {name: checker(hint) for name, hint in hints.items()}


def check_fields(cls: type, values: Mapping[str, Any]) -> None:
    """Check values of fields of the attrs class ``cls`` against the fields' annotations
    (a host's record, or a filter on its fields), as :func:`checked` checks arguments."""
    checks = _field_checks(cls)
    for name, value in values.items():
        known = checks.get(name)
        if known is not None:
            known(name, value)
