"""Points on data sources, answered as the seed's "Point" section documents.

The seed's modbus point (``"data_format":"float"`` over two registers) is the payload; its data source is
a modbus-tcp one on a gateway this test creates. A point's address is checked against its data source's
protocol, a virtual point's expression against the points it substitutes, and every refusal writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api import test_engine_portability as portability
from tests.api.test_master_data import DIESEL, POWER_CENTER, SUMMARY, assert_error, assert_result_shape, is_uuid
from tests.client import Api

# ---------------------------------------------------------------------------- seed payloads
GATEWAY = {"name": "MyEMS Gateway 3", "description": "Gateway 3"}
CONNECTIONS = {
    "modbus-tcp": {"host": "10.1.2.88", "port": 502},
    "bacnet-ip": {"host": "10.1.2.89", "port": 47808, "device_id": 1},
    "mqtt": {"host": "10.1.2.90", "port": 1883, "topic": "myems/#", "qos": 1},
}
MODBUS_ADDRESS = ("{\"slave_id\":1, \"function_code\":3, \"offset\":1, \"number_of_registers\":2, "
                  "\"data_format\":\"float\"}")
POINT = {"name": "ModbusPoint2", "object_type": "ENERGY_VALUE", "units": "kWh", "high_limit": 999999999,
         "low_limit": 0, "higher_limit": 1099999998.9, "lower_limit": 0, "ratio": 1, "is_trend": True,
         "is_virtual": False, "address": MODBUS_ADDRESS, "description": None}
POINT_UPDATE = {**POINT, "name": "ModbusPoint1", "ratio": 100}
BACNET_ADDRESS = {"object_type": "analogValue", "object_id": 3, "property_name": "presentValue",
                  "property_array_index": None}
MQTT_ADDRESS = {"topic": "myems/point/1", "value_path": "data.value"}
POINT_RESULT = {"id": int, "name": str, "uuid": str, "data_source": SUMMARY, "object_type": str, "units": str,
                "high_limit": (int, float), "low_limit": (int, float), "ratio": (int, float), "is_trend": bool,
                "is_virtual": bool, "address": str}
MISSING = 987654


# ---------------------------------------------------------------------------- helpers
def gateway_id(admin: Api) -> int:
    """The one gateway of this test, created on first use."""
    gateways = admin.get("/gateways").json
    return gateways[0]["id"] if gateways else admin.create("/gateways", GATEWAY)["id"]


def new_source(admin: Api, protocol: str = "modbus-tcp", name: str = "Modbus1") -> dict[str, Any]:
    return admin.create("/datasources", {"name": name, "gateway_id": gateway_id(admin), "protocol": protocol,
                                         "connection": json.dumps(CONNECTIONS[protocol]), "description": name})


def point_payload(source_id: int, **changes: Any) -> dict[str, Any]:
    return {**POINT, "data_source_id": source_id, **changes}


def new_point(admin: Api, source_id: int, **changes: Any) -> dict[str, Any]:
    return admin.create("/points", point_payload(source_id, **changes))


def analog_point(admin: Api, source_id: int, name: str) -> dict[str, Any]:
    return new_point(admin, source_id, name=name, object_type="ANALOG_VALUE", units="kW")


def virtual_address(expression: str, **substitutions: int) -> str:
    """A virtual point's address as MyEMS sends it: ``substitutions`` is itself a JSON string."""
    return json.dumps({"expression": expression, "substitutions": json.dumps(substitutions)})


def virtual_payload(source_id: int, expression: str, **substitutions: int) -> dict[str, Any]:
    return point_payload(source_id, name="VirtualPoint", object_type="ANALOG_VALUE", is_virtual=True,
                         address=virtual_address(expression, **substitutions))


def assert_refused(admin: Api, method: str, path: str, data: Any, status: int, code: str) -> None:
    """The request is refused with ``code`` and no point was created or changed."""
    before = admin.get("/points").json
    assert_error(admin.request(method, path, data), status, code)
    assert admin.get("/points").json == before


