"""Comparison reports: two entities of one kind side by side over the same periods, in one energy category.

``/reports/<kind>comparison?<kind>id1|<kind>uuid1&<kind>id2|<kind>uuid2&periodtype&reportingperiodstartdatetime
&reportingperiodenddatetime[&energycategoryid][&quickmode][&language]``, for meters, virtual meters, spaces,
equipment, combined equipment, stores, shopfloors and tenants (MyEMS v6.7.0's routes).

- Meters and virtual meters compare their own energy (``tbl_meter_hourly``, out-of-limit hours left out as in
  the meter energy report); each one's block names its category. The other kinds compare their rolled-up input
  energy of ``energycategoryid`` (required: 400 ``API.INVALID_ENERGY_CATEGORY_ID``, 404
  ``API.ENERGY_CATEGORY_NOT_FOUND``), named once in ``energy_category``.
- Periods are read in the first entity's zone. A period without data is 0, as in every energy report.
- ``reporting_period1`` / ``reporting_period2``: ``total_in_category``, ``timestamps``, ``values``.
  ``diff``: ``values`` (first minus second, per period), ``total_in_category`` (the totals' difference) and,
  beyond MyEMS, ``rates`` / ``rate``: that difference over the second entity's value (``null`` where it is 0),
  so "how much more does A use than B" is read directly.
- ``parameters1`` / ``parameters2``: each entity's related points over the period (empty in quick mode).
- Access: both entities must be visible to the caller (403 ``API.FORBIDDEN_ENTITY``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from myems_api.auth import Principal
from myems_api.errors import bad_request, not_found
from reports import excel
from reports.blocks import Sums, number, numbers, rate
from reports.catalog_types import Route
from reports.entities import ReportEntity, check_access, param_name, resolve
from reports.local_time import zone_name
from reports.meter_views import span_facts
from reports.parameters import empty_parameters, entity_parameters
from reports.periods import PeriodError, parse_report_periods
from reports.query import Engines, flag, language
from reports.store import Category, Grid, categories, entity_series, meter_series

METERS = ("meter", "virtual_meter")
KINDS = ("meter", "virtual_meter", "space", "equipment", "combined_equipment", "store", "shopfloor", "tenant")


@dataclass(frozen=True)
class Comparison:
    kind: str

    @property
    def key(self) -> str:
        """The entities' keys: ``meter1``, ``virtualmeter1``, ``combined_equipment1`` (MyEMS's spelling)."""
        return param_name(self.kind) if self.kind in METERS else self.kind

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        prefix = param_name(self.kind)
        with engines.system.connect() as conn:
            pair = [resolve(conn, self.kind, {f"{prefix}id": str(params.get(f"{prefix}id{n}") or ""),
                                              f"{prefix}uuid": str(params.get(f"{prefix}uuid{n}") or "")},
                            engines.fallback_zone) for n in (1, 2)]
            known = categories(conn)
            category = None if self.kind in METERS else self._category(params, known)
            for entity in pair:
                check_access(conn, principal, entity)
        language(params)
        try:
            periods = parse_report_periods(params.get("periodtype"), params.get("reportingperiodstartdatetime"),
                                           params.get("reportingperiodenddatetime"), pair[0].zone,
                                           max_days=engines.max_days)
        except PeriodError as exc:
            raise bad_request(exc.code) from exc
        reporting = periods.reporting
        grid = Grid.covering(reporting)
        matrix = np.vstack([self._series(engines, entity, category, grid) for entity in pair])
        sums = Sums.of(reporting, grid.hours, matrix)
        difference = sums.values[0] - sums.values[1]
        total_difference = sums.totals[0] - sums.totals[1]
        result: dict[str, Any] = {}
        for n, entity in enumerate(pair, start=1):
            result[f"{self.key}{n}"] = self._describe(entity, known)
            result[f"reporting_period{n}"] = {"total_in_category": number(sums.totals[n - 1]),
                                              "timestamps": list(sums.labels), "values": numbers(sums.values[n - 1])}
        if category is not None:
            result["energy_category"] = {"id": category.id, "name": category.name, "unit_of_measure": category.unit}
        result["diff"] = {"values": numbers(difference), "total_in_category": number(total_difference),
                          "rates": [rate(float(a), float(b)) for a, b in zip(sums.values[0], sums.values[1],
                                                                              strict=True)],
                          "rate": rate(float(sums.totals[0]), float(sums.totals[1]))}
        for n, entity in enumerate(pair, start=1):  # each entity's related points, as v6.7.0's pages chart them
            result[f"parameters{n}"] = empty_parameters() if flag(params, "quickmode") else \
                entity_parameters(engines, entity, reporting)
        result["timezone"] = zone_name(pair[0].zone)
        result["pdf_bytes_base64"] = result["docx_bytes_base64"] = None
        result["excel_bytes_base64"] = None if flag(params, "quickmode") else excel.render_base64(
            self._workbook(pair, result, reporting))
        return result

    @staticmethod
    def _category(params: Mapping[str, Any], known: Mapping[int, Category]) -> Category:
        raw = str(params.get("energycategoryid") or "").strip()
        if not raw.isdecimal() or int(raw) <= 0:
            raise bad_request("API.INVALID_ENERGY_CATEGORY_ID")
        if int(raw) not in known:
            raise not_found("API.ENERGY_CATEGORY_NOT_FOUND")
        return known[int(raw)]

    def _series(self, engines: Engines, entity: ReportEntity, category: Category | None, grid: Grid) -> Any:
        if category is None:
            energy, _ = meter_series(engines.energy, self.kind, [entity.id], grid)
            return energy[0]
        series = entity_series(engines.energy, self.kind, entity.id, "input", "category", grid, ("energy",),
                               category.id)
        if category.id not in series.keys:
            return np.full(grid.n, np.nan)
        return series.energy[series.keys.index(category.id)]

    def _describe(self, entity: ReportEntity, known: Mapping[int, Category]) -> dict[str, Any]:
        described: dict[str, Any] = {"id": entity.id, "name": entity.name, "uuid": entity.row.get("uuid")}
        if self.kind in METERS:
            category = known.get(int(entity.row["energy_category_id"]))
            described |= {"energy_category_id": entity.row["energy_category_id"],
                          "energy_category_name": category.name if category else None,
                          "unit_of_measure": category.unit if category else ""}
        return described

    def _workbook(self, pair: list[ReportEntity], result: Mapping[str, Any], reporting: Any) -> excel.ExcelReport:
        first, second = result["reporting_period1"], result["reporting_period2"]
        unit = (result.get("energy_category") or result[f"{self.key}1"]).get("unit_of_measure", "")
        names = [f"{e.name} ({unit})" if unit else e.name for e in pair]
        rows = tuple(zip(first["timestamps"], first["values"], second["values"], result["diff"]["values"],
                         strict=True))
        totals = ((excel.TOTAL_LABEL, first["total_in_category"], second["total_in_category"],
                   result["diff"]["total_in_category"]),) if rows else ()
        title = f"{pair[0].name} / {pair[1].name}"
        return excel.ExcelReport(
            title=f"{self.kind.replace('_', ' ').title()} Comparison Report",
            facts=span_facts("Compared", title, reporting),
            detail=excel.Table(title="Energy per period", header=("Period", *names, "Difference"),
                               rows=rows + totals))


ROUTES: tuple[Route, ...] = tuple(Route(f"/reports/{param_name(kind)}comparison", Comparison(kind).answer)
                                  for kind in KINDS)
