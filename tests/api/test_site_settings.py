"""Tenant types, store types, working calendars with their non-working days, rules and advanced reports.

Payloads are the seed's own examples (MyEMS sections "Tenant Type", "Store Type", "Working Calendar",
"Non Working Day", "Rule" and "AdvancedReportConfig"), sent as the seed sends them: some bodies as
``Content-Type: text/plain``, non-working days created with PUT, calendars imported with
``POST /workingcalendars/{id}`` and advanced reports cloned with ``POST /advancedreports/clone``.
"Nothing written" is checked in the tables themselves.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api.test_auth import create_user
from tests.api.test_engine_portability import export
from tests.client import Api, count
from tests.conftest import ADMIN_PASSWORD, make_app

# ---------------------------------------------------------------------------- seed payloads
OFFICE = {"name": "Office1", "description": "办公", "simplified_code": "OF1"}
CAR = {"name": "Car", "description": "汽车", "simplified_code": "CA"}
AUTO = {"name": "Auto", "description": "汽车", "simplified_code": "AT"}
CALENDAR = {"name": "new_working_calendar", "description": "test"}
CALENDAR_UPDATE = {"name": "测试日历", "description": "test_update"}
DAY = {"date_local": "2023-03-01", "description": "test"}
RULE = {"name": "Space Energy Consumption Over Limit", "fdd_code": "SPACE01", "category": "SPACE",
        "priority": "HIGH", "channel": "WEB", "expression": "{\"space_id\":1, \"high_limit\":1000.000}",
        "message_template": "%s截止到目前电耗%s,超标%s。", "is_enabled": True, "is_run_immediately": True}
REPORT = {"name": "Space Daily Report1", "expression": "{\"space_id\":1}", "is_enabled": True,
          "next_run_datetime": "2023-09-06T20:00:00", "is_run_immediately": False}
REPORT_UPDATE = {"name": "Space Monthly Report", "expression": "{\"space_id\":1}", "is_enabled": True,
                 "next_run_datetime": "2023-09-01T00:00:00", "is_run_immediately": False}

TYPES = {"/tenanttypes": ("TENANT_TYPE", OFFICE, {**OFFICE, "name": "Office2", "simplified_code": "OF2"}),
         "/storetypes": ("STORE_TYPE", CAR, AUTO)}
TABLES = {"/tenanttypes": schema.tenant_types, "/storetypes": schema.store_types,
          "/workingcalendars": schema.working_calendars, "/rules": schema.rules,
          "/advancedreports": schema.advanced_reports}
SEEDS = {"/tenanttypes": OFFICE, "/storetypes": CAR, "/workingcalendars": CALENDAR, "/rules": RULE,
         "/advancedreports": REPORT}
PORTABLE = {"/workingcalendars": CALENDAR, "/rules": RULE, "/advancedreports": REPORT}
NOT_FOUND = {"/tenanttypes": "API.TENANT_TYPE_NOT_FOUND", "/storetypes": "API.STORE_TYPE_NOT_FOUND",
             "/workingcalendars": "API.WORKING_CALENDAR_NOT_FOUND", "/rules": "API.RULE_NOT_FOUND",
             "/advancedreports": "API.ADVANCED_REPORT_NOT_FOUND"}
INVALID_DATES = ["2023-02-30", "2023/03/01", 20230301]


# ---------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code, result.json




def stored(app: Any) -> dict[str, int]:
    """Row counts of every table of these families: what a refused write must leave alone."""
    tables = [*TABLES.values(), schema.non_working_days]
    return {t.name: count(app, t) for t in tables}


def send_text(api: Api, method: str, path: str, data: Any) -> Any:
    """A body as the seed's curl examples send it: JSON under ``Content-Type: text/plain``."""
    return api.request(method, path, body=json.dumps({"data": data}, ensure_ascii=False),
                       headers={"Content-Type": "text/plain"})


def created(result: Any, path: str) -> dict[str, Any]:
    assert result.status_code == 201, (result.status_code, result.json)
    assert result.headers["location"] == f"{path}/{result.json['id']}"
    return dict(result.json)




def without(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in keys}


def new_calendar(admin: Api, name: str = CALENDAR["name"]) -> dict[str, Any]:
    return created(send_text(admin, "POST", "/workingcalendars", {**CALENDAR, "name": name}), "/workingcalendars")


def add_day(admin: Api, calendar_id: int, date_local: Any = DAY["date_local"], verb: str = "PUT",
            description: str = "test") -> Any:
    return send_text(admin, verb, f"/workingcalendars/{calendar_id}/nonworkingdays",
                     {"date_local": date_local, "description": description})


def day_dates(admin: Api, calendar_id: int) -> list[str]:
    result = admin.get(f"/workingcalendars/{calendar_id}/nonworkingdays")
    assert result.status_code == 200, result.json
    return [d["date_local"] for d in result.json]


def calendar_with_days(admin: Api, *dates: str, name: str = CALENDAR["name"]) -> dict[str, Any]:
    calendar = new_calendar(admin, name)
    for date_local in dates:
        created(add_day(admin, calendar["id"], date_local), "/nonworkingdays")
    return calendar


