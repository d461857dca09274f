"""Hourly normalisation: counters and power points to hourly energy, with gap, reset and rollover rules.

Golden cases are computed by hand; the properties compare the vectorised kernels with plain-Python
references on random data and check conservation, chunk invariance and determinism.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation.normalize import (
    DEFAULT_MAX_GAP,
    counter_to_hourly,
    counter_to_hourly_many,
    limit_flags,
    needed_span,
    power_to_hourly,
)
from aggregation.series import ESTIMATED, HOUR, OUT_OF_LIMITS, RESET, ROLLOVER, Hourly, hour_range

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
NAN = math.nan
E, R, W = ESTIMATED, RESET, ROLLOVER


def counter(readings: Sequence[tuple[int, float]], hours: np.ndarray, good: Sequence[bool] | None = None,
            **kwargs: float) -> Hourly:
    """counter_to_hourly over (seconds after T0, value) pairs."""
    times = np.array([T0 + t for t, _ in readings], dtype=np.int64)
    values = np.array([v for _, v in readings], dtype=np.float64)
    mask = np.ones(len(readings), dtype=bool) if good is None else np.array(good, dtype=bool)
    return counter_to_hourly(times, values, mask, hours, **kwargs)  # type: ignore[arg-type]


def power(readings: Sequence[tuple[int, float]], hours: np.ndarray, good: Sequence[bool] | None = None,
          **kwargs: int) -> Hourly:
    """power_to_hourly over (seconds after T0, kW) pairs."""
    times = np.array([T0 + t for t, _ in readings], dtype=np.int64)
    kw = np.array([v for _, v in readings], dtype=np.float64)
    mask = np.ones(len(readings), dtype=bool) if good is None else np.array(good, dtype=bool)
    return power_to_hourly(times, kw, mask, hours, **kwargs)


def hours(first: int, count: int) -> np.ndarray:
    """``count`` hour starts from T0 + first hours."""
    return hour_range(T0 + first * HOUR, T0 + (first + count) * HOUR)


def assert_hourly(result: Hourly, energy: Sequence[float], flags: Sequence[int] | None = None) -> None:
    np.testing.assert_allclose(result.energy, energy, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(result.flags, flags if flags is not None else [0] * len(energy))


# -- counters: golden cases ------------------------------------------------------------------------------------


def test_regular_quarter_hour_readings_give_each_hours_rise() -> None:
    readings = [(i * 900, float(v)) for i, v in enumerate([0, 1, 2, 3, 4, 6, 8, 10, 12])]
    assert_hourly(counter(readings, hours(0, 2)), [4, 8])


def test_irregular_readings_are_interpolated_at_the_hour_boundaries() -> None:
    # U(T0) = 30 * 600/1800 = 10; U(T0+1h) = 30 + 50 * 2400/3000 = 70; U(T0+2h) = 80 + 20 * 3000/3600
    readings = [(-600, 0.0), (1200, 30.0), (4200, 80.0), (7800, 100.0)]
    assert_hourly(counter(readings, hours(0, 2)), [60, 80 / 3])


def test_a_reading_exactly_on_a_boundary_is_that_boundarys_value() -> None:
    readings = [(0, 100.0), (1800, 105.0), (3600, 110.0), (7200, 130.0)]
    # the hour before T0 and the one starting on the last reading have no reading on their other side
    assert_hourly(counter(readings, hours(-1, 4)), [NAN, 10, 20, NAN])


def test_a_three_hour_gap_is_spread_evenly_and_flagged_estimated() -> None:
    readings = [(-900, 0.0), (0, 1.0), (3 * HOUR, 31.0), (3 * HOUR + 900, 32.0), (4 * HOUR, 35.0)]
    assert_hourly(counter(readings, hours(-1, 6)), [NAN, 10, 10, 10, 4, NAN], [0, E, E, E, 0, 0])


def test_a_gap_no_longer_than_max_gap_is_interpolated_without_a_flag() -> None:
    readings = [(0, 1.0), (3 * HOUR, 31.0)]
    assert_hourly(counter(readings, hours(0, 3), max_gap=3 * HOUR), [10, 10, 10])


def test_the_hour_a_gap_only_touches_on_a_reading_is_not_estimated() -> None:
    readings = [(0, 0.0), (900, 1.0), (3600, 4.0), (4 * HOUR, 10.0)]
    assert_hourly(counter(readings, hours(0, 4)), [4, 2, 2, 2], [0, E, E, E])


def test_a_reset_counts_the_new_value_as_the_energy_since_the_restart() -> None:
    readings = [(0, 100.0), (900, 110.0), (1800, 5.0), (2700, 15.0), (3600, 25.0), (7200, 45.0)]
    assert_hourly(counter(readings, hours(0, 2)), [10 + 5 + 10 + 10, 20], [R, 0])


def test_a_reset_between_readings_in_two_hours_is_spread_over_both_and_flags_both() -> None:
    readings = [(0, 0.0), (3000, 50.0), (4200, 6.0), (7200, 36.0)]
    assert_hourly(counter(readings, hours(0, 2)), [50 + 3, 3 + 30], [R, R])


def test_a_rollover_at_max_value_counts_the_energy_across_the_wrap() -> None:
    readings = [(0, 99_990.0), (1800, 99_998.0), (3600, 5.0), (7200, 25.0)]
    assert_hourly(counter(readings, hours(0, 2), max_value=100_000), [8 + 2 + 5, 20], [W, 0])


@pytest.mark.parametrize(
    ("old", "energy", "flag"),
    [(60_000.0, 10_000.0, RESET), (60_001.0, 100_000 - 60_001 + 10_000, ROLLOVER)],
    ids=["half-the-range-is-a-reset", "more-than-half-is-a-rollover"],
)
def test_a_drop_is_a_rollover_only_when_more_than_half_of_max_value(old: float, energy: float, flag: int) -> None:
    readings = [(0, old), (3600, 10_000.0)]
    assert_hourly(counter(readings, hours(0, 1), max_value=100_000), [energy], [flag])


def test_without_max_value_every_drop_is_a_reset() -> None:
    readings = [(0, 99_990.0), (1800, 99_998.0), (3600, 5.0)]
    assert_hourly(counter(readings, hours(0, 1)), [8 + 5], [R])


def test_energy_is_never_negative_even_when_a_counter_restarts_below_zero() -> None:
    readings = [(0, 10.0), (3600, -3.0), (7200, -1.0)]
    assert_hourly(counter(readings, hours(0, 2)), [0, 2], [R, 0])


def test_a_counter_above_its_max_value_never_gives_negative_energy() -> None:
    readings = [(0, 1500.0), (3600, 10.0)]  # misconfigured max_value: the wrap would be 1000 - 1500 + 10
    assert_hourly(counter(readings, hours(0, 1), max_value=1000), [0], [W])


def test_bad_readings_are_ignored() -> None:
    readings = [(0, 0.0), (900, 1.0), (1800, 1e9), (2700, 3.0), (3600, 4.0)]
    assert_hourly(counter(readings, hours(0, 1), good=[True, True, False, True, True]), [4])


def test_nan_and_inf_values_are_treated_as_bad() -> None:
    readings = [(0, 0.0), (900, NAN), (1800, math.inf), (2700, -math.inf), (3600, 4.0)]
    assert_hourly(counter(readings, hours(0, 1)), [4])


def test_of_duplicate_times_the_last_good_reading_wins() -> None:
    readings = [(0, 0.0), (3600, 10.0), (3600, 12.0), (3600, 99.0), (7200, 20.0)]
    assert_hourly(counter(readings, hours(0, 2), good=[True, True, True, False, True]), [12, 8])


def test_unsorted_input_gives_the_same_hours_as_sorted() -> None:
    readings = [(i * 600 - 300, float(i * i)) for i in range(15)]
    shuffled = [readings[i] for i in np.random.default_rng(7).permutation(len(readings))]
    np.testing.assert_array_equal(counter(shuffled, hours(0, 2)).energy, counter(readings, hours(0, 2)).energy)
    # the boundaries fall halfway between readings i and i + 1: U = i*i + i + 0.5 at i = 0, 6 and 12
    assert_hourly(counter(readings, hours(0, 2)), [42.5 - 0.5, 156.5 - 42.5])


@pytest.mark.parametrize(
    ("readings", "good"),
    [([], []), ([(1800, 5.0)], [True]), ([(0, 1.0), (7200, 2.0)], [False, False]), ([(0, NAN), (7200, 2.0)], None)],
    ids=["no-readings", "a-single-reading", "all-bad", "one-left-after-nan"],
)
def test_too_few_readings_give_nan_everywhere(readings: list[tuple[int, float]], good: list[bool] | None) -> None:
    assert_hourly(counter(readings, hours(-1, 3), good=good), [NAN] * 3)
    assert_hourly(power(readings, hours(-1, 3), good=good), [NAN] * 3)


def test_hours_may_come_in_any_order_with_holes_and_repeats() -> None:
    readings = [(i * 900, float(i * i)) for i in range(-4, 21)]
    whole = counter(readings, hours(0, 5))
    picked = np.array([3, 0, 4, 0, 1])
    result = counter(readings, whole.hours[picked])
    np.testing.assert_array_equal(result.hours, whole.hours[picked])
    np.testing.assert_array_equal(result.energy, whole.energy[picked])


def test_no_hours_give_an_empty_result() -> None:
    result = counter([(0, 0.0), (3600, 1.0)], hours(0, 0))
    assert result.energy.shape == result.flags.shape == (0,)


def test_hours_must_be_hour_starts_and_arrays_the_same_length() -> None:
    with pytest.raises(ValueError, match="hour starts"):
        counter([(0, 0.0)], np.array([T0 + 1]))
    with pytest.raises(ValueError, match="same length"):
        counter_to_hourly(np.array([T0]), np.array([1.0, 2.0]), np.array([True]), hours(0, 1))


@pytest.mark.parametrize("max_value", [0.0, -5.0, NAN, math.inf])
def test_a_max_value_that_is_not_positive_and_finite_means_every_drop_is_a_reset(max_value: float) -> None:
    readings = [(0, 99_990.0), (3600, 5.0)]
    assert_hourly(counter(readings, hours(0, 1), max_value=max_value), [5], [R])


# -- limits --------------------------------------------------------------------------------------------------


def test_limit_flags_mark_energy_below_low_or_above_high_but_never_nan() -> None:
    flags = limit_flags(np.array([1.0, 2.0, 5.0, 8.0, 10.0, NAN]), 2.0, 8.0)
    O = OUT_OF_LIMITS  # noqa: E741, N806
    np.testing.assert_array_equal(flags, [O, 0, 0, 0, O, 0])
    assert flags.dtype == np.uint8


def test_limit_flags_take_per_hour_limits_and_none_or_nan_as_no_limit() -> None:
    energy = np.array([1.0, 50.0, 100.0])
    np.testing.assert_array_equal(limit_flags(energy, None, 60.0), [0, 0, OUT_OF_LIMITS])
    np.testing.assert_array_equal(limit_flags(energy, np.array([2.0, NAN, 0.0]), None), [OUT_OF_LIMITS, 0, 0])
    np.testing.assert_array_equal(limit_flags(energy, None, None), [0, 0, 0])


# -- power -----------------------------------------------------------------------------------------------------


def test_constant_10_kw_for_two_hours_is_10_kwh_per_hour() -> None:
    readings = [(t, 10.0) for t in range(0, 2 * HOUR + 1, 300)]
    assert_hourly(power(readings, hours(-1, 4)), [NAN, 10, 10, NAN])


def test_a_power_ramp_is_integrated_exactly_across_the_hour_boundaries() -> None:
    # p = 10 + 10 t (t in hours): the mean power of hour 0 is p(0.5) = 15 kW, of hour 1 p(1.5) = 25 kW
    readings = [(-1800, 5.0), (2700, 17.5), (8100, 32.5)]
    assert_hourly(power(readings, hours(0, 2)), [15, 25])


def test_a_power_peak_between_two_readings_is_split_at_the_boundary() -> None:
    # 0 -> 30 kW over 1.5 h (20 kW per hour): hour 0 is 10 kWh; hour 1 is (20 + 30) / 2 * 0.5 + 30 * 0.5
    readings = [(0, 0.0), (5400, 30.0), (7200, 30.0)]
    assert_hourly(power(readings, hours(0, 2)), [10, 27.5])


def test_power_across_a_gap_is_interpolated_and_estimated_and_uncovered_hours_are_nan() -> None:
    readings = [(0, 10.0), (3 * HOUR, 10.0)]
    assert_hourly(power(readings, hours(-1, 5)), [NAN, 10, 10, 10, NAN], [0, E, E, E, 0])
    assert_hourly(power(readings, hours(0, 3), max_gap=3 * HOUR), [10, 10, 10])


def test_export_gives_negative_power_energy() -> None:
    assert_hourly(power([(0, -4.0), (3600, -2.0)], hours(0, 1)), [-3])


# -- chunks and batches --------------------------------------------------------------------------------------


def test_needed_span_runs_from_the_last_good_reading_at_the_start_to_the_first_at_the_end() -> None:
    times = T0 + np.array([0, 1000, 3600, 3600, 5000, 7200, 7200, 9000])
    good = np.array([True, True, False, True, True, True, True, True])
    assert needed_span(times, good, T0 + 3600, T0 + 7200) == (2, 7)  # both duplicates at either end
    assert needed_span(times, good, T0 + 3000, T0 + 8000) == (1, 8)
    assert needed_span(times, good, T0 - 3600, T0 + 20_000) == (0, 8)  # nothing before or after: to the ends


def test_the_batched_variant_gives_each_meter_its_own_hours() -> None:
    meter = np.array([2, 0, 2, 0, 0, 2])
    times = T0 + np.array([0, -600, 3600, 1200, 4200, 7200])
    values = np.array([5.0, 0.0, 9.0, 30.0, 80.0, 1.0])
    result = counter_to_hourly_many(meter, times, values, np.ones(6, dtype=bool), hours(0, 2), n_meters=4)
    assert len(result) == 4
    assert_hourly(result[0], [60, NAN])
    assert_hourly(result[1], [NAN, NAN])
    assert_hourly(result[2], [4, 1], [0, R])
    assert_hourly(result[3], [NAN, NAN])


def test_the_batched_variant_takes_a_max_value_per_meter() -> None:
    meter = np.array([0, 0, 1, 1])
    times = T0 + np.array([0, 3600, 0, 3600])
    values = np.array([990.0, 10.0, 990.0, 10.0])
    result = counter_to_hourly_many(meter, times, values, np.ones(4, dtype=bool), hours(0, 1),
                                    max_value=np.array([1000.0, NAN]))
    assert_hourly(result[0], [20], [W])
    assert_hourly(result[1], [10], [R])


# -- properties ----------------------------------------------------------------------------------------------

SPAN_HOURS = 8
moments = st.one_of(
    st.integers(-2 * HOUR, (SPAN_HOURS + 2) * HOUR),  # anywhere, to the second
    st.integers(-2, SPAN_HOURS + 2).map(lambda i: i * HOUR),  # exactly on a boundary
    st.integers(-8, 4 * (SPAN_HOURS + 2)).map(lambda i: i * 900),  # on a quarter hour
)


@st.composite
def readings(draw: st.DrawFn, max_value: float | None = 1000.0, max_size: int = 40) -> tuple[np.ndarray, ...]:
    """Unsorted times with duplicates, a counter that rises, resets and wraps, bad and non-finite values."""
    n = draw(st.integers(0, max_size))
    times = np.array(draw(st.lists(moments, min_size=n, max_size=n)), dtype=np.int64) + T0
    steps = draw(st.lists(st.one_of(st.floats(0, 60), st.just(-1.0)), min_size=n, max_size=n))
    values, level = [], draw(st.floats(0, 900))
    top = max_value or 1000.0
    for step in steps:  # a step of -1: jump anywhere (a reset, or a wrap when the counter has a max)
        level = draw(st.floats(0, top - 1)) if step < 0 else (level + step) % top
        values.append(level)
    values_arr = np.array(values, dtype=np.float64)
    specials = draw(st.lists(st.sampled_from([None, None, None, None, NAN, math.inf]), min_size=n, max_size=n))
    for i, special in enumerate(specials):
        if special is not None:
            values_arr[i] = special
    good = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.int64) != 0  # 4 in 5
    return times, values_arr, good


def used_readings(times: np.ndarray, values: np.ndarray, good: np.ndarray) -> tuple[list[int], list[float]]:
    used: dict[int, float] = {}
    for t, v, g in zip(times.tolist(), values.tolist(), good.tolist(), strict=True):
        if g and math.isfinite(v):
            used[t] = v  # of equal times the last good one wins
    ts = sorted(used)
    return ts, [used[t] for t in ts]


def reference_counter(times: np.ndarray, values: np.ndarray, good: np.ndarray, hour_starts: np.ndarray,
                      max_value: float | None, max_gap: int = DEFAULT_MAX_GAP) -> tuple[list[float], list[int]]:
    """The documented semantics as a plain loop: unwrap the counter, interpolate it at each boundary."""
    ts, vs = used_readings(times, values, good)
    total, codes = [0.0], []
    for i in range(1, len(ts)):
        old, new = vs[i - 1], vs[i]
        code = ESTIMATED if ts[i] - ts[i - 1] > max_gap else 0
        if new >= old:
            rise = new - old
        elif max_value is not None and old - new > max_value / 2:
            rise, code = max(max_value - old + new, 0.0), code | ROLLOVER
        else:
            rise, code = max(new, 0.0), code | RESET
        total.append(total[-1] + rise)
        codes.append(code)
    return interpolate_hours(ts, total, codes, hour_starts)


def reference_power(times: np.ndarray, kw: np.ndarray, good: np.ndarray, hour_starts: np.ndarray,
                    max_gap: int = DEFAULT_MAX_GAP) -> tuple[list[float], list[int]]:
    """Trapezoids, one interval at a time, summed into a running energy total."""
    ts, ps = used_readings(times, kw, good)
    total, codes = [0.0], []
    for i in range(1, len(ts)):
        total.append(total[-1] + (ps[i - 1] + ps[i]) / 2 * (ts[i] - ts[i - 1]) / HOUR)
        codes.append(ESTIMATED if ts[i] - ts[i - 1] > max_gap else 0)

    def energy_at(i: int, b: int) -> float:  # the running total at b, inside interval i: one more trapezoid
        power_at_b = ps[i] + (ps[i + 1] - ps[i]) * (b - ts[i]) / (ts[i + 1] - ts[i])
        return total[i] + (ps[i] + power_at_b) / 2 * (b - ts[i]) / HOUR

    return interpolate_hours(ts, total, codes, hour_starts, energy_at)


def interpolate_hours(ts: list[int], total: list[float], codes: list[int], hour_starts: np.ndarray,
                      inside: Callable[[int, int], float] | None = None) -> tuple[list[float], list[int]]:
    """Each hour's end minus start of the running total (linear inside an interval unless ``inside``)."""

    def at(b: int) -> float | None:
        for i, t in enumerate(ts):
            if t == b:
                return total[i]
            if t < b and i + 1 < len(ts) and ts[i + 1] > b:
                if inside is not None:
                    return inside(i, b)
                return total[i] + (total[i + 1] - total[i]) * (b - t) / (ts[i + 1] - t)
        return None

    energy, flags = [], []
    for h in hour_starts.tolist():
        start, end = at(h), at(h + HOUR)
        if start is None or end is None:
            energy.append(NAN)
            flags.append(0)
            continue
        energy.append(end - start)
        flag = 0
        for i, code in enumerate(codes):
            if ts[i] < h + HOUR and ts[i + 1] > h:
                flag |= code
        flags.append(flag)
    return energy, flags


