"""Batch reports: every meter (offline, virtual) or energy-using entity of a space subtree with its energy per
category.

``/reports/<kind>batch`` for meters, offline meters, virtual meters, equipment, combined equipment, tenants,
stores and shopfloors, with
``spaceid|spaceuuid&reportingperiodstartdatetime&reportingperiodenddatetime[&quickmode][&language]`` (no
``periodtype``: one total per entity and category over ``[start, end)`` in the space's zone).

- Who is listed: the entities bound directly to a space of the subtree (``tbl_spaces_meters``,
  ``tbl_spaces_equipments``, ``tbl_spaces_combined_equipments``), each once, by id; ``space_name`` is the
  lowest-id space of the subtree it is bound to.
- Meters of each kind: their energy from ``tbl_meter_hourly`` (out-of-limit hours left out, as in the meter
  energy report), in their own category; ``values`` has their total in their category's column and ``null`` in
  the others, ``subtotal`` (and ``total``) that total.
- Equipment, combined equipment, tenants, stores, shopfloors: their input energy per category from
  ``tbl_entity_hourly`` (category totals); ``values`` has a number (0 without data) in every column. A tenant
  also has ``maximum``: per category its largest hourly energy in the period (kWh in an hour: its peak demand
  in kW averaged over that hour), 0 without data.
- ``energycategories``: the columns, by id: the meters' categories, or for equipment the categories in the data
  and those of the meters bound to them as input; each with its ``subtotal`` over the listed entities.
- Per entity also ``total_in_kgce`` / ``total_in_kgco2e`` (its values times the categories' factors), and for a
  meter ``total`` (its value in its own unit).

The totals are one grouped query for all meters (``SUM ... GROUP BY``), or for entities three (their whole
UTC days from ``tbl_entity_daily``, the partial days at either end hourly: :func:`reports.store.span_totals`),
spread into an (entities x categories) array with numpy, so a space with a thousand meters costs one query, not
a thousand. The Excel file has one row per entity and one column per category, and a total row.
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
from aggregation.store import as_double
from myems_api.auth import Principal
from myems_api.db import energy, schema
from reports import excel
from reports.blocks import number, numbers
from reports.catalog_types import Route
from reports.energy_reports import describe
from reports.entities import IN_SPACE, TABLES, subtree
from reports.meter_views import names_of, space_members, span_facts
from reports.query import Engines, span_query
from reports.store import Category, categories, span_totals

# Above this many meters the totals query reads the period's rows of every meter of the kind and keeps the
# listed ones in Python, rather than sending a long IN list (SQLite's parameter limit; MariaDB turns 1,000 values
# or more into a join that no longer reaches the key's time range).
MAX_IN_LIST = 500
_LINKS = {"equipment": schema.equipments_links, "combined_equipment": schema.combined_equipments_links,
          "tenant": schema.tenants_links, "store": schema.stores_links, "shopfloor": schema.shopfloors_links}
_METER_TABLES = {"meter": schema.meters, "offline_meter": schema.offline_meters,
                 "virtual_meter": schema.virtual_meters}


@dataclass(frozen=True)
class BatchReport:
    kind: str  # a meter kind (meter, offline or virtual meter) or an entity that rolls up energy
    key: str  # the list's key: "meters" | "equipments" | "tenants" ...
    title: str
    label: str  # the Excel table's title
    maximum: bool = False  # also each entity's largest hourly value per category (a tenant's peak demand)

    @property
    def metered(self) -> bool:
        return self.kind in _METER_TABLES

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        query = span_query(engines, "space", params, principal)
        space, reporting = query.entity, query.periods.reporting
        table = TABLES[self.kind]
        columns = [table.c.id, table.c.name, table.c.uuid, table.c.cost_center_id, table.c.description]
        if self.metered:
            columns.append(table.c.energy_category_id)
        with engines.system.connect() as conn:
            members = space_members(conn, IN_SPACE[self.kind], f"{self.kind}_id", subtree(conn, [space.id]))
            rows = conn.execute(sa.select(*columns).where(table.c.id.in_(sorted(members))).order_by(table.c.id)
                                ).all() if members else []
            spaces = names_of(conn, schema.spaces, set(members.values()))
            centers = names_of(conn, schema.cost_centers, {int(r.cost_center_id) for r in rows if r.cost_center_id})
            known = categories(conn)
            ids = [int(r.id) for r in rows]
            metered = {} if self.metered else self._metered(conn, ids)
        totals, peaks = self._totals(engines, ids, *reporting.utc_range, sorted(known))
        if self.metered:
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
        if self.metered:  # a meter has a value in its own category only
            mask = np.zeros(matrix.shape, dtype=bool)
            mask[np.arange(len(ids)), [column[own[i]] for i in ids]] = True
            matrix = np.where(mask, matrix, np.nan)
        listed = [known.get(c) or Category(c, f"#{c}", "", float("nan"), float("nan")) for c in category_ids]
        kgce = np.array([c.kgce for c in listed])
        kgco2e = np.array([c.kgco2e for c in listed])
        entities: list[dict[str, Any]] = []
        for i, r in enumerate(rows):
            item: dict[str, Any] = {"id": int(r.id), "name": r.name, f"{self.kind}_name": r.name, "uuid": r.uuid,
                                    f"{self.kind}_uuid": r.uuid,
                                    "space_name": spaces.get(members[int(r.id)]),
                                    "cost_center_name": centers.get(int(r.cost_center_id or 0)),
                                    "description": r.description, "values": numbers(matrix[i])}
            if self.metered:
                category = listed[column[own[int(r.id)]]]
                total = number(matrix[i, column[category.id]])
                item.update({"energy_category_id": category.id, "energy_category_name": category.name,
                             "unit_of_measure": category.unit, "total": total, "subtotal": total})
            if self.maximum:
                item["maximum"] = [peaks.get((int(r.id), c), 0.0) for c in category_ids]
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

    def _totals(self, engines: Engines, ids: list[int], start: datetime, end: datetime, category_ids: list[int],
                ) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
        """(entity id, category id) -> energy over ``[start, end)`` and the largest hourly value (a meter's
        category is its own: 0 here)."""
        if not ids:
            return {}, {}
        if not self.metered:
            found = span_totals(engines.energy, self.kind, ids, (start, end), category_ids)
            return {k: v[0] for k, v in found.items()}, {k: v[3] for k, v in found.items()}
        wanted = set(ids)
        t = energy.meter_hourly
        owner, values = t.c.meter_id, t.c.actual_value
        where = [t.c.meter_type == self.kind, t.c.flags.op("&")(OUT_OF_LIMITS) == 0,
                 t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end]
        group = [owner, sa.literal(0)]
        if len(ids) <= MAX_IN_LIST:
            where.append(owner.in_(ids))
        query = sa.select(*group, sa.func.sum(as_double(values)), sa.func.max(as_double(values))).where(*where)
        with engines.energy.connect() as conn:
            rows = conn.execute(query.group_by(owner)).cursor.fetchall()
        kept = [r for r in rows if int(r[0]) in wanted]
        return ({(int(r[0]), int(r[1])): float(r[2] or 0) for r in kept},
                {(int(r[0]), int(r[1])): float(r[3] or 0) for r in kept})

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
            inputs = [link.c.is_output.is_(False)] if "is_output" in link.c else []  # a tenant's meters are all input
            for entity_id, category in conn.execute(
                    sa.select(owner, meters.c.energy_category_id).join(meters, joined).where(owner.in_(ids), *inputs)):
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
    Route("/reports/offlinemeterbatch", BatchReport("offline_meter", "offline_meters",
                                                    "Offline Meter Batch Analysis Report", "Offline meters").answer),
    Route("/reports/virtualmeterbatch", BatchReport("virtual_meter", "virtual_meters",
                                                    "Virtual Meter Batch Analysis Report", "Virtual meters").answer),
    Route("/reports/shopfloorbatch", BatchReport("shopfloor", "shopfloors", "Shopfloor Batch Analysis Report",
                                                 "Shopfloors").answer),
    Route("/reports/storebatch", BatchReport("store", "stores", "Store Batch Analysis Report", "Stores").answer),
    Route("/reports/tenantbatch", BatchReport("tenant", "tenants", "Tenant Batch Analysis Report", "Tenants",
                                              maximum=True).answer),
)
