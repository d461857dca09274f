"""Equipment and combined equipment, answered as the seed's "Equipment" and "Combined Equipment" sections.

Payloads are the seed's (``MyEMS Chiller``, ``MyEMS Chiller Plant`` and their parameters) with their ids
pointed at a cost center, meters, a command and a point this test created. Both families bind meters,
offline meters and virtual meters (``is_output``) and commands; combined equipment also binds equipment.
Parameters are rows of their own, served one by one, exported, imported and cloned with their owner.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api.test_engine_portability import clone, export, import_, imported
from tests.api.test_spaces import space
from tests.client import Api, count, refused

# ---------------------------------------------------------------------------- seed payloads
CHILLER = {"name": "MyEMS Chiller", "is_input_counted": True, "is_output_counted": False, "cost_center_id": 1,
           "svg": "<svg></svg>", "camera_url": "http://XXX", "description": "equipment description"}
CHILLER_UPDATE = {**CHILLER, "name": "new MyEMS Chiller", "is_output_counted": True}
PLANT = {**CHILLER, "name": "MyEMS Chiller Plant"}
PLANT_UPDATE = {**PLANT, "name": "MyEMS Combined Chiller Plant", "is_output_counted": True,
                "camera_url": "http://XXXs"}
FIELDS = ("name", "is_input_counted", "is_output_counted", "svg", "camera_url", "description")

NO_TARGETS = {"constant": None, "point_id": None, "numerator_meter_uuid": None, "denominator_meter_uuid": None}
CONSTANT = {"name": "test parameter", "parameter_type": "constant", **NO_TARGETS, "constant": "test constant"}
CONSTANT_UPDATE = {**CONSTANT, "name": "test parameter1", "constant": "test constant1"}
POINT_PARAMETER = {"name": "test point parameter", "parameter_type": "point", **NO_TARGETS, "point_id": 1}
FRACTION = {"name": "test fraction parameter", "parameter_type": "fraction", **NO_TARGETS, "constant": "null",
            "numerator_meter_uuid": "8449878f-b368-4ad9-a41c-e2c49189297a",
            "denominator_meter_uuid": "3f8a66c4-8fbe-4e6d-8b40-15dee5290afd"}
RENDERED_TARGETS = ("point", "numerator_meter", "denominator_meter")

CENTER = {"name": "动力中心", "external_id": "21829198980001"}
CATEGORY = {"name": "电", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.8825}
METER = {"hourly_low_limit": 0.0, "hourly_high_limit": 999.99, "is_counted": True, "energy_item_id": None,
         "description": "空调用电"}
COMMAND = {"name": "turn_off_light", "topic": "myems/point/2", "payload": "{address:1, slave_id:1}",
           "description": "turn off light"}
MODBUS_ADDRESS = ("{\"slave_id\":1, \"function_code\":3, \"offset\":1, \"number_of_registers\":2, "
                  "\"data_format\":\"float\"}")
POINT = {"name": "ModbusPoint2", "object_type": "ENERGY_VALUE", "units": "kWh", "high_limit": 999999999,
         "low_limit": 0, "ratio": 1, "is_trend": True, "is_virtual": False, "address": MODBUS_ADDRESS}
MISSING = 987654
UNKNOWN_UUID = "5ca62d2a-908e-40c5-a6b5-a8e436d60db4"
DROP = object()  # marker: leave the key out of the payload


@dataclass(frozen=True)
class Kind:
    """One of the two families, with what its answers and tables are called."""

    path: str
    seed: dict[str, Any]
    update: dict[str, Any]
    upper: str
    table: sa.Table
    parameters: sa.Table
    owner_column: str
    links: dict[str, sa.Table]

    @property
    def qrcode(self) -> str:
        return self.path.strip("/").removesuffix("s")

    def code(self, suffix: str) -> str:
        return f"API.{self.upper}_{suffix}"


EQUIPMENT = Kind("/equipments", CHILLER, CHILLER_UPDATE, "EQUIPMENT", schema.equipments,
                 schema.equipment_parameters, "equipment_id", schema.equipments_links)
COMBINED = Kind("/combinedequipments", PLANT, PLANT_UPDATE, "COMBINED_EQUIPMENT", schema.combined_equipments,
                schema.combined_equipment_parameters, "combined_equipment_id", schema.combined_equipments_links)
BOTH = pytest.mark.parametrize("kind", [EQUIPMENT, COMBINED], ids=["equipment", "combined"])
# (binding path, body key, site object, target family's upper name)
METERING = [("meters", "meter_id", "meter", "METER"), ("offlinemeters", "offline_meter_id", "offline", "OFFLINE_METER"),
            ("virtualmeters", "virtual_meter_id", "virtual", "VIRTUAL_METER")]
METERING_IDS = [m[0] for m in METERING]


# ---------------------------------------------------------------------------- helpers
def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


def is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def new(admin: Api, kind: Kind, center: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return admin.create(kind.path, {**kind.seed, "cost_center_id": center["id"], **changes})


def payload(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**base, **changes}.items() if v is not DROP}


def ok(result: Any, status: int = 200) -> Any:
    assert result.status_code == status, (result.status_code, result.json)
    return result.json


def bind(admin: Api, path: str, body: dict[str, Any]) -> None:
    result = admin.post(path, body)
    assert result.status_code == 201, result.json


def params_path(kind: Kind, owner: dict[str, Any]) -> str:
    return f"{kind.path}/{owner['id']}/parameters"


def add_parameter(admin: Api, kind: Kind, owner: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    result = admin.post(params_path(kind, owner), body)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{params_path(kind, owner)}/{result.json['id']}"
    return dict(result.json)


def fraction(site: dict[str, Any], numerator: str = "meter", denominator: str = "offline",
             **changes: Any) -> dict[str, Any]:
    return {**FRACTION, "numerator_meter_uuid": site[numerator]["uuid"],
            "denominator_meter_uuid": site[denominator]["uuid"], **changes}


def meter_ref(obj: dict[str, Any], meter_type: str) -> dict[str, Any]:
    return {**summary(obj), "type": meter_type}


def as_sent(parameter: dict[str, Any]) -> dict[str, Any]:
    """A rendered parameter without its id and the objects rendered beside the ids and uuids."""
    return {k: v for k, v in parameter.items() if k != "id" and k not in RENDERED_TARGETS}


def bound(api: Api, kind: Kind, owner_id: int, binding: str) -> list[tuple[str, Any]]:
    """(uuid, is_output) of each bound object; is_output is None where the binding has none."""
    return [(row["uuid"], row.get("is_output")) for row in ok(api.get(f"{kind.path}/{owner_id}/{binding}"))]


def carry(admin: Api, other: Api, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Export from this instance, import into the other one."""
    return imported(other, path, export(admin, path, obj["id"]))