def new_meter(admin: Api) -> dict[str, Any]:
    category = admin.create("/energycategories", DIESEL)
    center = admin.create("/costcenters", POWER_CENTER)
    return admin.create("/meters", {"name": "PM20", "energy_category_id": category["id"], "is_counted": True,
                                    "hourly_low_limit": 0, "hourly_high_limit": 999.99,
                                    "cost_center_id": center["id"]})


def assert_shape(obj: dict[str, Any], fields: dict[str, Any]) -> None:
    """The seed's Result fields with their types, booleans being JSON booleans."""
    flags = {k for k, kind in fields.items() if kind is bool}
    for key in flags:
        assert isinstance(obj.get(key), bool), (key, obj)
    assert_result_shape(obj, {k: kind for k, kind in fields.items() if k not in flags})


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


@pytest.fixture
def source(admin: Api) -> dict[str, Any]:
    return new_source(admin)


# ---------------------------------------------------------------------------- CRUD
def test_creating_the_seed_modbus_point_answers_201_with_location_and_the_result_fields(admin, source):
    result = admin.post("/points", point_payload(source["id"]))
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/points/{result.json['id']}"
    point = result.json
    assert_shape(point, POINT_RESULT)
    assert point["data_source"] == summary(source)
    assert json.loads(point["address"]) == json.loads(MODBUS_ADDRESS)
    assert (point["name"], point["object_type"], point["units"]) == ("ModbusPoint2", "ENERGY_VALUE", "kWh")
    assert point["high_limit"] == pytest.approx(999999999) and point["low_limit"] == 0
    assert point["higher_limit"] == pytest.approx(1099999998.9) and point["lower_limit"] == 0
    assert point["ratio"] == 1 and point["is_trend"] is True and point["is_virtual"] is False
    assert point["description"] is None


def test_limits_of_fifteen_integer_digits_and_six_decimals_are_kept_as_myems_keeps_them(admin, source):
    body = {**point_payload(source["id"]), "high_limit": 1e14, "higher_limit": 123456789012345.5,
            "ratio": 0.000123}
    point = admin.create("/points", body)
    stored = admin.get(f"/points/{point['id']}").json
    assert stored["high_limit"] == 1e14 and stored["higher_limit"] == 123456789012345.5
    assert stored["ratio"] == pytest.approx(0.000123, abs=1e-9)


def test_getting_and_listing_points_answer_what_was_created(admin, source):
    point = new_point(admin, source["id"])
    assert admin.get(f"/points/{point['id']}").json == point
    assert admin.get("/points").json == [point]


def test_updating_with_the_seed_payload_changes_the_point_and_keeps_its_uuid(admin, source):
    point = new_point(admin, source["id"])
    result = admin.put(f"/points/{point['id']}", point_payload(source["id"], **POINT_UPDATE))
    assert result.status_code == 200, result.json
    assert result.json["name"] == "ModbusPoint1" and result.json["ratio"] == 100
    assert result.json["uuid"] == point["uuid"]
    assert admin.get(f"/points/{point['id']}").json == result.json


def test_deleting_a_point_answers_204_and_it_is_gone(admin, source):
    point = new_point(admin, source["id"])
    assert admin.delete(f"/points/{point['id']}").status_code == 204
    assert_error(admin.get(f"/points/{point['id']}"), 404, "API.POINT_NOT_FOUND")
    assert admin.get("/points").json == []


def test_an_unknown_point_is_not_found_for_get_update_and_delete(admin, source):
    missing = f"/points/{MISSING}"
    assert_error(admin.get(missing), 404, "API.POINT_NOT_FOUND")
    assert_refused(admin, "PUT", missing, point_payload(source["id"]), 404, "API.POINT_NOT_FOUND")
    assert_error(admin.delete(missing), 404, "API.POINT_NOT_FOUND")


def test_a_point_of_an_unknown_data_source_is_not_found_and_not_created(admin, source):
    assert_refused(admin, "POST", "/points", point_payload(MISSING), 404, "API.DATA_SOURCE_NOT_FOUND")


