"""Money: exact ``Decimal`` arithmetic and rounding to a currency's minor unit.

Amounts are never floats. Products of quantities, prices, discounts and VAT rates are
computed in a context wide enough to hold every digit (:data:`EXACT`), so nothing is
rounded until :func:`rounded` rounds an amount, half up (commercial rounding), to the
currency's minor unit (:func:`minor_unit`: 2 decimals, 0 or 3 for the currencies ISO 4217
gives so).
"""

from __future__ import annotations

import enum
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from clientcore.errors import ValidationError

EXACT = Context(prec=100, rounding=ROUND_HALF_UP)
"""Wide enough for every product of the amounts clientcore takes (each below 10^12 with at
most 4 decimals): their arithmetic is exact."""

AMOUNT_LIMIT = Decimal(10) ** 12
AMOUNT_DECIMALS = 4

_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_MINOR_DIGITS = {
    **dict.fromkeys(_ZERO_DECIMALS.split(" "), 0),
    **dict.fromkeys(_THREE_DECIMALS.split(" "), 3),
}


class Rounding(enum.StrEnum):
    """Where a document's amounts are rounded to the currency's minor unit."""

    PER_LINE = "per_line"
    """Each line's net and VAT are rounded; the document's totals are their sums."""
    PER_DOCUMENT = "per_document"
    """Lines keep their exact amounts; the document's net and VAT are the rounded sums."""


def currency_code(field: str, value: object) -> str:
    """An ISO 4217 code such as ``"EUR"`` (upper-cased)."""
    code = value.upper() if isinstance(value, str) else ""
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(field, f"{value!r} is not an ISO 4217 code such as 'EUR'")
    return code


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``Decimal("0.01")`` for most."""
    return Decimal(1).scaleb(-_MINOR_DIGITS.get(currency, 2))


def to_minor(amount: Decimal, currency: str) -> int:
    """A rounded amount of ``currency`` as a whole number of its minor units (cents)."""
    with localcontext(EXACT):
        return int(amount.scaleb(_MINOR_DIGITS.get(currency, 2)))


def from_minor(units: int, currency: str) -> Decimal:
    """A whole number of minor units of ``currency`` as an amount (``1234`` -> ``12.34``)."""
    with localcontext(EXACT):
        return Decimal(units).scaleb(-_MINOR_DIGITS.get(currency, 2))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the minor unit of ``currency``."""
    with localcontext(EXACT):
        return amount.quantize(minor_unit(currency))


def amount(
    field: str, value: object, *, limit: Decimal = AMOUNT_LIMIT, decimals: int = AMOUNT_DECIMALS
) -> Decimal:
    """A non-negative exact amount below ``limit`` with at most ``decimals`` decimals, from a
    ``Decimal``, an ``int`` or digits as text; a float is refused (it is not exact)."""
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(field, "use a Decimal (or int, or digits), never a float")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(field, f"{value!r} is not a number") from None
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or number < 0 or exponent < -decimals or number >= limit:
        raise ValidationError(
            field, f"must be 0 or more, below {limit:,}, with at most {decimals} decimals"
        )
    return number


def percent(field: str, value: object) -> Decimal:
    """A percentage from 0 to 100 with at most 2 decimals (a VAT rate, a discount)."""
    number = amount(field, value, limit=Decimal(101), decimals=2)
    if number > 100:
        raise ValidationError(field, "must be a percentage from 0 to 100")
    return number
