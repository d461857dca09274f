"""Views of meters beyond their energy per period: raw trends, real-time values, counter tracking, submeter balance.

- ``/reports/metertrend?meterid|meteruuid&reportingperiodstartdatetime&reportingperiodenddatetime`` (no
  ``periodtype``): the trend values of each of the meter's points in ``[start, end)``. Timestamps are local
  (``YYYY-MM-DDTHH:MM:SS`` in the meter's zone), bad readings are left out, and a point's series longer than
  :data:`MAX_TREND_VALUES` is thinned evenly (indices spread evenly over the series, first and last kept), so a
  year of one-minute readings stays a usable answer. ``reporting_period``: ``names`` (MyEMS's
  ``"name (units)"``), ``point_ids``, ``units``, ``timestamps``, ``values``, ``thinned`` (whether each series
  was). The points are the report itself, so ``parameters`` is empty.
- ``/reports/meterrealtime?meterid|meteruuid``: each point's latest value (``tbl_point_latest_value``; a bad
  latest reading is left out: ``null``) and its trend values of the last hour up to now. ``energy_value`` is
  the meter's ENERGY_VALUE point (``null`` when it has none); ``parameters`` every point. Quick mode leaves out
  only the Excel file (the values are the report).
- ``/reports/metertracking?spaceid|spaceuuid&reportingperiodstartdatetime&reportingperiodenddatetime``: every
  meter bound to a space of the subtree (``tbl_spaces_meters``; its space is the lowest-id one it is bound to)
  with its energy counter's start and end value: the last good reading at or before each end of the period
  (``tbl_energy_value``), and their difference (raw: a counter reset shows as a negative difference).
  ``null`` without such a reading or without an ENERGY_VALUE point. ``start_integrity_rate`` /
  ``end_integrity_rate`` / ``full_integrity_rate``: the share of meters with a start value, an end value,
  both (``null`` without meters).
- ``/reports/metersubmetersbalance?meterid|meteruuid&periodtype&reporting...``: the master meter's energy per
  period against the sum of its submeters' (meters whose ``master_meter_id`` is it), out-of-limit hours left
  out as in the meter energy report. ``values`` are the differences (master minus submeters);
  ``percentage_difference`` is the total difference over the master's total, a fraction like MyEMS's
  increment rates (``null`` when the master's total is 0).

Every view checks access like the other reports (API keys and admins: everything; others: the space subtrees
of their privilege, else 403 ``API.FORBIDDEN_ENTITY``) and answers ``excel_bytes_base64`` unless quick mode.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.store import as_double, epoch_seconds
from myems_api.auth import Principal
from myems_api.db import historical, schema
from reports import excel
from reports.blocks import Sums, number, numbers
from reports.catalog_types import Route
from reports.energy_reports import category_of, describe, meter_info
from reports.entities import subtree
from reports.local_time import Clock, local_text, naive_utc, utc_now
from reports.parameters import empty_parameters, parameters_of
from reports.periods import Periods
from reports.query import Engines, entity_query, parse_query, span_query
from reports.store import Grid, categories, meter_series

MAX_TREND_VALUES = 10_000
REALTIME_WINDOW = timedelta(hours=1)


def span_facts(title: str, name: str, reporting: Periods) -> tuple[tuple[str, str], ...]:
    return ((title, name), ("Reporting Period", f"{reporting.start.isoformat()} - {reporting.end.isoformat()}"))


@dataclass(frozen=True)
class Point:
    id: int
    name: str
    object_type: str
    units: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.units})" if self.units else self.name


def meter_points(conn: Connection, meter_id: int) -> list[Point]:
    p, mp = schema.points, schema.meters_points
    rows = conn.execute(sa.select(p.c.id, p.c.name, p.c.object_type, p.c.units).join(mp, mp.c.point_id == p.c.id)
                        .where(mp.c.meter_id == meter_id).order_by(p.c.id))
    return [Point(int(r.id), str(r.name), str(r.object_type), str(r.units or "")) for r in rows]


def trend(conn: Connection, point: Point, start: datetime, end: datetime, *, end_inclusive: bool = False,
          ) -> npt.NDArray[np.float64]:
    """(k, 2) good readings (POSIX seconds, value) of a point in ``[start, end)`` (``]`` if ``end_inclusive``)."""
    t = historical.TRENDS.get(point.object_type)
    if t is None:
        return np.zeros((0, 2))
    upper = t.c.utc_date_time <= end if end_inclusive else t.c.utc_date_time < end
    rows = conn.execute(sa.select(epoch_seconds(t.c.utc_date_time, conn.dialect.name),
                                  as_double(t.c.actual_value)).where(
        t.c.point_id == point.id, t.c.is_bad.is_(False), t.c.actual_value.is_not(None),
        t.c.utc_date_time >= start, upper).order_by(t.c.utc_date_time)).cursor.fetchall()
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def thin(table: npt.NDArray[np.float64], cap: int) -> npt.NDArray[np.float64]:
    """At most ``cap`` rows, at indices spread evenly over the series (the first and the last kept)."""
    if len(table) <= cap:
        return table
    return table[np.unique(np.linspace(0, len(table) - 1, cap).round().astype(np.int64))]


def union_table(title: str, labels: Sequence[str], stamps: Sequence[Sequence[str]],
                values: Sequence[Sequence[float | None]]) -> excel.Table:
    """Series with their own timestamps as one table: every timestamp once (in order), a column per series,
    empty where a series has no reading then (so they chart together)."""
    columns: list[dict[str, float | None]] = [dict(zip(s, v, strict=True)) for s, v in zip(stamps, values,
                                                                                           strict=True)]
    every = sorted({stamp for series in stamps for stamp in series})
    rows = tuple((stamp, *(column.get(stamp) for column in columns)) for stamp in every)
    return excel.Table(title=title, header=("Timestamp", *labels), rows=rows, number_format="0.000")


# ------------------------------------------------------------------------------------------------- metertrend

@dataclass(frozen=True)
class MeterTrend:
    cap: int = MAX_TREND_VALUES
    title: str = "Meter Trend Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = span_query(engines, "meter", params, principal)
        entity, reporting = query.entity, query.periods.reporting
        start, end = reporting.utc_range
        with engines.system.connect() as conn:
            meter = meter_info(entity, category_of(conn, entity))
            points = meter_points(conn, entity.id)
        block: dict[str, list[Any]] = {"names": [], "point_ids": [], "units": [], "timestamps": [], "values": [],
                                       "thinned": []}
        with engines.historical.connect() as conn:
            for point in points:
                if point.object_type not in historical.TRENDS:
                    continue
                rows = trend(conn, point, start, end)
                kept = thin(rows, self.cap)
                block["names"].append(point.label)
                block["point_ids"].append(point.id)
                block["units"].append(point.units)
                block["timestamps"].append([local_text(s, entity.zone) for s in kept[:, 0]])
                block["values"].append(numbers(kept[:, 1]))
                block["thinned"].append(len(kept) < len(rows))
        result: dict[str, Any] = {"meter": meter, "reporting_period": block, "parameters": empty_parameters()}
        result["excel_bytes_base64"] = None if query.quick else excel.render_base64(excel.ExcelReport(
            title=self.title, facts=span_facts("Meter", entity.name, reporting),
            detail=union_table("Trend values", block["names"], block["timestamps"], block["values"])))
        return result


# ---------------------------------------------------------------------------------------------- meterrealtime

@dataclass(frozen=True)
class MeterRealtime:
    clock: Clock = utc_now
    title: str = "Meter Realtime Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        entity, quick = entity_query(engines, "meter", params, principal)
        now = naive_utc(self.clock())
        with engines.system.connect() as conn:
            meter = meter_info(entity, category_of(conn, entity))
            points = meter_points(conn, entity.id)
        latest = self._latest(engines, [p.id for p in points])
        block: dict[str, list[Any]] = {"names": [], "point_ids": [], "units": [], "object_types": [],
                                       "latest_values": [], "latest_timestamps": [], "timestamps": [], "values": []}
        energy_value: dict[str, Any] | None = None
        with engines.historical.connect() as conn:
            for point in points:
                rows = trend(conn, point, now - REALTIME_WINDOW, now, end_inclusive=True)
                at, value = latest.get(point.id, (None, None))
                stamp = local_text(at, entity.zone) if at is not None else None
                stamps, values = [local_text(s, entity.zone) for s in rows[:, 0]], numbers(rows[:, 1])
                for key, item in (("names", point.label), ("point_ids", point.id), ("units", point.units),
                                  ("object_types", point.object_type), ("latest_values", value),
                                  ("latest_timestamps", stamp), ("timestamps", stamps), ("values", values)):
                    block[key].append(item)
                if point.object_type == "ENERGY_VALUE" and energy_value is None:
                    energy_value = {"point_id": point.id, "name": point.label, "units": point.units, "value": value,
                                    "timestamp": stamp, "timestamps": stamps, "values": values}
        result: dict[str, Any] = {"meter": meter, "energy_value": energy_value, "parameters": block}
        if quick:
            result["excel_bytes_base64"] = None
            return result
        latest_table = excel.Table(
            title="Latest values", header=("Point", "Latest value", "Timestamp"), number_format="0.000",
            rows=tuple(zip(block["names"], block["latest_values"], block["latest_timestamps"], strict=True)))
        result["excel_bytes_base64"] = excel.render_base64(excel.ExcelReport(
            title=self.title, facts=(("Meter", entity.name), ("Now", local_text(now.replace(tzinfo=UTC).timestamp(),
                                                                               entity.zone))),
            summary=latest_table,
            detail=union_table("The last hour", block["names"], block["timestamps"], block["values"])))
        return result

    @staticmethod
    def _latest(engines: Engines, point_ids: list[int]) -> dict[int, tuple[float | None, float | None]]:
        """Each point's latest reading as (POSIX seconds, value); a bad one as (seconds, None)."""
        if not point_ids:
            return {}
        t = historical.latest_values
        with engines.historical.connect() as conn:
            rows = conn.execute(sa.select(t.c.point_id, epoch_seconds(t.c.utc_date_time, conn.dialect.name),
                                          as_double(t.c.actual_value), t.c.is_bad)
                                .where(t.c.point_id.in_(point_ids))).all()
        return {int(r[0]): (float(r[1]), None if r[3] else number(r[2])) for r in rows}