@pytest.fixture
def user(api: Api, admin: Api) -> Api:
    """A logged-in normal (non-admin) user."""
    create_user(admin, "normaluser")
    return api.login("normaluser", "User-pass-1")


# ---------------------------------------------------------------------------- tenant and store types
@pytest.mark.parametrize("path", TYPES)
def test_a_type_is_created_read_updated_and_deleted_with_the_seed_payloads(admin, path):
    _, first, update = TYPES[path]
    made = created(admin.post(path, first), path)
    assert without(made, "id", "uuid") == first
    assert len(made["uuid"]) == 36
    assert admin.get(f"{path}/{made['id']}").json == made
    assert made in admin.get(path).json
    changed = admin.put(f"{path}/{made['id']}", update)
    assert changed.status_code == 200, changed.json
    assert changed.json == {**update, "id": made["id"], "uuid": made["uuid"]}
    assert admin.get(f"{path}/{made['id']}").json == changed.json
    assert admin.delete(f"{path}/{made['id']}").status_code == 204
    assert_error(admin.get(f"{path}/{made['id']}"), 404, NOT_FOUND[path])


@pytest.mark.parametrize("path", TYPES)
def test_a_type_accepts_the_seed_body_sent_as_text_plain(admin, path):
    made = created(send_text(admin, "POST", path, TYPES[path][1]), path)
    assert made["name"] == TYPES[path][1]["name"]


@pytest.mark.parametrize("path", TYPES)
def test_a_type_name_already_in_use_is_a_conflict_on_create_and_update(admin, app, path):
    upper, first, update = TYPES[path]
    made = admin.create(path, first)
    second = admin.create(path, update)
    before = stored(app)
    assert_error(admin.post(path, {**update, "name": first["name"]}), 409, f"API.{upper}_NAME_IS_ALREADY_IN_USE")
    assert_error(admin.put(f"{path}/{second['id']}", {**update, "name": f" {first['name']} "}), 409,
                 f"API.{upper}_NAME_IS_ALREADY_IN_USE")
    assert stored(app) == before
    assert admin.get(f"{path}/{made['id']}").json["name"] == first["name"]
    assert admin.get(f"{path}/{second['id']}").json["name"] == update["name"]


@pytest.mark.parametrize("path", TYPES)
@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "NAME"), ({"name": 7}, "NAME"), ({"name": None}, "NAME"), ({"name": "x" * 256}, "NAME"),
    ({"simplified_code": "x" * 33}, "SIMPLIFIED_CODE"), ({"simplified_code": 5}, "SIMPLIFIED_CODE"),
    ({"description": ["a"]}, "DESCRIPTION")])
def test_a_type_with_a_bad_field_is_refused_and_nothing_is_written(admin, app, path, change, field):
    upper, first, _ = TYPES[path]
    code = f"API.INVALID_{upper}_NAME" if field == "NAME" else f"API.INVALID_{field}"
    before = stored(app)
    assert_error(admin.post(path, {**first, **change}), 400, code)
    assert stored(app) == before


@pytest.mark.parametrize("path", TYPES)
def test_a_type_without_description_and_code_is_created_with_nulls(admin, path):
    made = admin.create(path, {"name": "Bare"})
    assert made["description"] is None and made["simplified_code"] is None


@pytest.mark.parametrize("path", list(TABLES))
def test_reading_updating_or_deleting_an_unknown_id_is_not_found(admin, path):
    assert_error(admin.get(f"{path}/999999"), 404, NOT_FOUND[path])
    assert_error(admin.put(f"{path}/999999", SEEDS[path]), 404, NOT_FOUND[path])
    assert_error(admin.delete(f"{path}/999999"), 404, NOT_FOUND[path])


# ---------------------------------------------------------------------------- working calendars
def test_a_working_calendar_is_created_updated_and_deleted_with_the_seed_text_plain_bodies(admin):
    calendar = new_calendar(admin)
    assert without(calendar, "id", "uuid") == {**CALENDAR, "non_working_days": []}
    updated = send_text(admin, "PUT", f"/workingcalendars/{calendar['id']}", CALENDAR_UPDATE)
    assert updated.status_code == 200, updated.json
    assert updated.json == {**CALENDAR_UPDATE, "id": calendar["id"], "uuid": calendar["uuid"],
                            "non_working_days": []}
    assert admin.get("/workingcalendars").json == [updated.json]
    assert admin.delete(f"/workingcalendars/{calendar['id']}").status_code == 204
    assert admin.get("/workingcalendars").json == []


def test_a_working_calendar_name_already_in_use_is_a_conflict(admin, app):
    new_calendar(admin)
    before = stored(app)
    assert_error(send_text(admin, "POST", "/workingcalendars", CALENDAR), 409,
                 "API.WORKING_CALENDAR_NAME_IS_ALREADY_IN_USE")
    assert stored(app) == before


def test_a_working_calendar_without_a_name_is_refused(admin, app):
    before = stored(app)
    assert_error(send_text(admin, "POST", "/workingcalendars", {"description": "test"}), 400,
                 "API.INVALID_WORKING_CALENDAR_NAME")
    assert stored(app) == before


