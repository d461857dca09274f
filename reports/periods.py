"""Period bucketing for reports: hourly UTC energy rows summed into local hours, days, weeks, months, years.

Pure functions over numpy arrays (pvlib style, as :mod:`aggregation.series`); no database, no HTTP. A report
asks for ``periodtype`` and a reporting period ``[start, end)`` in the entity's LOCAL time; the energy store
holds one row per UTC hour. :func:`periods` turns the request into period boundaries (UTC instants) and
labels, :func:`bucket` sums rows into them (with per-period row counts), :func:`maxima` and :func:`means`
serve load reports, and :func:`parse_report_periods` reads MyEMS query strings, refusing bad input with a
MyEMS error code (:class:`PeriodError`) for the HTTP layer to answer 400.

**Times.** A row is named by the start of its UTC hour, as ``int64`` POSIX seconds (a multiple of 3600, the
:mod:`aggregation.series` convention), as ``datetime64`` of any unit (``datetime64[h]`` is fine) or as naive
UTC ``datetime`` values (what the database driver returns). A time that is not an hour start is refused, which
also catches epoch *hours* passed as plain integers. Rows may come in any order; a time given twice is
counted twice (rows are the caller's, and the hourly tables have one row per hour by their primary key).

**Zones.** ``zone`` is a :class:`zoneinfo.ZoneInfo` (daylight saving followed), any fixed-offset ``tzinfo``
such as :class:`datetime.timezone` (MyEMS's ``utc_offset``), an ``int`` offset in minutes (``+330``,
``-210``), an IANA name (``"Europe/Berlin"``) or a MyEMS offset string (``"+05:30"``).

**Periods.** Local calendar periods: days start at local midnight, weeks on Monday (ISO), months on the 1st,
years on 1 January. Each period runs from its local start to the next one's, so periods tile time exactly:
a daylight-saving day lasts 23 or 25 hours, a month 743 or 745. The first and the last period are clipped to
the reporting period (partial), and a label always names the whole period: ``YYYY-MM-DD`` (daily; weekly,
its Monday), ``YYYY-MM`` (monthly), ``YYYY`` (yearly), MyEMS's ``timestamps`` formats. *Hourly* periods are
the UTC hours themselves (a report's finest grain is a stored row), labelled ``YYYY-MM-DDTHH:MM:SS`` with
the hour start's local time: ``...T05:30:00`` in Asia/Kolkata, and the same label twice when the clocks go
back (two different hours of data).

**Assignment rule.** A row belongs to the period that contains its start instant: ``bounds[i] <= t <
bounds[i + 1]``. In a whole-hour zone that is the period of its local hour. In a zone whose offset is not a
whole number of hours (Asia/Kolkata +05:30, Australia/Adelaide +09:30/+10:30, America/St_Johns -03:30) local
midnight falls inside a UTC hour, and that hour goes wholly to the day in which it *starts*: Kolkata's
18:00 UTC row (23:30-00:30 local) is counted in the earlier day. Rows are never split, so every row inside
the reporting period is counted in exactly one period: the period values sum to the rows' sum, and a
reporting period ``[start, end)`` covers exactly the rows with ``start <= t < end`` (what a SQL ``>= AND <``
on ``start_datetime_utc`` selects, see :attr:`Periods.utc_range`).

**Nonexistent and ambiguous local times** (daylight-saving gaps and folds), for the reporting period's ends
and for period starts alike, are read with ``fold=0`` (PEP 495): an ambiguous time is its first occurrence;
a time in a gap is read with the offset in force before the gap, i.e. it names the instant as long after the
jump as it is after the gap's start (02:30 on Berlin's spring-forward day is 01:30 UTC = 03:30 CEST). A
period starting at a nonexistent midnight thus starts when the clocks jump. Boundaries are then clipped to
the reporting period and kept non-decreasing, so a period can be empty but never negative.

**Missing values.** ``NaN`` means a missing row: it adds nothing and is not counted. A period without any
known row sums to 0 (MyEMS answers 0 there); :attr:`Buckets.counts` tells "no data" (count 0) from a real
zero, and :attr:`Periods.hours` says how many rows a complete period has. :func:`maxima` and :func:`means`
answer ``NaN`` for such periods (there is no maximum of nothing). ``inf`` is a value, not a gap.

Values may be 1-D (one series) or N-D, ``(..., hours)``: a batch of series (categories, meters) sharing the
hour axis, bucketed along the last axis in one call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from aggregation.series import HOUR, Times, Values

PeriodType = Literal["hourly", "daily", "weekly", "monthly", "yearly"]
PERIOD_TYPES: tuple[PeriodType, ...] = get_args(PeriodType)

Zone = tzinfo | int | str
HourInput = npt.ArrayLike | Sequence[datetime]
Counts = npt.NDArray[np.int64]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
# Sampling step when looking for a zone's offset changes (transitions are months apart in every real zone).
_SAMPLE = 6 * HOUR
_LABEL_UNIT: dict[PeriodType, Literal["s", "D", "M", "Y"]] = {
    "hourly": "s", "daily": "D", "weekly": "D", "monthly": "M", "yearly": "Y"}
_BLOCK_VALUES = 1 << 18  # 2 MiB of float64: one block of series masked at a time (see bucket)
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


# ------------------------------------------------------------------------------------------------------ zones
def as_tzinfo(zone: Zone) -> tzinfo:
    """``zone`` as a ``tzinfo`` (module docstring, "Zones"); a ``ValueError`` names what is wrong."""
    if isinstance(zone, tzinfo):
        return zone
    if isinstance(zone, bool):
        raise ValueError("a zone cannot be a bool")
    if isinstance(zone, int):
        if not -24 * 60 < zone < 24 * 60:
            raise ValueError(f"a UTC offset must be within +/-24 hours, got {zone} minutes")
        return timezone(timedelta(minutes=zone))
    if isinstance(zone, str):
        offset = _OFFSET.fullmatch(zone.strip())
        if offset:
            sign, hours, minutes = offset.groups()
            total = int(hours) * 60 + int(minutes)
            if int(minutes) >= 60 or total >= 24 * 60:
                raise ValueError(f"not a UTC offset: {zone!r}")
            return timezone(timedelta(minutes=-total if sign == "-" else total))
        try:
            return ZoneInfo(zone.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone: {zone!r}") from exc
    raise ValueError(f"a zone is a tzinfo, minutes or a name, not {type(zone).__name__}")


def _fixed_offset(zone: tzinfo) -> int | None:
    """The zone's offset in seconds if it never changes (a ``datetime.timezone``), else None."""
    if isinstance(zone, timezone):
        offset = zone.utcoffset(None)
        return int(offset // _SECOND)
    return None


def _to_utc(local: datetime, zone: tzinfo) -> int:
    """POSIX seconds (floor) of a naive local time, ``fold=0`` for gaps and folds (module docstring)."""
    return (local.replace(tzinfo=zone, fold=0) - _EPOCH) // _SECOND


def _offset_at(instant: int, zone: tzinfo) -> int:
    offset = datetime.fromtimestamp(instant, zone).utcoffset()
    return 0 if offset is None else int(offset // _SECOND)


def utc_offsets(instants: Times, zone: Zone) -> Times:
    """The zone's UTC offset in seconds at each instant, vectorised.

    Parameters
    ----------
    instants : int64 array, POSIX seconds, any shape and order
    zone : see the module docstring

    Returns
    -------
    int64 array, same shape: local time = instant + offset.

    Notes
    -----
    The zone is sampled every 6 hours across the instants (a loop over samples, ~1,500 a year, never over
    rows); each change found is located to the second by bisection. A zone changing its offset twice within
    6 hours would be missed; no zone in the tz database does.
    """
    tz = as_tzinfo(zone)
    times = np.asarray(instants, dtype=np.int64)
    fixed = _fixed_offset(tz)
    if fixed is not None or times.size == 0:
        return np.full(times.shape, fixed or 0, dtype=np.int64)
    first, last = int(times.min()), int(times.max())
    samples = list(range(first, last, _SAMPLE)) + [last]
    offsets = [_offset_at(s, tz) for s in samples]
    changes: list[int] = []
    after: list[int] = [offsets[0]]
    for i in range(len(samples) - 1):
        if offsets[i + 1] != offsets[i]:
            lo, hi = samples[i], samples[i + 1]  # offset(lo) = offsets[i], offset(hi) differs: hi is after the change
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _offset_at(mid, tz) == offsets[i] else (lo, mid)
            changes.append(hi)
            after.append(offsets[i + 1])
    piece = np.searchsorted(np.array(changes, dtype=np.int64), times, side="right")
    return np.array(after, dtype=np.int64)[piece]


# ---------------------------------------------------------------------------------------------------- periods
@dataclass(frozen=True, eq=False)
class Periods:
    """The periods of one reporting period: ``len(self)`` periods, ``bounds`` and ``labels``.

    Attributes
    ----------
    period_type : one of :data:`PERIOD_TYPES`
    start, end : naive local datetimes, the reporting period ``[start, end)`` as asked
    zone : the zone the local times are in
    bounds : int64 array of length ``n + 1``, POSIX seconds, non-decreasing: period ``i`` is
        ``[bounds[i], bounds[i + 1])``; ``bounds[0]`` and ``bounds[-1]`` are ``start`` and ``end`` in UTC
    labels : ``n`` strings, MyEMS's ``timestamps`` (module docstring, "Periods")
    """

    period_type: PeriodType
    start: datetime
    end: datetime
    zone: tzinfo
    bounds: Times
    labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def utc_range(self) -> tuple[datetime, datetime]:
        """Naive UTC ``[start, end)``: the rows to fetch are ``start <= start_datetime_utc < end``."""
        return (datetime.fromtimestamp(int(self.bounds[0]), UTC).replace(tzinfo=None),
                datetime.fromtimestamp(int(self.bounds[-1]), UTC).replace(tzinfo=None))

    @property
    def hours(self) -> Counts:
        """How many UTC hour starts each period contains: its row count when no row is missing."""
        hour_bounds = -(-self.bounds // HOUR)  # the first hour start at or after each bound
        return np.diff(hour_bounds).astype(np.int64)


def periods(start: datetime, end: datetime, zone: Zone, period_type: str) -> Periods:
    """The periods of ``period_type`` covering the local reporting period ``[start, end)`` in ``zone``.

    Parameters
    ----------
    start, end : naive datetimes, local time in ``zone``; ``end`` exclusive. Sub-second parts are dropped.
    zone : a ``ZoneInfo``, a fixed ``tzinfo``, minutes east of UTC or a name (module docstring, "Zones")
    period_type : ``"hourly"``, ``"daily"``, ``"weekly"``, ``"monthly"`` or ``"yearly"``

    Returns
    -------
    Periods
        Boundaries as UTC instants and labels. The first period is the one containing ``start`` (clipped to
        it), the last the one containing the last instant before ``end`` (clipped to ``end``). Cost: one
        zone conversion per calendar period (366 for a year of days); hourly labels are vectorised.

    Raises
    ------
    ValueError
        An unknown ``period_type`` or zone, an aware datetime, ``end <= start``, or an ``end`` that is not
        after ``start`` once both are read in the zone (possible only inside a daylight-saving gap).

    Examples
    --------
    ``periods(datetime(2024, 3, 30), datetime(2024, 4, 1), "Europe/Berlin", "daily")`` has bounds
    2024-03-29T23:00Z, 2024-03-30T23:00Z, 2024-03-31T22:00Z (a 23-hour day) and labels
    ``("2024-03-30", "2024-03-31")``.
    """
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"period type must be one of {', '.join(PERIOD_TYPES)}, not {period_type!r}")
    kind: PeriodType = period_type
    tz = as_tzinfo(zone)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or value.tzinfo is not None:
            raise ValueError(f"{name} must be a naive local datetime, got {value!r}")
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    if end <= start:
        raise ValueError(f"the end {end} is not after the start {start}")
    start_utc, end_utc = _to_utc(start, tz), _to_utc(end, tz)
    if end_utc <= start_utc:
        raise ValueError(f"the end {end} is not after the start {start} in {tz} (a daylight-saving gap)")
    if kind == "hourly":
        bounds, labels = _hourly(start_utc, end_utc, tz)
    else:
        bounds, labels = _calendar(start, end, start_utc, end_utc, tz, kind)
    return Periods(kind, start, end, tz, bounds, labels)


def _hourly(start_utc: int, end_utc: int, zone: tzinfo) -> tuple[Times, tuple[str, ...]]:
    """Hourly periods: one per UTC hour start in ``[start, end)``, the first reaching back to ``start``."""
    first = -(-start_utc // HOUR) * HOUR
    hour_starts = np.arange(first, end_utc, HOUR, dtype=np.int64)
    if hour_starts.size == 0:  # a reporting period shorter than an hour, holding no hour start
        hour_starts = np.array([start_utc - start_utc % HOUR], dtype=np.int64)
    bounds = np.concatenate([[start_utc], hour_starts[1:], [end_utc]]).astype(np.int64)
    local = (hour_starts + utc_offsets(hour_starts, zone)).astype("datetime64[s]")
    return bounds, tuple(np.datetime_as_string(local, unit="s").tolist())


def _calendar(start: datetime, end: datetime, start_utc: int, end_utc: int, zone: tzinfo,
              kind: PeriodType) -> tuple[Times, tuple[str, ...]]:
    """Daily to yearly periods: local calendar starts, converted to UTC one by one (a loop over periods)."""
    first_s, end_s = np.datetime64(start, "s"), np.datetime64(end, "s")
    first_day, last_day = first_s.astype("datetime64[D]"), end_s.astype("datetime64[D]")
    if kind == "daily":
        starts = np.arange(first_day, last_day + 1)
    elif kind == "weekly":
        monday = first_day - (first_day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        starts = np.arange(monday, last_day + 1, 7)
    else:
        unit = "M" if kind == "monthly" else "Y"
        starts = np.arange(first_s.astype(f"datetime64[{unit}]"), end_s.astype(f"datetime64[{unit}]") + 1)
    starts_s = starts.astype("datetime64[s]")
    keep = starts_s < end_s
    keep[0] = True  # the period containing start always starts at or before it
    starts, starts_s = starts[keep], starts_s[keep]
    inner = starts_s[1:]
    fixed = _fixed_offset(zone)
    if fixed is not None:
        inner_utc = inner.astype(np.int64) - fixed
    else:
        inner_utc = np.array([_to_utc(cast(datetime, s.item()), zone) for s in inner], dtype=np.int64)
    bounds = np.concatenate([[start_utc], inner_utc, [end_utc]]).astype(np.int64)
    bounds = np.maximum.accumulate(np.clip(bounds, start_utc, end_utc))
    labels = np.datetime_as_string(starts, unit=_LABEL_UNIT[kind])
    return bounds, tuple(labels.tolist())


# ---------------------------------------------------------------------------------------------------- buckets
@dataclass(frozen=True, eq=False)
class Buckets:
    """Per-period sums: ``values`` and ``counts`` of shape ``(..., n_periods)``.

    ``values`` sums the known rows of each period (0 when none); ``counts`` is how many known (non-NaN) rows
    there were, per series: compare with :attr:`Periods.hours` to tell complete, partial and empty periods.
    """

    values: Values
    counts: Counts

    @property
    def total(self) -> Values:
        """The reporting period's total per series (shape ``values.shape[:-1]``): the sum of the periods."""
        return np.asarray(self.values.sum(axis=-1), dtype=np.float64)

    @property
    def total_count(self) -> Counts:
        """Known rows in the reporting period per series."""
        return np.asarray(self.counts.sum(axis=-1), dtype=np.int64)


def hour_seconds(hour_starts: HourInput) -> Times:
    """Row times as ``int64`` POSIX seconds, checked (module docstring, "Times").

    Raises
    ------
    ValueError
        Not 1-D, NaT, a dtype that is not integer or datetime, or a time that is not a whole UTC hour start.
    """
    arr = np.asarray(hour_starts)
    if arr.ndim != 1:
        raise ValueError(f"hour starts must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype == object:
        try:
            arr = arr.astype("datetime64[s]")
        except (TypeError, ValueError) as exc:
            raise ValueError("hour starts given as objects must be naive UTC datetimes") from exc
    if arr.dtype.kind == "M":
        if np.isnat(arr).any():
            raise ValueError("hour starts contain NaT")
        whole = arr.astype("datetime64[s]")
        if (whole != arr).any():
            raise ValueError("hour starts must be whole UTC hour starts")
        seconds = whole.astype(np.int64)
    elif arr.dtype.kind in "iu":
        seconds = arr.astype(np.int64)
    else:
        raise ValueError(f"hour starts must be int64 POSIX seconds or datetime64, not {arr.dtype}")
    if (seconds % HOUR != 0).any():
        raise ValueError("hour starts must be whole UTC hour starts (int64 POSIX seconds, multiples of 3600); "
                         "for epoch hours pass datetime64[h]")
    return seconds


@dataclass(frozen=True)
class _Segments:
    """The rows of each period: ``data[..., starts[i]:starts[i] + lengths[i]]`` after sorting and slicing."""

    data: Values  # (..., k): the rows inside the reporting period, in time order
    starts: Counts  # (n,)
    lengths: Counts  # (n,)


def _segments(hour_starts: HourInput, values: npt.ArrayLike, periods_: Periods) -> _Segments:
    times = hour_seconds(hour_starts)
    data = np.asarray(values, dtype=np.float64)
    if data.ndim == 0 or data.shape[-1] != times.size:
        raise ValueError(f"values must be (..., {times.size}) to match the hour starts, got shape {data.shape}")
    order: npt.NDArray[np.intp] | None = None
    if times.size > 1 and (np.diff(times) < 0).any():
        order = np.argsort(times, kind="stable")
        times = times[order]
    positions = np.searchsorted(times, periods_.bounds, side="left").astype(np.int64)
    lo, hi = int(positions[0]), int(positions[-1])
    data = data[..., order[lo:hi]] if order is not None else data[..., lo:hi]
    return _Segments(data, positions[:-1] - lo, np.diff(positions))


def _reduce(ufunc: np.ufunc, data: npt.NDArray[Any], seg: _Segments, empty: float,
            dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """``ufunc.reduceat`` over the non-empty segments (reduceat mis-answers empty ones), ``empty`` elsewhere."""
    out = np.full((*data.shape[:-1], seg.lengths.size), empty, dtype=dtype)
    filled = seg.lengths > 0
    if not filled.any():
        return out
    if int(seg.lengths.max()) == 1:  # hourly periods: one row each, a copy (reduceat pays per segment, 8x slower)
        if filled.all():
            out[...] = data  # the rows are the periods, in order
        else:
            out[..., filled] = np.take(data, seg.starts[filled], axis=-1)
        return out
    out[..., filled] = ufunc.reduceat(data, seg.starts[filled], axis=-1, dtype=dtype)
    return out


def bucket(hour_starts: HourInput, values: npt.ArrayLike, periods_: Periods) -> Buckets:
    """Sum hourly rows into periods.

    Parameters
    ----------
    hour_starts : 1-D, ``k`` UTC hour starts: int64 POSIX seconds, datetime64 or naive UTC datetimes, any order
    values : float array of shape ``(..., k)``, e.g. kWh; ``NaN`` = missing row
    periods_ : from :func:`periods`

    Returns
    -------
    Buckets
        ``values`` (sum of known rows, 0 for a period without any) and ``counts`` (known rows), both
        ``(..., n_periods)``. Rows outside the reporting period are ignored; every row inside is counted in
        exactly one period, so ``Buckets.total`` is the sum of the rows inside.

    Raises
    ------
    ValueError
        Bad hour starts (:func:`hour_seconds`) or ``values`` whose last axis does not match them.
    """
    seg = _segments(hour_starts, values, periods_)
    # One pass when nothing is missing (the common case): a NaN row makes its period's sum NaN, and only the
    # series with such a sum are masked and summed again.
    sums = _reduce(np.add, seg.data, seg, 0.0, np.float64)
    counts = np.broadcast_to(seg.lengths, sums.shape).copy()
    flat_sums, flat_counts = sums.reshape(-1, sums.shape[-1]), counts.reshape(-1, counts.shape[-1])
    redo = np.flatnonzero(np.isnan(flat_sums).any(axis=-1))
    if redo.size:
        series = seg.data.reshape(-1, seg.data.shape[-1])
        # Cache-sized blocks of series: masking a whole (1,000 x 8,760) batch at once costs 3x more.
        block = max(1, _BLOCK_VALUES // max(1, series.shape[-1]))
        count_type = np.uint16 if int(seg.lengths.max()) < 2**16 else np.int64  # a year is 8,784 hours
        for first in range(0, redo.size, block):
            which = redo[first:first + block]
            rows = series[which]
            missing = np.isnan(rows)
            flat_sums[which] = _reduce(np.add, np.where(missing, 0.0, rows), seg, 0.0, np.float64)
            flat_counts[which] -= _reduce(np.add, missing.view(np.uint8), seg, 0, count_type)
    return Buckets(sums.astype(np.float64, copy=False), counts.astype(np.int64, copy=False))


def maxima(hour_starts: HourInput, values: npt.ArrayLike, periods_: Periods) -> Values:
    """The largest known row of each period, ``(..., n_periods)``; ``NaN`` for a period without any.

    Same parameters and errors as :func:`bucket`. For load reports: hourly energy in kWh is the hour's mean
    power in kW, so the maximum is the period's peak hourly load.
    """
    seg = _segments(hour_starts, values, periods_)
    return _reduce(np.fmax, seg.data, seg, np.nan, np.float64).astype(np.float64)


def means(hour_starts: HourInput, values: npt.ArrayLike, periods_: Periods) -> Values:
    """The mean of each period's known rows, ``(..., n_periods)``; ``NaN`` for a period without any.

    Same parameters and errors as :func:`bucket`; the mean is over known rows, not over the period's hours.
    """
    sums = bucket(hour_starts, values, periods_)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Values = np.divide(sums.values, sums.counts, dtype=np.float64)
    result[sums.counts == 0] = np.nan
    return result


# ----------------------------------------------------------------------------------------- query parameters
class PeriodError(ValueError):
    """A bad report query parameter; ``code`` is MyEMS's error code (``API.INVALID_PERIOD_TYPE``...)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


INVALID_PERIOD_TYPE = "API.INVALID_PERIOD_TYPE"
INVALID_REPORTING_PERIOD_START = "API.INVALID_REPORTING_PERIOD_START_DATETIME"
INVALID_REPORTING_PERIOD_END = "API.INVALID_REPORTING_PERIOD_END_DATETIME"
INVALID_BASE_PERIOD_START = "API.INVALID_BASE_PERIOD_START_DATETIME"
INVALID_BASE_PERIOD_END = "API.INVALID_BASE_PERIOD_END_DATETIME"
REPORTING_PERIOD_TOO_LONG = "API.THE_REPORTING_PERIOD_IS_TOO_LONG"
BASE_PERIOD_TOO_LONG = "API.THE_BASE_PERIOD_IS_TOO_LONG"

_LOCAL_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
MIN_YEAR, MAX_YEAR = 1900, 2999


def parse_local_datetime(text: str | None, code: str) -> datetime:
    """A query string's local datetime: ``YYYY-MM-DDTHH:MM:SS``, ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DD``.

    Surrounding blanks are ignored and seconds may be left out (``YYYY-MM-DDTHH:MM``). No offset or ``Z``:
    the time is local by the MyEMS convention. Years outside 1900-2999 are refused (no energy data lies there,
    and it keeps every conversion inside ``datetime``'s range).

    Raises
    ------
    PeriodError
        With ``code`` for a missing, blank, malformed or impossible (``2024-02-30``) value.
    """
    match = _LOCAL_DATETIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise PeriodError(code, f"expected YYYY-MM-DDTHH:MM:SS, got {text!r}")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups(default="0"))
        parsed = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise PeriodError(code, f"not a valid date and time: {text!r}") from exc
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise PeriodError(code, f"the year must be within {MIN_YEAR}-{MAX_YEAR}: {text!r}")
    return parsed


def parse_period_type(text: str | None) -> PeriodType:
    """``periodtype`` (blanks around it ignored) as one of :data:`PERIOD_TYPES`, else ``API.INVALID_PERIOD_TYPE``."""
    value = text.strip() if isinstance(text, str) else None
    if value not in PERIOD_TYPES:
        raise PeriodError(INVALID_PERIOD_TYPE, f"periodtype must be one of {', '.join(PERIOD_TYPES)}, got {text!r}")
    return value


@dataclass(frozen=True, eq=False)
class ReportPeriods:
    """A report's periods: the reporting period's and, when asked for, the base (comparison) period's."""

    reporting: Periods
    base: Periods | None


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _range(period_type: PeriodType, start_text: str | None, end_text: str | None, zone: tzinfo,
           codes: tuple[str, str, str], max_days: float | None) -> Periods:
    start_code, end_code, too_long = codes
    start = parse_local_datetime(start_text, start_code)
    end = parse_local_datetime(end_text, end_code)
    if end <= start:
        raise PeriodError(end_code, f"the end {end} is not after the start {start}")
    if max_days is not None and end - start > timedelta(days=max_days):
        raise PeriodError(too_long, f"{end - start} is longer than {max_days} days")
    try:
        return periods(start, end, zone, period_type)
    except ValueError as exc:  # the end falls inside a daylight-saving gap, before the start in UTC
        raise PeriodError(end_code, str(exc)) from exc


def parse_report_periods(period_type: str | None, reporting_start: str | None, reporting_end: str | None,
                         zone: Zone, *, base_start: str | None = None, base_end: str | None = None,
                         max_days: float | None = None) -> ReportPeriods:
    """A report's query parameters (``periodtype``, ``reportingperiod*``, ``baseperiod*``) as periods.

    Parameters
    ----------
    period_type : ``periodtype``
    reporting_start, reporting_end : ``reportingperiodstartdatetime`` / ``...enddatetime``, local time
    zone : the entity's zone (module docstring, "Zones"); a bad zone is the server's fault: ``ValueError``
    base_start, base_end : the optional base period; both absent or blank means no base period
    max_days : the longest period allowed (either period), in days; None = no limit

    Returns
    -------
    ReportPeriods
        ``base`` is None when no base period was asked for.

    Raises
    ------
    PeriodError
        Checked in MyEMS's order, the first failure wins: ``API.INVALID_PERIOD_TYPE``;
        ``API.INVALID_BASE_PERIOD_START_DATETIME`` / ``..._END_DATETIME`` (malformed, only one of the two
        given, or end not after start); ``API.INVALID_REPORTING_PERIOD_START_DATETIME`` /
        ``..._END_DATETIME`` (missing, malformed, or end not after start);
        ``API.THE_BASE_PERIOD_IS_TOO_LONG`` / ``API.THE_REPORTING_PERIOD_IS_TOO_LONG`` (longer than
        ``max_days``).
    """
    kind = parse_period_type(period_type)
    tz = as_tzinfo(zone)
    base: Periods | None = None
    if not (_blank(base_start) and _blank(base_end)):
        base = _range(kind, base_start, base_end, tz,
                       (INVALID_BASE_PERIOD_START, INVALID_BASE_PERIOD_END, BASE_PERIOD_TOO_LONG), max_days)
    reporting = _range(kind, reporting_start, reporting_end, tz,
                       (INVALID_REPORTING_PERIOD_START, INVALID_REPORTING_PERIOD_END, REPORTING_PERIOD_TOO_LONG),
                       max_days)
    return ReportPeriods(reporting, base)


__all__ = [
    "PERIOD_TYPES", "Buckets", "PeriodError", "PeriodType", "Periods", "ReportPeriods", "Zone", "as_tzinfo",
    "bucket", "hour_seconds", "maxima", "means", "parse_local_datetime", "parse_period_type",
    "parse_report_periods", "periods", "utc_offsets",
]
