"""Spaces: one tree under one root, no cycles, bindings, and the tree each caller may see."""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import Api
from tests.conftest import ADMIN_PASSWORD

SEED_SPACE = {"name": "MyEMSSpace", "area": 999.99, "timezone_id": 56, "is_input_counted": True,
              "is_output_counted": False, "latitude": 39.909429, "longitude": 116.416993,
              "description": "Space description"}


def timezone_id(admin: Api) -> int:
    """The seed uses id 56; ids differ between fresh databases, so look it up by name."""
    return next(t["id"] for t in admin.get("/timezones").json if t["name"] == "China Standard Time")


def space(admin: Api, name: str, parent: dict[str, Any] | None, **changes: Any) -> dict[str, Any]:
    payload = {**SEED_SPACE, "name": name, "parent_space_id": parent["id"] if parent else None,
               "timezone_id": timezone_id(admin), **changes}
    return admin.create("/spaces", payload)


@pytest.fixture
def campus(admin: Api) -> dict[str, dict[str, Any]]:
    root = space(admin, "Campus", None)
    building = space(admin, "Building A", root)
    floor = space(admin, "Floor 1", building)
    other = space(admin, "Building B", root)
    return {"root": root, "building": building, "floor": floor, "other": other}


def refused(result: Any, status: int, code: str) -> None:
    assert (result.status_code, result.json["description"]) == (status, code), result.json


def test_the_seed_space_answers_the_result_fields(admin, campus):
    got = admin.get(f"/spaces/{campus['building']['id']}").json
    assert got["parent_space_id"] == campus["root"]["id"]
    assert got["parent_space"]["uuid"] == campus["root"]["uuid"]
    assert got["timezone"]["id"] == timezone_id(admin) and got["qrcode"] == f"space:{got['uuid']}"
    assert (got["area"], got["is_input_counted"], got["is_output_counted"]) == (999.99, True, False)


def test_a_second_root_space_is_refused(admin, campus):
    refused(admin.post("/spaces", {**SEED_SPACE, "name": "Another root", "parent_space_id": None,
                                   "timezone_id": timezone_id(admin)}), 400,
            "API.ROOT_SPACE_ALREADY_EXISTS")
    assert len(admin.get("/spaces").json) == 4


@pytest.mark.parametrize("new_parent", ["building", "floor"])
def test_a_parent_that_is_the_space_or_its_descendant_is_refused(admin, campus, new_parent):
    building = campus["building"]
    result = admin.put(f"/spaces/{building['id']}", {"parent_space_id": campus[new_parent]["id"]})
    refused(result, 400, "API.PARENT_SPACE_WOULD_CREATE_A_CYCLE")
    assert admin.get(f"/spaces/{building['id']}").json["parent_space_id"] == campus["root"]["id"]


def test_moving_a_space_under_a_sibling_is_fine(admin, campus):
    result = admin.put(f"/spaces/{campus['floor']['id']}", {"parent_space_id": campus["other"]["id"]})
    assert result.status_code == 200 and result.json["parent_space_id"] == campus["other"]["id"]


def test_children_list_the_direct_children_only_beside_the_space_itself(admin, campus):
    answer = admin.get(f"/spaces/{campus['root']['id']}/children").json
    assert answer["current"] == admin.get(f"/spaces/{campus['root']['id']}").json
    assert sorted(c["name"] for c in answer["children"]) == ["Building A", "Building B"]


