"""The period-bucketing kernel: local periods as UTC bounds and labels, sums of hourly rows into them.

Golden cases are worked out by hand from the zones' offsets and daylight-saving rules; the properties check,
over random zones, ranges and data, that bucketing conserves energy and equals a plain reference loop that
builds the periods with ``datetime`` arithmetic.
"""

from __future__ import annotations

import bisect
import calendar
import math
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reports.periods import (
    PERIOD_TYPES,
    PeriodError,
    Periods,
    bucket,
    hour_seconds,
    maxima,
    means,
    parse_local_datetime,
    parse_report_periods,
    periods,
    utc_offsets,
)

HOUR = 3600
NAN = math.nan
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """POSIX seconds of a UTC wall time."""
    return calendar.timegm((year, month, day, hour, minute, 0))


def rows(first: int, last: int) -> np.ndarray:
    """The UTC hour starts in [first, last)."""
    return np.arange(first, last, HOUR, dtype=np.int64)


# ------------------------------------------------------------------------------------------- golden periods


def test_berlins_spring_forward_day_is_a_23_hour_daily_period() -> None:
    p = periods(datetime(2024, 3, 30), datetime(2024, 4, 2), "Europe/Berlin", "daily")
    assert p.labels == ("2024-03-30", "2024-03-31", "2024-04-01")
    # CET midnight is 23:00Z; from 2024-03-31 02:00 local it is CEST, midnight 22:00Z.
    assert p.bounds.tolist() == [utc(2024, 3, 29, 23), utc(2024, 3, 30, 23), utc(2024, 3, 31, 22), utc(2024, 4, 1, 22)]
    assert p.hours.tolist() == [24, 23, 24]
    t = rows(utc(2024, 3, 29), utc(2024, 4, 3))
    assert bucket(t, np.ones(t.size), p).values.tolist() == [24.0, 23.0, 24.0]


def test_berlins_fall_back_day_is_a_25_hour_daily_period() -> None:
    p = periods(datetime(2024, 10, 26), datetime(2024, 10, 29), BERLIN, "daily")
    assert p.bounds.tolist() == [utc(2024, 10, 25, 22), utc(2024, 10, 26, 22), utc(2024, 10, 27, 23),
                                 utc(2024, 10, 28, 23)]
    assert p.hours.tolist() == [24, 25, 24]
    t = rows(utc(2024, 10, 20), utc(2024, 11, 1))
    result = bucket(t, np.ones(t.size), p)
    assert result.values.tolist() == [24.0, 25.0, 24.0] and result.counts.tolist() == [24, 25, 24]


def test_weeks_start_on_monday_and_cross_a_month_boundary_with_partial_ends() -> None:
    # Thursday 2024-01-25 to Saturday 2024-02-10 in Asia/Shanghai (+08:00, no DST).
    p = periods(datetime(2024, 1, 25), datetime(2024, 2, 10), "Asia/Shanghai", "weekly")
    assert p.labels == ("2024-01-22", "2024-01-29", "2024-02-05")  # the Mondays, the first before the start
    assert p.bounds.tolist() == [utc(2024, 1, 24, 16), utc(2024, 1, 28, 16), utc(2024, 2, 4, 16), utc(2024, 2, 9, 16)]
    assert p.hours.tolist() == [4 * 24, 7 * 24, 5 * 24]


def test_months_follow_the_local_calendar_across_a_year_end() -> None:
    p = periods(datetime(2023, 11, 15), datetime(2024, 2, 1), BERLIN, "monthly")
    assert p.labels == ("2023-11", "2023-12", "2024-01")
    assert p.bounds.tolist() == [utc(2023, 11, 14, 23), utc(2023, 11, 30, 23), utc(2023, 12, 31, 23),
                                 utc(2024, 1, 31, 23)]
    assert p.hours.tolist() == [16 * 24, 31 * 24, 31 * 24]


def test_a_month_containing_a_dst_change_has_743_or_745_hours() -> None:
    p = periods(datetime(2024, 3, 1), datetime(2024, 12, 1), BERLIN, "monthly")
    hours = dict(zip(p.labels, p.hours.tolist(), strict=True))
    assert hours["2024-03"] == 31 * 24 - 1 and hours["2024-10"] == 31 * 24 + 1 and hours["2024-04"] == 30 * 24


