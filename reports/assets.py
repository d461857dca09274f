"""Reports on energy assets: microgrids and energy storage power stations, per user.

An asset's parts name the meters that measure them; each meter plays a *role*:

- a battery's charge and discharge meters (``charge``, ``discharge``), a grid connection's buy and sell
  meters (``buy``, ``sell``), a load's meter (``load``);
- in a microgrid also photovoltaic, generator, EV charger and heat pump (its electricity) meters.

A report sums each role's energy (``microgridsenergy``, ``energystoragepowerstationdashboard``,
``energystoragepowerstationlist``), its cost under the asset's cost center's tariffs for the meter's
category (``microgridsbilling``), or its carbon by the category's factor
(``energystoragepowerstationscarbon``), per period of the reporting period (default: this year, monthly, in
the asset's zone: its space's, else ``MYEMS_UTC_OFFSET``). A meter playing two roles is counted in each.

Whose assets: ``useruuid``'s (the caller's own without it; see :func:`reports.entities.report_user`):
every asset for an administrator, else the assets bound to the user (``/microgrids/{id}/users``,
``/energystoragepowerstations/{id}/users``). ``energystoragepowerstationdetails`` reports one station
(``energystoragepowerstationid``, or the seed's ``energystoragepowerstationdetailsid``, or ``id``) the
caller may see, with its containers and its batteries' latest state of charge and power.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.billing import hourly_cost
from aggregation.entities import tariffs_by_cost_center
from myems_api.auth import Principal
from myems_api.db import historical, microgrid_tables, power_station_tables, schema
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.zones import entity_zone
from reports import excel
from reports.blocks import Sums, number, numbers
from reports.catalog_types import Route
from reports.entities import report_user
from reports.local_time import Clock, utc_now, zone_name
from reports.query import Engines, flag, language, this_year_unless_asked
from reports.store import Grid, categories, meter_series

mt, pt = microgrid_tables, power_station_tables
MICROGRID_ROLES: tuple[tuple[sa.Table, str, str], ...] = (
    (mt.microgrid_batteries, "charge_meter_id", "charge"), (mt.microgrid_batteries, "discharge_meter_id", "discharge"),
    (mt.microgrid_grids, "buy_meter_id", "buy"), (mt.microgrid_grids, "sell_meter_id", "sell"),
    (mt.microgrid_photovoltaics, "meter_id", "photovoltaic"), (mt.microgrid_loads, "meter_id", "load"),
    (mt.microgrid_generators, "meter_id", "generator"), (mt.microgrid_evchargers, "meter_id", "evcharger"),
    (mt.microgrid_heatpumps, "electricity_meter_id", "heatpump"),
)
STATION_ROLES: tuple[tuple[sa.Table, str, str], ...] = (
    (pt.energy_storage_container_batteries, "charge_meter_id", "charge"),
    (pt.energy_storage_container_batteries, "discharge_meter_id", "discharge"),
    (pt.energy_storage_container_grids, "buy_meter_id", "buy"),
    (pt.energy_storage_container_grids, "sell_meter_id", "sell"),
    (pt.energy_storage_container_loads, "meter_id", "load"),
)


PV_ROLES: tuple[tuple[sa.Table, str, str], ...] = (
    (pt.photovoltaic_power_station_invertors, "generation_meter_id", "generation"),
    (pt.photovoltaic_power_station_grids, "buy_meter_id", "buy"),
    (pt.photovoltaic_power_station_grids, "sell_meter_id", "sell"),
    (pt.photovoltaic_power_station_loads, "meter_id", "load"),
)


@dataclass(frozen=True)
class AssetKind:
    kind: str  # "microgrid" | "energy_storage_power_station" | "photovoltaic_power_station"
    table: sa.Table
    users: sa.Table  # (asset, user) bindings
    roles: tuple[tuple[sa.Table, str, str], ...]
    via: sa.Table | None = None  # parts held through another owner (a station's containers), else their own column

    @property
    def key(self) -> str:
        return f"{self.kind}_id"

    @property
    def code(self) -> str:
        """Its name in error codes: ``API.INVALID_<CODE>_ID``, ``API.<CODE>_NOT_FOUND``."""
        return self.kind.upper()

    def owned(self, part: sa.Table, asset_ids: list[int], *columns: Any) -> sa.Select[Any]:
        """``(asset id, *columns)`` of the part rows of the assets (``columns`` default: the whole row)."""
        wanted = columns or tuple(part.c)
        if self.via is None:
            owner = part.c[self.key]
            return sa.select(owner.label("asset_id"), *wanted).where(owner.in_(asset_ids))
        held = next(c for c in self.via.c if c.name not in (self.key, "id"))
        owner = self.via.c[self.key]
        target = part.c.get(held.name, part.c.id)  # a part, or the holder itself
        return sa.select(owner.label("asset_id"), *wanted).join(self.via, held == target).where(owner.in_(asset_ids))

    def role_meters(self, conn: Connection, asset_ids: list[int]) -> dict[int, dict[str, list[int]]]:
        """Per asset, per role, the meter ids (a station's through its containers)."""
        found: dict[int, dict[str, list[int]]] = {a: {} for a in asset_ids}
        for part, column, role in self.roles:
            for asset, meter in conn.execute(self.owned(part, asset_ids, part.c[column])):
                if meter is not None:
                    found[int(asset)].setdefault(role, []).append(int(meter))
        return found

    def visible(self, conn: Connection, user: Mapping[str, Any]) -> list[dict[str, Any]]:
        t = self.table
        query = sa.select(t.c.id, t.c.name, t.c.uuid, t.c.address, t.c.latitude, t.c.longitude, t.c.capacity,
                          t.c.cost_center_id).order_by(t.c.id)
        if not user["is_admin"]:
            query = query.where(t.c.id.in_(sa.select(self.users.c[self.key]).where(
                self.users.c.user_id == user["id"])))
        return [dict(r) for r in conn.execute(query).mappings()]


MICROGRIDS = AssetKind("microgrid", mt.microgrids, mt.microgrids_links["user"], MICROGRID_ROLES)
STATIONS = AssetKind("energy_storage_power_station", pt.energy_storage_power_stations,
                     pt.energy_storage_power_stations_users, STATION_ROLES,
                     via=pt.energy_storage_power_stations_containers)
PV_STATIONS = AssetKind("photovoltaic_power_station", pt.photovoltaic_power_stations,
                        pt.photovoltaic_power_stations_links["user"], PV_ROLES)


@dataclass(frozen=True)
class AssetReport:
    assets: AssetKind
    measure: str  # "energy" | "cost" | "carbon"
    title: str
    per_period: bool = True  # False: totals only (a list)
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        with engines.system.connect() as conn:
            user = report_user(conn, params, principal)
            assets = self.assets.visible(conn, user)
            return self.build(engines, conn, params, assets, {k: user[k] for k in ("id", "name", "uuid")})

    def build(self, engines: Engines, conn: Connection, params: Mapping[str, Any], assets: list[dict[str, Any]],
              user: dict[str, Any] | None) -> dict[str, Any]:
        quick, _ = flag(params, "quickmode"), language(params)
        zone = (entity_zone(conn, self.assets.kind, assets[0]["id"], engines.fallback_zone) if assets
                else engines.fallback_zone)
        periods = this_year_unless_asked(engines, params, zone, self.clock)
        reporting = periods.reporting
        roles = self.assets.role_meters(conn, [a["id"] for a in assets])
        meter_ids = sorted({m for by_role in roles.values() for ids in by_role.values() for m in ids})
        meters = {r.id: r for r in conn.execute(sa.select(schema.meters.c.id, schema.meters.c.energy_category_id)
                                                .where(schema.meters.c.id.in_(meter_ids)))}
        known = categories(conn)
        tariffs = tariffs_by_cost_center(conn) if self.measure == "cost" else {}
        grid = Grid.covering(reporting)
        energy, _ = meter_series(engines.energy, "meter", meter_ids, grid)
        row_of = {m: i for i, m in enumerate(meter_ids)}
        names = list(dict.fromkeys(role for _, _, role in self.assets.roles))
        totals = np.zeros((len(names), grid.n))
        for asset in assets:
            asset["roles"] = {}
            for role, ids in roles[asset["id"]].items():
                series = np.zeros(grid.n)
                for meter_id in ids:
                    series += np.nan_to_num(self._measure(engines, energy[row_of[meter_id]], grid, meters[meter_id],
                                                          asset, known, tariffs))
                asset["roles"][role] = number(Sums.of(reporting, grid.hours, series[None, :]).totals[0])
                totals[names.index(role)] += series
            for key in ("latitude", "longitude", "capacity"):
                asset[key] = number(asset[key])
        sums = Sums.of(reporting, grid.hours, totals)
        unit = {"energy": "kWh", "cost": engines.currency, "carbon": "kgCO2e"}[self.measure]
        result: dict[str, Any] = {"user": user, "timezone": zone_name(zone), f"{self.assets.kind}s": assets,
                                  "reporting_period": {"names": names, "units": [unit] * len(names),
                                                       "subtotals": numbers(sums.totals)}}
        if self.per_period:
            result["reporting_period"]["timestamps"] = [list(sums.labels) for _ in names]
            result["reporting_period"]["values"] = [numbers(row) for row in sums.values]
        result["excel_bytes_base64"] = None if quick else excel.render_base64(excel.from_result(
            self.title, (("Reporting Period", f"{reporting.start.isoformat()} - {reporting.end.isoformat()}"),),
            {"reporting_period": {**result["reporting_period"],
                                  "timestamps": [list(sums.labels) for _ in names],
                                  "values": [numbers(row) for row in sums.values]},
             "base_period": {"timestamps": [], "values": [], "subtotals": []}}))
        return result

    def _measure(self, engines: Engines, energy: Any, grid: Grid, meter: Any, asset: Mapping[str, Any],
                 known: Mapping[int, Any], tariffs: Mapping[tuple[int, int], Any]) -> Any:
        if self.measure == "carbon":
            category = known.get(meter.energy_category_id)
            return energy * (category.kgco2e if category else np.nan)
        if self.measure == "cost":
            found = tariffs.get((asset["cost_center_id"], meter.energy_category_id), [])
            return hourly_cost(grid.hours, energy, found, engines.utc_offset_minutes) if found and grid.n else \
                np.full(grid.n, np.nan)
        return energy


@dataclass(frozen=True)
class StationDetails:
    title: str = "Energy Storage Power Station Details"
    clock: Clock = utc_now

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        raw = next((params[k] for k in ("energystoragepowerstationid", "energystoragepowerstationdetailsid", "id")
                    if params.get(k)), "")
        if not str(raw).strip().isdecimal():
            raise bad_request("API.INVALID_ENERGY_STORAGE_POWER_STATION_ID")
        station_id = int(str(raw).strip())
        with engines.system.connect() as conn:
            if conn.execute(sa.select(pt.energy_storage_power_stations.c.id).where(
                    pt.energy_storage_power_stations.c.id == station_id)).first() is None:
                raise not_found("API.ENERGY_STORAGE_POWER_STATION_NOT_FOUND")
            if principal is None:
                raise ApiError(403, "API.FORBIDDEN_ENTITY")
            mine = [a for a in STATIONS.visible(conn, _caller(conn, principal)) if a["id"] == station_id]
            if not mine:
                raise ApiError(403, "API.FORBIDDEN_ENTITY")
            result = AssetReport(STATIONS, "energy", self.title, clock=self.clock).build(
                engines, conn, params, mine, None)
            result["energy_storage_power_station"] = result.pop("energy_storage_power_stations")[0]
            result["containers"] = self._containers(conn, station_id)
        result["batteries"] = self._batteries(engines, result["containers"])
        return result

    @staticmethod
    def _containers(conn: Connection, station_id: int) -> list[dict[str, Any]]:
        c, link = pt.energy_storage_containers, pt.energy_storage_power_stations_containers
        return [dict(r) for r in conn.execute(sa.select(c.c.id, c.c.name, c.c.uuid).join(
            link, link.c[pt.CONTAINER] == c.c.id).where(link.c[pt.STATION] == station_id).order_by(c.c.id)).mappings()]

    @staticmethod
    def _batteries(engines: Engines, containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        b = pt.energy_storage_container_batteries
        with engines.system.connect() as conn:
            rows = conn.execute(sa.select(b.c.id, b.c.name, b.c[pt.CONTAINER], b.c.soc_point_id, b.c.power_point_id)
                                .where(b.c[pt.CONTAINER].in_([c["id"] for c in containers])).order_by(b.c.id)).all()
        points = {p for r in rows for p in (r.soc_point_id, r.power_point_id) if p}
        t = historical.latest_values
        with engines.historical.connect() as conn:
            latest = {r.point_id: r.actual_value for r in conn.execute(sa.select(t.c.point_id, t.c.actual_value).where(
                t.c.point_id.in_(points), t.c.is_bad.is_(False)))}
        return [{"id": r.id, "name": r.name, "container_id": r[2], "soc": number(latest.get(r.soc_point_id)),
                 "power": number(latest.get(r.power_point_id))} for r in rows]


def _caller(conn: Connection, principal: Principal) -> dict[str, Any]:
    """The caller as :meth:`AssetKind.visible` takes a user: API keys and administrators see every asset."""
    if principal.kind != "user" or principal.is_admin:
        return {"id": principal.id, "is_admin": True}
    return {"id": principal.id, "is_admin": False}


ROUTES = (  # microgridsenergy, -billing and the station dashboard, list and details: reports.asset_views
    Route("/reports/energystoragepowerstationscarbon",
          AssetReport(STATIONS, "carbon", "Energy Storage Power Stations Carbon").answer),
)