# ---------------------------------------------------------------------------------------------- metertracking

def space_members(conn: Connection, link: sa.Table, column: str, space_ids: set[int]) -> dict[int, int]:
    """Entity id -> the lowest-id space of ``space_ids`` it is bound to through ``link``."""
    if not space_ids:
        return {}
    found: dict[int, int] = {}
    rows = conn.execute(sa.select(link.c[column], link.c.space_id).where(link.c.space_id.in_(sorted(space_ids)))
                        .order_by(link.c.space_id, link.c[column]))
    for member, space_id in rows:
        found.setdefault(int(member), int(space_id))
    return found


def names_of(conn: Connection, table: sa.Table, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(r.id): str(r.name) for r in conn.execute(sa.select(table.c.id, table.c.name)
                                                          .where(table.c.id.in_(sorted(ids))))}


def readings_at(conn: Connection, point_ids: list[int], moment: datetime) -> dict[int, tuple[float, float]]:
    """Each point's last good counter reading at or before ``moment``: point -> (POSIX seconds, value)."""
    if not point_ids:
        return {}
    t = historical.energy_values
    good = sa.and_(t.c.is_bad.is_(False), t.c.actual_value.is_not(None), t.c.utc_date_time <= moment)
    last = (sa.select(t.c.point_id, sa.func.max(t.c.utc_date_time).label("at"))
            .where(t.c.point_id.in_(point_ids), good).group_by(t.c.point_id).subquery())
    rows = conn.execute(sa.select(t.c.point_id, epoch_seconds(t.c.utc_date_time, conn.dialect.name),
                                  as_double(t.c.actual_value))
                        .join(last, sa.and_(last.c.point_id == t.c.point_id, last.c.at == t.c.utc_date_time)))
    return {int(r[0]): (float(r[1]), float(r[2])) for r in rows}


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


