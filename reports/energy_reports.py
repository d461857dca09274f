"""The energy report families, declared once: what each report sums, for which entity, in which shape.

An :class:`EntityReport` reads an entity's rolled-up hourly rows (``tbl_entity_hourly``) by energy category
or item, in one direction (input: what it uses; output: what it delivers) and one measure (energy, cost,
carbon), and answers one of these shapes:

- ``totals``: per-period values, subtotals, increment rates, kgce and kgCO2e, per unit area, peak split;
- ``load``: average and maximum hourly load per period, load factor;
- ``statistics``: totals plus mean, median, min, max, stdev and variance of the period values;

With a :class:`~reports.targets.Target` (plan, saving, prediction) either family reports the target's series
instead of the stored one: the plan or baseline minus actual under MyEMS's ``*_saving`` keys, or a forecast.

A :class:`MeterReport` reads one meter's hourly rows (meter, offline meter or virtual meter): energy as
stored (out-of-limit hours left out and counted in ``excluded_hours``), cost priced on the fly by the cost
center's tariffs, carbon by the category's factor; MyEMS's single-series meter shape.

The ``<kind>`` object, ``base_period``, ``reporting_period``, ``parameters`` (unless quick mode) and
``excel_bytes_base64`` (unless quick mode) are MyEMS's keys, so existing report clients work; ``exportpdf=true``
adds the same tables as ``pdf_bytes_base64``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sqlalchemy as sa

from aggregation.billing import hourly_cost
from aggregation.entities import tariffs_by_cost_center
from myems_api.db import schema
from reports import blocks, excel, pdf
from reports.blocks import PEAK_TYPES, Sums, number, numbers, per, rate, rates
from reports.entities import ReportEntity
from reports.parameters import empty_parameters, parameters_of
from reports.query import Engines, ReportQuery
from reports.store import (
    Category,
    Grid,
    PeakSchedule,
    categories,
    entity_series,
    items,
    meter_series,
    peak_schedules,
    span_totals,
)
from reports.targets import Target

ENTITY_TITLES = {"space": "Space", "equipment": "Equipment", "combined_equipment": "Combined Equipment",
                 "tenant": "Tenant", "store": "Store", "shopfloor": "Shopfloor", "meter": "Meter",
                 "offline_meter": "Offline Meter", "virtual_meter": "Virtual Meter"}


@dataclass(frozen=True)
class EntityReport:
    name: str  # the path's last part after the entity kind: "energycategory", "cost", ...
    by: str = "category"  # "category" | "item"
    measure: str = "energy"  # "energy" | "cost" | "carbon"
    direction: str = "input"  # "input" | "output"
    shape: str = "totals"  # "totals" | "load" | "statistics"
    title: str = ""
    target: Target | None = None

    def build(self, engines: Engines, query: ReportQuery) -> dict[str, Any]:
        entity = query.entity
        reporting, base = query.periods.reporting, query.periods.base
        grid = Grid.covering(reporting, base)
        hours = grid.hours
        series = entity_series(engines.energy, entity.kind, entity.id, self.direction, self.by, grid,
                               (self.measure,))
        keys, matrix = series.keys, series.measure(self.measure)
        target = self.target and replace(self.target, base=base, reporting=reporting, zone=entity.zone)
        if target:
            keys, matrix, notes = target.series(engines, entity, grid, keys, matrix)
        with engines.system.connect() as conn:
            names, units, category_ids, factors = self._labels(conn, keys, engines.currency)
            schedules = peak_schedules(conn, entity.row.get("cost_center_id"))
        now, before = Sums.of(reporting, hours, matrix), Sums.of(base, hours, matrix)
        result: dict[str, Any] = {
            entity.kind: describe(entity),
            "base_period": {"names": names, "units": units, **blocks.sums_block(before)},
            "reporting_period": {"names": names, "units": units,
                                 ("energy_item_ids" if self.by == "item" else "energy_category_ids"): list(keys),
                                 **blocks.sums_block(now)},
        }
        rp, bp = result["reporting_period"], result["base_period"]
        if self.by == "item":  # each item's category, as v6.7.0's item pages read them beside the items
            rp["energy_category_ids"] = category_ids
            rp["energy_category_names"] = [f.name if f else f"#{c}" for c, f in zip(category_ids, factors,
                                                                                     strict=True)]
        rp["increment_rates"] = [rate(r, b) if base else None for r, b in zip(numbers(now.totals),
                                                                              numbers(before.totals), strict=True)]
        rp["rates"] = [rates(r, b) for r, b in zip(rp["values"], bp["values"] or [[]] * len(names), strict=False)]
        area, people = entity.area, entity.row.get("number_of_occupants")
        rp["subtotals_per_unit_area"], rp["subtotals_per_capita"] = per(now.totals, area), per(now.totals, people)
        with engines.system.connect() as conn:
            calendars, days_off = working_calendars(conn, entity)
        result[entity.kind]["working_calendars"] = calendars
        for block, span in ((rp, reporting), (bp, base)):
            block["non_working_days_subtotals"], block["working_days_subtotals"] = blocks.days_off_split(
                matrix, hours, span, days_off, entity.zone)
        self.peaks(rp, engines, matrix, category_ids, schedules, reporting, hours)  # of the cost or carbon too
        if self.measure == "energy":
            blocks.coal_and_carbon(rp, bp, now, before, factors, base is not None)
            for factor in ("kgce", "kgco2e"):
                total = rp[f"total_in_{factor}"]
                rp[f"total_in_{factor}_per_unit_area"] = per([total], area)[0]
                rp[f"total_in_{factor}_per_capita"] = per([total], people)[0]
        else:  # cost and carbon share one unit across categories: their totals
            rp["total"], bp["total"] = number(now.totals.sum()), number(before.totals.sum())
            rp["total_unit"] = bp["total_unit"] = unit_of(self.measure, None, engines.currency)
            rp["total_increment_rate"] = rate(rp["total"], bp["total"]) if base else None
            rp["total_per_unit_area"] = number(now.totals.sum() / area) if area else None
        inside = (hours >= reporting.bounds[0]) & (hours < reporting.bounds[-1])
        if target and target.suffix:
            result.update(target_children(engines, target, entity, list(keys), grid, inside))
        elif entity.kind == "combined_equipment":
            result.update(associated_equipment(engines, self, entity, keys, (names, units, factors), grid, reporting))
        elif entity.kind == "space" and not target:
            with engines.system.connect() as conn:
                known = categories(conn)
            result["child_space"] = child_spaces(engines, entity.id, self.direction, self.measure, list(keys),
                                                 known, reporting.utc_range, self.by)
        if self.shape == "load":
            rp.update(blocks.load_block(reporting, hours, matrix))
            bp.update(blocks.load_block(base, hours, matrix))
            rp["averages_per_unit_area"], rp["maximums_per_unit_area"] = per(rp["averages"], area), per(
                rp["maximums"], area)
            for key in ("averages", "maximums", "factors"):
                rp[f"{key}_increment_rate"] = [rate(r, b) for r, b in zip(rp[key], bp[key], strict=True)]
            for key in ("sub_averages", "sub_maximums"):  # per period, against the base period's same period
                rp[f"rates_of_{key}"] = [rates(r, b) for r, b in zip(rp[key], bp[key], strict=True)]
        if self.shape == "statistics":
            now_stats, base_stats = blocks.statistics_block(now), blocks.statistics_block(before)
            rp.update(now_stats)
            bp.update(base_stats)
            for key, values in now_stats.items():
                rp[f"{key}_increment_rate"] = [rate(r, b) for r, b in zip(values, base_stats[key], strict=True)]
                rp[f"{key}_per_unit_area"] = per(values, area)
        if target:
            target.finish(result, entity.kind, notes, matrix, inside)
        finish(result, engines, query, self.title or self.name)
        return result

    def _labels(self, conn: Any, keys: tuple[int, ...], currency: str,
                ) -> tuple[list[str], list[str], list[int], list[Any]]:
        known = categories(conn)
        if self.by == "item":
            named = items(conn)
            category_ids = [named.get(k, ("", 0))[1] for k in keys]
            names = [named.get(k, (f"#{k}", 0))[0] for k in keys]
        else:
            category_ids, names = list(keys), [known[k].name if k in known else f"#{k}" for k in keys]
        units = [unit_of(self.measure, known.get(c), currency) for c in category_ids]
        return names, units, category_ids, [known.get(c) for c in category_ids]

    @staticmethod
    def peaks(rp: dict[str, Any], engines: Engines, energy: Any, category_ids: list[int],
               schedules: dict[int, list[PeakSchedule]], reporting: Any, hours: Any) -> None:
        split = np.zeros((len(category_ids), len(PEAK_TYPES)))
        for row, category in enumerate(category_ids):
            split[row] = EntityReport._split(engines, energy[row:row + 1], schedules.get(category, []), reporting,
                                             hours)[0]
        for index, peak_type in enumerate(PEAK_TYPES):
            rp[f"{peak_type}s"] = numbers(split[:, index])

    @staticmethod
    def _split(engines: Engines, energy: Any, schedules: list[PeakSchedule], reporting: Any, hours: Any) -> Any:
        """(k, 5) energy per peak type under the time-of-use schedules (zeros without one)."""
        tariffs = [(s.valid_from, s.valid_through, blocks.minute_map(s.rows)) for s in schedules]
        if not tariffs:
            return np.zeros((energy.shape[0], len(PEAK_TYPES)))
        shares = blocks.peak_fractions(hours, tariffs, engines.utc_offset_minutes)
        return blocks.peak_totals(energy, shares, blocks.span_of(reporting), hours)


@dataclass(frozen=True)
class MeterReport:
    name: str  # "energy" | "cost" | "carbon"
    measure: str = "energy"
    title: str = ""
    target: Target | None = None

    def build(self, engines: Engines, query: ReportQuery) -> dict[str, Any]:
        entity = query.entity
        reporting, base = query.periods.reporting, query.periods.base
        grid = Grid.covering(reporting, base)
        hours = grid.hours
        energy_, excluded = meter_series(engines.energy, entity.kind, [entity.id], grid)
        target = self.target and replace(self.target, base=base, reporting=reporting, zone=entity.zone)
        if target:
            _, energy_, notes = target.series(engines, entity, grid, (int(entity.row["energy_category_id"]),), energy_)
        with engines.system.connect() as conn:
            category = categories(conn).get(int(entity.row["energy_category_id"]))
            key = (int(entity.row.get("cost_center_id") or 0), int(entity.row["energy_category_id"]))
            tariffs = tariffs_by_cost_center(conn).get(key, []) if self.measure == "cost" else []
        if self.measure == "cost":
            matrix = hourly_cost(hours, energy_, tariffs, engines.utc_offset_minutes) if tariffs and grid.n else \
                np.full(energy_.shape, np.nan)
        elif self.measure == "carbon":
            matrix = energy_ * (category.kgco2e if category else np.nan)
        else:
            matrix = energy_
        now, before = Sums.of(reporting, hours, matrix), Sums.of(base, hours, matrix)
        meter = {**meter_info(entity, category), "unit_of_measure": unit_of(self.measure, category,
                                                                                  engines.currency)}
        total, base_total = number(now.totals[0]), number(before.totals[0])  # 0 without a base, as MyEMS sends
        result: dict[str, Any] = {
            "meter": meter, entity.kind: meter,  # v6.7.0's pages read "offline_meter", "virtual_meter"
            "base_period": {"total_in_category": base_total, "timestamps": list(before.labels),
                            "values": numbers(before.values[0])},
            "reporting_period": {"increment_rate": rate(total, base_total), "total_in_category": total,
                                 "timestamps": list(now.labels), "values": numbers(now.values[0]),
                                 "rates": rates(numbers(now.values[0]), numbers(before.values[0])),
                                 "excluded_hours": int(excluded[0])},
        }
        if category:  # of the energy, in the cost and carbon reports too (as v6.7.0's pages show them)
            used = (Sums.of(reporting, hours, energy_).totals[0], Sums.of(base, hours, energy_).totals[0])
            for block, value in zip((result["reporting_period"], result["base_period"]), numbers(used), strict=True):
                block["total_in_kgce"] = number(value * category.kgce) if value is not None else None
                block["total_in_kgco2e"] = number(value * category.kgco2e) if value is not None else None
        if self.measure == "energy" and category:
            with engines.system.connect() as conn:
                schedules = peak_schedules(conn, entity.row.get("cost_center_id")).get(category.id, [])
            split = EntityReport._split(engines, energy_, schedules, reporting, hours)[0]
            for index, peak_type in enumerate(PEAK_TYPES):  # v6.7.0's meter report: one number each
                result["reporting_period"][peak_type] = number(split[index])
        if target:
            target.finish(result, entity.kind, notes, energy_, (hours >= reporting.bounds[0]) &
                          (hours < reporting.bounds[-1]))
        finish(result, engines, query, self.title or self.name)
        return result


def working_calendars(conn: Any, entity: ReportEntity) -> tuple[list[int], set[str]]:
    """The working calendars bound to the entity and their non-working local dates (``YYYY-MM-DD``)."""
    link = schema.metadata.tables.get(f"tbl_{entity.kind}s_working_calendars")
    if link is None:
        return [], set()
    ids = [int(i) for i in conn.execute(sa.select(link.c.working_calendar_id).where(
        link.c[f"{entity.kind}_id"] == entity.id)).scalars()]
    days = schema.non_working_days
    off = {str(d)[:10] for d in conn.execute(sa.select(days.c.date_local).where(
        days.c.working_calendar_id.in_(ids))).scalars()} if ids else set()
    return ids, off


def child_spaces(engines: Engines, space_id: int, direction: str, measure: str, keys: list[int],
                 known: Mapping[int, Category], span: tuple[Any, Any], by: str = "category") -> dict[str, Any]:
    """MyEMS's ``child_space``: each direct child space's subtotal per category (the space's own and any its
    children use), or per energy item with ``by="item"``, as ``[category or item][child]`` arrays."""
    s = schema.spaces
    with engines.system.connect() as conn:
        children = conn.execute(sa.select(s.c.id, s.c.name).where(s.c.parent_space_id == space_id).order_by(s.c.id)
                                ).all()
        named = items(conn) if by == "item" else {}
    every = sorted(named) if by == "item" else sorted(known)
    sums = span_totals(engines.energy, "space", [int(c.id) for c in children], span, every, direction, by)
    shown = sorted(set(keys) | {k for _, k in sums})
    labels = [named.get(k, (f"#{k}", 0)) for k in shown] if by == "item" else \
        [(known[k].name if k in known else f"#{k}", k) for k in shown]
    factors = [known.get(category) for _, category in labels]
    position = {"energy": 0, "cost": 1, "carbon": 2}[measure]
    subtotals = [[sums.get((int(c.id), k), (0.0, 0.0, 0.0, 0.0))[position] for c in children] for k in shown]
    block: dict[str, Any] = {
        f"energy_{by}_names": [name for name, _ in labels],
        "units": [unit_of(measure, f, engines.currency) for f in factors],
        "child_space_ids_array": [[int(c.id) for c in children] for _ in shown],
        "child_space_names_array": [[str(c.name) for c in children] for _ in shown],
        "subtotals_array": subtotals, "total_unit": unit_of(measure, None, engines.currency)}
    for factor in ("kgce", "kgco2e"):
        block[f"subtotals_in_{factor}_array"] = [[number(v * getattr(f, factor)) if f else None for v in row]
                                                 for row, f in zip(subtotals, factors, strict=True)]
    return block


def associated_equipment(engines: Engines, report: EntityReport, entity: ReportEntity, keys: tuple[int, ...],
                         labels: tuple[list[str], list[str], list[Any]], grid: Grid, reporting: Any) -> dict[str, Any]:
    """A combined equipment's ``associated_equipment`` (each equipment's subtotal of each series, ``[series]
    [equipment]``, with its average and maximum load) and ``associated_report_period_list`` (each equipment's
    per-period values), as v6.7.0's combined equipment pages read them."""
    names, units, factors = labels
    link, e = schema.combined_equipments_links["equipment"], schema.equipments
    with engines.system.connect() as conn:
        children = conn.execute(sa.select(e.c.id, e.c.name).select_from(link.join(e, e.c.id == link.c.equipment_id))
                                .where(link.c.combined_equipment_id == entity.id).order_by(e.c.id)).all()
    k, count = len(keys), len(children)
    subtotals, averages, maximums = (np.full((k, count), np.nan) for _ in range(3))
    period_list = []
    for j, child in enumerate(children):
        series = entity_series(engines.energy, "equipment", int(child.id), report.direction, report.by, grid,
                               (report.measure,))
        found = dict(zip(series.keys, series.measure(report.measure), strict=True))
        matrix = np.array([found.get(key, np.full(grid.n, np.nan)) for key in keys]).reshape(k, grid.n)
        sums = Sums.of(reporting, grid.hours, matrix)
        subtotals[:, j] = sums.totals
        load = blocks.load_block(reporting, grid.hours, matrix)
        averages[:, j], maximums[:, j] = (np.array(load[key], dtype=np.float64) for key in ("averages", "maximums"))
        period_list.append({"associated_equipment_name": str(child.name), "names": names, "units": units,
                            "timestamps": [list(sums.labels) for _ in keys],
                            "values": [numbers(row) for row in sums.values]})
    block: dict[str, Any] = {
        "associated_equipment_ids_array": [[int(c.id) for c in children] for _ in keys],
        "associated_equipment_names_array": [[str(c.name) for c in children] for _ in keys],
        "energy_category_names" if report.by == "category" else "energy_item_names": names,
        "units": units, "total_unit": unit_of(report.measure, None, engines.currency),
        "subtotals_array": [numbers(row) for row in subtotals],
        "sub_averages_array": [numbers(row) for row in averages],
        "sub_maximums_array": [numbers(row) for row in maximums]}
    if report.measure == "energy":
        for factor in ("kgce", "kgco2e"):
            block[f"subtotals_in_{factor}_array"] = [numbers(row * (getattr(f, factor) if f else np.nan))
                                                     for row, f in zip(subtotals, factors, strict=True)]
    return {"associated_equipment": block, "associated_report_period_list": period_list}


