"""Phone numbers parsed and validated exactly as ``phonenumbers`` does, faster.

It reads the library's metadata, so ``phonenumbers`` is pinned to the major version its
differential test (``tests/test_phones.py``) runs against.

Most phones of an import are written internationally (``+``, the country calling code and
the national number) or nationally, in the tenant's region, with spaces, hyphens, dots or
parentheses. ``phonenumbers.parse`` looks in such a text for RFC 3966 parts, extensions,
letters, other digits, IDD and national prefixes. For a text of only
those ASCII characters whose national number has no leading zero (kept apart, for Italy)
and does not start with what the metadata strips as a national prefix or carrier code (nor,
written without ``+``, with an international prefix or the region's own calling code), the
library's result is just the calling code and the national number, so it is built
directly; any other text goes through ``parse``, so every error is the library's own.

``is_valid_number`` tries the pattern of each rarer number type before the fixed-line and
mobile ones: a number matching its country's general pattern and its fixed-line
or mobile one is valid without them; any other is left to the library.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberDesc

_WRITTEN = re.compile(r"\+?[0-9 ().\-]+")
"""ASCII digits and separators that ``parse`` reads as nothing but digits (no letters,
extension marks such as ``x``, ``#`` or ``,``, nor ``;`` or ``/``), after an optional ``+``."""
_SEPARATORS = str.maketrans("", "", "+ ().-")
_MAX_INPUT_LENGTH = 250
"""``parse``'s limit on the whole text."""
_MAX_NATIONAL_LENGTH = 17
"""``parse``'s limit on the national number (it also needs at least 2 digits)."""

_CODES = {str(code): code for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}
"""The calling codes as written (none starts with ``0``)."""

_Pattern = tuple[frozenset[int], re.Pattern[str]] | None
"""A number type's possible lengths (empty: any) and national number pattern."""


def split_country_code(digits: str) -> tuple[int, str] | None:
    """The country calling code at the start of ``digits`` and the rest (None: there is
    none). Calling codes are prefix-free, so the first 1-3 digits that name a country are
    its code, as ``parse`` finds it after a ``+``."""
    for size in (1, 2, 3):
        code = _CODES.get(digits[:size])
        if code is not None:
            return code, digits[size:]
    return None


def parse(number: str, region: str | None) -> PhoneNumber:
    """``phonenumbers.parse(number, region)``, raising the same ``NumberParseException``
    for the same texts."""
    found = _read_directly(number, region)
    if found is not None:
        return PhoneNumber(country_code=found[0], national_number=int(found[1]))
    return phonenumbers.parse(number, region)


def is_valid(number: PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number(number)``."""
    code = number.country_code
    if code is not None and _valid_by_pattern(
        code, phonenumbers.national_significant_number(number)
    ):
        return True
    return bool(phonenumbers.is_valid_number(number))


def known_e164(number: str, region: str | None) -> str | None:
    """The E.164 form of ``number`` when :func:`parse` reads it directly and :func:`is_valid`
    accepts it by its country's patterns: what ``format_number(parse(number, region),
    E164)`` gives, without making the ``PhoneNumber`` (None: ask them). The national
    number read directly has no leading zero, so it is its own significant number."""
    found = _read_directly(number, region)
    if found is None or not _valid_by_pattern(*found):
        return None
    return f"+{found[0]}{found[1]}"


def _read_directly(number: str, region: str | None) -> tuple[int, str] | None:
    """The calling code and national number ``parse`` reads in ``number``, when it reads
    them as written (None: leave ``number`` to the library)."""
    if len(number) > _MAX_INPUT_LENGTH or not _WRITTEN.fullmatch(number):
        return None
    digits = number.translate(_SEPARATORS)
    return _international(digits) if number[0] == "+" else _national(digits, region)


def _valid_by_pattern(code: int, national: str) -> bool:
    """Whether the general pattern and the fixed-line or mobile one of calling code
    ``code`` accept ``national`` (a national significant number); False leaves the verdict
    to ``is_valid_number``."""
    country = _country(code)
    return (
        country is not None
        and _matches(national, country.general)
        and (_matches(national, country.fixed_line) or _matches(national, country.mobile))
    )


def _international(digits: str) -> tuple[int, str] | None:
    """The calling code and national number ``parse`` reads in ``+`` and ``digits``, if it
    reads them as they are (None: it may not)."""
    found = split_country_code(digits)
    if found is None:
        return None
    country = _country(found[0])
    if country is None or not _kept_whole(found[1], country.national_prefix, min_length=2):
        return None
    return found


def _national(digits: str, region: str | None) -> tuple[int, str] | None:
    """The calling code and national number ``parse`` reads in ``digits`` written without
    ``+`` in ``region``, if it reads them as the region's national number as they are: not
    after an international prefix (``00``), nor after the region's own calling code."""
    home = None if region is None else _home(region)
    if (
        home is None
        or (home.international_prefix is not None and home.international_prefix.match(digits))
        or digits.startswith(str(home.code))
        or not _kept_whole(digits, home.national_prefix, min_length=3)
    ):
        return None
    return home.code, digits


def _kept_whole(national: str, national_prefix: re.Pattern[str] | None, min_length: int) -> bool:
    """Whether ``parse`` takes these digits for the national number as they are: not too
    short (three digits apart are needed for a number without ``+``) or long, no leading
    zero, nothing that the ``national_prefix`` pattern strips."""
    return (
        min_length <= len(national) <= _MAX_NATIONAL_LENGTH
        and not national.startswith("0")
        and (national_prefix is None or national_prefix.match(national) is None)
    )


class _Home(NamedTuple):
    """What :func:`_national` needs of a region's metadata."""

    code: int
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None


@functools.cache
def _home(region: str) -> _Home | None:
    """The metadata ``parse`` reads a number written without ``+`` in ``region`` by (None:
    it refuses the region)."""
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.country_code is None:
        return None
    return _Home(
        metadata.country_code,
        _compiled(metadata.international_prefix),
        _compiled(metadata.national_prefix_for_parsing),
    )


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


class _Country(NamedTuple):
    """What the fast paths need of a calling code's metadata."""

    national_prefix: re.Pattern[str] | None
    """What ``parse`` may strip from the start of a national number (None: nothing)."""
    general: _Pattern
    fixed_line: _Pattern
    mobile: _Pattern
    """The patterns ``is_valid_number`` checks, when its verdict is this metadata's (None:
    not to be used)."""


@functools.cache
def _country(code: int) -> _Country | None:
    """The metadata of calling code ``code`` (None: there is none).

    ``is_valid_number`` judges by the metadata of the code's first region when it is the
    only one or when it claims numbers by their pattern rather than by leading digits; the
    mobile pattern counts only when the metadata does not mark it as the fixed-line one
    (the library then checks it no further).
    """
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
    if metadata is None:
        return None
    national_prefix = _compiled(metadata.national_prefix_for_parsing)
    if len(regions) > 1 and metadata.leading_digits is not None:
        return _Country(national_prefix, None, None, None)
    mobile = None if metadata.same_mobile_and_fixed_line_pattern else metadata.mobile
    return _Country(
        national_prefix,
        _pattern(metadata.general_desc),
        _pattern(metadata.fixed_line),
        _pattern(mobile),
    )


def _pattern(desc: PhoneNumberDesc | None) -> _Pattern:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


def _matches(national: str, pattern: _Pattern) -> bool:
    """Whether ``national`` is of the type, as the library's ``_is_number_matching_desc``
    decides."""
    if pattern is None:
        return False
    lengths, regex = pattern
    return (not lengths or len(national) in lengths) and regex.fullmatch(national) is not None