@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_a_non_working_day_is_created_under_its_calendar_with_201_and_location(admin, verb):
    calendar = new_calendar(admin)
    made = created(add_day(admin, calendar["id"], verb=verb), "/nonworkingdays")
    assert made["date_local"] == "2023-03-01"
    assert made["description"] == "test"
    assert made["working_calendar"]["id"] == made["working_calendar_id"] == calendar["id"]  # v6.7.0 reads the id
    assert admin.get(f"/nonworkingdays/{made['id']}").json == made
    assert admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json == [made]


def test_the_calendar_of_a_new_non_working_day_is_taken_from_the_path_not_the_body(admin):
    calendar, decoy = new_calendar(admin), new_calendar(admin, "decoy")
    result = send_text(admin, "PUT", f"/workingcalendars/{calendar['id']}/nonworkingdays",
                       {**DAY, "working_calendar_id": decoy["id"]})
    made = created(result, "/nonworkingdays")
    assert made["working_calendar"]["id"] == calendar["id"]
    assert day_dates(admin, decoy["id"]) == []


def test_the_calendar_shows_its_non_working_days(admin):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-10-01")
    days = admin.get(f"/workingcalendars/{calendar['id']}").json["non_working_days"]
    assert [d["date_local"] for d in days] == ["2023-03-01", "2023-10-01"]
    assert all(d["description"] == "test" for d in days)


def test_a_date_is_a_non_working_day_once_per_calendar_but_may_repeat_in_another(admin, app):
    calendar, second = calendar_with_days(admin, "2023-03-01"), new_calendar(admin, "second")
    before = stored(app)
    for verb in ("PUT", "POST"):
        assert_error(add_day(admin, calendar["id"], verb=verb), 409,
                     "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE")
    assert stored(app) == before
    created(add_day(admin, second["id"]), "/nonworkingdays")
    assert day_dates(admin, calendar["id"]) == day_dates(admin, second["id"]) == ["2023-03-01"]


@pytest.mark.parametrize("date_local", INVALID_DATES)
@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_an_invalid_date_is_refused_and_no_day_is_written(admin, app, date_local, verb):
    calendar = new_calendar(admin)
    assert_error(add_day(admin, calendar["id"], date_local, verb=verb), 400, "API.INVALID_DATE_LOCAL")
    assert count(app, schema.non_working_days) == 0


def test_a_date_in_iso_week_form_is_not_yyyy_mm_dd_and_is_refused(admin, app):
    calendar = new_calendar(admin)
    assert_error(add_day(admin, calendar["id"], "2023-W09-3"), 400, "API.INVALID_DATE_LOCAL")
    assert count(app, schema.non_working_days) == 0


@pytest.mark.parametrize("verb", ["GET", "PUT", "POST"])
def test_the_days_of_a_malformed_calendar_id_are_a_bad_request(admin, verb):
    result = admin.request(verb, "/workingcalendars/abc/nonworkingdays", None if verb == "GET" else DAY)
    assert_error(result, 400, "API.INVALID_WORKING_CALENDAR_ID")


def test_a_non_working_day_without_a_date_is_refused(admin, app):
    calendar = new_calendar(admin)
    result = send_text(admin, "PUT", f"/workingcalendars/{calendar['id']}/nonworkingdays", {"description": "x"})
    assert_error(result, 400, "API.INVALID_DATE_LOCAL")
    assert count(app, schema.non_working_days) == 0


@pytest.mark.parametrize("verb", ["GET", "PUT", "POST"])
def test_the_days_of_an_unknown_calendar_are_not_found(admin, app, verb):
    result = admin.request(verb, "/workingcalendars/999999/nonworkingdays", None if verb == "GET" else DAY)
    assert_error(result, 404, "API.WORKING_CALENDAR_NOT_FOUND")
    assert count(app, schema.non_working_days) == 0


def test_a_non_working_day_is_updated_with_the_seed_payload_and_may_move_to_another_calendar(admin):
    calendar, second = calendar_with_days(admin, "2023-03-01"), new_calendar(admin, "second")
    day_id = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json[0]["id"]
    result = send_text(admin, "PUT", f"/nonworkingdays/{day_id}",
                       {"date_local": "2023-03-01", "working_calendar_id": second["id"],
                        "description": "test_update3"})
    assert result.status_code == 200, result.json
    assert result.json["description"] == "test_update3"
    assert result.json["working_calendar"]["id"] == second["id"]
    assert day_dates(admin, calendar["id"]) == []
    assert day_dates(admin, second["id"]) == ["2023-03-01"]


def test_updating_a_non_working_day_changes_its_date(admin):
    calendar = calendar_with_days(admin, "2023-03-01")
    day_id = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json[0]["id"]
    result = admin.put(f"/nonworkingdays/{day_id}", {"date_local": "2023-05-01", "description": "labour day",
                                                      "working_calendar_id": calendar["id"]})
    assert result.status_code == 200, result.json
    assert admin.get(f"/nonworkingdays/{day_id}").json["date_local"] == "2023-05-01"


def test_updating_a_day_onto_a_date_its_calendar_already_has_is_a_conflict(admin):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-05-01")
    days = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json
    result = admin.put(f"/nonworkingdays/{days[1]['id']}", {"date_local": "2023-03-01",
                                                             "working_calendar_id": calendar["id"]})
    assert_error(result, 409, "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE")
    assert day_dates(admin, calendar["id"]) == ["2023-03-01", "2023-05-01"]