# ---------------------------------------------------------------------------- object type
def test_a_binary_value_point_is_stored_and_answered_as_a_digital_value(admin, app, source):
    point = new_point(admin, source["id"], object_type="BINARY_VALUE", units="")
    assert point["object_type"] == "DIGITAL_VALUE"
    assert admin.get(f"/points/{point['id']}").json["object_type"] == "DIGITAL_VALUE"
    with app.databases.system.connect() as conn:
        stored = conn.execute(sa.select(schema.points.c.object_type).where(schema.points.c.id == point["id"]))
        assert stored.scalar() == "DIGITAL_VALUE"


@pytest.mark.parametrize("object_type", ["DIGITAL_VALUE", "ANALOG_VALUE", "ENERGY_VALUE"])
def test_each_myems_object_type_is_accepted_as_sent(admin, source, object_type):
    assert new_point(admin, source["id"], object_type=object_type)["object_type"] == object_type


@pytest.mark.parametrize("object_type", ["MULTISTATE_VALUE", "energy_value", "", None, 1])
def test_an_unknown_object_type_is_refused(admin, source, object_type):
    payload = point_payload(source["id"], object_type=object_type)
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_OBJECT_TYPE")


# ---------------------------------------------------------------------------- names
def test_a_point_name_in_use_on_the_same_data_source_is_a_conflict_and_creates_nothing(admin, source):
    new_point(admin, source["id"])
    assert_refused(admin, "POST", "/points", point_payload(source["id"]), 409, "API.POINT_NAME_IS_ALREADY_IN_USE")


def test_the_same_point_name_on_another_data_source_is_accepted(admin, source):
    first = new_point(admin, source["id"])
    second_source = new_source(admin, name="Modbus2")
    second = new_point(admin, second_source["id"])
    assert first["name"] == second["name"] == "ModbusPoint2"
    assert second["data_source"]["id"] == second_source["id"]


def test_renaming_a_point_to_a_name_in_use_on_its_data_source_is_a_conflict(admin, source):
    new_point(admin, source["id"])
    renamed = new_point(admin, source["id"], name="ModbusPoint3")
    assert_refused(admin, "PUT", f"/points/{renamed['id']}", {"name": "ModbusPoint2"}, 409,
                   "API.POINT_NAME_IS_ALREADY_IN_USE")


def test_moving_a_point_onto_a_data_source_that_has_its_name_is_a_conflict(admin, source):
    new_point(admin, source["id"])
    elsewhere = new_point(admin, new_source(admin, name="Modbus2")["id"])
    assert_refused(admin, "PUT", f"/points/{elsewhere['id']}", {"data_source_id": source["id"]}, 409,
                   "API.POINT_NAME_IS_ALREADY_IN_USE")


# ---------------------------------------------------------------------------- addresses
def modbus(**changes: Any) -> str:
    return json.dumps({**json.loads(MODBUS_ADDRESS), **changes})


VALID_MODBUS = [
    modbus(),
    modbus(data_format=None, format=">d", number_of_registers=4),
    modbus(byte_order="CDAB"),
    modbus(function_code=4, offset=65534),
    modbus(function_code=1, number_of_registers=16, data_format=None),
    modbus(slave_id=247),
]
INVALID_MODBUS = [
    modbus(slave_id=0),
    modbus(slave_id=248),
    modbus(function_code=5),
    modbus(offset=70000),
    modbus(data_format=None, format=">d", number_of_registers=2),
    modbus(byte_order="ABDC"),
    modbus(number_of_registers=0),
    modbus(data_format="decimal"),
    json.dumps({"slave_id": 1, "function_code": 3}),
    "[1, 3, 1]",
]


@pytest.mark.parametrize("address", VALID_MODBUS)
def test_a_well_formed_modbus_address_is_accepted(admin, source, address):
    point = new_point(admin, source["id"], address=address)
    assert json.loads(point["address"]) == json.loads(address)


@pytest.mark.parametrize("address", INVALID_MODBUS)
def test_a_modbus_address_a_worker_could_not_read_is_refused_and_creates_nothing(admin, source, address):
    assert_refused(admin, "POST", "/points", point_payload(source["id"], address=address), 400,
                   "API.INVALID_ADDRESS")


