"""The adapter's converter: every entity survives a round trip through real BSON bytes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import bson
import pytest
from hypothesis import given

from clientcore.adapters.mongo.convert import CODEC_OPTIONS, Documents, make_document_converter
from clientcore.testing.strategies import STORED_ENTITIES, entities


@pytest.mark.parametrize("cls", STORED_ENTITIES, ids=lambda cls: cls.__name__)
def test_every_entity_round_trips_through_bson(cls: type[Any]) -> None:
    documents = Documents()

    @given(entities(cls))
    def round_trip(entity: Any) -> None:
        encoded = bson.encode(documents.unstructure(entity), codec_options=CODEC_OPTIONS)
        decoded = bson.decode(encoded, codec_options=CODEC_OPTIONS)
        assert documents.structure(decoded, cls) == entity

    round_trip()


def test_the_converter_is_private_to_each_documents_object() -> None:
    first, second = Documents(), Documents()
    assert first._converter is not second._converter


def test_decimals_keep_their_exponent() -> None:
    converter = make_document_converter()
    stored = bson.decode(bson.encode({"n": converter.unstructure(Decimal("1.50"))}))
    assert str(converter.structure(stored["n"], Decimal)) == "1.50"