def test_moving_a_day_into_a_calendar_that_has_its_date_is_a_conflict(admin):
    calendar, second = calendar_with_days(admin, "2023-03-01"), calendar_with_days(admin, "2023-03-01", name="second")
    day_id = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json[0]["id"]
    assert second["id"] != calendar["id"]
    result = admin.put(f"/nonworkingdays/{day_id}", {"date_local": "2023-03-01", "working_calendar_id": second["id"]})
    assert_error(result, 409, "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE")
    assert day_dates(admin, calendar["id"]) == ["2023-03-01"]


@pytest.mark.parametrize("date_local", INVALID_DATES)
def test_updating_a_day_to_an_invalid_date_is_refused_and_changes_nothing(admin, date_local):
    calendar = calendar_with_days(admin, "2023-03-01")
    day_id = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json[0]["id"]
    result = admin.put(f"/nonworkingdays/{day_id}", {"date_local": date_local, "working_calendar_id": calendar["id"]})
    assert_error(result, 400, "API.INVALID_DATE_LOCAL")
    assert day_dates(admin, calendar["id"]) == ["2023-03-01"]


def test_moving_a_day_to_an_unknown_calendar_is_not_found(admin):
    calendar = calendar_with_days(admin, "2023-03-01")
    day_id = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json[0]["id"]
    result = admin.put(f"/nonworkingdays/{day_id}", {"date_local": "2023-03-01", "working_calendar_id": 999999})
    assert_error(result, 404, "API.WORKING_CALENDAR_NOT_FOUND")
    assert admin.get(f"/nonworkingdays/{day_id}").json["working_calendar"]["id"] == calendar["id"]


def test_a_non_working_day_is_deleted_by_id(admin):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-05-01")
    days = admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json
    assert admin.delete(f"/nonworkingdays/{days[0]['id']}").status_code == 204
    assert_error(admin.get(f"/nonworkingdays/{days[0]['id']}"), 404, "API.NON_WORKING_DAY_NOT_FOUND")
    assert day_dates(admin, calendar["id"]) == ["2023-05-01"]


def test_an_unknown_non_working_day_is_not_found(admin):
    assert_error(admin.get("/nonworkingdays/999999"), 404, "API.NON_WORKING_DAY_NOT_FOUND")
    assert_error(admin.put("/nonworkingdays/999999", DAY), 404, "API.NON_WORKING_DAY_NOT_FOUND")
    assert_error(admin.delete("/nonworkingdays/999999"), 404, "API.NON_WORKING_DAY_NOT_FOUND")


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_the_non_working_days_collection_is_not_served(admin, app, verb):
    calendar_with_days(admin, "2023-03-01")
    result = admin.request(verb, "/nonworkingdays", None if verb == "GET" else DAY)
    assert result.status_code in (404, 405), (result.status_code, result.json)
    assert not isinstance(result.json, list)
    assert count(app, schema.non_working_days) == 1


def test_deleting_a_calendar_deletes_its_days(admin, app):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-05-01")
    keep = calendar_with_days(admin, "2023-03-01", name="keep")
    day_ids = [d["id"] for d in admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json]
    assert admin.delete(f"/workingcalendars/{calendar['id']}").status_code == 204
    for day_id in day_ids:
        assert_error(admin.get(f"/nonworkingdays/{day_id}"), 404, "API.NON_WORKING_DAY_NOT_FOUND")
    assert count(app, schema.non_working_days, working_calendar_id=calendar["id"]) == 0
    assert day_dates(admin, keep["id"]) == ["2023-03-01"]


def test_updating_a_calendar_without_days_keeps_its_days(admin):
    calendar = calendar_with_days(admin, "2023-03-01")
    result = send_text(admin, "PUT", f"/workingcalendars/{calendar['id']}", CALENDAR_UPDATE)
    assert result.status_code == 200, result.json
    assert [d["date_local"] for d in result.json["non_working_days"]] == ["2023-03-01"]


def test_updating_a_calendar_with_days_replaces_them_but_not_with_a_date_twice(admin):
    calendar = calendar_with_days(admin, "2023-03-01")
    path = f"/workingcalendars/{calendar['id']}"
    twice = {**CALENDAR, "non_working_days": [DAY, DAY]}
    assert_error(admin.put(path, twice), 409, "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE")
    assert day_dates(admin, calendar["id"]) == ["2023-03-01"]
    result = admin.put(path, {**CALENDAR, "non_working_days": [{"date_local": "2023-10-01"}]})
    assert result.status_code == 200, result.json
    assert day_dates(admin, calendar["id"]) == ["2023-10-01"]


def test_a_calendar_export_carries_its_days(admin):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-10-01")
    doc = export(admin, "/workingcalendars", calendar["id"])
    assert doc["name"] == CALENDAR["name"] and doc["uuid"] == calendar["uuid"]
    assert [(d["date_local"], d["description"]) for d in doc["non_working_days"]] == [
        ("2023-03-01", "test"), ("2023-10-01", "test")]


