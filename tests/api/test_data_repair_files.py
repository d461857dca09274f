"""Data repair files: the readings they give replace the stored ones, the aggregation recomputes exactly the
hours they touch, and restore brings the old readings and hours back. A meter's energy counter reads
1000 + 10 h kWh at each hour h of 2026-03-01 (UTC, the test site's zone): 10 kWh an hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from aggregation.runner import Aggregation
from myems_api.db import energy, historical
from tests.api.test_files import upload, xlsx
from tests.api.test_points import new_point, new_source
from tests.client import Api

DAY = datetime(2026, 3, 1)
HEADER = ["Point ID", "Point Name", "Datetime", "Value"]


def electricity_meter(admin: Api, name: str) -> dict[str, Any]:
    """A counted electricity meter of a new category and cost center (the rules' tests use it too)."""
    category = admin.create("/energycategories", {"name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1,
                                                  "kgco2e": 0.5})
    center = admin.create("/costcenters", {"name": "Plant", "external_id": "P"})
    return admin.create("/meters", {"name": name, "energy_category_id": category["id"], "is_counted": True,
                                    "hourly_low_limit": 0, "hourly_high_limit": 1000, "cost_center_id": center["id"],
                                    "energy_item_id": None, "master_meter_id": None, "description": None})


@pytest.fixture
def meter(admin: Api, app: Any) -> dict[str, Any]:
    meter = electricity_meter(admin, "Main")
    point = new_point(admin, new_source(admin)["id"], name="Main Energy", high_limit=100000)
    assert admin.post(f"/meters/{meter['id']}/points", {"point_id": point["id"]}).status_code == 201
    with app.databases.engines["historical"].begin() as conn:
        conn.execute(sa.insert(historical.energy_values), [
            {"point_id": point["id"], "utc_date_time": DAY + timedelta(hours=h), "actual_value": 1000 + 10 * h,
             "is_bad": h == 20} for h in range(25)])
        conn.execute(sa.insert(historical.dirty_points), [{"point_id": point["id"], "from_datetime_utc": DAY,
                                                            "version": 1}])
    Aggregation(app.databases).run_once()
    return {**meter, "point": point}


def hourly(app: Any, meter_id: int) -> dict[int, float]:
    t = energy.meter_hourly
    with app.databases.engines["energy"].connect() as conn:
        rows = conn.execute(sa.select(t.c.start_datetime_utc, t.c.actual_value).where(t.c.meter_id == meter_id)).all()
    return {int((r[0] - DAY).total_seconds() // 3600): float(r[1]) for r in rows}


def readings(app: Any, point_id: int) -> list[tuple[Any, ...]]:
    t = historical.energy_values
    with app.databases.engines["historical"].connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.c.utc_date_time, t.c.actual_value, t.c.is_bad).where(
            t.c.point_id == point_id).order_by(t.c.utc_date_time))]


def repair(admin: Api, rows: list[list[Any]]) -> dict[str, Any]:
    result = upload(admin, "/datarepairfiles", xlsx([HEADER, *rows]), "repair.xlsx")
    assert result.status_code == 201, result.json
    return result.json


def test_a_repair_changes_the_hourly_energy_of_exactly_the_hours_it_touches_and_restore_undoes_it(admin, app, meter):
    before_hours, before_readings = hourly(app, meter["id"]), readings(app, meter["point"]["id"])
    assert before_hours[10] == pytest.approx(10) and len(before_hours) == 24
    point = meter["point"]["id"]
    created = repair(admin, [[point, "Main Energy", "2026-03-01 10:00:00", 1100],
                             [point, "Main Energy", datetime(2026, 3, 1, 11), 1115],  # 5 kWh more by 11:00
                             [point, "Main Energy", "2026-03-01 12:00:00", 1120]])
    assert (created["status"], created["error"]) == ("done", None)
    Aggregation(app.databases).run_once()
    after = hourly(app, meter["id"])
    assert {h: v for h, v in after.items() if v != pytest.approx(before_hours[h])} == {
        10: pytest.approx(15), 11: pytest.approx(5)}

    restored = admin.get(f"/datarepairfiles/{created['id']}/restore")
    assert restored.status_code == 200 and restored.json["status"] == "restored"
    assert readings(app, point) == before_readings  # the bad reading at 20:00 is bad again too
    Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"]) == pytest.approx(before_hours)


def test_readings_the_file_omits_inside_its_span_are_replaced_too(admin, app, meter):
    point = meter["point"]["id"]
    repair(admin, [[point, "", "2026-03-01 09:00:00", 1090], [point, "", "2026-03-01 13:00:00", 1134]])
    times = [r[0] for r in readings(app, point)]
    assert DAY + timedelta(hours=11) not in times and DAY + timedelta(hours=13) in times
    Aggregation(app.databases).run_once()
    assert [hourly(app, meter["id"])[h] for h in range(8, 15)] == [  # 44 kWh spread over 09:00-13:00
        pytest.approx(v) for v in (10, 11, 11, 11, 11, 6, 10)]


@pytest.mark.parametrize(("row", "error"), [
    (["x", "", "2026-03-01 10:00:00", 1], "A3: API.INVALID_POINT_ID"),
    ([987654, "", "2026-03-01 10:00:00", 1], "A3: API.POINT_NOT_FOUND"),
    (["{point}", "", "01.03.2026 10:00", 1], "C3: API.INVALID_DATETIME"),
    (["{point}", "", "2026-03-01 10:00:00", 200000], "D3: API.INVALID_VALUE"),
    (["{point}", "", "2026-03-01 10:00:00", "ten"], "D3: API.INVALID_VALUE"),
])
def test_a_repair_file_with_a_bad_cell_names_it_and_changes_nothing(admin, app, meter, row, error):
    point = meter["point"]["id"]
    before = readings(app, point)
    row = [point if cell == "{point}" else cell for cell in row]
    created = repair(admin, [[point, "", "2026-03-01 09:00:00", 1090], row])
    assert (created["status"], created["error"]) == ("error", error)
    assert readings(app, point) == before
