"""Meter views (trend, real-time, tracking, submeters balance) against hand-computed values.

The site, in Europe/Berlin (CET, UTC+1 in January): root space Campus, its child Plant. Meters (Electricity,
kWh): Main (bound to Plant), Sub A (Plant) and Sub B (Campus), both submeters of Main (``master_meter_id``).
Main has an ENERGY_VALUE point "Main energy", an ANALOG_VALUE "Main power" and a DIGITAL_VALUE "Main status";
Sub A an ENERGY_VALUE "Sub A energy"; Sub B no point.

Trend readings (UTC): Main energy 01-09 23:00 = 100, 01-10 11:00 = 150, 01-10 12:00 = 99999 (bad),
01-10 12:15 = 160, 01-11 22:30 = 180, 01-12 00:00 = 200; Main power 01-10 12:00 = 5, 01-10 12:20 = 7.5;
Sub A energy 01-10 05:00 = 10, 01-11 05:00 = 30.

Reporting period 2026-01-10 .. 2026-01-12 local = UTC [01-09 23:00, 01-11 23:00):

- trend of Main energy: 100, 150, 160, 180 at local 01-10 00:00, 12:00, 13:15, 01-11 23:30 (the bad reading
  and 01-12 00:00 UTC left out); thinned to 2 values: the first and the last, 100 and 180;
- tracking: Main starts at 100 (the reading at exactly the start counts) and ends at 180 (the last reading at
  or before the end), difference 80; Sub A has no reading before the start: start null, end 30; Sub B has no
  counter: all null. Integrity: start 1/3, end 2/3, full 1/3;
- real time at 2026-01-10 12:30 UTC: the last hour [11:30, 12:30] holds Main energy 160 (12:15; the bad 12:00
  is left out) and Main power 5, 7.5; latest values (tbl_point_latest_value): energy 160 at 12:15, power 7.5 at
  12:20, status bad at 12:00 (null value);
- balance, hourly rows: Main 2 kWh every hour of the 48, Sub A 1 kWh, Sub B 0.5 kWh on the first day only
  and one out-of-limit hour of 100 kWh on the second (left out). Daily: master 48, 48; submeters 24 + 12 = 36,
  24; differences 12, 24 (36 in all); percentage 36 / 96 = 0.375, per day 0.25 and 0.5.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from myems_api.app import report_engines
from myems_api.auth import Principal
from myems_api.db import energy, historical
from myems_api.db.entity_days import refresh_daily
from reports.meter_views import MeterRealtime, MeterTrend
from reports.query import Engines
from tests.api.test_points import new_point, new_source
from tests.client import Api, refused

PERIOD = "reportingperiodstartdatetime=2026-01-10T00:00:00&reportingperiodenddatetime=2026-01-12T00:00:00"
API_KEY = Principal(kind="apikey", id=0, name="tests")
BERLIN = "W. Europe Standard Time"


# ------------------------------------------------------------------------------------------ shared helpers

def zone_id(admin: Api, name: str = BERLIN) -> int:
    return int(next(t["id"] for t in admin.get("/timezones").json if t["name"] == name))


def new_category(admin: Api, name: str = "Electricity", unit: str = "kWh", kgce: float = 0.1229,
                 kgco2e: float = 0.5) -> dict[str, Any]:
    return admin.create("/energycategories", {"name": name, "unit_of_measure": unit, "kgce": kgce, "kgco2e": kgco2e})


def new_space(admin: Api, name: str, parent: dict[str, Any] | None, zone: int, area: float = 100.0,
              **extra: Any) -> dict[str, Any]:
    return admin.create("/spaces", {"name": name, "parent_space_id": parent["id"] if parent else None, "area": area,
                                    "timezone_id": zone, "is_input_counted": True, "is_output_counted": False,
                                    **extra})


def new_meter(admin: Api, name: str, category: dict[str, Any], center: dict[str, Any],
              master: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return admin.create("/meters", {"name": name, "energy_category_id": category["id"], "is_counted": True,
                                    "hourly_low_limit": 0, "hourly_high_limit": 1000, "cost_center_id": center["id"],
                                    "energy_item_id": None, "master_meter_id": master["id"] if master else None,
                                    "description": extra.get("description")})


def bind(admin: Api, path: str, body: dict[str, Any]) -> None:
    result = admin.post(path, body)
    assert result.status_code == 201, (path, result.json)


def insert(app: Any, store: str, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Rows written as the aggregation writes them: entity hours also refresh their days."""
    if rows:
        with app.databases.engines[store].begin() as conn:
            conn.execute(sa.insert(table), rows)
            if table is energy.entity_hourly:
                times = [r["start_datetime_utc"] for r in rows]
                refresh_daily(conn, min(times), max(times))