def metering(admin: Api, path: str, name: str, category: dict[str, Any], center: dict[str, Any],
             **changes: Any) -> dict[str, Any]:
    return admin.create(path, {**METER, "name": name, "energy_category_id": category["id"],
                               "cost_center_id": center["id"], **changes})


@pytest.fixture
def center(admin: Api) -> dict[str, Any]:
    return admin.create("/costcenters", CENTER)


@pytest.fixture
def site(admin: Api, center: dict[str, Any]) -> dict[str, Any]:
    """A cost center, an energy category, two meters, an offline meter, a virtual meter (x1 = the first
    meter), a command and a point on a modbus data source."""
    category = admin.create("/energycategories", CATEGORY)
    meter = metering(admin, "/meters", "PM20", category, center, master_meter_id=None)
    virtual = admin.create("/virtualmeters", {
        "name": "VM10", "energy_category_id": category["id"], "is_counted": True, "cost_center_id": center["id"],
        "energy_item_id": None, "description": "virtual description",
        "expression": {"equation": "x1",
                       "variables": [{"name": "x1", "meter_type": "meter", "meter_id": meter["id"]}]}})
    gateway = admin.create("/gateways", {"name": "MyEMS Gateway 3", "description": "Gateway 3"})
    source = admin.create("/datasources", {"name": "Modbus1", "gateway_id": gateway["id"], "protocol": "modbus-tcp",
                                           "connection": json.dumps({"host": "10.1.2.88", "port": 502})})
    return {"center": center, "category": category, "meter": meter, "virtual": virtual,
            "meter2": metering(admin, "/meters", "PM21", category, center, master_meter_id=None),
            "offline": metering(admin, "/offlinemeters", "OfflinePM21", category, center),
            "command": admin.create("/commands", COMMAND),
            "point": admin.create("/points", {**POINT, "data_source_id": source["id"]})}


# ---------------------------------------------------------------------------- CRUD
@BOTH
def test_creating_the_seed_payload_answers_201_with_location_uuid_qrcode_and_cost_center(admin, kind, center):
    result = admin.post(kind.path, {**kind.seed, "cost_center_id": center["id"]})
    got = ok(result, 201)
    assert result.headers["location"] == f"{kind.path}/{got['id']}"
    assert is_uuid(got["uuid"]) and got["qrcode"] == f"{kind.qrcode}:{got['uuid']}"
    assert got["cost_center"] == summary(center)
    assert {k: got[k] for k in FIELDS} == {k: kind.seed[k] for k in FIELDS}
    assert got["parameters"] == []


@BOTH
def test_getting_and_listing_answer_what_was_created(admin, kind, center):
    created = new(admin, kind, center)
    assert ok(admin.get(f"{kind.path}/{created['id']}")) == created
    assert ok(admin.get(kind.path)) == [created]


@BOTH
def test_svg_camera_url_and_description_are_optional(admin, kind, center):
    created = admin.create(kind.path, payload(kind.seed, cost_center_id=center["id"], svg=DROP, camera_url=None,
                                              description=DROP))
    assert (created["svg"], created["camera_url"], created["description"]) == (None, None, None)


@BOTH
def test_updating_with_the_seed_payload_changes_the_fields_and_keeps_the_uuid(admin, kind, center):
    created = new(admin, kind, center)
    updated = ok(admin.put(f"{kind.path}/{created['id']}", {**kind.update, "cost_center_id": center["id"]}))
    assert updated == {**created, **{k: kind.update[k] for k in FIELDS}}
    assert ok(admin.get(f"{kind.path}/{created['id']}")) == updated


@BOTH
def test_updating_only_the_name_keeps_every_other_field(admin, kind, center):
    created = new(admin, kind, center)
    updated = ok(admin.put(f"{kind.path}/{created['id']}", {"name": "Renamed"}))
    assert updated == {**created, "name": "Renamed"}


@BOTH
def test_deleting_answers_204_and_then_it_is_not_found(admin, app, kind, center):
    created = new(admin, kind, center)
    assert admin.delete(f"{kind.path}/{created['id']}").status_code == 204
    refused(admin.get(f"{kind.path}/{created['id']}"), 404, kind.code("NOT_FOUND"))
    assert count(app, kind.table) == 0


