"""The billing kernel: the cost, carbon and standard coal of hourly energy under MyEMS tariffs.

Pure array functions (see :mod:`aggregation.series`): ``hours`` are ``int64`` POSIX seconds of hour starts
(UTC, 1-D, length ``n``) and ``energy`` is ``float64`` of shape ``(..., n)`` -- one meter's series or a
batch of meters sharing the hours -- in the energy category's unit (kWh, m3...); ``NaN`` = unknown.
Costs come out in the tariff's unit of price times that unit (e.g. CNY), with the shape of ``energy``.

Local time is UTC plus the deployment's fixed ``utc_offset_minutes`` (``MYEMS_UTC_OFFSET``, e.g. +480 for
+08:00), as MyEMS does: no daylight saving. Schedules are the ``tbl_tariffs_*`` rows, parsed by the caller
(:meth:`TimeOfUse.from_times_of_day` reads ``HH:MM:SS``) and validated here when built.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from aggregation.series import HOUR, Times, Values

DAY = 86_400
Price = float


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


# ---------------------------------------------------------------------------------------------- schedules
@dataclass(frozen=True)
class TimeOfUse:
    """A time-of-use day: ``(start_second, end_second_inclusive, price)`` rows covering 0..86399 exactly once.

    Seconds are of the LOCAL day and inclusive on both ends, as ``tbl_tariffs_timeofuses`` stores them
    (``00:00:00``..``05:59:59`` is ``(0, 21599, p)``). Rows may be given in any order; they are kept sorted.
    """

    rows: tuple[tuple[int, int, Price], ...]

    def __post_init__(self) -> None:
        rows = tuple(sorted((int(s), int(e), _finite(p, "a price")) for s, e, p in self.rows))
        if not rows:
            raise ValueError("a time-of-use day needs at least one row")
        expected = 0
        for start, end, _ in rows:
            if end < start:
                raise ValueError(f"row {start}..{end} ends before it starts")
            if start != expected:
                raise ValueError(f"rows must cover the day exactly once: expected a row from second {expected}, "
                                 f"got one from {start}")
            expected = end + 1
        if expected != DAY:
            raise ValueError(f"rows must cover the day exactly once: the last row ends at {expected - 1}, not 86399")
        object.__setattr__(self, "rows", rows)

    @classmethod
    def from_times_of_day(cls, rows: Iterable[tuple[str, str, float]]) -> TimeOfUse:
        """Rows as MyEMS stores them: ``("HH:MM:SS", "HH:MM:SS", price)``, both times inclusive."""
        return cls(tuple((_second_of_day(start), _second_of_day(end), price) for start, end, price in rows))

    def hour_prices(self, utc_offset_minutes: int) -> Values:
        """The mean price of each UTC hour of day 0..23, over that hour's seconds in local time.

        Exact to the second (the rows' resolution): a boundary inside a minute, or an offset such as +05:30
        that puts the boundary inside the UTC hour, weights each row by the seconds it covers.
        """
        starts = np.array([row[0] for row in self.rows], dtype=np.int64)
        ends = np.array([row[1] + 1 for row in self.rows], dtype=np.int64)  # exclusive
        prices = np.array([row[2] for row in self.rows], dtype=np.float64)
        local = (np.arange(24, dtype=np.int64) * HOUR + utc_offset_minutes * 60) % DAY
        window_start, window_end = local[:, None], local[:, None] + HOUR  # may run past midnight
        covered = np.zeros((24, len(prices)), dtype=np.int64)
        for shift in (0, DAY):  # the rows of the local day and of the next one (an hour crossing midnight)
            lo = np.maximum(window_start, starts[None, :] + shift)
            hi = np.minimum(window_end, ends[None, :] + shift)
            covered += np.maximum(hi - lo, 0)
        result: Values = (covered * prices[None, :]).sum(axis=1) / HOUR
        return result


@dataclass(frozen=True)
class Block:
    """Block bands ``(start_amount, end_amount, price)``: contiguous from 0, each from its start up to its end.

    Amounts are cumulative consumption within the local calendar month, in the energy's unit. Consumption
    beyond the last band's end stays at the last band's price (MyEMS leaves it unpriced; a meter does not
    stop consuming at the table's end), and a position below 0 (net export) is at the first band's price.
    """

    rows: tuple[tuple[float, float, Price], ...]

    def __post_init__(self) -> None:
        rows = tuple(sorted((_finite(s, "an amount"), _finite(e, "an amount"), _finite(p, "a price"))
                            for s, e, p in self.rows))
        if not rows:
            raise ValueError("a block tariff needs at least one band")
        expected = 0.0
        for start, end, _ in rows:
            if end <= start:
                raise ValueError(f"band {start}..{end} must end after it starts")
            if start != expected:
                raise ValueError(f"bands must be contiguous from 0: expected a band from {expected}, got {start}")
            expected = end
        object.__setattr__(self, "rows", rows)

    def cumulative_cost(self, position: Values) -> Values:
        """The cost of the month's first ``position`` units: the integral of the band price from 0.

        The cost of an hour is the difference at its end and start positions, which splits an hour crossing
        a band boundary exactly at the boundary.
        """
        edges = np.array([0.0] + [row[1] for row in self.rows])
        prices = np.array([row[2] for row in self.rows])
        at_edges = np.concatenate(([0.0], np.cumsum(np.diff(edges) * prices)))
        last, position = edges[-1], np.asarray(position, dtype=np.float64)
        inside = np.interp(np.clip(position, 0.0, last), edges, at_edges)
        result: Values = inside + prices[-1] * np.maximum(position - last, 0.0) + prices[0] * np.minimum(position, 0.0)
        return result


Schedule = TimeOfUse | Block


@dataclass(frozen=True)
class Tariff:
    """A tariff in force on ``[valid_from_s, valid_through_s)`` (POSIX seconds, UTC) with its schedule.

    ``kind`` is ``tbl_tariffs.tariff_type`` and must match the schedule; the end is exclusive, so a
    ``valid_through`` written as ``23:59:59`` still covers the hour starting at 23:00.
    """

    kind: Literal["timeofuse", "block"]
    valid_from_s: int
    valid_through_s: int
    schedule: Schedule = field(repr=False)

    def __post_init__(self) -> None:
        expected = {"timeofuse": TimeOfUse, "block": Block}.get(self.kind)
        if expected is None:
            raise ValueError(f"tariff kind must be 'timeofuse' or 'block', got {self.kind!r}")
        if not isinstance(self.schedule, expected):
            raise ValueError(f"a {self.kind!r} tariff needs a {expected.__name__} schedule, "
                             f"got {type(self.schedule).__name__}")
        if self.valid_through_s <= self.valid_from_s:
            raise ValueError("valid_through must be after valid_from")


def _second_of_day(time_of_day: str) -> int:
    hours, minutes, seconds = (int(part) for part in time_of_day.split(":"))
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 60):
        raise ValueError(f"not a time of day: {time_of_day!r}")
    return hours * HOUR + minutes * 60 + seconds


# ---------------------------------------------------------------------------------------------- inputs
def _series(hours: Times, energy: Values, *, increasing: bool) -> tuple[Times, Values]:
    """The arrays as int64/float64, checked once: whole hours, matching lengths, increasing when it matters."""
    hours_ = np.asarray(hours)
    if hours_.ndim != 1 or not (hours_.dtype.kind in "iu" or hours_.size == 0):
        raise ValueError("hours must be a 1-D integer array of POSIX seconds")
    hours_ = hours_.astype(np.int64, copy=False)
    energy_ = np.asarray(energy, dtype=np.float64)
    if energy_.ndim == 0 or energy_.shape[-1] != hours_.shape[0]:
        raise ValueError(f"energy's last axis ({energy_.shape}) must match hours ({hours_.shape[0]})")
    if np.any(hours_ % HOUR):
        raise ValueError("hours must be hour starts (multiples of 3600)")
    if increasing and np.any(np.diff(hours_) <= 0):
        raise ValueError("hours must be strictly increasing")
    return hours_, energy_


# ---------------------------------------------------------------------------------------------- kernels
def _tou_cost(hours: Times, energy: Values, tou: TimeOfUse, utc_offset_minutes: int) -> Values:
    prices = tou.hour_prices(utc_offset_minutes)[(hours // HOUR) % 24]
    cost: Values = energy * prices
    return cost


def time_of_use_cost(hours: Times, energy: Values, tou: TimeOfUse, utc_offset_minutes: int) -> Values:
    """The cost of each hour: its energy times the mean price over the hour's seconds in local time.

    Energy is taken as spread evenly within the hour, so a price change at local :30 prices half the hour's
    energy at each price; a change inside a minute is weighted by the seconds on each side (exact to the
    second, the rows' resolution). ``hours`` need not be sorted. NaN energy gives NaN cost.
    """
    hours_, energy_ = _series(hours, energy, increasing=False)
    return _tou_cost(hours_, energy_, tou, utc_offset_minutes)


def month_segments(hours: Times, utc_offset_minutes: int) -> npt.NDArray[np.int64]:
    """Each hour's local calendar month, counted from the first hour's (0, 1, ...; ``hours`` sorted).

    Only the few local month starts between the first and last hour are computed as dates; the hours are then
    placed among them by binary search, which is what keeps a year of hours cheap.
    """
    local = np.asarray(hours, dtype=np.int64) + utc_offset_minutes * 60
    if local.size == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = (np.datetime64(int(local[i]), "s").astype("datetime64[M]") for i in (0, -1))
    month_starts = np.arange(first + 1, last + 1, dtype="datetime64[M]").astype("datetime64[s]").astype(np.int64)
    segments: npt.NDArray[np.int64] = np.searchsorted(month_starts, local, side="right").astype(np.int64)
    return segments


def month_positions(hours: Times, energy: Values, utc_offset_minutes: int,
                    month_to_date_before: float | Values = 0.0) -> tuple[Values, Values]:
    """The month-to-date consumption before and after each hour (``hours`` increasing, checked by the caller).

    It restarts at 0 at each local month start; the first hour's month starts at ``month_to_date_before``
    (the consumption of that month before the first hour: a scalar, or one per meter for a batch; NaN if
    unknown, which leaves the first month's positions unknown). NaN energy counts as 0; hours absent from the
    series count as nothing.
    """
    used = np.where(np.isnan(energy), 0.0, energy)
    segments = month_segments(hours, utc_offset_minutes)
    is_start = np.ones(segments.shape, dtype=bool)
    is_start[1:] = segments[1:] != segments[:-1]
    month_start = np.flatnonzero(is_start)[np.cumsum(is_start) - 1]  # index of each hour's month's first hour
    before_total = np.concatenate((np.zeros(used.shape[:-1] + (1,)), np.cumsum(used, axis=-1)[..., :-1]), axis=-1)
    carried = np.where(segments == 0, np.asarray(month_to_date_before, dtype=np.float64)[..., None], 0.0)
    before: Values = before_total - before_total[..., month_start] + carried
    after: Values = before + used
    return before, after


def block_cost(hours: Times, energy: Values, block: Block, utc_offset_minutes: int,
               month_to_date_before: float | Values = 0.0) -> Values:
    """The cost of each hour under a block tariff priced on the local month's cumulative consumption.

    An hour whose consumption crosses a band boundary is split exactly at it (each part at its band's price);
    beyond the last band the last price applies. The position restarts at 0 at each local month start and
    the first hour's month starts at ``month_to_date_before``, so a run starting mid-month (or a series
    split in two calls) is exact; a NaN ``month_to_date_before`` makes the first month's costs NaN.
    ``hours`` must be strictly increasing. NaN energy counts as 0 for the
    position and gives NaN cost; negative energy moves the position back and is credited at the bands it
    crosses.
    """
    hours_, energy_ = _series(hours, energy, increasing=True)
    before, after = month_positions(hours_, energy_, utc_offset_minutes, month_to_date_before)
    cost = block.cumulative_cost(after) - block.cumulative_cost(before)
    cost[np.isnan(energy_)] = np.nan
    return cost


def tariff_in_force(hours: Times, tariffs: Sequence[Tariff]) -> npt.NDArray[np.int64]:
    """The index in ``tariffs`` of the tariff in force at each hour start, -1 where none is.

    A tariff is in force when ``valid_from_s <= hour start < valid_through_s``. Where validities overlap, the
    latest ``valid_from`` wins (then the later in the sequence), as MyEMS lets later tariffs overwrite.
    """
    hours_ = np.asarray(hours, dtype=np.int64)
    which = np.full(hours_.shape, -1, dtype=np.int64)
    for index in sorted(range(len(tariffs)), key=lambda i: (tariffs[i].valid_from_s, i)):
        tariff = tariffs[index]
        which[(hours_ >= tariff.valid_from_s) & (hours_ < tariff.valid_through_s)] = index
    return which


def hourly_cost(hours: Times, energy: Values, tariffs: Sequence[Tariff], utc_offset_minutes: int,
                month_to_date_before: float | Values = 0.0) -> Values:
    """The cost of each hour under a cost center's tariffs for one energy category.

    Each hour is priced by the tariff in force at its start (see :func:`tariff_in_force`); hours with none
    cost NaN. Block tariffs use the local month's cumulative consumption over ALL hours of the month, so a
    tariff change mid-month continues from the month's position rather than restarting at 0.
    ``hours`` must be strictly increasing; NaN energy gives NaN cost.
    """
    hours_, energy_ = _series(hours, energy, increasing=True)
    which = tariff_in_force(hours_, tariffs)
    cost = np.full(energy_.shape, np.nan)
    positions: tuple[Values, Values] | None = None
    for index, tariff in enumerate(tariffs):
        selected = which == index
        if not selected.any():
            continue
        if isinstance(tariff.schedule, TimeOfUse):
            cost[..., selected] = _tou_cost(hours_[selected], energy_[..., selected], tariff.schedule,
                                            utc_offset_minutes)
        else:
            if positions is None:
                positions = month_positions(hours_, energy_, utc_offset_minutes, month_to_date_before)
            before, after = (position[..., selected] for position in positions)
            cost[..., selected] = tariff.schedule.cumulative_cost(after) - tariff.schedule.cumulative_cost(before)
    cost[np.isnan(energy_)] = np.nan
    return cost


def carbon(energy: Values, kgco2e: float | Values) -> Values:
    """Emissions in kg CO2-equivalent: energy (category unit) times its factor in kg CO2e per unit. NaN stays NaN."""
    result: Values = np.asarray(energy, dtype=np.float64) * np.asarray(kgco2e, dtype=np.float64)
    return result


def coal(energy: Values, kgce: float | Values) -> Values:
    """Standard coal equivalent in kg (kgce): energy (category unit) times its factor in kgce per unit."""
    result: Values = np.asarray(energy, dtype=np.float64) * np.asarray(kgce, dtype=np.float64)
    return result
