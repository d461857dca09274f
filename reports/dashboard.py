"""The dashboard: a user's spaces, this reporting period against the base period, as MyEMS's dashboard shows.

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

"Now" comes from the report's clock (a constructor argument), so tests pin it without a query parameter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.series import Values
from myems_api.auth import Principal
from myems_api.db import energy, schema
from myems_api.resources.spaces import outermost
from myems_api.zones import entity_zone
from reports import blocks, excel
from reports.blocks import Sums, number, numbers, rate, rates
from reports.catalog_types import Route
from reports.energy_reports import unit_of
from reports.entities import privilege_spaces, report_user
from reports.local_time import Clock, utc_now, zone_name
from reports.query import Engines, flag, language, this_year_unless_asked
from reports.store import Category, Grid, categories, entity_series

MEASURES = (("input", "energy"), ("cost", "cost"), ("carbon", "carbon"))


@dataclass(frozen=True)
class Dashboard:
    clock: Clock = utc_now
    title: str = "Dashboard"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        s = schema.spaces
        with engines.system.connect() as conn:
            user = report_user(conn, params, principal)
            roots = self._spaces(conn, user)
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
        keys, measures = self._series(engines, roots, grid)
        listed = [known.get(k) for k in keys]
        names = [c.name if c else f"#{k}" for k, c in zip(keys, listed, strict=True)]
        area = sum(float(sp["area"] or 0) for sp in spaces) or None
        result: dict[str, Any] = {
            "user": {k: user[k] for k in ("id", "name", "display_name", "uuid")},
            "space": self._space(spaces[0]) if spaces else None, "spaces": [self._space(sp) for sp in spaces],
            "timezone": zone_name(zone)}
        for prefix, measure in MEASURES:
            units = [unit_of(measure, c) for c in listed]
            now, before = Sums.of(reporting, grid.hours, measures[measure]), Sums.of(base, grid.hours,
                                                                                    measures[measure])
            rp: dict[str, Any] = {"names": names, "energy_category_ids": list(keys), "units": units,
                                  **blocks.sums_block(now)}
            bp: dict[str, Any] = {"names": names, "energy_category_ids": list(keys), "units": units,
                                  **blocks.sums_block(before)}
            rp["increment_rates"] = [rate(r, b) if base else None for r, b in zip(
                numbers(now.totals), numbers(before.totals), strict=True)]
            rp["rates"] = [rates(r, b) for r, b in zip(rp["values"], bp["values"], strict=True)]
            rp["subtotals_per_unit_area"] = [number(v / area) if area else None for v in now.totals]
            if measure == "energy":
                blocks.coal_and_carbon(rp, bp, now, before, listed, base is not None)
            else:
                rp["total"], bp["total"] = number(now.totals.sum()), number(before.totals.sum())
                rp["total_increment_rate"] = rate(rp["total"], bp["total"]) if base else None
                rp["total_per_unit_area"] = number(now.totals.sum() / area) if area else None
            result[f"reporting_period_{prefix}"], result[f"base_period_{prefix}"] = rp, bp
        result.update(self._children(engines, children, keys, listed, reporting.utc_range))
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


    # ------------------------------------------------------------------------------------------------ numbers

    @staticmethod
    def _series(engines: Engines, roots: list[int], grid: Grid) -> tuple[tuple[int, ...], dict[str, Values]]:
        """The spaces' hourly input energy, cost and carbon per category, summed over the spaces (NaN where
        none has a row)."""
        found = [entity_series(engines.energy, "space", space_id, "input", "category", grid) for space_id in roots]
        keys = tuple(sorted({k for series in found for k in series.keys}))
        index = {k: i for i, k in enumerate(keys)}
        out: dict[str, Values] = {m: np.full((len(keys), grid.n), np.nan) for _, m in MEASURES}
        for series in found:
            rows = [index[k] for k in series.keys]
            for _, measure in MEASURES:
                total, add = out[measure][rows], series.measure(measure)
                out[measure][rows] = np.where(np.isnan(total), add, np.where(np.isnan(add), total, total + add))
        return keys, out

    @staticmethod
    def _children(engines: Engines, children: list[Any], keys: tuple[int, ...], listed: list[Category | None],
                  span: tuple[datetime, datetime]) -> dict[str, Any]:
        """The children's reporting-period subtotals per category and measure, one grouped query."""
        e = energy.entity_hourly
        sums: dict[tuple[int, int], tuple[float, float, float]] = {}
        if children and keys:
            with engines.energy.connect() as conn:
                rows = conn.execute(sa.select(e.c.entity_id, e.c.energy_category_id, sa.func.sum(e.c.actual_value),
                                              sa.func.sum(e.c.cost), sa.func.sum(e.c.carbon)).where(
                    e.c.entity_type == "space", e.c.entity_id.in_([int(c.id) for c in children]),
                    e.c.direction == "input", e.c.energy_item_id == 0, e.c.start_datetime_utc >= span[0],
                    e.c.start_datetime_utc < span[1]).group_by(e.c.entity_id, e.c.energy_category_id)).all()
            sums = {(int(r[0]), int(r[1])): (float(r[2] or 0), float(r[3] or 0), float(r[4] or 0)) for r in rows}
        names = [c.name if c else f"#{k}" for k, c in zip(keys, listed, strict=True)]
        out: dict[str, Any] = {}
        for position, (prefix, measure) in enumerate(MEASURES):
            out[f"child_space_{prefix}"] = {
                "energy_category_names": names, "units": [unit_of(measure, c) for c in listed],
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
        children = result["child_space_input"]
        child_names = children["child_space_names_array"][0] if children["child_space_names_array"] else []
        headers = tuple(f"{n} ({u})" if u else n for n, u in zip(children["energy_category_names"],
                                                                   children["units"], strict=True))
        tables.append(excel.Table(
            title="Input energy of the child spaces", header=("Child space", *headers),
            rows=tuple((name, *(column[i] for column in children["subtotals_array"]))
                       for i, name in enumerate(child_names))))
        return excel.ExcelReport(title="Dashboard", facts=facts, summary=summary, detail=tables[0],
                                 extra=tuple(tables[1:]))


ROUTES: tuple[Route, ...] = (Route("/reports/dashboard", Dashboard().answer),)