@pytest.mark.parametrize("route", ["/workingcalendars/import", "/workingcalendars/{id}"])
def test_an_imported_calendar_carries_its_days(admin, route):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-10-01")
    doc = {**export(admin, "/workingcalendars", calendar["id"]), "name": "imported"}
    made = created(send_text(admin, "POST", route.format(id=calendar["id"]), doc), "/workingcalendars")
    assert made["id"] != calendar["id"]
    assert made["name"] == "imported"
    assert day_dates(admin, made["id"]) == ["2023-03-01", "2023-10-01"]
    assert day_dates(admin, calendar["id"]) == ["2023-03-01", "2023-10-01"]


def test_the_seed_import_body_creates_a_calendar_without_days(admin):
    calendar = new_calendar(admin)
    made = created(send_text(admin, "POST", f"/workingcalendars/{calendar['id']}", CALENDAR_UPDATE),
                   "/workingcalendars")
    assert without(made, "id", "uuid") == {**CALENDAR_UPDATE, "non_working_days": []}
    assert admin.get(f"/workingcalendars/{calendar['id']}").json == calendar


@pytest.mark.parametrize("route", ["/workingcalendars/import", "/workingcalendars/1"])
def test_a_calendar_exported_into_an_empty_instance_arrives_with_its_days_and_uuid(admin, other, route):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-10-01")
    doc = export(admin, "/workingcalendars", calendar["id"])
    made = created(other.post(route, doc), "/workingcalendars")
    assert made["uuid"] == calendar["uuid"]
    assert without(made, "id") == without(admin.get(f"/workingcalendars/{calendar['id']}").json, "id")
    assert [d["date_local"] for d in other.get(f"/workingcalendars/{made['id']}/nonworkingdays").json] == [
        "2023-03-01", "2023-10-01"]


def test_an_import_with_the_same_date_twice_is_refused_and_creates_nothing(admin, app):
    calendar = calendar_with_days(admin, "2023-03-01")
    doc = {**export(admin, "/workingcalendars", calendar["id"]), "name": "twice"}
    doc["non_working_days"] = [DAY, {**DAY, "description": "again"}]
    before = stored(app)
    result = admin.post("/workingcalendars/import", doc)
    assert result.status_code in (400, 409), (result.status_code, result.json)
    assert result.json["description"] == "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE"
    assert stored(app) == before


@pytest.mark.parametrize("date_local", INVALID_DATES)
def test_an_import_with_an_invalid_date_is_refused_and_creates_nothing(admin, app, date_local):
    before = stored(app)
    result = admin.post("/workingcalendars/import", {**CALENDAR, "non_working_days": [{"date_local": date_local}]})
    assert_error(result, 400, "API.INVALID_DATE_LOCAL")
    assert stored(app) == before


def test_cloning_a_calendar_copies_its_days_under_a_counted_name(admin):
    calendar = calendar_with_days(admin, "2023-03-01", "2023-10-01")
    result = admin.post(f"/workingcalendars/{calendar['id']}/clone")
    copy_ = created(result, "/workingcalendars")
    assert copy_["name"] == f"{CALENDAR['name']} (1)"
    assert copy_["uuid"] != calendar["uuid"]
    assert day_dates(admin, copy_["id"]) == ["2023-03-01", "2023-10-01"]
    second = created(admin.post(f"/workingcalendars/{calendar['id']}/clone"), "/workingcalendars")
    assert second["name"] == f"{CALENDAR['name']} (2)"
    original_ids = {d["id"] for d in admin.get(f"/workingcalendars/{calendar['id']}/nonworkingdays").json}
    copied_ids = {d["id"] for d in admin.get(f"/workingcalendars/{copy_['id']}/nonworkingdays").json}
    assert not original_ids & copied_ids


def test_the_days_of_a_clone_are_its_own(admin):
    calendar = calendar_with_days(admin, "2023-03-01")
    copy_ = created(admin.post(f"/workingcalendars/{calendar['id']}/clone"), "/workingcalendars")
    copied_day = admin.get(f"/workingcalendars/{copy_['id']}/nonworkingdays").json[0]
    assert admin.delete(f"/nonworkingdays/{copied_day['id']}").status_code == 204
    assert day_dates(admin, calendar["id"]) == ["2023-03-01"]
    assert day_dates(admin, copy_["id"]) == []


# ---------------------------------------------------------------------------- rules
def test_the_seed_rule_is_created_read_and_updated(admin):
    made = created(admin.post("/rules", RULE), "/rules")
    expected = {**RULE, "last_run_datetime": None, "next_run_datetime": None}
    assert without(made, "id", "uuid") == expected
    assert admin.get(f"/rules/{made['id']}").json == made
    assert admin.get("/rules").json == [made]
    update = {**RULE, "priority": "LOW", "channel": "EMAIL", "is_enabled": False}
    result = admin.put(f"/rules/{made['id']}", update)
    assert result.status_code == 200, result.json
    assert without(result.json, "id", "uuid") == {**update, "last_run_datetime": None, "next_run_datetime": None}
    assert admin.delete(f"/rules/{made['id']}").status_code == 204
    assert_error(admin.get(f"/rules/{made['id']}"), 404, "API.RULE_NOT_FOUND")


def test_a_rule_name_already_in_use_is_a_conflict(admin, app):
    admin.create("/rules", RULE)
    before = stored(app)
    assert_error(admin.post("/rules", {**RULE, "fdd_code": "SPACE02"}), 409, "API.RULE_NAME_IS_ALREADY_IN_USE")
    assert stored(app) == before


