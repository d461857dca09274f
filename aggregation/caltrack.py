"""Baseline models of energy use, after the CalTRACK methods: what a building would have used, hour by hour
or day by day, had nothing changed. Measured savings, forecasts and deviation rules all project one.

Pure functions, arrays in and out. Times are local ``datetime64[h]`` hour starts (or ``datetime64[D]``
days) so that time of week means the building's week; temperatures are outdoor degrees Celsius (NaN:
unknown); energy is in the meter's unit (NaN: unknown hours, left out of a fit).

**Hourly (time of week and temperature, CalTRACK 3.x).** Each hour of the week has its own level (168
dummies); a non-working day of the site's calendar takes Sunday's levels. With temperature, each hour of
the week is *occupied* when the usage of that hour sits above a simple degree-hour fit at least 65 % of
the time, and usage then depends on temperature piecewise linearly over the bins 30, 45, 55, 65, 75 and
90 °F, separately for occupied and unoccupied hours (a bin with fewer than 20 hours merges with its
neighbour). A baseline of 330 days or more is fitted per calendar month on that month with weight 1 and
its two neighbours with weight 0.5 ("three month weighted"); a shorter one is fitted once.

**Daily (CalTRACK 2.x).** Daily usage per day is the best by adjusted R² of intercept only, CDD only,
HDD only and HDD plus CDD over balance points 30..90 °F (heating at or below cooling), each kept only
when its slopes are positive and significant (p < 0.1; normal approximation of the t test, which differs
from it by less than 3 % above 30 days). Without temperature, the intercept model per working and
non-working day.

**Fit statistics** (ASHRAE Guideline 14): CV(RMSE) = sqrt(SSE / (n - p)) / mean, NMBE = sum(y - fit) /
((n - p) mean), and the lag-1 autocorrelation of the residuals for the uncertainty of savings
(:func:`savings_uncertainty`). Guideline 14 calibrates a model at hourly CV(RMSE) <= 30 % and |NMBE| <= 10 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Times = npt.NDArray[np.datetime64]

BIN_EDGES_F = (30.0, 45.0, 55.0, 65.0, 75.0, 90.0)
MIN_BIN_HOURS = 20
OCCUPIED_SHARE = 0.65
WEIGHTED_MONTHS_FROM_DAYS = 330
BALANCE_POINTS_F = np.arange(30.0, 91.0, 1.0)


@dataclass(frozen=True)
class FitStats:
    n: int  # points fitted
    parameters: int
    cvrmse: float | None  # a fraction (0.12 = 12 %); None when the mean is 0
    nmbe: float | None
    r_squared: float | None
    autocorrelation: float  # lag-1 of the residuals, 0 when unknown


@dataclass(frozen=True)
class HourlyModel:
    coefficients: dict[int, Floats]  # month 1..12, or 0 for the one fit of a short baseline
    occupied: dict[int, Bools]  # per segment: the 168 hours of the week that follow occupied temperatures
    edges: dict[int, tuple[float, ...]]  # per segment: the merged temperature bin edges, °F
    uses_temperature: bool
    stats: FitStats


@dataclass(frozen=True)
class DailyModel:
    kind: str  # "intercept_only" | "cdd_only" | "hdd_only" | "hdd_cdd" | "day_type"
    coefficients: tuple[float, ...]  # intercept, then the HDD and CDD slopes its kind has (day_type: working, off)
    heating_balance_f: float | None
    cooling_balance_f: float | None
    stats: FitStats


def fahrenheit(celsius: Floats) -> Floats:
    return np.asarray(celsius, dtype=np.float64) * 1.8 + 32.0


# --------------------------------------------------------------------------------------------------- hourly

def hour_of_week(hours: Times, days_off: Bools | None = None) -> npt.NDArray[np.int64]:
    """0 = Monday 00:00 .. 167 = Sunday 23:00 of local hour starts; a non-working day reads as Sunday."""
    h = hours.astype("datetime64[h]").astype(np.int64)
    dow = ((h // 24) + 3) % 7  # 1970-01-01 was a Thursday
    if days_off is not None:
        dow = np.where(days_off, 6, dow)
    return dow * 24 + h % 24


def fit_hourly(hours: Times, energy: Floats, temperature_c: Floats | None = None,
               days_off: Bools | None = None) -> HourlyModel:
    """The time-of-week-and-temperature model of an hourly baseline (at least one week of known hours)."""
    energy = np.asarray(energy, dtype=np.float64)
    tow = hour_of_week(hours, days_off)
    temp = None if temperature_c is None else fahrenheit(temperature_c)
    use_temp = temp is not None and np.isfinite(temp).sum() >= 0.5 * len(temp)
    known = np.isfinite(energy) & (np.isfinite(temp) if use_temp and temp is not None else True)
    if known.sum() < 168:
        raise ValueError("a baseline needs at least one week of known hours")
    months = hours.astype("datetime64[M]").astype(np.int64) % 12 + 1
    span_days = (hours[known].max() - hours[known].min()).astype("timedelta64[h]").astype(np.int64) / 24
    segments = range(1, 13) if span_days >= WEIGHTED_MONTHS_FROM_DAYS else (0,)
    coefficients, occupied, edges = {}, {}, {}
    for segment in segments:
        weights = _segment_weights(months, segment) * known
        if weights.sum() == 0:
            continue
        rows = weights > 0  # a month's fit reads its three months only
        seg_temp = temp[rows] if use_temp and temp is not None else None
        occ = _occupancy(tow[rows], energy[rows], seg_temp, weights[rows]) if seg_temp is not None else \
            np.zeros(168, bool)
        seg_edges = _merged_edges(seg_temp, weights[rows]) if seg_temp is not None else ()
        coefficients[segment] = _wls(_design(tow[rows], seg_temp, occ, seg_edges), energy[rows], weights[rows])
        occupied[segment], edges[segment] = occ, seg_edges
    model = HourlyModel(coefficients, occupied, edges, bool(use_temp), FitStats(0, 0, None, None, None, 0.0))
    fitted = predict_hourly(model, hours, temperature_c, days_off)
    parameters = 168 + (2 * (len(BIN_EDGES_F) + 1) if use_temp else 0)
    return HourlyModel(coefficients, occupied, edges, bool(use_temp),
                       fit_stats(energy[known], fitted[known], parameters))


def predict_hourly(model: HourlyModel, hours: Times, temperature_c: Floats | None = None,
                   days_off: Bools | None = None) -> Floats:
    """The model's energy for each hour; NaN where it needs a temperature that is unknown or has no
    month fitted."""
    tow = hour_of_week(hours, days_off)
    temp = fahrenheit(temperature_c) if model.uses_temperature and temperature_c is not None else None
    if model.uses_temperature and temp is None:
        raise ValueError("this model needs outdoor temperatures")
    months = hours.astype("datetime64[M]").astype(np.int64) % 12 + 1
    out = np.full(len(hours), np.nan)
    for segment, beta in model.coefficients.items():
        rows = np.ones(len(hours), bool) if segment == 0 else months == segment
        if not rows.any():
            continue
        x = _design(tow[rows], None if temp is None else temp[rows], model.occupied[segment], model.edges[segment])
        out[rows] = x @ beta
    return out


def _segment_weights(months: npt.NDArray[np.int64], segment: int) -> Floats:
    if segment == 0:
        return np.ones(len(months))
    before, after = (segment - 2) % 12 + 1, segment % 12 + 1
    return np.where(months == segment, 1.0, np.where((months == before) | (months == after), 0.5, 0.0))


def _occupancy(tow: npt.NDArray[np.int64], energy: Floats, temp: Floats, weights: Floats) -> Bools:
    """Hours of the week whose usage is above a degree-hour fit (CDD 65 °F, HDD 50 °F) most of the time."""
    ok = weights > 0
    x = np.column_stack([np.ones(len(tow)), np.maximum(temp - 65.0, 0), np.maximum(50.0 - temp, 0)])
    beta = _wls(np.nan_to_num(x), energy, weights)
    above = (np.nan_to_num(energy) - np.nan_to_num(x) @ beta) > 0
    share = np.bincount(tow[ok], weights=above[ok] * weights[ok], minlength=168) / np.maximum(
        np.bincount(tow[ok], weights=weights[ok], minlength=168), 1e-12)
    return np.asarray(share >= OCCUPIED_SHARE)


def _merged_edges(temp: Floats, weights: Floats) -> tuple[float, ...]:
    """Bin edges with every bin holding at least 20 hours: a thin bin merges into its neighbour."""
    edges = list(BIN_EDGES_F)
    t = temp[(weights > 0) & np.isfinite(temp)]
    while edges:
        counts = np.histogram(t, bins=[-np.inf, *edges, np.inf])[0]
        thin = [i for i, c in enumerate(counts) if c < MIN_BIN_HOURS]
        if not thin:
            break
        i = thin[0]
        edges.pop(min(i, len(edges) - 1) if i < len(counts) - 1 else len(edges) - 1)
    return tuple(edges)


def _bin_features(temp: Floats, edges: tuple[float, ...]) -> Floats:
    """Piecewise linear temperature: each bin's column holds the part of the temperature inside it."""
    t = np.nan_to_num(temp)
    if not edges:
        return t[:, None]
    lows, highs = (-np.inf, *edges), (*edges, np.inf)
    cols = []
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if i == 0:
            cols.append(np.minimum(t, high))
        else:
            cols.append(np.clip(t, low, high) - low)
    return np.column_stack(cols)


