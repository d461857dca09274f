"""The billing kernel: hand-computed costs under time-of-use and block tariffs, and properties against plain loops.

Hours are UTC hour starts in POSIX seconds; local time is UTC plus a fixed offset in minutes. Block bands in the
golden cases are 0..100 at 0.5, 100..300 at 0.8 and 300..1000 at 1.2 (BANDS).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation.billing import (
    Block,
    Tariff,
    TimeOfUse,
    block_cost,
    carbon,
    coal,
    hourly_cost,
    tariff_in_force,
    time_of_use_cost,
)
from aggregation.series import HOUR

DAY = 86_400
NAN = math.nan
THREE_BANDS = TimeOfUse.from_times_of_day([("00:00:00", "07:59:59", 0.3), ("08:00:00", "19:59:59", 1.0),
                                           ("20:00:00", "23:59:59", 0.5)])
BANDS = Block(((0.0, 100.0, 0.5), (100.0, 300.0, 0.8), (300.0, 1000.0, 1.2)))


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def hours_from(start: int, count: int) -> np.ndarray:
    return start + HOUR * np.arange(count, dtype=np.int64)


def flat(price: float) -> TimeOfUse:
    return TimeOfUse(((0, DAY - 1, price),))


def series(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


# ---------------------------------------------------------------------------------------------- time of use
def test_a_price_change_at_half_past_prices_half_the_hours_energy_at_each_price():
    tou = TimeOfUse(((0, 10 * HOUR + 1799, 0.2), (10 * HOUR + 1800, DAY - 1, 0.6)))
    cost = time_of_use_cost(hours_from(utc(2024, 5, 1, 9), 3), series(10, 10, 10), tou, 0)
    assert cost == pytest.approx([2.0, 10 * (0.2 + 0.6) / 2, 6.0])


def test_a_day_spanning_three_bands_prices_each_hour_at_its_band():
    cost = time_of_use_cost(hours_from(utc(2024, 5, 1), 24), np.full(24, 2.0), THREE_BANDS, 0)
    assert cost == pytest.approx([0.6] * 8 + [2.0] * 12 + [1.0] * 4)
    assert cost.sum() == pytest.approx(32.8)


def test_a_utc_offset_of_plus_eight_hours_prices_each_utc_hour_at_its_local_time():
    hours = np.array([utc(2024, 5, 1, 0), utc(2024, 5, 1, 12), utc(2024, 5, 1, 16)])
    ones = np.ones(3)
    assert time_of_use_cost(hours, ones, THREE_BANDS, 480) == pytest.approx([1.0, 0.5, 0.3])  # local 08, 20, 00
    assert time_of_use_cost(hours, ones, THREE_BANDS, 0) == pytest.approx([0.3, 1.0, 1.0])


def test_a_half_hour_offset_splits_the_utc_hour_across_a_local_boundary():
    cost = time_of_use_cost(np.array([utc(2024, 5, 1, 2)]), series(1.0), THREE_BANDS, 330)  # local 07:30..08:30
    assert cost == pytest.approx([(0.3 + 1.0) / 2])


def test_an_hour_crossing_local_midnight_uses_the_rows_of_both_days():
    cost = time_of_use_cost(np.array([utc(2024, 5, 1, 23)]), series(1.0), THREE_BANDS, 30)  # local 23:30..00:30
    assert cost == pytest.approx([(0.5 + 0.3) / 2])


def test_a_boundary_inside_a_minute_weights_the_seconds_on_each_side():
    tou = TimeOfUse(((0, 10 * HOUR + 29, 0.2), (10 * HOUR + 30, DAY - 1, 0.8)))  # changes at 10:00:30
    cost = time_of_use_cost(np.array([utc(2024, 5, 1, 10)]), series(1.0), tou, 0)
    assert cost == pytest.approx([(30 * 0.2 + 3570 * 0.8) / 3600])


def test_nan_energy_costs_nan_under_time_of_use():
    cost = time_of_use_cost(hours_from(utc(2024, 5, 1), 3), series(1, NAN, 1), THREE_BANDS, 0)
    assert np.isnan(cost).tolist() == [False, True, False]


def test_time_of_use_hours_need_not_be_sorted():
    hours = np.array([utc(2024, 5, 1, 12), utc(2024, 5, 1, 3)])
    assert time_of_use_cost(hours, series(1, 1), THREE_BANDS, 0) == pytest.approx([1.0, 0.3])


# ---------------------------------------------------------------------------------------------- block
def test_an_hour_crossing_a_band_boundary_is_split_exactly_at_it():
    cost = block_cost(hours_from(utc(2024, 5, 10), 4), series(60, 60, 200, 100), BANDS, 0)
    # 0->60 | 60->120: 40 at 0.5 + 20 at 0.8 | 120->320: 180 at 0.8 + 20 at 1.2 | 320->420 at 1.2
    assert cost == pytest.approx([30.0, 36.0, 168.0, 120.0])


def test_an_hour_crossing_two_boundaries_is_split_in_three():
    cost = block_cost(np.array([utc(2024, 5, 10)]), series(350), BANDS, 0)
    assert cost == pytest.approx([100 * 0.5 + 200 * 0.8 + 50 * 1.2])


def test_consumption_beyond_the_last_band_stays_at_the_last_price():
    cost = block_cost(hours_from(utc(2024, 5, 10), 2), series(100, 500), BANDS, 0, month_to_date_before=950)
    assert cost == pytest.approx([120.0, 600.0])


def test_the_month_position_restarts_at_local_midnight_on_the_first():
    hours = hours_from(utc(2024, 1, 31, 14), 3)  # local (+08:00) Jan 31 22:00, 23:00, Feb 1 00:00
    energy = series(150, 10, 10)
    assert block_cost(hours, energy, BANDS, 480) == pytest.approx([90.0, 8.0, 5.0])
    assert block_cost(hours, energy, BANDS, 0) == pytest.approx([90.0, 8.0, 8.0])  # still January in UTC


def test_month_to_date_before_starts_only_the_first_month_part_way_through():
    hours = hours_from(utc(2024, 3, 31, 22), 3)  # Mar 31 22:00, 23:00, Apr 1 00:00
    cost = block_cost(hours, series(20, 10, 20), BANDS, 0, month_to_date_before=90)
    assert cost == pytest.approx([10 * 0.5 + 10 * 0.8, 8.0, 10.0])


def test_an_unknown_month_to_date_leaves_only_the_first_months_costs_unknown():
    hours = hours_from(utc(2024, 3, 31, 23), 2)
    cost = block_cost(hours, series(10, 10), BANDS, 0, month_to_date_before=NAN)
    assert np.isnan(cost[0])
    assert cost[1] == pytest.approx(5.0)


def test_nan_energy_counts_as_nothing_for_the_position_and_costs_nan():
    cost = block_cost(hours_from(utc(2024, 5, 10), 3), series(80, NAN, 40), BANDS, 0)
    assert cost[0] == pytest.approx(40.0)
    assert np.isnan(cost[1])
    assert cost[2] == pytest.approx(20 * 0.5 + 20 * 0.8)


def test_negative_energy_moves_the_position_back_and_is_credited_at_the_bands_it_crosses():
    cost = block_cost(hours_from(utc(2024, 5, 10), 3), series(150, -100, 10), BANDS, 0)
    assert cost == pytest.approx([90.0, -(50 * 0.8 + 50 * 0.5), 5.0])


def test_hours_missing_from_the_series_count_as_no_consumption():
    hours = np.array([utc(2024, 5, 10, 0), utc(2024, 5, 10, 5)])
    assert block_cost(hours, series(90, 20), BANDS, 0) == pytest.approx([45.0, 5.0 + 8.0])


def test_a_batch_of_meters_costs_each_meter_as_its_own_call():
    hours = hours_from(utc(2024, 1, 31, 20), 8)
    energy = np.random.default_rng(1).uniform(0, 120, size=(3, 8))
    before = np.array([0.0, 50.0, 400.0])
    batch = block_cost(hours, energy, BANDS, 60, month_to_date_before=before)
    tou = time_of_use_cost(hours, energy, THREE_BANDS, 60)
    for meter in range(3):
        assert batch[meter] == pytest.approx(block_cost(hours, energy[meter], BANDS, 60, before[meter]))
        assert tou[meter] == pytest.approx(time_of_use_cost(hours, energy[meter], THREE_BANDS, 60))


def test_an_empty_series_costs_nothing():
    empty = np.array([], dtype=np.int64)
    assert block_cost(empty, np.array([]), BANDS, 0).shape == (0,)
    assert time_of_use_cost(empty, np.array([]), THREE_BANDS, 0).shape == (0,)
    assert hourly_cost(empty, np.array([]), [], 0).shape == (0,)


# ---------------------------------------------------------------------------------------------- tariffs in force
def tou_tariff(start: int, end: int, price: float) -> Tariff:
    return Tariff("timeofuse", start, end, flat(price))


def test_a_tariff_switching_mid_series_prices_each_hour_by_the_tariff_in_force():
    switch = utc(2024, 6, 1, 12)
    tariffs = [tou_tariff(utc(2024, 1, 1), switch, 0.5), tou_tariff(switch, utc(2025, 1, 1), 0.7)]
    cost = hourly_cost(hours_from(utc(2024, 6, 1, 10), 5), np.ones(5), tariffs, 0)
    assert cost == pytest.approx([0.5, 0.5, 0.7, 0.7, 0.7])


def test_hours_without_a_tariff_in_force_cost_nan():
    tariffs = [tou_tariff(utc(2024, 6, 1, 2), utc(2024, 6, 1, 4), 0.5)]  # valid_through is exclusive
    cost = hourly_cost(hours_from(utc(2024, 6, 1), 6), np.ones(6), tariffs, 0)
    assert np.isnan(cost).tolist() == [True, True, False, False, True, True]
    assert np.isnan(hourly_cost(hours_from(utc(2024, 6, 1), 3), np.ones(3), [], 0)).all()


def test_a_valid_through_written_as_235959_still_covers_the_days_last_hour():
    tariffs = [tou_tariff(utc(2024, 6, 1), utc(2024, 6, 1, 23, 59, 59), 0.5)]
    cost = hourly_cost(hours_from(utc(2024, 6, 1, 22), 3), np.ones(3), tariffs, 0)
    assert cost[:2] == pytest.approx([0.5, 0.5])
    assert np.isnan(cost[2])


@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reversed"])
def test_where_validities_overlap_the_latest_valid_from_wins(reverse: bool):
    tariffs = [tou_tariff(utc(2024, 1, 1), utc(2025, 1, 1), 0.5),
               tou_tariff(utc(2024, 6, 1, 1), utc(2024, 6, 1, 2), 0.9)]
    tariffs = tariffs[::-1] if reverse else tariffs
    cost = hourly_cost(hours_from(utc(2024, 6, 1), 3), np.ones(3), tariffs, 0)
    assert cost == pytest.approx([0.5, 0.9, 0.5])


def test_a_block_tariff_taking_over_mid_month_continues_from_the_months_position():
    switch = utc(2024, 6, 10)
    tariffs = [tou_tariff(utc(2024, 1, 1), switch, 0.1), Tariff("block", switch, utc(2025, 1, 1), BANDS)]
    cost = hourly_cost(hours_from(switch - HOUR, 2), series(150, 10), tariffs, 0, month_to_date_before=0)
    assert cost == pytest.approx([15.0, 8.0])


def test_one_tariff_in_force_throughout_gives_the_kernels_costs():
    hours = hours_from(utc(2024, 2, 28), 72)
    energy = np.random.default_rng(2).uniform(0, 20, size=72)
    energy[5] = NAN
    valid = (utc(2024, 1, 1), utc(2025, 1, 1))
    block = hourly_cost(hours, energy, [Tariff("block", *valid, BANDS)], 480, month_to_date_before=70)
    tou = hourly_cost(hours, energy, [Tariff("timeofuse", *valid, THREE_BANDS)], 480)
    np.testing.assert_allclose(block, block_cost(hours, energy, BANDS, 480, 70))
    np.testing.assert_allclose(tou, time_of_use_cost(hours, energy, THREE_BANDS, 480))


def test_tariff_in_force_names_the_tariff_or_minus_one():
    tariffs = [tou_tariff(utc(2024, 6, 1, 1), utc(2024, 6, 1, 3), 0.5)]
    assert tariff_in_force(hours_from(utc(2024, 6, 1), 4), tariffs).tolist() == [-1, 0, 0, -1]


# ---------------------------------------------------------------------------------------------- carbon, coal
def test_carbon_and_coal_scale_energy_by_their_kg_factors():
    energy = series(10, NAN, 0)
    assert carbon(energy, 0.5703)[[0, 2]] == pytest.approx([5.703, 0.0])
    assert coal(energy, 0.1229)[[0, 2]] == pytest.approx([1.229, 0.0])
    assert np.isnan(carbon(energy, 0.5)[1]) and np.isnan(coal(energy, 0.5)[1])


# ---------------------------------------------------------------------------------------------- validation
@pytest.mark.parametrize("rows", [
    pytest.param((), id="no rows"),
    pytest.param(((1, DAY - 1, 0.5),), id="missing the first second"),
    pytest.param(((0, DAY - 2, 0.5),), id="missing the last second"),
    pytest.param(((0, 100, 0.5), (102, DAY - 1, 0.5)), id="a gap"),
    pytest.param(((0, 100, 0.5), (100, DAY - 1, 0.5)), id="an overlap"),
    pytest.param(((0, DAY - 1, 0.5), (DAY, DAY, 0.5)), id="past midnight"),
    pytest.param(((0, DAY - 1, NAN),), id="a NaN price"),
])
def test_time_of_use_rows_must_cover_the_day_exactly_once(rows):
    with pytest.raises(ValueError):
        TimeOfUse(rows)


def test_time_of_use_rows_are_kept_sorted():
    assert TimeOfUse(((100, DAY - 1, 0.2), (0, 99, 0.1))).rows == ((0, 99, 0.1), (100, DAY - 1, 0.2))


def test_from_times_of_day_reads_myems_rows_and_rejects_other_text():
    tou = TimeOfUse.from_times_of_day([("00:00:00", "05:59:59", 0.3), ("06:00:00", "23:59:59", 0.8)])
    assert tou.rows == ((0, 21599, 0.3), (21600, DAY - 1, 0.8))
    with pytest.raises(ValueError):
        TimeOfUse.from_times_of_day([("00:00:00", "24:00:00", 0.3)])


@pytest.mark.parametrize("rows", [
    pytest.param((), id="no bands"),
    pytest.param(((10.0, 100.0, 0.5),), id="not from 0"),
    pytest.param(((0.0, 100.0, 0.5), (110.0, 200.0, 0.5)), id="a gap"),
    pytest.param(((0.0, 100.0, 0.5), (90.0, 200.0, 0.5)), id="an overlap"),
    pytest.param(((0.0, 0.0, 0.5),), id="an empty band"),
    pytest.param(((0.0, math.inf, 0.5),), id="an infinite end"),
])
def test_block_bands_must_be_contiguous_from_zero(rows):
    with pytest.raises(ValueError):
        Block(rows)


@pytest.mark.parametrize(("kind", "start", "end", "schedule"), [
    pytest.param("block", 0, HOUR, flat(0.5), id="a block tariff with a time-of-use day"),
    pytest.param("timeofuse", 0, HOUR, BANDS, id="a time-of-use tariff with bands"),
    pytest.param("flat", 0, HOUR, flat(0.5), id="an unknown kind"),
    pytest.param("timeofuse", HOUR, HOUR, flat(0.5), id="an empty validity"),
])
def test_a_tariff_needs_a_matching_schedule_and_a_forward_validity(kind, start, end, schedule):
    with pytest.raises(ValueError):
        Tariff(kind, start, end, schedule)


@pytest.mark.parametrize(("hours", "energy"), [
    pytest.param([0, HOUR + 1], [1.0, 1.0], id="not whole hours"),
    pytest.param([HOUR, 0], [1.0, 1.0], id="decreasing"),
    pytest.param([HOUR, HOUR], [1.0, 1.0], id="repeated"),
    pytest.param([0, HOUR], [1.0], id="energy shorter than hours"),
    pytest.param([0.0, 3600.0], [1.0, 1.0], id="float hours"),
])
def test_block_and_hourly_costs_need_whole_increasing_hours_matching_the_energy(hours, energy):
    with pytest.raises(ValueError):
        block_cost(np.array(hours), np.array(energy), BANDS, 0)
    with pytest.raises(ValueError):
        hourly_cost(np.array(hours), np.array(energy), [], 0)


# ---------------------------------------------------------------------------------------------- properties
def reference_time_of_use(hours, energy, rows, offset):
    """A plain loop: each hour's energy spread over its 60 minutes, each minute at its seconds' mean price."""
    costs = []
    for hour, used in zip(hours, energy, strict=True):
        minute_prices = []
        for minute in range(60):
            start = (int(hour) + offset * 60 + minute * 60) % DAY
            minute_prices.append(sum(max(0, min(start + 60, end + 1) - max(start, first)) * price
                                     for first, end, price in rows) / 60)
        costs.append(used * sum(minute_prices) / 60)
    return costs


def local_month(hour, offset):
    local = datetime.fromtimestamp(int(hour) + offset * 60, tz=UTC)
    return local.year, local.month


def reference_block(hours, energy, bands, offset, before):
    """A plain loop over hours carrying the month's position, overlapping each hour with each band."""
    costs, position, month = [], before, local_month(hours[0], offset)
    for hour, used in zip(hours, energy, strict=True):
        if local_month(hour, offset) != month:
            position, month = 0.0, local_month(hour, offset)
        amount = 0.0 if math.isnan(used) else used
        low, high = sorted((position, position + amount))
        cost = 0.0
        for index, (first, end, price) in enumerate(bands):
            band_low = -math.inf if index == 0 else first
            band_high = math.inf if index == len(bands) - 1 else end
            cost += max(0.0, min(high, band_high) - max(low, band_low)) * price
        costs.append(NAN if math.isnan(used) else -cost if amount < 0 else cost)
        position += amount
    return costs


