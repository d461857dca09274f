"""Plan, saving and prediction reports against numbers known by hand.

The plan site is the energy reports' (:mod:`tests.api.test_reports_energy`): a space in Europe/Berlin using
1 kWh every hour of the reporting week 2026-03-27 .. 2026-04-03 (167 hours across the spring change) and its
meter the same. The saving site is a synthetic building with a known 10 % retrofit: ten weeks of an office
profile (weekdays 08-18 at 10 kWh, else 2 kWh) plus 0.5 kWh per degree of outdoor temperature above 18 °C,
the last two weeks at 90 %.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import energy, file_tables, historical
from reports.targets import PREDICTION_NAME
from tests.api.test_files import upload, xlsx
from tests.api.test_points import new_point, new_source
from tests.api.test_reports_energy import BASE, REPORTING, build_site, utc_hours
from tests.api.test_reports_meters import new_meter
from tests.client import Api

PLAN_HEADER = ["Object Type", "Object", "Energy Category", "Start", "End", "Value (kWh)"]


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    return build_site(admin, app)


def report(admin: Api, path: str, query: str) -> dict[str, Any]:
    result = admin.get(f"{path}?{query}")
    assert result.status_code == 200, result.json
    return result.json


def plan_file(admin: Api, rows: list[list[Any]]) -> dict[str, Any]:
    result = upload(admin, "/energyplanfiles", xlsx([PLAN_HEADER, *rows]), "plan.xlsx")
    assert result.status_code == 201, result.json
    return result.json


# ------------------------------------------------------------------------------------------------ plans

def test_a_plan_file_gives_the_plan_report_plan_minus_actual_per_period(admin, app, site):
    created = plan_file(admin, [
        ["space", "Plant", "Electricity", date(2026, 3, 27), date(2026, 4, 3), 334],  # 2 kWh an hour
        ["Meter", site["meter"]["name"], "", "2026-03-27T00:00:00", "2026-03-28T00:00:00", 48]])
    assert created["status"] == "done", created
    result = report(admin, "/reports/spaceplan", f"spaceid={site['space']['id']}&periodtype=daily&{REPORTING}"
                    f"&{BASE}&quickmode=true")
    rp = result["reporting_period"]
    assert rp["names"] == ["Electricity"]
    assert rp["values_saving"] == [[pytest.approx(v) for v in (24, 24, 23, 24, 24, 24, 24)]]
    assert rp["subtotals_saving"] == [pytest.approx(334 - 167)]
    assert rp["subtotals_plan"] == [pytest.approx(334)] and rp["subtotals_actual"] == [pytest.approx(167)]
    assert rp["subtotals_in_kgco2e_saving"] == [pytest.approx(167 * 0.5)]
    assert rp["subtotals_per_unit_area_saving"] == [pytest.approx(167 / 100)]
    assert result["base_period"]["subtotals_saving"] == [0]  # no plan for the base week
    assert "values" not in rp and "subtotals" not in rp  # the difference answers under *_saving only

    meter = report(admin, "/reports/meterplan", f"meterid={site['meter']['id']}&periodtype=daily&{REPORTING}"
                   "&quickmode=true")  # the meter used 1 kWh an hour too; only its first day has a plan
    assert meter["reporting_period"]["total_in_category_saving"] == pytest.approx(48 - 24)
    assert meter["reporting_period"]["values_saving"][:2] == [pytest.approx(24), 0]
    assert meter["meter"]["energy_category_name"] == "Electricity"


def test_a_later_plan_replaces_the_hours_it_gives_and_deleting_it_removes_them(admin, site):
    first = plan_file(admin, [["space", "Plant", "Electricity", date(2026, 3, 27), date(2026, 4, 3), 167]])
    second = plan_file(admin, [["space", str(site["space"]["id"]), "Electricity", date(2026, 3, 27),
                                date(2026, 3, 28), 48]])
    query = f"spaceid={site['space']['id']}&periodtype=weekly&{REPORTING}&quickmode=true"
    assert report(admin, "/reports/spaceplan", query)["reporting_period"]["subtotals_plan"] == [
        pytest.approx(167 - 24 + 48)]
    assert admin.delete(f"/energyplanfiles/{second['id']}").status_code == 204
    assert report(admin, "/reports/spaceplan", query)["reporting_period"]["subtotals_plan"] == [
        pytest.approx(167 - 24)]  # the first file's hours under the second are gone with it
    restored = admin.get(f"/energyplanfiles/{first['id']}/restore")
    assert restored.json["status"] == "done"
    assert report(admin, "/reports/spaceplan", query)["reporting_period"]["subtotals_plan"] == [pytest.approx(167)]


@pytest.mark.parametrize(("row", "error"), [
    (["spaceship", "Plant", "Electricity", date(2026, 3, 27), date(2026, 3, 28), 1], "A3: API.INVALID_OBJECT_TYPE"),
    (["space", "Nowhere", "Electricity", date(2026, 3, 27), date(2026, 3, 28), 1], "B3: API.SPACE_NOT_FOUND"),
    (["space", "Plant", "Steam", date(2026, 3, 27), date(2026, 3, 28), 1], "C3: API.INVALID_ENERGY_CATEGORY"),
    (["space", "Plant", "Electricity", "27.03.2026", date(2026, 3, 28), 1], "D3: API.INVALID_DATETIME"),
    (["space", "Plant", "Electricity", date(2026, 3, 28), date(2026, 3, 27), 1], "E3: API.INVALID_END"),
    (["space", "Plant", "Electricity", date(2026, 3, 27), date(2026, 3, 28), -5], "F3: API.INVALID_VALUE"),
])
def test_a_plan_file_with_a_bad_cell_names_it_and_writes_no_plan(admin, app, site, row, error):
    good = ["space", "Plant", "Electricity", date(2026, 3, 27), date(2026, 3, 28), 24]
    created = plan_file(admin, [good, row])
    assert (created["status"], created["error"]) == ("error", error)
    with app.databases.engines["energy"].connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(energy.energy_plan_hourly)).scalar() == 0


def test_a_plan_file_stored_but_not_applied_is_applied_by_the_aggregation_run(admin, app, site):
    from aggregation.runner import Aggregation

    created = plan_file(admin, [["space", "Plant", "Electricity", date(2026, 3, 27), date(2026, 3, 28), 24]])
    with app.databases.system.begin() as conn:  # as after a crash between the upload and the apply
        conn.execute(sa.update(file_tables.files).values(status="new"))
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.delete(energy.energy_plan_hourly))
    Aggregation(app.databases).run_once()
    assert admin.get(f"/energyplanfiles/{created['id']}").json["status"] == "done"
    query = f"spaceid={site['space']['id']}&periodtype=weekly&{REPORTING}&quickmode=true"
    assert report(admin, "/reports/spaceplan", query)["reporting_period"]["subtotals_plan"] == [pytest.approx(24)]


# ------------------------------------------------------------------------------------ savings, forecasts

START = datetime(2026, 1, 5)  # a Monday, UTC (the building's zone)
RETROFIT = START + timedelta(weeks=8)
END = START + timedelta(weeks=10)


def temperature(hour: datetime) -> float:
    days = (hour - START).total_seconds() / 86400
    return 12 + 6 * math.sin(2 * math.pi * (hour.hour - 9) / 24) + 8 * math.sin(2 * math.pi * days / 23)


def usage(hour: datetime) -> float:
    office = 10.0 if hour.weekday() < 5 and 8 <= hour.hour < 18 else 2.0
    return office + 0.5 * max(temperature(hour) - 18, 0)


@pytest.fixture
def building(admin: Api, app: Any) -> dict[str, Any]:
    zone = next(t["id"] for t in admin.get("/timezones").json if t["name"] == "UTC")
    category = admin.create("/energycategories", {"name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1229,
                                                  "kgco2e": 0.5})
    space = admin.create("/spaces", {"name": "Office", "parent_space_id": None, "area": 500.0, "timezone_id": zone,
                                     "is_input_counted": True, "is_output_counted": False})
    point = new_point(admin, new_source(admin)["id"], name="Outdoor Air Temperature", object_type="ANALOG_VALUE",
                      units="°C", high_limit=60, low_limit=-60, higher_limit=70, lower_limit=-70)
    hours = utc_hours(START, END)
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": "space", "entity_id": space["id"], "direction": "input",
             "energy_category_id": category["id"], "energy_item_id": 0, "start_datetime_utc": h,
             "actual_value": usage(h) * (0.9 if h >= RETROFIT else 1.0), "cost": None, "carbon": None}
            for h in hours])
    with app.databases.engines["historical"].begin() as conn:
        conn.execute(sa.insert(historical.analog_values), [
            {"point_id": point["id"], "utc_date_time": h + timedelta(minutes=m), "actual_value": temperature(
                h + timedelta(minutes=m)), "is_bad": False} for h in hours for m in (0, 30)])
    return {"space": space, "hours": hours, "category": category}


def test_a_retrofit_saving_of_ten_percent_is_measured_within_its_stated_uncertainty(admin, building):
    query = (f"spaceid={building['space']['id']}&periodtype=weekly&quickmode=true"
             f"&baseperiodstartdatetime={START.isoformat()}&baseperiodenddatetime={RETROFIT.isoformat()}"
             f"&reportingperiodstartdatetime={RETROFIT.isoformat()}&reportingperiodenddatetime={END.isoformat()}")
    result = report(admin, "/reports/spacesaving", query)
    rp = result["reporting_period"]
    true_saving = 0.1 * sum(usage(h) for h in building["hours"] if h >= RETROFIT)
    (model,) = rp["models"]
    assert model["uses_temperature"] is True and model["cvrmse"] < 0.05 and abs(model["nmbe"]) < 0.01
    assert abs(rp["subtotals_saving"][0] - true_saving) <= max(model["uncertainty"], 0.02 * true_saving)
    assert rp["subtotals_baseline"] == [pytest.approx(true_saving * 10, rel=0.02)]
    assert len(rp["values_saving"][0]) == 2 and "warnings" not in result
    assert result["base_period"]["subtotals_saving"] == [pytest.approx(0, abs=0.01 * true_saving)]  # its own fit


def test_a_prediction_forecasts_the_building_from_the_year_before_the_period(admin, building):
    week = RETROFIT - timedelta(weeks=1)  # hold out the last baseline week: fit on the seven before it
    before = week - timedelta(weeks=1)  # a base period to compare with does not move the fit
    query = (f"spaceid={building['space']['id']}&periodtype=daily&quickmode=true"
             f"&baseperiodstartdatetime={before.isoformat()}&baseperiodenddatetime={week.isoformat()}"
             f"&reportingperiodstartdatetime={week.isoformat()}&reportingperiodenddatetime={RETROFIT.isoformat()}")
    result = report(admin, "/reports/spaceprediction", query)
    rp = result["reporting_period"]
    assert len(result["base_period"]["values"][0]) == 7
    actual = [sum(usage(h) for h in building["hours"] if week + timedelta(days=d) <= h < week + timedelta(days=d + 1))
              for d in range(7)]
    assert rp["values"][0] == [pytest.approx(a, rel=0.03) for a in actual]
    assert rp["subtotals"] == [pytest.approx(sum(actual), rel=0.01)]
    assert rp["models"][0]["fit_end"] == week.isoformat()


def test_a_model_without_a_week_of_data_warns_and_reports_no_numbers(admin, building):
    start, end = START - timedelta(days=3), START + timedelta(days=2)
    query = (f"spaceid={building['space']['id']}&periodtype=daily&quickmode=true"
             f"&baseperiodstartdatetime={start.isoformat()}&baseperiodenddatetime={end.isoformat()}"
             f"&reportingperiodstartdatetime={RETROFIT.isoformat()}&reportingperiodenddatetime={END.isoformat()}")
    result = report(admin, "/reports/spacesaving", query)
    assert result["warnings"] == ["API.NOT_ENOUGH_DATA_FOR_MODEL"]
    assert result["reporting_period"]["subtotals_saving"] == [0]


def test_a_meter_prediction_names_its_forecast_as_the_prediction_pages_title_it(admin, building):
    center = admin.create("/costcenters", {"name": "Office", "external_id": "O"})
    meter = new_meter(admin, "Main", building["category"], center)
    query = (f"meterid={meter['id']}&periodtype=daily&quickmode=true&reportingperiodstartdatetime="
             f"{RETROFIT.isoformat()}&reportingperiodenddatetime={END.isoformat()}")
    result = report(admin, "/reports/meterprediction", query)
    assert result["meter"]["prediction_name"] == PREDICTION_NAME and result["meter"]["name"] == "Main"
    assert result["warnings"] == ["API.NOT_ENOUGH_DATA_FOR_MODEL"]  # the meter has no history of its own
