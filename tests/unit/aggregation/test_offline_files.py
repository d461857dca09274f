"""Uploaded offline meter files become hourly rows of their meter in its space's zone, roll up into the
space, and are marked done; a later file's day replaces an earlier one's; a rerun changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from aggregation.runner import Aggregation
from myems_api.db import energy, file_tables
from tests.api.test_files import multipart, xlsx
from tests.api.test_meters import new_offline_meter, new_refs
from tests.client import Api


def space_in(admin: Api, zone_name: str, meter: dict[str, Any], name: str = "Plant") -> dict[str, Any]:
    zone = next(t["id"] for t in admin.get("/timezones").json if t["name"] == zone_name)
    space = admin.create("/spaces", {"name": name, "parent_space_id": None, "area": 100, "timezone_id": zone,
                                     "is_input_counted": True, "is_output_counted": False})
    result = admin.post(f"/spaces/{space['id']}/offlinemeters", {"offline_meter_id": meter["id"]})
    assert result.status_code == 201, result.json
    return space


def upload_days(admin: Api, meter: dict[str, Any], days: list[tuple[date, float]]) -> dict[str, Any]:
    body, headers = multipart(xlsx([["date", "value"], *[[d, v] for d, v in days]]))
    result = admin.post(f"/offlinemeterfiles?offline_meter_id={meter['id']}", body=body, headers=headers)
    assert result.status_code == 201, result.json
    return dict(result.json)


def hours_of(app: Any, meter_id: int) -> dict[datetime, float]:
    t = energy.meter_hourly
    with app.databases.engines["energy"].connect() as conn:
        rows = conn.execute(sa.select(t.c.start_datetime_utc, t.c.actual_value).where(
            t.c.meter_type == "offline_meter", t.c.meter_id == meter_id).order_by(t.c.start_datetime_utc)).all()
    return {r[0]: r[1] for r in rows}


def space_total(app: Any, space_id: int) -> float:
    t = energy.entity_hourly
    with app.databases.engines["energy"].connect() as conn:
        return float(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(t.c.actual_value), 0)).where(
            t.c.entity_type == "space", t.c.entity_id == space_id, t.c.energy_item_id == 0)).scalar_one())


@pytest.fixture
def meter(admin: Api) -> dict[str, Any]:
    return new_offline_meter(admin, new_refs(admin), name="Gas")


def test_a_files_days_are_spread_over_the_local_days_hours_and_roll_up_into_its_space(admin, app, meter):
    space = space_in(admin, "China Standard Time", meter)  # UTC+8: local 2026-03-01 is 02-28 16:00 .. 03-01 16:00 UTC
    created = upload_days(admin, meter, [(date(2026, 3, 1), 24.0), (date(2026, 3, 2), 48.0)])
    report = Aggregation(app.databases).run_once()
    assert report.offline_files == 1 and report.errors == []
    hours = hours_of(app, meter["id"])
    assert len(hours) == 48
    assert min(hours) == datetime(2026, 2, 28, 16) and max(hours) == datetime(2026, 3, 2, 15)
    assert hours[datetime(2026, 3, 1, 15)] == 1.0 and hours[datetime(2026, 3, 1, 16)] == 2.0
    assert space_total(app, space["id"]) == pytest.approx(72.0)
    assert admin.get(f"/offlinemeterfiles/{created['id']}").json["status"] == "done"


def test_a_later_file_replaces_the_days_it_gives_again_and_keeps_the_others(admin, app, meter):
    space_in(admin, "China Standard Time", meter)
    upload_days(admin, meter, [(date(2026, 3, 1), 24.0), (date(2026, 3, 2), 48.0)])
    Aggregation(app.databases).run_once()
    upload_days(admin, meter, [(date(2026, 3, 2), 72.0), (date(2026, 3, 3), 24.0)])
    Aggregation(app.databases).run_once()
    hours = hours_of(app, meter["id"])
    assert len(hours) == 72
    assert sum(hours.values()) == pytest.approx(24 + 72 + 24)
    assert hours[datetime(2026, 3, 1, 16)] == 3.0


def test_a_rerun_after_the_files_are_done_changes_nothing(admin, app, meter):
    space_in(admin, "China Standard Time", meter)
    upload_days(admin, meter, [(date(2026, 3, 1), 24.0)])
    Aggregation(app.databases).run_once()
    before = hours_of(app, meter["id"])
    report = Aggregation(app.databases).run_once()
    assert report.offline_files == 0
    assert hours_of(app, meter["id"]) == before


def test_in_a_half_hour_zone_an_hour_shared_by_days_of_two_files_holds_both_parts(admin, app, meter):
    space_in(admin, "India Standard Time", meter)  # local midnight is 18:30 UTC
    upload_days(admin, meter, [(date(2026, 3, 1), 48.0)])
    Aggregation(app.databases).run_once()
    assert hours_of(app, meter["id"])[datetime(2026, 3, 1, 18)] == 1.0  # half of 03-01's last hour only
    upload_days(admin, meter, [(date(2026, 3, 2), 96.0)])
    Aggregation(app.databases).run_once()
    hours = hours_of(app, meter["id"])
    assert hours[datetime(2026, 3, 1, 18)] == pytest.approx(1.0 + 2.0)  # 48/48 + 96/48
    assert sum(hours.values()) == pytest.approx(144.0)


def test_a_meter_without_a_space_takes_the_configured_utc_offset(admin, app, meter):
    upload_days(admin, meter, [(date(2026, 3, 1), 24.0)])
    Aggregation(app.databases, utc_offset_minutes=-300).run_once()
    assert min(hours_of(app, meter["id"])) == datetime(2026, 3, 1, 5)


def test_a_file_whose_meter_was_deleted_is_marked_error_and_does_not_block_the_run(admin, app, meter):
    created = upload_days(admin, meter, [(date(2026, 3, 1), 24.0)])
    assert admin.delete(f"/offlinemeters/{meter['id']}").status_code == 204
    report = Aggregation(app.databases).run_once()
    assert report.errors == []
    file = admin.get(f"/offlinemeterfiles/{created['id']}").json
    assert (file["status"], file["error"]) == ("error", "API.OFFLINE_METER_NOT_FOUND")
    with app.databases.system.connect() as conn:
        assert conn.execute(sa.select(file_tables.files.c.status)).scalar() == "error"