prices = st.floats(0, 5, allow_nan=False)
offsets = st.integers(-720, 840)


@st.composite
def time_of_use_days(draw):
    cuts = sorted(draw(st.sets(st.one_of(st.integers(1, DAY - 1), st.integers(1, 1439).map(lambda m: m * 60)),
                               max_size=6)))
    starts = [0, *cuts]
    ends = [*(cut - 1 for cut in cuts), DAY - 1]
    return tuple((first, end, draw(prices)) for first, end in zip(starts, ends, strict=True))


@st.composite
def block_bands(draw):
    widths = draw(st.lists(st.floats(0.5, 500, allow_nan=False), min_size=1, max_size=5))
    edges = np.concatenate(([0.0], np.cumsum(widths))).tolist()
    return tuple((edges[i], edges[i + 1], draw(prices)) for i in range(len(widths)))


@st.composite
def hourly_series(draw, max_size=60):
    """Increasing hours around the 2024 January/February/March month ends, with gaps, and energies (some NaN)."""
    start = draw(st.integers(utc(2023, 12, 20) // HOUR, utc(2024, 3, 5) // HOUR))
    steps = draw(st.lists(st.sampled_from([1, 1, 1, 1, 2, 5, 24, 200]), min_size=1, max_size=max_size))
    hours = (start + np.cumsum(steps)) * HOUR
    energy = draw(st.lists(st.one_of(st.floats(-50, 400, allow_nan=False), st.just(NAN)),
                           min_size=len(steps), max_size=len(steps)))
    return hours.astype(np.int64), np.array(energy)


@settings(deadline=None)
@given(rows=time_of_use_days(), offset=offsets,
       hours=st.lists(st.integers(utc(2000, 1, 1) // HOUR, utc(2040, 1, 1) // HOUR), min_size=1, max_size=24),
       data=st.data())
def test_time_of_use_cost_equals_a_per_minute_reference_loop(rows, offset, hours, data):
    hours_ = np.array(hours, dtype=np.int64) * HOUR
    energy = np.array(data.draw(st.lists(st.one_of(st.floats(-100, 1000, allow_nan=False), st.just(NAN)),
                                         min_size=len(hours), max_size=len(hours))))
    cost = time_of_use_cost(hours_, energy, TimeOfUse(rows), offset)
    np.testing.assert_allclose(cost, reference_time_of_use(hours_, energy, rows, offset), rtol=1e-9, atol=1e-9)


@settings(deadline=None)
@given(bands=block_bands(), offset=offsets, data=hourly_series(), before=st.floats(0, 2000, allow_nan=False))
def test_block_cost_equals_a_reference_loop_over_the_hours(bands, offset, data, before):
    hours, energy = data
    cost = block_cost(hours, energy, Block(bands), offset, month_to_date_before=before)
    np.testing.assert_allclose(cost, reference_block(hours, energy, bands, offset, before), rtol=1e-9, atol=1e-7)


@given(bands=block_bands(), offset=offsets, data=hourly_series(), before=st.floats(0, 2000, allow_nan=False),
       split=st.floats(0, 1))
def test_block_cost_is_additive_over_a_series_split_in_two_calls(bands, offset, data, before, split):
    hours, energy = data
    at = int(split * len(hours))
    block = Block(bands)
    month = local_month(hours[at], offset) if at < len(hours) else None
    carried = before if local_month(hours[0], offset) == month else 0.0
    carried += sum(0.0 if math.isnan(used) else used
                   for hour, used in zip(hours[:at], energy[:at], strict=True) if local_month(hour, offset) == month)
    first = block_cost(hours[:at], energy[:at], block, offset, month_to_date_before=before)
    second = block_cost(hours[at:], energy[at:], block, offset, month_to_date_before=carried)
    whole = block_cost(hours, energy, block, offset, month_to_date_before=before)
    np.testing.assert_allclose(np.concatenate((first, second)), whole, rtol=1e-9, atol=1e-7)


@given(rows=time_of_use_days(), offset=offsets, data=hourly_series(max_size=24), scale=st.floats(-10, 10),
       other=st.floats(-10, 10))
def test_time_of_use_cost_is_linear_in_energy(rows, offset, data, scale, other):
    hours, energy = data
    tou = TimeOfUse(rows)
    energy = np.nan_to_num(energy)
    shifted = np.roll(energy, 1)
    combined = time_of_use_cost(hours, scale * energy + other * shifted, tou, offset)
    parts = scale * time_of_use_cost(hours, energy, tou, offset) + other * time_of_use_cost(hours, shifted, tou, offset)
    np.testing.assert_allclose(combined, parts, rtol=1e-9, atol=1e-9)