@pytest.mark.parametrize("address", ["not json", "{\"slave_id\":", 42, None])
def test_an_address_that_is_not_json_text_or_an_object_is_refused(admin, source, address):
    assert_refused(admin, "POST", "/points", point_payload(source["id"], address=address), 400,
                   "API.INVALID_ADDRESS")


def test_an_address_sent_as_an_object_is_kept_as_json_text(admin, source):
    point = new_point(admin, source["id"], address=json.loads(MODBUS_ADDRESS))
    assert json.loads(point["address"]) == json.loads(MODBUS_ADDRESS)


def test_updating_a_point_to_an_invalid_address_is_refused_and_changes_nothing(admin, source):
    point = new_point(admin, source["id"])
    assert_refused(admin, "PUT", f"/points/{point['id']}", {"address": modbus(function_code=5)}, 400,
                   "API.INVALID_ADDRESS")


@pytest.mark.parametrize("address", [
    BACNET_ADDRESS,
    {**BACNET_ADDRESS, "object_type": "analog-input", "object_id": 4194303},
    {**BACNET_ADDRESS, "object_type": "binaryValue", "property_array_index": 2},
])
def test_a_well_formed_bacnet_address_is_accepted_on_a_bacnet_data_source(admin, address):
    bacnet = new_source(admin, "bacnet-ip", name="BACnet1")
    point = new_point(admin, bacnet["id"], address=json.dumps(address), object_type="ANALOG_VALUE")
    assert json.loads(point["address"]) == address


@pytest.mark.parametrize("changes", [
    {"object_type": "camera"},
    {"object_type": None},
    {"object_id": 4194304},
    {"object_id": -1},
    {"object_id": "3"},
    {"property_name": ""},
    {"property_array_index": -1},
    {"property_array_index": "0"},
])
def test_a_bacnet_address_with_a_bad_object_or_index_is_refused(admin, changes):
    bacnet = new_source(admin, "bacnet-ip", name="BACnet1")
    payload = point_payload(bacnet["id"], address=json.dumps({**BACNET_ADDRESS, **changes}))
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_ADDRESS")


def test_the_seed_modbus_address_is_refused_on_a_bacnet_data_source(admin):
    bacnet = new_source(admin, "bacnet-ip", name="BACnet1")
    assert_refused(admin, "POST", "/points", point_payload(bacnet["id"]), 400, "API.INVALID_ADDRESS")


@pytest.mark.parametrize("address", [MQTT_ADDRESS, {"topic": "myems/point/2"}])
def test_an_mqtt_address_with_a_topic_is_accepted_on_an_mqtt_data_source(admin, address):
    mqtt = new_source(admin, "mqtt", name="MQTT1")
    point = new_point(admin, mqtt["id"], address=json.dumps(address))
    assert json.loads(point["address"]) == address


@pytest.mark.parametrize("address", [{}, {"topic": ""}, {"topic": "   "}, {"topic": 7},
                                     {"value_path": "data.value"}, {"topic": "t", "value_path": 3}])
def test_an_mqtt_address_without_a_usable_topic_is_refused(admin, address):
    mqtt = new_source(admin, "mqtt", name="MQTT1")
    payload = point_payload(mqtt["id"], address=json.dumps(address))
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_ADDRESS")


def test_moving_a_point_to_a_data_source_whose_protocol_refuses_its_address_is_refused(admin, source):
    point = new_point(admin, source["id"])
    mqtt = new_source(admin, "mqtt", name="MQTT1")
    assert_refused(admin, "PUT", f"/points/{point['id']}", {"data_source_id": mqtt["id"]}, 400,
                   "API.INVALID_ADDRESS")


def test_a_protocol_without_address_rules_accepts_any_json_object(admin):
    simulation = admin.create("/datasources", {"name": "Sim", "gateway_id": gateway_id(admin),
                                               "protocol": "simulation", "connection": "{}"})
    point = new_point(admin, simulation["id"], address=json.dumps({"anything": [1, 2]}))
    assert json.loads(point["address"]) == {"anything": [1, 2]}


