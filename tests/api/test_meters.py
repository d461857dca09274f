"""Meters, offline meters and sensors, answered as the seed's "Meter", "Offline Meter" and "Sensor" sections.

Payloads are the seed's (PM20, OfflinePM21, Sensor10) with their ``*_id`` pointed at an energy category,
an energy item of that category and a cost center this test created. Points come from tests.api.test_points
(the seed's modbus point on a modbus-tcp data source); commands are the seed's ``turn_up_light``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api import test_engine_portability as portability
from tests.api import test_points as points
from tests.api.test_commands import SEED_COMMAND
from tests.api.test_master_data import (
    AIR_CONDITIONING,
    DIESEL,
    NUMBER,
    PETROL,
    POWER_CENTER,
    SUMMARY,
    TENANT_POWER,
    assert_error,
    is_uuid,
)
from tests.client import Api

# ---------------------------------------------------------------------------- seed payloads
PM20 = {"name": "PM20", "energy_category_id": 1, "hourly_low_limit": 0.000, "hourly_high_limit": 999.99,
        "is_counted": True, "cost_center_id": 1, "energy_item_id": 1, "master_meter_id": 1, "description": "空调用电"}
PM201 = {**PM20, "name": "PM201"}
OFFLINE_PM21 = {"name": "OfflinePM21", "energy_category_id": 1, "hourly_low_limit": 0.000,
                "hourly_high_limit": 999.99, "is_counted": True, "cost_center_id": 1, "energy_item_id": 1,
                "description": "空调用电"}
OFFLINE_PM201 = {**OFFLINE_PM21, "name": "OfflinePM201"}
SENSOR10 = {"name": "Sensor10", "description": "sensor description"}
VM10 = {"name": "VM10", "energy_category_id": 1, "is_counted": True, "cost_center_id": 1, "energy_item_id": 1,
        "description": "virtual description"}

OFFLINE_RESULT = {"id": int, "name": str, "uuid": str, "energy_category": SUMMARY, "is_counted": bool,
                  "hourly_low_limit": NUMBER, "hourly_high_limit": NUMBER, "cost_center": SUMMARY,
                  "energy_item": SUMMARY, "description": str}
METER_RESULT = {**OFFLINE_RESULT, "master_meter": SUMMARY, "qrcode": str}
SENSOR_RESULT = {"id": int, "name": str, "uuid": str, "description": str}
MISSING = 987654


# ---------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Refs:
    """The energy category, an energy item of it and the cost center a meter needs."""

    category: dict[str, Any]
    item: dict[str, Any]
    center: dict[str, Any]

    def ids(self) -> dict[str, int]:
        return {"energy_category_id": self.category["id"], "energy_item_id": self.item["id"],
                "cost_center_id": self.center["id"]}


def new_refs(admin: Api) -> Refs:
    category = admin.create("/energycategories", DIESEL)
    item = admin.create("/energyitems", {**TENANT_POWER, "energy_category_id": category["id"]})
    return Refs(category, item, admin.create("/costcenters", POWER_CENTER))


@pytest.fixture
def refs(admin: Api) -> Refs:
    return new_refs(admin)


def meter_payload(refs: Refs, base: dict[str, Any] = PM20, **changes: Any) -> dict[str, Any]:
    """A seed payload pointed at this test's objects; no master meter unless ``changes`` names one."""
    payload = {**base, **refs.ids(), **changes}
    if "master_meter_id" in base and "master_meter_id" not in changes:
        payload["master_meter_id"] = None
    return payload


def new_meter(admin: Api, refs: Refs, name: str = "PM20", **changes: Any) -> dict[str, Any]:
    return admin.create("/meters", meter_payload(refs, name=name, **changes))


def new_offline_meter(admin: Api, refs: Refs, name: str = "OfflinePM21", **changes: Any) -> dict[str, Any]:
    return admin.create("/offlinemeters", meter_payload(refs, OFFLINE_PM21, name=name, **changes))


def variable(name: str, meter_type: str, meter_id: int) -> dict[str, Any]:
    return {"name": name, "meter_type": meter_type, "meter_id": meter_id}


