"""Properties of search folding and search terms."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from clientcore.entities.search import search_terms
from clientcore.entities.text import fold


@given(st.text())
def test_nfc_and_nfd_fold_alike(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text))


@given(st.text())
def test_folding_is_idempotent_and_leaves_no_marks(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", folded))


def test_letters_that_decomposition_does_not_fold() -> None:
    assert fold("Łukasz ŁÓDŹ Żółć Šarūnas IJssel ĳs Straße Æbelø") == (
        "lukasz lodz zolc sarunas ijssel ijs strasse aebelo"
    )


@given(st.text(max_size=200))
def test_search_terms_never_fail(text: str) -> None:
    for term in search_terms(text, region="PL"):
        assert term
        assert not any(ch.isspace() for ch in term)
