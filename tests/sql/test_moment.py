"""A moment is bound as its instant: equal instants in any time zones are written alike,
on every dialect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
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


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://", "mysql+pymysql://"])
@given(instant=instants, zone=zones)
def test_equal_instants_are_bound_alike(url: str, instant: datetime, zone: tzinfo) -> None:
    dialect = sqlalchemy.create_engine(url).dialect
    bind = Moment().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    bound, in_zone = bind(instant), bind(instant.astimezone(zone))
    assert (type(bound), str(bound)) == (type(in_zone), str(in_zone))  # the drivers' view
