"""The tenant bill against a bill computed by hand across a time-of-use boundary.

The tenant (in no space: the configured UTC offset, 0) uses 1 L of its category every hour of 2026-03-27. Its cost
center's tariff: off-peak 00:00-07:29:59 at 0.2 EUR/L, on-peak from 07:30 at 0.6. Off-peak holds 7 whole hours
and half of 07:00: 7.5 x 0.2 = 1.5; on-peak 16.5 x 0.6 = 9.9; 11.4 for 24 L. At a tax rate of 10 %: 1.14 tax,
12.54 due. The rolled-up cost stored for the tenant (0.01 a row) is not what the bill charges.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from myems_api.db import energy
from tests.api.test_reports_meters import insert, report
from tests.api.test_sites import MAKERS, new_refs
from tests.client import Api, refused

DAY = "reportingperiodstartdatetime=2026-03-27T00:00:00&reportingperiodenddatetime=2026-03-28T00:00:00"


@pytest.fixture
def tenant(admin: Api, app: Any) -> dict[str, Any]:
    refs = new_refs(admin)
    tou = admin.create("/tariffs", {
        "name": "TOU", "energy_category_id": refs.category["id"], "tariff_type": "timeofuse",
        "unit_of_price": "EUR/L", "valid_from": "2026-01-01T00:00:00", "valid_through": "2027-01-01T00:00:00",
        "timeofuse": [
            {"start_time_of_day": "00:00:00", "end_time_of_day": "07:29:59", "peak_type": "offpeak", "price": 0.2},
            {"start_time_of_day": "07:30:00", "end_time_of_day": "23:59:59", "peak_type": "onpeak", "price": 0.6}]})
    assert admin.post(f"/costcenters/{refs.center['id']}/tariffs", {"tariff_id": tou["id"]}).status_code == 201
    made = MAKERS["tenants"](admin, refs, "Shop 1")
    insert(app, "energy", energy.entity_hourly, [
        {"entity_type": "tenant", "entity_id": made["id"], "direction": "input",
         "energy_category_id": refs.category["id"], "energy_item_id": 0, "actual_value": 1.0, "cost": 0.01,
         "carbon": 0.5, "start_datetime_utc": datetime(2026, 3, 27) + timedelta(hours=h)} for h in range(24)])
    return made


def test_the_bill_prices_each_hour_by_the_tariff_in_force_and_adds_the_tax(admin, tenant):
    result = report(admin, "/reports/tenantbill", f"tenantid={tenant['id']}&{DAY}&taxrate=0.1&exportpdf=true")
    rp = result["reporting_period"]
    assert rp["subtotals_input"] == [pytest.approx(24)] and rp["subtotals_cost"] == [pytest.approx(11.4)]
    assert (rp["total_cost"], rp["total_tax"], rp["total_amount"]) == (pytest.approx(11.4), pytest.approx(1.14),
                                                                       pytest.approx(12.54))
    assert rp["currency_unit"] == "EUR" and result["due_date"] == "2026-04-11"
    assert result["tenant"]["lease_number"] == tenant["lease_number"] and result["tenant"]["email"]
    book = load_workbook(io.BytesIO(base64.b64decode(result["excel_bytes_base64"])))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Total due" in cells and any(isinstance(c, float) and abs(c - 12.54) < 1e-9 for c in cells)
    text = pdf_text(base64.b64decode(result["pdf_bytes_base64"]))
    assert "Total due" in text and "12.54" in text and "11.40" in text and "Shop 1" in text


def pdf_text(document: bytes) -> str:
    """The text drawn on a PDF's pages: its content streams inflated."""
    assert document.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S)
    return "".join(zlib.decompress(s).decode("latin-1") for s in streams if s[:1] == b"x")


def test_without_a_tax_rate_the_bill_is_the_cost_as_myems_bills_it(admin, tenant):
    rp = report(admin, "/reports/tenantbill", f"tenantuuid={tenant['uuid']}&{DAY}&quickmode=true")["reporting_period"]
    assert rp["tax_rate"] == 0 and rp["total_amount"] == pytest.approx(11.4)


@pytest.mark.parametrize("query,code", [(DAY, "API.INVALID_TENANT_ID"), ("tenantid={id}&" + DAY + "&taxrate=2",
                                                                          "API.INVALID_TAX_RATE"),
                                        ("tenantid={id}", "API.INVALID_REPORTING_PERIOD_START_DATETIME")])
def test_bad_parameters_answer_their_codes(admin, tenant, query, code):
    refused(admin.get("/reports/tenantbill", query_string=query.format(id=tenant["id"])), 400, code)


def test_a_space_report_exports_a_pdf_when_asked(admin, tenant):
    result = report(admin, "/reports/tenantenergycategory",
                    f"tenantid={tenant['id']}&periodtype=daily&{DAY}&exportpdf=true")
    text = pdf_text(base64.b64decode(result["pdf_bytes_base64"]))
    assert "2026-03-27" in text and "24.00" in text
    assert report(admin, "/reports/tenantenergycategory",
                  f"tenantid={tenant['id']}&periodtype=daily&{DAY}")["pdf_bytes_base64"] is None