def test_years_are_local_calendar_years_clipped_to_the_range() -> None:
    p = periods(datetime(2022, 7, 1), datetime(2024, 3, 1), "America/New_York", "yearly")
    assert p.labels == ("2022", "2023", "2024")
    assert p.bounds.tolist() == [utc(2022, 7, 1, 4), utc(2023, 1, 1, 5), utc(2024, 1, 1, 5), utc(2024, 3, 1, 5)]
    assert p.hours.tolist() == [184 * 24 + 1, 8760, 60 * 24]  # 2022 gains November's hour back


def test_the_first_and_last_periods_are_partial_but_labelled_by_their_whole_period() -> None:
    p = periods(datetime(2024, 3, 1, 8), datetime(2024, 3, 3, 12), 480, "daily")
    assert p.labels == ("2024-03-01", "2024-03-02", "2024-03-03")
    assert p.bounds.tolist() == [utc(2024, 3, 1, 0), utc(2024, 3, 1, 16), utc(2024, 3, 2, 16), utc(2024, 3, 3, 4)]
    assert p.hours.tolist() == [16, 24, 12]
    monthly = periods(datetime(2024, 1, 15, 6), datetime(2024, 3, 10), 480, "monthly")
    assert monthly.labels == ("2024-01", "2024-02", "2024-03")
    assert monthly.hours.tolist() == [16 * 24 + 18, 29 * 24, 9 * 24]


def test_a_range_inside_one_period_is_a_single_partial_period() -> None:
    p = periods(datetime(2024, 5, 6, 9), datetime(2024, 5, 6, 17), 0, "monthly")
    assert p.labels == ("2024-05",) and p.bounds.tolist() == [utc(2024, 5, 6, 9), utc(2024, 5, 6, 17)]
    assert len(p) == 1


def test_a_range_ending_on_a_period_start_has_no_empty_trailing_period() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 3, 1), 0, "monthly")
    assert p.labels == ("2024-01", "2024-02")


def test_hourly_periods_are_labelled_with_local_time_and_repeat_when_the_clocks_go_back() -> None:
    p = periods(datetime(2024, 10, 27), datetime(2024, 10, 28), BERLIN, "hourly")
    assert len(p) == 25 and p.bounds.tolist() == rows(utc(2024, 10, 26, 22), utc(2024, 10, 27, 23) + 1).tolist()
    assert p.labels[:5] == ("2024-10-27T00:00:00", "2024-10-27T01:00:00", "2024-10-27T02:00:00",
                            "2024-10-27T02:00:00", "2024-10-27T03:00:00")
    assert p.labels[-1] == "2024-10-27T23:00:00"
    spring = periods(datetime(2024, 3, 31), datetime(2024, 4, 1), BERLIN, "hourly")
    assert len(spring) == 23 and "2024-03-31T02:00:00" not in spring.labels


def test_hourly_periods_in_a_half_hour_zone_are_utc_hours_labelled_at_half_past() -> None:
    p = periods(datetime(2024, 3, 1), datetime(2024, 3, 2), "Asia/Kolkata", "hourly")
    # Local midnight is 18:30Z; the first row starting inside the range is 19:00Z = 00:30 local.
    assert len(p) == 24
    assert p.labels[0] == "2024-03-01T00:30:00" and p.labels[-1] == "2024-03-01T23:30:00"
    assert p.bounds[0] == utc(2024, 2, 29, 18, 30) and p.bounds[1] == utc(2024, 2, 29, 20)
    assert p.bounds[-1] == utc(2024, 3, 1, 18, 30)
    t = rows(utc(2024, 2, 29, 12), utc(2024, 3, 2))
    result = bucket(t, np.arange(t.size, dtype=float), p)
    assert result.counts.tolist() == [1] * 24
    assert result.values.tolist() == [float(i) for i in range(7, 31)]  # the rows 19:00Z .. 18:00Z


def test_hourly_periods_in_a_whole_hour_zone_start_on_the_hour() -> None:
    p = periods(datetime(2024, 3, 1), datetime(2024, 3, 1, 3), "+08:00", "hourly")
    assert p.labels == ("2024-03-01T00:00:00", "2024-03-01T01:00:00", "2024-03-01T02:00:00")
    assert p.bounds.tolist() == [utc(2024, 2, 29, 16), utc(2024, 2, 29, 17), utc(2024, 2, 29, 18), utc(2024, 2, 29, 19)]


