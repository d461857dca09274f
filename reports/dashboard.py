"""The dashboard: a user's spaces (or equipment, tenants...), this reporting period against the base period.

``/reports/dashboard`` shows spaces; ``/reports/<kind>dashboard`` (equipment, combined equipment, tenant, store,
shopfloor) the same blocks for every entity of that kind the user may see (all for an administrator, else
those bound to a space of their privilege's subtrees), summed, with ``summary`` (how many, their meters and
sensors, their area), ``<kind>s`` (each one's ``total_energy`` / ``_cost`` / ``_carbon`` and ``..._by_category``
over the reporting period) and ``top_<kind>s`` (the five using the most). ``/reports/spacedashboard`` is one
space's energy category report (which has its child spaces' subtotals, ``child_space``).

``/reports/dashboard?useruuid=&periodtype=&baseperiodstartdatetime=&baseperiodenddatetime=
&reportingperiodstartdatetime=&reportingperiodenddatetime=[&quickmode][&language]`` (the seed's query).

- Whose dashboard: ``useruuid``'s; without it, the caller's own (an API key must name a user: 400
  ``API.INVALID_USER_UUID``). An administrator or API key may name any user; any other user only
  themself, else 403 ``API.FORBIDDEN_USER``. A malformed uuid answers 400 ``API.INVALID_USER_UUID``, an unknown
  one 404 ``API.USER_NOT_FOUND``.
- The user's spaces: an administrator's are the roots of the space tree; anyone else's the spaces their
  privilege names (a space inside another named one is not counted twice); without a privilege, none (empty
  lists, zeros). ``space`` is the first of them (MyEMS shows one space), ``spaces`` all.
- Periods are read in the first space's zone (the configured offset without spaces). ``periodtype`` defaults to
  ``monthly``. Without a reporting period the report covers this year up to now (local 1 January to now), and,
  unless a base period is given, compares it with the same span of last year. A reporting period without a
  base period is compared with nothing (increment rates ``null``).
- ``reporting_period_input`` / ``base_period_input``: the spaces' input energy per category (summed over the
  spaces), with kgce and kgCO2e; ``..._cost`` and ``..._carbon`` the same for cost and carbon (``total``:
  their sum over categories, which share a currency or kgCO2e). Per unit area divides by the spaces' total
  area. Shapes follow :mod:`reports.blocks` (MyEMS's ``names``, ``units``, ``timestamps``, ``values``,
  ``subtotals``, ``increment_rates``).
- ``child_space_input`` / ``child_space_cost`` / ``child_space_carbon``: the reporting period's subtotals of
  the direct children of the spaces, per category (MyEMS's ``energy_category_names``, ``units``,
  ``child_space_names_array``, ``subtotals_array``: [category][child]).
- ``reporting_period_input`` also splits each category by peak type (the first space's cost center's
  time-of-use tariffs); ``reporting_period_output`` / ``base_period_output`` are what the spaces (or equipment)
  deliver; ``sensor`` lists the spaces' sensors with their points and ``point`` each point's live value.
- An equipment's row has its output and efficiency (output over input, in %); ``/reports/spacedashboard``
  without a space lists every space the user may see the same way (``spaces``, ``top_spaces``, ``summary``).

"Now" comes from the report's clock (a constructor argument), so tests pin it without a query parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.auth import Principal
from myems_api.db import schema
from myems_api.errors import bad_request, not_found
from myems_api.resources.spaces import outermost
from myems_api.zones import entity_zone
from reports import blocks, excel
from reports.asset_views import latest
from reports.batch import BatchReport
from reports.blocks import Sums, number, numbers, per, rate, rates
from reports.catalog_types import Route, standard
from reports.energy_reports import EntityReport, unit_of
from reports.entities import IN_SPACE, TABLES, privilege_spaces, report_user, subtree
from reports.local_time import Clock, utc_now, zone_name
from reports.meter_views import MeterTracking, space_members
from reports.query import Engines, flag, language, span_query, this_year_unless_asked
from reports.store import Category, Grid, categories, entity_totals, peak_schedules, span_totals, summed_series

MEASURES = (("input", "energy"), ("cost", "cost"), ("carbon", "carbon"))
# What a dashboard counts an entity holds: MyEMS's total_meters, total_sensors, total_equipments...
_HOLDINGS = {kind: {what: links[what] for what in ("meter", "sensor", "equipment") if what in links}
             for kind, links in (("equipment", schema.equipments_links),
                                 ("combined_equipment", schema.combined_equipments_links),
                                 ("tenant", schema.tenants_links), ("store", schema.stores_links),
                                 ("shopfloor", schema.shopfloors_links))}
_HOLDINGS["space"] = {"meter": schema.spaces_meters, "sensor": schema.spaces_sensors}


@dataclass(frozen=True)
class Dashboard:
    clock: Clock = utc_now
    title: str = "Dashboard"
    kind: str = "space"
    listing: bool = False  # spaces: also list every space the user may see (v6.7.0's space dashboard page)

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        s = schema.spaces
        with engines.system.connect() as conn:
            user = report_user(conn, params, principal)
            roots = self._spaces(conn, user)
            members = roots if self.kind == "space" else self._members(conn, user)
            spaces = [dict(r) for r in conn.execute(
                sa.select(s.c.id, s.c.name, s.c.uuid, s.c.area, s.c.parent_space_id, s.c.cost_center_id)
                .where(s.c.id.in_(roots)).order_by(s.c.id)).mappings()] if roots else []
            children = list(conn.execute(sa.select(s.c.id, s.c.name).where(s.c.parent_space_id.in_(roots))
                                         .order_by(s.c.id)).all()) if roots else []
            zone = entity_zone(conn, "space", roots[0], engines.fallback_zone) if roots else engines.fallback_zone
            known = categories(conn)
        quick, _ = flag(params, "quickmode"), language(params)
        periods = this_year_unless_asked(engines, params, zone, self.clock)
        reporting, base = periods.reporting, periods.base
        grid = Grid.covering(reporting, base)
        keys, measures = summed_series(engines.energy, self.kind, members, grid)
        listed = [known.get(k) for k in keys]
        names = [c.name if c else f"#{k}" for k, c in zip(keys, listed, strict=True)]
        area = sum(float(sp["area"] or 0) for sp in spaces) or None
        result: dict[str, Any] = {
            "user": {k: user[k] for k in ("id", "name", "display_name", "uuid")},
            "space": self._space(spaces[0]) if spaces else None, "spaces": [self._space(sp) for sp in spaces],
            "timezone": zone_name(zone)}
        for prefix, measure in MEASURES:
            units = [unit_of(measure, c, engines.currency) for c in listed]
            now, before = Sums.of(reporting, grid.hours, measures[measure]), Sums.of(base, grid.hours,
                                                                                    measures[measure])
            labels = {"names": names, "energy_category_ids": list(keys), "units": units,
                      "category_names": names, "category_units": units}  # v6.7.0's dashboards read the latter
            rp: dict[str, Any] = {**labels, **blocks.sums_block(now)}
            bp: dict[str, Any] = {**labels, **blocks.sums_block(before)}
            rp["increment_rates"] = [rate(r, b) if base else None for r, b in zip(
                numbers(now.totals), numbers(before.totals), strict=True)]
            rp["rates"] = [rates(r, b) for r, b in zip(rp["values"], bp["values"], strict=True)]
            rp["subtotals_per_unit_area"], bp["subtotals_per_unit_area"] = per(now.totals, area), per(before.totals,
                                                                                                     area)
            if measure == "energy":
                blocks.coal_and_carbon(rp, bp, now, before, listed, base is not None)
                for factor in ("kgce", "kgco2e"):
                    rp[f"total_in_{factor}_per_unit_area"] = per([rp[f"total_in_{factor}"]], area)[0]
            else:
                rp["total"], bp["total"] = number(now.totals.sum()), number(before.totals.sum())
                rp["total_increment_rate"] = rate(rp["total"], bp["total"]) if base else None
                rp["total_per_unit_area"] = number(now.totals.sum() / area) if area else None
            result[f"reporting_period_{prefix}"], result[f"base_period_{prefix}"] = rp, bp
        if self.kind == "space":
            result.update(self._children(engines, children, keys, listed, reporting.utc_range))
            with engines.system.connect() as conn:
                schedules = peak_schedules(conn, spaces[0]["cost_center_id"]) if spaces else {}
            EntityReport.peaks(result["reporting_period_input"], engines, measures["energy"], list(keys), schedules,
                               reporting, grid.hours)
            result.update(self._sensors(engines, roots))
        if self.kind in ("space", "equipment"):  # what they deliver: a space's output, a chiller's cooling
            result.update(self._output(engines, members, grid, known, base is not None, periods))
        if self.listing:
            with engines.system.connect() as conn:
                seen = subtree(conn, roots) if roots else []
                result.update(self._entities(engines, conn, sorted(seen), keys, listed, reporting.utc_range))
            result["summary"]["total_area"] = number(area)  # nested spaces' areas are in their parents'
        elif self.kind != "space":
            with engines.system.connect() as conn:
                result.update(self._entities(engines, conn, members, keys, listed, reporting.utc_range))
            result |= {"period_type": reporting.period_type, "reporting_period_start": reporting.start.isoformat(),
                       "reporting_period_end": reporting.end.isoformat()}
        if quick:
            result["excel_bytes_base64"] = None
            return result
        facts: tuple[tuple[str, str], ...] = (
            ("User", str(user["name"])), ("Spaces", ", ".join(str(sp["name"]) for sp in spaces) or "-"),
            ("Reporting Period", f"{reporting.start.isoformat()} - {reporting.end.isoformat()}"),
            ("Period Type", reporting.period_type))
        if base is not None:
            facts += (("Base Period", f"{base.start.isoformat()} - {base.end.isoformat()}"),)
        result["excel_bytes_base64"] = excel.render_base64(self._workbook(result, facts))
        return result

    # ---------------------------------------------------------------------------------------- who and where

    @staticmethod
    def _spaces(conn: Connection, user: Mapping[str, Any]) -> list[int]:
        """The user's root spaces (module docstring), by id."""
        s = schema.spaces
        parents = {int(i): p for i, p in conn.execute(sa.select(s.c.id, s.c.parent_space_id))}
        if user["is_admin"]:
            return sorted(i for i, p in parents.items() if p is None)
        named = [i for i in privilege_spaces(conn, user["privilege_id"]) if i in parents]
        return sorted(outermost(named, parents))

    @staticmethod
    def _space(row: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": row["id"], "name": row["name"], "uuid": row["uuid"], "area": number(row["area"]),
                "parent_space_id": row["parent_space_id"], "cost_center_id": row["cost_center_id"]}


    def _sensors(self, engines: Engines, roots: list[int]) -> dict[str, Any]:
        """MyEMS's ``sensor`` (the spaces' sensors with their points, by id) and ``point`` (each point's live
        value, ``null`` when it has none fresher than an hour)."""
        if not roots:
            return {"sensor": {}, "point": {}}
        se, link, sp, p = schema.sensors, schema.spaces_sensors, schema.sensors_points, schema.points
        with engines.system.connect() as conn:
            rows = conn.execute(sa.select(se.c.id, se.c.name, se.c.description, se.c.uuid, p.c.id.label("point_id"),
                                          p.c.name.label("point_name"), p.c.units)
                                .join(link, link.c.sensor_id == se.c.id).where(link.c.space_id.in_(roots))
                                .outerjoin(sp, sp.c.sensor_id == se.c.id).outerjoin(p, p.c.id == sp.c.point_id)
                                .order_by(se.c.id, p.c.id)).all()
        sensors: dict[str, Any] = {}
        for r in rows:
            sensor = sensors.setdefault(str(r.id), {"name": r.name, "description": r.description, "uuid": r.uuid,
                                                    "point_id_list": [], "point_name_list": [],
                                                    "point_unit_list": []})
            if r.point_id is not None and r.point_id not in sensor["point_id_list"]:
                sensor["point_id_list"].append(r.point_id)
                sensor["point_name_list"].append(r.point_name)
                sensor["point_unit_list"].append(r.units or "")
        ids = {i for sensor in sensors.values() for i in sensor["point_id_list"]}
        values = latest(engines, ids, self.clock())
        return {"sensor": sensors, "point": {str(i): values.get(i) for i in sorted(ids)}}

    def _output(self, engines: Engines, members: list[int], grid: Grid, known: Mapping[int, Category],
                has_base: bool, periods: Any) -> dict[str, Any]:
        """What the entities deliver (``reporting_period_output`` / ``base_period_output``), per category."""
        keys, measures = summed_series(engines.energy, self.kind, members, grid, "output")
        listed = [known.get(k) for k in keys]
        labels = {"names": [c.name if c else f"#{k}" for k, c in zip(keys, listed, strict=True)],
                  "energy_category_ids": list(keys), "units": [unit_of("energy", c) for c in listed]}
        now = Sums.of(periods.reporting, grid.hours, measures["energy"])
        before = Sums.of(periods.base, grid.hours, measures["energy"])
        rp = {**labels, **blocks.sums_block(now), "increment_rates": [
            rate(r, b) if has_base else None for r, b in zip(numbers(now.totals), numbers(before.totals), strict=True)]}
        return {"reporting_period_output": rp, "base_period_output": {**labels, **blocks.sums_block(before)}}

    # ------------------------------------------------------------------------------------------------ numbers

    def _members(self, conn: Connection, user: Mapping[str, Any]) -> list[int]:
        """The entities of the dashboard's kind the user may see."""
        table = TABLES[self.kind]
        if user["is_admin"]:
            return [int(i) for i in conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars()]
        spaces = subtree(conn, privilege_spaces(conn, user["privilege_id"]))
        return sorted(space_members(conn, IN_SPACE[self.kind], f"{self.kind}_id", spaces))

    def _entities(self, engines: Engines, conn: Connection, ids: list[int], keys: tuple[int, ...],
                  listed: list[Category | None], span: tuple[datetime, datetime]) -> dict[str, Any]:
        """Each entity's reporting-period totals per category, the top five, and what they hold."""
        table = TABLES[self.kind]
        rows = conn.execute(sa.select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings().all()
        sums = entity_totals(engines.energy, self.kind, ids, span, keys)
        delivered: dict[int, dict[str, float]] = {}
        if self.kind == "equipment":
            for (owner, k), v in span_totals(engines.energy, self.kind, ids, span, sorted(categories(conn)),
                                             "output").items():
                delivered.setdefault(owner, {})[str(k)] = v[0]
        entities = []
        types = dict(conn.execute(sa.select(schema.tenant_types.c.id, schema.tenant_types.c.name)).all()) \
            if self.kind == "tenant" else {}
        for row in rows:
            item: dict[str, Any] = {"id": row["id"], "name": row["name"], "uuid": row["uuid"],
                                    "cost_center_id": row.get("cost_center_id"), "area": number(row.get("area"))}
            # What the pages show beside the numbers: a store's address and place on the map, a tenant's type.
            plain = (str, bool, int, float, Decimal)
            item.update({k: v if isinstance(v, str | bool | int) or v is None else number(v)
                         for k, v in row.items() if k not in item and (v is None or isinstance(v, plain))})
            if types:
                item["tenant_type"] = types.get(row.get("tenant_type_id"))
            for position, word in enumerate(("energy", "cost", "carbon")):
                by_category = {str(k): sums.get((int(row["id"]), k), (0.0, 0.0, 0.0))[position] for k in keys}
                item[f"total_{word}"] = number(sum(by_category.values()))
                item[f"{word}_by_category"] = by_category
            if self.kind == "equipment":
                item.update(self._delivered(delivered.get(int(row["id"]), {}), item["total_energy"]))
            entities.append(item)
        links = {**_HOLDINGS.get(self.kind, {})}
        summary: dict[str, Any] = {f"total_{self.kind}s": len(entities),
                                   "total_area": number(sum(e["area"] or 0 for e in entities)), "total_alerts": 0}
        for what, link in links.items():
            summary[f"total_{what}s"] = conn.execute(sa.select(sa.func.count(sa.distinct(link.c[f"{what}_id"])))
                                                     .where(link.c[f"{self.kind}_id"].in_(ids))).scalar() or 0
        top = sorted(entities, key=lambda e: -(e["total_energy"] or 0))[:5]
        return {"summary": summary, f"{self.kind}s": entities,
                f"top_{self.kind}s": [{"id": e["id"], "name": e["name"], "total_energy": e["total_energy"],
                                       "categories": e["energy_by_category"]} for e in top]}

    @staticmethod
    def _delivered(by_category: dict[str, float], used: float | None) -> dict[str, Any]:
        """An equipment's output per category and its efficiency (output over input in %, across categories as
        v6.7.0's dashboard shows it; ``null`` without both)."""
        total = number(sum(by_category.values()))
        return {"total_output": total, "output_by_category": by_category,
                "efficiency": number(total / used * 100) if total and used else None}

    @staticmethod
    def _children(engines: Engines, children: list[Any], keys: tuple[int, ...], listed: list[Category | None],
                  span: tuple[datetime, datetime]) -> dict[str, Any]:
        """The children's reporting-period subtotals per category and measure, one grouped query."""
        sums = entity_totals(engines.energy, "space", [int(c.id) for c in children], span, keys)
        names = [c.name if c else f"#{k}" for k, c in zip(keys, listed, strict=True)]
        out: dict[str, Any] = {}
        for position, (prefix, measure) in enumerate(MEASURES):
            out[f"child_space_{prefix}"] = {
                "energy_category_names": names, "units": [unit_of(measure, c, engines.currency) for c in listed],
                "child_space_names_array": [[str(c.name) for c in children] for _ in keys],
                "subtotals_array": [[sums.get((int(c.id), k), (0.0, 0.0, 0.0))[position] for c in children]
                                    for k in keys]}
        return out

    # ------------------------------------------------------------------------------------------------- Excel

    @staticmethod
    def _workbook(result: Mapping[str, Any], facts: tuple[tuple[str, str], ...]) -> excel.ExcelReport:
        parts = {prefix: excel.from_result("", (), {"reporting_period": result[f"reporting_period_{prefix}"],
                                                    "base_period": result[f"base_period_{prefix}"]})
                 for prefix, _ in MEASURES}
        titles = {"input": "Input energy", "cost": "Cost", "carbon": "Carbon dioxide emissions"}
        rp, bp = result["reporting_period_input"], result["base_period_input"]
        totals = [(titles["input"], "kgce", rp["total_in_kgce"], bp["total_in_kgce"], rp["increment_rate_in_kgce"]),
                  (titles["input"], "kgCO2e", rp["total_in_kgco2e"], bp["total_in_kgco2e"],
                   rp["increment_rate_in_kgco2e"])]
        for prefix in ("cost", "carbon"):
            rp, bp = result[f"reporting_period_{prefix}"], result[f"base_period_{prefix}"]
            totals.append((titles[prefix], "kgCO2e" if prefix == "carbon" else "cost", rp["total"], bp["total"],
                           rp["total_increment_rate"]))
        summary = excel.Table(
            title="Totals", header=("Measure", "Unit", "Reporting period", "Base period", "Increment rate"),
            rows=tuple(totals), column_formats=(None, None, None, None, excel.PERCENT))
        tables: list[excel.Table] = []
        for prefix, _ in MEASURES:
            part = parts[prefix]
            for table in (part.detail, part.summary, *part.extra):  # the input energy per period first: charted
                if table is not None:
                    tables.append(dataclasses.replace(table, title=f"{titles[prefix]}: {table.title.lower()}"))
        children = result.get("child_space_input")
        if children is not None:
            child_names = children["child_space_names_array"][0] if children["child_space_names_array"] else []
            headers = tuple(f"{n} ({u})" if u else n for n, u in zip(children["energy_category_names"],
                                                                       children["units"], strict=True))
            tables.append(excel.Table(
                title="Input energy of the child spaces", header=("Child space", *headers),
                rows=tuple((name, *(column[i] for column in children["subtotals_array"]))
                           for i, name in enumerate(child_names))))
        for key, listed in result.items():
            if key.startswith("top_"):
                tables.append(excel.Table(title="Largest users", header=("Name", "Energy"),
                                          rows=tuple((e["name"], e["total_energy"]) for e in listed)))
        return excel.ExcelReport(title="Dashboard", facts=facts, summary=summary, detail=tables[0],
                                 extra=tuple(tables[1:]))


@dataclass(frozen=True)
class MeterDashboard:
    """The meters, virtual and offline meters of a space subtree in one category (``energyCategory``: an id or
    ``all``) over the period (default: this month to now): counters' start and end values for meters (as the
    meter tracking report reads them), the energy in the period for virtual and offline meters."""

    clock: Clock = utc_now
    tracking: MeterTracking = MeterTracking(title="Meter Dashboard")

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        wanted = str(params.get("energyCategory") or params.get("energycategory") or "").strip()
        if wanted != "all" and not (wanted.isdecimal() and int(wanted) > 0):
            raise bad_request("API.INVALID_ENERGY_CATEGORY_ID")
        now = self.clock()
        asked = dict(params)
        if not asked.get("reportingperiodstartdatetime"):
            local = now.astimezone(engines.fallback_zone).replace(tzinfo=None, microsecond=0)
            asked["reportingperiodstartdatetime"] = local.replace(day=1, hour=0, minute=0, second=0).isoformat()
            asked["reportingperiodenddatetime"] = asked.get("reportingperiodenddatetime") or local.isoformat()
        with engines.system.connect() as conn:
            if wanted != "all" and int(wanted) not in categories(conn):
                raise not_found("API.ENERGY_CATEGORY_NOT_FOUND")
        tracked = self.tracking.answer(engines, asked, principal)
        query = span_query(engines, "space", asked, principal)
        meters = [m for m in tracked["meters"] if wanted == "all" or m["energy_category_id"] == int(wanted)]
        result = {**tracked, "meters": meters, "meter_count": len(meters)}
        for kind in ("virtual_meter", "offline_meter"):
            listed = BatchReport(kind, f"{kind}s", "", "").answer(engines, {**asked, "quickmode": "true"}, principal)
            rows = [{**m, "start_value": None, "end_value": None, "difference_value": m["subtotal"]}
                    for m in listed[f"{kind}s"] if wanted == "all" or m["energy_category_id"] == int(wanted)]
            result[f"{kind}s"], result[f"{kind}_count"] = rows, len(rows)
        result["timezone"] = zone_name(query.entity.zone)
        return result


_ONE_SPACE = standard("space", EntityReport("energycategory", title="Space Dashboard"))
_USERS_SPACES = Dashboard(kind="space", listing=True, title="Space Dashboard")


def space_dashboard(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    """One space's energy category report when the query names a space (``spaceid`` | ``spaceuuid``), else the
    user's spaces as the dashboards of the other kinds list theirs (v6.7.0's pages call it both ways)."""
    if str(params.get("spaceid") or "").strip() or str(params.get("spaceuuid") or "").strip():
        one: dict[str, Any] = _ONE_SPACE(engines, params, principal)
        return one
    return _USERS_SPACES.answer(engines, params, principal)


ROUTES: tuple[Route, ...] = (Route("/reports/dashboard", Dashboard().answer),
                             Route("/reports/spacedashboard", space_dashboard),
                             Route("/reports/meterdashboard", MeterDashboard().answer), *(
    Route(f"/reports/{kind.replace('_', '')}dashboard", Dashboard(kind=kind, title=f"{kind.title()} Dashboard").answer)
    for kind in ("equipment", "combined_equipment", "tenant", "store", "shopfloor")))
