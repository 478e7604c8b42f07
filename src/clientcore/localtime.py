"""How an instant reads where a person reads it (error messages, the history): the wall-clock
time in the tenant's zone, with the zone named, e.g. ``2026-06-01 12:00 Europe/Warsaw``.

Stored instants stay UTC; only their text is local. A wall-clock time that the zone shows
twice (the hour the clocks go back) gets its UTC offset too, so the text never names two
instants: ``2026-10-25 02:30 (UTC+01:00) Europe/Warsaw``. Standard library only: the
errors and the entities may use it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def zone_name(zone: tzinfo | None, at: datetime) -> str:
    """The IANA key of a ``zoneinfo.ZoneInfo`` ("Europe/Warsaw"), else the zone's name."""
    if zone is None:
        return "UTC"
    return getattr(zone, "key", None) or zone.tzname(at) or "UTC"


def _clock(local: datetime) -> str:
    """The local date and time: minutes, and seconds or milliseconds only where there are."""
    text = f"{local:%Y-%m-%d %H:%M}"
    if local.second or local.microsecond:
        text += f":{local:%S}"
    if local.microsecond:
        text += f".{local.microsecond // 1000:03d}"
    return text


def _ambiguous(local: datetime) -> bool:
    """Whether the zone shows this wall-clock time twice (the clocks went back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _offset(local: datetime) -> str:
    offset = local.strftime("%z")
    return f" (UTC{offset[:3]}:{offset[3:]})"


def local_text(instant: datetime, zone: tzinfo | None) -> str:
    """``instant`` as the wall-clock time of ``zone`` (None: UTC), with the zone named:
    ``2026-06-01 12:00 Europe/Warsaw``."""
    local = instant.astimezone(zone or UTC)
    shown = _clock(local) + (_offset(local) if _ambiguous(local) else "")
    return f"{shown} {zone_name(zone, instant)}"


def span_text(start: datetime, end: datetime, zone: tzinfo | None) -> str:
    """A time span in ``zone``: ``2026-06-01 12:00-12:30 Europe/Warsaw`` within a day,
    ``2026-06-01 23:30 to 2026-06-02 00:30 Europe/Warsaw`` across days."""
    first = start.astimezone(zone or UTC)
    last = end.astimezone(zone or UTC)
    name = zone_name(zone, start)
    if first.date() == last.date() and not (_ambiguous(first) or _ambiguous(last)):
        return f"{_clock(first)}-{_clock(last)[11:]} {name}"
    begin = _clock(first) + (_offset(first) if _ambiguous(first) else "")
    finish = _clock(last) + (_offset(last) if _ambiguous(last) else "")
    return f"{begin} to {finish} {name}"