@pytest.mark.parametrize("fdd_code", ["space01", "SPACE", "01", "SPACE-01", "", 1, None])
def test_a_rule_fdd_code_must_be_capitals_then_digits(admin, app, fdd_code):
    before = stored(app)
    assert_error(admin.post("/rules", {**RULE, "fdd_code": fdd_code}), 400, "API.INVALID_FDD_CODE")
    assert stored(app) == before


@pytest.mark.parametrize("fdd_code", ["SYSTEM01", "REALTIME02", "METER10"])
def test_a_rule_accepts_the_documented_fdd_codes(admin, fdd_code):
    assert admin.create("/rules", {**RULE, "fdd_code": fdd_code})["fdd_code"] == fdd_code


@pytest.mark.parametrize(("field", "value", "code"), [
    ("category", "ROOM", "API.INVALID_CATEGORY"), ("category", "space", "API.INVALID_CATEGORY"),
    ("priority", "URGENT", "API.INVALID_PRIORITY"), ("priority", "high", "API.INVALID_PRIORITY"),
    ("channel", "FAX", "API.INVALID_CHANNEL"), ("channel", None, "API.INVALID_CHANNEL"),
    ("expression", "{space_id:1}", "API.INVALID_EXPRESSION"), ("expression", "", "API.INVALID_EXPRESSION"),
    ("expression", 5, "API.INVALID_EXPRESSION"), ("is_enabled", "true", "API.INVALID_IS_ENABLED"),
    ("message_template", 5, "API.INVALID_MESSAGE_TEMPLATE"), ("name", "", "API.INVALID_RULE_NAME")])
def test_a_rule_with_a_bad_field_is_refused_and_nothing_is_written(admin, app, field, value, code):
    before = stored(app)
    assert_error(admin.post("/rules", {**RULE, field: value}), 400, code)
    assert stored(app) == before


@pytest.mark.parametrize("category", ["SYSTEM", "REALTIME", "SPACE", "METER", "TENANT", "STORE", "SHOPFLOOR",
                                      "EQUIPMENT", "COMBINEDEQUIPMENT"])
def test_a_rule_accepts_every_documented_category(admin, category):
    assert admin.create("/rules", {**RULE, "category": category})["category"] == category


@pytest.mark.parametrize("expression", ["{\"high_limit\": NaN}", "{\"high_limit\": Infinity}"])
def test_a_rule_expression_with_nan_or_infinity_is_not_json_and_is_refused(admin, app, expression):
    before = stored(app)
    assert_error(admin.post("/rules", {**RULE, "expression": expression}), 400, "API.INVALID_EXPRESSION")
    assert stored(app) == before


def test_a_bad_rule_update_is_refused_and_changes_nothing(admin):
    made = admin.create("/rules", RULE)
    assert_error(admin.put(f"/rules/{made['id']}", {**RULE, "priority": "URGENT"}), 400, "API.INVALID_PRIORITY")
    assert admin.get(f"/rules/{made['id']}").json == made


def test_rule_run_datetimes_are_null_and_not_writable(admin, app):
    given = {**RULE, "last_run_datetime": "2023-01-01T00:00:00", "next_run_datetime": "2023-01-02T00:00:00"}
    made = admin.create("/rules", given)
    assert made["last_run_datetime"] is None and made["next_run_datetime"] is None
    result = admin.put(f"/rules/{made['id']}", given)
    assert result.status_code == 200, result.json
    assert result.json["last_run_datetime"] is None and result.json["next_run_datetime"] is None
    with app.databases.system.connect() as conn:
        row = conn.execute(sa.select(schema.rules).where(schema.rules.c.id == made["id"])).mappings().one()
    assert row["last_run_datetime_utc"] is None and row["next_run_datetime_utc"] is None


def test_running_a_rule_whose_expression_the_engine_cannot_read_says_why_and_changes_nothing(admin):
    made = admin.create("/rules", RULE)  # the seed's expression names no condition type
    assert_error(admin.put(f"/rules/{made['id']}/run", RULE), 400, "API.INVALID_RULE_EXPRESSION")
    assert admin.get("/reports/fddfault").json["faults"] == []


def test_running_an_unknown_rule_is_not_found(admin):
    assert_error(admin.put("/rules/999999/run", RULE), 404, "API.RULE_NOT_FOUND")


def test_running_a_malformed_rule_id_is_a_bad_request(admin):
    assert_error(admin.put("/rules/abc/run", RULE), 400, "API.INVALID_RULE_ID")


@pytest.mark.parametrize("route", ["/rules/import", "/rules/{id}/import"])
def test_a_rule_is_exported_imported_and_cloned(admin, other, route):
    made = admin.create("/rules", RULE)
    doc = export(admin, "/rules", made["id"])
    assert without(doc, "id") == without(made, "id")
    copy_ = created(other.post(route.format(id=1), doc), "/rules")
    assert without(copy_, "id") == without(made, "id")
    renamed = created(admin.post(route.format(id=made["id"]), {**RULE, "name": "Seed import"}), "/rules")
    assert without(renamed, "id", "uuid") == {**RULE, "name": "Seed import", "last_run_datetime": None,
                                              "next_run_datetime": None}
    cloned = created(admin.post(f"/rules/{made['id']}/clone"), "/rules")
    assert cloned["name"] == f"{RULE['name']} (1)"
    assert without(cloned, "id", "uuid", "name") == without(made, "id", "uuid", "name")


