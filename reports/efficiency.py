"""Efficiency of equipment and combined equipment: each fraction parameter's numerator over denominator.

A fraction parameter names two meters (meter, offline meter or virtual meter) by uuid: a chiller's cooling
delivered over its electricity used gives its COP. Per period the efficiency is the numerator's energy
over the denominator's, and the reporting period's ``cumulations`` are the totals' ratio (not the mean of
the period ratios). A period whose denominator is 0 has no efficiency (``null``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from myems_api.db import schema
from myems_api.resources.meters import METER_TABLES, metering_by_uuid
from reports.blocks import Sums, number, numbers, rate
from reports.energy_reports import describe, finish
from reports.query import Engines, ReportQuery
from reports.store import Grid, categories, meter_series

_PARAMETERS = {"equipment": schema.equipment_parameters, "combined_equipment": schema.combined_equipment_parameters}


@dataclass(frozen=True)
class Fraction:
    name: str
    numerator: dict[str, Any]  # {id, name, uuid, type}
    denominator: dict[str, Any]


def fractions(conn: Any, kind: str, entity_id: int) -> list[Fraction]:
    table = _PARAMETERS[kind]
    rows = conn.execute(sa.select(table.c.name, table.c.numerator_meter_uuid, table.c.denominator_meter_uuid).where(
        table.c[f"{kind}_id"] == entity_id, table.c.parameter_type == "fraction").order_by(table.c.id)).all()
    meters = metering_by_uuid(conn, {u for r in rows for u in (r[1], r[2]) if u})
    return [Fraction(r.name, meters[r[1]], meters[r[2]]) for r in rows if r[1] in meters and r[2] in meters]


def _unit(conn: Any, meter: dict[str, Any], known: dict[int, Any]) -> str:
    table = METER_TABLES[meter["type"]]
    category = conn.execute(sa.select(table.c.energy_category_id).where(table.c.id == meter["id"])).scalar()
    return str(known[category].unit) if category in known else ""


@dataclass(frozen=True)
class EfficiencyReport:
    name: str = "efficiency"
    title: str = "Efficiency Report"

    def build(self, engines: Engines, query: ReportQuery) -> dict[str, Any]:
        entity = query.entity
        reporting, base = query.periods.reporting, query.periods.base
        grid = Grid.covering(reporting, base)
        with engines.system.connect() as conn:
            found = fractions(conn, entity.kind, entity.id)
            known = categories(conn)
            parts = [(_unit(conn, f.numerator, known), _unit(conn, f.denominator, known)) for f in found]
        result: dict[str, Any] = {entity.kind: describe(entity)}
        sums = {key: [(self._sums(engines, f.numerator, grid, periods), self._sums(engines, f.denominator, grid,
                                                                                   periods)) for f in found]
                for key, periods in (("reporting_period", reporting), ("base_period", base))}
        for key, pairs in sums.items():
            block: dict[str, Any] = {"names": [f.name for f in found], "units": [f"{n}/{d}" for n, d in parts],
                                     "timestamps": [], "values": [], "cumulations": [], "numerator_values": [],
                                     "denominator_values": []}
            for numerator, denominator in pairs:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(denominator.values[0] != 0, numerator.values[0] / denominator.values[0], np.nan)
                    total = numerator.totals[0] / denominator.totals[0] if denominator.totals[0] else np.nan
                block["timestamps"].append(list(numerator.labels))
                block["values"].append(numbers(ratio))
                block["cumulations"].append(number(total))
                block["numerator_values"].append(numbers(numerator.values[0]))
                block["denominator_values"].append(numbers(denominator.values[0]))
                for side, part in (("numerator", numerator), ("denominator", denominator)):
                    block.setdefault(f"{side}_cumulations", []).append(number(part.totals[0]))
            result[key] = block
        rp, bp = result["reporting_period"], result["base_period"]
        rp["increment_rates"] = [rate(r, b) if base else None for r, b in zip(rp["cumulations"], bp["cumulations"],
                                                                              strict=True)]
        rp["subtotals"] = rp["cumulations"]
        bp["subtotals"] = bp["cumulations"]
        result.update(self._v670(found, parts, rp, bp, base is not None))
        finish(result, engines, query, self.title)
        return result

    @staticmethod
    def _v670(found: list[Fraction], parts: list[tuple[str, str]], rp: dict[str, Any], bp: dict[str, Any],
              has_base: bool) -> dict[str, Any]:
        """v6.7.0's ``reporting_period_efficiency`` / ``base_period_efficiency`` (the seed's ``reporting_period``
        stays beside them): numerator and denominator named and summed apart, the cumulations' rates."""
        out = {"names": rp["names"], "units": rp["units"],
               "numerator_names": [f.numerator["name"] for f in found], "numerator_units": [n for n, _ in parts],
               "denominator_names": [f.denominator["name"] for f in found], "denominator_units": [d for _, d in parts],
               "timestamps": rp["timestamps"], "values": rp["values"], "cumulations": rp["cumulations"],
               "increment_rates": rp["increment_rates"]}
        for side in ("numerator", "denominator"):
            out[f"{side}_timestamps"] = rp["timestamps"]
            out[f"{side}_values"] = rp[f"{side}_values"]
            out[f"{side}_cumulations"] = out[f"{side}_cumulation"] = rp.get(f"{side}_cumulations", [])
            out[f"increment_rates_{side[:3]}"] = [rate(r, b) if has_base else None for r, b in zip(
                rp.get(f"{side}_cumulations", []), bp.get(f"{side}_cumulations", []), strict=True)]
        base = {"timestamps": bp["timestamps"], "values": bp["values"], "cumulations": bp["cumulations"]}
        return {"reporting_period_efficiency": out, "base_period_efficiency": base}

    @staticmethod
    def _sums(engines: Engines, meter: dict[str, Any], grid: Grid, periods: Any) -> Sums:
        series, _ = meter_series(engines.energy, meter["type"], [meter["id"]], grid)
        return Sums.of(periods, grid.hours, series)
