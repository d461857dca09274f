"""Operations views against hand-computed values.

The site, in Europe/Berlin (UTC+1 in January): root space Campus with child Plant; meter Main (Electricity) in
Plant with points "Main voltage" (V), "Main frequency" (Hz) and "Main THD" (%); a sensor in Plant with a
temperature point; an offline meter and an equipment in Plant.

- Power quality, readings (UTC) every 10 minutes from 2026-01-10 08:00: voltage 230, 230, 260, 230 (260 is above
  230 x 1.1 = 253): each holds 10 minutes (the last one the median step), 30 of 40 within: 75 %, worst 260 at
  09:20 local; frequency 50.0, 50.6 (above 50.5), 50.2, 50.0: 75 %; THD 3, 9 (above 8): 50 %.
- Offline meter: 1 kWh every hour of local 2026-01-10, nothing on the 11th: 24, null.
- Efficiency: Plant uses Electricity 2 kWh and delivers Cooling 5 kWh every hour: 2.5 per period and in all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from aggregation.runner import Aggregation
from myems_api.db import energy, historical
from reports.operations import EnvironmentMonitor, PointRealtime, quality_of
from tests.api.test_points import new_point, new_source
from tests.api.test_reports_batch import entity_rows, meter_rows
from tests.api.test_reports_meters import (
    API_KEY,
    PERIOD,
    bind,
    engines_of,
    insert,
    new_category,
    new_meter,
    new_space,
    report,
    workbook_cells,
    zone_id,
)
from tests.api.test_sites import MAKERS, new_refs
from tests.client import Api, refused

START = datetime(2026, 1, 10, 8)


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity, cooling = new_category(admin), new_category(admin, "Cooling", "kWh", 0.1, 0.2)
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    campus = new_space(admin, "Campus", None, zone)
    plant = new_space(admin, "Plant", campus, zone, is_output_counted=True)
    main = new_meter(admin, "Main", electricity, center)
    bind(admin, f"/spaces/{plant['id']}/meters", {"meter_id": main["id"]})
    source = new_source(admin)
    points = {key: new_point(admin, source["id"], name=name, object_type="ANALOG_VALUE", units=units)
              for key, name, units in (("voltage", "Main voltage", "V"), ("frequency", "Main frequency", "Hz"),
                                       ("thd", "Main THD", "%"), ("temperature", "Temperature", "°C"))}
    for key in ("voltage", "frequency", "thd"):
        bind(admin, f"/meters/{main['id']}/points", {"point_id": points[key]["id"]})
    series = {"voltage": [230, 230, 260, 230], "frequency": [50.0, 50.6, 50.2, 50.0], "thd": [3, 9],
              "temperature": [21.5, 22.0]}
    insert(app, "historical", historical.analog_values, [
        {"point_id": points[key]["id"], "utc_date_time": START + timedelta(minutes=10 * n), "actual_value": v,
         "is_bad": False} for key, values in series.items() for n, v in enumerate(values)])
    sensor = admin.create("/sensors", {"name": "Room", "description": "temperature"})
    bind(admin, f"/sensors/{sensor['id']}/points", {"point_id": points["temperature"]["id"]})
    bind(admin, f"/spaces/{plant['id']}/sensors", {"sensor_id": sensor["id"]})
    refs = new_refs(admin)
    offline = MAKERS["offlinemeters"](admin, refs, "Offline")
    equipment = MAKERS["equipments"](admin, refs, "Chiller")
    bind(admin, f"/spaces/{plant['id']}/equipments", {"equipment_id": equipment["id"]})
    bind(admin, f"/spaces/{plant['id']}/offlinemeters", {"offline_meter_id": offline["id"]})
    insert(app, "energy", energy.meter_hourly, [
        {**r, "meter_type": "offline_meter"} for r in meter_rows(offline["id"], 1.0)[:24]])
    insert(app, "energy", energy.entity_hourly, [*entity_rows("space", plant["id"], electricity["id"], 2.0),
                                                 *entity_rows("space", plant["id"], cooling["id"], 5.0,
                                                              direction="output")])
    return {"campus": campus, "plant": plant, "main": main, "points": points, "source": source, "sensor": sensor,
            "offline": offline, "equipment": equipment}


def test_power_quality_is_the_share_of_time_each_reading_is_within_the_standards_limits(admin, site):
    result = report(admin, "/reports/powerquality", f"meterid={site['main']['id']}&{PERIOD}")
    found = {a["point_name"]: a for a in result["analysis"]}
    voltage = found["Main voltage"]
    assert voltage["limits"] == pytest.approx([207, 253]) and voltage["category"] == "voltage"
    assert (voltage["minutes_within"], voltage["minutes_total"]) == (pytest.approx(30), pytest.approx(40))
    assert voltage["compliance_pct"] == pytest.approx(75)
    assert (voltage["worst_value"], voltage["worst_time"]) == (260, "2026-01-10T09:20:00")
    assert found["Main frequency"]["compliance_pct"] == pytest.approx(75)
    assert found["Main THD"]["compliance_pct"] == pytest.approx(50) and found["Main THD"]["category"] == "voltage_thd"
    assert 75 in workbook_cells(result)
    ieee = report(admin, "/reports/powerquality", f"meterid={site['main']['id']}&{PERIOD}&standard=ieee519")
    assert {a["point_name"]: a["limits"] for a in ieee["analysis"]}["Main voltage"] is None
    refused(admin.get("/reports/powerquality", query_string=f"meterid={site['main']['id']}&{PERIOD}&standard=x"),
            400, "API.INVALID_POWER_QUALITY_STANDARD")


def test_time_within_limits_with_a_single_reading_or_none():
    assert quality_of(np.array([0.0]), np.array([230.0]), (207, 253))["minutes_within"] == 1.0
    assert quality_of(np.zeros(0), np.zeros(0), (207, 253))["compliance_pct"] is None


def test_the_offline_meter_daily_values_are_null_on_a_day_without_rows(admin, site):
    result = admin.get("/reports/offlinemeterdaily", query_string=f"offlinemeterid={site['offline']['id']}&{PERIOD}")
    assert result.status_code == 200, result.json
    assert result.json == [{"monthdate": "2026-01-10", "daily_value": pytest.approx(24)},
                           {"monthdate": "2026-01-11", "daily_value": None}]


def test_space_efficiency_is_output_over_input_for_every_category_pair(admin, site):
    result = report(admin, "/reports/spaceefficiency", f"spaceid={site['plant']['id']}&periodtype=daily&{PERIOD}")
    efficiency = result["reporting_period_efficiency"]
    assert efficiency["names"] == ["Cooling/Electricity"] and efficiency["units"] == ["kWh/kWh"]
    assert efficiency["values"] == [pytest.approx([2.5, 2.5])] and efficiency["cumulations"] == [pytest.approx(2.5)]
    assert result["reporting_period_input"]["subtotals"] == [pytest.approx(96)]
    assert efficiency["rates"] == [[]] and result["parameters"]["names"] == []
    base = PERIOD.replace("reportingperiod", "baseperiod")  # the same days as a base: no change
    against = report(admin, "/reports/spaceefficiency", f"spaceid={site['plant']['id']}&periodtype=daily&{PERIOD}"
                     f"&{base}&quickmode=true")["reporting_period_efficiency"]
    assert against["rates"] == [[0, 0]] and against["increment_rates"] == [0]


def test_equipment_tracking_lists_the_equipment_of_the_subtree(admin, site):
    result = report(admin, "/reports/equipmenttracking", f"spaceid={site['campus']['id']}")
    assert [(e["equipment_name"], e["space_name"]) for e in result["equipments"]] == [("Chiller", "Plant")]
    assert "Chiller" in workbook_cells(result)


def test_point_realtime_answers_fresh_values_and_a_sources_points_with_their_age(app, config, site):
    at = datetime(2026, 1, 10, 12, tzinfo=UTC)
    insert(app, "historical", historical.latest_values, [
        {"point_id": site["points"]["voltage"]["id"], "utc_date_time": datetime(2026, 1, 10, 11, 50),
         "actual_value": 231.0, "is_bad": False},
        {"point_id": site["points"]["thd"]["id"], "utc_date_time": datetime(2026, 1, 10, 9), "actual_value": 3.0,
         "is_bad": False}])
    engines = engines_of(app, config)
    assert PointRealtime(clock=lambda: at).answer(engines, {}, API_KEY) == [
        {"point_id": site["points"]["voltage"]["id"], "value": 231.0}]
    listed = {p["name"]: p for p in PointRealtime(clock=lambda: at).answer(
        engines, {"datasourceid": str(site["source"]["id"])}, API_KEY)}
    assert (listed["Main voltage"]["age_seconds"], listed["Main voltage"]["quality"]) == (600, "good")
    assert (listed["Main THD"]["age_seconds"], listed["Main frequency"]["quality"]) == (3 * 3600, "none")


def test_the_environment_monitor_shows_a_sensors_points_of_the_last_hour(app, config, site):
    result = EnvironmentMonitor(clock=lambda: START.replace(tzinfo=UTC) + timedelta(minutes=30)).answer(
        engines_of(app, config), {"sensorid": str(site["sensor"]["id"])}, API_KEY)
    assert result["sensor"]["name"] == "Room" and result["time_range"] == "1h"
    assert result["parameters"]["names"] == ["Temperature (°C)"]
    assert result["parameters"]["values"] == [[21.5, 22.0]]
    assert result["parameters"]["timestamps"] == [["2026-01-10T09:00:00", "2026-01-10T09:10:00"]]


def test_bad_parameters_answer_their_codes(admin, site):
    refused(admin.get("/reports/spaceenvironmentmonitor", query_string="sensorid=x"), 400, "API.INVALID_SENSOR_ID")
    refused(admin.get("/reports/spaceenvironmentmonitor", query_string="sensorid=9999"), 404, "API.SENSOR_NOT_FOUND")
    refused(admin.get("/reports/pointrealtime", query_string="datasourceid=9999"), 404, "API.DATA_SOURCE_NOT_FOUND")
    refused(admin.get("/reports/equipmenttracking", query_string=""), 400, "API.INVALID_SPACE_ID")


# ------------------------------------------------------------------------------------- offline meter input

def test_entered_daily_values_become_an_offline_meter_file_the_aggregation_spreads(admin, app, site):
    body = {"meter": site["offline"]["id"], "value": [["2026-01-12", 48], ["2026-01-13T00:00:00", "24.5"]]}
    result = admin.post("/reports/offlinemeterinput", body)
    assert result.status_code == 200, result.json
    assert result.json["days"] == 2
    [listed] = [f for f in admin.get("/offlinemeterfiles").json if f["id"] == result.json["offline_meter_file_id"]]
    assert listed["status"] == "new"
    Aggregation(app.databases).run_once()
    daily = admin.get("/reports/offlinemeterdaily", query_string=f"offlinemeterid={site['offline']['id']}"
                      "&reportingperiodstartdatetime=2026-01-12T00:00:00&reportingperiodenddatetime=2026-01-14T00:00:00")
    assert [d["daily_value"] for d in daily.json] == [pytest.approx(48), pytest.approx(24.5)]


@pytest.mark.parametrize("value", [[["2026-02-30", 1]], [["2026-01-12", -1]], [["2026-01-12", "x"]], [],
                                   [["2026-01-12", 1e9]], [["2026-01-12"]], [["2026-01-12", True]]])
def test_a_bad_day_is_refused_whole_and_writes_nothing(admin, app, site, value):
    files = len(admin.get("/offlinemeterfiles").json)
    body = {"meter": site["offline"]["id"], "value": [["2026-01-11", 5], *value]}
    refused(admin.post("/reports/offlinemeterinput", body if value else {"meter": site["offline"]["id"]}), 400,
            "API.INVALID_OFFLINE_METER_VALUE")
    assert len(admin.get("/offlinemeterfiles").json) == files
    refused(admin.post("/reports/offlinemeterinput", {"meter": 99999, "value": [["2026-01-11", 5]]}), 404,
            "API.OFFLINE_METER_NOT_FOUND")
