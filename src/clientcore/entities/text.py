"""Folding text for search: case-, accent- and form-insensitive, across PL, LT and NL letters."""

from __future__ import annotations

import unicodedata

# Letters that Unicode decomposition does not split into a base letter and a mark.
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ø": "o",
        "Ø": "o",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ŀ": "l",
    }
)


def fold(text: str) -> str:
    """Fold ``text`` for matching: ``fold("Żółć") == fold("zolc") == "zolc"``.

    NFKD splits letters from their marks (and ligatures such as Dutch ``ĳ``); the marks
    are dropped, ``ł`` and friends are mapped by hand, and the rest is case-folded.
    NFC and NFD spellings of one word fold to the same key.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.casefold().translate(_EXTRA_FOLDS))
