"""A day's production spread over the hours of the local day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from myems_api.db.production import day_hours

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("day,hours", [(date(2026, 1, 10), 24), (date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_a_day_has_the_hours_of_its_local_day_and_they_sum_to_its_count(day, hours):
    spread = day_hours(day, 100.0, BERLIN)
    assert len(spread) == hours
    assert sum(v for _, v in spread) == pytest.approx(100.0, abs=1e-9)
    assert spread[0][0] == datetime(day.year, day.month, day.day, 0, tzinfo=BERLIN).astimezone(
        ZoneInfo("UTC")).replace(tzinfo=None)


def test_a_count_that_does_not_divide_evenly_keeps_six_decimals_and_its_sum():
    spread = day_hours(date(2026, 1, 10), 1.0, BERLIN)
    assert spread[0][1] == 0.041667 and spread[-1][1] == pytest.approx(1.0 - 23 * 0.041667)