def test_a_sub_hour_range_holding_no_hour_start_is_one_empty_hourly_period() -> None:
    p = periods(datetime(2024, 3, 1, 0, 10), datetime(2024, 3, 1, 0, 50), 0, "hourly")
    assert p.labels == ("2024-03-01T00:00:00",) and p.hours.tolist() == [0]
    t = rows(utc(2024, 3, 1), utc(2024, 3, 2))
    assert bucket(t, np.ones(t.size), p).counts.tolist() == [0]


def test_kolkata_days_take_the_row_that_straddles_midnight_into_the_day_it_starts_in() -> None:
    p = periods(datetime(2024, 3, 1), datetime(2024, 3, 3), "Asia/Kolkata", "daily")
    assert p.bounds.tolist() == [utc(2024, 2, 29, 18, 30), utc(2024, 3, 1, 18, 30), utc(2024, 3, 2, 18, 30)]
    t = rows(utc(2024, 2, 29, 18), utc(2024, 3, 2, 20))  # from the row before the range to rows after it
    values = np.ones(t.size)
    values[t == utc(2024, 3, 1, 18)] = 100.0  # 23:30-00:30 local: starts on 1 March
    values[t == utc(2024, 3, 1, 19)] = 1000.0  # 00:30 local on 2 March
    result = bucket(t, values, p)
    assert result.counts.tolist() == [24, 24]
    assert result.values.tolist() == [23 + 100.0, 23 + 1000.0]
    assert result.total == 23 + 100 + 23 + 1000  # the 18:00Z row of 29 February starts before the range


def test_st_johns_days_at_minus_3_30_and_its_spring_forward_day() -> None:
    # NST -03:30 until 2024-03-10 02:00 local, then NDT -02:30.
    p = periods(datetime(2024, 3, 9), datetime(2024, 3, 12), "America/St_Johns", "daily")
    assert p.bounds.tolist() == [utc(2024, 3, 9, 3, 30), utc(2024, 3, 10, 3, 30), utc(2024, 3, 11, 2, 30),
                                 utc(2024, 3, 12, 2, 30)]
    assert p.hours.tolist() == [24, 23, 24]
    t = rows(utc(2024, 3, 8), utc(2024, 3, 13))
    assert bucket(t, np.ones(t.size), p).values.tolist() == [24.0, 23.0, 24.0]


def test_a_day_whose_midnight_does_not_exist_starts_when_the_clocks_jump() -> None:
    # America/Santiago jumps from 00:00 to 01:00 on 2024-09-08 (-04:00 to -03:00).
    p = periods(datetime(2024, 9, 7), datetime(2024, 9, 10), "America/Santiago", "daily")
    assert p.bounds.tolist() == [utc(2024, 9, 7, 4), utc(2024, 9, 8, 4), utc(2024, 9, 9, 3), utc(2024, 9, 10, 3)]
    assert p.hours.tolist() == [24, 23, 24]


def test_a_range_start_in_a_dst_gap_is_read_with_the_offset_before_the_gap() -> None:
    p = periods(datetime(2024, 3, 31, 2, 30), datetime(2024, 4, 1), BERLIN, "daily")
    assert p.bounds[0] == utc(2024, 3, 31, 1, 30)  # 02:30 +01:00, i.e. 03:30 CEST


def test_an_ambiguous_range_start_is_its_first_occurrence() -> None:
    p = periods(datetime(2024, 10, 27, 2, 30), datetime(2024, 10, 28), BERLIN, "hourly")
    assert p.bounds[0] == utc(2024, 10, 27, 0, 30)  # 02:30 CEST, not 02:30 CET
    # The first hour starting inside the range is 01:00Z, the second 02:00 (CET).
    assert p.labels[:2] == ("2024-10-27T02:00:00", "2024-10-27T03:00:00") and p.bounds[1] == utc(2024, 10, 27, 2)


def test_an_end_inside_a_gap_that_falls_before_the_start_in_utc_is_refused() -> None:
    with pytest.raises(ValueError, match="daylight-saving gap"):
        periods(datetime(2024, 3, 31, 2, 30), datetime(2024, 3, 31, 3, 0), BERLIN, "hourly")  # 01:30Z -> 01:00Z


