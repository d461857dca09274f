"""POST /points/values: pushed values are checked as a whole, stored once per (point, time), flagged bad
outside the point's limits, and the latest value only moves forward."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import historical
from tests.api.test_points import analog_point, new_point, new_source
from tests.client import Api, refused


@pytest.fixture
def points(admin: Api) -> dict[str, dict[str, Any]]:
    source = new_source(admin)
    energy = new_point(admin, source["id"], name="Energy", high_limit=1000, low_limit=0)
    power = analog_point(admin, source["id"], "Power")
    return {"energy": energy, "power": power}


def rows(app: Any, table: sa.Table) -> list[tuple[Any, ...]]:
    with app.databases.engines["historical"].connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]


def entry(point: dict[str, Any], when: str, value: Any) -> dict[str, Any]:
    return {"point_id": point["id"], "utc_date_time": when, "value": value}


def test_pushed_values_land_in_their_trend_tables_with_milliseconds(admin, app, points):
    result = admin.post("/points/values", [entry(points["energy"], "2026-01-01T00:15:00.250", 12.5),
                                           entry(points["power"], "2026-01-01T00:15:00Z", 3.2)])
    assert (result.status_code, result.json) == (200, {"stored": 2})
    assert rows(app, historical.energy_values) == [
        (points["energy"]["id"], datetime(2026, 1, 1, 0, 15, 0, 250000), 12.5, False)]
    assert rows(app, historical.analog_values)[0][2] == 3.2


def test_an_explicit_offset_is_converted_to_utc(admin, app, points):
    admin.post("/points/values", [entry(points["power"], "2026-01-01T08:00:00+08:00", 1)])
    assert rows(app, historical.analog_values)[0][1] == datetime(2026, 1, 1, 0, 0)


def test_pushing_the_same_values_twice_keeps_one_row_each_with_the_last_value(admin, app, points):
    admin.post("/points/values", [entry(points["energy"], "2026-01-01T00:00:00", 1)])
    admin.post("/points/values", [entry(points["energy"], "2026-01-01T00:00:00", 2),
                                  entry(points["energy"], "2026-01-01T00:00:00", 3)])
    assert [r[2] for r in rows(app, historical.energy_values)] == [3]


def test_values_outside_the_limits_are_kept_and_flagged_bad(admin, app, points):
    admin.post("/points/values", [entry(points["energy"], "2026-01-01T00:00:00", 5000)])
    assert rows(app, historical.energy_values)[0][2:] == (5000, True)


def test_the_latest_value_never_moves_back_in_time(admin, app, points):
    admin.post("/points/values", [entry(points["power"], "2026-01-01T02:00:00", 20),
                                  entry(points["power"], "2026-01-01T01:00:00", 10)])
    admin.post("/points/values", [entry(points["power"], "2026-01-01T00:30:00", 5)])
    assert rows(app, historical.latest_values) == [(points["power"]["id"], datetime(2026, 1, 1, 2), 20, False)]
    admin.post("/points/values", [entry(points["power"], "2026-01-01T03:00:00", 30)])
    assert rows(app, historical.latest_values)[0][1:3] == (datetime(2026, 1, 1, 3), 30)


@pytest.mark.parametrize("bad, code", [
    ({"point_id": "x", "utc_date_time": "2026-01-01T00:00:00", "value": 1}, "API.INVALID_POINT_ID"),
    ({"point_id": 1, "utc_date_time": "yesterday", "value": 1}, "API.INVALID_UTC_DATE_TIME"),
    ({"point_id": 1, "utc_date_time": "2026-01-01T00:00:00", "value": "1"}, "API.INVALID_VALUE"),
    ({"point_id": 1, "utc_date_time": "2026-01-01T00:00:00", "value": True}, "API.INVALID_VALUE"),
    ({"point_id": 1, "utc_date_time": "2026-01-01T00:00:00", "value": 1e300}, "API.INVALID_VALUE"),
    ("not an object", "API.INVALID_POINT_VALUE"),
])
def test_a_bad_entry_is_named_by_its_index_and_nothing_is_written(admin, app, points, bad, code):
    good = entry(points["power"], "2026-01-01T00:00:00", 1)
    result = admin.post("/points/values", [good, good, bad])
    refused(result, 400, code)
    assert result.json["index"] == 2
    assert rows(app, historical.analog_values) == [] and rows(app, historical.latest_values) == []


def test_an_unknown_point_answers_404_with_its_index(admin, app, points):
    result = admin.post("/points/values", [entry(points["power"], "2026-01-01T00:00:00", 1),
                                           {"point_id": 987654, "utc_date_time": "2026-01-01T00:00:00", "value": 1}])
    refused(result, 404, "API.POINT_NOT_FOUND")
    assert result.json["index"] == 1 and rows(app, historical.analog_values) == []


@pytest.mark.parametrize("body", [[], {"point_id": 1}, "values"])
def test_the_data_must_be_a_non_empty_list(admin, points, body):
    refused(admin.post("/points/values", body), 400, "API.INVALID_DATA")


def test_more_values_than_the_configured_batch_answers_413(admin, app, points, monkeypatch):
    endpoint = next(e for e in app.endpoints if e.path == "/points/values")
    monkeypatch.setattr(endpoint.on_post.__self__, "max_values", 2)
    refused(admin.post("/points/values", [entry(points["power"], f"2026-01-01T00:0{i}:00", i) for i in range(3)]),
            413, "API.TOO_MANY_VALUES")


def test_an_api_key_may_push_but_a_normal_user_may_not(admin, api, points):
    key = admin.create("/apikeys", {"name": "gateway", "expires_datetime_utc": "2100-01-01T00:00:00"})
    pushed = api.with_headers({"API-Key": key["token"]}).post(
        "/points/values", [entry(points["power"], "2026-01-01T00:00:00", 1)])
    assert pushed.status_code == 200
    admin.create("/users", {"name": "viewer", "display_name": "V", "email": "v@example.com", "is_admin": False,
                            "privilege_id": None, "password": "Viewer-pass-1"})
    viewer = Api(admin.app).login("viewer", "Viewer-pass-1")
    refused(viewer.post("/points/values", [entry(points["power"], "2026-01-01T00:00:00", 1)]), 403, "API.FORBIDDEN")


def test_every_write_marks_its_points_dirty_from_the_earliest_new_reading(admin, app, points):
    power = points["power"]
    admin.post("/points/values", [entry(power, "2026-01-01T02:00:00", 1), entry(power, "2026-01-01T01:00:00", 1)])
    admin.post("/points/values", [entry(power, "2026-01-01T03:00:00", 1)])
    assert rows(app, historical.dirty_points) == [(power["id"], datetime(2026, 1, 1, 1), 2)]
    admin.post("/points/values", [entry(power, "2025-12-31T23:00:00", 1)])  # late data moves the mark back
    assert rows(app, historical.dirty_points) == [(power["id"], datetime(2025, 12, 31, 23), 3)]
