"""A point's address checked against its data source's protocol (myems_api.resources.point_address)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from myems_api.resources.point_address import check_address, substitutions

SEED_MODBUS = {"slave_id": 1, "function_code": 3, "offset": 1, "number_of_registers": 2, "data_format": "float"}
BACNET = {"object_type": "analogValue", "object_id": 3, "property_name": "presentValue",
          "property_array_index": None}
MQTT = {"topic": "myems/point/1", "value_path": "data.value"}


def ok(address: Any, protocol: str | None, is_virtual: bool = False) -> bool:
    return check_address(address if isinstance(address, str) else json.dumps(address), protocol, is_virtual)


def modbus(**changes: Any) -> dict[str, Any]:
    address = {**SEED_MODBUS, **changes}
    return {k: v for k, v in address.items() if v is not None}


# ---------------------------------------------------------------------------- modbus
@pytest.mark.parametrize("address", [
    SEED_MODBUS,
    modbus(slave_id=247, offset=0),
    modbus(offset=65534, function_code=4),
    modbus(data_format=None, format=">d", number_of_registers=4),
    modbus(data_format=None, format="<H", number_of_registers=1),
    modbus(data_format=None, format="f"),
    modbus(data_format="double", number_of_registers=4),
    modbus(data_format="INT16", number_of_registers=1),
    modbus(data_format="uint32"),
    modbus(data_format="int64", number_of_registers=4),
    modbus(byte_order="CDAB"),
    modbus(byte_order="DCBA"),
    modbus(function_code=1, number_of_registers=1, data_format=None),
    modbus(function_code=2, number_of_registers=2000, data_format=None),
], ids=repr)
@pytest.mark.parametrize("protocol", ["modbus-tcp", "modbus-rtu"])
def test_a_readable_modbus_address_is_accepted(address, protocol):
    assert ok(address, protocol)


@pytest.mark.parametrize("address", [
    modbus(slave_id=0),
    modbus(slave_id=248),
    modbus(offset=65535, function_code=4),  # its second register would be past 65535
    modbus(function_code=1, offset=65000, number_of_registers=1000, data_format=None),
    modbus(slave_id="1"),
    modbus(slave_id=True),
    modbus(function_code=0),
    modbus(function_code=5),
    modbus(function_code=6),
    modbus(offset=-1),
    modbus(offset=65536),
    modbus(offset=70000),
    modbus(offset=1.5),
    modbus(data_format=None, format=">d", number_of_registers=2),
    modbus(data_format=None, format=">f", number_of_registers=1),
    modbus(data_format="double"),
    modbus(data_format="decimal"),
    modbus(data_format=None),
    modbus(data_format=None, format="xyz"),
    modbus(data_format=None, format=">ff", number_of_registers=4),
    modbus(data_format=None, format=5),
    modbus(byte_order="ABDC"),
    modbus(byte_order="abcd"),
    modbus(number_of_registers=0),
    modbus(number_of_registers=126, data_format=None, format=">H"),
    modbus(function_code=1, number_of_registers=0),
    modbus(function_code=1, number_of_registers=2001),
    {"function_code": 3, "offset": 1, "number_of_registers": 2, "data_format": "float"},
    {"slave_id": 1, "offset": 1, "number_of_registers": 2, "data_format": "float"},
    {"slave_id": 1, "function_code": 3, "number_of_registers": 2, "data_format": "float"},
    {"slave_id": 1, "function_code": 3, "offset": 1, "data_format": "float"},
], ids=repr)
def test_a_modbus_address_a_worker_could_not_read_is_refused(address):
    assert not ok(address, "modbus-tcp")


# ---------------------------------------------------------------------------- bacnet
@pytest.mark.parametrize("address", [
    BACNET,
    {**BACNET, "object_type": "analog-input"},
    {**BACNET, "object_type": "binaryOutput", "object_id": 0},
    {**BACNET, "object_type": "multiStateValue", "object_id": 4194303},
    {**BACNET, "property_array_index": 0},
    {k: v for k, v in BACNET.items() if k != "property_array_index"},
], ids=repr)
def test_a_bacnet_address_of_a_known_object_type_is_accepted(address):
    assert ok(address, "bacnet-ip")


@pytest.mark.parametrize("changes", [
    {"object_type": "camera"},
    {"object_type": ""},
    {"object_type": 1},
    {"object_id": -1},
    {"object_id": 4194304},
    {"object_id": "3"},
    {"object_id": None},
    {"property_name": ""},
    {"property_name": None},
    {"property_array_index": -1},
    {"property_array_index": "1"},
    {"property_array_index": True},
    {"property_array_index": 2**31 + 1},
], ids=repr)
def test_a_bacnet_address_with_a_bad_object_or_index_is_refused(changes):
    assert not ok({**BACNET, **changes}, "bacnet-ip")


# ---------------------------------------------------------------------------- mqtt
@pytest.mark.parametrize("address", [MQTT, {"topic": "myems/#"}, {"topic": "t" * 1024}], ids=repr)
def test_an_mqtt_address_with_a_topic_is_accepted(address):
    assert ok(address, "mqtt")


@pytest.mark.parametrize("address", [{}, {"topic": ""}, {"topic": "  "}, {"topic": None}, {"topic": 7},
                                     {"topic": "t" * 1025}, {"value_path": "data.value"},
                                     {"topic": "t", "value_path": ""}, {"topic": "t", "value_path": 3}], ids=repr)
def test_an_mqtt_address_without_a_usable_topic_or_path_is_refused(address):
    assert not ok(address, "mqtt")


# ---------------------------------------------------------------------------- protocols, shapes
@pytest.mark.parametrize("protocol", ["modbus-tcp", "bacnet-ip", "mqtt", "simulation", None])
@pytest.mark.parametrize("address", ["[]", "[1, 2]", "\"text\"", "3", "null"])
def test_an_address_that_is_not_a_json_object_is_refused_whatever_the_protocol(protocol, address):
    assert not ok(address, protocol)


@pytest.mark.parametrize("protocol", ["simulation", "opc-ua", "weather", None])
def test_a_protocol_without_address_rules_accepts_any_json_object(protocol):
    assert ok({"anything": [1, 2]}, protocol) and ok({}, protocol)


def test_each_protocol_applies_its_own_rules():
    assert ok(SEED_MODBUS, "modbus-tcp") and not ok(SEED_MODBUS, "bacnet-ip") and not ok(SEED_MODBUS, "mqtt")
    assert ok(BACNET, "bacnet-ip") and not ok(BACNET, "modbus-tcp")
    assert ok(MQTT, "mqtt") and not ok(MQTT, "modbus-rtu")


# ---------------------------------------------------------------------------- virtual points
def virtual(expression: Any, subs: Any) -> dict[str, Any]:
    return {"expression": expression, "substitutions": subs}


@pytest.mark.parametrize("address", [
    virtual("x1+x2", json.dumps({"x1": 1, "x2": 2})),
    virtual("x1+x2", {"x1": 1, "x2": 2}),
    virtual("x1*0.5+10", json.dumps({"x1": 3, "unused": 4})),
    virtual("100", "{}"),
], ids=repr)
def test_a_virtual_address_with_an_expression_over_substituted_points_is_accepted(address):
    assert ok(address, "modbus-tcp", is_virtual=True)


@pytest.mark.parametrize("address", [
    virtual("__import__('os')", "{}"),
    virtual("x1.real", json.dumps({"x1": 1})),
    virtual("x1 ** 2", json.dumps({"x1": 1})),
    virtual("x1+x2", json.dumps({"x1": 1})),
    virtual("x1", json.dumps({"x1": "1"})),
    virtual("x1", json.dumps({"x1": 0})),
    virtual("x1", json.dumps({"x1": True})),
    virtual("x1", json.dumps({"x1": 1.5})),
    virtual("x1", "not json"),
    virtual("x1", "[1]"),
    virtual("x1", None),
    virtual("", json.dumps({"x1": 1})),
    virtual(None, json.dumps({"x1": 1})),
    {"substitutions": json.dumps({"x1": 1})},
    SEED_MODBUS,
], ids=repr)
def test_a_virtual_address_with_a_bad_expression_or_substitutions_is_refused(address):
    assert not ok(address, "modbus-tcp", is_virtual=True)


def test_a_virtual_address_ignores_the_protocols_rules():
    address = virtual("x1", json.dumps({"x1": 1}))
    assert ok(address, "mqtt", is_virtual=True) and not ok(address, "mqtt")


@pytest.mark.parametrize(("address", "expected"), [
    ({"substitutions": "{\"x1\": 3}"}, {"x1": 3}),
    ({"substitutions": {"x1": 3}}, {"x1": 3}),
    ({"substitutions": "not json"}, None),
    ({"substitutions": "[3]"}, None),
    ({}, None),
])
def test_substitutions_are_read_from_a_json_string_or_an_object(address, expected):
    assert substitutions(address) == expected