@dataclass(frozen=True)
class MeterTracking:
    title: str = "Meter Tracking Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = span_query(engines, "space", params, principal)
        space, reporting = query.entity, query.periods.reporting
        start, end = reporting.utc_range
        m, p, mp = schema.meters, schema.points, schema.meters_points
        with engines.system.connect() as conn:
            members = space_members(conn, schema.spaces_meters, "meter_id", subtree(conn, [space.id]))
            meters = conn.execute(sa.select(m.c.id, m.c.name, m.c.uuid, m.c.energy_category_id, m.c.cost_center_id,
                                            m.c.description).where(m.c.id.in_(sorted(members))).order_by(m.c.id)
                                  ).all() if members else []
            counters = {int(r.meter_id): int(r.id) for r in conn.execute(
                sa.select(mp.c.meter_id, p.c.id).join(p, p.c.id == mp.c.point_id).where(
                    mp.c.meter_id.in_(sorted(members)), p.c.object_type == "ENERGY_VALUE"))} if members else {}
            spaces = names_of(conn, schema.spaces, set(members.values()))
            centers = names_of(conn, schema.cost_centers, {int(r.cost_center_id) for r in meters})
            known = categories(conn)
        with engines.historical.connect() as conn:
            starts = readings_at(conn, sorted(set(counters.values())), start)
            ends = readings_at(conn, sorted(set(counters.values())), end)
        rows: list[dict[str, Any]] = []
        for r in meters:
            point = counters.get(int(r.id))
            first, last = starts.get(point or 0), ends.get(point or 0)
            category = known.get(int(r.energy_category_id))
            rows.append({
                "id": int(r.id), "meter_name": r.name, "meter_uuid": r.uuid,
                "space_name": spaces.get(members[int(r.id)]), "cost_center_name": centers.get(int(r.cost_center_id)),
                "energy_category_id": int(r.energy_category_id), "energy_category_name": category.name if category
                else None, "unit_of_measure": category.unit if category else None, "description": r.description,
                "start_value": first[1] if first else None, "end_value": last[1] if last else None,
                "difference_value": number(last[1] - first[1]) if first and last else None,
                "start_timestamp": local_text(first[0], space.zone) if first else None,
                "end_timestamp": local_text(last[0], space.zone) if last else None})
        total = len(rows)
        result: dict[str, Any] = {
            "space": describe(space), "meters": rows,
            "start_integrity_rate": _share(sum(r["start_value"] is not None for r in rows), total),
            "end_integrity_rate": _share(sum(r["end_value"] is not None for r in rows), total),
            "full_integrity_rate": _share(sum(r["difference_value"] is not None for r in rows), total)}
        if query.quick:
            result["excel_bytes_base64"] = None
            return result
        rates = excel.Table(title="Integrity", header=("Start", "End", "Full"), number_format=excel.PERCENT, rows=(
            (result["start_integrity_rate"], result["end_integrity_rate"], result["full_integrity_rate"]),))
        table = excel.Table(
            title="Meters", header=("Meter", "Space", "Cost center", "Energy category", "Unit", "Description",
                                    "Start value", "End value", "Difference"), number_format="0.000",
            rows=tuple((r["meter_name"], r["space_name"], r["cost_center_name"], r["energy_category_name"],
                        r["unit_of_measure"], r["description"], r["start_value"], r["end_value"],
                        r["difference_value"]) for r in rows))
        result["excel_bytes_base64"] = excel.render_base64(excel.ExcelReport(
            title=self.title, facts=span_facts("Space", space.name, reporting), summary=rates, detail=table,
            chart=None))
        return result