@BOTH
def test_an_unknown_id_is_not_found_on_every_route(admin, kind, center):
    body = {"PUT": {**kind.seed, "cost_center_id": center["id"]}, "POST": {**CONSTANT, "meter_id": MISSING}}
    for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/parameters"), ("POST", "/parameters"),
                           ("GET", "/meters"), ("POST", "/meters"), ("GET", "/commands"), ("GET", "/export"),
                           ("POST", "/clone")):
        refused(admin.request(method, f"{kind.path}/{MISSING}{suffix}", body.get(method)), 404,
                kind.code("NOT_FOUND"))


@BOTH
@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5"])
def test_an_id_that_is_not_a_positive_integer_is_a_bad_request(admin, kind, bad):
    for method, suffix, data in (("GET", "", None), ("PUT", "", {"name": "X"}), ("DELETE", "", None),
                                 ("GET", "/parameters", None), ("POST", "/meters", {"meter_id": 1})):
        refused(admin.request(method, f"{kind.path}/{bad}{suffix}", data), 400, f"API.INVALID_{kind.upper}_ID")


# ---------------------------------------------------------------------------- validation
INVALID = [
    ({"name": DROP}, 400, "API.INVALID_{U}_NAME"),
    ({"name": "   "}, 400, "API.INVALID_{U}_NAME"),
    ({"name": 7}, 400, "API.INVALID_{U}_NAME"),
    ({"is_input_counted": "true"}, 400, "API.INVALID_IS_INPUT_COUNTED"),
    ({"is_input_counted": 1}, 400, "API.INVALID_IS_INPUT_COUNTED"),
    ({"is_output_counted": None}, 400, "API.INVALID_IS_OUTPUT_COUNTED"),
    ({"cost_center_id": DROP}, 400, "API.INVALID_COST_CENTER_ID"),
    ({"cost_center_id": "abc"}, 400, "API.INVALID_COST_CENTER_ID"),
    ({"cost_center_id": MISSING}, 404, "API.COST_CENTER_NOT_FOUND"),
    ({"svg": "<svg><script>alert(1)</script></svg>"}, 400, "API.INVALID_SVG"),
    ({"svg": "<svg onload=\"alert(1)\"></svg>"}, 400, "API.INVALID_SVG"),
    ({"svg": "<svg><a href=\"javascript:alert(1)\"/></svg>"}, 400, "API.INVALID_SVG"),
    ({"svg": "not xml <svg"}, 400, "API.INVALID_SVG"),
    ({"svg": "<html></html>"}, 400, "API.INVALID_SVG"),
    ({"camera_url": "XXX"}, 400, "API.INVALID_CAMERA_URL"),
    ({"camera_url": "javascript:alert(1)"}, 400, "API.INVALID_CAMERA_URL"),
    ({"camera_url": "http://" + "x" * 1020}, 400, "API.INVALID_CAMERA_URL"),
]
INVALID_IDS = [f"{next(iter(c))}-{i}" for i, (c, _, _) in enumerate(INVALID)]


@BOTH
@pytest.mark.parametrize("changes, status, code", INVALID, ids=INVALID_IDS)
def test_an_invalid_create_or_update_is_refused_with_its_code_and_writes_nothing(admin, app, kind, center, changes,
                                                                                 status, code):
    code = code.format(U=kind.upper)
    refused(admin.post(kind.path, payload(kind.seed, **{"cost_center_id": center["id"], **changes})), status, code)
    assert count(app, kind.table) == 0
    created = new(admin, kind, center)
    if DROP not in changes.values():  # an update without a field keeps it
        refused(admin.put(f"{kind.path}/{created['id']}", changes), status, code)
        assert ok(admin.get(f"{kind.path}/{created['id']}")) == created


@BOTH
@pytest.mark.parametrize("name", ["MyEMS Chiller Plant", "myems chiller plant", "  MyEMS Chiller Plant  "])
def test_a_name_in_use_is_a_conflict_and_creates_nothing(admin, app, kind, center, name):
    new(admin, kind, center, name="MyEMS Chiller Plant")
    refused(admin.post(kind.path, {**kind.seed, "cost_center_id": center["id"], "name": name}), 409,
            kind.code("NAME_IS_ALREADY_IN_USE"))
    assert count(app, kind.table) == 1


@BOTH
def test_renaming_to_a_name_in_use_is_a_conflict_and_changes_nothing(admin, kind, center):
    new(admin, kind, center, name="Taken")
    created = new(admin, kind, center)
    refused(admin.put(f"{kind.path}/{created['id']}", {"name": "Taken"}), 409, kind.code("NAME_IS_ALREADY_IN_USE"))
    assert ok(admin.get(f"{kind.path}/{created['id']}")) == created


# ---------------------------------------------------------------------------- bindings
@BOTH
@pytest.mark.parametrize("binding, key, which, target", METERING, ids=METERING_IDS)
def test_a_meter_binds_with_is_output_and_is_listed_back_with_it(admin, kind, site, binding, key, which, target):
    user = new(admin, kind, site["center"], name="User")
    producer = new(admin, kind, site["center"], name="Producer")
    result = admin.post(f"{kind.path}/{producer['id']}/{binding}", {key: site[which]["id"], "is_output": True})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{kind.path}/{producer['id']}/{binding}/{site[which]['id']}"
    bind(admin, f"{kind.path}/{user['id']}/{binding}", {key: site[which]["id"], "is_output": False})
    (listed,) = ok(admin.get(f"{kind.path}/{producer['id']}/{binding}"))
    assert (summary(listed), listed["is_output"]) == (summary(site[which]), True)
    assert bound(admin, kind, user["id"], binding) == [(site[which]["uuid"], False)]