def test_importing_a_rule_with_a_bad_field_creates_nothing(admin, app):
    before = stored(app)
    assert_error(admin.post("/rules/import", {**RULE, "fdd_code": "space01"}), 400, "API.INVALID_FDD_CODE")
    assert stored(app) == before


# ---------------------------------------------------------------------------- advanced reports
def test_the_seed_advanced_report_is_created_read_updated_and_deleted(admin):
    made = created(admin.post("/advancedreports", REPORT), "/advancedreports")
    assert without(made, "id", "uuid") == {**REPORT, "last_run_datetime": None}
    assert admin.get(f"/advancedreports/{made['id']}").json == made
    assert admin.get("/advancedreports").json == [made]
    result = admin.put(f"/advancedreports/{made['id']}", REPORT_UPDATE)
    assert result.status_code == 200, result.json
    assert without(result.json, "id", "uuid") == {**REPORT_UPDATE, "last_run_datetime": None}
    assert admin.delete(f"/advancedreports/{made['id']}").status_code == 204
    assert_error(admin.get(f"/advancedreports/{made['id']}"), 404, "API.ADVANCED_REPORT_NOT_FOUND")


def test_next_run_datetime_round_trips_in_local_time_and_is_stored_in_utc(config):
    app = make_app(replace(config, utc_offset="+08:00"))
    try:
        admin = Api(app).login("administrator", ADMIN_PASSWORD)
        made = admin.create("/advancedreports", REPORT)
        assert made["next_run_datetime"] == "2023-09-06T20:00:00"
        assert admin.get(f"/advancedreports/{made['id']}").json["next_run_datetime"] == "2023-09-06T20:00:00"
        table = schema.advanced_reports
        with app.databases.system.connect() as conn:
            utc = conn.execute(sa.select(table.c.next_run_datetime_utc).where(table.c.id == made["id"])).scalar_one()
        assert utc.isoformat() == "2023-09-06T12:00:00"
    finally:
        app.databases.dispose()


def test_an_advanced_report_without_next_run_datetime_has_it_null(admin):
    made = admin.create("/advancedreports", without(REPORT, "next_run_datetime"))
    assert made["next_run_datetime"] is None


def test_an_advanced_report_name_already_in_use_is_a_conflict(admin, app):
    admin.create("/advancedreports", REPORT)
    before = stored(app)
    assert_error(admin.post("/advancedreports", REPORT), 409, "API.ADVANCED_REPORT_NAME_IS_ALREADY_IN_USE")
    assert stored(app) == before


@pytest.mark.parametrize(("field", "value", "code"), [
    ("name", "", "API.INVALID_ADVANCED_REPORT_NAME"), ("expression", "{space_id:1}", "API.INVALID_EXPRESSION"),
    ("expression", None, "API.INVALID_EXPRESSION"), ("is_enabled", 1, "API.INVALID_IS_ENABLED"),
    ("next_run_datetime", "2023-09-06 25:00", "API.INVALID_NEXT_RUN_DATETIME"),
    ("next_run_datetime", 20230906, "API.INVALID_NEXT_RUN_DATETIME"),
    ("is_run_immediately", "no", "API.INVALID_IS_RUN_IMMEDIATELY")])
def test_an_advanced_report_with_a_bad_field_is_refused_and_nothing_is_written(admin, app, field, value, code):
    before = stored(app)
    assert_error(admin.post("/advancedreports", {**REPORT, field: value}), 400, code)
    assert stored(app) == before


def test_an_advanced_report_last_run_datetime_is_not_writable(admin):
    made = admin.create("/advancedreports", {**REPORT, "last_run_datetime": "2023-01-01T00:00:00"})
    assert made["last_run_datetime"] is None


def test_cloning_an_advanced_report_by_id_in_the_body_answers_201_with_a_counted_name(admin):
    made = admin.create("/advancedreports", REPORT)
    first = created(admin.post("/advancedreports/clone", {"id": made["id"]}), "/advancedreports")
    assert first["name"] == f"{REPORT['name']} (1)"
    assert first["uuid"] != made["uuid"]
    assert without(first, "id", "uuid", "name") == without(made, "id", "uuid", "name")
    second = created(admin.post("/advancedreports/clone", {"id": str(made["id"])}), "/advancedreports")
    assert second["name"] == f"{REPORT['name']} (2)"


@pytest.mark.parametrize("data", [{}, {"id": None}, {"id": "abc"}, {"id": 0}, {"id": -1}, {"id": True},
                                  {"id": 1.5}])
def test_cloning_an_advanced_report_with_a_missing_or_bad_id_is_a_bad_request(admin, app, data):
    admin.create("/advancedreports", REPORT)
    before = stored(app)
    assert_error(admin.post("/advancedreports/clone", data), 400, "API.INVALID_ADVANCED_REPORT_ID")
    assert stored(app) == before