def test_a_fixed_offset_in_minutes_a_timezone_and_an_offset_string_agree_with_each_other() -> None:
    for kind in PERIOD_TYPES:
        by_minutes = periods(datetime(2024, 2, 20, 5), datetime(2024, 4, 3), 330, kind)
        by_offset = periods(datetime(2024, 2, 20, 5), datetime(2024, 4, 3), "+05:30", kind)
        by_tz = periods(datetime(2024, 2, 20, 5), datetime(2024, 4, 3), timezone(timedelta(hours=5, minutes=30)), kind)
        by_name = periods(datetime(2024, 2, 20, 5), datetime(2024, 4, 3), "Asia/Kolkata", kind)
        for other in (by_offset, by_tz, by_name):
            assert other.bounds.tolist() == by_minutes.bounds.tolist() and other.labels == by_minutes.labels


def test_a_negative_fixed_offset_in_minutes_is_minutes_west_of_utc() -> None:
    p = periods(datetime(2024, 7, 1), datetime(2024, 7, 3), -210, "daily")
    assert p.bounds.tolist() == [utc(2024, 7, 1, 3, 30), utc(2024, 7, 2, 3, 30), utc(2024, 7, 3, 3, 30)]


def test_utc_range_gives_the_naive_utc_bounds_for_the_sql_query() -> None:
    p = periods(datetime(2024, 3, 1), datetime(2024, 4, 1), "Asia/Shanghai", "daily")
    assert p.utc_range == (datetime(2024, 2, 29, 16), datetime(2024, 3, 31, 16))


def test_bad_period_arguments_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="period type"):
        periods(datetime(2024, 1, 1), datetime(2024, 2, 1), 0, "quarterly")
    with pytest.raises(ValueError, match="not after"):
        periods(datetime(2024, 1, 1), datetime(2024, 1, 1), 0, "daily")
    with pytest.raises(ValueError, match="naive"):
        periods(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1), 0, "daily")
    with pytest.raises(ValueError, match="unknown time zone"):
        periods(datetime(2024, 1, 1), datetime(2024, 2, 1), "Mars/Olympus", "daily")
    with pytest.raises(ValueError, match="24 hours"):
        periods(datetime(2024, 1, 1), datetime(2024, 2, 1), 1440, "daily")


# ----------------------------------------------------------------------------------------------- bucketing


def test_rows_outside_the_range_are_ignored_and_order_does_not_matter() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 3), 0, "daily")
    t = rows(utc(2023, 12, 31), utc(2024, 1, 4))
    values = np.arange(t.size, dtype=float)
    shuffled = np.random.default_rng(7).permutation(t.size)
    in_order, mixed = bucket(t, values, p), bucket(t[shuffled], values[shuffled], p)
    assert in_order.values.tolist() == [sum(range(24, 48)), sum(range(48, 72))]
    assert mixed.values.tolist() == in_order.values.tolist() and mixed.counts.tolist() == [24, 24]


def test_missing_rows_add_nothing_and_are_not_counted() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 4), 0, "daily")
    t = rows(utc(2024, 1, 1), utc(2024, 1, 4))
    values = np.full(t.size, 2.0)
    values[:24] = NAN  # day 1: nothing known
    values[24:30] = NAN  # day 2: 18 of 24 known
    result = bucket(t, values, p)
    assert result.values.tolist() == [0.0, 36.0, 48.0]  # MyEMS answers 0 for a period without data
    assert result.counts.tolist() == [0, 18, 24] and p.hours.tolist() == [24, 24, 24]
    assert result.total == 84.0 and result.total_count == 42
    assert np.isnan(maxima(t, values, p)[0]) and maxima(t, values, p)[1:].tolist() == [2.0, 2.0]
    assert np.isnan(means(t, values, p)[0]) and means(t, values, p)[1:].tolist() == [2.0, 2.0]


def test_maxima_and_means_per_period() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 3), 0, "daily")
    t = rows(utc(2024, 1, 1), utc(2024, 1, 3))
    values = np.concatenate([np.arange(24.0), np.full(24, 5.0)])
    values[23] = NAN
    assert maxima(t, values, p).tolist() == [22.0, 5.0]
    assert means(t, values, p).tolist() == [sum(range(23)) / 23, 5.0]


