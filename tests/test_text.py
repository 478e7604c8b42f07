"""Properties of search folding and search terms."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from clientcore.entities.client import Client, ClientKind
from clientcore.entities.search import KEY_MAX_LENGTH, client_sort_key, search_terms
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


names = st.one_of(st.text(max_size=40), st.sampled_from(["Łukasz", "ǅ", "Ĳssel", "ﬃ", "\u0301a"]))


@given(st.sampled_from(ClientKind), names, names, names)
def test_the_sort_key_is_the_last_then_the_first_name_folded(
    kind: ClientKind, first_name: str, last_name: str, company_name: str
) -> None:
    """The sort key folds the last name, then the first name (a company's name), one by one
    (remembering each), their words split at whitespace and punctuation: as if each whole
    name were folded and its punctuation read as spaces."""
    moment = datetime(2026, 1, 5, tzinfo=UTC)
    client = Client(
        id=UUID(int=1),
        code="1",
        kind=kind,
        created_at=moment,
        updated_at=moment,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
    )

    def words(name: str) -> str:
        folded = fold(name)
        spaced = "".join(" " if unicodedata.category(ch)[0] == "P" else ch for ch in folded)
        return " ".join(spaced.split())

    if kind is ClientKind.COMPANY:
        expected = words(company_name)
    else:
        expected = words(last_name) + "\x01" + words(first_name)
    assert client_sort_key(client) == expected[:KEY_MAX_LENGTH]