def assert_matches(result: Hourly, expected: tuple[list[float], list[int]], scale: float) -> None:
    np.testing.assert_allclose(result.energy, expected[0], rtol=1e-9, atol=1e-9 * (1 + scale))
    np.testing.assert_array_equal(result.flags, expected[1])


SPAN = hour_range(T0 - 3 * HOUR, T0 + (SPAN_HOURS + 3) * HOUR)


@given(readings(), st.sampled_from([None, 1000.0]), st.sampled_from([900, DEFAULT_MAX_GAP]))
@settings(max_examples=300, deadline=None)
def test_the_counter_kernel_matches_a_plain_python_reference(data: tuple[np.ndarray, ...], max_value: float | None,
                                                            max_gap: int) -> None:
    times, values, good = data
    result = counter_to_hourly(times, values, good, SPAN, max_value=max_value, max_gap=max_gap)
    scale = float(np.nansum(np.abs(values[np.isfinite(values)])))
    assert_matches(result, reference_counter(times, values, good, SPAN, max_value, max_gap), scale)
    assert not np.any(result.energy < 0)


@given(readings(max_value=None), st.sampled_from([900, DEFAULT_MAX_GAP]))
@settings(max_examples=200, deadline=None)
def test_the_power_kernel_matches_a_plain_python_reference(data: tuple[np.ndarray, ...], max_gap: int) -> None:
    times, kw, good = data
    kw = kw - 500  # import and export
    result = power_to_hourly(times, kw, good, SPAN, max_gap=max_gap)
    scale = float(np.nansum(np.abs(kw[np.isfinite(kw)]))) * 12
    assert_matches(result, reference_power(times, kw, good, SPAN, max_gap), scale)