def target_children(engines: Engines, target: Target, entity: ReportEntity, keys: list[int], grid: Grid,
                    inside: Any) -> dict[str, Any]:
    """A space's ``child_space`` or a combined equipment's ``associated_equipment``, of a plan or saving
    report: each child's difference over the reporting period, ``[category][child]``."""
    if entity.kind == "space":
        s = schema.spaces
        query, name, kind = sa.select(s.c.id, s.c.name).where(s.c.parent_space_id == entity.id), "child_space", "space"
    elif entity.kind == "combined_equipment":
        link, e = schema.combined_equipments_links["equipment"], schema.equipments
        query = sa.select(e.c.id, e.c.name).select_from(link.join(e, e.c.id == link.c.equipment_id)).where(
            link.c.combined_equipment_id == entity.id)
        name, kind = "associated_equipment", "equipment"
    else:
        return {}
    with engines.system.connect() as conn:
        children = conn.execute(query.order_by(query.selected_columns[0])).all()
        known = categories(conn)
    ids = [int(c.id) for c in children]
    subtotals = target.child_totals(engines, kind, ids, keys, grid, inside)
    factors = [known.get(k) for k in keys]
    block: dict[str, Any] = {
        "energy_category_names": [f.name if f else f"#{k}" for k, f in zip(keys, factors, strict=True)],
        "units": [unit_of("energy", f) for f in factors],
        f"{name}_ids_array": [ids for _ in keys],
        f"{name}_names_array": [[str(c.name) for c in children] for _ in keys],
        "subtotals_array": subtotals}
    for factor in ("kgce", "kgco2e"):
        block[f"subtotals_in_{factor}_array"] = [[number(v * getattr(f, factor)) if f and v is not None else None
                                                  for v in row] for row, f in zip(subtotals, factors, strict=True)]
    return {name: block}


