"""Production: what a space produced per product, and the energy it took per unit produced.

- ``POST /reports/enterproduction``: days of production entered through the UI, as myems-web sends them:
  ``{"spaceid": 1, "productid": 1, "value": [["YYYY-MM-DD", count], ...]}`` (or inside ``{"data": ...}``).
  Every day is checked before anything is written (a date that is not a day, a count that is not a
  non-negative number: 400 ``API.INVALID_PRODUCTION_VALUE``); an unknown space or product 404, a space outside
  the caller's spaces 403. Each day replaces what that day held, all days in one transaction
  (:mod:`myems_api.db.production`).
- ``GET /reports/enterproduction``: the local days of the reporting period, ``[{"monthdate", "daily_value"}]``,
  ``None`` for a day with nothing entered (the UI then offers the cell for editing).
- ``GET /reports/spaceproduction``: the space energy category report with the production of both periods in
  the same periods (MyEMS's ``base_production`` / ``reporting_production``, their totals and rates) and the
  standard coal and CO2 per unit produced. MyEMS computes this report from the space's *cost* (its units the
  currency) and swaps its two per-unit keys; here it is the energy, in each category's unit, and
  ``total_in_kgce_per_prodution`` is kgce per unit (the keys keep MyEMS's spelling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.store import as_double, epoch_seconds
from myems_api.auth import Principal
from myems_api.db import energy, schema
from myems_api.db.production import HOUR, write_days
from myems_api.errors import bad_request, not_found
from reports import excel
from reports.blocks import number, rates
from reports.catalog_types import Route
from reports.energy_reports import EntityReport, finish
from reports.entities import check_access, resolve
from reports.entries import days_of, entry_body
from reports.periods import Periods, bucket
from reports.query import Engines, parse_query, span_query
from reports.store import Grid

INVALID = "API.INVALID_PRODUCTION_VALUE"
ENERGY = EntityReport("production", title="Space Production Report")


def product_id_of(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdecimal() or not 0 < int(text) < 2**63:
        raise bad_request("API.INVALID_PRODUCT_ID")
    return int(text)


def product_of(conn: Connection, product_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(schema.products).where(schema.products.c.id == product_id)).mappings().first()
    if row is None:
        raise not_found("API.PRODUCT_NOT_FOUND")
    return {"id": int(row["id"]), "name": row["name"], "unit": row["unit_of_measure"], "tag": row["tag"],
            "coefficient": number(row["standard_product_coefficient"])}


def enter_production(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    body = entry_body(params, INVALID)
    product_id = product_id_of(body.get("productid"))
    days = days_of(body, INVALID)
    with engines.system.connect() as conn:
        space = resolve(conn, "space", {"spaceid": str(body.get("spaceid", ""))}, engines.fallback_zone)
        check_access(conn, principal, space)
        product_of(conn, product_id)
    write_days(engines.energy, space.id, space.zone, product_id, days)
    return {}


def production_series(engines: Engines, space_id: int, product_id: int, grid: Grid) -> Any:
    """(1, n) product counts over the grid's hours, NaN where nothing was entered."""
    t = energy.space_production_hourly
    start, end = grid.utc()
    with engines.energy.connect() as conn:
        rows = conn.execute(sa.select(epoch_seconds(t.c.start_datetime_utc, conn.dialect.name),
                                      as_double(t.c.product_count))
                            .where(t.c.space_id == space_id, t.c.product_id == product_id,
                                   t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end)).all()
    values = np.full((1, grid.n), np.nan)
    for seconds, count in rows:
        values[0, (int(seconds) - grid.start) // HOUR] = float(count)
    return values


def per_period(grid: Grid, values: Any, span: Periods | None) -> tuple[list[str], list[float | None], float]:
    """The span's labels, its periods' production (``None`` where nothing was entered) and their total."""
    if span is None:
        return [], [], 0.0
    sums = bucket(grid.hours, values, span)
    counts = [number(v) if n else None for v, n in zip(sums.values[0], sums.counts[0], strict=True)]
    return list(span.labels), counts, float(sums.total[0])


def entered_production(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
    product_id = product_id_of(params.get("productid"))
    query = span_query(engines, "space", params, principal)
    with engines.system.connect() as conn:
        product_of(conn, product_id)
    reporting = query.periods.reporting
    grid = Grid.covering(reporting)
    labels, counts, _ = per_period(grid, production_series(engines, query.entity.id, product_id, grid), reporting)
    return [{"monthdate": label, "daily_value": count} for label, count in zip(labels, counts, strict=True)]


def space_production(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    product_id = product_id_of(params.get("productid"))
    query = parse_query(engines, "space", params, principal)
    with engines.system.connect() as conn:
        product = product_of(conn, product_id)
    result = ENERGY.build(engines, replace(query, quick=True))
    reporting, base = query.periods.reporting, query.periods.base
    grid = Grid.covering(reporting, base)
    values = production_series(engines, query.entity.id, product_id, grid)
    labels, counts, total = per_period(grid, values, reporting)
    base_labels, base_counts, base_total = per_period(grid, values, base)
    rp = result["reporting_period"]
    for factor in ("kgce", "kgco2e"):
        spent = rp.get(f"total_in_{factor}")
        rp[f"total_in_{factor}_per_prodution"] = number(spent / total) if total > 0 and spent is not None else None
    rp["subtotals_per_production"] = [number(v / total) if total > 0 and v is not None else None
                                      for v in rp["subtotals"]]
    result.update({
        "product": {k: v for k, v in product.items() if k != "id"},
        "reporting_production": {"timestamps": labels, "values": counts,
                                 "rates": rates(counts, base_counts) if base else [None] * len(counts)},
        "base_production": {"timestamps": base_labels, "values": base_counts},
        "reporting_total_production": total, "base_total_production": base_total,
        "reporting_result_values": [], "base_result_values": [],
    })
    unit = f"{product['name']} ({product['unit']})"
    table = excel.Table(title="Production", header=("Period", unit),
                        rows=(*((label, count) for label, count in zip(labels, counts, strict=True)),
                              (excel.TOTAL_LABEL, total)))
    finish(result, engines, query, ENERGY.title, extra=(table,))
    return result


ROUTES: tuple[Route, ...] = (
    Route("/reports/enterproduction", entered_production),
    Route("/reports/enterproduction", enter_production, method="POST"),
    Route("/reports/spaceproduction", space_production),
)
