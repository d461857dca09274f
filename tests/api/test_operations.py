"""Control modes, IoT SIM cards, tickets and the version: the v6.7.0 families of field operations."""

from __future__ import annotations

import json

import pytest

from myems_api.db.operations_tables import control_modes_times
from tests.client import count, refused

MODE = {"name": "Peak shaving", "is_active": True,
        "times": [{"start_time_of_day": "00:00:00", "end_time_of_day": "08:00:00", "power_value": -50},
                  {"start_time_of_day": "17:00", "end_time_of_day": "21:00", "power_value": 80}]}


def test_a_control_mode_keeps_its_times_and_travels_by_export_import_and_clone(admin, other, app):
    mode = admin.create("/controlmodes", MODE)
    assert [(t["start_time_of_day"], t["power_value"]) for t in mode["times"]] == [("00:00:00", -50), ("17:00", 80)]
    assert admin.get(f"/controlmodes/{mode['id']}").json == mode
    clone = admin.create(f"/controlmodes/{mode['id']}/clone", {})
    assert clone["name"] != mode["name"] and len(clone["times"]) == 2
    doc = admin.get(f"/controlmodes/{mode['id']}/export").json
    moved = other.post("/controlmodes/import", body=json.dumps(doc))
    assert moved.status_code == 201, moved.json
    assert [t["end_time_of_day"] for t in moved.json["times"]] == ["08:00:00", "21:00"]


def test_a_control_mode_update_replaces_its_times_and_a_delete_removes_them(admin, app):
    mode = admin.create("/controlmodes", MODE)
    updated = admin.put(f"/controlmodes/{mode['id']}", {**MODE, "is_active": False, "times": MODE["times"][:1]})
    assert updated.status_code == 200 and updated.json["is_active"] is False and len(updated.json["times"]) == 1
    assert admin.delete(f"/controlmodes/{mode['id']}").status_code == 204
    assert count(app, control_modes_times) == 0


@pytest.mark.parametrize("times, code", [
    ([{"start_time_of_day": "08:00:00", "end_time_of_day": "07:00:00"}], "API.INVALID_END_TIME_OF_DAY"),
    ([{"start_time_of_day": "25:00:00", "end_time_of_day": "26:00:00"}], "API.INVALID_START_TIME_OF_DAY"),
    ([{"start_time_of_day": "01:00:00", "end_time_of_day": "02:00:00", "power_point_id": 99999}],
     "API.POWER_POINT_NOT_FOUND"),
])
def test_an_invalid_control_mode_time_is_refused_and_nothing_is_written(admin, app, times, code):
    result = admin.post("/controlmodes", {**MODE, "times": times})
    assert result.json["description"] == code and result.status_code in (400, 404)
    assert count(app, control_modes_times) == 0


def test_a_control_mode_name_in_use_is_a_conflict(admin):
    admin.create("/controlmodes", MODE)
    refused(admin.post("/controlmodes", MODE), 409, "API.CONTROL_MODE_NAME_IS_ALREADY_IN_USE")


def test_an_iot_sim_card_is_kept_by_its_unique_iccid(admin):
    card = admin.create("/iotsimcards", {"iccid": "89860000000000000001", "operator": "China Mobile",
                                         "total_traffic": 1024, "description": None})
    assert card["iccid"] == "89860000000000000001" and card["imsi"] is None and card["total_traffic"] == 1024
    refused(admin.post("/iotsimcards", {"iccid": "89860000000000000001"}), 409,
            "API.IOT_SIM_CARD_ICCID_IS_ALREADY_IN_USE")
    refused(admin.post("/iotsimcards", {"iccid": ""}), 400, "API.INVALID_ICCID")
    changed = admin.put(f"/iotsimcards/{card['id']}", {"iccid": "89860000000000000002", "used_traffic": 10})
    assert changed.status_code == 200 and changed.json["used_traffic"] == 10
    assert admin.delete(f"/iotsimcards/{card['id']}").status_code == 204
    refused(admin.get(f"/iotsimcards/{card['id']}"), 404, "API.IOT_SIM_CARD_NOT_FOUND")


def test_tickets_are_kept_here_and_filtered_by_status_and_time(admin):
    first = admin.create("/tickets", {"title": "Chiller 2 trips", "priority": "high"})
    assert (first["status"], first["priority"]) == ("new", "high") and first["created_datetime"]
    admin.create("/tickets", {"title": "Meter offline", "status": "acknowledged"})
    assert [t["title"] for t in admin.get("/tickets", params={"status": "new"}).json] == ["Chiller 2 trips"]
    assert len(admin.get("/tickets", params={"status": "all", "startdatetime": "2000-01-01T00:00:00",
                                              "enddatetime": "2100-01-01T00:00:00"}).json) == 2
    refused(admin.get("/tickets", params={"status": "lost"}), 400, "API.INVALID_STATUS")
    resolved = admin.put(f"/tickets/{first['id']}", {"title": "Chiller 2 trips", "status": "resolved"})
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    assert resolved.json["updated_datetime"] >= first["updated_datetime"]
    assert admin.delete(f"/tickets/{first['id']}").status_code == 204


def test_the_version_names_the_myems_contract_without_credentials(api):
    result = api.get("/version")
    assert result.status_code == 200
    assert result.json["version"] == "MyEMS v6.7.0" and {"release-date", "licensed-to", "website"} <= set(result.json)
