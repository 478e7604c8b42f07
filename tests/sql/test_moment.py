"""A moment is bound as its instant: the processor that remembers its results per instant
writes what the type's conversion and the engine's own processing write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from hypothesis import given
from hypothesis import strategies as st

from clientcore.adapters.sql.schema import Moment

zones = st.sampled_from(
    [UTC, ZoneInfo("Europe/Warsaw"), ZoneInfo("America/New_York"), timezone(timedelta(hours=5))]
)
instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
moments = st.lists(st.tuples(instants, st.lists(zones, min_size=1, max_size=3)), max_size=8).map(
    lambda drawn: [instant.astimezone(zone) for instant, zones in drawn for zone in zones]
)


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://", "mysql+pymysql://"])
@given(values=moments)
def test_equal_instants_are_bound_alike_and_others_as_themselves(
    url: str, values: list[datetime]
) -> None:
    dialect = sqlalchemy.create_engine(url).dialect
    moment = Moment()
    remembered = moment.dialect_impl(dialect).bind_processor(dialect)
    engine_own = moment.load_dialect_impl(dialect).bind_processor(dialect)
    assert remembered is not None
    for value in [*values, *reversed(values)]:
        converted = moment.process_bind_param(value, dialect)
        expected = converted if engine_own is None else engine_own(converted)
        bound = remembered(value)  # compared as the drivers write it (they ignore its fold)
        assert (type(bound), str(bound)) == (type(expected), str(expected))
