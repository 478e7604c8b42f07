"""SMS length: GSM-7 or UCS-2, and how many segments (billed parts) a text takes.

A text is sent in GSM-7 when every character is in the GSM 03.38 alphabet (160 characters
a segment, 153 when split; the extension characters such as ``€`` count twice); one
character outside it (a Polish ``ł``) sends the whole text as UCS-2: 70 UTF-16 units a
segment, 67 when split.
"""

from __future__ import annotations

import enum
import math
import unicodedata

import attrs

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
"""Characters sent as an escape and a second septet: each counts as two."""

_REPLACEMENTS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "„": '"',
        "”": '"',
        "“": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


class SmsEncoding(enum.StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@attrs.frozen
class SmsLength:
    """What a text costs as an SMS: its encoding, its length in that encoding's units
    (septets, or UTF-16 units) and its number of segments."""

    encoding: SmsEncoding
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_length(text: str) -> SmsLength:
    """The encoding, length and segment count of ``text`` (an empty text: one segment)."""
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part = 160, 153
        encoding = SmsEncoding.GSM7
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
        encoding = SmsEncoding.UCS2
    segments = 1 if units <= single else math.ceil(units / part)
    return SmsLength(encoding, units, segments)


def to_gsm7(text: str) -> str:
    """``text`` with letters written without their diacritics where GSM-7 lacks them
    (``Łódź`` -> ``Lodz``; GSM-7's own ``é``, ``ü``, ``ñ``... stay), typographic quotes and
    dashes made plain; characters with no such form stay (the text is then still UCS-2)."""
    out = []
    for char in text.translate(_REPLACEMENTS):
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        base = "".join(
            part for part in unicodedata.normalize("NFD", char) if not unicodedata.combining(part)
        )
        out.append(base if base and is_gsm7(base) else char)
    return "".join(out)