def test_no_rows_at_all_gives_zero_sums_zero_counts_and_nan_maxima() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 3), 0, "daily")
    empty = np.zeros(0, dtype=np.int64)
    result = bucket(empty, np.zeros(0), p)
    assert result.values.tolist() == [0.0, 0.0] and result.counts.tolist() == [0, 0]
    batch = bucket([], np.zeros((3, 0)), p)
    assert batch.values.shape == (3, 2) and batch.counts.shape == (3, 2) and not batch.values.any()
    assert np.isnan(maxima(empty, np.zeros(0), p)).all() and np.isnan(means(empty, np.zeros(0), p)).all()


def test_rows_all_outside_the_range_give_empty_periods() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 3), 0, "daily")
    t = rows(utc(2024, 2, 1), utc(2024, 2, 2))
    result = bucket(t, np.ones(t.size), p)
    assert result.values.tolist() == [0.0, 0.0] and result.counts.tolist() == [0, 0]


def test_a_batch_of_series_is_bucketed_along_the_last_axis_like_each_series_alone() -> None:
    p = periods(datetime(2024, 3, 30), datetime(2024, 4, 2), BERLIN, "daily")
    t = rows(utc(2024, 3, 29), utc(2024, 4, 3))
    rng = np.random.default_rng(3)
    values = rng.random((2, 3, t.size))
    values[0, 1, 30:40] = NAN
    values[1, 2, :] = NAN
    result = bucket(t, values, p)
    assert result.values.shape == result.counts.shape == (2, 3, 3)
    for i in range(2):
        for j in range(3):
            alone = bucket(t, values[i, j], p)
            assert np.allclose(result.values[i, j], alone.values) and (result.counts[i, j] == alone.counts).all()
            assert np.allclose(maxima(t, values, p)[i, j], maxima(t, values[i, j], p), equal_nan=True)
    assert result.counts[1, 2].tolist() == [0, 0, 0] and result.counts[0, 0].tolist() == [24, 23, 24]
    assert result.total.shape == (2, 3)


def test_datetime64_hours_and_naive_utc_datetimes_are_accepted_like_posix_seconds() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 2), 60, "hourly")
    t = rows(utc(2023, 12, 31, 20), utc(2024, 1, 2))
    values = np.arange(t.size, dtype=float)
    expected = bucket(t, values, p).values.tolist()
    as_hours = t.astype("datetime64[s]").astype("datetime64[h]")
    assert bucket(as_hours, values, p).values.tolist() == expected
    as_datetimes = [datetime(1970, 1, 1) + timedelta(seconds=int(s)) for s in t]
    assert bucket(as_datetimes, values, p).values.tolist() == expected


def test_times_that_are_not_utc_hour_starts_are_refused() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 2), 0, "daily")
    epoch_hours = np.arange(473_352, 473_376, dtype=np.int64)  # 2024-01-01 as epoch hours, a likely mix-up
    with pytest.raises(ValueError, match="epoch hours"):
        bucket(epoch_hours, np.ones(24), p)
    with pytest.raises(ValueError, match="whole UTC hour"):
        hour_seconds(np.array(["2024-01-01T00:30"], dtype="datetime64[m]"))
    with pytest.raises(ValueError, match="whole UTC hour"):
        hour_seconds(np.array(["2024-01-01T01:00:00.500"], dtype="datetime64[ms]"))
    with pytest.raises(ValueError, match="NaT"):
        hour_seconds(np.array(["NaT"], dtype="datetime64[h]"))
    with pytest.raises(ValueError, match="int64 POSIX seconds or datetime64"):
        hour_seconds(np.array([1.5e9]))
    with pytest.raises(ValueError, match="1-D"):
        hour_seconds(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="naive UTC datetimes"):
        hour_seconds(np.array(["x", None], dtype=object))


def test_values_whose_last_axis_does_not_match_the_hours_are_refused() -> None:
    p = periods(datetime(2024, 1, 1), datetime(2024, 1, 2), 0, "daily")
    t = rows(utc(2024, 1, 1), utc(2024, 1, 2))
    with pytest.raises(ValueError, match="values must be"):
        bucket(t, np.ones(23), p)
    with pytest.raises(ValueError, match="values must be"):
        maxima(t, np.float64(1.0), p)


