"""The tenant bill: a tenant's energy per category over the period, priced by its cost center's tariffs.

``/reports/tenantbill?tenantid|tenantuuid&reportingperiodstartdatetime&reportingperiodenddatetime[&taxrate]
[&quickmode][&exportpdf][&language]``.

- Quantity: the tenant's rolled-up input energy per category in ``[start, end)`` (its zone).
- Amount: each hour's energy priced by the tariff in force then (time of use by local time, blocks by the month's
  consumption), as billing prices it, so a bill crossing a peak boundary splits the hour's energy by its price;
  a category without a tariff keeps the rolled-up cost. ``currency_unit`` is the tariffs' (``EUR`` of
  ``EUR/kWh``).
- Tax: MyEMS v6.7.0 bills no tax (its exports show a rate of 0). ``taxrate`` (a fraction, default 0) adds each
  line's tax, ``total_tax`` and ``total_amount`` (cost plus tax).
- ``excel_bytes_base64`` (unless quick mode) and, with ``exportpdf=true``, ``pdf_bytes_base64``: an invoice with
  the tenant's lease, contact, period and due date (14 days after the period ends), one line per category and
  the totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from aggregation.billing import hourly_cost
from aggregation.entities import tariffs_by_cost_center
from myems_api.auth import Principal
from myems_api.db import schema
from myems_api.errors import bad_request
from reports import excel, pdf
from reports.blocks import Sums, number, numbers
from reports.catalog_types import Route
from reports.meter_views import span_facts
from reports.parameters import empty_parameters
from reports.query import Engines, flag, span_query
from reports.store import Grid, categories, entity_series

DUE_AFTER = timedelta(days=14)


def tax_rate(params: Mapping[str, Any]) -> float:
    raw = str(params.get("taxrate") or "0").strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise bad_request("API.INVALID_TAX_RATE")
    return value


def tenant_bill(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    query = span_query(engines, "tenant", params, principal)
    rate = tax_rate(params)
    tenant, reporting = query.entity, query.periods.reporting
    grid = Grid.covering(reporting)
    series = entity_series(engines.energy, "tenant", tenant.id, "input", "category", grid, ("energy", "cost"))
    center = int(tenant.row.get("cost_center_id") or 0)
    with engines.system.connect() as conn:
        known = categories(conn)
        tariffs = tariffs_by_cost_center(conn)
        c, t, cct = schema.contacts, schema.tariffs, schema.cost_centers_tariffs
        contact = conn.execute(sa.select(c.c.name, c.c.email, c.c.phone).where(
            c.c.id == tenant.row.get("contact_id"))).first()
        prices = conn.execute(sa.select(t.c.unit_of_price).join(cct, cct.c.tariff_id == t.c.id).where(
            cct.c.cost_center_id == center)).scalars().all()
    cost = series.cost.copy()
    for row, category in enumerate(series.keys):
        found = tariffs.get((center, category), [])
        if found and grid.n:
            cost[row] = hourly_cost(grid.hours, series.energy[row], found, engines.utc_offset_minutes)
    quantities = Sums.of(reporting, grid.hours, series.energy).totals
    amounts = Sums.of(reporting, grid.hours, np.nan_to_num(cost)).totals
    taxes = amounts * rate
    listed = [known.get(k) for k in series.keys]
    currency = str(prices[0]).split("/")[0].strip() if prices else engines.currency
    due = reporting.end + DUE_AFTER
    result: dict[str, Any] = {
        "tenant": {"id": tenant.id, "name": tenant.name, "uuid": tenant.row["uuid"],
                   **{k: tenant.row.get(k) for k in ("buildings", "floors", "rooms", "lease_number")},
                   "contact_name": contact.name if contact else None, "email": contact.email if contact else None,
                   "phone": contact.phone if contact else None},
        "reporting_period": {
            "names": [c.name if c else f"#{k}" for k, c in zip(series.keys, listed, strict=True)],
            "energy_category_ids": list(series.keys), "units": [c.unit if c else "" for c in listed],
            "subtotals_input": numbers(quantities), "subtotals_cost": numbers(amounts),
            "subtotals_tax": numbers(taxes), "total_cost": number(amounts.sum()), "tax_rate": rate,
            "total_tax": number(taxes.sum()), "total_amount": number(amounts.sum() + taxes.sum()),
            "currency_unit": currency},
        "due_date": due.date().isoformat(),
        "parameters": empty_parameters(), "docx_bytes_base64": None}
    invoice = _invoice(result, span_facts("Tenant", tenant.name, reporting))
    result["excel_bytes_base64"] = None if query.quick else excel.render_base64(invoice)
    result["pdf_bytes_base64"] = pdf.render_base64(invoice) if flag(params, "exportpdf") else None
    return result


def _invoice(result: Mapping[str, Any], facts: tuple[tuple[str, str], ...]) -> excel.ExcelReport:
    tenant, rp = result["tenant"], result["reporting_period"]
    lines = tuple(zip(rp["names"], rp["units"], rp["subtotals_input"], rp["subtotals_cost"], rp["subtotals_tax"],
                      strict=True))
    money = rp["currency_unit"]
    totals = excel.Table(title="Totals", header=("", f"Amount ({money})"), rows=(
        ("Subtotal", rp["total_cost"]), (f"Tax ({rp['tax_rate']:.2%})", rp["total_tax"]),
        ("Total due", rp["total_amount"])))
    return excel.ExcelReport(
        title="Tenant Bill", chart=None,
        facts=(*facts, ("Lease", str(tenant["lease_number"] or "")), ("Rooms", str(tenant["rooms"] or "")),
               ("Contact", str(tenant["contact_name"] or "")), ("Email", str(tenant["email"] or "")),
               ("Due date", result["due_date"])),
        detail=excel.Table(title="Charges", header=("Energy", "Unit", "Quantity", f"Amount ({money})",
                                                     f"Tax ({money})"), rows=lines),
        summary=None, extra=(totals,))


ROUTES: tuple[Route, ...] = (Route("/reports/tenantbill", tenant_bill),)