# ---------------------------------------------------------------------------- limits
@pytest.mark.parametrize(("changes", "code"), [
    ({"low_limit": 10, "high_limit": 5}, "API.INVALID_LOW_LIMIT_VALUE"),
    ({"higher_limit": 999999998}, "API.INVALID_HIGHER_LIMIT_VALUE"),
    ({"low_limit": 10, "lower_limit": 11}, "API.INVALID_LOWER_LIMIT_VALUE"),
])
def test_limits_out_of_order_are_refused_and_create_nothing(admin, source, changes, code):
    assert_refused(admin, "POST", "/points", point_payload(source["id"], **changes), 400, code)


def test_equal_limits_and_absent_higher_and_lower_limits_are_accepted(admin, source):
    payload = point_payload(source["id"], low_limit=5, high_limit=5)
    del payload["higher_limit"], payload["lower_limit"]
    point = admin.create("/points", payload)
    assert (point["low_limit"], point["high_limit"]) == (5, 5)
    assert point["higher_limit"] is None and point["lower_limit"] is None


def test_updating_only_the_low_limit_above_the_stored_high_limit_is_refused(admin, source):
    point = new_point(admin, source["id"])
    assert_refused(admin, "PUT", f"/points/{point['id']}", {"low_limit": 1e10}, 400, "API.INVALID_LOW_LIMIT_VALUE")


@pytest.mark.parametrize("key", ["high_limit", "low_limit", "ratio"])
@pytest.mark.parametrize("value", ["abc", True, None])
def test_a_non_numeric_limit_or_ratio_is_refused(admin, source, key, value):
    assert_refused(admin, "POST", "/points", point_payload(source["id"], **{key: value}), 400,
                   f"API.INVALID_{key.upper()}")


# ---------------------------------------------------------------------------- point limits endpoint
def test_put_pointlimits_with_the_seed_body_changes_only_the_four_limits(admin, source):
    point = new_point(admin, source["id"], name="Meter reading", ratio=2, units="MWh",
                      high_limit=100, low_limit=1, higher_limit=200, lower_limit=0.5)
    result = admin.put(f"/pointlimits/{point['id']}", point_payload(source["id"], **POINT_UPDATE))
    assert result.status_code == 200, result.json
    limits = {"high_limit": 999999999, "low_limit": 0, "higher_limit": 1099999998.9, "lower_limit": 0}
    assert result.json == {**point, **{k: pytest.approx(v) for k, v in limits.items()}}
    assert admin.get(f"/points/{point['id']}").json == result.json
    assert result.json["name"] == "Meter reading" and result.json["ratio"] == 2 and result.json["units"] == "MWh"


def test_put_pointlimits_with_some_limits_keeps_the_others(admin, source):
    point = new_point(admin, source["id"])
    result = admin.put(f"/pointlimits/{point['id']}", {"high_limit": 5000})
    assert result.status_code == 200, result.json
    assert result.json == {**point, "high_limit": 5000}


def test_put_pointlimits_out_of_order_is_refused_and_changes_nothing(admin, source):
    point = new_point(admin, source["id"])
    assert_refused(admin, "PUT", f"/pointlimits/{point['id']}", {"low_limit": 10, "high_limit": 5}, 400,
                   "API.INVALID_LOW_LIMIT_VALUE")


def test_put_pointlimits_without_any_limit_is_refused(admin, source):
    point = new_point(admin, source["id"])
    assert_refused(admin, "PUT", f"/pointlimits/{point['id']}", {"name": "renamed"}, 400, "API.INVALID_LIMITS")


def test_put_pointlimits_of_an_unknown_point_is_not_found(admin):
    assert_error(admin.put(f"/pointlimits/{MISSING}", {"high_limit": 1}), 404, "API.POINT_NOT_FOUND")


# ---------------------------------------------------------------------------- virtual points
def test_a_virtual_analog_point_over_existing_points_is_accepted(admin, source):
    x1, x2 = analog_point(admin, source["id"], "P1"), analog_point(admin, source["id"], "P2")
    point = admin.create("/points", virtual_payload(source["id"], "x1+x2", x1=x1["id"], x2=x2["id"]))
    assert point["is_virtual"] is True and point["object_type"] == "ANALOG_VALUE"
    address = json.loads(point["address"])
    assert address["expression"] == "x1+x2"
    assert json.loads(address["substitutions"]) == {"x1": x1["id"], "x2": x2["id"]}