def _design(tow: npt.NDArray[np.int64], temp: Floats | None, occupied: Bools, edges: tuple[float, ...]) -> Floats:
    dummies = np.zeros((len(tow), 168))
    dummies[np.arange(len(tow)), tow] = 1.0
    if temp is None:
        return dummies
    bins = _bin_features(temp, edges)
    occ = occupied[tow][:, None]
    return np.hstack([dummies, bins * occ, bins * ~occ])


def _wls(x: Floats, y: Floats, weights: Floats) -> Floats:
    w = np.sqrt(np.where(np.isfinite(y), weights, 0.0))
    beta, *_ = np.linalg.lstsq(x * w[:, None], np.nan_to_num(y) * w, rcond=None)
    return np.asarray(beta)


# ---------------------------------------------------------------------------------------------------- daily

def fit_daily(days: Times, energy: Floats, temperature_c: Floats | None = None,
              days_off: Bools | None = None) -> DailyModel:
    """The CalTRACK daily model of a daily baseline (daily mean temperatures), at least 14 known days."""
    y = np.asarray(energy, dtype=np.float64)
    temp = None if temperature_c is None else fahrenheit(temperature_c)
    known = np.isfinite(y) & (np.isfinite(temp) if temp is not None else True)
    if known.sum() < 14:
        raise ValueError("a daily baseline needs at least 14 known days")
    if temp is None:
        off = np.zeros(len(y), bool) if days_off is None else np.asarray(days_off, bool)
        x = np.column_stack([~off, off]).astype(np.float64)
        beta = _wls(x[known], y[known], np.ones(int(known.sum())))
        model = DailyModel("day_type", tuple(float(b) for b in beta), None, None, FitStats(0, 0, None, None, None, 0))
        return _with_stats(model, days, y, None, days_off, known, 2)
    yk, tk = y[known], temp[known]
    best = _candidate("intercept_only", np.ones((len(yk), 1)), yk, None, None)
    for bp in BALANCE_POINTS_F:
        for kind, cols, hbp, cbp in (("cdd_only", [np.maximum(tk - bp, 0)], None, bp),
                                     ("hdd_only", [np.maximum(bp - tk, 0)], bp, None)):
            found = _candidate(kind, np.column_stack([np.ones(len(yk)), *cols]), yk, hbp, cbp)
            best = found if found and best and found[0] > best[0] else best
        for cbp in BALANCE_POINTS_F[bp <= BALANCE_POINTS_F]:
            x = np.column_stack([np.ones(len(yk)), np.maximum(bp - tk, 0), np.maximum(tk - cbp, 0)])
            found = _candidate("hdd_cdd", x, yk, bp, cbp)
            best = found if found and best and found[0] > best[0] else best
    assert best is not None
    model = best[1]
    return _with_stats(model, days, y, temperature_c, days_off, known, len(model.coefficients))


