"""The dashboard against hand-computed totals: whose spaces, this period against the base period.

The site, in Europe/Berlin (CET in January and February): root Campus (area 1000) with children Plant (100),
Office (50) and Depot (10); Line (5) in Plant. Input rows (energy, cost, carbon) at 10:00 UTC:

    Campus  Electricity 2026-01-10 100 (20, 50)   2026-02-10 200 (40, 100)
                        2025-01-10  50 (10, 25)   2025-02-10 150 (30, 75)
            Water       2026-01-15  10 (5, 1)
    Plant   Electricity 2026-01-10  60 (12, 30)
    Office  Electricity 2026-02-10  40 (8, 20)
    Depot   Electricity 2026-02-20  30 (6, 15)    2025-02-20  10 (2, 5)
    Line    Electricity 2026-01-12  25 (5, 12.5)

Reporting period 2026-01-01 .. 2026-03-01, base 2025-01-01 .. 2025-03-01, monthly.

- The administrator's dashboard is Campus's: Electricity 100, 200 (300) against 50, 150 (200): +50 %; Water
  10, 0 (10) against nothing (rate null). Cost 60 + 5 = 65 against 40: +62.5 %; carbon 150 + 1 = 151 against
  100. kgCO2e 300 x 0.5 + 10 x 0.3 = 153. Per unit area 300 / 1000. Children Plant, Office, Depot: 60, 40, 30.
- A user whose privilege names Plant, Depot and Line (inside Plant: not counted twice) sees Plant and Depot:
  Electricity 60, 30 (90) against 0, 10 (10): rate 8; area 110; Plant's child Line: 25.
- Without periods, now 2026-02-15 12:00 UTC (13:00 local): 2026-01-01 .. 2026-02-15T13:00 against
  2025-01-01 .. 2025-02-15T13:00: Electricity 100, 200 (300) against 50, 150 (200); Depot's 02-20 rows and
  the children's after now are outside.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from myems_api.db import energy, historical
from reports.dashboard import Dashboard
from tests.api.test_points import new_point, new_source
from tests.api.test_reports_batch import batch_site, entity_sites
from tests.api.test_reports_meters import (
    API_KEY,
    api_key_client,
    engines_of,
    insert,
    limited_user,
    new_category,
    new_space,
    report,
    workbook_cells,
    zone_id,
)
from tests.api.test_reports_meters import PERIOD as BATCH_PERIOD
from tests.client import Api, refused

PERIODS = ("periodtype=monthly&baseperiodstartdatetime=2025-01-01T00:00:00&baseperiodenddatetime=2025-03-01T00:00:00"
           "&reportingperiodstartdatetime=2026-01-01T00:00:00&reportingperiodenddatetime=2026-03-01T00:00:00")


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity, water = new_category(admin), new_category(admin, "Water", "m3", 0.0857, 0.3)
    campus = new_space(admin, "Campus", None, zone, area=1000.0)
    plant = new_space(admin, "Plant", campus, zone, area=100.0)
    office = new_space(admin, "Office", campus, zone, area=50.0)
    depot = new_space(admin, "Depot", campus, zone, area=10.0)
    line = new_space(admin, "Line", plant, zone, area=5.0)

    def row(space: dict[str, Any], category: dict[str, Any], day: datetime, value: float, cost: float,
            carbon: float) -> dict[str, Any]:
        return {"entity_type": "space", "entity_id": space["id"], "direction": "input",
                "energy_category_id": category["id"], "energy_item_id": 0,
                "start_datetime_utc": day.replace(hour=10), "actual_value": value, "cost": cost, "carbon": carbon}

    insert(app, "energy", energy.entity_hourly, [
        row(campus, electricity, datetime(2026, 1, 10), 100, 20, 50),
        row(campus, electricity, datetime(2026, 2, 10), 200, 40, 100),
        row(campus, electricity, datetime(2025, 1, 10), 50, 10, 25),
        row(campus, electricity, datetime(2025, 2, 10), 150, 30, 75),
        row(campus, water, datetime(2026, 1, 15), 10, 5, 1),
        row(plant, electricity, datetime(2026, 1, 10), 60, 12, 30),
        row(office, electricity, datetime(2026, 2, 10), 40, 8, 20),
        row(depot, electricity, datetime(2026, 2, 20), 30, 6, 15),
        row(depot, electricity, datetime(2025, 2, 20), 10, 2, 5),
        row(line, electricity, datetime(2026, 1, 12), 25, 5, 12.5)])
    return {"campus": campus, "plant": plant, "office": office, "depot": depot, "line": line}


def test_the_administrators_dashboard_is_the_root_space_against_the_base_period(admin, site):
    result = report(admin, "/reports/dashboard", PERIODS)
    assert [s["name"] for s in result["spaces"]] == ["Campus"] and result["space"]["name"] == "Campus"
    assert result["user"]["name"] == "administrator" and result["timezone"] == "Europe/Berlin"
    rp, bp = result["reporting_period_input"], result["base_period_input"]
    assert rp["names"] == ["Electricity", "Water"] and rp["units"] == ["kWh", "m3"]
    assert rp["timestamps"] == [["2026-01", "2026-02"], ["2026-01", "2026-02"]]
    assert rp["values"] == [pytest.approx([100, 200]), pytest.approx([10, 0])]
    assert rp["subtotals"] == pytest.approx([300, 10]) and bp["subtotals"] == pytest.approx([200, 0])
    assert rp["increment_rates"] == [pytest.approx(0.5), None]
    assert rp["total_in_kgco2e"] == pytest.approx(153)
    assert rp["total_in_kgce"] == pytest.approx(300 * 0.1229 + 10 * 0.0857)
    assert rp["subtotals_per_unit_area"] == pytest.approx([0.3, 0.01])
    assert bp["subtotals_per_unit_area"] == pytest.approx([0.2, 0])
    assert rp["total_in_kgco2e_per_unit_area"] == pytest.approx(0.153)
    assert result["base_period_cost"]["subtotals_per_unit_area"] == pytest.approx([0.04, 0])
    cost = result["reporting_period_cost"]
    assert cost["subtotals"] == pytest.approx([60, 5]) and cost["total"] == pytest.approx(65)
    assert cost["units"] == ["CNY", "CNY"] and result["base_period_cost"]["total"] == pytest.approx(40)
    assert cost["total_increment_rate"] == pytest.approx(0.625)
    carbon = result["reporting_period_carbon"]
    assert carbon["total"] == pytest.approx(151) and carbon["total_increment_rate"] == pytest.approx(0.51)
    children = result["child_space_input"]
    assert children["energy_category_names"] == ["Electricity", "Water"]
    assert children["child_space_names_array"] == [["Plant", "Office", "Depot"]] * 2
    assert children["subtotals_array"] == [pytest.approx([60, 40, 30]), pytest.approx([0, 0, 0])]
    assert result["child_space_cost"]["subtotals_array"][0] == pytest.approx([12, 8, 6])
    cells = workbook_cells(result)
    assert 300 in cells and 65 in cells and 151 in cells and "Depot" in cells


def test_a_users_dashboard_sums_the_top_spaces_of_their_privilege_once(admin, api, site):
    user = limited_user(admin, api, "two-places", [site["plant"]["id"], site["depot"]["id"], site["line"]["id"]])
    result = report(user, "/reports/dashboard", PERIODS + "&quickmode=true")
    assert [s["name"] for s in result["spaces"]] == ["Plant", "Depot"] and result["user"]["name"] == "two-places"
    rp = result["reporting_period_input"]
    assert rp["names"] == ["Electricity"] and rp["values"] == [pytest.approx([60, 30])]
    assert rp["increment_rates"] == [pytest.approx(8)]
    assert rp["subtotals_per_unit_area"] == pytest.approx([90 / 110])
    assert result["child_space_input"]["child_space_names_array"] == [["Line"]]
    assert result["child_space_input"]["subtotals_array"] == [pytest.approx([25])]
    assert result["excel_bytes_base64"] is None
    same = report(user, "/reports/dashboard", f"useruuid={user.user['uuid']}&{PERIODS}&quickmode=true")
    assert same["reporting_period_input"]["subtotals"] == pytest.approx([90])
    by_key = report(api_key_client(admin, api), "/reports/dashboard", f"useruuid={user.user['uuid']}&{PERIODS}")
    assert [s["name"] for s in by_key["spaces"]] == ["Plant", "Depot"] and by_key["excel_bytes_base64"]


def test_without_periods_the_dashboard_compares_this_year_with_last_year_monthly(app, config, admin, site):
    dashboard = Dashboard(clock=lambda: datetime(2026, 2, 15, 12, tzinfo=UTC))
    result = dashboard.answer(engines_of(app, config), {"useruuid": admin.user["uuid"]}, API_KEY)
    rp, bp = result["reporting_period_input"], result["base_period_input"]
    assert rp["timestamps"][0] == ["2026-01", "2026-02"] and bp["timestamps"][0] == ["2025-01", "2025-02"]
    assert rp["values"][0] == pytest.approx([100, 200]) and bp["values"][0] == pytest.approx([50, 150])
    assert rp["increment_rates"][0] == pytest.approx(0.5)
    assert result["child_space_input"]["subtotals_array"][0] == pytest.approx([60, 40, 0])
    weekly = dashboard.answer(engines_of(app, config), {"useruuid": admin.user["uuid"], "periodtype": "yearly",
                                                        "quickmode": "true"}, API_KEY)
    assert weekly["reporting_period_input"]["timestamps"][0] == ["2026"]


def test_a_reporting_period_without_a_base_period_compares_with_nothing(admin, site):
    result = report(admin, "/reports/dashboard", "periodtype=monthly&reportingperiodstartdatetime=2026-01-01T00:00:00"
                    "&reportingperiodenddatetime=2026-03-01T00:00:00&quickmode=true")
    assert result["reporting_period_input"]["subtotals"] == pytest.approx([300, 10])
    assert result["reporting_period_input"]["increment_rates"] == [None, None]
    assert result["base_period_input"]["values"] == [[], []]
    assert result["reporting_period_cost"]["total_increment_rate"] is None


def test_a_user_without_spaces_or_data_gets_empty_lists_not_an_error(admin, api, site):
    nobody = limited_user(admin, api, "nobody", None)
    result = report(nobody, "/reports/dashboard", PERIODS)
    assert result["spaces"] == [] and result["space"] is None
    assert result["reporting_period_input"]["names"] == [] and result["reporting_period_cost"]["total"] == 0
    assert result["child_space_input"]["subtotals_array"] == [] and result["excel_bytes_base64"]
    quiet = report(admin, "/reports/dashboard", "periodtype=daily&reportingperiodstartdatetime=2024-01-01T00:00:00"
                   "&reportingperiodenddatetime=2024-01-03T00:00:00")
    assert quiet["reporting_period_input"]["subtotals"] == [] and quiet["excel_bytes_base64"]


def test_only_administrators_and_api_keys_may_name_another_user(admin, api, site):
    user = limited_user(admin, api, "plant-user", [site["plant"]["id"]])
    refused(user.get("/reports/dashboard", query_string=f"useruuid={admin.user['uuid']}&{PERIODS}"), 403,
            "API.FORBIDDEN_USER")
    other = report(admin, "/reports/dashboard", f"useruuid={user.user['uuid']}&{PERIODS}&quickmode=true")
    assert [s["name"] for s in other["spaces"]] == ["Plant"]
    refused(api_key_client(admin, api).get("/reports/dashboard", query_string=PERIODS), 400, "API.INVALID_USER_UUID")
    assert api.get("/reports/dashboard", query_string=PERIODS).status_code == 401


@pytest.mark.parametrize("query,status,code", [
    ("useruuid=not-a-uuid&" + PERIODS, 400, "API.INVALID_USER_UUID"),
    ("useruuid=00000000-0000-0000-0000-000000000000&" + PERIODS, 404, "API.USER_NOT_FOUND"),
    ("periodtype=fortnightly", 400, "API.INVALID_PERIOD_TYPE"),
    ("periodtype=monthly&reportingperiodstartdatetime=2026-01-01T00:00:00", 400,
     "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
    ("periodtype=monthly&baseperiodenddatetime=2025-03-01T00:00:00", 400, "API.INVALID_BASE_PERIOD_START_DATETIME"),
    (PERIODS + "&language=xx", 400, "API.INVALID_LANGUAGE"),
])
def test_bad_parameters_answer_myems_codes(admin, site, query, status, code):
    refused(admin.get("/reports/dashboard", query_string=query), status, code)


def test_the_dashboard_shows_what_the_spaces_deliver_their_peaks_and_their_sensors_live_values(admin, app, site):
    electricity = next(c for c in admin.get("/energycategories").json if c["name"] == "Electricity")
    insert(app, "energy", energy.entity_hourly, [
        {"entity_type": "space", "entity_id": site["campus"]["id"], "direction": "output",
         "energy_category_id": electricity["id"], "energy_item_id": 0, "start_datetime_utc": datetime(2026, 1, 10, 9),
         "actual_value": 40, "cost": 0, "carbon": 0}])
    source = new_source(admin)
    temperature = new_point(admin, source["id"], name="Hall temperature", object_type="ANALOG_VALUE", units="°C")
    humidity = new_point(admin, source["id"], name="Hall humidity", object_type="ANALOG_VALUE", units="%")
    sensor = admin.create("/sensors", {"name": "Hall", "description": "climate"})
    for point in (temperature, humidity):
        assert admin.post(f"/sensors/{sensor['id']}/points", {"point_id": point["id"]}).status_code == 201
    assert admin.post(f"/spaces/{site['campus']['id']}/sensors", {"sensor_id": sensor["id"]}).status_code == 201
    fresh = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    insert(app, "historical", historical.latest_values, [
        {"point_id": temperature["id"], "utc_date_time": fresh, "actual_value": 21.5, "is_bad": False},
        {"point_id": humidity["id"], "utc_date_time": fresh - timedelta(days=2), "actual_value": 40, "is_bad": False}])
    result = report(admin, "/reports/dashboard", PERIODS + "&quickmode=true")
    output = result["reporting_period_output"]
    assert output["names"] == ["Electricity"] and output["subtotals"] == pytest.approx([40])
    assert output["increment_rates"] == [None] and result["base_period_output"]["subtotals"] == [0]
    rp = result["reporting_period_input"]
    assert all(len(rp[key]) == len(rp["names"]) for key in ("toppeaks", "onpeaks", "midpeaks", "offpeaks", "deeps"))
    assert result["sensor"] == {str(sensor["id"]): {
        "name": "Hall", "description": "climate", "uuid": sensor["uuid"],
        "point_id_list": [temperature["id"], humidity["id"]], "point_unit_list": ["°C", "%"],
        "point_name_list": ["Hall temperature", "Hall humidity"]}}
    assert result["point"] == {str(temperature["id"]): 21.5, str(humidity["id"]): None}  # two days old: not live


def test_the_space_dashboard_without_a_space_lists_the_users_spaces_as_the_other_dashboards_do(admin, api, site):
    result = report(admin, "/reports/spacedashboard", PERIODS + "&quickmode=true")
    assert result["summary"]["total_spaces"] == 5 and result["summary"]["total_area"] == 1000
    assert result["reporting_period_input"]["subtotals"] == pytest.approx([300, 10])
    spaces = {s["name"]: s for s in result["spaces"]}
    assert spaces["Plant"]["total_energy"] == pytest.approx(60) and spaces["Line"]["parent_space_id"] == \
        site["plant"]["id"]
    assert [s["name"] for s in result["top_spaces"]][:2] == ["Campus", "Plant"]
    user = limited_user(admin, api, "plant-only", [site["plant"]["id"]])
    mine = report(user, "/reports/spacedashboard", f"useruuid={user.user['uuid']}&{PERIODS}&quickmode=true")
    assert sorted(s["name"] for s in mine["spaces"]) == ["Line", "Plant"]
    assert mine["summary"]["total_area"] == 100


# ------------------------------------------------------------ one space's dashboard, entity and meter dashboards

def test_a_space_dashboard_is_its_energy_category_report_with_its_children(admin, site):
    result = report(admin, "/reports/spacedashboard", f"spaceid={site['campus']['id']}&{PERIODS}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["names"] == ["Electricity", "Water"] and rp["subtotals"] == pytest.approx([300, 10])
    child = result["child_space"]
    assert child["energy_category_names"] == ["Electricity", "Water"]
    assert child["child_space_names_array"][0] == ["Plant", "Office", "Depot"]
    assert child["subtotals_array"] == [pytest.approx([60, 40, 30]), [0, 0, 0]]
    assert child["subtotals_in_kgco2e_array"][0] == pytest.approx([30, 20, 15])


def test_the_tenant_dashboard_sums_every_tenant_the_user_may_see_and_ranks_them(admin, app):
    site = batch_site(admin, app)
    sites = entity_sites(admin, app, site)
    result = report(admin, "/reports/tenantdashboard", f"periodtype=daily&{BATCH_PERIOD}&quickmode=true")
    rp = result["reporting_period_input"]
    assert rp["names"] == ["Electricity", "Water"] and rp["subtotals"] == pytest.approx([51 + 432, 24])
    tenants = {t["name"]: t for t in result["tenants"]}
    assert tenants["T1"]["total_energy"] == pytest.approx(75)
    assert tenants["T1"]["energy_by_category"] == {str(site["electricity"]["id"]): pytest.approx(51),
                                                   str(site["water"]["id"]): pytest.approx(24)}
    assert [t["name"] for t in result["top_tenants"]] == ["T2", "T1"]
    assert result["summary"]["total_tenants"] == 2 and result["period_type"] == "daily"
    assert sites["T2"]["id"] in tenants["T2"].values()
    assert rp["category_names"] == rp["names"] and rp["category_units"] == rp["units"]
    tenant = admin.get(f"/tenants/{tenants['T1']['id']}").json
    assert tenants["T1"]["tenant_type"] == tenant["tenant_type"]["name"]
    assert (tenants["T1"]["rooms"], tenants["T1"]["buildings"]) == (tenant["rooms"], tenant["buildings"])


def test_an_entity_dashboard_counts_what_they_hold_and_a_user_sees_their_subtrees_only(admin, api, app):
    site = batch_site(admin, app)
    result = report(admin, "/reports/equipmentdashboard", f"periodtype=daily&{BATCH_PERIOD}&quickmode=true")
    assert result["reporting_period_input"]["subtotals"] == pytest.approx([96])
    assert result["summary"]["total_equipments"] == 2 and result["summary"]["total_meters"] == 2
    equipments = {e["name"]: e for e in result["equipments"]}
    assert equipments["E2"]["total_output"] == pytest.approx(432) and equipments["E2"]["total_energy"] == \
        pytest.approx(24)
    assert equipments["E2"]["efficiency"] == pytest.approx(1800)  # 432 / 24, in %
    assert equipments["E1"]["output_by_category"] == {} and equipments["E1"]["efficiency"] is None
    assert result["reporting_period_output"]["subtotals"] == pytest.approx([432])
    user = limited_user(admin, api, "plant-user", [site["plant"]["id"]])
    mine = report(user, "/reports/equipmentdashboard", f"periodtype=daily&{BATCH_PERIOD}&quickmode=true")
    assert [e["name"] for e in mine["equipments"]] == ["E1"]
    assert mine["reporting_period_input"]["subtotals"] == pytest.approx([72])


def test_the_meter_dashboard_lists_every_kind_of_meter_of_the_subtree_in_a_category(admin, app):
    site = batch_site(admin, app)
    entity_sites(admin, app, site)
    every = report(admin, "/reports/meterdashboard",
                   f"spaceid={site['campus']['id']}&energyCategory=all&{BATCH_PERIOD}")
    assert [m["meter_name"] for m in every["meters"]] == ["M1", "M2", "M3"] and every["meter_count"] == 3
    assert [m["difference_value"] for m in every["offline_meters"]] == [pytest.approx(144)]
    assert every["virtual_meter_count"] == 1
    electricity = report(admin, "/reports/meterdashboard",
                         f"spaceid={site['campus']['id']}&energyCategory={site['electricity']['id']}&{BATCH_PERIOD}")
    assert [m["meter_name"] for m in electricity["meters"]] == ["M1", "M3"] and electricity["offline_meters"] == []
    refused(admin.get("/reports/meterdashboard", query_string=f"spaceid={site['campus']['id']}&energyCategory=x"),
            400, "API.INVALID_ENERGY_CATEGORY_ID")
