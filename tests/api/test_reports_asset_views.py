"""MyEMS v6.7.0's energy asset reports against hand-computed sums (the sites of tests/api/test_reports_assets.py).

Over March 2026 (UTC offset 0, no space): the storage station's container meters measure 1 (charge), 0.5
(discharge), 2 (buy), 0.25 (sell) and 3 (load) kWh an hour; each of the microgrid's four meters 2 kWh; the battery's
state of charge reads 87.5 at 03-31 23:00. With "now" at 2026-03-20 12:00:

- this week (03-14 .. now, daily): charge 24 a day and 12 on the 20th; this month 19 x 24 + 12 = 468 over 20
  days; this year (monthly): 0, 0, 468;
- lifetime (every stored hour): charge 744, discharge 372;
- reporting March monthly: charge 744, discharge 372, buy 1,488, sell 186, load 2,232;
- the PV station's invertor generates 1.5 kWh an hour (its generation meter): 1,116 in March.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import energy
from reports.asset_views import (
    MICROGRID_PARTS,
    STATION_PARTS,
    STORAGE,
    Lifetime,
    Parameters,
    PartDetails,
    Windows,
    station_commands,
    station_schedule,
)
from reports.asset_views import ROUTES as ASSET_ROUTES
from reports.assets import MICROGRIDS, STATIONS
from tests.api.test_asset_parts import pv_body
from tests.api.test_auth import USER_PASSWORD, create_user
from tests.api.test_energy_storage import make_site
from tests.api.test_power_plants import PV
from tests.api.test_power_plants import station as make_station
from tests.api.test_reports_assets import HOURS, MARCH, metered_microgrid, metered_station
from tests.api.test_reports_meters import API_KEY, engines_of
from tests.client import refused

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
LATE = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


def test_an_item_report_has_this_week_this_month_and_this_year_of_each_role(app, config, station):
    result = Windows(STATIONS, "energy", STORAGE, item=True, clock=lambda: NOW).answer(
        engines_of(app, config), {"id": str(station["id"])}, API_KEY)
    assert result["energy_storage_power_station"]["name"] == station["name"]
    week = result["reporting"]["charge_7_days"]
    assert week["timestamps_array"] == [[f"2026-03-{d}" for d in range(14, 21)]]
    assert week["values_array"] == [pytest.approx([24] * 6 + [12])]
    month = result["reporting"]["discharge_this_month"]
    assert len(month["timestamps_array"][0]) == 20 and sum(month["values_array"][0]) == pytest.approx(234)
    assert result["reporting"]["charge_this_year"]["values_array"] == [pytest.approx([0, 0, 468])]
    assert result["warnings"] == []


def test_a_collection_lists_the_users_stations_by_name_with_their_total(app, config, admin, station):
    result = Windows(STATIONS, "carbon", STORAGE, clock=lambda: NOW).answer(
        engines_of(app, config), {"useruuid": admin.user["uuid"]}, API_KEY)
    factor = admin.get("/energycategories").json[0]["kgco2e"]
    assert result["energy_storage_power_station_names"] == [station["name"]]
    assert result["reporting"]["charge_this_year"]["total_values"] == pytest.approx([0, 0, 468 * factor])


def test_the_item_dashboard_sums_every_stored_hour_in_energy_billing_and_carbon(app, config, station):
    result = Lifetime(STATIONS, STORAGE, item=True).answer(engines_of(app, config), {"id": str(station["id"])},
                                                           API_KEY)
    assert (result["total_charge_energy"], result["total_discharge_energy"]) == (pytest.approx(744),
                                                                                 pytest.approx(372))
    assert result["total_charge_billing"] == 0  # no tariff: nothing is priced


def test_reporting_energy_splits_each_role_per_period(admin, station):
    result = admin.get("/reports/energystoragepowerstationreportingenergy",
                       query_string=f"id={station['id']}&{MARCH}")
    assert result.status_code == 200, result.json
    rp = result.json["reporting_period"]
    assert rp["names"] == ["Charge", "Discharge", "Grid buy", "Grid sell", "Load"]
    assert rp["subtotals"] == pytest.approx([744, 372, 1488, 186, 2232])
    assert rp["timestamps"][0] == ["2026-03"] and rp["offpeaks"] == [0.0] * 5
    assert rp["increment_rates"] == [None] * 5 and result.json["parameters"]["timestamps"] == []
    assert result.json["excel_bytes_base64"]


def test_part_details_list_each_part_with_its_points_latest_values(app, config, station):
    engines = engines_of(app, config)
    [battery] = PartDetails(STATIONS, STATION_PARTS["bms"], clock=lambda: LATE).answer(
        engines, {"id": str(station["id"])}, API_KEY)
    assert battery["soc_point"] == 87.5 and battery["points"] == []
    stale = PartDetails(STATIONS, STATION_PARTS["bms"], clock=lambda: NOW.replace(month=5)).answer(
        engines, {"id": str(station["id"])}, API_KEY)
    assert stale[0]["soc_point"] is None  # older than an hour
    assert station_schedule(engines, {"id": str(station["id"])}, API_KEY)["schedule"]["schedule_list"] is not None
    assert isinstance(station_commands(engines, {"id": str(station["id"])}, API_KEY), list)


def test_reporting_parameters_are_the_trends_of_the_parts_points(app, config, station):
    result = Parameters(STATIONS, "Parameters").answer(engines_of(app, config), {
        "id": str(station["id"]), "reportingperiodstartdatetime": "2026-03-31T00:00:00",
        "reportingperiodenddatetime": "2026-04-01T00:00:00", "quickmode": "true"}, API_KEY)
    soc = [i for i, name in enumerate(result["parameters"]["names"]) if name.startswith("soc")]
    assert soc and result["parameters"]["values"][soc[0]] == [87.5]
    assert result["parameters"]["timestamps"][soc[0]] == ["2026-03-31T23:00:00"]


def test_microgrid_grid_buy_windows_and_the_dashboard(app, config, admin, microgrid):
    engines = engines_of(app, config)
    bought = Windows(MICROGRIDS, "energy", ("buy",), clock=lambda: NOW).answer(
        engines, {"useruuid": admin.user["uuid"]}, API_KEY)
    assert bought["microgrid_names"] == [microgrid["name"]]
    assert bought["reporting"]["grid_buy_this_year"]["values_array"] == [pytest.approx([0, 0, 936])]
    board = Lifetime(MICROGRIDS, STORAGE).answer(engines, {"useruuid": admin.user["uuid"]}, API_KEY)
    assert board["microgrids"][0]["subtotal_charge_energy"] == pytest.approx(1488)
    assert board["total_discharge_energy"] == pytest.approx(1488) and board["total_offline"] == 1
    [battery] = PartDetails(MICROGRIDS, MICROGRID_PARTS["bms"]).answer(engines, {"id": str(microgrid["id"])}, API_KEY)
    assert set(battery) >= {"id", "name", "uuid", "points", "soc_point", "power_point"}


def test_a_role_without_a_meter_is_named_in_the_warnings(app, config, admin, microgrid):
    result = Windows(MICROGRIDS, "energy", ("evcharger",), clock=lambda: NOW).answer(
        engines_of(app, config), {"useruuid": admin.user["uuid"]}, API_KEY)
    assert result["warnings"] == ["API.NO_METER_BOUND_TO_EVCHARGER"]
    assert result["reporting"]["evcharger_this_year"]["values_array"] == [[0, 0, 0]]


@pytest.fixture
def station(admin: Any, app: Any) -> dict[str, Any]:
    return metered_station(admin, app)


@pytest.fixture
def microgrid(admin: Any, app: Any) -> dict[str, Any]:
    return metered_microgrid(admin, app)


@pytest.fixture
def pv_station(admin: Any, app: Any) -> dict[str, Any]:
    site = make_site(admin, "pv ")
    pvs = make_station(admin, PV, site.refs)
    for key in ("grids", "invertors", "loads"):
        admin.create(f"{PV}/{pvs['id']}/{key}", pv_body(key, site))
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": site.meters["charge"]["id"], "start_datetime_utc": h,
             "actual_value": 1.5, "flags": 0} for h in HOURS])
    return pvs


def test_a_pv_station_reports_its_invertors_generation(admin, pv_station):
    query = f"id={pv_station['id']}&{MARCH}&quickmode=true"
    rp = admin.get("/reports/photovoltaicpowerstationreportingenergy", query_string=query).json["reporting_period"]
    assert rp["names"][0] == "Generation" and rp["subtotals"][0] == pytest.approx(1116)
    board = admin.get("/reports/photovoltaicpowerstationdashboard", query_string=query).json
    assert board["total_generation_energy"] == pytest.approx(1116)
    assert board["photovoltaic_power_stations"][0]["subtotal_generation_energy"] == pytest.approx(1116)
    [invertor] = admin.get(f"/reports/photovoltaicpowerstationdetails/{pv_station['id']}/invertor").json
    assert invertor["name"] == "Invertor" and "invertor_state_point" in invertor
    assert invertor["invertor_state"] == invertor["invertor_state_point"] and "pv1_u" in invertor
    [listed] = admin.get("/reports/photovoltaicpowerstationlist", query_string=query).json
    assert listed["values"] == listed["hourly_data"] and listed["times"] == listed["time_stamps"]
    meters = admin.get(f"/reports/photovoltaicpowerstationdetails/{pv_station['id']}/meter").json
    assert [m["name"] for m in meters] == [f"{pv_station['name']}-Grid", f"{pv_station['name']}-Load"]


@pytest.mark.parametrize("fixture,prefix", [("station", "energystoragepowerstation"), ("microgrid", "microgrid"),
                                            ("pv_station", "photovoltaicpowerstation")])
def test_every_asset_route_answers_the_params_files_query(admin, request, fixture, prefix):
    asset = request.getfixturevalue(fixture)
    query = f"id={asset['id']}&useruuid={admin.user['uuid']}&{MARCH}&quickmode=true"
    paths = [r.path for r in ASSET_ROUTES if r.path.startswith(f"/reports/{prefix}")]
    assert len(paths) >= 10
    for path in paths:
        answer = admin.get(path.replace("{id}", str(asset["id"])), query_string=query)
        assert answer.status_code == 200, (path, answer.json)


def test_asset_reports_refuse_strangers_and_bad_ids(admin, api, microgrid):
    create_user(admin, "stranger")
    stranger = api.login("stranger", USER_PASSWORD)
    refused(stranger.get(f"/reports/microgriddetails/{microgrid['id']}/bms"), 403, "API.FORBIDDEN_ENTITY")
    assert stranger.get("/reports/microgridlist").json == []
    refused(admin.get("/reports/energystoragepowerstationitemenergy", query_string="id=x"), 400,
            "API.INVALID_ENERGY_STORAGE_POWER_STATION_ID")
    refused(admin.get("/reports/energystoragepowerstationitemenergy", query_string="uuid=nope"), 400,
            "API.INVALID_ENERGY_STORAGE_POWER_STATION_UUID")
    refused(admin.get("/reports/photovoltaicpowerstationitemdashboard", query_string="id=999"), 404,
            "API.PHOTOVOLTAIC_POWER_STATION_NOT_FOUND")
