"""Comparison reports against hand-computed differences.

The site, in Europe/Berlin: root space Campus with children A and B (both input-counted). Reporting period
2026-01-10 .. 2026-01-12 local = UTC [01-09 23:00, 01-11 23:00), 48 hours, daily.

- Spaces (Electricity): A uses 1 kWh every hour: 24, 24 (48); B 0.5 kWh in the first day only: 12, 0 (12). B also
  uses Water (not compared). Difference A - B: 12, 24 (36); rates 12 / 12 = 1 and none on the second day
  (B used nothing); in all 36 / 12 = 3.
- Meters (Electricity): M1 2 kWh every hour: 48, 48; M2 1 kWh, but its fourth hour is an out-of-limit 500 (left
  out): 23, 24. Difference 25, 24 (49).
"""

from __future__ import annotations

from typing import Any

import pytest

from myems_api.db import energy
from tests.api.test_reports_batch import entity_rows, meter_rows
from tests.api.test_reports_meters import (
    PERIOD,
    bind,
    insert,
    limited_user,
    new_category,
    new_meter,
    new_space,
    report,
    workbook_cells,
    zone_id,
)
from tests.client import Api, refused

DAILY = f"periodtype=daily&{PERIOD}"


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity, water = new_category(admin), new_category(admin, "Water", "m3", 0.0857, 0.3)
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    campus = new_space(admin, "Campus", None, zone)
    a, b = new_space(admin, "A", campus, zone), new_space(admin, "B", campus, zone)
    m1, m2 = new_meter(admin, "M1", electricity, center), new_meter(admin, "M2", electricity, center)
    bind(admin, f"/spaces/{a['id']}/meters", {"meter_id": m1["id"]})
    bind(admin, f"/spaces/{b['id']}/meters", {"meter_id": m2["id"]})
    insert(app, "energy", energy.entity_hourly, [
        *entity_rows("space", a["id"], electricity["id"], 1.0),
        *entity_rows("space", b["id"], electricity["id"], 0.5)[:24],
        *entity_rows("space", b["id"], water["id"], 7.0)])
    m2_rows = meter_rows(m2["id"], 1.0)
    m2_rows[3] = {**m2_rows[3], "actual_value": 500.0, "flags": 8}
    insert(app, "energy", energy.meter_hourly, [*meter_rows(m1["id"], 2.0), *m2_rows])
    return {"a": a, "b": b, "m1": m1, "m2": m2, "electricity": electricity, "water": water}


def test_two_spaces_compare_per_period_with_their_difference_and_its_rate(admin, site):
    result = report(admin, "/reports/spacecomparison", f"spaceid1={site['a']['id']}&spaceuuid2={site['b']['uuid']}"
                    f"&energycategoryid={site['electricity']['id']}&{DAILY}")
    assert (result["space1"]["name"], result["space2"]["name"]) == ("A", "B")
    assert result["energy_category"] == {"id": site["electricity"]["id"], "name": "Electricity",
                                         "unit_of_measure": "kWh"}
    assert result["reporting_period1"] == {"total_in_category": pytest.approx(48), "values": pytest.approx([24, 24]),
                                           "timestamps": ["2026-01-10", "2026-01-11"]}
    assert result["reporting_period2"]["values"] == pytest.approx([12, 0])
    diff = result["diff"]
    assert diff["values"] == pytest.approx([12, 24]) and diff["total_in_category"] == pytest.approx(36)
    assert diff["rates"] == [pytest.approx(1), None] and diff["rate"] == pytest.approx(3)
    cells = workbook_cells(result)
    assert "A (kWh)" in cells and "B (kWh)" in cells and 36 in cells and 48 in cells


def test_a_category_one_side_never_used_compares_against_zero(admin, site):
    result = report(admin, "/reports/spacecomparison", f"spaceid1={site['a']['id']}&spaceid2={site['b']['id']}"
                    f"&energycategoryid={site['water']['id']}&{DAILY}&quickmode=true")
    assert result["reporting_period1"]["values"] == [0, 0]
    assert result["diff"]["values"] == pytest.approx([-168, -168]) and result["excel_bytes_base64"] is None


