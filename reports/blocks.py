"""Report blocks: hourly (series x hour) arrays turned into MyEMS's ``base_period`` / ``reporting_period``.

Pure functions, no database. Every report family builds its JSON from these, so totals, increment rates,
standard coal and CO2, per-area figures, peak splits and load figures are computed one way everywhere.

- Values are summed per period with :func:`reports.periods.bucket` (a period without data is 0,
  as MyEMS answers); a load's average and maximum of a period without data is ``null``.
- An increment rate is ``(reporting - base) / base``, ``null`` when the base is 0 or unknown.
- ``kgce`` / ``kgco2e``: the category's factors times its energy. Per unit area: divided by the entity's
  area, ``null`` without one.
- Peak split: each hour's energy is divided among toppeak / onpeak / midpeak / offpeak / deep by the minutes
  of that hour each peak type covers in the time-of-use tariff in force (local time at the configured UTC
  offset, as billing prices it), so a boundary at :30 splits the hour in two halves. Hours no time-of-use
  tariff covers are in no peak type.
- JSON has no NaN: unknown numbers are ``null``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from aggregation.series import Times, Values
from reports.periods import Periods, bucket, maxima

PEAK_TYPES = ("toppeak", "onpeak", "midpeak", "offpeak", "deep")
DAY_MINUTES = 1440


def number(value: Any) -> float | None:
    """A JSON-safe number: NaN and infinities become ``None``."""
    if value is None:
        return None
    as_float = float(value)
    return as_float if math.isfinite(as_float) else None


def per(values: Any, divisor: float | None) -> list[float | None]:
    """Each value over ``divisor`` (an area, a head count): ``None`` without a divisor or a value."""
    return [number(v / divisor) if divisor and v is not None else None for v in values]


def numbers(values: Any) -> list[float | None]:
    return [number(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def rate(reporting: float | None, base: float | None) -> float | None:
    if reporting is None or base is None or base == 0 or not math.isfinite(base):
        return None
    return number((reporting - base) / base)


def rates(reporting: Sequence[float | None], base: Sequence[float | None]) -> list[float | None]:
    """Per-period rates against the base period's period at the same position (MyEMS's ``rates``)."""
    return [rate(r, base[i] if i < len(base) else None) for i, r in enumerate(reporting)]


@dataclass(frozen=True)
class Sums:
    """Per-period sums of k series over one span."""

    labels: tuple[str, ...]
    values: Values  # (k, p)
    totals: Values  # (k,)

    @classmethod
    def of(cls, periods: Periods | None, grid_hours: Times, matrix: Values) -> Sums:
        if periods is None:
            k = matrix.shape[0]
            return cls((), np.zeros((k, 0)), np.zeros(k))
        buckets = bucket(grid_hours, matrix, periods)
        return cls(periods.labels, buckets.values, buckets.total)


def sums_block(sums: Sums) -> dict[str, Any]:
    return {"timestamps": [list(sums.labels) for _ in range(len(sums.totals))],
            "values": [numbers(row) for row in sums.values], "subtotals": numbers(sums.totals)}


def coal_and_carbon(rp: dict[str, Any], bp: dict[str, Any], now: Sums, before: Sums, factors: Sequence[Any],
                    has_base: bool) -> None:
    """Standard coal and CO2 of each series' subtotal and in all, from its category's ``kgce`` / ``kgco2e``
    (``factors[i]`` is series i's category, None when unknown), and their increment rates."""
    kgce = np.array([f.kgce if f else np.nan for f in factors])
    kgco2e = np.array([f.kgco2e if f else np.nan for f in factors])
    for block, sums in ((rp, now), (bp, before)):
        block["subtotals_in_kgce"] = numbers(sums.totals * kgce)
        block["subtotals_in_kgco2e"] = numbers(sums.totals * kgco2e)
        block["total_in_kgce"] = number(np.nansum(sums.totals * kgce))
        block["total_in_kgco2e"] = number(np.nansum(sums.totals * kgco2e))
    rp["increment_rate_in_kgce"] = rate(rp["total_in_kgce"], bp["total_in_kgce"]) if has_base else None
    rp["increment_rate_in_kgco2e"] = rate(rp["total_in_kgco2e"], bp["total_in_kgco2e"]) if has_base else None


# -------------------------------------------------------------------------------------------- peak split

def minute_map(rows: Sequence[tuple[str, str, str]]) -> np.ndarray:
    """The peak type index (into :data:`PEAK_TYPES`) of each minute of the local day; -1 where none."""
    day = np.full(DAY_MINUTES, -1, dtype=np.int64)
    for start, end, peak_type in rows:
        if peak_type not in PEAK_TYPES:
            continue
        first, last = _minute(start), _minute(end)
        day[first:last + 1] = PEAK_TYPES.index(peak_type)
    return day


def _minute(time_of_day: str) -> int:
    parts = [int(p) for p in str(time_of_day).split(":")[:2]]
    return min(DAY_MINUTES - 1, parts[0] * 60 + (parts[1] if len(parts) > 1 else 0))


def peak_fractions(hours: Times, schedules: Sequence[tuple[int, int, np.ndarray]],
                   utc_offset_minutes: int) -> Values:
    """(5, n) shares of each hour in each peak type under the schedules ``(valid_from, valid_through,
    minute_map)`` (POSIX seconds; the latest ``valid_from`` wins where they overlap)."""
    hours_ = np.asarray(hours, dtype=np.int64)
    shares = np.zeros((len(PEAK_TYPES), hours_.size))
    local_minute = ((hours_ + utc_offset_minutes * 60) % 86_400) // 60
    for valid_from, valid_through, day in sorted(schedules, key=lambda s: s[0]):
        inside = (hours_ >= valid_from) & (hours_ < valid_through)
        if not inside.any():
            continue
        two_days = np.concatenate([day, day])
        counts = np.zeros((len(PEAK_TYPES), 2 * DAY_MINUTES + 1))
        for p in range(len(PEAK_TYPES)):
            counts[p, 1:] = np.cumsum(two_days == p)
        m0 = local_minute[inside]
        shares[:, inside] = (counts[:, m0 + 60] - counts[:, m0]) / 60.0
    return shares


def peak_totals(energy: Values, shares: Values, span: tuple[int, int], grid_hours: Times) -> Values:
    """(k, 5) energy per series and peak type over the hours ``[span)``."""
    inside = (grid_hours >= span[0]) & (grid_hours < span[1])
    known = np.nan_to_num(energy[:, inside])
    result: Values = known @ shares[:, inside].T
    return result


def days_off_split(matrix: Values, grid_hours: Times, periods: Periods | None, days_off: set[str],
                   zone: Any) -> tuple[list[float | None], list[float | None]]:
    """Each series' total over the period on non-working local days (``YYYY-MM-DD``) and on the others."""
    if periods is None:
        return [], []
    start, end = span_of(periods)
    inside = (grid_hours >= start) & (grid_hours < end)
    known = np.nan_to_num(matrix[:, inside])
    dates = np.array([datetime.fromtimestamp(int(h), UTC).astimezone(zone).strftime("%Y-%m-%d")
                      for h in grid_hours[inside]]) if days_off else np.zeros(0)
    off = np.isin(dates, sorted(days_off)) if days_off else np.zeros(known.shape[1], dtype=bool)
    return numbers(known[:, off].sum(axis=1)), numbers(known[:, ~off].sum(axis=1))


# ---------------------------------------------------------------------------------------------- loads

def load_block(periods: Periods | None, grid_hours: Times, matrix: Values) -> dict[str, Any]:
    """Average load (energy per hour over the period's hours with data) and maximum hourly load per period."""
    if periods is None:
        k = matrix.shape[0]
        return {"sub_averages": [[] for _ in range(k)], "sub_maximums": [[] for _ in range(k)],
                "averages": [None] * k, "maximums": [None] * k, "factors": [None] * k}
    buckets = bucket(grid_hours, matrix, periods)
    with np.errstate(invalid="ignore", divide="ignore"):
        averages = np.where(buckets.counts > 0, buckets.values / np.maximum(buckets.counts, 1), np.nan)
        peak = maxima(grid_hours, matrix, periods)
        overall_average = np.where(buckets.total_count > 0, buckets.total / np.maximum(buckets.total_count, 1),
                                   np.nan)
        overall_max = np.nanmax(np.where(np.isfinite(peak), peak, -np.inf), axis=-1) if peak.shape[-1] else \
            np.full(matrix.shape[0], np.nan)
        overall_max = np.where(np.isfinite(overall_max), overall_max, np.nan)
        factors = np.where(overall_max > 0, overall_average / overall_max, np.nan)
    return {"sub_averages": [numbers(r) for r in averages], "sub_maximums": [numbers(r) for r in peak],
            "averages": numbers(overall_average), "maximums": numbers(overall_max), "factors": numbers(factors)}


# ------------------------------------------------------------------------------------------ statistics

def statistics_block(sums: Sums) -> dict[str, list[float | None]]:
    """Mean, median, minimum, maximum, standard deviation and variance of each series' period values."""
    out: dict[str, list[float | None]] = {k: [] for k in ("means", "medians", "minimums", "maximums", "stdevs",
                                                          "variances")}
    for row in sums.values:
        values = [float(v) for v in row]
        if not values:
            for key in out:
                out[key].append(None)
            continue
        out["means"].append(number(statistics.fmean(values)))
        out["medians"].append(number(statistics.median(values)))
        out["minimums"].append(number(min(values)))
        out["maximums"].append(number(max(values)))
        out["stdevs"].append(number(statistics.pstdev(values)))
        out["variances"].append(number(statistics.pvariance(values)))
    return out


def span_of(periods: Periods) -> tuple[int, int]:
    """The rows a period span covers: hour starts ``t`` with ``start <= t < end`` (POSIX seconds)."""
    return int(periods.bounds[0]), int(periods.bounds[-1])
