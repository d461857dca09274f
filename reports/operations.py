"""Operations views: live point values, a sensor's recent trends, the equipment of a space, offline meters' days,
a space's efficiency, and a meter's power quality.

- ``/reports/pointrealtime[?data_source_ids=1,2|datasourceid=]``: MyEMS's flat list ``[{point_id, value}]`` of
  every point with a good reading in the last hour; with data sources, each of their points with its latest
  reading however old, its ``utc_date_time``, ``age_seconds`` and ``quality`` ("good", "bad", or "none").
- ``/reports/spaceenvironmentmonitor?sensorid|sensoruuid[&timerange=1h|24h]``: the sensor's points over the last
  hour (or day): its energy point as ``energy_value``, the others as ``parameters``.
- ``/reports/equipmenttracking?spaceid``: every equipment bound to a space of the subtree.
- ``/reports/offlinemeterdaily?offlinemeterid|offlinemeteruuid&reporting...``: the offline meter's value per local
  day, ``[{monthdate, daily_value}]`` (``null`` for a day without rows).
- ``/reports/spaceefficiency?spaceid&periodtype&...``: for every (output category, input category) pair, output
  over input per period and in all (``cumulations``), against the base period.
- ``/reports/powerquality?meterid&reporting...[&standard=en50160|ieee519][&nominalvoltage=230][&nominalfrequency=50]``:
  the meter's voltage (V), current (A), frequency (Hz) and THD (%, a point named "THD...") readings against the
  standard's limits (EN 50160: voltage within 10 % of nominal, frequency within 1 %, voltage THD 8 %; IEEE 519:
  voltage THD 8 %, current THD 5 %): per point the share of time within limits (each reading holds until the next,
  the last one for the median step), the minutes within and in all, the worst value and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from myems_api.auth import Principal
from myems_api.db import historical, schema
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.zones import entity_zone
from reports import blocks, excel
from reports.asset_views import latest, trends
from reports.blocks import Sums, number, numbers, rate, rates
from reports.catalog_types import Route
from reports.energy_reports import category_of, describe, meter_info
from reports.entities import IN_SPACE, UUID, subtree, visible_spaces
from reports.local_time import Clock, local_text, naive_utc, utc_now
from reports.meter_views import Point, meter_points, names_of, space_members, span_facts, trend
from reports.parameters import empty_parameters, parameters_of
from reports.periods import bucket
from reports.query import Engines, entity_query, flag, parse_query, span_query
from reports.store import Grid, categories, entity_series, meter_series


@dataclass(frozen=True)
class PointRealtime:
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
        raw = [v.strip() for v in str(params.get("datasourceid") or params.get("data_source_ids") or "").split(",")
               if v.strip()]
        now = self.clock()
        t = historical.latest_values
        if not raw:
            return [{"point_id": k, "value": v} for k, v in sorted(latest(engines, _all_points(engines), now).items())]
        if not all(v.isdecimal() for v in raw):
            raise bad_request("API.INVALID_DATA_SOURCE_ID")
        p, ds = schema.points, schema.data_sources
        with engines.system.connect() as conn:
            sources = {int(v) for v in raw}
            if len(conn.execute(sa.select(ds.c.id).where(ds.c.id.in_(sources))).all()) != len(sources):
                raise not_found("API.DATA_SOURCE_NOT_FOUND")
            points = conn.execute(sa.select(p.c.id, p.c.name, p.c.units).where(p.c.data_source_id.in_(sources))
                                  .order_by(p.c.id)).all()
        with engines.historical.connect() as conn:
            readings = {int(r.point_id): r for r in conn.execute(sa.select(t).where(
                t.c.point_id.in_([int(r.id) for r in points])))}
        answer = []
        for r in points:
            reading = readings.get(int(r.id))
            at = reading.utc_date_time if reading is not None else None
            answer.append({"point_id": r.id, "name": r.name, "units": r.units,
                           "value": number(reading.actual_value) if reading is not None else None,
                           "utc_date_time": at.isoformat() if at else None,
                           "age_seconds": number((naive_utc(now) - at).total_seconds()) if at else None,
                           "quality": "none" if reading is None else ("bad" if reading.is_bad else "good")})
        return answer


def _all_points(engines: Engines) -> set[int]:
    with engines.system.connect() as conn:
        return {int(i) for i in conn.execute(sa.select(schema.points.c.id)).scalars()}


@dataclass(frozen=True)
class EnvironmentMonitor:
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        s, sp, p = schema.sensors, schema.sensors_points, schema.points
        raw_id, raw_uuid = str(params.get("sensorid") or "").strip(), str(params.get("sensoruuid") or "").strip()
        if raw_id and not raw_id.isdecimal():
            raise bad_request("API.INVALID_SENSOR_ID")
        if not raw_id and not UUID.fullmatch(raw_uuid):
            raise bad_request("API.INVALID_SENSOR_UUID" if raw_uuid else "API.INVALID_SENSOR_ID")
        window = "24h" if params.get("timerange") == "24h" else "1h"
        with engines.system.connect() as conn:
            sensor = conn.execute(sa.select(s).where(s.c.id == int(raw_id) if raw_id else s.c.uuid == raw_uuid)).first()
            if sensor is None:
                raise not_found("API.SENSOR_NOT_FOUND")
            allowed = visible_spaces(conn, principal)
            held = set(conn.execute(sa.select(schema.spaces_sensors.c.space_id).where(
                schema.spaces_sensors.c.sensor_id == sensor.id)).scalars())
            if allowed is not None and not allowed & held:
                raise ApiError(403, "API.FORBIDDEN_ENTITY")
            zone = entity_zone(conn, "space", min(held), engines.fallback_zone) if held else engines.fallback_zone
            points = [Point(int(r.id), str(r.name), str(r.object_type), str(r.units or "")) for r in conn.execute(
                sa.select(p.c.id, p.c.name, p.c.object_type, p.c.units).join(sp, sp.c.point_id == p.c.id)
                .where(sp.c.sensor_id == sensor.id).order_by(p.c.id))]
        now = self.clock()
        start, end = naive_utc(now - timedelta(hours=24 if window == "24h" else 1)), naive_utc(now)
        quick = flag(params, "quickmode")
        energy_points = [q for q in points if q.object_type == "ENERGY_VALUE"]
        energy = trends(engines, energy_points[-1:], start, end, zone, 10_000) if energy_points and not quick else \
            empty_parameters()
        others = trends(engines, [q for q in points if q.object_type != "ENERGY_VALUE"], start, end, zone, 10_000) \
            if not quick else empty_parameters()
        return {"sensor": {"sensor_id": sensor.id, "name": sensor.name, "uuid": sensor.uuid,
                           "description": sensor.description},
                "energy_value": {"name": energy["names"][0] if energy["names"] else None,
                                 "timestamps": energy["timestamps"][0] if energy["names"] else [],
                                 "values": energy["values"][0] if energy["names"] else []},
                "parameters": others, "time_range": window}


def equipment_tracking(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    space, _ = entity_query(engines, "space", params, principal)
    e = schema.equipments
    with engines.system.connect() as conn:
        members = space_members(conn, IN_SPACE["equipment"], "equipment_id", subtree(conn, [space.id]))
        rows = conn.execute(sa.select(e.c.id, e.c.name, e.c.uuid, e.c.cost_center_id, e.c.description).where(
            e.c.id.in_(sorted(members))).order_by(e.c.id)).all() if members else []
        spaces = names_of(conn, schema.spaces, set(members.values()))
        centers = names_of(conn, schema.cost_centers, {int(r.cost_center_id) for r in rows if r.cost_center_id})
    listed = [{"id": r.id, "equipment_name": r.name, "equipment_uuid": r.uuid, "space_name": spaces.get(members[r.id]),
               "cost_center_name": centers.get(int(r.cost_center_id or 0)), "description": r.description}
              for r in rows]
    quick = flag(params, "quickmode") or flag(params, "quick_mode")
    table = excel.Table(title="Equipment", header=("Equipment", "Space", "Cost center", "Description"),
                        rows=tuple((r["equipment_name"], r["space_name"], r["cost_center_name"], r["description"])
                                   for r in listed))
    return {"space": describe(space), "equipments": listed, "excel_bytes_base64": None if quick else
            excel.render_base64(excel.ExcelReport(title="Equipment Tracking", facts=(("Space", space.name),),
                                                  detail=table, chart=None))}


def offline_meter_daily(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
    query = span_query(engines, "offline_meter", params, principal)
    reporting = query.periods.reporting
    grid = Grid.covering(reporting)
    values, _ = meter_series(engines.energy, "offline_meter", [query.entity.id], grid)
    days = bucket(grid.hours, values, reporting)
    return [{"monthdate": label, "daily_value": number(v) if n else None}
            for label, v, n in zip(reporting.labels, days.values[0], days.counts[0], strict=True)]


def space_efficiency(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    query = parse_query(engines, "space", params, principal)
    reporting, base = query.periods.reporting, query.periods.base
    grid = Grid.covering(reporting, base)
    with engines.system.connect() as conn:
        known = categories(conn)
    result: dict[str, Any] = {"space": describe(query.entity)}
    sums = {}
    for direction in ("input", "output"):
        series = entity_series(engines.energy, "space", query.entity.id, direction, "category", grid, ("energy",))
        names = [known[k].name if k in known else f"#{k}" for k in series.keys]
        units = [known[k].unit if k in known else "" for k in series.keys]
        for key, span in (("reporting_period", reporting), ("base_period", base)):
            sums[(direction, key)] = total = Sums.of(span, grid.hours, series.energy)
            result[f"{key}_{direction}"] = {"names": names, "units": units, "energy_category_ids": list(series.keys),
                                            **blocks.sums_block(total)}
    for key in ("reporting_period", "base_period"):
        ins, outs = result[f"{key}_input"], result[f"{key}_output"]
        into, out_of = sums[("input", key)], sums[("output", key)]
        pairs = [(o, i) for o in range(len(outs["names"])) for i in range(len(ins["names"]))]
        with np.errstate(divide="ignore", invalid="ignore"):
            values = [numbers(np.where(into.values[i] > 0, out_of.values[o] / into.values[i], np.nan))
                      for o, i in pairs]
            cumulations = [number(out_of.totals[o] / into.totals[i]) if into.totals[i] > 0 else None for o, i in pairs]
        result[f"{key}_efficiency"] = {
            "names": [f"{outs['names'][o]}/{ins['names'][i]}" for o, i in pairs],
            "units": [f"{outs['units'][o]}/{ins['units'][i]}" for o, i in pairs],
            "timestamps": [list(into.labels) for _ in pairs], "values": values, "cumulations": cumulations}
    now, before = result["reporting_period_efficiency"], result["base_period_efficiency"]
    now["increment_rates"] = [rate(r, before["cumulations"][n] if n < len(before["cumulations"]) else None)
                              for n, r in enumerate(now["cumulations"])] if base else [None] * len(now["names"])
    now["rates"] = [rates(r, before["values"][n]) if base and n < len(before["values"]) else []
                    for n, r in enumerate(now["values"])]
    result["parameters"] = empty_parameters() if query.quick else parameters_of(engines, query)
    result["excel_bytes_base64"] = None if query.quick else excel.render_base64(excel.from_result(
        "Space Efficiency", span_facts("Space", query.entity.name, reporting),
        {"reporting_period": {**now, "subtotals": now["cumulations"]}, "base_period": {}}))
    return result


# ---------------------------------------------------------------------------------------------- power quality

# standard -> (category, unit) -> (low, high) as fractions of nominal (voltage, frequency) or in % (THD)
LIMITS: dict[str, dict[str, tuple[float, float]]] = {
    "en50160": {"voltage": (0.90, 1.10), "frequency": (0.99, 1.01), "voltage_thd": (0.0, 8.0)},
    "ieee519": {"voltage_thd": (0.0, 8.0), "current_thd": (0.0, 5.0)},
}


def _category(point: Point) -> str | None:
    unit, name = point.units.strip().lower(), point.name.lower()
    if unit == "%" and "thd" in name:
        return "current_thd" if any(w in name for w in ("current", " i", "ithd", "i_thd")) else "voltage_thd"
    return {"v": "voltage", "kv": "voltage", "a": "current", "hz": "frequency"}.get(unit)


def quality_of(times: np.ndarray, values: np.ndarray, limits: tuple[float, float] | None) -> dict[str, Any]:
    """Time within ``limits`` (each reading held until the next; the last for the median step), the worst reading."""
    if not len(values):
        return {"minutes_total": 0.0, "minutes_within": None, "compliance_pct": None, "worst_value": None,
                "worst_time": None}
    steps = np.diff(times)
    held = np.append(steps, np.median(steps) if len(steps) else 60.0) / 60.0
    found: dict[str, Any] = {"minutes_total": number(held.sum())}
    if limits is None:
        found.update(minutes_within=None, compliance_pct=None, worst_value=None, worst_time=None)
        return found
    low, high = limits
    inside = (values >= low) & (values <= high)
    excess = np.maximum(low - values, values - high)
    worst = int(np.argmax(excess))
    found.update(minutes_within=number(held[inside].sum()),
                 compliance_pct=number(100 * held[inside].sum() / held.sum()), worst_value=number(values[worst]),
                 worst_time=float(times[worst]))
    return found


@dataclass(frozen=True)
class PowerQuality:
    title: str = "Power Quality Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = span_query(engines, "meter", params, principal)
        standard = str(params.get("standard") or "en50160").strip().lower()
        if standard not in LIMITS:
            raise bad_request("API.INVALID_POWER_QUALITY_STANDARD")
        nominal = {"voltage": _positive(params, "nominalvoltage", 230.0),
                   "frequency": _positive(params, "nominalfrequency", 50.0)}
        start, end = query.periods.reporting.utc_range
        with engines.system.connect() as conn:
            meter = meter_info(query.entity, category_of(conn, query.entity))
            points = [p for p in meter_points(conn, query.entity.id) if _category(p)]
        block: dict[str, list[Any]] = {"names": [], "timestamps": [], "values": []}
        analysis = []
        with engines.historical.connect() as conn:
            for point in points:
                rows = trend(conn, point, start, end)
                category = str(_category(point))
                bounds = LIMITS[standard].get(category)
                if bounds is not None and category in nominal:
                    bounds = (bounds[0] * nominal[category], bounds[1] * nominal[category])
                found = quality_of(rows[:, 0], rows[:, 1], bounds)
                if found["worst_time"] is not None:
                    found["worst_time"] = local_text(found["worst_time"], query.entity.zone)
                values = rows[:, 1]
                analysis.append({"point_name": point.name, "unit": point.units, "category": category,
                                 "standard": standard, "limits": list(bounds) if bounds else None, **found,
                                 "metrics": [{"name": n, "value": number(f(values)) if len(values) else None}
                                             for n, f in (("min", np.min), ("max", np.max), ("mean", np.mean))]})
                block["names"].append(point.label)
                block["timestamps"].append([local_text(s, query.entity.zone) for s in rows[:, 0]])
                block["values"].append(numbers(values))
        result: dict[str, Any] = {"meter": meter, "reporting_period": block, "analysis": analysis,
                                  "standard": standard, "parameters": None, "pdf_bytes_base64": None}
        table = excel.Table(title="Within limits", header=("Point", "Category", "Within (%)", "Minutes within",
                                                            "Minutes", "Worst value", "Worst at"),
                            rows=tuple((a["point_name"], a["category"], a["compliance_pct"], a["minutes_within"],
                                        a["minutes_total"], a["worst_value"], a["worst_time"]) for a in analysis))
        result["excel_bytes_base64"] = None if query.quick else excel.render_base64(excel.ExcelReport(
            title=self.title, facts=span_facts("Meter", query.entity.name, query.periods.reporting), detail=table,
            chart=None))
        return result


def _positive(params: Mapping[str, Any], name: str, default: float) -> float:
    raw = params.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e6:
        raise bad_request(f"API.INVALID_{name.upper()}")
    return value


ROUTES: tuple[Route, ...] = (
    Route("/reports/pointrealtime", PointRealtime().answer),
    Route("/reports/spaceenvironmentmonitor", EnvironmentMonitor().answer),
    Route("/reports/equipmenttracking", equipment_tracking),
    Route("/reports/offlinemeterdaily", offline_meter_daily),
    Route("/reports/spaceefficiency", space_efficiency),
    Route("/reports/powerquality", PowerQuality().answer),
)