def test_a_space_with_children_cannot_be_deleted(admin, campus):
    refused(admin.delete(f"/spaces/{campus['building']['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")
    assert admin.delete(f"/spaces/{campus['floor']['id']}").status_code == 204


@pytest.mark.parametrize("field, value, code", [
    ("latitude", 91, "API.INVALID_LATITUDE"), ("longitude", -181, "API.INVALID_LONGITUDE"),
    ("area", -1, "API.INVALID_AREA"), ("timezone_id", 99999, "API.TIMEZONE_NOT_FOUND"),
])
def test_out_of_range_or_unknown_values_are_refused(admin, campus, field, value, code):
    payload = {**SEED_SPACE, "name": "X", "parent_space_id": campus["root"]["id"], "timezone_id": timezone_id(admin)}
    result = admin.post("/spaces", {**payload, field: value})
    refused(result, 404 if code.endswith("NOT_FOUND") else 400, code)
    assert len(admin.get("/spaces").json) == 4


def test_a_working_calendar_binds_to_a_space_once_and_then_blocks_both_deletes(admin, campus):
    calendar = admin.create("/workingcalendars", {"name": "Office hours"})
    path = f"/spaces/{campus['floor']['id']}/workingcalendars"
    assert admin.post(path, {"working_calendar_id": calendar["id"]}).status_code == 201
    refused(admin.post(path, {"working_calendar_id": calendar["id"]}), 409,
            "API.SPACE_WORKING_CALENDAR_RELATION_EXISTS")
    assert [c["id"] for c in admin.get(path).json] == [calendar["id"]]
    refused(admin.delete(f"/workingcalendars/{calendar['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")
    refused(admin.delete(f"/spaces/{campus['floor']['id']}"), 409, "API.THERE_IS_RELATION_WITH_WORKING_CALENDARS")
    assert admin.delete(f"{path}/{calendar['id']}").status_code == 204


def test_the_tree_nests_every_space_for_an_admin(admin, campus):
    root = admin.get("/spaces/tree").json  # v6.7.0: one root object, not a list
    assert root["name"] == "Campus" and {"id", "uuid", "latitude", "longitude"} <= set(root)
    building = next(c for c in root["children"] if c["name"] == "Building A")
    (floor,) = building["children"]
    assert floor["name"] == "Floor 1" and "children" not in floor  # leaves carry no children key


def _user_with_privilege(admin: Api, spaces: list[int] | None) -> Api:
    privilege_id = None
    if spaces is not None:
        privilege_id = admin.create("/privileges", {"name": f"p{spaces}", "data": {"spaces": spaces}})["id"]
    admin.create("/users", {"name": f"u{spaces}", "display_name": "U", "email": f"u{len(spaces or [])}@x.io",
                            "is_admin": False, "privilege_id": privilege_id, "password": ADMIN_PASSWORD})
    return Api(admin.app).login(f"u{spaces}", ADMIN_PASSWORD)


def test_a_user_sees_only_the_subtrees_of_their_privilege(admin, campus):
    user = _user_with_privilege(admin, [campus["building"]["id"], campus["floor"]["id"]])
    only = user.get("/spaces/tree").json
    assert only["name"] == "Building A" and [c["name"] for c in only["children"]] == ["Floor 1"]


def test_a_user_without_a_privilege_sees_no_spaces_in_the_tree(admin, campus):
    refused(_user_with_privilege(admin, None).get("/spaces/tree"), 404, "API.PRIVILEGE_NOT_FOUND")


def test_a_space_exports_and_clones_with_its_bindings(admin, campus):
    calendar = admin.create("/workingcalendars", {"name": "Office hours"})
    floor = campus["floor"]
    admin.post(f"/spaces/{floor['id']}/workingcalendars", {"working_calendar_id": calendar["id"]})
    doc = admin.get(f"/spaces/{floor['id']}/export").json
    assert [c["uuid"] for c in doc["workingcalendars"]] == [calendar["uuid"]]
    clone = admin.post(f"/spaces/{floor['id']}/clone")
    assert clone.status_code == 201 and clone.json["name"] == "Floor 1 (1)"
    assert [c["id"] for c in admin.get(f"/spaces/{clone.json['id']}/workingcalendars").json] == [calendar["id"]]


def test_a_space_answers_its_occupants_and_its_time_zones_offset_as_v670_does(admin, campus):
    space = admin.get(f"/spaces/{campus['building']['id']}").json
    assert {"id", "name", "utc_offset"} <= set(space["timezone"]) and space["timezone"]["utc_offset"]
    changed = admin.put(f"/spaces/{space['id']}", {"number_of_occupants": 250})
    assert changed.status_code == 200, changed.json
    assert changed.json["number_of_occupants"] == 250
    refused(admin.put(f"/spaces/{space['id']}", {"number_of_occupants": -1}), 400, "API.INVALID_NUMBER_OF_OCCUPANTS")
