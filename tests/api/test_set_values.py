"""PUT /pointsetvalues/{id}: what is queued for a device, and what is refused with nothing queued."""

from __future__ import annotations

import json
from typing import Any

import pytest

from myems_api.db.operations_tables import point_set_values
from tests.client import Api, count, refused


def _point(admin: Api, protocol: str, address: dict[str, Any], **extra: Any) -> int:
    gateway = admin.create("/gateways", {"name": f"gw-{protocol}"})
    connection = {"modbus-tcp": {"host": "127.0.0.1", "port": 502}, "bacnet-ip": {"host": "127.0.0.1"},
                  "mqtt": {"host": "127.0.0.1", "port": 1883, "topic": "site/#", "qos": 1},
                  "simulation": {}}[protocol]
    source = admin.create("/datasources", {"name": protocol, "gateway_id": gateway["id"], "protocol": protocol,
                                           "connection": json.dumps(connection)})
    point = admin.create("/points", {"name": "p", "data_source_id": source["id"], "object_type": "ANALOG_VALUE",
                                     "units": "kW", "high_limit": 100, "low_limit": 0, "address": json.dumps(address),
                                     **extra})
    return int(point["id"])


HOLDING = {"slave_id": 1, "function_code": 3, "offset": 0, "number_of_registers": 1, "format": ">h"}


def test_a_set_value_on_a_writable_point_is_queued_and_listed(admin, app):
    point_id = _point(admin, "modbus-tcp", HOLDING)
    result = admin.put(f"/pointsetvalues/{point_id}", {"set_value": 42})
    assert result.status_code == 200, result.json
    assert (result.json["point_id"], result.json["set_value"], result.json["status"]) == (point_id, 42, "queued")
    assert result.json["requested_datetime"] and result.json["done_datetime"] is None
    assert [r["id"] for r in admin.get(f"/pointsetvalues/{point_id}").json] == [result.json["id"]]


@pytest.mark.parametrize("protocol, address", [
    ("modbus-tcp", {**HOLDING, "function_code": 4}),
    ("bacnet-ip", {"object_type": "analogInput", "object_id": 1, "property_name": "presentValue"}),
    ("mqtt", {"topic": "site/valve"}),
    ("simulation", {"kind": "power"}),
])
def test_a_point_no_device_lets_us_write_is_refused_and_nothing_is_queued(admin, app, protocol, address):
    point_id = _point(admin, protocol, address)
    refused(admin.put(f"/pointsetvalues/{point_id}", {"set_value": 1}), 400, "API.POINT_IS_NOT_WRITABLE")
    assert count(app, point_set_values) == 0


@pytest.mark.parametrize("value, code", [(101, "API.SET_VALUE_OUT_OF_RANGE"), (-1, "API.SET_VALUE_OUT_OF_RANGE"),
                                         (1.5, "API.INVALID_SET_VALUE"), ("5", "API.INVALID_SET_VALUE"),
                                         (True, "API.INVALID_SET_VALUE"), (None, "API.INVALID_SET_VALUE")])
def test_a_value_the_point_cannot_take_is_refused_and_nothing_is_queued(admin, app, value, code):
    point_id = _point(admin, "modbus-tcp", HOLDING)
    refused(admin.put(f"/pointsetvalues/{point_id}", {"set_value": value}), 400, code)
    assert count(app, point_set_values) == 0


def test_an_unknown_point_and_a_normal_user_are_refused(api, admin):
    refused(admin.put("/pointsetvalues/99999", {"set_value": 1}), 404, "API.POINT_NOT_FOUND")
    refused(admin.put("/pointsetvalues/abc", {"set_value": 1}), 400, "API.INVALID_POINT_ID")
    refused(api.put("/pointsetvalues/1", {"set_value": 1}), 401, "API.NOT_AUTHENTICATED")
