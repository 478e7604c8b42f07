"""Message templates: text with ``{placeholders}`` filled in when a message is queued.

A template is checked when it is defined (an unknown placeholder, a stray brace or a
format spec is a :class:`~clientcore.errors.UnknownPlaceholder` or ValidationError then,
never a failure at send time). Dates and times are written in the tenant's locale and time
zone with ``babel`` (``pl``: "12 stycznia 2026", ``lt``, ``nl``...).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import attrs
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from clientcore.errors import UnknownPlaceholder, ValidationError

PLACEHOLDERS = ("client_name", "visit_date", "visit_time", "staff_name", "business_name")
"""What a template may name."""

_FORMATTER = string.Formatter()


def check_template(field: str, template: str) -> str:
    """``template`` if it names known placeholders only, plainly (``{client_name}``)."""
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as error:
        raise ValidationError(field, f"not a template: {error}") from None
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            raise UnknownPlaceholder(field, name, PLACEHOLDERS)
        if spec or conversion:
            raise ValidationError(field, f"{{{name}}} takes no format or conversion")
    return template


def check_locale(field: str, locale: str) -> str:
    """``locale`` if babel knows it (``pl``, ``lt``, ``nl``, ``pl_PL``...)."""
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError(field, f"{locale!r} is not a locale such as 'pl'") from None
    return locale


@attrs.frozen
class VisitFacts:
    """What a template about a visit is filled in with."""

    client_name: str
    business_name: str
    start: datetime
    staff_name: str


def render(template: str, facts: VisitFacts, *, locale: str, zone: ZoneInfo) -> str:
    """``template`` with its placeholders filled in; the visit's start as the local date
    (long form) and time (short form) of ``zone``, in ``locale``."""
    local = facts.start.astimezone(zone)
    values: Mapping[str, str] = {
        "client_name": facts.client_name,
        "business_name": facts.business_name,
        "staff_name": facts.staff_name,
        "visit_date": format_date(local.date(), format="long", locale=locale),
        "visit_time": format_time(local.time(), format="short", locale=locale),
    }
    return template.format_map(values)