def predict_daily(model: DailyModel, days: Times, temperature_c: Floats | None = None,
                  days_off: Bools | None = None) -> Floats:
    b = model.coefficients
    if model.kind == "day_type":
        off = np.zeros(len(days), bool) if days_off is None else np.asarray(days_off, bool)
        return np.where(off, b[1], b[0])
    if temperature_c is None:
        if model.kind != "intercept_only":
            raise ValueError("this model needs outdoor temperatures")
        return np.full(len(days), b[0])
    t = fahrenheit(temperature_c)
    out = np.full(len(days), b[0])
    slopes = list(b[1:])
    if model.heating_balance_f is not None:
        out = out + slopes.pop(0) * np.maximum(model.heating_balance_f - t, 0)
    if model.cooling_balance_f is not None:
        out = out + slopes.pop(0) * np.maximum(t - model.cooling_balance_f, 0)
    return out


def _candidate(kind: str, x: Floats, y: Floats, hbp: float | None,
               cbp: float | None) -> tuple[float, DailyModel] | None:
    """(adjusted R², model) of one candidate, or None when a slope is not positive and significant."""
    n, p = x.shape
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    sse, sst = float(resid @ resid), float(((y - y.mean()) ** 2).sum())
    if p > 1:
        sigma2 = sse / max(n - p, 1)
        try:
            cov = sigma2 * np.linalg.inv(x.T @ x)
        except np.linalg.LinAlgError:
            return None
        for j in range(1, p):
            se = math.sqrt(max(cov[j, j], 0.0))
            if beta[j] <= 0 or se == 0 or math.erfc(abs(beta[j] / se) / math.sqrt(2)) >= 0.1:
                return None
    adj = 1 - (sse / max(n - p, 1)) / (sst / max(n - 1, 1)) if sst > 0 else 0.0
    model = DailyModel(kind, tuple(float(v) for v in beta), hbp, cbp, FitStats(0, 0, None, None, None, 0))
    return adj, model