@pytest.mark.parametrize("object_type", ["ENERGY_VALUE", "DIGITAL_VALUE", "BINARY_VALUE"])
def test_a_virtual_point_that_is_not_an_analog_value_is_refused(admin, source, object_type):
    x1 = analog_point(admin, source["id"], "P1")
    payload = {**virtual_payload(source["id"], "x1*2", x1=x1["id"]), "object_type": object_type}
    assert_refused(admin, "POST", "/points", payload, 400, "API.VIRTUAL_POINT_SHOULD_BE_ANALOG_VALUE")


def test_a_virtual_point_substituting_an_unknown_point_is_not_found_and_not_created(admin, source):
    x1 = analog_point(admin, source["id"], "P1")
    payload = virtual_payload(source["id"], "x1+x2", x1=x1["id"], x2=MISSING)
    assert_refused(admin, "POST", "/points", payload, 404, "API.POINT_NOT_FOUND")


@pytest.mark.parametrize("expression", ["__import__('os')", "x1.real", "x1 ** 2", "x1 > 0", "x1 +", "",
                                        "-" * 1000 + "x1"], ids=lambda e: e[:20])
def test_a_virtual_point_with_an_unsafe_or_invalid_expression_is_refused(admin, source, expression):
    x1 = analog_point(admin, source["id"], "P1")
    payload = virtual_payload(source["id"], expression, x1=x1["id"])
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_ADDRESS")


def test_a_virtual_point_using_a_variable_without_substitution_is_refused(admin, source):
    x1 = analog_point(admin, source["id"], "P1")
    payload = virtual_payload(source["id"], "x1+x2", x1=x1["id"])
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_ADDRESS")


@pytest.mark.parametrize("substitutions", ["{\"x1\": \"1\"}", "{\"x1\": 0}", "not json", "[1]"])
def test_a_virtual_point_whose_substitutions_are_not_point_ids_is_refused(admin, source, substitutions):
    analog_point(admin, source["id"], "P1")
    address = json.dumps({"expression": "x1", "substitutions": substitutions})
    payload = {**virtual_payload(source["id"], "x1"), "address": address}
    assert_refused(admin, "POST", "/points", payload, 400, "API.INVALID_ADDRESS")


def test_turning_a_point_virtual_without_a_virtual_address_is_refused(admin, source):
    point = new_point(admin, source["id"], object_type="ANALOG_VALUE")
    assert_refused(admin, "PUT", f"/points/{point['id']}", {"is_virtual": True}, 400, "API.INVALID_ADDRESS")


# ---------------------------------------------------------------------------- export, import, clone
def test_exporting_a_point_answers_it_with_its_data_source_by_id_name_and_uuid(admin, source):
    point = new_point(admin, source["id"])
    exported = portability.export(admin, "/points", point["id"])
    assert exported == point
    assert exported["data_source"] == summary(source)