@given(
    st.lists(st.integers(1, 3 * HOUR), min_size=1, max_size=60),
    st.lists(st.floats(0, 1e4), min_size=64, max_size=64),
    st.integers(-HOUR, 0),
    st.integers(1, 12),
)
def test_hourly_energy_sums_to_the_counters_rise_over_the_span(steps: list[int], rises: list[float], lead: int,
                                                                span_hours: int) -> None:
    # readings at the span's two ends, irregular ones between, before and after
    inner = np.unique(np.cumsum(steps) % (span_hours * HOUR))
    offsets = np.unique(np.concatenate([[lead - 1, 0, span_hours * HOUR, span_hours * HOUR + 5], inner]))
    values = 1e6 + np.cumsum(rises[: offsets.size])
    result = counter_to_hourly(T0 + offsets, values, np.ones(offsets.size, dtype=bool), hours(0, span_hours))
    start, end = values[offsets == 0][0], values[offsets == span_hours * HOUR][0]
    assert not np.any(np.isnan(result.energy))
    assert math.isclose(result.energy.sum(), end - start, rel_tol=1e-9, abs_tol=1e-6)
    assert not np.any(result.flags & (RESET | ROLLOVER))


Kernel = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Hourly]


def chunked(kernel: Kernel, times: np.ndarray, values: np.ndarray, good: np.ndarray, cuts: list[int],
            extra: int) -> tuple[np.ndarray, np.ndarray]:
    """The kernel run chunk by chunk over SPAN, each chunk on the readings needed_span names (+ extra)."""
    order = np.argsort(times, kind="stable")  # needed_span wants sorted times; stable keeps duplicates' order
    times, values, good = times[order], values[order], good[order]
    used = good & np.isfinite(values)
    edges = sorted({0, SPAN.size, *cuts})
    energy, flags = [], []
    for first, last in zip(edges, edges[1:], strict=False):
        lo, hi = needed_span(times, used, int(SPAN[first]), int(SPAN[last - 1]) + HOUR)
        lo, hi = max(lo - extra, 0), hi + extra
        part = kernel(times[lo:hi], values[lo:hi], good[lo:hi], SPAN[first:last])
        energy.append(part.energy)
        flags.append(part.flags)
    return np.concatenate(energy), np.concatenate(flags)