def virtual_payload(refs: Refs, equation: str, variables: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """The seed's VM10 with its nested ``expression``."""
    return {**VM10, **refs.ids(), "expression": {"equation": equation, "variables": variables}, **changes}


def new_virtual_meter(admin: Api, refs: Refs, equation: str, variables: list[dict[str, Any]],
                      **changes: Any) -> dict[str, Any]:
    return admin.create("/virtualmeters", virtual_payload(refs, equation, variables, **changes))


def assert_refused(admin: Api, method: str, path: str, data: Any, status: int, code: str,
                   watched: tuple[str, ...] = ("/meters",)) -> None:
    """Refused with ``code``, and the ``watched`` collections read the same before and after."""
    before = [admin.get(p).json for p in watched]
    assert_error(admin.request(method, path, data), status, code)
    assert [admin.get(p).json for p in watched] == before


def ids_of(result: Any) -> list[int]:
    assert result.status_code == 200, result.json
    return [row["id"] for row in result.json]


def bind(admin: Api, path: str, key: str, target_id: Any) -> None:
    result = admin.post(path, {key: target_id})
    assert result.status_code == 201, result.json


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


@pytest.fixture
def source(admin: Api) -> dict[str, Any]:
    return points.new_source(admin)


def energy_point(admin: Api, source: dict[str, Any], name: str = "ModbusPoint2") -> dict[str, Any]:
    return points.new_point(admin, source["id"], name=name)


def analog_point(admin: Api, source: dict[str, Any], name: str = "Power") -> dict[str, Any]:
    return points.analog_point(admin, source["id"], name)


# ---------------------------------------------------------------------------- meters: CRUD
def test_creating_the_seed_pm20_meter_answers_201_with_the_result_fields_and_its_qrcode(admin, refs):
    master = new_meter(admin, refs, name="PM19")
    result = admin.post("/meters", meter_payload(refs, master_meter_id=master["id"]))
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/meters/{result.json['id']}"
    meter = result.json
    points.assert_shape(meter, METER_RESULT)
    assert meter["qrcode"] == f"meter:{meter['uuid']}"
    assert meter["energy_category"] == summary(refs.category)
    assert meter["energy_item"] == summary(refs.item)
    assert meter["cost_center"] == summary(refs.center)
    assert meter["master_meter"] == summary(master)
    assert (meter["name"], meter["is_counted"], meter["description"]) == ("PM20", True, "空调用电")
    assert meter["hourly_low_limit"] == 0 and meter["hourly_high_limit"] == pytest.approx(999.99)


def test_a_meter_without_master_meter_or_energy_item_answers_them_as_null(admin, refs):
    meter = new_meter(admin, refs, energy_item_id=None)
    assert meter["master_meter"] is None and meter["energy_item"] is None


def test_getting_and_listing_meters_answer_what_was_created(admin, refs):
    meter = new_meter(admin, refs)
    assert admin.get(f"/meters/{meter['id']}").json == meter
    assert admin.get("/meters").json == [meter]


def test_updating_with_the_seed_pm201_payload_keeps_uuid_and_qrcode(admin, refs):
    master = new_meter(admin, refs, name="PM19")
    meter = new_meter(admin, refs)
    result = admin.put(f"/meters/{meter['id']}", meter_payload(refs, PM201, master_meter_id=master["id"]))
    assert result.status_code == 200, result.json
    assert result.json["name"] == "PM201" and result.json["master_meter"] == summary(master)
    assert (result.json["uuid"], result.json["qrcode"]) == (meter["uuid"], meter["qrcode"])
    assert admin.get(f"/meters/{meter['id']}").json == result.json


def test_deleting_a_meter_answers_204_and_it_is_gone(admin, refs):
    meter = new_meter(admin, refs)
    assert admin.delete(f"/meters/{meter['id']}").status_code == 204
    assert_error(admin.get(f"/meters/{meter['id']}"), 404, "API.METER_NOT_FOUND")
    assert admin.get("/meters").json == []


def test_an_unknown_meter_is_not_found_for_get_update_delete_and_its_views(admin, refs):
    missing = f"/meters/{MISSING}"
    assert_error(admin.get(missing), 404, "API.METER_NOT_FOUND")
    assert_refused(admin, "PUT", missing, meter_payload(refs), 404, "API.METER_NOT_FOUND")
    assert_error(admin.delete(missing), 404, "API.METER_NOT_FOUND")
    for view in ("submeters", "points", "commands"):
        assert_error(admin.get(f"{missing}/{view}"), 404, "API.METER_NOT_FOUND")


@pytest.mark.parametrize(("key", "code"), [
    ("energy_category_id", "API.ENERGY_CATEGORY_NOT_FOUND"), ("cost_center_id", "API.COST_CENTER_NOT_FOUND"),
    ("energy_item_id", "API.ENERGY_ITEM_NOT_FOUND"), ("master_meter_id", "API.MASTER_METER_NOT_FOUND"),
])
def test_a_meter_referring_to_an_unknown_object_is_not_found_and_not_created(admin, refs, key, code):
    assert_refused(admin, "POST", "/meters", meter_payload(refs, **{key: MISSING}), 404, code)


def test_a_duplicate_meter_name_is_a_conflict(admin, refs):
    new_meter(admin, refs)
    assert_refused(admin, "POST", "/meters", meter_payload(refs), 409, "API.METER_NAME_IS_ALREADY_IN_USE")


@pytest.mark.parametrize("is_counted", ["true", 1, None])
def test_is_counted_must_be_a_json_boolean(admin, refs, is_counted):
    assert_refused(admin, "POST", "/meters", meter_payload(refs, is_counted=is_counted), 400,
                   "API.INVALID_IS_COUNTED")


# ---------------------------------------------------------------------------- meters: rules
def test_an_energy_item_of_another_category_is_refused_and_creates_nothing(admin, refs):
    petrol = admin.create("/energycategories", PETROL)
    foreign = admin.create("/energyitems", {**AIR_CONDITIONING, "energy_category_id": petrol["id"]})
    assert_refused(admin, "POST", "/meters", meter_payload(refs, energy_item_id=foreign["id"]), 400,
                   "API.ENERGY_ITEM_DOES_NOT_BELONG_TO_ENERGY_CATEGORY")


def test_moving_a_meter_to_another_category_while_keeping_its_item_is_refused(admin, refs):
    petrol = admin.create("/energycategories", PETROL)
    meter = new_meter(admin, refs)
    assert_refused(admin, "PUT", f"/meters/{meter['id']}", {"energy_category_id": petrol["id"]}, 400,
                   "API.ENERGY_ITEM_DOES_NOT_BELONG_TO_ENERGY_CATEGORY")


def test_an_hourly_low_limit_above_the_high_limit_is_refused(admin, refs):
    payload = meter_payload(refs, hourly_low_limit=1000, hourly_high_limit=999.99)
    assert_refused(admin, "POST", "/meters", payload, 400, "API.INVALID_HOURLY_LOW_LIMIT_VALUE")


def test_raising_only_the_hourly_low_limit_above_the_stored_high_limit_is_refused(admin, refs):
    meter = new_meter(admin, refs)
    assert_refused(admin, "PUT", f"/meters/{meter['id']}", {"hourly_low_limit": 1000}, 400,
                   "API.INVALID_HOURLY_LOW_LIMIT_VALUE")


def test_equal_hourly_limits_are_accepted(admin, refs):
    meter = new_meter(admin, refs, hourly_low_limit=5, hourly_high_limit=5)
    assert (meter["hourly_low_limit"], meter["hourly_high_limit"]) == (5, 5)


@pytest.mark.parametrize("key", ["hourly_low_limit", "hourly_high_limit"])
@pytest.mark.parametrize("value", [-0.1, "abc", True])
def test_a_negative_or_non_numeric_hourly_limit_is_refused(admin, refs, key, value):
    assert_refused(admin, "POST", "/meters", meter_payload(refs, **{key: value}), 400,
                   f"API.INVALID_{key.upper()}")


def test_a_meter_cannot_be_its_own_master(admin, refs):
    meter = new_meter(admin, refs)
    assert_refused(admin, "PUT", f"/meters/{meter['id']}", {"master_meter_id": meter["id"]}, 400,
                   "API.CANNOT_SET_EXISTING_SUBMETER_AS_MASTER_METER")


def test_a_master_cannot_become_the_submeter_of_its_own_submeter(admin, refs):
    master = new_meter(admin, refs, name="A")
    sub = new_meter(admin, refs, name="B", master_meter_id=master["id"])
    assert_refused(admin, "PUT", f"/meters/{master['id']}", {"master_meter_id": sub["id"]}, 400,
                   "API.CANNOT_SET_EXISTING_SUBMETER_AS_MASTER_METER")


def test_a_longer_chain_of_masters_cannot_be_closed_into_a_loop(admin, refs):
    top = new_meter(admin, refs, name="A")
    middle = new_meter(admin, refs, name="B", master_meter_id=top["id"])
    bottom = new_meter(admin, refs, name="C", master_meter_id=middle["id"])
    assert_refused(admin, "PUT", f"/meters/{top['id']}", {"master_meter_id": bottom["id"]}, 400,
                   "API.CANNOT_SET_EXISTING_SUBMETER_AS_MASTER_METER")


def test_moving_a_submeter_under_a_sibling_is_not_a_cycle(admin, refs):
    top = new_meter(admin, refs, name="A")
    left = new_meter(admin, refs, name="B", master_meter_id=top["id"])
    right = new_meter(admin, refs, name="C", master_meter_id=top["id"])
    result = admin.put(f"/meters/{right['id']}", {"master_meter_id": left["id"]})
    assert result.status_code == 200, result.json
    assert result.json["master_meter"] == summary(left)


def test_submeters_lists_the_meters_whose_master_is_this_meter(admin, refs):
    master = new_meter(admin, refs, name="PM19")
    subs = [new_meter(admin, refs, name=f"PM2{n}", master_meter_id=master["id"]) for n in range(2)]
    new_meter(admin, refs, name="unrelated")
    assert admin.get(f"/meters/{master['id']}/submeters").json == subs
    assert admin.get(f"/meters/{subs[0]['id']}/submeters").json == []


# ---------------------------------------------------------------------------- meters: points and commands
def test_binding_a_point_with_the_seeds_string_id_lists_it_on_the_meter(admin, refs, source):
    meter, point = new_meter(admin, refs), energy_point(admin, source)
    result = admin.post(f"/meters/{meter['id']}/points", {"point_id": str(point["id"])})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/meters/{meter['id']}/points/{point['id']}"
    assert admin.get(f"/meters/{meter['id']}/points").json == [point]


def test_binding_the_same_point_twice_is_a_conflict(admin, refs, source):
    meter, point = new_meter(admin, refs), analog_point(admin, source)
    bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    assert_error(admin.post(f"/meters/{meter['id']}/points", {"point_id": point["id"]}), 409,
                 "API.METER_POINT_RELATION_EXISTS")
    assert ids_of(admin.get(f"/meters/{meter['id']}/points")) == [point["id"]]


def test_unbinding_a_point_removes_it_and_a_second_unbind_is_not_found(admin, refs, source):
    meter, point = new_meter(admin, refs), energy_point(admin, source)
    bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    assert admin.delete(f"/meters/{meter['id']}/points/{point['id']}").status_code == 204
    assert admin.get(f"/meters/{meter['id']}/points").json == []
    assert_error(admin.delete(f"/meters/{meter['id']}/points/{point['id']}"), 404,
                 "API.METER_POINT_RELATION_NOT_FOUND")


@pytest.mark.parametrize(("point_id", "status", "code"), [
    (MISSING, 404, "API.POINT_NOT_FOUND"), ("abc", 400, "API.INVALID_POINT_ID"), (0, 400, "API.INVALID_POINT_ID"),
    (None, 400, "API.INVALID_POINT_ID"),
])
def test_binding_an_unknown_or_malformed_point_is_refused(admin, refs, point_id, status, code):
    meter = new_meter(admin, refs)
    assert_error(admin.post(f"/meters/{meter['id']}/points", {"point_id": point_id}), status, code)
    assert admin.get(f"/meters/{meter['id']}/points").json == []


def test_binding_a_point_to_an_unknown_meter_is_not_found(admin, source):
    point = energy_point(admin, source)
    assert_error(admin.post(f"/meters/{MISSING}/points", {"point_id": point["id"]}), 404, "API.METER_NOT_FOUND")


def test_binding_and_unbinding_a_command_as_the_seed_does(admin, refs):
    meter, command = new_meter(admin, refs), admin.create("/commands", SEED_COMMAND)
    result = admin.post(f"/meters/{meter['id']}/commands", {"command_id": command["id"]})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/meters/{meter['id']}/commands/{command['id']}"
    assert admin.get(f"/meters/{meter['id']}/commands").json == [command]
    assert admin.delete(f"/meters/{meter['id']}/commands/{command['id']}").status_code == 204
    assert admin.get(f"/meters/{meter['id']}/commands").json == []


def test_binding_an_unknown_command_is_not_found(admin, refs):
    meter = new_meter(admin, refs)
    assert_error(admin.post(f"/meters/{meter['id']}/commands", {"command_id": MISSING}), 404,
                 "API.COMMAND_NOT_FOUND")


def test_a_second_energy_value_point_on_a_meter_is_refused(admin, refs, source):
    meter = new_meter(admin, refs)
    first, second = energy_point(admin, source), energy_point(admin, source, name="ModbusPoint3")
    bind(admin, f"/meters/{meter['id']}/points", "point_id", first["id"])
    result = admin.post(f"/meters/{meter['id']}/points", {"point_id": second["id"]})
    assert_error(result, 400, "API.METER_ALREADY_HAS_AN_ENERGY_VALUE_POINT")
    assert ids_of(admin.get(f"/meters/{meter['id']}/points")) == [first["id"]]


def test_analog_and_digital_points_bind_next_to_the_energy_value_point(admin, refs, source):
    meter = new_meter(admin, refs)
    bound = [energy_point(admin, source), analog_point(admin, source),
             points.new_point(admin, source["id"], name="Switch", object_type="DIGITAL_VALUE")]
    for point in bound:
        bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    assert ids_of(admin.get(f"/meters/{meter['id']}/points")) == [p["id"] for p in bound]


def test_an_energy_value_point_may_be_bound_to_several_meters(admin, refs, source):
    point = energy_point(admin, source)
    meters = [new_meter(admin, refs, name=name) for name in ("PM20", "PM21")]
    for meter in meters:
        bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
        assert ids_of(admin.get(f"/meters/{meter['id']}/points")) == [point["id"]]


def test_turning_a_bound_analog_point_into_an_energy_value_is_refused_when_the_meter_has_one(admin, refs, source):
    meter = new_meter(admin, refs)
    energy, analog = energy_point(admin, source), analog_point(admin, source)
    for point in (energy, analog):
        bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    assert_refused(admin, "PUT", f"/points/{analog['id']}", {"object_type": "ENERGY_VALUE"}, 400,
                   "API.METER_ALREADY_HAS_AN_ENERGY_VALUE_POINT", watched=("/points",))


def test_turning_a_bound_analog_point_into_the_meters_only_energy_value_is_accepted(admin, refs, source):
    meter, analog = new_meter(admin, refs), analog_point(admin, source)
    bind(admin, f"/meters/{meter['id']}/points", "point_id", analog["id"])
    result = admin.put(f"/points/{analog['id']}", {"object_type": "ENERGY_VALUE"})
    assert result.status_code == 200, result.json
    assert result.json["object_type"] == "ENERGY_VALUE"


# ---------------------------------------------------------------------------- meters: delete in use
def test_deleting_a_meter_that_has_submeters_is_refused(admin, refs):
    master = new_meter(admin, refs, name="PM19")
    new_meter(admin, refs, master_meter_id=master["id"])
    assert_refused(admin, "DELETE", f"/meters/{master['id']}", None, 409, "API.THERE_IS_RELATION_WITH_METERS")


def test_deleting_a_meter_with_bound_points_is_refused(admin, refs, source):
    meter = new_meter(admin, refs)
    bind(admin, f"/meters/{meter['id']}/points", "point_id", energy_point(admin, source)["id"])
    assert_refused(admin, "DELETE", f"/meters/{meter['id']}", None, 409, "API.THERE_IS_RELATION_WITH_POINTS")


def test_deleting_a_meter_with_bound_commands_is_refused(admin, refs):
    meter = new_meter(admin, refs)
    bind(admin, f"/meters/{meter['id']}/commands", "command_id", admin.create("/commands", SEED_COMMAND)["id"])
    assert_refused(admin, "DELETE", f"/meters/{meter['id']}", None, 409, "API.THERE_IS_RELATION_WITH_COMMANDS")


def test_deleting_a_meter_used_by_a_virtual_meter_is_refused(admin, refs):
    meter = new_meter(admin, refs)
    new_virtual_meter(admin, refs, "x1", [variable("x1", "meter", meter["id"])])
    assert_refused(admin, "DELETE", f"/meters/{meter['id']}", None, 409,
                   "API.THERE_IS_RELATION_WITH_VIRTUAL_METERS")


def test_deleting_a_command_bound_to_a_meter_is_refused(admin, refs):
    meter, command = new_meter(admin, refs), admin.create("/commands", SEED_COMMAND)
    bind(admin, f"/meters/{meter['id']}/commands", "command_id", command["id"])
    assert_refused(admin, "DELETE", f"/commands/{command['id']}", None, 409, "API.THERE_IS_RELATION_WITH_METERS",
                   watched=("/commands",))


def test_deleting_one_of_two_meters_sharing_a_point_keeps_the_other_meters_binding(admin, app, refs, source):
    point = energy_point(admin, source)
    keep, drop = new_meter(admin, refs, name="keep"), new_meter(admin, refs, name="drop")
    for meter in (keep, drop):
        bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    assert admin.delete(f"/meters/{drop['id']}/points/{point['id']}").status_code == 204
    assert admin.delete(f"/meters/{drop['id']}").status_code == 204
    assert ids_of(admin.get(f"/meters/{keep['id']}/points")) == [point["id"]]
    with app.databases.system.connect() as conn:
        links = conn.execute(sa.select(schema.meters_points.c.meter_id)).scalars().all()
    assert links == [keep["id"]]


# ---------------------------------------------------------------------------- meters: export, import, clone
def meter_with_bindings(admin: Api, refs: Refs, source: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """PM20 under a master, with the seed's point and command bound; answers (meter, master, point, command)."""
    master = new_meter(admin, refs, name="PM19")
    meter = new_meter(admin, refs, master_meter_id=master["id"])
    point, command = energy_point(admin, source), admin.create("/commands", SEED_COMMAND)
    bind(admin, f"/meters/{meter['id']}/points", "point_id", point["id"])
    bind(admin, f"/meters/{meter['id']}/commands", "command_id", command["id"])
    return meter, master, point, command


def test_exporting_a_meter_carries_its_points_and_commands(admin, refs, source):
    meter, _, point, command = meter_with_bindings(admin, refs, source)
    exported = portability.export(admin, "/meters", meter["id"])
    assert exported == {**meter, "points": [point], "commands": [command]}


def copy_to(admin: Api, other: Api, path: str, entity_id: int) -> dict[str, Any]:
    return portability.imported(other, path, portability.export(admin, path, entity_id))


def test_importing_a_meter_into_another_instance_resolves_references_and_bindings_by_uuid(admin, other, refs,
                                                                                         source):
    meter, master, point, command = meter_with_bindings(admin, refs, source)
    _, copy_source = points.copy_source_to(admin, other, source)
    there = {path: copy_to(admin, other, path, obj["id"]) for path, obj in [
        ("/energycategories", refs.category), ("/costcenters", refs.center), ("/energyitems", refs.item),
        ("/points", point), ("/commands", command), ("/meters", master)]}
    assert there["/points"]["data_source"] == summary(copy_source)
    new = copy_to(admin, other, "/meters", meter["id"])
    assert new["uuid"] == meter["uuid"] and new["qrcode"] == meter["qrcode"]
    assert new["energy_category"] == summary(there["/energycategories"])
    assert new["energy_item"] == summary(there["/energyitems"])
    assert new["cost_center"] == summary(there["/costcenters"])
    assert new["master_meter"] == summary(there["/meters"])
    assert other.get(f"/meters/{new['id']}/points").json == [there["/points"]]
    assert other.get(f"/meters/{new['id']}/commands").json == [there["/commands"]]


def test_importing_the_seeds_flat_meter_body_is_accepted(admin, refs):
    master = new_meter(admin, refs, name="PM19")
    new = portability.imported(admin, "/meters", meter_payload(refs, master_meter_id=master["id"]))
    assert new["name"] == "PM20" and new["master_meter"] == summary(master)
    assert new["qrcode"] == f"meter:{new['uuid']}"


def test_an_import_binding_two_energy_value_points_is_refused_and_creates_nothing(admin, refs, source):
    meter, _, point, _ = meter_with_bindings(admin, refs, source)
    second = energy_point(admin, source, name="ModbusPoint3")
    doc = portability.export(admin, "/meters", meter["id"])
    doc.update(name="PM20 copy", uuid=None, points=[point, second])
    assert_refused(admin, "POST", "/meters/import", doc, 400, "API.METER_ALREADY_HAS_AN_ENERGY_VALUE_POINT")


def test_an_import_whose_point_is_unknown_creates_nothing(admin, refs, source):
    meter, *_ = meter_with_bindings(admin, refs, source)
    doc = portability.export(admin, "/meters", meter["id"])
    doc.update(name="PM20 copy", points=[{"id": MISSING, "name": "gone", "uuid": None}])
    assert_refused(admin, "POST", "/meters/import", doc, 404, "API.POINT_NOT_FOUND")


def test_cloning_a_meter_copies_it_with_its_bindings_under_a_new_name_and_uuid(admin, refs, source):
    meter, master, point, command = meter_with_bindings(admin, refs, source)
    copy = portability.clone(admin, "/meters", meter["id"])
    assert copy["name"] == "PM20 (1)" and copy["uuid"] != meter["uuid"] and is_uuid(copy["uuid"])
    assert copy["qrcode"] == f"meter:{copy['uuid']}"
    assert copy["master_meter"] == summary(master)
    assert admin.get(f"/meters/{copy['id']}/points").json == [point]
    assert admin.get(f"/meters/{copy['id']}/commands").json == [command]
    assert admin.get(f"/meters/{meter['id']}/points").json == [point]


# ---------------------------------------------------------------------------- offline meters
def test_creating_the_seed_offline_meter_answers_201_with_the_result_fields(admin, refs):
    result = admin.post("/offlinemeters", meter_payload(refs, OFFLINE_PM21))
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/offlinemeters/{result.json['id']}"
    meter = result.json
    points.assert_shape(meter, OFFLINE_RESULT)
    assert meter["name"] == "OfflinePM21" and meter["energy_item"] == summary(refs.item)
    assert "master_meter" not in meter
    assert admin.get(f"/offlinemeters/{meter['id']}").json == meter
    assert admin.get("/offlinemeters").json == [meter]


def test_updating_an_offline_meter_with_the_seed_payload_keeps_its_uuid(admin, refs):
    meter = new_offline_meter(admin, refs)
    result = admin.put(f"/offlinemeters/{meter['id']}", meter_payload(refs, OFFLINE_PM201))
    assert result.status_code == 200, result.json
    assert result.json == {**meter, "name": "OfflinePM201"}


def test_deleting_an_offline_meter_answers_204_and_it_is_gone(admin, refs):
    meter = new_offline_meter(admin, refs)
    assert admin.delete(f"/offlinemeters/{meter['id']}").status_code == 204
    assert_error(admin.get(f"/offlinemeters/{meter['id']}"), 404, "API.OFFLINE_METER_NOT_FOUND")


def test_an_offline_meter_with_an_energy_item_of_another_category_is_refused(admin, refs):
    petrol = admin.create("/energycategories", PETROL)
    foreign = admin.create("/energyitems", {**AIR_CONDITIONING, "energy_category_id": petrol["id"]})
    payload = meter_payload(refs, OFFLINE_PM21, energy_item_id=foreign["id"])
    assert_refused(admin, "POST", "/offlinemeters", payload, 400,
                   "API.ENERGY_ITEM_DOES_NOT_BELONG_TO_ENERGY_CATEGORY", watched=("/offlinemeters",))


def test_an_offline_meter_with_its_hourly_low_limit_above_the_high_limit_is_refused(admin, refs):
    meter = new_offline_meter(admin, refs)
    assert_refused(admin, "PUT", f"/offlinemeters/{meter['id']}", {"hourly_low_limit": 1000}, 400,
                   "API.INVALID_HOURLY_LOW_LIMIT_VALUE", watched=("/offlinemeters",))


def test_an_offline_meter_has_no_master_meter(admin, refs):
    meter = new_offline_meter(admin, refs, master_meter_id=MISSING)  # not a field of offline meters: ignored
    assert "master_meter" not in meter and "master_meter_id" not in meter


def test_deleting_an_offline_meter_used_by_a_virtual_meter_is_refused(admin, refs):
    meter = new_offline_meter(admin, refs)
    new_virtual_meter(admin, refs, "x1", [variable("x1", "offline_meter", meter["id"])])
    assert_refused(admin, "DELETE", f"/offlinemeters/{meter['id']}", None, 409,
                   "API.THERE_IS_RELATION_WITH_VIRTUAL_METERS", watched=("/offlinemeters",))


def test_an_offline_meter_exports_imports_and_clones(admin, refs):
    meter = new_offline_meter(admin, refs)
    exported = portability.export(admin, "/offlinemeters", meter["id"])
    assert exported == meter
    imported = portability.imported(admin, "/offlinemeters", {**exported, "name": "OfflinePM22"})
    assert portability.without_id(imported) == {**portability.without_id(meter), "name": "OfflinePM22",
                                                "uuid": imported["uuid"]}
    copy = portability.clone(admin, "/offlinemeters", meter["id"])
    assert copy["name"] == "OfflinePM21 (1)" and copy["energy_item"] == meter["energy_item"]


# ---------------------------------------------------------------------------- sensors
def test_the_seed_sensor_is_created_read_updated_and_deleted(admin):
    result = admin.post("/sensors", SENSOR10)
    assert result.status_code == 201, result.json
    sensor = result.json
    points.assert_shape(sensor, SENSOR_RESULT)
    assert sensor == {**SENSOR10, "id": sensor["id"], "uuid": sensor["uuid"]}
    assert admin.get(f"/sensors/{sensor['id']}").json == sensor
    assert admin.get("/sensors").json == [sensor]
    updated = admin.put(f"/sensors/{sensor['id']}", {**SENSOR10, "name": "Sensor11"})
    assert updated.status_code == 200 and updated.json == {**sensor, "name": "Sensor11"}
    assert admin.delete(f"/sensors/{sensor['id']}").status_code == 204
    assert_error(admin.get(f"/sensors/{sensor['id']}"), 404, "API.SENSOR_NOT_FOUND")


def test_a_duplicate_sensor_name_is_a_conflict(admin):
    admin.create("/sensors", SENSOR10)
    assert_refused(admin, "POST", "/sensors", SENSOR10, 409, "API.SENSOR_NAME_IS_ALREADY_IN_USE",
                   watched=("/sensors",))


def test_a_point_binds_to_a_sensor_by_the_seeds_string_id_and_unbinds(admin, source):
    sensor, point = admin.create("/sensors", SENSOR10), analog_point(admin, source)
    result = admin.post(f"/sensors/{sensor['id']}/points", {"point_id": str(point["id"])})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/sensors/{sensor['id']}/points/{point['id']}"
    assert admin.get(f"/sensors/{sensor['id']}/points").json == [point]
    assert admin.delete(f"/sensors/{sensor['id']}/points/{point['id']}").status_code == 204
    assert admin.get(f"/sensors/{sensor['id']}/points").json == []


def test_binding_an_unknown_point_to_a_sensor_is_not_found(admin):
    sensor = admin.create("/sensors", SENSOR10)
    assert_error(admin.post(f"/sensors/{sensor['id']}/points", {"point_id": MISSING}), 404, "API.POINT_NOT_FOUND")
    assert admin.get(f"/sensors/{sensor['id']}/points").json == []


def test_a_sensor_with_points_and_a_point_on_a_sensor_cannot_be_deleted(admin, source):
    sensor, point = admin.create("/sensors", SENSOR10), analog_point(admin, source)
    bind(admin, f"/sensors/{sensor['id']}/points", "point_id", point["id"])
    assert_refused(admin, "DELETE", f"/sensors/{sensor['id']}", None, 409, "API.THERE_IS_RELATION_WITH_POINTS",
                   watched=("/sensors",))
    assert_refused(admin, "DELETE", f"/points/{point['id']}", None, 409, "API.THERE_IS_RELATION_WITH_SENSORS",
                   watched=("/points",))


def test_a_sensor_exports_and_clones_with_its_points(admin, source):
    sensor, point = admin.create("/sensors", SENSOR10), analog_point(admin, source)
    bind(admin, f"/sensors/{sensor['id']}/points", "point_id", point["id"])
    assert portability.export(admin, "/sensors", sensor["id"]) == {**sensor, "points": [point]}
    copy = portability.clone(admin, "/sensors", sensor["id"])
    assert copy["name"] == "Sensor10 (1)"
    assert admin.get(f"/sensors/{copy['id']}/points").json == [point]