def copy_source_to(admin: Api, other: Api, source: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The source's gateway and the source itself imported into ``other`` after a filler data source, so
    that the exported ids name other objects there; answers (filler, copy)."""
    portability.imported(other, "/gateways", portability.export(admin, "/gateways", source["gateway"]["id"]))
    filler = new_source(other, name="Filler")
    copy = portability.imported(other, "/datasources", portability.export(admin, "/datasources", source["id"]))
    assert copy["uuid"] == source["uuid"]
    return filler, copy


def test_importing_a_point_into_another_instance_resolves_its_data_source_by_uuid(admin, other, source):
    point = new_point(admin, source["id"])
    filler, copy_source = copy_source_to(admin, other, source)
    doc = portability.export(admin, "/points", point["id"])
    doc["data_source"]["id"] = filler["id"]  # the exported id names another data source over there
    new = portability.imported(other, "/points", doc)
    assert new["data_source"] == summary(copy_source)
    assert new["uuid"] == point["uuid"]
    assert portability.without_id(new) == {**portability.without_id(point), "data_source": summary(copy_source)}
    assert other.get(f"/points/{new['id']}").json == new


def test_importing_a_point_whose_data_source_is_unknown_there_is_not_found_and_creates_nothing(admin, other,
                                                                                               source):
    point = new_point(admin, source["id"])
    new_source(other, name="Filler")
    result = portability.import_(other, "/points", portability.export(admin, "/points", point["id"]))
    assert_error(result, 404, "API.DATA_SOURCE_NOT_FOUND")
    assert other.get("/points").json == []


def test_an_import_with_an_invalid_address_is_refused_and_creates_nothing(admin, source):
    point = new_point(admin, source["id"])
    doc = {**portability.export(admin, "/points", point["id"]), "name": "copy", "address": modbus(slave_id=0)}
    assert_refused(admin, "POST", "/points/import", doc, 400, "API.INVALID_ADDRESS")


def test_the_seed_import_body_with_a_plain_data_source_id_is_accepted(admin, source):
    new = portability.imported(admin, "/points", point_payload(source["id"], **POINT_UPDATE))
    assert new["name"] == "ModbusPoint1" and new["data_source"] == summary(source)
    assert is_uuid(new["uuid"])


def test_cloning_a_point_copies_it_under_a_new_name_and_uuid_on_the_same_data_source(admin, source):
    point = new_point(admin, source["id"])
    copy = portability.clone(admin, "/points", point["id"])
    assert copy["name"] == "ModbusPoint2 (1)"
    assert copy["uuid"] != point["uuid"] and is_uuid(copy["uuid"])
    same = {k: v for k, v in copy.items() if k not in ("id", "name", "uuid")}
    assert same == {k: v for k, v in point.items() if k not in ("id", "name", "uuid")}
    assert len(admin.get("/points").json) == 2


def test_cloning_an_unknown_point_is_not_found(admin):
    assert_error(admin.post(f"/points/{MISSING}/clone"), 404, "API.POINT_NOT_FOUND")


# ---------------------------------------------------------------------------- relations
def test_deleting_a_point_bound_to_a_meter_is_refused_and_keeps_it(admin, source):
    point = new_point(admin, source["id"])
    meter = new_meter(admin)
    assert admin.post(f"/meters/{meter['id']}/points", {"point_id": str(point["id"])}).status_code == 201
    assert_refused(admin, "DELETE", f"/points/{point['id']}", None, 409, "API.THERE_IS_RELATION_WITH_METERS")
    assert [p["id"] for p in admin.get(f"/meters/{meter['id']}/points").json] == [point["id"]]


def test_a_point_can_be_deleted_once_unbound_from_its_meter(admin, source):
    point = new_point(admin, source["id"])
    meter = new_meter(admin)
    admin.post(f"/meters/{meter['id']}/points", {"point_id": point["id"]})
    assert admin.delete(f"/meters/{meter['id']}/points/{point['id']}").status_code == 204
    assert admin.delete(f"/points/{point['id']}").status_code == 204
    assert admin.get("/points").json == []


def test_deleting_a_data_source_that_has_points_is_refused(admin, source):
    new_point(admin, source["id"])
    assert_error(admin.delete(f"/datasources/{source['id']}"), 409, "API.THERE_IS_RELATION_WITH_POINTS")
    assert admin.get(f"/datasources/{source['id']}").status_code == 200


def test_a_point_read_by_a_virtual_point_cannot_be_deleted_and_a_virtual_point_cannot_read_itself(admin, source):
    x1 = analog_point(admin, source["id"], name="x1")
    virtual = admin.create("/points", virtual_payload(source["id"], "x1*2", x1=x1["id"]))
    refused = admin.delete(f"/points/{x1['id']}")
    assert (refused.status_code, refused.json["description"]) == (409, "API.THERE_IS_RELATION_WITH_VIRTUAL_POINTS")
    itself = admin.put(f"/points/{virtual['id']}", virtual_payload(source["id"], "x1*2", x1=virtual["id"]))
    assert (itself.status_code, itself.json["description"]) == (400, "API.VIRTUAL_POINT_CANNOT_SUBSTITUTE_ITSELF")
    assert admin.delete(f"/points/{virtual['id']}").status_code == 204
    assert admin.delete(f"/points/{x1['id']}").status_code == 204