def hours(first: datetime, last_exclusive: datetime) -> list[datetime]:
    found, at = [], first
    while at < last_exclusive:
        found.append(at)
        at += timedelta(hours=1)
    return found


def report(client: Api, path: str, query: str) -> dict[str, Any]:
    result = client.get(path, query_string=query)
    assert result.status_code == 200, result.json
    return dict(result.json)


def workbook_cells(result: dict[str, Any]) -> list[Any]:
    book = load_workbook(io.BytesIO(base64.b64decode(result["excel_bytes_base64"])))
    return [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def limited_user(admin: Api, api: Api, name: str, spaces: list[int] | None) -> Api:
    """A normal user whose privilege names ``spaces`` (None: no privilege at all)."""
    privilege = admin.create("/privileges", {"name": f"{name} spaces", "data": {"spaces": spaces}}) \
        if spaces is not None else None
    admin.create("/users", {"name": name, "display_name": name, "email": f"{name}@example.com", "is_admin": False,
                            "privilege_id": privilege["id"] if privilege else None, "password": "secret-pass-1"})
    return api.login(name, "secret-pass-1")


def api_key_client(admin: Api, api: Api) -> Api:
    key = admin.create("/apikeys", {"name": "reports", "expires_datetime_utc": "2100-01-01T00:00:00"})["token"]
    return api.with_headers({"API-Key": key})


def engines_of(app: Any, config: Any) -> Engines:
    return report_engines(config, app.databases)


# ------------------------------------------------------------------------------------------------- the site

@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity = new_category(admin)
    center = admin.create("/costcenters", {"name": "Plant", "external_id": "P"})
    campus = new_space(admin, "Campus", None, zone, area=1000.0)
    plant = new_space(admin, "Plant", campus, zone)
    main = new_meter(admin, "Main", electricity, center, description="the main meter")
    sub_a = new_meter(admin, "Sub A", electricity, center, master=main)
    sub_b = new_meter(admin, "Sub B", electricity, center, master=main)
    for space, meter in ((plant, main), (plant, sub_a), (campus, sub_b)):
        bind(admin, f"/spaces/{space['id']}/meters", {"meter_id": meter["id"]})
    source = new_source(admin)
    points = {"energy": new_point(admin, source["id"], name="Main energy"),
              "power": new_point(admin, source["id"], name="Main power", object_type="ANALOG_VALUE", units="kW"),
              "status": new_point(admin, source["id"], name="Main status", object_type="DIGITAL_VALUE", units=""),
              "sub_a": new_point(admin, source["id"], name="Sub A energy")}
    for key in ("energy", "power", "status"):
        bind(admin, f"/meters/{main['id']}/points", {"point_id": points[key]["id"]})
    bind(admin, f"/meters/{sub_a['id']}/points", {"point_id": points["sub_a"]["id"]})

    def reading(key: str, when: datetime, value: float, bad: bool = False) -> dict[str, Any]:
        return {"point_id": points[key]["id"], "utc_date_time": when, "actual_value": value, "is_bad": bad}

    insert(app, "historical", historical.energy_values, [
        reading("energy", datetime(2026, 1, 9, 23), 100), reading("energy", datetime(2026, 1, 10, 11), 150),
        reading("energy", datetime(2026, 1, 10, 12), 99999, bad=True),
        reading("energy", datetime(2026, 1, 10, 12, 15), 160), reading("energy", datetime(2026, 1, 11, 22, 30), 180),
        reading("energy", datetime(2026, 1, 12), 200),
        reading("sub_a", datetime(2026, 1, 10, 5), 10), reading("sub_a", datetime(2026, 1, 11, 5), 30)])
    insert(app, "historical", historical.analog_values, [
        reading("power", datetime(2026, 1, 10, 12), 5), reading("power", datetime(2026, 1, 10, 12, 20), 7.5)])
    insert(app, "historical", historical.latest_values, [
        reading("energy", datetime(2026, 1, 10, 12, 15), 160), reading("power", datetime(2026, 1, 10, 12, 20), 7.5),
        reading("status", datetime(2026, 1, 10, 12), 1, bad=True)])

    period = hours(datetime(2026, 1, 9, 23), datetime(2026, 1, 11, 23))
    assert len(period) == 48

    def hourly(meter: dict[str, Any], when: datetime, value: float, flags: int = 0) -> dict[str, Any]:
        return {"meter_type": "meter", "meter_id": meter["id"], "start_datetime_utc": when, "actual_value": value,
                "flags": flags}

    insert(app, "energy", energy.meter_hourly, [
        *(hourly(main, h, 2.0) for h in period), *(hourly(sub_a, h, 1.0) for h in period),
        *(hourly(sub_b, h, 0.5) for h in period[:24]), hourly(sub_b, period[30], 100.0, flags=8)])
    return {"campus": campus, "plant": plant, "main": main, "sub_a": sub_a, "sub_b": sub_b, "points": points,
            "electricity": electricity, "center": center}


# ---------------------------------------------------------------------------------------------- metertrend

def test_the_trend_answers_the_good_readings_of_the_period_in_local_time(admin, site):
    result = report(admin, "/reports/metertrend", f"meterid={site['main']['id']}&{PERIOD}")
    rp = result["reporting_period"]
    assert rp["names"] == ["Main energy (kWh)", "Main power (kW)", "Main status"]
    energy_at = rp["names"].index("Main energy (kWh)")
    assert rp["timestamps"][energy_at] == ["2026-01-10T00:00:00", "2026-01-10T12:00:00", "2026-01-10T13:15:00",
                                           "2026-01-11T23:30:00"]
    assert rp["values"][energy_at] == pytest.approx([100, 150, 160, 180])
    assert rp["values"][1] == pytest.approx([5, 7.5]) and rp["values"][2] == []
    assert rp["thinned"] == [False, False, False]
    assert result["meter"]["name"] == "Main" and result["meter"]["unit_of_measure"] == "kWh"
    assert result["parameters"] == {"names": [], "timestamps": [], "values": []}
    cells = workbook_cells(result)
    assert "2026-01-11T23:30:00" in cells and 180 in cells and 7.5 in cells


def test_a_long_trend_is_thinned_evenly_keeping_its_first_and_last_value(app, config, site):
    result = MeterTrend(cap=2).answer(engines_of(app, config), {
        "meterid": str(site["main"]["id"]), "reportingperiodstartdatetime": "2026-01-10T00:00:00",
        "reportingperiodenddatetime": "2026-01-12T00:00:00", "quickmode": "true"}, API_KEY)
    rp = result["reporting_period"]
    assert rp["values"][0] == pytest.approx([100, 180]) and rp["thinned"][0] is True
    assert rp["values"][1] == pytest.approx([5, 7.5]) and rp["thinned"][1] is False
    assert result["excel_bytes_base64"] is None


def test_the_trend_of_a_meter_without_points_or_readings_is_empty_not_an_error(admin, site):
    empty = report(admin, "/reports/metertrend", f"meteruuid={site['sub_b']['uuid']}&{PERIOD}")
    assert empty["reporting_period"]["names"] == [] and empty["excel_bytes_base64"]
    quiet = report(admin, "/reports/metertrend", f"meterid={site['main']['id']}&quickmode=true"
                   "&reportingperiodstartdatetime=2025-01-01T00:00:00&reportingperiodenddatetime=2025-01-02T00:00:00")
    assert quiet["reporting_period"]["values"] == [[], [], []]


# ------------------------------------------------------------------------------------------- meterrealtime

def test_real_time_answers_the_latest_values_and_the_last_hour(app, config, site):
    clock = lambda: datetime(2026, 1, 10, 12, 30, tzinfo=UTC)  # noqa: E731
    result = MeterRealtime(clock=clock).answer(engines_of(app, config), {"meterid": str(site["main"]["id"])},
                                               API_KEY)
    energy_value = result["energy_value"]
    assert energy_value["name"] == "Main energy (kWh)" and energy_value["value"] == pytest.approx(160)
    assert energy_value["timestamp"] == "2026-01-10T13:15:00"
    assert energy_value["timestamps"] == ["2026-01-10T13:15:00"] and energy_value["values"] == pytest.approx([160])
    parameters = result["parameters"]
    assert parameters["names"] == ["Main energy (kWh)", "Main power (kW)", "Main status"]
    assert parameters["latest_values"] == [pytest.approx(160), pytest.approx(7.5), None]
    assert parameters["latest_timestamps"] == ["2026-01-10T13:15:00", "2026-01-10T13:20:00", "2026-01-10T13:00:00"]
    assert parameters["values"][1] == pytest.approx([5, 7.5])
    assert parameters["timestamps"][1] == ["2026-01-10T13:00:00", "2026-01-10T13:20:00"]
    cells = workbook_cells(result)
    assert 160 in cells and 7.5 in cells


def test_real_time_over_http_and_for_a_meter_without_an_energy_point(admin, site):
    result = report(admin, "/reports/meterrealtime", f"meterid={site['main']['id']}&quickmode=true")
    assert result["energy_value"]["value"] == pytest.approx(160) and result["excel_bytes_base64"] is None
    bare = report(admin, "/reports/meterrealtime", f"meterid={site['sub_b']['id']}")
    assert bare["energy_value"] is None and bare["parameters"]["names"] == [] and bare["excel_bytes_base64"]


# ------------------------------------------------------------------------------------------- metertracking

def test_tracking_lists_every_meter_of_the_subtree_with_its_counter_at_both_ends(admin, site):
    result = report(admin, "/reports/metertracking", f"spaceid={site['campus']['id']}&{PERIOD}")
    meters = {m["meter_name"]: m for m in result["meters"]}
    assert list(meters) == ["Main", "Sub A", "Sub B"]
    main = meters["Main"]
    assert (main["start_value"], main["end_value"], main["difference_value"]) == (100, 180, 80)
    assert (main["space_name"], main["cost_center_name"], main["energy_category_name"]) == ("Plant", "Plant",
                                                                                            "Electricity")
    assert main["description"] == "the main meter" and main["id"] == site["main"]["id"]
    assert (main["start_timestamp"], main["end_timestamp"]) == ("2026-01-10T00:00:00", "2026-01-11T23:30:00")
    assert (meters["Sub A"]["start_value"], meters["Sub A"]["end_value"]) == (None, 30)
    assert meters["Sub A"]["difference_value"] is None and meters["Sub B"]["space_name"] == "Campus"
    assert (meters["Sub B"]["start_value"], meters["Sub B"]["end_value"]) == (None, None)
    assert result["start_integrity_rate"] == pytest.approx(1 / 3)
    assert result["end_integrity_rate"] == pytest.approx(2 / 3)
    assert result["full_integrity_rate"] == pytest.approx(1 / 3)
    cells = workbook_cells(result)
    assert "Sub B" in cells and 80 in cells and 180 in cells


def test_tracking_a_child_space_lists_only_its_meters_and_an_empty_space_answers_no_meters(admin, site):
    plant = report(admin, "/reports/metertracking", f"spaceid={site['plant']['id']}&{PERIOD}&quickmode=true")
    assert [m["meter_name"] for m in plant["meters"]] == ["Main", "Sub A"]
    assert plant["excel_bytes_base64"] is None
    empty_space = new_space(admin, "Empty", site["campus"], zone_id(admin))
    empty = report(admin, "/reports/metertracking", f"spaceid={empty_space['id']}&{PERIOD}")
    assert empty["meters"] == [] and empty["start_integrity_rate"] is None and empty["excel_bytes_base64"]


# ----------------------------------------------------------------------------------- metersubmetersbalance

def test_the_balance_compares_the_master_meter_with_the_sum_of_its_submeters(admin, site):
    result = report(admin, "/reports/metersubmetersbalance",
                    f"meterid={site['main']['id']}&periodtype=daily&{PERIOD}")
    rp = result["reporting_period"]
    assert rp["timestamps"] == ["2026-01-10", "2026-01-11"]
    assert rp["master_values"] == pytest.approx([48, 48]) and rp["submeters_values"] == pytest.approx([36, 24])
    assert rp["values"] == pytest.approx([12, 24]) and rp["percentages"] == pytest.approx([0.25, 0.5])
    assert rp["difference_values"] == rp["values"]  # the name v6.7.0's page reads
    assert rp["master_meter_consumption_in_category"] == pytest.approx(96)
    assert rp["submeters_consumption_in_category"] == pytest.approx(60)
    assert rp["difference_in_category"] == pytest.approx(36)
    assert rp["percentage_difference"] == pytest.approx(0.375)
    assert [s["name"] for s in result["submeters"]] == ["Sub A", "Sub B"]
    assert result["parameters"]["names"] == ["Main energy", "Main power", "Main status"]
    cells = workbook_cells(result)
    assert 96 in cells and 36 in cells and 0.375 in cells


def test_a_meter_without_submeters_or_data_balances_to_zero(admin, site):
    result = report(admin, "/reports/metersubmetersbalance",
                    f"meterid={site['sub_a']['id']}&periodtype=daily&{PERIOD}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["submeters_values"] == [0, 0] and rp["values"] == pytest.approx([24, 24])
    assert rp["percentage_difference"] == pytest.approx(1.0) and result["submeters"] == []
    empty = report(admin, "/reports/metersubmetersbalance", f"meterid={site['main']['id']}&periodtype=monthly"
                   "&reportingperiodstartdatetime=2025-01-01T00:00:00&reportingperiodenddatetime=2025-02-01T00:00:00")
    assert empty["reporting_period"]["master_meter_consumption_in_category"] == 0
    assert empty["reporting_period"]["percentage_difference"] is None and empty["excel_bytes_base64"]


# --------------------------------------------------------------------------------- bad parameters, access

@pytest.mark.parametrize("path,query,status,code", [
    ("/reports/metertrend", PERIOD, 400, "API.INVALID_METER_ID"),
    ("/reports/metertrend", "meterid=abc&" + PERIOD, 400, "API.INVALID_METER_ID"),
    ("/reports/metertrend", "meterid=99999&" + PERIOD, 404, "API.METER_NOT_FOUND"),
    ("/reports/metertrend", "meterid={main}&reportingperiodenddatetime=2026-01-12T00:00:00", 400,
     "API.INVALID_REPORTING_PERIOD_START_DATETIME"),
    ("/reports/metertrend", "meterid={main}&reportingperiodstartdatetime=2026-01-12T00:00:00"
     "&reportingperiodenddatetime=2026-01-10T00:00:00", 400, "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
    ("/reports/metertrend", "meterid={main}&reportingperiodstartdatetime=1990-01-01T00:00:00"
     "&reportingperiodenddatetime=2026-01-10T00:00:00", 400, "API.THE_REPORTING_PERIOD_IS_TOO_LONG"),
    ("/reports/meterrealtime", "", 400, "API.INVALID_METER_ID"),
    ("/reports/meterrealtime", "meteruuid=nope", 404, "API.METER_NOT_FOUND"),
    ("/reports/meterrealtime", "meterid={main}&language=xx", 400, "API.INVALID_LANGUAGE"),
    ("/reports/metertracking", "spaceid=abc&" + PERIOD, 400, "API.INVALID_SPACE_ID"),
    ("/reports/metertracking", "spaceid=99999&" + PERIOD, 404, "API.SPACE_NOT_FOUND"),
    ("/reports/metertracking", "spaceid={campus}&reportingperiodstartdatetime=2026-01-10", 400,
     "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
    ("/reports/metersubmetersbalance", "meterid={main}&" + PERIOD, 400, "API.INVALID_PERIOD_TYPE"),
    ("/reports/metersubmetersbalance", "periodtype=daily&" + PERIOD, 400, "API.INVALID_METER_ID"),
])
def test_bad_parameters_answer_myems_codes(admin, site, path, query, status, code):
    refused(admin.get(path, query_string=query.format(main=site["main"]["id"], campus=site["campus"]["id"])),
            status, code)


def test_api_keys_see_every_meter_view(admin, api, site):
    client = api_key_client(admin, api)
    assert report(client, "/reports/metertrend", f"meterid={site['sub_b']['id']}&{PERIOD}&quickmode=true")
    assert report(client, "/reports/metertracking", f"spaceid={site['campus']['id']}&{PERIOD}&quickmode=true")
    assert report(client, "/reports/meterrealtime", f"meterid={site['main']['id']}&quickmode=true")


def test_a_user_sees_only_the_meters_and_spaces_of_their_privilege(admin, api, site):
    user = limited_user(admin, api, "plant-user", [site["plant"]["id"]])
    main, sub_b = site["main"]["id"], site["sub_b"]["id"]
    assert report(user, "/reports/metertrend", f"meterid={main}&{PERIOD}&quickmode=true")
    assert report(user, "/reports/meterrealtime", f"meterid={main}&quickmode=true")
    assert report(user, "/reports/metertracking", f"spaceid={site['plant']['id']}&{PERIOD}&quickmode=true")
    assert report(user, "/reports/metersubmetersbalance", f"meterid={main}&periodtype=daily&{PERIOD}&quickmode=true")
    for path, query in (("/reports/metertrend", f"meterid={sub_b}&{PERIOD}"),
                        ("/reports/meterrealtime", f"meterid={sub_b}"),
                        ("/reports/metertracking", f"spaceid={site['campus']['id']}&{PERIOD}"),
                        ("/reports/metersubmetersbalance", f"meterid={sub_b}&periodtype=daily&{PERIOD}")):
        refused(user.get(path, query_string=query), 403, "API.FORBIDDEN_ENTITY")
    nobody = limited_user(admin, api, "nobody", None)
    refused(nobody.get("/reports/metertrend", query_string=f"meterid={main}&{PERIOD}"), 403, "API.FORBIDDEN_ENTITY")
    assert api.get("/reports/metertrend", query_string=f"meterid={main}&{PERIOD}").status_code == 401


def test_a_meter_comparison_charts_each_meters_own_points_unless_quick(admin, site):
    query = f"meterid1={site['main']['id']}&meterid2={site['sub_a']['id']}&periodtype=daily&{PERIOD}"
    result = report(admin, "/reports/metercomparison", query)
    assert result["parameters1"]["names"] == ["Main energy", "Main power", "Main status"]
    assert result["parameters1"]["values"][1] == pytest.approx([5, 7.5])
    assert result["parameters2"]["names"] == ["Sub A energy"]
    assert result["parameters2"]["values"] == [pytest.approx([10, 30])]
    quick = report(admin, "/reports/metercomparison", f"{query}&quickmode=true")
    assert quick["parameters1"] == quick["parameters2"] == {"names": [], "timestamps": [], "values": []}