def test_utc_offsets_match_zoneinfo_at_every_hour_of_a_year() -> None:
    for name in ("Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"):
        zone = ZoneInfo(name)
        t = rows(utc(2023, 12, 25), utc(2025, 1, 5))
        expected = [int(datetime.fromtimestamp(int(s), zone).utcoffset().total_seconds()) for s in t]  # type: ignore[union-attr]
        assert utc_offsets(t, zone).tolist() == expected
        assert utc_offsets(t[::-1], zone).tolist() == expected[::-1]
    assert utc_offsets(np.zeros(0, dtype=np.int64), BERLIN).tolist() == []


# ----------------------------------------------------------------------------------------------- properties

ZONES: list[tzinfo | int] = [
    *(ZoneInfo(name) for name in ("UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Adelaide",
                                "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu", "Pacific/Chatham",
                                "Asia/Beirut", "America/New_York")),
    480, -210, 345, 0,
]


def _tz(zone: tzinfo | int) -> tzinfo:
    return timezone(timedelta(minutes=zone)) if isinstance(zone, int) else zone


def _to_utc(local: datetime, zone: tzinfo) -> int:
    return math.floor(local.replace(tzinfo=zone).timestamp())


def _next_start(d: datetime, kind: str) -> datetime:
    if kind == "daily":
        return d + timedelta(days=1)
    if kind == "weekly":
        return d + timedelta(days=7)
    if kind == "monthly":
        return d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)
    return d.replace(year=d.year + 1)


def reference(start: datetime, end: datetime, zone: tzinfo, kind: str, t: list[int],
              v: list[float]) -> tuple[list[str], list[float], list[int]]:
    """Labels, sums and counts by plain loops: calendar starts by datetime arithmetic, each row by bisection."""
    start_utc, end_utc = _to_utc(start, zone), _to_utc(end, zone)
    if kind == "hourly":
        first = -(-start_utc // HOUR) * HOUR
        hours = list(range(first, end_utc, HOUR)) or [start_utc - start_utc % HOUR]
        labels = [datetime.fromtimestamp(h, zone).strftime("%Y-%m-%dT%H:%M:%S") for h in hours]
        bounds = [start_utc, *hours[1:], end_utc]
    else:
        first_day = datetime(start.year, start.month, start.day)
        period_start = {"daily": first_day, "weekly": first_day - timedelta(days=first_day.weekday()),
                        "monthly": first_day.replace(day=1), "yearly": first_day.replace(month=1, day=1)}[kind]
        starts = [period_start]
        while (nxt := _next_start(starts[-1], kind)) < end:
            starts.append(nxt)
        fmt = {"daily": "%Y-%m-%d", "weekly": "%Y-%m-%d", "monthly": "%Y-%m", "yearly": "%Y"}[kind]
        labels = [s.strftime(fmt) for s in starts]
        bounds = [start_utc] + [min(max(_to_utc(s, zone), start_utc), end_utc) for s in starts[1:]] + [end_utc]
        for i in range(1, len(bounds)):
            bounds[i] = max(bounds[i], bounds[i - 1])
    sums, counts = [0.0] * len(labels), [0] * len(labels)
    for time, value in zip(t, v, strict=True):
        if start_utc <= time < end_utc and not math.isnan(value):
            i = bisect.bisect_right(bounds, time) - 1
            sums[i] += value
            counts[i] += 1
    return labels, sums, counts


@st.composite
def cases(draw: st.DrawFn) -> tuple[datetime, datetime, tzinfo, str, np.ndarray, np.ndarray]:
    zone = _tz(draw(st.sampled_from(ZONES)))
    kind = draw(st.sampled_from(PERIOD_TYPES))
    start = draw(st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2025, 12, 31)))
    start = start.replace(second=0, microsecond=0)
    longest = 10 * 24 * 60 if kind == "hourly" else 800 * 24 * 60
    end = start + timedelta(minutes=draw(st.integers(1, longest)))
    start_utc, end_utc = _to_utc(start, zone), _to_utc(end, zone)
    assume(end_utc > start_utc)
    first = start_utc - start_utc % HOUR - draw(st.integers(0, 48)) * HOUR
    t = np.arange(first, end_utc + draw(st.integers(0, 48)) * HOUR, HOUR, dtype=np.int64)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values = np.round(rng.random(t.size) * 100, 3)
    values[rng.random(t.size) < draw(st.sampled_from([0.0, 0.05, 0.5, 1.0]))] = NAN
    order = rng.permutation(t.size) if draw(st.booleans()) else np.arange(t.size)
    return start, end, zone, kind, t[order], values[order]


