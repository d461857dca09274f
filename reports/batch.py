"""Batch reports: every meter, equipment or combined equipment of a space subtree with its energy per category.

``/reports/meterbatch``, ``/reports/equipmentbatch``, ``/reports/combinedequipmentbatch`` with
``spaceid|spaceuuid&reportingperiodstartdatetime&reportingperiodenddatetime[&quickmode][&language]`` (no
``periodtype``: one total per entity and category over ``[start, end)`` in the space's zone).

- Who is listed: the entities bound directly to a space of the subtree (``tbl_spaces_meters``,
  ``tbl_spaces_equipments``, ``tbl_spaces_combined_equipments``), each once, by id; ``space_name`` is the
  lowest-id space of the subtree it is bound to.
- Meters: their energy from ``tbl_meter_hourly`` (out-of-limit hours left out, as in the meter energy report),
  in their own category; ``values`` has their total in their category's column and ``null`` in the others.
- Equipment and combined equipment: their input energy per category from ``tbl_entity_hourly`` (category
  totals); ``values`` has a number (0 without data) in every column.
- ``energycategories``: the columns, by id: the meters' categories, or for equipment the categories in the data
  and those of the meters bound to them as input; each with its ``subtotal`` over the listed entities.
- Per entity also ``total_in_kgce`` / ``total_in_kgco2e`` (its values times the categories' factors), and for a
  meter ``total`` (its value in its own unit).

The totals are one grouped query for all entities (``SUM ... GROUP BY``), spread into an (entities x categories)
array with numpy, so a space with a thousand meters costs one query, not a thousand. The Excel file has one row
per entity and one column per category, and a total row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.series import OUT_OF_LIMITS
from myems_api.auth import Principal
from myems_api.db import energy, schema
from reports import excel
from reports.blocks import number, numbers
from reports.catalog_types import Route
from reports.energy_reports import describe
from reports.entities import IN_SPACE, TABLES, subtree
from reports.meter_views import names_of, space_members, span_facts
from reports.query import Engines, span_query
from reports.store import Category, categories

# Above this many entities the totals query reads the period's rows of every entity of the kind and keeps the
# listed ones in Python, rather than sending a long IN list (SQLite's and drivers' parameter limits).
MAX_IN_LIST = 1000
_LINKS = {"equipment": schema.equipments_links, "combined_equipment": schema.combined_equipments_links}
_METER_TABLES = {"meter": schema.meters, "offline_meter": schema.offline_meters,
                 "virtual_meter": schema.virtual_meters}


@dataclass(frozen=True)
class BatchReport:
    kind: str  # "meter" | "equipment" | "combined_equipment"
    key: str  # the list's key: "meters" | "equipments" | "combined_equipments"
    title: str
    label: str  # the Excel table's title

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = span_query(engines, "space", params, principal)
        space, reporting = query.entity, query.periods.reporting
        table = TABLES[self.kind]
        columns = [table.c.id, table.c.name, table.c.uuid, table.c.cost_center_id, table.c.description]
        if self.kind == "meter":
            columns.append(table.c.energy_category_id)
        with engines.system.connect() as conn:
            members = space_members(conn, IN_SPACE[self.kind], f"{self.kind}_id", subtree(conn, [space.id]))
            rows = conn.execute(sa.select(*columns).where(table.c.id.in_(sorted(members))).order_by(table.c.id)
                                ).all() if members else []
            spaces = names_of(conn, schema.spaces, set(members.values()))
            centers = names_of(conn, schema.cost_centers, {int(r.cost_center_id) for r in rows if r.cost_center_id})
            known = categories(conn)
            ids = [int(r.id) for r in rows]
            metered = {} if self.kind == "meter" else self._metered(conn, ids)
        totals = self._totals(engines, ids, *reporting.utc_range)
        if self.kind == "meter":
            own = {int(r.id): int(r.energy_category_id) for r in rows}
            totals = {(e, own[e]): v for (e, _), v in totals.items()}
            category_ids = sorted(set(own.values()))
        else:
            category_ids = sorted({c for _, c in totals} | {c for cs in metered.values() for c in cs})
        column = {c: i for i, c in enumerate(category_ids)}
        row_of = {entity_id: i for i, entity_id in enumerate(ids)}
        matrix = np.zeros((len(ids), len(category_ids)))
        if totals:
            keys = np.array([(row_of[e], column[c]) for e, c in totals], dtype=np.int64).reshape(-1, 2)
            matrix[keys[:, 0], keys[:, 1]] = np.fromiter(totals.values(), dtype=np.float64, count=len(totals))
        if self.kind == "meter":  # a meter has a value in its own category only
            mask = np.zeros(matrix.shape, dtype=bool)
            mask[np.arange(len(ids)), [column[own[i]] for i in ids]] = True
            matrix = np.where(mask, matrix, np.nan)
        listed = [known.get(c) or Category(c, f"#{c}", "", float("nan"), float("nan")) for c in category_ids]
        kgce = np.array([c.kgce for c in listed])
        kgco2e = np.array([c.kgco2e for c in listed])
        entities: list[dict[str, Any]] = []
        for i, r in enumerate(rows):
            item: dict[str, Any] = {"id": int(r.id), "name": r.name, f"{self.kind}_name": r.name, "uuid": r.uuid,
                                    "space_name": spaces.get(members[int(r.id)]),
                                    "cost_center_name": centers.get(int(r.cost_center_id or 0)),
                                    "description": r.description, "values": numbers(matrix[i])}
            if self.kind == "meter":
                category = listed[column[own[int(r.id)]]]
                item.update({"energy_category_id": category.id, "energy_category_name": category.name,
                             "unit_of_measure": category.unit, "total": number(matrix[i, column[category.id]])})
            item["total_in_kgce"] = number(np.nansum(matrix[i] * kgce)) if len(listed) else 0.0
            item["total_in_kgco2e"] = number(np.nansum(matrix[i] * kgco2e)) if len(listed) else 0.0
            entities.append(item)
        subtotals = np.nansum(matrix, axis=0) if len(ids) else np.zeros(len(category_ids))
        result: dict[str, Any] = {
            "space": describe(space), self.key: entities,
            "energycategories": [{"id": c.id, "name": c.name, "unit_of_measure": c.unit,
                                  "subtotal": number(subtotals[j])} for j, c in enumerate(listed)]}
        result["excel_bytes_base64"] = None if query.quick else excel.render_base64(excel.ExcelReport(
            title=self.title, facts=span_facts("Space", space.name, reporting), chart=None,
            detail=self._table(entities, listed, subtotals)))
        return result

    def _totals(self, engines: Engines, ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, int],
                                                                                                  float]:
        """(entity id, category id) -> energy over ``[start, end)``, one grouped query."""
        if not ids:
            return {}
        wanted = set(ids)
        if self.kind == "meter":
            t = energy.meter_hourly
            owner, value = t.c.meter_id, sa.func.sum(t.c.actual_value)
            where = [t.c.meter_type == "meter", t.c.flags.op("&")(OUT_OF_LIMITS) == 0]
            group = [owner]
        else:
            e = energy.entity_hourly
            owner, value = e.c.entity_id, sa.func.sum(e.c.actual_value)
            where = [e.c.entity_type == self.kind, e.c.direction == "input", e.c.energy_item_id == 0]
            group = [owner, e.c.energy_category_id]
        time = (energy.meter_hourly if self.kind == "meter" else energy.entity_hourly).c.start_datetime_utc
        where += [time >= start, time < end]
        if len(ids) <= MAX_IN_LIST:
            where.append(owner.in_(ids))
        with engines.energy.connect() as conn:
            found = conn.execute(sa.select(*group, value).where(*where).group_by(*group)).all()
        if self.kind == "meter":
            return {(int(r[0]), 0): float(r[1] or 0) for r in found if int(r[0]) in wanted}
        return {(int(r[0]), int(r[1])): float(r[2] or 0) for r in found if int(r[0]) in wanted}

    def _metered(self, conn: Connection, ids: list[int]) -> dict[int, set[int]]:
        """Equipment id -> the energy categories of the meters bound to it as input."""
        found: dict[int, set[int]] = {}
        if not ids:
            return found
        links = _LINKS[self.kind]
        for meter_kind, meters in _METER_TABLES.items():
            link = links[meter_kind]
            owner = link.c[f"{self.kind}_id"]
            joined = meters.c.id == link.c[f"{meter_kind}_id"]
            for entity_id, category in conn.execute(
                    sa.select(owner, meters.c.energy_category_id).join(meters, joined)
                    .where(owner.in_(ids), link.c.is_output.is_(False))):
                found.setdefault(int(entity_id), set()).add(int(category))
        return found

    def _table(self, entities: list[dict[str, Any]], listed: list[Category], subtotals: Any) -> excel.Table:
        headers = tuple(f"{c.name} ({c.unit})" if c.unit else c.name for c in listed)
        rows: list[tuple[excel.Cell, ...]] = [
            (e["name"], e["space_name"], e["cost_center_name"], *e["values"], e["total_in_kgce"], e["total_in_kgco2e"])
            for e in entities]
        if rows:
            rows.append((excel.TOTAL_LABEL, None, None, *numbers(subtotals),
                         number(sum(e["total_in_kgce"] or 0 for e in entities)),
                         number(sum(e["total_in_kgco2e"] or 0 for e in entities))))
        return excel.Table(title=self.label, header=("Name", "Space", "Cost center", *headers, "kgce", "kgCO2e"),
                           rows=tuple(rows), number_format="0.000")


ROUTES: tuple[Route, ...] = (
    Route("/reports/meterbatch", BatchReport("meter", "meters", "Meter Batch Analysis Report", "Meters").answer),
    Route("/reports/equipmentbatch", BatchReport("equipment", "equipments", "Equipment Batch Analysis Report",
                                                 "Equipment").answer),
    Route("/reports/combinedequipmentbatch", BatchReport("combined_equipment", "combined_equipments",
                                                         "Combined Equipment Batch Analysis Report",
                                                         "Combined equipment").answer),
)