@BOTH
@pytest.mark.parametrize("binding, key, which, target", METERING, ids=METERING_IDS)
def test_is_output_defaults_to_false_and_must_be_a_boolean(admin, kind, site, binding, key, which, target):
    owner = new(admin, kind, site["center"])
    path = f"{kind.path}/{owner['id']}/{binding}"
    refused(admin.post(path, {key: site[which]["id"], "is_output": "yes"}), 400, "API.INVALID_IS_OUTPUT")
    bind(admin, path, {key: site[which]["id"]})
    assert bound(admin, kind, owner["id"], binding) == [(site[which]["uuid"], False)]


@BOTH
@pytest.mark.parametrize("binding, key, which, target", METERING, ids=METERING_IDS)
def test_binding_twice_is_a_conflict_and_unbinding_answers_204_then_404(admin, app, kind, site, binding, key, which,
                                                                        target):
    owner = new(admin, kind, site["center"])
    path = f"{kind.path}/{owner['id']}/{binding}"
    bind(admin, path, {key: site[which]["id"], "is_output": False})
    refused(admin.post(path, {key: site[which]["id"], "is_output": True}), 409, kind.code(f"{target}_RELATION_EXISTS"))
    assert count(app, kind.links[target.lower()]) == 1
    assert admin.delete(f"{path}/{site[which]['id']}").status_code == 204
    assert ok(admin.get(path)) == []
    refused(admin.delete(f"{path}/{site[which]['id']}"), 404, kind.code(f"{target}_RELATION_NOT_FOUND"))


@BOTH
@pytest.mark.parametrize("binding, key, which, target", METERING, ids=METERING_IDS)
def test_binding_an_unknown_or_malformed_meter_is_refused(admin, app, kind, site, binding, key, which, target):
    owner = new(admin, kind, site["center"])
    path = f"{kind.path}/{owner['id']}/{binding}"
    refused(admin.post(path, {key: MISSING}), 404, f"API.{target}_NOT_FOUND")
    refused(admin.post(path, {key: "abc"}), 400, f"API.INVALID_{target}_ID")
    refused(admin.delete(f"{path}/abc"), 400, f"API.INVALID_{target}_ID")
    assert count(app, kind.links[target.lower()]) == 0