def test_two_meters_compare_their_own_energy_without_the_out_of_limit_hour(admin, site):
    result = report(admin, "/reports/metercomparison",
                    f"meterid1={site['m1']['id']}&meterid2={site['m2']['id']}&{DAILY}")
    assert result["meter1"]["energy_category_name"] == "Electricity" and result["meter2"]["unit_of_measure"] == "kWh"
    assert "energy_category" not in result
    assert result["reporting_period2"]["values"] == pytest.approx([23, 24])
    assert result["diff"]["values"] == pytest.approx([25, 24])
    assert result["diff"]["total_in_category"] == pytest.approx(49)


@pytest.mark.parametrize("path,kind", [("/reports/equipmentcomparison", "equipment"),
                                       ("/reports/combinedequipmentcomparison", "combinedequipment"),
                                       ("/reports/storecomparison", "store"),
                                       ("/reports/shopfloorcomparison", "shopfloor"),
                                       ("/reports/tenantcomparison", "tenant"),
                                       ("/reports/virtualmetercomparison", "virtualmeter")])
def test_every_kind_is_compared_and_names_a_missing_one_with_its_own_code(admin, site, path, kind):
    upper = {"combinedequipment": "COMBINED_EQUIPMENT", "virtualmeter": "VIRTUAL_METER"}.get(kind, kind.upper())
    category = "" if kind == "virtualmeter" else f"&energycategoryid={site['electricity']['id']}"
    refused(admin.get(path, query_string=f"{kind}id2=1{category}&{DAILY}"), 400, f"API.INVALID_{upper}_ID")
    refused(admin.get(path, query_string=f"{kind}id1=99998&{kind}id2=99999{category}&{DAILY}"), 404,
            f"API.{upper}_NOT_FOUND")


@pytest.mark.parametrize("query,status,code", [
    ("spaceid1={a}&spaceid2={b}&" + DAILY, 400, "API.INVALID_ENERGY_CATEGORY_ID"),
    ("spaceid1={a}&spaceid2={b}&energycategoryid=x&" + DAILY, 400, "API.INVALID_ENERGY_CATEGORY_ID"),
    ("spaceid1={a}&spaceid2={b}&energycategoryid=99999&" + DAILY, 404, "API.ENERGY_CATEGORY_NOT_FOUND"),
    ("spaceid1={a}&spaceid2={b}&energycategoryid={e}&" + PERIOD, 400, "API.INVALID_PERIOD_TYPE"),
    ("spaceid1={a}&spaceid2={b}&energycategoryid={e}&periodtype=daily", 400,
     "API.INVALID_REPORTING_PERIOD_START_DATETIME"),
    ("spaceid1={a}&energycategoryid={e}&" + DAILY, 400, "API.INVALID_SPACE_ID"),
])
def test_bad_parameters_answer_myems_codes(admin, site, query, status, code):
    query = query.format(a=site["a"]["id"], b=site["b"]["id"], e=site["electricity"]["id"])
    refused(admin.get("/reports/spacecomparison", query_string=query), status, code)


def test_a_user_compares_only_spaces_inside_their_subtrees(admin, api, site):
    user = limited_user(admin, api, "a-user", [site["a"]["id"]])
    query = f"spaceid1={site['a']['id']}&spaceid2={site['b']['id']}&energycategoryid={site['electricity']['id']}"
    refused(user.get("/reports/spacecomparison", query_string=f"{query}&{DAILY}"), 403, "API.FORBIDDEN_ENTITY")
    same = f"spaceid1={site['a']['id']}&spaceid2={site['a']['id']}&energycategoryid={site['electricity']['id']}"
    assert report(user, "/reports/spacecomparison", f"{same}&{DAILY}")["diff"]["total_in_category"] == 0