def _with_stats(model: DailyModel, days: Times, y: Floats, temperature_c: Floats | None, days_off: Bools | None,
                known: Bools, parameters: int) -> DailyModel:
    fitted = predict_daily(model, days, temperature_c, days_off)
    return DailyModel(model.kind, model.coefficients, model.heating_balance_f, model.cooling_balance_f,
                      fit_stats(y[known], fitted[known], parameters))


# ------------------------------------------------------------------------------------------- statistics

def fit_stats(actual: Floats, fitted: Floats, parameters: int = 0) -> FitStats:
    """Guideline 14 statistics of a fit (``parameters`` > 0) or of a held-out prediction (0)."""
    ok = np.isfinite(actual) & np.isfinite(fitted)
    y, f = actual[ok], fitted[ok]
    n = len(y)
    dof = max(n - parameters, 1)
    mean = float(y.mean()) if n else 0.0
    resid = y - f
    sse = float(resid @ resid)
    sst = float(((y - mean) ** 2).sum())
    rho = 0.0
    if n > 2 and resid.std() > 0:
        rho = float(np.corrcoef(resid[:-1], resid[1:])[0, 1])
    return FitStats(n, parameters, math.sqrt(sse / dof) / mean if mean else None,
                    float(resid.sum()) / (dof * mean) if mean else None,
                    1 - sse / sst if sst > 0 else None, rho if math.isfinite(rho) else 0.0)


def savings_uncertainty(stats: FitStats, projected_total: float, periods: int, confidence: float = 0.9) -> float | None:
    """The absolute uncertainty of avoided energy over ``periods`` reporting points whose projected baseline
    sums to ``projected_total`` (ASHRAE Guideline 14, with autocorrelated residuals)::

        U = t * 1.26 * CV(RMSE) * E_base * sqrt((n / n') * (1 + 2 / n) / m),   n' = n (1 - rho) / (1 + rho)

    ``t`` from the normal distribution (n is hundreds or thousands of points). None without a CV(RMSE)."""
    if stats.cvrmse is None or stats.n == 0 or periods <= 0:
        return None
    rho = min(max(stats.autocorrelation, 0.0), 0.99)
    n_eff = stats.n * (1 - rho) / (1 + rho)
    t = {0.8: 1.2816, 0.9: 1.6449, 0.95: 1.96}.get(confidence, 1.6449)
    return t * 1.26 * stats.cvrmse * abs(projected_total) * math.sqrt((stats.n / n_eff) * (1 + 2 / stats.n) / periods)