@BOTH
@pytest.mark.parametrize("binding, key, which, target", METERING, ids=METERING_IDS)
def test_a_bound_meter_and_its_owner_cannot_be_deleted_until_unbound(admin, kind, site, binding, key, which, target):
    which = "meter2" if which == "meter" else which  # the first meter is also the virtual meter's variable
    owner = new(admin, kind, site["center"])
    path = f"{kind.path}/{owner['id']}/{binding}"
    bind(admin, path, {key: site[which]["id"], "is_output": False})
    refused(admin.delete(f"/{binding}/{site[which]['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}S")
    refused(admin.delete(f"{kind.path}/{owner['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{target}S")
    assert admin.delete(f"{path}/{site[which]['id']}").status_code == 204
    assert admin.delete(f"/{binding}/{site[which]['id']}").status_code == 204
    assert admin.delete(f"{kind.path}/{owner['id']}").status_code == 204


@pytest.mark.parametrize("kind, verb", [(EQUIPMENT, "DELETE"), (COMBINED, "DELETE"), (COMBINED, "POST")],
                         ids=["equipment-DELETE", "combined-DELETE", "combined-POST"])  # the seed's POST unbind
def test_a_command_binds_blocks_deletes_and_unbinds(admin, kind, site, verb):
    command = site["command"]
    owner = new(admin, kind, site["center"])
    path = f"{kind.path}/{owner['id']}/commands"
    bind(admin, path, {"command_id": command["id"]})
    assert [c["id"] for c in ok(admin.get(path))] == [command["id"]]
    refused(admin.post(path, {"command_id": command["id"]}), 409, kind.code("COMMAND_RELATION_EXISTS"))
    refused(admin.delete(f"/commands/{command['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}S")
    refused(admin.delete(f"{kind.path}/{owner['id']}"), 409, "API.THERE_IS_RELATION_WITH_COMMANDS")
    result = admin.request(verb, f"{path}/{command['id']}", {"command_id": command["id"]} if verb == "POST" else None)
    assert result.status_code == 204, result.json
    assert ok(admin.get(path)) == []
    refused(admin.request(verb, f"{path}/{command['id']}"), 404, kind.code("COMMAND_RELATION_NOT_FOUND"))


def test_a_combined_equipment_binds_equipment_and_neither_can_then_be_deleted(admin, center):
    equipment, plant = new(admin, EQUIPMENT, center), new(admin, COMBINED, center)
    path = f"/combinedequipments/{plant['id']}/equipments"
    bind(admin, path, {"equipment_id": equipment["id"]})
    assert [summary(e) for e in ok(admin.get(path))] == [summary(equipment)]
    refused(admin.post(path, {"equipment_id": equipment["id"]}), 409,
            "API.COMBINED_EQUIPMENT_EQUIPMENT_RELATION_EXISTS")
    refused(admin.post(path, {"equipment_id": MISSING}), 404, "API.EQUIPMENT_NOT_FOUND")
    refused(admin.delete(f"/equipments/{equipment['id']}"), 409, "API.THERE_IS_RELATION_WITH_COMBINED_EQUIPMENTS")
    refused(admin.delete(f"/combinedequipments/{plant['id']}"), 409, "API.THERE_IS_RELATION_WITH_EQUIPMENTS")
    assert admin.delete(f"{path}/{equipment['id']}").status_code == 204
    assert admin.delete(f"/equipments/{equipment['id']}").status_code == 204
    assert admin.delete(f"/combinedequipments/{plant['id']}").status_code == 204


def test_the_seeds_post_to_space_equipments_binds_equipment_or_combined_equipment_by_the_key_it_names(admin, center):
    root = space(admin, "Campus", None)
    equipment, plant = new(admin, EQUIPMENT, center), new(admin, COMBINED, center)
    bind(admin, f"/spaces/{root['id']}/equipments", {"combined_equipment_id": plant["id"]})
    bind(admin, f"/spaces/{root['id']}/equipments", {"equipment_id": equipment["id"]})
    assert [e["id"] for e in ok(admin.get(f"/spaces/{root['id']}/combinedequipments"))] == [plant["id"]]
    assert [e["id"] for e in ok(admin.get(f"/spaces/{root['id']}/equipments"))] == [equipment["id"]]
    refused(admin.delete(f"/combinedequipments/{plant['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")
    refused(admin.delete(f"/equipments/{equipment['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")


# ---------------------------------------------------------------------------- parameters
@BOTH
def test_the_seed_constant_parameter_is_served_one_by_one_in_the_list_and_with_its_owner(admin, kind, center):
    owner = new(admin, kind, center)
    got = add_parameter(admin, kind, owner, CONSTANT)
    assert got == {"id": got["id"], **CONSTANT, "point": None, "numerator_meter": None, "denominator_meter": None}
    assert ok(admin.get(f"{params_path(kind, owner)}/{got['id']}")) == got
    assert ok(admin.get(params_path(kind, owner))) == [got]
    assert ok(admin.get(f"{kind.path}/{owner['id']}"))["parameters"] == [got]
    assert ok(admin.get(kind.path))[0]["parameters"] == [got]


@BOTH
def test_the_seed_point_parameter_renders_its_point(admin, kind, site):
    owner = new(admin, kind, site["center"])
    got = add_parameter(admin, kind, owner, {**POINT_PARAMETER, "point_id": site["point"]["id"]})
    assert (got["point_id"], got["point"]) == (site["point"]["id"], {"id": site["point"]["id"], "name": "ModbusPoint2"})
    assert (got["numerator_meter"], got["denominator_meter"], got["constant"]) == (None, None, None)


@BOTH
def test_the_seed_fraction_parameter_renders_both_meters_and_drops_its_null_constant(admin, app, kind, site):
    owner = new(admin, kind, site["center"])
    got = add_parameter(admin, kind, owner, fraction(site, "meter", "meter2"))
    assert got["numerator_meter"] == meter_ref(site["meter"], "meter")
    assert got["denominator_meter"] == meter_ref(site["meter2"], "meter")
    assert (got["constant"], got["point"]) == (None, None)
    assert count(app, kind.parameters, name=FRACTION["name"], constant=None) == 1


@BOTH
def test_a_fraction_may_use_an_offline_meter_and_a_virtual_meter(admin, kind, site):
    owner = new(admin, kind, site["center"])
    got = add_parameter(admin, kind, owner, fraction(site, "offline", "virtual"))
    assert got["numerator_meter"] == meter_ref(site["offline"], "offline_meter")
    assert got["denominator_meter"] == meter_ref(site["virtual"], "virtual_meter")


@BOTH
def test_fields_the_parameter_type_does_not_use_are_dropped(admin, kind, site):
    owner = new(admin, kind, site["center"])
    everything = {"constant": "c", "point_id": site["point"]["id"], "numerator_meter_uuid": site["meter"]["uuid"],
                  "denominator_meter_uuid": site["offline"]["uuid"]}
    constant = add_parameter(admin, kind, owner, {**CONSTANT, **everything})
    point = add_parameter(admin, kind, owner, {**POINT_PARAMETER, **everything})
    assert as_sent(constant) == {**CONSTANT, "constant": "c"}
    assert as_sent(point) == {**POINT_PARAMETER, "point_id": site["point"]["id"]}


PARAMETER_REFUSALS = [
    ({"parameter_type": "constant", "constant": None}, 400, "API.INVALID_CONSTANT_VALUE"),
    ({"parameter_type": "constant", "constant": "   "}, 400, "API.INVALID_CONSTANT_VALUE"),
    ({"parameter_type": "constant", "constant": DROP}, 400, "API.INVALID_CONSTANT_VALUE"),
    ({"parameter_type": "point", "point_id": None}, 400, "API.INVALID_POINT_ID"),
    ({"parameter_type": "point", "point_id": "abc"}, 400, "API.INVALID_POINT_ID"),
    ({"parameter_type": "point", "point_id": MISSING}, 404, "API.POINT_NOT_FOUND"),
    ({"parameter_type": "fraction", "numerator_meter_uuid": None}, 400, "API.INVALID_NUMERATOR_METER_UUID"),
    ({"parameter_type": "fraction", "numerator_meter_uuid": "not-a-uuid"}, 400, "API.INVALID_NUMERATOR_METER_UUID"),
    ({"parameter_type": "fraction", "denominator_meter_uuid": DROP}, 400, "API.INVALID_DENOMINATOR_METER_UUID"),
    ({"parameter_type": "fraction", "numerator_meter_uuid": UNKNOWN_UUID}, 404, "API.NUMERATOR_METER_NOT_FOUND"),
    ({"parameter_type": "fraction", "denominator_meter_uuid": UNKNOWN_UUID}, 404, "API.DENOMINATOR_METER_NOT_FOUND"),
    ({"parameter_type": "meter"}, 400, "API.INVALID_PARAMETER_TYPE"),
    ({"parameter_type": DROP}, 400, "API.INVALID_PARAMETER_TYPE"),
    ({"name": "   "}, 400, "API.INVALID_PARAMETER_NAME"),
    ({"name": DROP}, 400, "API.INVALID_PARAMETER_NAME"),
]


@BOTH
@pytest.mark.parametrize("changes, status, code", PARAMETER_REFUSALS,
                         ids=[f"{i}-{code}" for i, (_, _, code) in enumerate(PARAMETER_REFUSALS)])
def test_an_invalid_parameter_is_refused_on_create_and_update_and_writes_nothing(admin, app, kind, site, changes,
                                                                                 status, code):
    owner = new(admin, kind, site["center"])
    existing = add_parameter(admin, kind, owner, CONSTANT)
    valid = {"name": "other parameter", "constant": "c", "point_id": site["point"]["id"],
             "numerator_meter_uuid": site["meter"]["uuid"], "denominator_meter_uuid": site["offline"]["uuid"]}
    body = payload(valid, **changes)
    refused(admin.post(params_path(kind, owner), body), status, code)
    refused(admin.put(f"{params_path(kind, owner)}/{existing['id']}", body), status, code)
    assert count(app, kind.parameters) == 1
    assert ok(admin.get(params_path(kind, owner))) == [existing]


@BOTH
@pytest.mark.parametrize("name", ["test parameter", "TEST PARAMETER"])
def test_a_parameter_name_in_use_on_the_same_owner_is_a_conflict_but_fine_on_another(admin, app, kind, center, name):
    owner, another = new(admin, kind, center), new(admin, kind, center, name="Another")
    add_parameter(admin, kind, owner, CONSTANT)
    refused(admin.post(params_path(kind, owner), {**CONSTANT, "name": name}), 409,
            kind.code("PARAMETER_NAME_IS_ALREADY_IN_USE"))
    assert count(app, kind.parameters) == 1
    add_parameter(admin, kind, another, {**CONSTANT, "name": name})


@BOTH
def test_renaming_a_parameter_to_a_sibling_name_is_a_conflict(admin, kind, center):
    owner = new(admin, kind, center)
    add_parameter(admin, kind, owner, CONSTANT)
    second = add_parameter(admin, kind, owner, CONSTANT_UPDATE)
    refused(admin.put(f"{params_path(kind, owner)}/{second['id']}", CONSTANT), 409,
            kind.code("PARAMETER_NAME_IS_ALREADY_IN_USE"))
    assert ok(admin.get(f"{params_path(kind, owner)}/{second['id']}")) == second


@BOTH
@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_put_or_post_to_a_parameter_updates_it_in_place(admin, kind, site, verb):
    owner = new(admin, kind, site["center"])
    got = add_parameter(admin, kind, owner, CONSTANT)
    path = f"{params_path(kind, owner)}/{got['id']}"
    updated = ok(admin.request(verb, path, CONSTANT_UPDATE))
    assert updated == {**got, **CONSTANT_UPDATE}
    assert ok(admin.get(path)) == updated
    retyped = ok(admin.request(verb, path, fraction(site)))
    assert (retyped["id"], retyped["constant"], retyped["parameter_type"]) == (got["id"], None, "fraction")
    assert retyped["numerator_meter"] == meter_ref(site["meter"], "meter")
    assert [p["id"] for p in ok(admin.get(params_path(kind, owner)))] == [got["id"]]


@BOTH
def test_deleting_a_parameter_answers_204_and_then_it_is_not_found(admin, kind, center):
    owner = new(admin, kind, center)
    got = add_parameter(admin, kind, owner, CONSTANT)
    path = f"{params_path(kind, owner)}/{got['id']}"
    assert admin.delete(path).status_code == 204
    for method, data in (("GET", None), ("PUT", CONSTANT), ("POST", CONSTANT), ("DELETE", None)):
        refused(admin.request(method, path, data), 404, kind.code("PARAMETER_NOT_FOUND"))
    assert ok(admin.get(params_path(kind, owner))) == []


@BOTH
def test_a_malformed_parameter_id_is_a_bad_request(admin, kind, center):
    owner = new(admin, kind, center)
    refused(admin.get(f"{params_path(kind, owner)}/abc"), 400, f"API.INVALID_{kind.upper}_PARAMETER_ID")


@BOTH
def test_a_parameter_of_another_owner_is_not_reachable_through_this_owners_path(admin, kind, center):
    owner, another = new(admin, kind, center), new(admin, kind, center, name="Another")
    got = add_parameter(admin, kind, owner, CONSTANT)
    wrong = f"{params_path(kind, another)}/{got['id']}"
    for method, data in (("GET", None), ("PUT", CONSTANT_UPDATE), ("DELETE", None)):
        refused(admin.request(method, wrong, data), 404, kind.code("PARAMETER_NOT_FOUND"))
    assert ok(admin.get(params_path(kind, owner))) == [got]
    assert ok(admin.get(params_path(kind, another))) == []


@BOTH
def test_updating_the_owner_keeps_its_parameters(admin, kind, site):
    owner = new(admin, kind, site["center"])
    params = [add_parameter(admin, kind, owner, CONSTANT), add_parameter(admin, kind, owner, fraction(site))]
    assert ok(admin.put(f"{kind.path}/{owner['id']}", kind.update | {"cost_center_id": site["center"]["id"]}))[
        "parameters"] == params


@BOTH
def test_deleting_the_owner_deletes_its_parameters_only(admin, app, kind, center):
    owner, another = new(admin, kind, center), new(admin, kind, center, name="Another")
    add_parameter(admin, kind, owner, CONSTANT)
    add_parameter(admin, kind, owner, CONSTANT_UPDATE)
    kept = add_parameter(admin, kind, another, CONSTANT)
    assert count(app, kind.parameters, **{kind.owner_column: owner["id"]}) == 2
    assert admin.delete(f"{kind.path}/{owner['id']}").status_code == 204
    assert count(app, kind.parameters, **{kind.owner_column: owner["id"]}) == 0
    assert ok(admin.get(params_path(kind, another))) == [kept]


# A parameter names its meter by uuid and its point by id, with no binding row the engine could see: MyEMS
# refuses to delete a meter, offline meter, virtual meter or point a parameter uses
# (API.THERE_IS_RELATION_WITH_EQUIPMENT_PARAMETERS / ..._COMBINED_EQUIPMENT_PARAMETERS). Deleting it anyway
# leaves a parameter every later write of its owner trips over (404 API.NUMERATOR_METER_NOT_FOUND).
@pytest.mark.parametrize("kind, family, which", [
    (EQUIPMENT, "meters", "meter2"), (EQUIPMENT, "offlinemeters", "offline"), (EQUIPMENT, "virtualmeters", "virtual"),
    (COMBINED, "meters", "meter2"),
], ids=["equipment-meter", "equipment-offline", "equipment-virtual", "combined-meter"])
def test_a_meter_used_by_a_fraction_parameter_cannot_be_deleted(admin, kind, site, family, which):
    owner = new(admin, kind, site["center"])
    add_parameter(admin, kind, owner, fraction(site, which, "offline" if which != "offline" else "meter2"))
    refused(admin.delete(f"/{family}/{site[which]['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}_PARAMETERS")
    assert ok(admin.put(f"{kind.path}/{owner['id']}", {"name": "Renamed"}))["name"] == "Renamed"


@BOTH
def test_a_point_used_by_a_point_parameter_cannot_be_deleted(admin, kind, site):
    owner = new(admin, kind, site["center"])
    add_parameter(admin, kind, owner, {**POINT_PARAMETER, "point_id": site["point"]["id"]})
    refused(admin.delete(f"/points/{site['point']['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}_PARAMETERS")
    assert ok(admin.get(params_path(kind, owner)))[0]["point"] == {"id": site["point"]["id"], "name": "ModbusPoint2"}


# ---------------------------------------------------------------------------- export, import, clone
def equipped(admin: Api, kind: Kind, site: dict[str, Any]) -> dict[str, Any]:
    """The seed object with every kind of binding (meter and virtual meter as outputs) and two parameters."""
    owner = new(admin, kind, site["center"])
    for binding, key, which, _ in METERING:
        bind(admin, f"{kind.path}/{owner['id']}/{binding}", {key: site[which]["id"], "is_output": which != "offline"})
    bind(admin, f"{kind.path}/{owner['id']}/commands", {"command_id": site["command"]["id"]})
    add_parameter(admin, kind, owner, CONSTANT)
    add_parameter(admin, kind, owner, fraction(site, "offline", "virtual"))
    return owner


def everything_bound(api: Api, kind: Kind, owner_id: int) -> dict[str, Any]:
    return {b: bound(api, kind, owner_id, b) for b in ("meters", "offlinemeters", "virtualmeters", "commands")}


@BOTH
def test_an_export_carries_the_parameters_and_the_bindings_with_is_output(admin, kind, site):
    owner = equipped(admin, kind, site)
    doc = export(admin, kind.path, owner["id"])
    shown = FIELDS + ("uuid", "cost_center")
    assert {k: doc[k] for k in shown} == {k: owner[k] for k in shown}
    assert doc["parameters"] == ok(admin.get(params_path(kind, owner)))
    assert [(m["uuid"], m["is_output"]) for m in doc["meters"]] == [(site["meter"]["uuid"], True)]
    assert [(m["uuid"], m["is_output"]) for m in doc["offlinemeters"]] == [(site["offline"]["uuid"], False)]
    assert [(m["uuid"], m["is_output"]) for m in doc["virtualmeters"]] == [(site["virtual"]["uuid"], True)]
    assert [c["uuid"] for c in doc["commands"]] == [site["command"]["uuid"]]


@BOTH
def test_an_import_into_another_instance_resolves_cost_center_and_meters_by_uuid_and_carries_parameters(
        admin, other, kind, site):
    owner = equipped(admin, kind, site)
    other.create("/costcenters", {"name": "Filler", "external_id": "0"})  # so that ids differ over there
    for path, which in (("/costcenters", "center"), ("/energycategories", "category"), ("/meters", "meter"),
                        ("/offlinemeters", "offline"), ("/virtualmeters", "virtual"), ("/commands", "command")):
        carry(admin, other, path, site[which])
    copy = carry(admin, other, kind.path, owner)
    assert {k: copy[k] for k in FIELDS + ("uuid", "qrcode")} == {k: owner[k] for k in FIELDS + ("uuid", "qrcode")}
    assert copy["cost_center"]["uuid"] == site["center"]["uuid"] and copy["cost_center"]["id"] != site["center"]["id"]
    theirs, ours = ok(other.get(params_path(kind, copy))), ok(admin.get(params_path(kind, owner)))
    assert [as_sent(p) for p in theirs] == [as_sent(p) for p in ours]
    assert [p["numerator_meter"]["name"] for p in theirs if p["numerator_meter"]] == ["OfflinePM21"]
    assert everything_bound(other, kind, copy["id"]) == everything_bound(admin, kind, owner["id"])


@BOTH
@pytest.mark.parametrize("missing, code", [
    ("offline", "API.NUMERATOR_METER_NOT_FOUND"), ("virtual", "API.DENOMINATOR_METER_NOT_FOUND"),
    ("command", "API.COMMAND_NOT_FOUND"),
])
def test_an_import_naming_what_is_missing_on_the_other_side_is_not_found_and_writes_nothing(admin, other, kind, site,
                                                                                            missing, code):
    owner = equipped(admin, kind, site)
    for path, which in (("/costcenters", "center"), ("/energycategories", "category"), ("/meters", "meter"),
                        ("/offlinemeters", "offline"), ("/virtualmeters", "virtual"), ("/commands", "command")):
        if which != missing:
            carry(admin, other, path, site[which])
    refused(import_(other, kind.path, export(admin, kind.path, owner["id"])), 404, code)
    assert (count(other.app, kind.table), count(other.app, kind.parameters)) == (0, 0)
    assert [count(other.app, table) for table in kind.links.values()] == [0] * len(kind.links)


@BOTH
def test_an_import_whose_bound_meter_is_missing_on_the_other_side_is_not_found_and_writes_nothing(admin, other, kind,
                                                                                                  site):
    owner = new(admin, kind, site["center"])
    add_parameter(admin, kind, owner, CONSTANT)
    bind(admin, f"{kind.path}/{owner['id']}/meters", {"meter_id": site["meter2"]["id"], "is_output": True})
    carry(admin, other, "/costcenters", site["center"])
    refused(import_(other, kind.path, export(admin, kind.path, owner["id"])), 404, "API.METER_NOT_FOUND")
    assert (count(other.app, kind.table), count(other.app, kind.parameters)) == (0, 0)
    assert count(other.app, kind.links["meter"]) == 0


@BOTH
def test_an_import_whose_cost_center_is_missing_is_not_found(admin, other, kind, center):
    owner = new(admin, kind, center)
    refused(import_(other, kind.path, export(admin, kind.path, owner["id"])), 404, "API.COST_CENTER_NOT_FOUND")
    assert count(other.app, kind.table) == 0


def test_a_combined_equipment_imported_elsewhere_binds_its_equipment_by_uuid(admin, other, center):
    equipment, plant = new(admin, EQUIPMENT, center), new(admin, COMBINED, center)
    bind(admin, f"/combinedequipments/{plant['id']}/equipments", {"equipment_id": equipment["id"]})
    add_parameter(admin, COMBINED, plant, CONSTANT)
    their_center = carry(admin, other, "/costcenters", center)
    doc = export(admin, "/combinedequipments", plant["id"])
    refused(import_(other, "/combinedequipments", doc), 404, "API.EQUIPMENT_NOT_FOUND")
    assert count(other.app, schema.combined_equipments) == 0
    other.create("/equipments", {**CHILLER, "name": "Filler", "cost_center_id": their_center["id"]})
    there = carry(admin, other, "/equipments", equipment)
    copy = imported(other, "/combinedequipments", doc)
    assert [summary(e) for e in ok(other.get(f"/combinedequipments/{copy['id']}/equipments"))] == [summary(there)]
    assert [as_sent(p) for p in copy["parameters"]] == [CONSTANT]


@BOTH
def test_importing_on_the_same_instance_needs_a_free_name_and_gets_a_fresh_uuid(admin, app, kind, site):
    owner = equipped(admin, kind, site)
    doc = export(admin, kind.path, owner["id"])
    refused(import_(admin, kind.path, doc), 409, kind.code("NAME_IS_ALREADY_IN_USE"))
    assert count(app, kind.table) == 1
    copy = imported(admin, kind.path, {**doc, "name": "Imported"})
    assert copy["uuid"] != owner["uuid"] and copy["qrcode"] == f"{kind.qrcode}:{copy['uuid']}"
    assert everything_bound(admin, kind, copy["id"]) == everything_bound(admin, kind, owner["id"])


@BOTH
def test_a_clone_is_named_with_a_counter_has_a_fresh_uuid_and_copies_parameters_and_bindings(admin, kind, site):
    owner = equipped(admin, kind, site)
    before = export(admin, kind.path, owner["id"])
    copy = clone(admin, kind.path, owner["id"])
    assert copy["name"] == f"{kind.seed['name']} (1)"
    assert is_uuid(copy["uuid"]) and copy["uuid"] != owner["uuid"] and copy["qrcode"] == f"{kind.qrcode}:{copy['uuid']}"
    assert [as_sent(p) for p in copy["parameters"]] == [as_sent(p) for p in before["parameters"]]
    assert not {p["id"] for p in copy["parameters"]} & {p["id"] for p in before["parameters"]}
    assert everything_bound(admin, kind, copy["id"]) == everything_bound(admin, kind, owner["id"])
    assert export(admin, kind.path, owner["id"]) == before
    assert clone(admin, kind.path, owner["id"])["name"] == f"{kind.seed['name']} (2)"


def test_a_cloned_combined_equipment_binds_the_same_equipment(admin, center):
    equipment, plant = new(admin, EQUIPMENT, center), new(admin, COMBINED, center)
    bind(admin, f"/combinedequipments/{plant['id']}/equipments", {"equipment_id": equipment["id"]})
    copy = clone(admin, "/combinedequipments", plant["id"])
    assert [e["id"] for e in ok(admin.get(f"/combinedequipments/{copy['id']}/equipments"))] == [equipment["id"]]