def test_cloning_an_advanced_report_with_no_body_at_all_is_a_bad_request(admin, app):
    admin.create("/advancedreports", REPORT)
    before = stored(app)
    result = admin.post("/advancedreports/clone")
    assert result.status_code == 400, (result.status_code, result.json)
    assert stored(app) == before


def test_cloning_an_unknown_advanced_report_is_not_found(admin, app):
    before = stored(app)
    assert_error(admin.post("/advancedreports/clone", {"id": 999999}), 404, "API.ADVANCED_REPORT_NOT_FOUND")
    assert stored(app) == before


def test_cloning_an_advanced_report_by_path_also_works(admin):
    made = admin.create("/advancedreports", REPORT)
    assert created(admin.post(f"/advancedreports/{made['id']}/clone"), "/advancedreports")["name"] == (
        f"{REPORT['name']} (1)")


def test_the_seed_advanced_report_import_body_creates_it(admin):
    made = created(admin.post("/advancedreports/import", REPORT), "/advancedreports")
    assert without(made, "id", "uuid") == {**REPORT, "last_run_datetime": None}


def test_an_advanced_report_exported_into_an_empty_instance_is_the_same_report(admin, other):
    made = admin.create("/advancedreports", REPORT)
    doc = export(admin, "/advancedreports", made["id"])
    assert without(doc, "id") == without(made, "id")
    copy_ = created(other.post("/advancedreports/import", doc), "/advancedreports")
    assert without(copy_, "id") == without(made, "id")


def test_importing_an_advanced_report_with_a_name_in_use_creates_nothing(admin, app):
    made = admin.create("/advancedreports", REPORT)
    before = stored(app)
    assert_error(admin.post("/advancedreports/import", export(admin, "/advancedreports", made["id"])), 409,
                 "API.ADVANCED_REPORT_NAME_IS_ALREADY_IN_USE")
    assert stored(app) == before


@pytest.mark.parametrize("body", [REPORT_UPDATE, {}])
def test_running_an_advanced_report_whose_expression_names_no_report_says_why_and_changes_nothing(admin, body):
    made = admin.create("/advancedreports", REPORT)  # the seed's expression names no report route
    assert_error(admin.put(f"/advancedreports/{made['id']}/run", body), 400,
                 "API.INVALID_ADVANCED_REPORT_EXPRESSION")
    assert admin.get(f"/advancedreports/{made['id']}").json == made


def test_running_an_unknown_advanced_report_is_not_found(admin):
    assert_error(admin.put("/advancedreports/999999/run", {}), 404, "API.ADVANCED_REPORT_NOT_FOUND")


# ---------------------------------------------------------------------------- access
def write_requests(admin: Api) -> list[tuple[str, str, Any]]:
    """Every write route of these families, each aimed at an object that exists."""
    ids = {path: admin.create(path, copy.deepcopy(SEEDS[path]))["id"] for path in TABLES}
    calendar = ids["/workingcalendars"]
    day_id = created(add_day(admin, calendar), "/nonworkingdays")["id"]
    requests: list[tuple[str, str, Any]] = []
    for path, entity_id in ids.items():
        fresh = {**SEEDS[path], "name": "fresh"}
        requests += [("POST", path, fresh), ("PUT", f"{path}/{entity_id}", fresh),
                     ("DELETE", f"{path}/{entity_id}", None)]
    for path in PORTABLE:
        fresh = {**SEEDS[path], "name": "fresh"}
        requests += [("POST", f"{path}/import", fresh), ("PUT", f"{path}/import", fresh),
                     ("POST", f"{path}/{ids[path]}/import", fresh), ("POST", f"{path}/{ids[path]}/clone", None)]
    requests += [("POST", f"/workingcalendars/{calendar}", {**CALENDAR, "name": "fresh"}),
                 ("PUT", f"/workingcalendars/{calendar}/nonworkingdays", {**DAY, "date_local": "2023-04-01"}),
                 ("POST", f"/workingcalendars/{calendar}/nonworkingdays", {**DAY, "date_local": "2023-04-01"}),
                 ("PUT", f"/nonworkingdays/{day_id}", {**DAY, "working_calendar_id": calendar}),
                 ("DELETE", f"/nonworkingdays/{day_id}", None),
                 ("POST", "/advancedreports/clone", {"id": ids["/advancedreports"]}),
                 ("PUT", f"/rules/{ids['/rules']}/run", RULE),
                 ("PUT", f"/advancedreports/{ids['/advancedreports']}/run", {})]
    return requests


def test_a_normal_user_is_forbidden_every_write_and_nothing_changes(admin, user, app):
    requests = write_requests(admin)
    before = stored(app)
    for method, path, data in requests:
        result = user.request(method, path, data)
        assert result.status_code == 403, (method, path, result.status_code, result.json)
        assert result.json["description"] == "API.FORBIDDEN", (method, path)
    assert stored(app) == before


@pytest.mark.parametrize("path", [*TABLES, "/workingcalendars/{id}/nonworkingdays"])
def test_a_normal_user_may_read(admin, user, path):
    calendar = calendar_with_days(admin, "2023-03-01")
    for p in TABLES:
        if p != "/workingcalendars":
            admin.create(p, SEEDS[p])
    result = user.get(path.format(id=calendar["id"]))
    assert result.status_code == 200, result.json
    assert len(result.json) == 1