@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_bucketing_conserves_energy_and_equals_a_plain_reference_loop(
        case: tuple[datetime, datetime, tzinfo, str, np.ndarray, np.ndarray]) -> None:
    start, end, zone, kind, t, values = case
    p = periods(start, end, zone, kind)
    result = bucket(t, values, p)
    inside = (t >= p.bounds[0]) & (t < p.bounds[-1])
    assert math.isclose(result.total, float(np.nansum(values[inside])), rel_tol=1e-9, abs_tol=1e-6)
    assert result.total_count == int((inside & ~np.isnan(values)).sum())
    labels, sums, counts = reference(start, end, zone, kind, t.tolist(), values.tolist())
    assert p.labels == tuple(labels)
    assert np.allclose(result.values, sums, rtol=1e-12, atol=1e-9) and result.counts.tolist() == counts
    assert (np.diff(p.bounds) >= 0).all() and len(p.bounds) == len(p) + 1
    assert (result.counts <= p.hours).all()


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_maxima_and_means_equal_a_plain_reference_loop(
        case: tuple[datetime, datetime, tzinfo, str, np.ndarray, np.ndarray]) -> None:
    start, end, zone, kind, t, values = case
    p = periods(start, end, zone, kind)
    period_of = np.searchsorted(p.bounds, t, side="right") - 1
    expected_max, expected_mean = [], []
    for i in range(len(p)):
        known = [v for v, j, s in zip(values, period_of, t, strict=True)
                 if j == i and s < p.bounds[-1] and not math.isnan(v)]
        expected_max.append(max(known) if known else NAN)
        expected_mean.append(sum(known) / len(known) if known else NAN)
    assert np.allclose(maxima(t, values, p), expected_max, equal_nan=True)
    assert np.allclose(means(t, values, p), expected_mean, equal_nan=True, rtol=1e-9)


# ---------------------------------------------------------------------------------------- query parameters

GOOD = {"period_type": "daily", "reporting_start": "2024-03-01T00:00:00", "reporting_end": "2024-04-01T00:00:00"}


def parse(**changes: str | None) -> Periods:
    args = {**GOOD, **changes}
    return parse_report_periods(args["period_type"], args["reporting_start"], args["reporting_end"], 480).reporting


def code_of(**kwargs: object) -> str:
    args: dict[str, object] = {**GOOD, "zone": 480, **kwargs}
    with pytest.raises(PeriodError) as caught:
        parse_report_periods(**args)  # type: ignore[arg-type]
    return caught.value.code


def test_a_myems_query_gives_the_reporting_periods_and_no_base_period() -> None:
    result = parse_report_periods("daily", "2024-03-01T00:00:00", "2024-04-01T00:00:00", "Asia/Shanghai")
    assert result.base is None and len(result.reporting) == 31 and result.reporting.labels[0] == "2024-03-01"
    assert result.reporting.period_type == "daily" and result.reporting.start == datetime(2024, 3, 1)


def test_a_base_period_is_built_with_the_same_period_type_and_zone() -> None:
    result = parse_report_periods("monthly", "2024-01-01T00:00:00", "2024-04-01T00:00:00", BERLIN,
                                  base_start="2023-01-01T00:00:00", base_end="2023-04-01T00:00:00")
    assert result.base is not None and result.base.labels == ("2023-01", "2023-02", "2023-03")
    assert result.base.zone is BERLIN and result.reporting.labels == ("2024-01", "2024-02", "2024-03")


def test_blank_base_parameters_mean_no_base_period() -> None:
    result = parse_report_periods("daily", "2024-03-01T00:00:00", "2024-03-02T00:00:00", 0, base_start="",
                                  base_end="  ")
    assert result.base is None


