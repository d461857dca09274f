"""Energy reports against hand-computed totals: a space in Europe/Berlin with known hourly rows across the
spring daylight-saving change (2026-03-29, a 23-hour Sunday) and the March/April month boundary.

Reporting period 2026-03-27 .. 2026-04-03 (local): 167 hours of 1 kWh (the entity rows also cost 0.4 and
emit 0.5 kg per kWh). Base period 2026-03-20 .. 2026-03-27: 168 hours of 0.5 kWh. By hand:

- daily: 24, 24, 23, 24, 24, 24, 24 (= 167); weekly (Mondays 03-23, 03-30): 71, 96; monthly: 119, 48;
- base total 84, so the increment rate is (167 - 84) / 84;
- the meter's time-of-use tariff (UTC offset 0): off-peak 00:00-07:29:59 at 0.2, on-peak from 07:30 at 0.6.
  The reporting period is UTC [03-26 23:00, 04-02 22:00): off-peak 6 x 7.5 + 7.5 = 52.5 h, on-peak
  1 + 6 x 16.5 + 14.5 = 114.5 h; cost 52.5 x 0.2 + 114.5 x 0.6 = 79.2.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from myems_api.db import energy
from myems_api.db.entity_days import refresh_daily
from tests.api.test_sites import MAKERS, new_refs
from tests.client import Api

REPORTING = "reportingperiodstartdatetime=2026-03-27T00:00:00&reportingperiodenddatetime=2026-04-03T00:00:00"
BASE = "baseperiodstartdatetime=2026-03-20T00:00:00&baseperiodenddatetime=2026-03-27T00:00:00"
RATE = (167 - 84) / 84


class Site(dict[str, Any]):
    pass


def utc_hours(first: datetime, last_exclusive: datetime) -> list[datetime]:
    hours, at = [], first
    while at < last_exclusive:
        hours.append(at)
        at += timedelta(hours=1)
    return hours


@pytest.fixture
def site(admin: Api, app: Any) -> Site:
    return build_site(admin, app)


def build_site(admin: Api, app: Any) -> Site:
    """The module docstring's space and meter (the plan reports' tests use it too)."""
    zone = next(t["id"] for t in admin.get("/timezones").json if t["name"] == "W. Europe Standard Time")
    electricity = admin.create("/energycategories", {"name": "Electricity", "unit_of_measure": "kWh",
                                                     "kgce": 0.1229, "kgco2e": 0.5})
    center = admin.create("/costcenters", {"name": "Plant", "external_id": "P"})
    tou = admin.create("/tariffs", {
        "name": "TOU", "energy_category_id": electricity["id"], "tariff_type": "timeofuse",
        "unit_of_price": "EUR/kWh", "valid_from": "2026-01-01T00:00:00", "valid_through": "2027-01-01T00:00:00",
        "timeofuse": [
            {"start_time_of_day": "00:00:00", "end_time_of_day": "07:29:59", "peak_type": "offpeak", "price": 0.2},
            {"start_time_of_day": "07:30:00", "end_time_of_day": "23:59:59", "peak_type": "onpeak", "price": 0.6}]})
    assert admin.post(f"/costcenters/{center['id']}/tariffs", {"tariff_id": tou["id"]}).status_code == 201
    campus = admin.create("/spaces", {"name": "Campus", "parent_space_id": None, "area": 1000.0, "timezone_id": zone,
                                      "is_input_counted": True, "is_output_counted": False})
    space = admin.create("/spaces", {"name": "Plant", "parent_space_id": campus["id"], "area": 100.0,
                                     "timezone_id": zone,
                                     "is_input_counted": True, "is_output_counted": False,
                                     "cost_center_id": center["id"]})
    meter = admin.create("/meters", {"name": "Main", "energy_category_id": electricity["id"], "is_counted": True,
                                     "hourly_low_limit": 0, "hourly_high_limit": 1000,
                                     "cost_center_id": center["id"], "energy_item_id": None,
                                     "master_meter_id": None, "description": None})
    assert admin.post(f"/spaces/{space['id']}/meters", {"meter_id": meter["id"]}).status_code == 201
    reporting = utc_hours(datetime(2026, 3, 26, 23), datetime(2026, 4, 2, 22))
    base = utc_hours(datetime(2026, 3, 19, 23), datetime(2026, 3, 26, 23))
    assert (len(reporting), len(base)) == (167, 168)
    rows = [(h, 1.0) for h in reporting] + [(h, 0.5) for h in base]
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": "space", "entity_id": space["id"], "direction": "input",
             "energy_category_id": electricity["id"], "energy_item_id": 0, "start_datetime_utc": h,
             "actual_value": v, "cost": 0.4 * v, "carbon": 0.5 * v} for h, v in rows])
        refresh_daily(conn, min(h for h, _ in rows), max(h for h, _ in rows))  # as the roll-up keeps its days
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": meter["id"], "start_datetime_utc": h, "actual_value": v, "flags": 0}
            for h, v in rows])
    return Site(campus=campus, space=space, meter=meter, electricity=electricity)


def report(client: Api, path: str, query: str) -> dict[str, Any]:
    result = client.get(path, query_string=query)
    assert result.status_code == 200, result.json
    return dict(result.json)


@pytest.mark.parametrize("period_type,labels,values", [
    ("daily", ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"],
     [24, 24, 23, 24, 24, 24, 24]),
    ("weekly", ["2026-03-23", "2026-03-30"], [71, 96]),
    ("monthly", ["2026-03", "2026-04"], [119, 48]),
    ("yearly", ["2026"], [167]),
])
def test_space_energy_category_totals_per_period_match_the_hand_computed_ones(admin, site, period_type, labels,
                                                                              values):
    result = report(admin, "/reports/spaceenergycategory",
                    f"spaceid={site['space']['id']}&periodtype={period_type}&{REPORTING}&{BASE}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["names"] == ["Electricity"] and rp["units"] == ["kWh"]
    assert rp["timestamps"] == [labels]
    assert rp["values"] == [pytest.approx(values)]
    assert rp["subtotals"] == [pytest.approx(167)]
    assert rp["increment_rates"] == [pytest.approx(RATE)]
    assert rp["subtotals_per_unit_area"] == [pytest.approx(1.67)]
    assert rp["total_in_kgce"] == pytest.approx(167 * 0.1229)
    assert rp["total_in_kgco2e"] == pytest.approx(167 * 0.5)
    assert result["base_period"]["subtotals"] == [pytest.approx(84)]
    assert result["space"]["name"] == "Plant"


def test_hourly_periods_of_the_daylight_saving_day_number_23(admin, site):
    result = report(admin, "/reports/spaceenergycategory", f"spaceid={site['space']['id']}&periodtype=hourly"
                    "&reportingperiodstartdatetime=2026-03-29T00:00:00&reportingperiodenddatetime=2026-03-30T00:00:00"
                    "&quickmode=true")
    labels = result["reporting_period"]["timestamps"][0]
    assert len(labels) == 23
    assert "2026-03-29T02:00:00" not in labels and labels[2] == "2026-03-29T03:00:00"


def test_the_peak_split_divides_hours_at_a_half_past_boundary(admin, site):
    result = report(admin, "/reports/spaceenergycategory",
                    f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["offpeaks"] == [pytest.approx(52.5)] and rp["onpeaks"] == [pytest.approx(114.5)]
    assert rp["toppeaks"] == [0.0] and rp["deeps"] == [0.0]


@pytest.mark.parametrize("path,total,unit", [("/reports/spacecost", 0.4 * 167, "CNY"),
                                             ("/reports/spacecarbon", 0.5 * 167, "kgCO2e")])
def test_space_cost_and_carbon_reports_sum_the_rolled_up_cost_and_carbon(admin, site, path, total, unit):
    rp = report(admin, path, f"spaceid={site['space']['id']}&periodtype=monthly&{REPORTING}&quickmode=true")[
        "reporting_period"]
    assert rp["subtotals"] == [pytest.approx(total)] and rp["units"] == [unit]
    assert rp["values"] == [pytest.approx([total * 119 / 167, total * 48 / 167])]


def test_the_meter_energy_report_has_the_meter_shape_and_the_same_totals(admin, site):
    result = report(admin, "/reports/meterenergy",
                    f"meterid={site['meter']['id']}&periodtype=daily&{REPORTING}&{BASE}&quickmode=true")
    assert result["meter"]["unit_of_measure"] == "kWh"
    assert result["reporting_period"]["total_in_category"] == pytest.approx(167)
    assert result["reporting_period"]["values"] == pytest.approx([24, 24, 23, 24, 24, 24, 24])
    assert result["reporting_period"]["increment_rate"] == pytest.approx(RATE)
    assert result["base_period"]["total_in_category"] == pytest.approx(84)
    assert result["reporting_period"]["total_in_kgco2e"] == pytest.approx(83.5)


def test_the_meter_cost_report_prices_each_hour_by_time_of_use(admin, site):
    result = report(admin, "/reports/metercost",
                    f"meteruuid={site['meter']['uuid']}&periodtype=yearly&{REPORTING}&quickmode=true")
    assert result["reporting_period"]["total_in_category"] == pytest.approx(79.2)
    assert result["reporting_period"]["total_in_kgce"] == pytest.approx(167 * 0.1229)  # of the energy priced
    carbon = report(admin, "/reports/metercarbon", f"meterid={site['meter']['id']}&periodtype=yearly&{REPORTING}"
                    "&quickmode=true")["reporting_period"]
    assert carbon["total_in_category"] == carbon["total_in_kgco2e"] == pytest.approx(83.5)


def test_the_load_report_answers_average_and_maximum_hourly_load(admin, site):
    rp = report(admin, "/reports/spaceload", f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}"
                "&quickmode=true")["reporting_period"]
    assert rp["sub_averages"] == [pytest.approx([1.0] * 7)]
    assert rp["maximums"] == [pytest.approx(1.0)] and rp["factors"] == [pytest.approx(1.0)]


def test_the_statistics_report_describes_the_period_values(admin, site):
    rp = report(admin, "/reports/spacestatistics", f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}"
                "&quickmode=true")["reporting_period"]
    assert rp["means"] == [pytest.approx(167 / 7)] and rp["medians"] == [24.0]
    assert rp["minimums"] == [23.0] and rp["maximums"] == [24.0]
    assert rp["means_per_unit_area"] == [pytest.approx(167 / 7 / 100)]  # Plant's 100 m2
    assert rp["variances_per_unit_area"][0] == pytest.approx(rp["variances"][0] / 100)


def test_a_report_without_quickmode_carries_an_excel_file_with_the_same_numbers(admin, site):
    result = report(admin, "/reports/spaceenergycategory",
                    f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}&{BASE}")
    book = load_workbook(io.BytesIO(base64.b64decode(result["excel_bytes_base64"])))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Plant" in cells and 23 in cells and pytest.approx(167) in cells


def test_a_space_without_data_answers_zeros_not_errors(admin, site):
    result = report(admin, "/reports/spaceenergycategory", f"spaceid={site['space']['id']}&periodtype=daily"
                    "&reportingperiodstartdatetime=2025-01-01T00:00:00&reportingperiodenddatetime=2025-01-03T00:00:00")
    assert result["reporting_period"]["subtotals"] == []
    assert result["excel_bytes_base64"]


@pytest.mark.parametrize("query,status,code", [
    ("periodtype=daily&" + REPORTING, 400, "API.INVALID_SPACE_ID"),
    ("spaceid=abc&periodtype=daily&" + REPORTING, 400, "API.INVALID_SPACE_ID"),
    ("spaceid=999&periodtype=daily&" + REPORTING, 404, "API.SPACE_NOT_FOUND"),
    ("spaceid={id}&periodtype=fortnightly&" + REPORTING, 400, "API.INVALID_PERIOD_TYPE"),
    ("spaceid={id}&periodtype=daily&reportingperiodstartdatetime=2026-04-03T00:00:00"
     "&reportingperiodenddatetime=2026-03-27T00:00:00", 400, "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
    ("spaceid={id}&periodtype=daily&reportingperiodstartdatetime=yesterday"
     "&reportingperiodenddatetime=2026-03-27T00:00:00", 400, "API.INVALID_REPORTING_PERIOD_START_DATETIME"),
    ("spaceid={id}&periodtype=daily&reportingperiodstartdatetime=1990-01-01T00:00:00"
     "&reportingperiodenddatetime=2026-03-27T00:00:00", 400, "API.THE_REPORTING_PERIOD_IS_TOO_LONG"),
    ("spaceid={id}&periodtype=daily&" + REPORTING + "&baseperiodstartdatetime=2026-03-20T00:00:00", 400,
     "API.INVALID_BASE_PERIOD_END_DATETIME"),
    ("spaceid={id}&periodtype=daily&" + REPORTING + "&language=xx", 400, "API.INVALID_LANGUAGE"),
])
def test_bad_report_parameters_answer_clear_errors(admin, site, query, status, code):
    result = admin.get("/reports/spaceenergycategory", query_string=query.format(id=site["space"]["id"]))
    assert (result.status_code, result.json["description"]) == (status, code)


def test_api_keys_may_run_reports(admin, api, site):
    key = admin.create("/apikeys", {"name": "reports", "expires_datetime_utc": "2100-01-01T00:00:00"})["token"]
    client = api.with_headers({"API-Key": key})
    assert report(client, "/reports/meterenergy",
                  f"meterid={site['meter']['id']}&periodtype=daily&{REPORTING}&quickmode=true")


def test_a_user_reports_only_inside_the_spaces_of_their_privilege(admin, api, site):
    other = admin.create("/spaces", {"name": "Elsewhere", "parent_space_id": site["campus"]["id"], "area": 1,
                                     "is_input_counted": True,
                                     "is_output_counted": False, "timezone_id": site["space"]["timezone"]["id"]})
    privilege = admin.create("/privileges", {"name": "plant only", "data": {"spaces": [site["space"]["id"]]}})
    for name, privilege_id in (("inside", privilege["id"]), ("nowhere", None)):
        admin.create("/users", {"name": name, "display_name": name, "email": f"{name}@example.com", "is_admin": False,
                                "privilege_id": privilege_id, "password": "secret-pass-1"})
    inside, nowhere = api.login("inside", "secret-pass-1"), api.login("nowhere", "secret-pass-1")
    query = f"periodtype=daily&{REPORTING}&quickmode=true"
    assert inside.get("/reports/spaceenergycategory", query_string=f"spaceid={site['space']['id']}&{query}"
                      ).status_code == 200
    assert inside.get("/reports/meterenergy", query_string=f"meterid={site['meter']['id']}&{query}").status_code == 200
    refused = inside.get("/reports/spaceenergycategory", query_string=f"spaceid={other['id']}&{query}")
    assert (refused.status_code, refused.json["description"]) == (403, "API.FORBIDDEN_ENTITY")
    assert nowhere.get("/reports/meterenergy", query_string=f"meterid={site['meter']['id']}&{query}"
                       ).status_code == 403
    assert api.get("/reports/meterenergy", query_string=f"meterid={site['meter']['id']}&{query}").status_code == 401


def test_equipment_efficiency_is_the_numerator_meters_energy_over_the_denominators(admin, app, site):
    cooling = admin.create("/meters", {"name": "Cooling", "energy_category_id": site["electricity"]["id"],
                                       "is_counted": False, "hourly_low_limit": 0, "hourly_high_limit": 1000,
                                       "cost_center_id": site["meter"]["cost_center"]["id"], "energy_item_id": None,
                                       "master_meter_id": None, "description": None})
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": cooling["id"], "start_datetime_utc": h, "actual_value": 3.0,
             "flags": 0} for h in utc_hours(datetime(2026, 3, 26, 23), datetime(2026, 4, 2, 22))])
    chiller = admin.create("/equipments", {
        "name": "Chiller", "is_input_counted": True, "is_output_counted": False,
        "cost_center_id": site["meter"]["cost_center"]["id"], "parameters": [
            {"name": "COP", "parameter_type": "fraction", "numerator_meter_uuid": cooling["uuid"],
             "denominator_meter_uuid": site["meter"]["uuid"]}]})
    assert admin.post(f"/spaces/{site['space']['id']}/equipments", {"equipment_id": chiller["id"]}).status_code == 201
    result = report(admin, "/reports/equipmentefficiency",
                    f"equipmentid={chiller['id']}&periodtype=weekly&{REPORTING}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["names"] == ["COP"] and rp["units"] == ["kWh/kWh"]
    assert rp["values"] == [pytest.approx([3.0, 3.0])] and rp["cumulations"] == [pytest.approx(3.0)]
    assert rp["numerator_values"] == [pytest.approx([213.0, 288.0])]
    v670 = result["reporting_period_efficiency"]  # as v6.7.0's efficiency pages read it
    assert (v670["numerator_names"], v670["denominator_names"]) == (["Cooling"], [site["meter"]["name"]])
    assert v670["numerator_cumulation"] == v670["numerator_cumulations"] == [pytest.approx(501.0)]
    assert v670["denominator_cumulation"] == [pytest.approx(167.0)] and v670["cumulations"] == [pytest.approx(3.0)]
    assert v670["increment_rates_num"] == [None] and result["base_period_efficiency"]["cumulations"] == [None]


ENTITIES = [("equipments", "equipment"), ("combinedequipments", "combined_equipment"), ("tenants", "tenant"),
            ("stores", "store"), ("shopfloors", "shopfloor")]


@pytest.mark.parametrize("binding,kind", ENTITIES, ids=[k for _, k in ENTITIES])
def test_every_rolled_up_entity_answers_the_same_golden_days_in_its_spaces_zone(admin, app, site, binding, kind):
    entity = MAKERS[binding](admin, new_refs(admin), f"Golden {kind}")
    key = "combined_equipment_id" if kind == "combined_equipment" else f"{kind}_id"
    assert admin.post(f"/spaces/{site['space']['id']}/{binding}", {key: entity["id"]}).status_code == 201
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": kind, "entity_id": entity["id"], "direction": direction,
             "energy_category_id": site["electricity"]["id"], "energy_item_id": 0, "start_datetime_utc": h,
             "actual_value": value, "cost": 0.4 * value, "carbon": 0.5 * value}
            for h in utc_hours(datetime(2026, 3, 26, 23), datetime(2026, 4, 2, 22))
            for direction, value in (("input", 1.0), ("output", 3.0))])
    query = f"{kind.replace('_', '')}id={entity['id']}&periodtype=daily&{REPORTING}&quickmode=true"
    energy_report = report(admin, f"/reports/{kind.replace('_', '')}energycategory", query)
    assert energy_report["reporting_period"]["values"] == [pytest.approx([24, 24, 23, 24, 24, 24, 24])]
    output = report(admin, f"/reports/{kind.replace('_', '')}output", query)["reporting_period"]
    assert output["subtotals"] == [pytest.approx(3 * 167)]
    income = report(admin, f"/reports/{kind.replace('_', '')}income", query)["reporting_period"]
    assert income["subtotals"] == [pytest.approx(0.4 * 3 * 167)]


def test_stored_decimals_read_back_in_double_precision_on_every_backend(admin, site, app):
    """MariaDB computes ``CAST(x AS FLOAT)`` in single precision: 58.772 would read back as 58.77199935913086."""
    hour = datetime(2026, 5, 4, 10)
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [{"meter_type": "meter", "meter_id": site["meter"]["id"],
                                                      "start_datetime_utc": hour, "actual_value": 58.772, "flags": 0}])
    result = report(admin, "/reports/meterenergy", f"meterid={site['meter']['id']}&periodtype=daily"
                    "&reportingperiodstartdatetime=2026-05-04T00:00:00&reportingperiodenddatetime=2026-05-05T00:00:00"
                    "&quickmode=true")
    assert result["reporting_period"]["values"] == [58.772]


def test_the_meter_report_splits_its_energy_by_peak_type_as_v670_names_it(admin, site):
    result = report(admin, "/reports/meterenergy", f"meterid={site['meter']['id']}&periodtype=daily&{REPORTING}"
                    "&quickmode=true")
    rp = result["reporting_period"]
    assert (rp["offpeak"], rp["onpeak"], rp["toppeak"]) == (pytest.approx(52.5), pytest.approx(114.5), 0)
    assert result["base_period"]["total_in_category"] == 0  # no base period: a number the page can format


def test_a_space_report_has_every_list_the_report_page_indexes(admin, site):
    """myems-web reads item i of each per-category list, and the child spaces and working calendars, unguarded."""
    result = report(admin, "/reports/spaceenergycategory",
                    f"spaceid={site['campus']['id']}&periodtype=daily&{REPORTING}&{BASE}&quickmode=true")
    assert result["space"]["working_calendars"] == []
    rp = result["reporting_period"]
    for key in ("subtotals_per_capita", "working_days_subtotals", "non_working_days_subtotals", "deeps"):
        assert len(rp[key]) == len(rp["names"]), key
    child = result["child_space"]
    assert child["child_space_names_array"] == [["Plant"]] and child["subtotals_array"] == [[pytest.approx(167)]]
    assert child["child_space_ids_array"] == [[site["space"]["id"]]]
    cost = report(admin, "/reports/spacecost", f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}"
                  "&quickmode=true")["reporting_period"]
    assert cost["total"] == pytest.approx(0.4 * 167) and cost["total_unit"] == "CNY"


def test_an_item_report_of_a_space_lists_each_child_spaces_subtotal_per_item(admin, app, site):
    lighting = admin.create("/energyitems", {"name": "Lighting", "energy_category_id": site["electricity"]["id"]})
    day = utc_hours(datetime(2026, 3, 26, 23), datetime(2026, 3, 27, 23))
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": "space", "entity_id": site["space"]["id"], "direction": "input",
             "energy_category_id": site["electricity"]["id"], "energy_item_id": lighting["id"],
             "start_datetime_utc": h, "actual_value": 0.25, "cost": 0.1, "carbon": 0.125} for h in day])
        refresh_daily(conn, day[0], day[-1])
    result = report(admin, "/reports/spaceenergyitem",
                    f"spaceid={site['campus']['id']}&periodtype=daily&{REPORTING}&quickmode=true")
    child = result["child_space"]
    assert child["energy_item_names"] == ["Lighting"] and child["units"] == ["kWh"]
    assert child["child_space_names_array"] == [["Plant"]] and child["subtotals_array"] == [[pytest.approx(6)]]
    assert "energy_category_names" not in child


def test_non_working_days_of_the_spaces_calendar_are_summed_apart(admin, site):
    calendar = admin.create("/workingcalendars", {"name": "Office", "description": "",
                                                   "non_working_days": [{"date_local": "2026-03-28",
                                                                         "description": "Saturday"}]})
    assert admin.post(f"/spaces/{site['space']['id']}/workingcalendars",
                      {"working_calendar_id": calendar["id"]}).status_code == 201
    result = report(admin, "/reports/spaceenergycategory",
                    f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}&quickmode=true")
    rp = result["reporting_period"]
    assert result["space"]["working_calendars"] == [calendar["id"]]
    assert rp["non_working_days_subtotals"] == [pytest.approx(24)]
    assert rp["working_days_subtotals"] == [pytest.approx(143)]


def test_a_combined_equipment_report_carries_each_associated_equipments_subtotals_and_periods(admin, app, site):
    refs = new_refs(admin)
    combined = MAKERS["combinedequipments"](admin, refs, "Plant room")
    assert admin.post(f"/spaces/{site['space']['id']}/combinedequipments",
                      {"combined_equipment_id": combined["id"]}).status_code == 201
    parts = [MAKERS["equipments"](admin, refs, name) for name in ("Pump A", "Pump B")]
    for part in parts:
        assert admin.post(f"/combinedequipments/{combined['id']}/equipments",
                          {"equipment_id": part["id"]}).status_code == 201
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": "equipment" if part is not combined else "combined_equipment", "entity_id": part["id"],
             "direction": "input",
             "energy_category_id": site["electricity"]["id"], "energy_item_id": 0, "start_datetime_utc": h,
             "actual_value": value, "cost": value, "carbon": value}
            for h in utc_hours(datetime(2026, 3, 26, 23), datetime(2026, 4, 2, 22))
            for part, value in zip([*parts, combined], (1.0, 2.0, 3.0), strict=True)])
    query = f"combinedequipmentid={combined['id']}&periodtype=daily&{REPORTING}&quickmode=true"
    result = report(admin, "/reports/combinedequipmentenergycategory", query)
    block = result["associated_equipment"]
    assert block["associated_equipment_names_array"] == [["Pump A", "Pump B"]]
    assert block["energy_category_names"] == [site["electricity"]["name"]]
    assert block["subtotals_array"] == [[pytest.approx(167), pytest.approx(334)]]
    assert block["subtotals_in_kgce_array"] == [[pytest.approx(167 * 0.1229), pytest.approx(334 * 0.1229)]]
    [_, second] = result["associated_report_period_list"]
    assert second["associated_equipment_name"] == "Pump B"
    assert second["values"] == [pytest.approx([48, 48, 46, 48, 48, 48, 48])]
    load = report(admin, "/reports/combinedequipmentload", query)
    assert load["associated_equipment"]["sub_maximums_array"] == [[pytest.approx(1), pytest.approx(2)]]
    assert load["reporting_period"]["rates_of_sub_maximums"] == [[None] * 7]
    cost = report(admin, "/reports/combinedequipmentcost", query)
    assert cost["associated_equipment"]["total_unit"] == cost["reporting_period"]["total_unit"]
    assert all(f"{peak}s" in cost["reporting_period"] for peak in ("toppeak", "onpeak", "midpeak", "offpeak", "deep"))
