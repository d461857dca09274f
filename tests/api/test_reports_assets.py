"""Energy asset reports: each role (charge, discharge, buy, sell, load...) sums its meters' energy, cost or
carbon over the reporting period, for the assets a user may see.

By hand, over March 2026 (744 hours, UTC offset 0, no space): each of the microgrid's meters measures 2 kWh an
hour, so its battery's charge and discharge and its grid connection's buy and sell are 1,488 kWh each. The
storage station's container meters measure 1 (charge), 0.5 (discharge), 2 (buy), 0.25 (sell) and 3 (load) kWh
an hour: 744, 372, 1,488, 186 and 2,232 kWh. Carbon is energy times the category's kgCO2e.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import energy
from tests.api.test_auth import USER_PASSWORD, create_user
from tests.api.test_energy_storage import STATIONS, full, make_site
from tests.api.test_microgrids import BATTERIES, GRIDS, build_site, new_microgrid, new_part
from tests.api.test_power_plants import station as make_station
from tests.client import Api

MARCH = "periodtype=monthly&reportingperiodstartdatetime=2026-03-01T00:00:00" \
        "&reportingperiodenddatetime=2026-04-01T00:00:00"
HOURS = [datetime(2026, 3, 1) + timedelta(hours=h) for h in range(31 * 24)]


@pytest.fixture
def microgrid(admin: Api, app: Any) -> dict[str, Any]:
    return metered_microgrid(admin, app)


def metered_microgrid(admin: Api, app: Any) -> dict[str, Any]:
    site = build_site(admin)
    grid = new_microgrid(admin, site)
    new_part(admin, BATTERIES, site, grid["id"])
    new_part(admin, GRIDS, site, grid["id"])
    meters = [site[name]["id"] for name in ("charge_meter", "discharge_meter", "buy_meter", "sell_meter")]
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": m, "start_datetime_utc": h, "actual_value": 2.0, "flags": 0}
            for m in meters for h in HOURS])
    return grid


def test_microgrids_energy_sums_each_roles_meters_per_period(admin, microgrid):
    result = admin.get("/reports/microgridsenergy", query_string=f"{MARCH}&quickmode=true")
    assert result.status_code == 200, result.json
    [answer] = result.json["microgrids"]
    assert answer["id"] == microgrid["id"]
    assert answer["roles"] == {"charge": pytest.approx(1488), "discharge": pytest.approx(1488),
                               "buy": pytest.approx(1488), "sell": pytest.approx(1488)}
    rp = result.json["reporting_period"]
    assert rp["names"][:4] == ["charge", "discharge", "buy", "sell"]
    assert rp["timestamps"][0] == ["2026-03"] and rp["values"][0] == [pytest.approx(1488)]
    assert rp["subtotals"][4:] == [0.0] * (len(rp["names"]) - 4)


def test_microgrids_billing_without_a_tariff_costs_nothing_known(admin, microgrid):
    result = admin.get("/reports/microgridsbilling", query_string=f"{MARCH}&quickmode=true")
    assert result.status_code == 200, result.json
    assert result.json["reporting_period"]["units"][0] == "CNY"


def test_a_user_sees_only_the_microgrids_bound_to_them(admin, api, microgrid):
    user = create_user(admin, "operator")
    session = api.login("operator", USER_PASSWORD)
    assert session.get("/reports/microgridsenergy", query_string=MARCH).json["microgrids"] == []
    assert admin.post(f"/microgrids/{microgrid['id']}/users", {"user_id": user["id"]}).status_code == 201
    seen = session.get("/reports/microgridsenergy", query_string=MARCH).json
    assert [m["id"] for m in seen["microgrids"]] == [microgrid["id"]]
    assert seen["excel_bytes_base64"]
    other = session.get("/reports/microgridsenergy", query_string=f"useruuid={admin.user['uuid']}&{MARCH}")
    assert (other.status_code, other.json["description"]) == (403, "API.FORBIDDEN_USER")


def test_an_api_key_must_name_the_user_whose_assets_it_reports(admin, api, microgrid):
    key = admin.create("/apikeys", {"name": "k", "expires_datetime_utc": "2100-01-01T00:00:00"})["token"]
    client = api.with_headers({"API-Key": key})
    refused = client.get("/reports/microgridsenergy", query_string=MARCH)
    assert (refused.status_code, refused.json["description"]) == (400, "API.INVALID_USER_UUID")
    named = client.get("/reports/microgridsenergy", query_string=f"useruuid={admin.user['uuid']}&{MARCH}")
    assert named.status_code == 200 and len(named.json["microgrids"]) == 1


# ------------------------------------------------------------------------------ energy storage power stations

@pytest.fixture
def station(admin: Api, app: Any) -> dict[str, Any]:
    return metered_station(admin, app)


def metered_station(admin: Api, app: Any) -> dict[str, Any]:
    site = make_site(admin)
    container = full(admin, site)
    esps = make_station(admin, STATIONS, site.refs)
    assert admin.post(f"{STATIONS}/{esps['id']}/containers", {"energy_storage_container_id": container["id"]}
                      ).status_code == 201
    meters = {role: site.meters[role]["id"] for role in ("charge", "discharge", "buy", "sell", "load")}
    values = {"charge": 1.0, "discharge": 0.5, "buy": 2.0, "sell": 0.25, "load": 3.0}
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": meters[role], "start_datetime_utc": h, "actual_value": values[role],
             "flags": 0} for role in meters for h in HOURS])
    soc = site.points["soc"]["id"]
    assert admin.post("/points/values", [{"point_id": soc, "utc_date_time": "2026-03-31T23:00:00",
                                           "value": 87.5}]).status_code == 200
    return {**esps, "container": container}


def test_the_station_dashboard_sums_charge_discharge_buy_sell_and_load(admin, station):
    result = admin.get("/reports/energystoragepowerstationdashboard", query_string=f"{MARCH}&quickmode=true")
    assert result.status_code == 200, result.json
    [answer] = result.json["energy_storage_power_stations"]
    assert answer["roles"] == {"charge": pytest.approx(744), "discharge": pytest.approx(372),
                               "buy": pytest.approx(1488), "sell": pytest.approx(186), "load": pytest.approx(2232)}


def test_the_station_list_has_totals_without_periods_and_carbon_uses_the_category_factor(admin, station):
    listed = admin.get("/reports/energystoragepowerstationlist", query_string=MARCH).json
    assert "timestamps" not in listed["reporting_period"] and listed["excel_bytes_base64"]
    carbon = admin.get("/reports/energystoragepowerstationscarbon", query_string=f"{MARCH}&quickmode=true").json
    factor = admin.get("/energycategories").json[0]["kgco2e"]
    assert carbon["energy_storage_power_stations"][0]["roles"]["charge"] == pytest.approx(744 * factor)


def test_station_details_show_its_containers_and_its_batteries_latest_state_of_charge(admin, station):
    for key in ("energystoragepowerstationid", "energystoragepowerstationdetailsid"):
        result = admin.get("/reports/energystoragepowerstationdetails",
                           query_string=f"{key}={station['id']}&{MARCH}&quickmode=true")
        assert result.status_code == 200, result.json
        assert [c["id"] for c in result.json["containers"]] == [station["container"]["id"]]
        assert result.json["batteries"][0]["soc"] == 87.5
    missing = admin.get("/reports/energystoragepowerstationdetails", query_string="energystoragepowerstationid=999")
    assert (missing.status_code, missing.json["description"]) == (404, "API.ENERGY_STORAGE_POWER_STATION_NOT_FOUND")


def test_station_details_are_refused_to_a_user_the_station_is_not_bound_to(admin, api, station):
    create_user(admin, "operator")
    session = api.login("operator", USER_PASSWORD)
    query = f"energystoragepowerstationid={station['id']}&{MARCH}"
    refused = session.get("/reports/energystoragepowerstationdetails", query_string=query)
    assert (refused.status_code, refused.json["description"]) == (403, "API.FORBIDDEN_ENTITY")


# ------------------------------------------------------------------- v6.7.0's shapes beside the seed's

def test_microgrids_energy_and_billing_also_answer_the_weeks_month_and_years_windows_per_microgrid(admin, microgrid):
    for path in ("/reports/microgridsenergy", "/reports/microgridsbilling"):
        result = admin.get(path, query_string=f"{MARCH}&quickmode=true").json
        assert result["microgrid_names"] == [microgrid["name"]] and result["microgrids"][0]["roles"]
        week = result["reporting"]["charge_7_days"]
        assert len(week["values_array"]) == 1 and len(week["timestamps_array"][0]) == 7
        assert {"discharge_this_month", "discharge_this_year"} <= set(result["reporting"])


def test_the_station_dashboard_also_answers_lifetime_totals_and_rankings(admin, station):
    result = admin.get("/reports/energystoragepowerstationdashboard", query_string=f"{MARCH}&quickmode=true").json
    [answer] = result["energy_storage_power_stations"]
    assert answer["roles"]["charge"] == pytest.approx(744)  # the seed's, over the period
    assert answer["subtotal_charge_energy"] == pytest.approx(744) and answer["status"] == "offline"
    assert result["total_discharge_energy"] == pytest.approx(372) and result["totalCharge"] == pytest.approx(744)
    assert result["charge_ranking"] == [{"id": station["id"], "name": station["name"], "value": pytest.approx(744)}]
    assert result["revenue_ranking"][0]["value"] == 0  # no tariff: no revenue known
    assert (answer["total_charge"], answer["total_discharge"]) == (pytest.approx(744), pytest.approx(372))


def test_the_station_list_without_the_seeds_parameters_is_v670s_array_with_live_values(admin, station):
    [item] = admin.get("/reports/energystoragepowerstationlist").json
    assert item["id"] == station["id"] and item["is_online"] is False  # its readings are from March
    assert item["battery_soc_point_value"] is None and item["pcs_run_state"] == "Unknown"
    assert len(item["charge_times"]) == len(item["charge_values"]) == 24 and item["today_total_discharge"] == 0


def test_station_details_also_answer_v670s_indicators_and_station_object(admin, station):
    result = admin.get("/reports/energystoragepowerstationdetails", query_string=f"id={station['id']}").json
    energy_ = result["energy_indicators"]
    assert energy_["total_charge_energy_value"] == pytest.approx(744)
    assert energy_["total_discharge_energy_value"] == pytest.approx(372)
    assert set(result["revenue_indicators"]) == {"today_charge_revenue_value", "today_discharge_revenue_value",
                                                 "total_charge_revenue_value", "total_discharge_revenue_value"}
    described = result["energy_storage_power_station"]
    assert described["qrcode"] == f"energy_storage_power_station:{station['uuid']}" and "rated_power" in described
    assert set(result["parameters"]) == {"names", "timestamps", "values"}
    assert result["batteries"][0]["soc"] == 87.5  # the seed's keys stay