def test_the_space_and_date_only_forms_and_surrounding_blanks_are_accepted() -> None:
    assert parse(reporting_start=" 2024-03-01 06:00:00 ").start == datetime(2024, 3, 1, 6)
    assert parse(reporting_start="2024-03-01").start == datetime(2024, 3, 1)
    assert parse(reporting_start="2024-03-01T06:15").start == datetime(2024, 3, 1, 6, 15)
    assert parse(period_type=" weekly ").period_type == "weekly"


@pytest.mark.parametrize("text", [None, "", "   ", "2024-3-1T00:00:00", "2024-03-01T00:00:00Z",
                                  "2024-03-01T00:00:00+08:00", "2024-02-30T00:00:00", "2024-03-01T24:00:00",
                                  "01/03/2024", "1899-12-31T00:00:00", "3000-01-01T00:00:00", "2024-03-01T00:00:00.5"])
def test_a_malformed_or_impossible_datetime_is_refused_with_its_parameters_code(text: str | None) -> None:
    assert code_of(reporting_start=text) == "API.INVALID_REPORTING_PERIOD_START_DATETIME"
    assert code_of(reporting_end=text) == "API.INVALID_REPORTING_PERIOD_END_DATETIME"
    if text is not None and text.strip():
        assert code_of(base_start=text, base_end="2024-01-01T00:00:00") == "API.INVALID_BASE_PERIOD_START_DATETIME"
        assert code_of(base_start="2023-01-01T00:00:00", base_end=text) == "API.INVALID_BASE_PERIOD_END_DATETIME"


@pytest.mark.parametrize("text", [None, "", "Daily", "quarterly", "day"])
def test_a_period_type_not_among_the_five_is_refused(text: str | None) -> None:
    assert code_of(period_type=text) == "API.INVALID_PERIOD_TYPE"


def test_an_end_not_after_the_start_is_an_invalid_end() -> None:
    assert code_of(reporting_end="2024-03-01T00:00:00") == "API.INVALID_REPORTING_PERIOD_END_DATETIME"
    assert code_of(reporting_end="2024-02-01T00:00:00") == "API.INVALID_REPORTING_PERIOD_END_DATETIME"
    assert code_of(base_start="2023-02-01T00:00:00", base_end="2023-01-01T00:00:00") == \
        "API.INVALID_BASE_PERIOD_END_DATETIME"
    assert code_of(zone=BERLIN, period_type="hourly", reporting_start="2024-03-31T02:30:00",
                   reporting_end="2024-03-31T03:00:00") == "API.INVALID_REPORTING_PERIOD_END_DATETIME"


def test_half_a_base_period_is_refused_for_the_missing_half() -> None:
    assert code_of(base_start="2023-01-01T00:00:00") == "API.INVALID_BASE_PERIOD_END_DATETIME"
    assert code_of(base_end="2023-01-01T00:00:00") == "API.INVALID_BASE_PERIOD_START_DATETIME"


def test_a_period_longer_than_the_maximum_is_too_long() -> None:
    assert code_of(max_days=30) == "API.THE_REPORTING_PERIOD_IS_TOO_LONG"
    assert code_of(max_days=31, base_start="2023-01-01T00:00:00", base_end="2023-03-01T00:00:00") == \
        "API.THE_BASE_PERIOD_IS_TOO_LONG"
    assert len(parse_report_periods("daily", GOOD["reporting_start"], GOOD["reporting_end"], 480,
                                    max_days=31).reporting) == 31


def test_the_period_type_is_checked_first_then_the_base_then_the_reporting_period() -> None:
    assert code_of(period_type="x", reporting_start="bad", base_start="bad") == "API.INVALID_PERIOD_TYPE"
    assert code_of(reporting_start="bad", base_start="bad", base_end="bad") == "API.INVALID_BASE_PERIOD_START_DATETIME"


def test_period_errors_are_value_errors_carrying_the_code() -> None:
    with pytest.raises(ValueError) as caught:
        parse_local_datetime("nope", "API.X")
    assert isinstance(caught.value, PeriodError) and caught.value.code == "API.X"


def test_an_unknown_zone_is_the_servers_fault_not_a_period_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_report_periods("daily", "2024-03-01", "2024-03-02", "Nowhere/City")
    assert not isinstance(caught.value, PeriodError)