@given(readings(), st.lists(st.integers(1, SPAN.size - 1), max_size=6), st.integers(0, 3), st.booleans())
@settings(max_examples=200, deadline=None)
def test_one_long_run_equals_many_short_runs_on_the_readings_they_need(data: tuple[np.ndarray, ...],
                                                                       cuts: list[int], extra: int,
                                                                       of_power: bool) -> None:
    times, values, good = data

    def kernel(t: np.ndarray, v: np.ndarray, g: np.ndarray, h: np.ndarray) -> Hourly:
        if of_power:
            return power_to_hourly(t, v, g, h, max_gap=900)
        return counter_to_hourly(t, v, g, h, max_value=1000.0, max_gap=900)

    whole = kernel(times, values, good, SPAN)
    energy, flags = chunked(kernel, times, values, good, cuts, extra)
    np.testing.assert_array_equal(energy, whole.energy)  # bit for bit, NaN where NaN
    np.testing.assert_array_equal(flags, whole.flags)


@given(readings(), st.data())
@settings(max_examples=100, deadline=None)
def test_results_are_deterministic_and_independent_of_the_input_order(data: tuple[np.ndarray, ...],
                                                                      draw: st.DataObject) -> None:
    times, values, good = data
    times, index = np.unique(times, return_index=True)  # distinct times: then the order given cannot matter
    values, good = values[index], good[index]
    first = counter_to_hourly(times, values, good, SPAN, max_value=1000.0)
    again = counter_to_hourly(times, values, good, SPAN, max_value=1000.0)
    order = np.array(draw.draw(st.permutations(range(times.size))), dtype=np.intp)
    shuffled = counter_to_hourly(times[order], values[order], good[order], SPAN, max_value=1000.0)
    for other in (again, shuffled):
        np.testing.assert_array_equal(other.energy, first.energy)
        np.testing.assert_array_equal(other.flags, first.flags)