def unit_of(measure: str, category: Any, currency: str = "") -> str:
    """A series' unit: its category's for energy, kgCO2e for carbon, the site's currency for cost."""
    if measure == "carbon":
        return "kgCO2e"
    if measure == "cost":
        return currency
    return str(category.unit) if category else ""


def meter_info(entity: ReportEntity, category: Category | None) -> dict[str, Any]:
    """MyEMS's ``meter`` object: the meter and its energy category's name, unit and factors."""
    return {**describe(entity), "energy_category_id": entity.row["energy_category_id"],
            "energy_category_name": category.name if category else None,
            "unit_of_measure": unit_of("energy", category),
            "kgce": category.kgce if category else None, "kgco2e": category.kgco2e if category else None}


def category_of(conn: Any, entity: ReportEntity) -> Category | None:
    return categories(conn).get(int(entity.row["energy_category_id"]))


def describe(entity: Any) -> dict[str, Any]:
    row = entity.row
    described = {"id": entity.id, "name": entity.name, "uuid": row.get("uuid")}
    for key in ("area", "cost_center_id", "number_of_occupants"):
        if key in row:
            described[key] = number(row[key]) if key == "area" else row[key]
    return described


def finish(result: dict[str, Any], engines: Engines, query: ReportQuery, title: str,
           extra: tuple[excel.Table, ...] = ()) -> None:
    """Parameters and the Excel file (with a family's ``extra`` tables), unless quick mode."""
    result["pdf_bytes_base64"] = None
    if query.quick:
        result["parameters"] = empty_parameters()
        result["excel_bytes_base64"] = None
        return
    result["parameters"] = parameters_of(engines, query)
    entity = query.entity
    reporting = query.periods.reporting
    facts: tuple[tuple[str, str], ...] = ((ENTITY_TITLES.get(entity.kind, entity.kind), entity.name),
             ("Reporting Period", f"{reporting.start.isoformat()} - {reporting.end.isoformat()}"),
             ("Period Type", reporting.period_type))
    base = query.periods.base
    if base is not None:
        facts += (("Base Period", f"{base.start.isoformat()} - {base.end.isoformat()}"),)
    workbook = excel.from_result(title, facts, result)
    workbook = replace(workbook, extra=workbook.extra + extra)
    result["excel_bytes_base64"] = excel.render_base64(workbook)
    if query.pdf:
        result["pdf_bytes_base64"] = pdf.render_base64(workbook)

