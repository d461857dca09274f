"""The energy asset reports of MyEMS v6.7.0, declared once for microgrids, storage and photovoltaic stations.

Every number comes from what the asset's parts are bound to (:class:`reports.assets.AssetKind`): a role's
energy is the sum of its meters' hourly energy (``tbl_meter_hourly``), its cost that energy priced by the
asset's cost center's tariffs, its carbon that energy times the category's factor. A role without a bound
meter is 0 and named in ``warnings`` (``API.NO_METER_BOUND_TO_<ROLE>``): nothing is invented. Live values are the
points' latest good readings (``tbl_point_latest_value``) no older than an hour.

The shapes, each a small class with its routes at the end:

- :class:`Windows`: per role, this week (6 days ago to now, daily), this month (daily) and this year (monthly),
  in the asset's zone: ``reporting: {<role>_7_days|_this_month|_this_year: {timestamps_array, values_array,
  total_values}}``; for the user's assets (``...collection<measure>``, microgrid grid buy / sell / load / PV / EV
  charger, carbon) beside ``<kind>_names``, or one asset (``...item<measure>``, ``id`` | ``uuid``).
- :class:`Lifetime`: all-time totals per role in energy, billing and carbon (``total_<role>_<measure>``), for one
  asset (``...itemdashboard``) or the user's (``microgriddashboard``, ``photovoltaicpowerstationdashboard``,
  with ``subtotal_<role>_<measure>`` per asset).
- :class:`Reporting`: one asset's roles per period of the reporting period (``periodtype``), with their subtotals
  and time-of-use split (``...reportingenergy`` / ``...reportingrevenue``).
- :class:`Parameters`: the trends of every point bound to the asset's parts over the reporting period
  (``...reportingparameters``).
- :class:`PartDetails`: ``/reports/<kind>details/{id}/<part>``: each part with its points' latest values,
  ``points: [[name, units, description, value]]``, plus its own point columns (``soc_point``...); the storage
  station's meters, commands and schedule.
- :class:`AssetList`: the user's assets with their state and live power (``microgridlist``,
  ``photovoltaicpowerstationlist``).
- :class:`Details`: one asset's page: meta, today's and lifetime indicators, the last three days of its roles'
  energy and of its parts' power points (``microgriddetails``, ``photovoltaicpowerstationdetails``).

Access: a user sees the assets bound to them (all for administrators and API keys); another asset answers 403
``API.FORBIDDEN_ENTITY``. ``quickmode=true`` leaves out the Excel file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.billing import hourly_cost
from aggregation.entities import tariffs_by_cost_center
from myems_api.auth import Principal
from myems_api.db import energy as energy_db
from myems_api.db import historical, microgrid_tables, power_station_tables, schema
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.zones import entity_zone
from reports import blocks, excel
from reports.assets import MICROGRIDS, PV_STATIONS, STATIONS, AssetKind, AssetReport, StationDetails, _caller
from reports.blocks import PEAK_TYPES, Sums, number, numbers, rate
from reports.catalog_types import Answer, Route
from reports.entities import UUID, report_user
from reports.local_time import Clock, local_text, naive_utc, utc_now
from reports.meter_views import Point, span_facts, thin, trend, union_table
from reports.parameters import empty_parameters
from reports.periods import PeriodError, Periods, parse_report_periods
from reports.query import Engines, flag, language
from reports.store import Grid, categories, meter_series, peak_schedules

mt, pt = microgrid_tables, power_station_tables
MEASURES = (("energy", "energy"), ("billing", "cost"), ("carbon", "carbon"))  # (MyEMS's word, ours)
FRESH = timedelta(hours=1)
ONLINE = timedelta(minutes=10)
LOCAL = "%Y-%m-%dT%H:%M:%S"
ROLE_KEYS = {"buy": "grid_buy", "sell": "grid_sell"}
ROLE_NAMES = {"charge": "Charge", "discharge": "Discharge", "buy": "Grid buy", "sell": "Grid sell", "load": "Load",
              "photovoltaic": "Photovoltaic", "generator": "Generator", "evcharger": "EV charger",
              "heatpump": "Heat pump", "generation": "Generation"}
NO_LIFECYCLE = "3installation"  # a station still being installed is left out of the collections


def role_key(role: str) -> str:
    return ROLE_KEYS.get(role, role)


# ------------------------------------------------------------------------------------------- which assets

def one_asset(conn: Connection, assets: AssetKind, params: Mapping[str, Any],
              principal: Principal | None) -> dict[str, Any]:
    """The asset ``id`` | ``uuid`` (or a path ``id``) names, if the caller may see it."""
    raw_id, raw_uuid = str(params.get("id") or "").strip(), str(params.get("uuid") or "").strip()
    t = assets.table
    if raw_id:
        if not raw_id.isdecimal() or not 0 < int(raw_id) < 2**63:
            raise bad_request(f"API.INVALID_{assets.code}_ID")
        where = t.c.id == int(raw_id)
    elif raw_uuid:
        if not UUID.fullmatch(raw_uuid):
            raise bad_request(f"API.INVALID_{assets.code}_UUID")
        where = t.c.uuid == raw_uuid
    else:
        raise bad_request(f"API.INVALID_{assets.code}_ID")
    row = conn.execute(sa.select(t).where(where)).mappings().first()
    if row is None:
        raise not_found(f"API.{assets.code}_NOT_FOUND")
    if principal is None or not any(a["id"] == row["id"] for a in assets.visible(conn, _caller(conn, principal))):
        raise ApiError(403, "API.FORBIDDEN_ENTITY")
    return dict(row)


def users_assets(conn: Connection, assets: AssetKind, params: Mapping[str, Any], principal: Principal | None,
                 *, installed_only: bool = False) -> list[dict[str, Any]]:
    """The assets of ``useruuid`` (the caller without it), whole rows, by id."""
    user = report_user(conn, params, principal)
    ids = [a["id"] for a in assets.visible(conn, user)]
    t = assets.table
    rows = [dict(r) for r in conn.execute(sa.select(t).where(t.c.id.in_(ids)).order_by(t.c.id)).mappings()]
    if installed_only and "phase_of_lifecycle" in t.c:
        rows = [r for r in rows if r.get("phase_of_lifecycle") != NO_LIFECYCLE]
    return rows


def meta(conn: Connection, assets: AssetKind, row: Mapping[str, Any]) -> dict[str, Any]:
    """An asset as every asset report names it (MyEMS's station object and meta object in one)."""
    described: dict[str, Any] = {k: row.get(k) for k in ("id", "name", "uuid", "address", "postal_code",
                                                          "description", "phase_of_lifecycle", "serial_number")}
    for key in ("latitude", "longitude", "rated_power"):
        described[key] = number(row.get(key))
    described["rated_capacity"] = number(row.get("rated_capacity", row.get("capacity")))
    described["capacity"] = number(row.get("capacity"))
    for key, table in (("contact", schema.contacts), ("cost_center", schema.cost_centers)):
        found = conn.execute(sa.select(table.c.id, table.c.name, table.c.uuid).where(
            table.c.id == row.get(f"{key}_id"))).mappings().first() if row.get(f"{key}_id") else None
        described[key] = dict(found) if found else None
    link, s = schema.spaces_links[assets.kind], schema.spaces
    described["space_name"] = conn.execute(sa.select(s.c.name).join(link, link.c.space_id == s.c.id).where(
        link.c[assets.key] == row["id"]).order_by(s.c.id)).scalar()
    described["qrcode"] = f"{assets.kind}:{row['uuid']}"
    return described


# ---------------------------------------------------------------------------------------------- the numbers

@dataclass(frozen=True)
class RoleSeries:
    """Hourly values per asset and role on one grid; the roles no meter measures, per asset."""

    grid: Grid
    values: dict[int, dict[str, np.ndarray]]
    unbound: dict[int, list[str]]

    def of(self, asset_id: int, role: str) -> np.ndarray:
        return self.values[asset_id].get(role, np.zeros(self.grid.n))

    def warnings(self, asset_ids: Sequence[int]) -> list[str]:
        return sorted({f"API.NO_METER_BOUND_TO_{role.upper()}" for a in asset_ids for role in self.unbound[a]})


def role_series(engines: Engines, conn: Connection, assets: AssetKind, rows: Sequence[Mapping[str, Any]],
                measure: str, grid: Grid, roles: Sequence[str]) -> RoleSeries:
    """Each asset's roles as hourly ``measure`` ("energy" | "cost" | "carbon"), NaN hours as 0."""
    ids = [int(r["id"]) for r in rows]
    meters_of = assets.role_meters(conn, ids)
    meter_ids = sorted({m for by_role in meters_of.values() for ms in by_role.values() for m in ms})
    m = schema.meters
    category_of = {int(i): int(c) for i, c in conn.execute(sa.select(m.c.id, m.c.energy_category_id).where(
        m.c.id.in_(meter_ids)))}
    known = categories(conn)
    tariffs = tariffs_by_cost_center(conn) if measure == "cost" else {}
    energy, _ = meter_series(engines.energy, "meter", meter_ids, grid)
    row_of = {meter: i for i, meter in enumerate(meter_ids)}
    values: dict[int, dict[str, np.ndarray]] = {}
    unbound: dict[int, list[str]] = {}
    for row in rows:
        asset_id = int(row["id"])
        values[asset_id], unbound[asset_id] = {}, []
        for role in roles:
            meters = meters_of[asset_id].get(role, [])
            if not meters:
                unbound[asset_id].append(role)
            total = np.zeros(grid.n)
            for meter in meters:
                hourly = energy[row_of[meter]]
                category = category_of.get(meter, 0)
                if measure == "carbon":
                    factor = known[category].kgco2e if category in known else np.nan
                    hourly = hourly * factor
                elif measure == "cost":
                    found = tariffs.get((int(row.get("cost_center_id") or 0), category), [])
                    hourly = hourly_cost(grid.hours, hourly, found, engines.utc_offset_minutes) if found and grid.n \
                        else np.full(grid.n, np.nan)
                total += np.nan_to_num(hourly)
            values[asset_id][role] = total
    return RoleSeries(grid, values, unbound)


def lifetime_grid(engines: Engines, conn: Connection, assets: AssetKind, ids: list[int]) -> Grid:
    """The hours from the first to the last stored hour of the assets' meters."""
    meter_ids = sorted({m for by_role in assets.role_meters(conn, ids).values() for ms in by_role.values()
                        for m in ms})
    t = energy_db.meter_hourly
    with engines.energy.connect() as econn:
        low, high = econn.execute(sa.select(sa.func.min(t.c.start_datetime_utc), sa.func.max(t.c.start_datetime_utc))
                                  .where(t.c.meter_type == "meter", t.c.meter_id.in_(meter_ids))).one()
    if low is None:
        return Grid(0, 0)
    first, last = (int(_aware(v).timestamp()) for v in (low, high))
    return Grid(first, (last - first) // 3600 + 1)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def zone_of(engines: Engines, conn: Connection, assets: AssetKind, rows: Sequence[Mapping[str, Any]]) -> tzinfo:
    return entity_zone(conn, assets.kind, int(rows[0]["id"]), engines.fallback_zone) if rows else \
        engines.fallback_zone


def latest(engines: Engines, point_ids: set[int], now: datetime, fresh: timedelta = FRESH) -> dict[int, float | None]:
    """The points' latest good readings no older than ``fresh``."""
    if not point_ids:
        return {}
    t = historical.latest_values
    with engines.historical.connect() as conn:
        return {int(r.point_id): number(r.actual_value) for r in conn.execute(
            sa.select(t.c.point_id, t.c.actual_value).where(
                t.c.point_id.in_(sorted(point_ids)), t.c.is_bad.is_(False),
                t.c.utc_date_time >= naive_utc(now - fresh)))}


# ------------------------------------------------------------------------------------------------- windows

def windows(zone: tzinfo, now: datetime) -> dict[str, Periods]:
    """This week (6 days ago to now, daily), this month (daily) and this year (monthly), local."""
    local = now.astimezone(zone).replace(tzinfo=None, microsecond=0)
    midnight = local.replace(hour=0, minute=0, second=0)
    end = max(local, midnight + timedelta(hours=1)).strftime(LOCAL)
    starts = {"7_days": ("daily", midnight - timedelta(days=6)), "this_month": ("daily", midnight.replace(day=1)),
              "this_year": ("monthly", midnight.replace(month=1, day=1))}
    return {name: parse_report_periods(period_type, start.strftime(LOCAL), end, zone).reporting
            for name, (period_type, start) in starts.items()}


@dataclass(frozen=True)
class Windows:
    assets: AssetKind
    measure: str  # "energy" | "cost" | "carbon"
    roles: tuple[str, ...]
    item: bool = False  # one asset (``id`` | ``uuid``), else the user's
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        language(params)
        with engines.system.connect() as conn:
            rows = [one_asset(conn, self.assets, params, principal)] if self.item else \
                users_assets(conn, self.assets, params, principal, installed_only=True)
            periods = windows(zone_of(engines, conn, self.assets, rows), self.clock())
            grid = Grid.covering(*periods.values())
            series = role_series(engines, conn, self.assets, rows, self.measure, grid, self.roles)
            described = [meta(conn, self.assets, r) for r in rows]
        reporting: dict[str, Any] = {}
        for role in self.roles:
            for name, span in periods.items():
                sums = Sums.of(span, grid.hours, np.vstack([series.of(int(r["id"]), role) for r in rows])
                               if rows else np.zeros((0, grid.n)))
                reporting[f"{role_key(role)}_{name}"] = {
                    "timestamps_array": [list(sums.labels) for _ in rows],
                    "values_array": [numbers(v) for v in sums.values],
                    "total_values": numbers(sums.values.sum(axis=0)) if rows else [0.0] * len(sums.labels)}
        head: dict[str, Any] = {self.assets.kind: described[0]} if self.item else \
            {f"{self.assets.kind}_names": [d["name"] for d in described]}
        return {**head, "reporting": reporting, "warnings": series.warnings([int(r["id"]) for r in rows])}


@dataclass(frozen=True)
class Lifetime:
    assets: AssetKind
    roles: tuple[str, ...]
    item: bool = False
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        language(params)
        with engines.system.connect() as conn:
            rows = [one_asset(conn, self.assets, params, principal)] if self.item else \
                users_assets(conn, self.assets, params, principal)
            ids = [int(r["id"]) for r in rows]
            grid = lifetime_grid(engines, conn, self.assets, ids)
            by_measure = {word: role_series(engines, conn, self.assets, rows, ours, grid, self.roles)
                          for word, ours in MEASURES}
            described = [meta(conn, self.assets, r) for r in rows]
        online = self._online(engines, rows)
        result: dict[str, Any] = {}
        listed = []
        for row, asset in zip(rows, described, strict=True):
            asset["status"] = "online" if online.get(int(row["id"])) else "offline"
            for word, series in by_measure.items():
                for role in self.roles:
                    asset[f"subtotal_{role_key(role)}_{word}"] = number(series.of(int(row["id"]), role).sum())
            listed.append(asset)
        for word, _ in MEASURES:
            for role in self.roles:
                result[f"total_{role_key(role)}_{word}"] = number(sum(a[f"subtotal_{role_key(role)}_{word}"] or 0
                                                                      for a in listed))
        result["warnings"] = by_measure["energy"].warnings(ids)
        if self.item:
            return {self.assets.kind: described[0], **result}
        if self.roles == STORAGE:  # the storage dashboards' rankings and totals (older pages' names)
            ranked: dict[str, list[float]] = {
                "charge": [a["subtotal_charge_energy"] or 0 for a in listed],
                "discharge": [a["subtotal_discharge_energy"] or 0 for a in listed],
                "revenue": [(a["subtotal_discharge_billing"] or 0) - (a["subtotal_charge_billing"] or 0)
                            for a in listed]}
            for word, values in ranked.items():
                order = sorted(range(len(listed)), key=lambda n: -values[n])
                result[f"{word}_ranking"] = [{"id": listed[n]["id"], "name": listed[n]["name"],
                                              "value": number(values[n])} for n in order]
            result |= {"totalCharge": result["total_charge_energy"], "totalDischarge": result["total_discharge_energy"],
                       "totalRevenue": number(sum(ranked["revenue"]))}
            for n, asset in enumerate(listed):  # the asset tables' columns
                asset |= {"total_charge": ranked["charge"][n], "total_discharge": ranked["discharge"][n],
                          "total_revenue": number(ranked["revenue"][n])}
        result |= {"total_rated_capacity": number(sum(a["rated_capacity"] or 0 for a in listed)),
                   "total_rated_power": number(sum(a["rated_power"] or 0 for a in listed)),
                   "total_online": sum(1 for a in listed if a["status"] == "online"),
                   "total_offline": sum(1 for a in listed if a["status"] != "online"), "total_locked": 0}
        return {f"{self.assets.kind}s": listed, **result}

    def _online(self, engines: Engines, rows: Sequence[Mapping[str, Any]]) -> dict[int, bool]:
        """An asset is online when one of its parts' points read in the last ten minutes."""
        with engines.system.connect() as conn:
            points = asset_points(conn, self.assets, [int(r["id"]) for r in rows])
        fresh = latest(engines, {p.id for ps in points.values() for p in ps}, self.clock(), ONLINE)
        return {a: any(p.id in fresh for p in ps) for a, ps in points.items()}


# --------------------------------------------------------------------------------------------- the points

@dataclass(frozen=True)
class Part:
    """A kind of part as the details routes name it, with the table of its bound points."""

    path: str  # "bms", "grid", ...
    table: sa.Table
    points: sa.Table | None  # (``<short>_id``, ``point_id``)

    @property
    def point_key(self) -> str:
        assert self.points is not None
        return next(c.name for c in self.points.c if c.name not in ("id", "point_id"))

    @property
    def columns(self) -> tuple[str, ...]:
        """Its own point columns (``soc_point_id``...)."""
        return tuple(c.name for c in self.table.c if c.name.endswith("_point_id"))


def _parts(table_of: Mapping[str, sa.Table], points: Mapping[str, sa.Table],
           names: Sequence[tuple[str, str]]) -> dict[str, Part]:
    return {path: Part(path, table_of[kind], points.get(kind)) for path, kind in names}


MICROGRID_PARTS = _parts(
    {"batteries": mt.microgrid_batteries, "evchargers": mt.microgrid_evchargers, "generators": mt.microgrid_generators,
     "grids": mt.microgrid_grids, "heatpumps": mt.microgrid_heatpumps, "loads": mt.microgrid_loads,
     "photovoltaics": mt.microgrid_photovoltaics, "power_conversion_systems": mt.microgrid_power_conversion_systems},
    mt.PART_POINTS, (("bms", "batteries"), ("evcharger", "evchargers"), ("generator", "generators"), ("grid", "grids"),
                     ("heatpump", "heatpumps"), ("load", "loads"), ("pv", "photovoltaics"),
                     ("pcs", "power_conversion_systems")))
STATION_PARTS = _parts(
    {"batteries": pt.energy_storage_container_batteries, "grids": pt.energy_storage_container_grids,
     "loads": pt.energy_storage_container_loads,
     "powerconversionsystems": pt.energy_storage_container_power_conversion_systems,
     "dcdcs": pt.energy_storage_container_dcdcs, "firecontrols": pt.energy_storage_container_firecontrols,
     "hvacs": pt.energy_storage_container_hvacs, "stses": pt.energy_storage_container_stses},
    pt.CONTAINER_PART_POINTS, (("bms", "batteries"), ("dcdc", "dcdcs"), ("firecontrol", "firecontrols"),
                               ("grid", "grids"), ("hvac", "hvacs"), ("load", "loads"),
                               ("pcs", "powerconversionsystems"), ("sts", "stses")))
PV_PARTS = _parts({"grids": pt.photovoltaic_power_station_grids, "invertors": pt.photovoltaic_power_station_invertors,
                   "loads": pt.photovoltaic_power_station_loads}, pt.PV_PART_POINTS,
                  (("grid", "grids"), ("invertor", "invertors"), ("load", "loads")))
PARTS = {MICROGRIDS.kind: MICROGRID_PARTS, STATIONS.kind: STATION_PARTS, PV_STATIONS.kind: PV_PARTS}


def part_rows(conn: Connection, assets: AssetKind, part: Part, ids: list[int]) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(assets.owned(part.table, ids).order_by(part.table.c.id)).mappings()]


def bound_points(conn: Connection, part: Part, part_ids: list[int]) -> dict[int, list[int]]:
    """Part id -> the points bound to it, in binding order."""
    found: dict[int, list[int]] = {i: [] for i in part_ids}
    if part.points is None or not part_ids:
        return found
    key = part.points.c[part.point_key]
    for part_id, point_id in conn.execute(sa.select(key, part.points.c.point_id).where(key.in_(part_ids))
                                          .order_by(part.points.c.id)):
        found[int(part_id)].append(int(point_id))
    return found


def points_named(conn: Connection, ids: set[int]) -> dict[int, Point]:
    p = schema.points
    return {int(r.id): Point(int(r.id), str(r.name), str(r.object_type), str(r.units or ""))
            for r in conn.execute(sa.select(p.c.id, p.c.name, p.c.object_type, p.c.units).where(
                p.c.id.in_(sorted(ids))))} if ids else {}


def asset_points(conn: Connection, assets: AssetKind, ids: list[int]) -> dict[int, list[Point]]:
    """Per asset, every point its parts read or are bound to, each once, in part order."""
    wanted: dict[int, list[int]] = {a: [] for a in ids}
    for part in PARTS[assets.kind].values():
        rows = part_rows(conn, assets, part, ids)
        bound = bound_points(conn, part, [int(r["id"]) for r in rows])
        for r in rows:
            wanted[int(r["asset_id"])] += [r[c] for c in part.columns if r.get(c)] + bound[int(r["id"])]
    named = points_named(conn, {p for ps in wanted.values() for p in ps})
    return {a: [named[p] for p in dict.fromkeys(ps) if p in named] for a, ps in wanted.items()}


# ------------------------------------------------------------------------------------------------ details

@dataclass(frozen=True)
class PartDetails:
    """``/reports/<kind>details/{id}/<part>``: each part with its points' latest values."""

    assets: AssetKind
    part: Part
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
        with engines.system.connect() as conn:
            asset = one_asset(conn, self.assets, params, principal)
            rows = part_rows(conn, self.assets, self.part, [int(asset["id"])])
            bound = bound_points(conn, self.part, [int(r["id"]) for r in rows])
            ids = {p for ps in bound.values() for p in ps} | {r[c] for r in rows for c in self.part.columns if r[c]}
            p = schema.points
            about = {int(r.id): r for r in conn.execute(sa.select(p.c.id, p.c.name, p.c.units, p.c.description)
                                                        .where(p.c.id.in_(sorted(ids))))} if ids else {}
        values = latest(engines, ids, self.clock())
        answer = []
        for r in rows:
            item: dict[str, Any] = {"id": r["id"], "name": r["name"], "uuid": r.get("uuid")}
            for column in self.part.columns:
                item[column.removesuffix("_id")] = values.get(r[column]) if r[column] else None
                if column.endswith("_point_id"):  # v6.7.0's invertor page reads "invertor_state", "pv1_u"...
                    item.setdefault(column.removesuffix("_point_id"), item[column.removesuffix("_id")])
            item.update({k: r[k] for k in ("model", "serial_number") if k in r and k not in item})
            item["points"] = [[about[i].name, about[i].units, about[i].description, values.get(i)]
                              for i in bound[int(r["id"])] if i in about]
            answer.append(item)
        return answer


@dataclass(frozen=True)
class StationMeters:
    """A storage station's charge and discharge meters with their points' latest values."""

    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
        with engines.system.connect() as conn:
            asset = one_asset(conn, STATIONS, params, principal)
            meters = sorted({m for ms in STATIONS.role_meters(conn, [int(asset["id"])])[int(asset["id"])].values()
                             for m in ms})
            m, mp, p = schema.meters, schema.meters_points, schema.points
            joined = m.outerjoin(mp, mp.c.meter_id == m.c.id).outerjoin(p, p.c.id == mp.c.point_id)
            rows = conn.execute(sa.select(m.c.id, m.c.name, m.c.uuid, p.c.id.label("point_id"), p.c.name.label("point"),
                                          p.c.units, p.c.description).select_from(joined)
                                .where(m.c.id.in_(meters)).order_by(m.c.id, p.c.id)).all()
        values = latest(engines, {int(r.point_id) for r in rows if r.point_id}, self.clock())
        found: dict[int, dict[str, Any]] = {}
        for r in rows:
            meter = found.setdefault(int(r.id), {"id": r.id, "name": r.name, "uuid": r.uuid, "points": []})
            if r.point_id:
                meter["points"].append([r.point, r.units, r.description, values.get(int(r.point_id))])
        every = {tuple(p[:3]): p for m in found.values() for p in m["points"]}
        return [{"points": list(every.values()), "meters": list(found.values())}]


def station_commands(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
    """The commands bound to a storage station's containers, named ``<container>-<command>``."""
    c, link, cc = schema.commands, pt.energy_storage_containers_commands, pt.energy_storage_containers
    with engines.system.connect() as conn:
        asset = one_asset(conn, STATIONS, params, principal)
        query = STATIONS.owned(cc, [int(asset["id"])], cc.c.name.label("container"), c.c.id, c.c.name, c.c.uuid,
                               c.c.topic, c.c.payload, c.c.set_value, c.c.description)
        rows = conn.execute(query.join(link, link.c[pt.CONTAINER] == cc.c.id).join(c, c.c.id == link.c.command_id)
                            .order_by(c.c.id)).mappings().all()
    return [{"id": r["id"], "name": f"{r['container']}-{r['name']}", "uuid": r["uuid"], "topic": r["topic"],
             "payload": r["payload"], "set_value": number(r["set_value"]), "description": r["description"]}
            for r in rows]


PEAK_LABELS = {"toppeak": "Top-Peak", "onpeak": "On-Peak", "midpeak": "Mid-Peak", "offpeak": "Off-Peak",
               "deep": "Deep-Valley"}


def schedule_of(rows: Sequence[Any]) -> dict[str, Any]:
    """MyEMS's schedule: each row's power once per half hour it covers, and the rows with labelled peak types."""
    series: list[float | None] = []
    listed = []
    for r in rows:
        start, end = _minutes(r.start_time_of_day), _minutes(r.end_time_of_day)
        series += [number(r.power)] * max(0, -(-(end - start) // 30))
        listed.append({"start_time_of_day": _clock_text(r.start_time_of_day),
                       "end_time_of_day": _clock_text(r.end_time_of_day),
                       "peak_type": PEAK_LABELS.get(r.peak_type, "Unknown"), "power": number(r.power)})
    return {"series_data": series, "schedule_list": listed}


def _clock_text(value: Any) -> str:
    text = str(value)
    return f"0{text}" if len(text) == 7 else text[:8]


def _minutes(value: Any) -> int:
    parts = [int(float(x)) for x in str(value).split(":")[:3]] + [0, 0]
    return parts[0] * 60 + parts[1] + (1 if parts[2] >= 59 else 0)


def station_schedule(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    """The first container's schedule (a station's containers share one in practice, as MyEMS shows it)."""
    s = pt.energy_storage_container_schedules
    with engines.system.connect() as conn:
        asset = one_asset(conn, STATIONS, params, principal)
        first = conn.execute(STATIONS.owned(pt.energy_storage_containers, [int(asset["id"])],
                                            pt.energy_storage_containers.c.id).order_by(
            pt.energy_storage_containers.c.id)).first()
        rows = conn.execute(sa.select(s).where(s.c[pt.CONTAINER] == first[1]).order_by(s.c.start_time_of_day)
                            ).all() if first else []
    return {"schedule": schedule_of(rows)}


# ---------------------------------------------------------------------------------------------- reporting

def _periods(engines: Engines, params: Mapping[str, Any], zone: tzinfo, *, with_type: bool = True) -> Any:
    try:
        return parse_report_periods(params.get("periodtype") if with_type else "daily",
                                    params.get("reportingperiodstartdatetime"),
                                    params.get("reportingperiodenddatetime"), zone,
                                    base_start=params.get("baseperiodstartdatetime"),
                                    base_end=params.get("baseperiodenddatetime"), max_days=engines.max_days)
    except PeriodError as exc:
        raise bad_request(exc.code) from exc


@dataclass(frozen=True)
class Reporting:
    """One asset's roles per period, with subtotals and their time-of-use split."""

    assets: AssetKind
    measure: str  # "energy" | "cost"
    roles: tuple[str, ...]
    title: str

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        language(params)
        with engines.system.connect() as conn:
            row = one_asset(conn, self.assets, params, principal)
            zone = zone_of(engines, conn, self.assets, [row])
            periods = _periods(engines, params, zone)
            grid = Grid.covering(periods.reporting, periods.base)
            series = role_series(engines, conn, self.assets, [row], self.measure, grid, self.roles)
            described = meta(conn, self.assets, row)
            electricity = next((c for c in categories(conn).values() if c.unit.lower() == "kwh"), None)
            schedules = peak_schedules(conn, row.get("cost_center_id"))
        matrix = np.vstack([series.of(int(row["id"]), role) for role in self.roles])
        unit = "kWh" if self.measure == "energy" else engines.currency
        result: dict[str, Any] = {self.assets.kind: described, "warnings": series.warnings([int(row["id"])])}
        for key, span in (("reporting_period", periods.reporting), ("base_period", periods.base)):
            sums = Sums.of(span, grid.hours, matrix)
            block: dict[str, Any] = {"names": [ROLE_NAMES.get(r, r) for r in self.roles],
                                     "energy_category_ids": [electricity.id if electricity else None] * len(self.roles),
                                     "units": [unit] * len(self.roles), **blocks.sums_block(sums)}
            if span is not None:
                tariffs = [(s.valid_from, s.valid_through, blocks.minute_map(s.rows))
                           for s in schedules.get(electricity.id, [])] if electricity else []
                split = blocks.peak_totals(matrix, blocks.peak_fractions(grid.hours, tariffs,
                                                                         engines.utc_offset_minutes),
                                           blocks.span_of(span), grid.hours) if tariffs else \
                    np.zeros((len(self.roles), len(PEAK_TYPES)))
                for index, peak_type in enumerate(PEAK_TYPES):
                    block[f"{peak_type}s"] = numbers(split[:, index])
            result[key] = block
        rp, bp = result["reporting_period"], result["base_period"]
        rp["increment_rates"] = [rate(r, b) if periods.base else None
                                 for r, b in zip(rp["subtotals"], bp["subtotals"], strict=True)]
        result["parameters"] = empty_parameters()  # the point trends: ...reportingparameters
        result["excel_bytes_base64"] = None if flag(params, "quickmode") else excel.render_base64(excel.from_result(
            self.title, span_facts(self.assets.kind.replace("_", " ").title(), str(row["name"]), periods.reporting),
            {"reporting_period": result["reporting_period"], "base_period": result["base_period"]}))
        return result


@dataclass(frozen=True)
class Parameters:
    """The trends of every point the asset's parts read or are bound to, over the reporting period."""

    assets: AssetKind
    title: str
    cap: int = 10_000

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        """The asset's points, or v6.7.0's ``pointids`` (the ones its page picked, comma-separated)."""
        language(params)
        chosen = [v.strip() for v in str(params.get("pointids") or "").split(",") if v.strip()]
        if not all(v.isdecimal() for v in chosen):
            raise bad_request("API.INVALID_POINT_ID")
        with engines.system.connect() as conn:
            row = one_asset(conn, self.assets, params, principal) if params.get("id") or params.get("uuid") or \
                not chosen else None
            zone = zone_of(engines, conn, self.assets, [row] if row else [])
            reporting = _periods(engines, {**params, "baseperiodstartdatetime": None}, zone, with_type=False).reporting
            if row is None:  # points not of a named asset: administrators' and API keys' only
                if principal is None or not _caller(conn, principal)["is_admin"]:
                    raise ApiError(403, "API.FORBIDDEN_ENTITY")
                named = points_named(conn, {int(v) for v in chosen})
                points = [named[int(v)] for v in chosen if int(v) in named]
            else:
                points = asset_points(conn, self.assets, [int(row["id"])])[int(row["id"])]
            described = meta(conn, self.assets, row) if row else None
        start, end = reporting.utc_range
        block = trends(engines, points, start, end, zone, self.cap)
        result: dict[str, Any] = {self.assets.kind: described, "parameters": block}
        result["excel_bytes_base64"] = None if flag(params, "quickmode") else excel.render_base64(excel.ExcelReport(
            title=self.title, facts=span_facts("Asset", str(row["name"]) if row else "-", reporting),
            detail=union_table("Trend values", block["names"], block["timestamps"], block["values"])))
        return result


def trends(engines: Engines, points: Sequence[Point], start: datetime, end: datetime, zone: tzinfo,
           cap: int) -> dict[str, list[Any]]:
    block: dict[str, list[Any]] = {"names": [], "timestamps": [], "values": []}
    with engines.historical.connect() as conn:
        for point in points:
            if point.object_type not in historical.TRENDS:
                continue
            kept = thin(trend(conn, point, start, end), cap)
            block["names"].append(point.label)
            block["timestamps"].append([local_text(s, zone) for s in kept[:, 0]])
            block["values"].append(numbers(kept[:, 1]))
    return block


# ----------------------------------------------------------------------------------------- lists and pages

# What a list shows live, per asset kind: (key, part, point column) read from the asset's first such part.
LIVE: dict[str, tuple[tuple[str, str, str], ...]] = {
    MICROGRIDS.kind: (("battery_state_point_value", "bms", "battery_state_point_id"),
                      ("battery_soc_point_value", "bms", "soc_point_id"),
                      ("battery_power_point_value", "bms", "power_point_id"),
                      ("photovoltaic_power_point_value", "pv", "power_point_id"),
                      ("grid_power_point_value", "grid", "power_point_id"),
                      ("load_power_point_value", "load", "power_point_id"),
                      ("pcs_run_state_point_value", "pcs", "run_state_point_id")),
    STATIONS.kind: (("battery_state_point_value", "bms", "battery_state_point_id"),
                    ("battery_soc_point_value", "bms", "soc_point_id"),
                    ("battery_power_point_value", "bms", "power_point_id"),
                    ("grid_power_point_value", "grid", "power_point_id"),
                    ("load_power_point_value", "load", "power_point_id"),
                    ("pcs_run_state_point_value", "pcs", "run_state_point_id")),
    PV_STATIONS.kind: (("invertor_state_point_value", "invertor", "invertor_state_point_id"),
                       ("grid_power_point_value", "grid", "power_point_id"),
                       ("load_power_point_value", "load", "power_point_id")),
}
PCS_STATES = {0: "Initializing", 1: "Standby", 9: "Shutdown", 10: "Fault"}
BATTERY_STATES = {4: "Charging", 5: "Discharging"}


@dataclass(frozen=True)
class AssetList:
    assets: AssetKind
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
        now = self.clock()
        with engines.system.connect() as conn:
            rows = users_assets(conn, self.assets, params, principal)
            ids = [int(r["id"]) for r in rows]
            first: dict[tuple[int, str], dict[str, Any]] = {}
            for _, path, _ in LIVE[self.assets.kind]:
                for r in reversed(part_rows(conn, self.assets, PARTS[self.assets.kind][path], ids)):
                    first[(int(r["asset_id"]), path)] = r
            described = [meta(conn, self.assets, r) for r in rows]
            points = asset_points(conn, self.assets, ids)
            zone = zone_of(engines, conn, self.assets, rows)
            grid = Grid(int(now.timestamp()) // 3600 * 3600 - 25 * 3600, 24)
            generation = role_series(engines, conn, self.assets, rows, "energy", grid, ("generation",)) \
                if self.assets is PV_STATIONS else None
            day = Grid(int(now.timestamp()) // 3600 * 3600 - 23 * 3600, 24)  # the last 24 hours, this one too
            stored = role_series(engines, conn, self.assets, rows, "energy", day, STORAGE) \
                if self.assets is STATIONS else None
        midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        clock_times = [local_text(h, zone)[11:16] for h in day.hours]
        wanted = {r[c] for (_, _), r in first.items() for _, _, c in LIVE[self.assets.kind] if r.get(c)}
        values = latest(engines, wanted | {p.id for ps in points.values() for p in ps}, now, ONLINE)
        answer = []
        for row, asset in zip(rows, described, strict=True):
            asset_id = int(row["id"])
            for key, path, column in LIVE[self.assets.kind]:
                part = first.get((asset_id, path))
                asset[key] = values.get(part[column]) if part and part.get(column) else None
            asset["is_online"] = any(p.id in values for p in points[asset_id])
            state = asset.get("pcs_run_state_point_value", asset.get("invertor_state_point_value"))
            asset["pcs_run_state"] = "Unknown" if state is None else PCS_STATES.get(int(state), "Running")
            battery = asset.get("battery_state_point_value")
            asset["battery_state"] = "Unknown" if battery is None else BATTERY_STATES.get(int(battery), "Stopped")
            asset["battery_operating_state"] = asset["battery_state"]  # v6.7.0's storage list's name
            if stored is not None:
                for role in STORAGE:
                    series = stored.of(asset_id, role)
                    asset[f"{role}_times"] = list(clock_times)
                    asset[f"{role}_values"] = numbers(series)
                    asset[f"today_total_{role}"] = number(np.nansum(series[day.hours >= midnight]))
            if generation is not None:
                asset["time_stamps"] = [local_text(h, zone)[11:] for h in grid.hours]
                asset["hourly_data"] = numbers(generation.of(asset_id, "generation"))
                asset["times"], asset["values"] = asset["time_stamps"], asset["hourly_data"]  # v6.7.0's list page
            answer.append(asset)
        return answer


@dataclass(frozen=True)
class Details:
    """One asset's page: today's and lifetime indicators, and the last three days of its roles and points."""

    assets: AssetKind
    roles: tuple[str, ...]  # the indicators' roles: charge and discharge, or generation
    clock: Clock = utc_now
    days: int = 3

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        language(params)
        now = self.clock()
        with engines.system.connect() as conn:
            row = one_asset(conn, self.assets, params, principal)
            ids = [int(row["id"])]
            zone = zone_of(engines, conn, self.assets, [row])
            described = meta(conn, self.assets, row)
            svg = conn.execute(sa.select(schema.svgs.c.svg).where(
                schema.svgs.c.id == row.get("svg_diagram_id"))).scalar() if row.get("svg_diagram_id") else None
            described["svg"] = svg or row.get("svg")
            midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
            today = Grid(int(midnight.timestamp()) // 3600 * 3600, max(1, -(-int(now.timestamp() -
                                                                                   midnight.timestamp()) // 3600)))
            life = lifetime_grid(engines, conn, self.assets, ids)
            recent = Grid(int(now.timestamp()) // 3600 * 3600 - self.days * 86_400, self.days * 24)
            every = tuple(dict.fromkeys(role for _, _, role in self.assets.roles))
            shown = role_series(engines, conn, self.assets, [row], "energy", recent, every)
            numbers_of = {(word, span): role_series(engines, conn, self.assets, [row], ours, grid, self.roles)
                          for word, ours in MEASURES for span, grid in (("today", today), ("total", life))}
            points = [p for p in asset_points(conn, self.assets, ids)[ids[0]] if p.object_type == "ANALOG_VALUE"]
            schedules = conn.execute(sa.select(mt.microgrid_schedules).where(
                mt.microgrid_schedules.c.microgrid_id == ids[0]).order_by(mt.microgrid_schedules.c.start_time_of_day)
            ).all() if self.assets is MICROGRIDS else []
        result: dict[str, Any] = {self.assets.kind: described}
        result["reporting_period"] = {
            "names": [ROLE_NAMES.get(r, r) for r in every], "units": ["kWh"] * len(every),
            "subtotals": [number(shown.of(ids[0], r).sum()) for r in every], "increment_rates": [],
            "timestamps": [[local_text(h, zone) for h in recent.hours] for _ in every],
            "values": [numbers(shown.of(ids[0], r)) for r in every]}
        for word, label in (("energy", "energy"), ("billing", "revenue"), ("carbon", "carbon")):
            result[f"{label}_indicators"] = {
                f"{span}_{role_key(role)}_{label}_value": number(numbers_of[(word, span)].of(ids[0], role).sum())
                for span in ("today", "total") for role in self.roles}
        if self.assets is PV_STATIONS:
            today_generation = result["energy_indicators"]["today_generation_energy_value"]
            capacity = described["rated_capacity"]
            result["energy_indicators"]["performance_ratio"] = number(100 * today_generation / capacity) \
                if today_generation and capacity else None
        if self.assets is MICROGRIDS:
            result["schedule"] = schedule_of(schedules)
        result["parameters"] = trends(engines, points, naive_utc(now - timedelta(days=self.days)), naive_utc(now),
                                      zone, 10_000)
        result["warnings"] = shown.warnings(ids)
        return result


# ------------------------------------------------------------------------------------------------ the routes

Roles = tuple[str, ...]
STORAGE: Roles = ("charge", "discharge")
STORAGE_ALL: Roles = ("charge", "discharge", "buy", "sell", "load")
PV: Roles = ("generation",)
PV_ALL: Roles = ("generation", "buy", "sell", "load")
_SHOWN_AS_METERS = ((PV_STATIONS, "grid"), (PV_STATIONS, "load"))  # v6.7.0 shows them as the station's meters
_ES, _MG, _PV = "/reports/energystoragepowerstation", "/reports/microgrid", "/reports/photovoltaicpowerstation"


def _routes() -> tuple[Route, ...]:
    found = []
    for prefix, assets, roles in ((_ES, STATIONS, STORAGE), (_PV, PV_STATIONS, PV)):
        for word, ours in MEASURES:
            found.append(Route(f"{prefix}collection{word}", Windows(assets, ours, roles).answer))
            found.append(Route(f"{prefix}item{word}", Windows(assets, ours, roles, item=True).answer))
        found.append(Route(f"{prefix}itemdashboard", Lifetime(assets, roles, item=True).answer))
    for prefix, assets, roles, title in ((_ES, STATIONS, STORAGE_ALL, "Energy Storage Power Station"),
                                         (_PV, PV_STATIONS, PV_ALL, "Photovoltaic Power Station")):
        found += [Route(f"{prefix}reportingenergy", Reporting(assets, "energy", roles, f"{title} Energy").answer),
                  Route(f"{prefix}reportingrevenue", Reporting(assets, "cost", roles, f"{title} Revenue").answer),
                  Route(f"{prefix}reportingparameters", Parameters(assets, f"{title} Parameters").answer)]
    found.append(Route(f"{_MG}reportingenergy", Reporting(MICROGRIDS, "energy", tuple(dict.fromkeys(
        role for _, _, role in MICROGRIDS.roles)), "Microgrid Energy").answer))
    for role, path in (("evcharger", "evcharger"), ("buy", "gridbuy"), ("sell", "gridsell"), ("load", "load"),
                       ("photovoltaic", "photovoltaic")):
        found.append(Route(f"{_MG}{path}", Windows(MICROGRIDS, "energy", (role,)).answer))
    found.append(Route(f"{_MG}scarbon", Windows(MICROGRIDS, "carbon", STORAGE).answer))
    found += [Route(f"{_MG}dashboard", Lifetime(MICROGRIDS, STORAGE).answer),
              Route(f"{_PV}dashboard", Lifetime(PV_STATIONS, PV).answer),
              Route(f"{_MG}list", AssetList(MICROGRIDS).answer), Route(f"{_PV}list", AssetList(PV_STATIONS).answer),
              Route(f"{_MG}details", Details(MICROGRIDS, STORAGE).answer),
              Route(f"{_PV}details", Details(PV_STATIONS, PV).answer)]
    for prefix, assets in ((_ES, STATIONS), (_MG, MICROGRIDS), (_PV, PV_STATIONS)):
        found += [Route(f"{prefix}details/{{id}}/{path}", PartDetails(assets, part).answer)
                  for path, part in PARTS[assets.kind].items() if (assets, path) not in _SHOWN_AS_METERS]
    found += [Route("/reports/microgridsenergy", merged(AssetReport(MICROGRIDS, "energy", "Microgrids Energy").answer,
                                                        Windows(MICROGRIDS, "energy", STORAGE).answer)),
              Route("/reports/microgridsbilling", merged(AssetReport(MICROGRIDS, "cost", "Microgrids Billing").answer,
                                                         Windows(MICROGRIDS, "cost", STORAGE).answer)),
              Route(f"{_ES}dashboard", merged(AssetReport(STATIONS, "energy", f"{_ES_TITLE} Dashboard").answer,
                                              Lifetime(STATIONS, STORAGE).answer)),
              Route(f"{_ES}list", station_list),
              Route(f"{_ES}details", merged(StationDetails().answer, seed_named(Details(STATIONS, STORAGE).answer)))]
    found += [Route(f"{_ES}details/{{id}}/meter", StationMeters().answer),
              Route(f"{_PV}details/{{id}}/meter", PvMeters().answer),
              Route(f"{_ES}details/{{id}}/command", station_commands),
              Route(f"{_ES}details/{{id}}/schedule", station_schedule)]
    return tuple(found)


@dataclass(frozen=True)
class PvMeters:
    """A PV station's grid connections and loads with their electrical points' latest values."""

    clock: Clock = utc_now
    parts: tuple[Part, ...] = field(default_factory=lambda: (PV_PARTS["grid"], PV_PARTS["load"]))

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
        found: list[Any] = []
        for part in self.parts:
            for item in PartDetails(PV_STATIONS, part, self.clock).answer(engines, params, principal):
                found.append(item)
        with engines.system.connect() as conn:
            name = one_asset(conn, PV_STATIONS, params, principal)["name"]
        return [{**item, "name": f"{name}-{item['name']}"} for item in found]


_ES_TITLE = "Energy Storage Power Station"
_SEED_LIST = AssetReport(STATIONS, "energy", f"{_ES_TITLE}s", per_period=False)


def station_list(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> Any:
    """The seed's list (totals over a reporting period) when asked with its parameters, else v6.7.0's array of
    stations with their live values and the last day's charge and discharge."""
    if any(params.get(k) for k in ("energystoragepowerstationlistid", "reportingperiodstartdatetime", "periodtype")):
        return _SEED_LIST.answer(engines, params, principal)
    return AssetList(STATIONS).answer(engines, params, principal)


def merged(*answers: Answer) -> Answer:
    """One route answering the seed's shape and v6.7.0's at once: each later answer adds the keys the earlier
    lack, inside objects too, and inside lists of objects by their ``id``; the first answer's errors are the
    route's (they check the same parameters)."""
    def answer(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for one in answers:
            result = _added(result, one(engines, params, principal))
        return result
    return answer


def seed_named(answer: Answer) -> Answer:
    """A station answer that also takes the seed's names of its ``id``."""
    def named(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> Any:
        seed = params.get("energystoragepowerstationid") or params.get("energystoragepowerstationdetailsid")
        return answer(engines, {**params, "id": params.get("id") or seed}, principal)
    return named


def _added(first: dict[str, Any], later: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(first)
    for key, value in later.items():
        old = out.get(key)
        if key not in out:
            out[key] = value
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = {**value, **old}
        elif isinstance(old, list) and isinstance(value, list) and all(
                isinstance(x, dict) and "id" in x for x in (*old, *value)):
            extra = {x["id"]: x for x in value}
            out[key] = [{**extra.get(x["id"], {}), **x} for x in old]
    return out


ROUTES = _routes()