@given(st.lists(readings(max_size=20), min_size=1, max_size=5), st.data())
@settings(max_examples=100, deadline=None)
def test_the_batched_variant_equals_one_call_per_meter(meters: list[tuple[np.ndarray, ...]],
                                                       data: st.DataObject) -> None:
    max_values = np.array(data.draw(st.lists(st.sampled_from([1000.0, NAN]), min_size=len(meters),
                                             max_size=len(meters))))
    meter = np.concatenate([np.full(m[0].size, i) for i, m in enumerate(meters)]).astype(np.int64)
    times, values, good = (np.concatenate([m[j] for m in meters]) for j in range(3))
    # interleave the meters at random, keeping each meter's own order (its duplicates' last-given rule)
    whose = meter[np.array(data.draw(st.permutations(range(meter.size))), dtype=np.intp)]
    order = np.empty(meter.size, dtype=np.intp)
    for i in range(len(meters)):
        order[whose == i] = np.flatnonzero(meter == i)
    batched = counter_to_hourly_many(meter[order], times[order], values[order], good[order], SPAN,
                                     max_value=max_values, max_gap=900, n_meters=len(meters))
    for i, (t, v, g) in enumerate(meters):
        single = counter_to_hourly(t, v, g, SPAN, max_value=None if np.isnan(max_values[i]) else 1000.0, max_gap=900)
        np.testing.assert_array_equal(batched[i].energy, single.energy)
        np.testing.assert_array_equal(batched[i].flags, single.flags)
        np.testing.assert_array_equal(batched[i].hours, SPAN)