# -------------------------------------------------------------------------------------- metersubmetersbalance

@dataclass(frozen=True)
class SubmetersBalance:
    title: str = "Meter Submeters Balance Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = parse_query(engines, "meter", params, principal)
        entity, reporting = query.entity, query.periods.reporting
        m = schema.meters
        with engines.system.connect() as conn:
            meter = meter_info(entity, category_of(conn, entity))
            submeters = [{"id": int(r.id), "name": r.name, "uuid": r.uuid} for r in conn.execute(
                sa.select(m.c.id, m.c.name, m.c.uuid).where(m.c.master_meter_id == entity.id).order_by(m.c.id))]
        grid = Grid.covering(reporting)
        energy, _ = meter_series(engines.energy, "meter", [entity.id, *(s["id"] for s in submeters)], grid)
        sums = Sums.of(reporting, grid.hours, energy)
        master, subs = sums.values[0], sums.values[1:].sum(axis=0)
        master_total, subs_total = float(sums.totals[0]), float(sums.totals[1:].sum())
        difference = master - subs
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(master != 0, difference / master, np.nan)
        rp: dict[str, Any] = {
            "master_meter_consumption_in_category": number(master_total),
            "submeters_consumption_in_category": number(subs_total),
            "difference_in_category": number(master_total - subs_total),
            "percentage_difference": _fraction(master_total - subs_total, master_total),
            "timestamps": list(sums.labels), "values": numbers(difference), "difference_values": numbers(difference),
            "master_values": numbers(master),
            "submeters_values": numbers(subs), "percentages": numbers(shares)}
        result: dict[str, Any] = {"meter": meter, "submeters": submeters, "reporting_period": rp}
        if query.quick:
            result["parameters"], result["excel_bytes_base64"] = empty_parameters(), None
            return result
        result["parameters"] = parameters_of(engines, query)
        unit = meter["unit_of_measure"]
        summary = excel.Table(
            title="Summary", header=("Master meter", "Submeters", "Difference", "Percentage difference"),
            column_formats=(None, None, None, excel.PERCENT),
            rows=((rp["master_meter_consumption_in_category"], rp["submeters_consumption_in_category"],
                   rp["difference_in_category"], rp["percentage_difference"]),))
        detail = excel.Table(
            title="Reporting period", header=("Period", f"Master meter ({unit})", f"Submeters ({unit})",
                                              f"Difference ({unit})"),
            rows=(*zip(rp["timestamps"], rp["master_values"], rp["submeters_values"], rp["values"], strict=True),
                  (excel.TOTAL_LABEL, rp["master_meter_consumption_in_category"],
                   rp["submeters_consumption_in_category"], rp["difference_in_category"])) if rp["timestamps"] else ())
        facts = (*span_facts("Meter", entity.name, reporting), ("Period Type", reporting.period_type),
                 ("Submeters", ", ".join(str(s["name"]) for s in submeters) or "-"))
        result["excel_bytes_base64"] = excel.render_base64(excel.ExcelReport(
            title=self.title, facts=facts, summary=summary, detail=detail, chart="column"))
        return result


def _fraction(numerator: float, denominator: float) -> float | None:
    if denominator == 0 or not math.isfinite(denominator):
        return None
    return number(numerator / denominator)


ROUTES: tuple[Route, ...] = (
    Route("/reports/metertrend", MeterTrend().answer),
    Route("/reports/meterrealtime", MeterRealtime().answer),
    Route("/reports/metertracking", MeterTracking().answer),
    Route("/reports/metersubmetersbalance", SubmetersBalance().answer),
)
