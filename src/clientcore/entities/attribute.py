"""Custom attributes defined per tenant, with a type that validates their values (B1)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

import attrs

from clientcore.entities import validation
from clientcore.entities.client import AttributeValue
from clientcore.errors import ValidationError

ATTRIBUTE_KEY_MAX_LENGTH = 64
ATTRIBUTE_LABEL_MAX_LENGTH = 100
ATTRIBUTE_TEXT_MAX_LENGTH = 1000
CHOICE_MAX_LENGTH = 100
NUMBER_MAX_DIGITS = 18
NUMBER_MAX_PLACES = 6
NUMBER_INPUT_MAX_LENGTH = 100


class AttributeType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    FLAG = "flag"


@attrs.frozen
class AttributeDefinition:
    """``key`` names the attribute on clients; ``choices`` lists the values of a CHOICE."""

    id: UUID
    key: str
    label: str
    type: AttributeType
    created_at: datetime
    choices: tuple[str, ...] = ()
    personal: bool = True
    """Whether a client's value of it is personal data (anonymisation blanks it, P3); a
    fact about the business relation (a loyalty tier) may be declared not personal."""

    def validate(self, value: object) -> AttributeValue:
        """The value in its canonical type, or :class:`ValidationError`."""
        field = f"attributes.{self.key}"
        if self.type is AttributeType.TEXT:
            return validation.text(field, value, max_length=ATTRIBUTE_TEXT_MAX_LENGTH)
        if self.type is AttributeType.CHOICE:
            if value not in self.choices:
                raise ValidationError(field, f"{value!r} is not one of {list(self.choices)}")
            assert isinstance(value, str)
            return value
        if self.type is AttributeType.FLAG:
            if not isinstance(value, bool):
                raise ValidationError(field, f"a flag is True or False, got {value!r}")
            return value
        if self.type is AttributeType.DATE:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValidationError(field, f"must be a datetime.date, got {value!r}")
            return value
        return _number(field, value)


def _number(field: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise ValidationError(
            field, f"a number is an int, a Decimal or digits in a string, got {value!r}"
        )
    limit = f"at most {NUMBER_MAX_DIGITS} digits with {NUMBER_MAX_PLACES} after the point"
    if isinstance(value, str) and len(value) > NUMBER_INPUT_MAX_LENGTH:
        raise ValidationError(field, limit)
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError(field, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValidationError(field, "must be a finite number")
    # Read from the digits themselves, with no decimal context: normalize() would round
    # past the context's precision or overflow past its exponent ("1e1000000").
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return Decimal(0)
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    if places > NUMBER_MAX_PLACES or whole + places > NUMBER_MAX_DIGITS:
        raise ValidationError(field, limit)
    exact = Decimal((sign, digits, exponent))
    return exact if places else Decimal(int(exact))


def value_tag(value: AttributeValue) -> str:
    """The type of a validated attribute value: ``flag``, ``number``, ``date`` or ``text``."""
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, date):
        return "date"
    return "text"


def comparable(value: AttributeValue) -> str:
    """What an attribute filter compares, in every adapter: equal for two values exactly when
    they are the same attribute value (``Decimal("1.50")`` and ``Decimal("1.5")`` are,
    ``True`` and ``Decimal(1)`` or the text ``"1"`` are not)."""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, Decimal):
        text = "0" if value.is_zero() else format(value.normalize(), "f")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = value
    return f"{value_tag(value)}:{text}"
