"""Hourly energy from raw readings: cumulative counters and power points, as pure vectorised kernels.

Arrays in, arrays out (pvlib style), no I/O. Times are ``int64`` POSIX seconds (UTC); ``hours`` are hour
starts (multiples of :data:`~aggregation.series.HOUR`, e.g. from :func:`~aggregation.series.hour_range`);
an hour covers [start, start + 3600]. Energy is in the counter's unit (kWh, m3...), or kWh for power in kW.
``NaN`` energy means unknown. The tests in ``tests/unit/aggregation/test_normalize.py`` pin each rule below.

**Readings used.** A reading is used when ``good`` is true and its value is finite (NaN/inf are bad);
the others are ignored as if absent. Input may be unsorted: readings are ordered by time and, among used
readings sharing a time, the last one given wins. So the used readings ``t_0 < t_1 < ... < t_n-1`` cut
time into *intervals* ``(t_k, t_k+1)``.

**Counter increments** (:func:`counter_to_hourly`). Each interval gets an increment ``e_k >= 0``:

- rise (``new >= old``): ``e = new - old``;
- rollover: ``max_value`` is given and the drop ``old - new`` is strictly more than ``max_value / 2``
  (then the wrap is the shorter explanation of the drop): ``e = (max_value - old) + new`` (clipped at 0),
  flag ROLLOVER. ``max_value`` is the counter's modulus, the value that reads as 0 again (65536 for a
  16-bit register, 100000 for 5 digits); one that is not a positive finite number counts as none;
- any other drop is a reset (meter exchanged or zeroed): the counter restarted from 0 within the
  interval, so ``e = max(new, 0)`` (what it counted before the restart was never seen and is lost), flag
  RESET. Energy is never negative.

**Hourly energy.** The unwrapped counter ``U`` (``U_0 = 0``, ``U_k+1 = U_k + e_k``) is interpolated
linearly in time between consecutive used readings, and an hour's energy is ``U(end) - U(start)``: every
interval's increment is spread over its own time, a gap's (however long), a reset's or a rollover's too:
nothing is dumped into one hour. Energy is conserved: the hours of a span sum to ``U(span end) -
U(span start)``, the counter's rise net of resets (``v_end - v_start`` with readings on both ends, no drop).

**Unknown hours.** An hour is known only when a used reading lies at or before its start and one at or
after its end; otherwise its energy is NaN and its flags 0. A reading exactly on a boundary is the
boundary's value. No readings, a single reading, or all bad: every hour is NaN.

**Flags.** An hour gets the OR of the flags of the intervals overlapping its inside (``t_k < end`` and
``t_k+1 > start``): ESTIMATED when the interval is longer than ``max_gap`` seconds (its energy is an
interpolation across a gap), RESET, ROLLOVER. OUT_OF_LIMITS comes from :func:`limit_flags`.

**Power** (:func:`power_to_hourly`). Power is linear between consecutive used readings (the trapezoidal
rule); an hour's energy is its exact integral over the hour in kWh (kW x s / 3600), i.e. the trapezoids
split at the boundaries with the power interpolated there. Same unknown-hour and ESTIMATED rules; no
drop rules (power may be negative: export).

**Chunk invariance.** An hour's value depends only on the used readings from the last one at or before
its start to the first one at or after its end (their increments and the two boundary fractions), and is
computed from exactly those numbers in the same order (a per-hour sum, never a running total). So a long
span computed in one call equals, bit for bit, consecutive chunks computed separately, provided each
chunk's call is given the readings :func:`needed_span` names (extra readings on either side change
nothing). A runner that queries a fixed look-back before the chunk start is exact when a used reading
falls inside it; otherwise the chunk's first hours come out NaN where the long run would have spread a gap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from aggregation.series import ESTIMATED, HOUR, OUT_OF_LIMITS, RESET, ROLLOVER, Flags, Hourly, Mask, Times, Values

DEFAULT_MAX_GAP = 2 * HOUR  # seconds: a longer interval between used readings is a gap (ESTIMATED)

Index = npt.NDArray[np.intp]
# The energy of interval k from its start to a fraction f of it (f in [0, 1)).
Partial = Callable[[Index, Values], Values]
_G = TypeVar("_G", bound=np.generic)


def counter_to_hourly(
    times: npt.ArrayLike,
    values: npt.ArrayLike,
    good: npt.ArrayLike,
    hours: npt.ArrayLike,
    max_value: float | None = None,
    max_gap: int = DEFAULT_MAX_GAP,
) -> Hourly:
    """Hourly energy of a cumulative counter (ENERGY_VALUE) for ``hours``: see the module docstring.

    ``times`` int64 POSIX seconds, ``values`` the counter, ``good`` the quality mask (same length);
    ``max_value`` the counter's modulus (None: every drop is a reset); ``max_gap`` in seconds.
    """
    t, v, g = _inputs(times, values, good)
    h = _hours(hours)
    t, v = _used(t, v, g)
    energy, flags = _counter_kernel(t, v, h, _max_values(max_value, 1), max_gap, None)
    return Hourly(h, energy[0], flags[0])


def counter_to_hourly_many(
    meter_index: npt.ArrayLike,
    times: npt.ArrayLike,
    values: npt.ArrayLike,
    good: npt.ArrayLike,
    hours: npt.ArrayLike,
    max_value: float | npt.ArrayLike | None = None,
    max_gap: int = DEFAULT_MAX_GAP,
    n_meters: int | None = None,
) -> list[Hourly]:
    """:func:`counter_to_hourly` for many meters in one call (one result per meter, same ``hours``).

    Why: per-call overhead dominates for short series; batching reaches tens of millions of readings/s.
    ``meter_index`` (ints in ``[0, n_meters)``) says whose each reading is; ``max_value`` is a scalar or one
    per meter (NaN: none). Each result equals, bit for bit, the single-meter call on that meter's readings.
    """
    t, v, g = _inputs(times, values, good)
    m = np.asarray(meter_index, dtype=np.int64)
    if m.shape != t.shape:
        raise ValueError("meter_index must have the same length as times")
    count = n_meters if n_meters is not None else int(m.max()) + 1 if m.size else 0
    if m.size and (int(m.min()) < 0 or int(m.max()) >= count):
        raise ValueError("meter_index must be in [0, n_meters)")
    h = _hours(hours)
    if count == 0:
        return []
    # One timeline for all meters: meter m's times shifted into its own block [m * stride, (m + 1) * stride).
    ends = [int(t.min()), int(t.max())] if t.size else []
    ends += [int(h.min()), int(h.max()) + HOUR] if h.size else []
    base = min(ends, default=0)
    stride = max(ends, default=0) - base + 1
    if count * stride >= 2**62:
        raise ValueError("time span x meter count too large for one call: split it")
    key = m * stride
    key += t
    key -= base
    key, v = _used(key, v, g)
    per_meter = _max_values(max_value, count)
    energy, flags = _counter_kernel(key, v, h, per_meter, max_gap, (base, stride, count))
    return [Hourly(h, energy[i], flags[i]) for i in range(count)]


def power_to_hourly(
    times: npt.ArrayLike,
    kw: npt.ArrayLike,
    good: npt.ArrayLike,
    hours: npt.ArrayLike,
    max_gap: int = DEFAULT_MAX_GAP,
) -> Hourly:
    """Hourly energy (kWh) of a meter that only has a power point (kW): trapezoidal integration, split
    exactly at the hour boundaries; unknown hours NaN, gap hours ESTIMATED (see the module docstring)."""
    t, p, g = _inputs(times, kw, good)
    h = _hours(hours)
    t, p = _used(t, p, g)
    n = t.size
    if n < 2 or h.size == 0:
        return _unknown(h)
    dt = np.diff(t)
    e = np.empty(n)
    np.add(p[1:], p[:-1], out=e[:-1])
    e[:-1] *= dt
    e[:-1] /= 2 * HOUR
    e[-1] = 0.0
    code = _gap_codes(dt, max_gap)

    def partial(k: Index, f: Values) -> Values:
        after = np.minimum(k + 1, n - 1)
        span = (t[after] - t[k]).astype(np.float64)
        result: Values = span / HOUR * f * (p[k] + (p[after] - p[k]) * f / 2)
        return result

    energy, flags = _hourly(t, e, code, h, partial, None)
    return Hourly(h, energy[0], flags[0])


def limit_flags(energy: npt.ArrayLike, low: float | npt.ArrayLike | None, high: float | npt.ArrayLike | None) -> Flags:
    """OUT_OF_LIMITS where ``energy < low`` or ``energy > high`` (scalars or per hour; None or NaN: no
    limit). NaN energy is never flagged: unknown is not out of limits."""
    e = np.asarray(energy, dtype=np.float64)
    out = np.zeros(e.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if low is not None:
            out |= e < np.asarray(low, dtype=np.float64)
        if high is not None:
            out |= e > np.asarray(high, dtype=np.float64)
    flags: Flags = out.astype(np.uint8) * np.uint8(OUT_OF_LIMITS)
    return flags


def needed_span(times: npt.ArrayLike, good: npt.ArrayLike, start: int, end: int) -> tuple[int, int]:
    """The slice ``[lo, hi)`` of ``times`` (sorted ascending) a chunk of hours ``[start, end)`` needs.

    It runs from the last good reading at or before ``start`` to the first good one at or after ``end``
    (with every reading sharing those times, so the last-given rule sees the same duplicates); without
    such a reading the slice runs to that end of the array. Pass ``good & isfinite(values)`` as ``good``.
    Computing each chunk on its slice gives exactly the values of one call over the whole span.
    """
    t = np.asarray(times, dtype=np.int64)
    g = np.asarray(good, dtype=bool)
    used = t[g]
    before = used[used <= start]
    after = used[used >= end]
    lo = int(np.searchsorted(t, before.max(), side="left")) if before.size else 0
    hi = int(np.searchsorted(t, after.min(), side="right")) if after.size else int(t.size)
    return lo, hi


# -- the kernel ------------------------------------------------------------------------------------------------


def _inputs(times: npt.ArrayLike, values: npt.ArrayLike, good: npt.ArrayLike) -> tuple[Times, Values, Mask]:
    t = np.asarray(times, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(good, dtype=bool)
    if not (t.ndim == 1 and t.shape == v.shape == g.shape):
        raise ValueError("times, values and good must be 1-d arrays of the same length")
    return t, v, g


def _hours(hours: npt.ArrayLike) -> Times:
    h = np.asarray(hours, dtype=np.int64)
    if h.ndim != 1 or np.any(h % HOUR):
        raise ValueError("hours must be a 1-d array of hour starts (multiples of 3600)")
    return h


def _used(key: Times, values: Values, good: Mask) -> tuple[Times, Values]:
    """The used readings, strictly increasing in ``key`` (good, finite; of equal keys the last given)."""
    keep = good & np.isfinite(values)
    if not keep.all():
        key, values = key[keep], values[keep]
    if key.size > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key, kind="stable")  # stable: equal keys stay in the order given
        key, values = key[order], values[order]
        last = np.ones(key.size, dtype=bool)
        np.not_equal(key[1:], key[:-1], out=last[:-1])
        if not last.all():
            key, values = key[last], values[last]
    return key, values


def _max_values(max_value: float | npt.ArrayLike | None, count: int) -> Values | None:
    """``max_value`` as one float per meter (NaN: none), or None when no meter has one.

    A max_value that is not a positive finite number counts as none: a point's unset high limit (often 0)
    must not turn every drop into a rollover, nor stop the run.
    """
    if max_value is None:
        return None
    per_meter = np.broadcast_to(np.asarray(max_value, dtype=np.float64), (count,))
    with np.errstate(invalid="ignore"):
        per_meter = np.where(np.isfinite(per_meter) & (per_meter > 0), per_meter, np.nan)
    return None if np.all(np.isnan(per_meter)) else per_meter


def _gap_codes(dt: Times, max_gap: int) -> Flags:
    """Per interval (plus a 0 for the last reading): ESTIMATED where the interval is a gap."""
    code = np.zeros(dt.size + 1, dtype=np.uint8)
    np.greater(dt, max_gap, out=code[:-1], casting="unsafe")
    if ESTIMATED != 1:
        code *= np.uint8(ESTIMATED)
    return code


def _counter_kernel(
    key: Times,
    v: Values,
    h: Times,
    max_values: Values | None,
    max_gap: int,
    blocks: tuple[int, int, int] | None,
) -> tuple[Values, Flags]:
    """Per-interval increments (resets and rollovers resolved, never negative) and flags, then the hours."""
    n = key.size
    if n < 2 or h.size == 0:
        count = 1 if blocks is None else blocks[2]
        return np.full((count, h.size), np.nan), np.zeros((count, h.size), dtype=np.uint8)
    e = np.empty(n)
    np.subtract(v[1:], v[:-1], out=e[:-1])
    e[-1] = 0.0
    code = _gap_codes(np.diff(key), max_gap)
    drops = np.flatnonzero(e < 0)
    if drops.size:
        old, new = v[drops], v[drops + 1]
        rollover = np.zeros(drops.size, dtype=bool)
        if max_values is not None:
            mv = max_values[key[drops] // blocks[1]] if blocks is not None else max_values[np.zeros_like(drops)]
            with np.errstate(invalid="ignore"):
                rollover = old - new > mv / 2  # False where the meter has no max_value (NaN)
            e[drops] = np.where(rollover, np.maximum(mv - old + new, 0.0), np.maximum(new, 0.0))
        else:
            e[drops] = np.maximum(new, 0.0)
        code[drops] |= np.where(rollover, np.uint8(ROLLOVER), np.uint8(RESET))

    def partial(k: Index, f: Values) -> Values:
        result: Values = e[k] * f
        return result

    return _hourly(key, e, code, h, partial, blocks)


def _hourly(
    key: Times,
    e: Values,
    code: Flags,
    h: Times,
    partial: Partial,
    blocks: tuple[int, int, int] | None,
) -> tuple[Values, Flags]:
    """Energy and flags per (meter, hour) from the intervals' energies ``e`` and flag ``code``.

    ``key`` strictly increasing (readings' times, or meter blocks' shifted times: ``blocks`` = base, stride,
    count); ``e``/``code`` have one entry per reading (interval k runs from reading k to k + 1; the last is
    0). An hour's energy is sum(e[a:c]) + partial(c, fc) - partial(a, fa) where a, c are the last readings at
    or before its start and end: the per-hour sum (not a running total) makes chunking exact.
    """
    n = key.size
    count = 1 if blocks is None else blocks[2]
    contiguous = bool(np.all(h[1:] - h[:-1] == HOUR))  # the usual hour_range: no copies per hour below
    if contiguous:
        bounds, first = np.append(h, h[-1] + HOUR), np.arange(h.size)
    else:  # aligned hours: an hour's end is still the boundary right after its start
        bounds = np.union1d(h, h + HOUR)
        first = np.searchsorted(bounds, h)
    if blocks is None:
        at = bounds[None, :]
        lowest, highest = np.zeros((1, 1), dtype=np.intp), np.full((1, 1), n - 1, dtype=np.intp)
    else:
        base, stride, _ = blocks
        block = np.arange(count, dtype=np.int64)[:, None] * stride
        at = (block - base) + bounds[None, :]
        lowest = np.searchsorted(key, block)  # each meter's first and last reading
        highest = np.searchsorted(key, block + stride) - 1
    k = np.searchsorted(key, at, side="right") - 1  # the last reading at or before each boundary
    kc = np.maximum(k, 0)
    kt = key[kc]
    offset = at - kt
    exact = offset == 0
    f = offset / np.maximum(key[np.minimum(kc + 1, n - 1)] - kt, 1)  # the span is 0 only after the last
    part = partial(kc, f)
    below = k >= lowest  # a reading of the meter at or before the boundary
    above = k + ~exact <= highest  # one at or after it

    def start(x: npt.NDArray[_G]) -> npt.NDArray[_G]:
        return x[:, :-1] if contiguous else x[:, first]

    def end(x: npt.NDArray[_G]) -> npt.NDArray[_G]:
        return x[:, 1:] if contiguous else x[:, first + 1]

    sums = np.add.reduceat(e, kc.ravel()).reshape(kc.shape)  # sum(e[kc[j]:kc[j + 1]]) where kc[j] < kc[j + 1]
    inside = start(kc) < end(kc)
    energy: Values = np.where(inside, start(sums), 0.0) + end(part) - start(part)
    unknown = ~(start(below) & end(above))
    energy[unknown] = np.nan
    flags: Flags = np.zeros(energy.shape, dtype=np.uint8)
    if code.any():
        ors = np.bitwise_or.reduceat(code, kc.ravel()).reshape(kc.shape)
        # the intervals inside the hour, plus the one its end boundary cuts (when not on a reading)
        flags = (np.where(inside, start(ors), 0) | np.where(end(exact), 0, code[end(kc)])).astype(np.uint8)
        flags[unknown] = 0
    return energy, flags


def _unknown(h: Times) -> Hourly:
    return Hourly(h, np.full(h.size, np.nan), np.zeros(h.size, dtype=np.uint8))
