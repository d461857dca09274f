"""What energy use is compared with: a plan, a baseline, a forecast. One :class:`Target` per kind, used by the
energy report families (:mod:`reports.energy_reports`) in place of the stored series:

- ``plan``: the planned hours of ``tbl_energy_plan_hourly`` (energy plan files) minus the actual ones;
- ``saving``: avoided energy, the baseline model (:mod:`aggregation.caltrack`) fitted on the base period
  (or, without one, the 365 days before the reporting period) and projected over the report's hours, minus
  the actual ones; with the model's CV(RMSE), NMBE and R² and each subtotal's Guideline 14 uncertainty
  (90 % confidence) in ``models``;
- ``prediction``: the same model fitted on the 365 days before the reporting period, or before now when the
  period reaches into the future, over every hour of the report (a forecast, the base period too).

Plan and saving answer MyEMS's ``*_saving`` keys (the difference, target minus actual, renamed from the
totals shape) plus ``values_<target>`` / ``subtotals_<target>`` and ``values_actual`` / ``subtotals_actual``;
prediction answers the plain totals shape of the forecast. Models see hours in the entity's zone, the
working calendars of tenants, stores and shopfloors (a non-working day is a Sunday), and the outdoor
temperature when the site has a point named like "outdoor ... temperature" (hourly means; hours after its
last reading take the mean of the same hour over its last 7 days). A series the model cannot be fitted on
(under a week of known hours) stays unknown and the report warns ``API.NOT_ENOUGH_DATA_FOR_MODEL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np
import sqlalchemy as sa

from aggregation import caltrack
from aggregation.series import HOUR, Times, Values
from aggregation.store import epoch_seconds
from myems_api.db import energy, historical, schema
from myems_api.zones import wall_clock
from reports.blocks import number, numbers
from reports.entities import TABLES, ReportEntity
from reports.local_time import utc_now
from reports.periods import Periods
from reports.query import Engines
from reports.store import MISSING, Grid, _fill, _float, entity_series, meter_series

METERS = ("meter", "offline_meter", "virtual_meter")
HISTORY_HOURS = 365 * 24
KEEP = frozenset({"names", "units", "timestamps", "energy_category_ids", "energy_category_names", "total_unit",
                  "child_space_ids_array", "child_space_names_array", "associated_equipment_names_array",
                  "associated_equipment_ids_array", "excluded_hours", "working_calendars"})


PREDICTION_NAME = "Forecast (CalTRACK hourly model)"


@dataclass
class Notes:
    """What a target adds to the report beside its series."""

    target: Values | None = None  # (k, n) the plan or baseline itself
    models: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    name: str  # "plan" | "saving" | "prediction"
    base: Periods | None = None  # the query's base period: the saving's fit span
    reporting: Periods | None = None  # a forecast is fitted on the year before it
    zone: tzinfo = UTC  # the query entity's, for its children

    @property
    def suffix(self) -> str:
        return "" if self.name == "prediction" else "_saving"

    def series(self, engines: Engines, entity: ReportEntity, grid: Grid, keys: tuple[int, ...], actual: Values,
               ) -> tuple[tuple[int, ...], Values, Notes]:
        """The series the report shows, per key: target minus actual, or the forecast."""
        notes = Notes()
        if self.name == "plan":
            keys, target, actual = plan_series(engines, entity, grid, keys, actual)
        else:
            target = np.full(actual.shape, np.nan)
            for row, key in enumerate(keys):
                target[row], model = self._modelled(engines, entity, key, grid)
                notes.models.append(model)
                if model.get("error"):
                    notes.warnings = ["API.NOT_ENOUGH_DATA_FOR_MODEL"]
        if self.name == "prediction":
            return keys, target, notes
        notes.target = target
        return keys, target - actual, notes

    def _modelled(self, engines: Engines, entity: ReportEntity, key: int, grid: Grid) -> tuple[Values, dict[str, Any]]:
        start = grid.start if self.reporting is None else int(self.reporting.bounds[0]) // HOUR * HOUR
        end = start if self.name == "saving" else min(start, _hour(utc_now()))
        fit = Grid(end - HISTORY_HOURS * HOUR, HISTORY_HOURS)
        if self.name == "saving" and self.base is not None:
            low, high = int(self.base.bounds[0]), -(-int(self.base.bounds[-1]) // HOUR) * HOUR
            n = min((high - low) // HOUR, HISTORY_HOURS)
            fit = Grid(high - n * HOUR, n)
        history = _one_series(engines, entity, key, fit)
        info: dict[str, Any] = {"energy_category_id": key, "fit_start": _text(fit.start), "fit_end": _text(fit.end)}
        with engines.system.connect() as conn:
            temperature = outdoor_temperature(conn, engines, np.concatenate([fit.hours, grid.hours]))
            days_off = _days_off(conn, entity)
        fit_inputs = _inputs(fit.hours, entity, days_off, None if temperature is None else temperature[:fit.n])
        try:
            model = caltrack.fit_hourly(fit_inputs[0], history, fit_inputs[1], fit_inputs[2])
        except ValueError:
            return np.full(grid.n, np.nan), {**info, "error": "API.NOT_ENOUGH_DATA_FOR_MODEL"}
        inputs = _inputs(grid.hours, entity, days_off, None if temperature is None else temperature[fit.n:])
        projected = caltrack.predict_hourly(model, *inputs)
        stats = model.stats
        return projected, {**info, "points": stats.n, "cvrmse": number(stats.cvrmse), "nmbe": number(stats.nmbe),
                           "r_squared": number(stats.r_squared), "uses_temperature": model.uses_temperature,
                           "_stats": stats}

    def finish(self, result: dict[str, Any], kind: str, notes: Notes, difference: Values, inside: np.ndarray,
               ) -> None:
        """Renames the difference's keys as MyEMS does and adds the target's own subtotals and the models
        (``inside``: the grid's reporting hours)."""
        rp, bp = result["reporting_period"], result["base_period"]
        if self.suffix:
            for block in (rp, bp, result.get("child_space"), result.get("associated_equipment")):
                if block is not None:
                    _rename(block, self.suffix)
            if kind in METERS:
                rp["values_rates"] = rp.get("rates_saving")
        if notes.target is not None:
            label = "plan" if self.name == "plan" else "baseline"
            rp[f"subtotals_{label}"] = numbers(np.nansum(notes.target[:, inside], axis=1))
            rp["subtotals_actual"] = numbers(np.nansum((notes.target - difference)[:, inside], axis=1))
        for row, model in enumerate(notes.models):
            stats = model.pop("_stats", None)
            if stats is not None and self.name == "saving" and notes.target is not None:
                projected = notes.target[row, inside]
                model["uncertainty"] = number(caltrack.savings_uncertainty(
                    stats, float(np.nansum(projected)), int(np.isfinite(projected).sum())))
        if self.name == "prediction" and kind in METERS:  # v6.7.0's prediction pages title the series with it
            result[kind]["prediction_name"] = PREDICTION_NAME
        if notes.models:
            rp["models"] = notes.models
        if notes.warnings:
            result["warnings"] = notes.warnings

    def child_totals(self, engines: Engines, kind: str, ids: list[int], keys: list[int], grid: Grid,
                     inside: np.ndarray) -> list[list[float | None]]:
        """``[key][child]``: each child's difference over the reporting hours."""
        out: list[list[float | None]] = [[None for _ in ids] for _ in keys]
        with engines.system.connect() as conn:
            table = TABLES[kind]
            rows = {int(r.id): dict(r._mapping) for r in conn.execute(sa.select(table).where(table.c.id.in_(ids)))}
        for c, child_id in enumerate(ids):
            child = ReportEntity(kind, child_id, rows[child_id], self.zone)
            series = entity_series(engines.energy, kind, child_id, "input", "category", grid, ("energy",))
            found, diff, _ = self.series(engines, child, grid, series.keys, series.energy)
            for k, key in enumerate(keys):
                if key in found:
                    out[k][c] = number(np.nansum(diff[found.index(key), inside]))
        return out


def _rename(block: dict[str, Any], suffix: str) -> None:
    for key in list(block):
        if key in KEEP or key.startswith("_"):
            continue
        new = key[:-len("_array")] + suffix + "_array" if key.endswith("_array") else key + suffix
        block[new] = block.pop(key)


def plan_series(engines: Engines, entity: ReportEntity, grid: Grid, keys: tuple[int, ...], actual: Values,
                ) -> tuple[tuple[int, ...], Values, Values]:
    """(keys, plan, actual) over the grid: the actual keys and any category the plan has besides."""
    t = energy.energy_plan_hourly
    start, end = grid.utc()
    with engines.energy.connect() as conn:
        rows = conn.execute(sa.select(t.c.energy_category_id, epoch_seconds(t.c.start_datetime_utc, conn.dialect.name),
                                      _float(t.c.actual_value)).where(
            t.c.object_type == entity.kind, t.c.object_id == entity.id,
            t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end)).cursor.fetchall()
    planned = {int(r[0]) for r in rows}
    if entity.kind in METERS:
        planned &= set(keys)
    every = tuple(keys) + tuple(sorted(planned - set(keys)))
    _, (plan,) = _fill(grid, every, rows, 1)
    plan[plan == MISSING] = np.nan
    widened = np.full((len(every), grid.n), np.nan)
    widened[:len(keys)] = actual
    return every, plan, widened


def _one_series(engines: Engines, entity: ReportEntity, key: int, grid: Grid) -> Values:
    if entity.kind in METERS:
        return np.asarray(meter_series(engines.energy, entity.kind, [entity.id], grid)[0][0])
    series = entity_series(engines.energy, entity.kind, entity.id, "input", "category", grid, ("energy",),
                           category=key)
    return series.energy[0] if series.keys else np.full(grid.n, np.nan)


def _inputs(hours: Times, entity: ReportEntity, days_off: set[str], temperature: Values | None,
            ) -> tuple[np.ndarray, Values | None, np.ndarray | None]:
    """Local hour starts, temperatures and non-working hours of UTC ``hours``."""
    local = (wall_clock(hours, entity.zone) // HOUR).astype("datetime64[h]")
    off = np.isin(local.astype("datetime64[D]").astype(str), sorted(days_off)) if days_off else None
    return local, temperature, off


def _days_off(conn: Any, entity: ReportEntity) -> set[str]:
    from reports.energy_reports import working_calendars  # the energy reports import this module
    return working_calendars(conn, entity)[1]


def outdoor_temperature(conn: Any, engines: Engines, hours: Times) -> Values | None:
    """Hourly mean outdoor temperature (°C) over ``hours`` from the site's outdoor temperature point, or None."""
    p = schema.points
    name = sa.func.lower(p.c.name)
    point = conn.execute(sa.select(p.c.id).where(name.like("%outdoor%"), name.like("%temp%")).order_by(p.c.id)
                         ).scalar()
    if point is None or not len(hours):
        return None
    t = historical.analog_values
    low, high = int(hours.min()), int(hours.max()) + HOUR
    with engines.historical.connect() as hconn:
        rows = hconn.execute(sa.select(epoch_seconds(t.c.utc_date_time, hconn.dialect.name), _float(t.c.actual_value))
                             .where(t.c.point_id == point, t.c.is_bad.is_(False),
                                    t.c.utc_date_time >= datetime.fromtimestamp(low, UTC).replace(tzinfo=None),
                                    t.c.utc_date_time < datetime.fromtimestamp(high, UTC).replace(tzinfo=None))
                             ).cursor.fetchall()
    if not rows:
        return None
    table = np.array(rows, dtype=np.float64)
    table = table[table[:, 1] != MISSING]
    slot = ((table[:, 0] - low) // HOUR).astype(np.int64)
    n = (high - low) // HOUR
    sums, counts = np.bincount(slot, table[:, 1], n), np.bincount(slot, minlength=n)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    known = np.flatnonzero(counts)
    last = int(known[-1])
    means[:last] = np.interp(np.arange(last), known, means[known])  # short gaps: the line between readings
    window = np.arange(max(0, last - 167), last + 1)
    hour_of_day = (low // HOUR + window) % 24
    profile = np.array([np.nanmean(means[window][hour_of_day == h]) if (hour_of_day == h).any() else np.nan
                        for h in range(24)])
    after = np.arange(last + 1, n)
    means[after] = profile[(low // HOUR + after) % 24]
    return means[((hours - low) // HOUR).astype(np.int64)]


def _hour(moment: datetime) -> int:
    seconds = int(moment.replace(tzinfo=UTC).timestamp()) if moment.tzinfo is None else int(moment.timestamp())
    return seconds - seconds % HOUR


def _text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
