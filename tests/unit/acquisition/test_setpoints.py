"""Which points take a set value, and the raw value their device is sent."""

from __future__ import annotations

import pytest

from acquisition.modbus_plan import DecodeError, Request, address_of, decode, encode
from acquisition.readings import PointSpec
from acquisition.setpoints import not_writable, raw_value

ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")
FORMATS = ((">f", 2, -1234.5), (">h", 1, -12345), (">H", 1, 65535), (">i", 2, -123456789),
           (">I", 2, 3_000_000_000), (">d", 4, 2.718281828459045), (">q", 4, -(2**40)))


def register_point(fmt: str, count: int, order: str = "ABCD", **spec: float) -> PointSpec:
    address = {"slave_id": 1, "function_code": 3, "offset": 10, "number_of_registers": count, "format": fmt,
               "byte_order": order}
    return PointSpec(1, "ANALOG_VALUE", address, **spec)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("fmt, count, value", FORMATS)
def test_encoding_a_value_is_undone_by_decoding_it_in_every_byte_order(fmt, count, value, order):
    point = register_point(fmt, count, order)
    address = address_of(point)
    words = encode(address, value)
    request = Request(1, 3, address.offset, address.count, ((point, 0),))
    assert decode(point, words, request) == pytest.approx(value)


@pytest.mark.parametrize("fmt, value", [(">h", 1.5), (">h", 40000), (">H", -1), (">f", float("nan"))])
def test_a_value_an_integer_register_cannot_hold_is_refused(fmt, value):
    with pytest.raises(DecodeError):
        encode(address_of(register_point(fmt, 2 if fmt == ">f" else 1)), value)


def test_the_device_is_sent_the_unscaled_value_within_the_points_limits():
    point = register_point(">f", 2, ratio=10.0, offset_constant=1.0, low_limit=0, high_limit=1000)
    assert raw_value("modbus-tcp", point, 226.0) == pytest.approx(22.5)
    with pytest.raises(ValueError, match="API.SET_VALUE_OUT_OF_RANGE"):
        raw_value("modbus-tcp", point, 1001)
    integer = register_point(">h", 1, ratio=0.1, low_limit=-10, high_limit=10)
    with pytest.raises(ValueError, match="API.INVALID_SET_VALUE"):
        raw_value("modbus-tcp", integer, 0.25)  # 2.5 in a 16-bit integer


@pytest.mark.parametrize("protocol, address, writable", [
    ("modbus-tcp", {"slave_id": 1, "function_code": 3, "offset": 0, "number_of_registers": 1, "format": ">h"}, True),
    ("modbus-tcp", {"slave_id": 1, "function_code": 1, "offset": 0, "number_of_registers": 1}, True),
    ("modbus-tcp", {"slave_id": 1, "function_code": 4, "offset": 0, "number_of_registers": 1, "format": ">h"}, False),
    ("modbus-tcp", {"slave_id": 1, "function_code": 2, "offset": 0, "number_of_registers": 1}, False),
    ("bacnet-ip", {"object_type": "analog-output", "object_id": 1, "property_name": "present-value"}, True),
    ("bacnet-ip", {"object_type": "binaryValue", "object_id": 1, "property_name": "presentValue", "priority": 16},
     True),
    ("bacnet-ip", {"object_type": "analogInput", "object_id": 1, "property_name": "presentValue"}, False),
    ("bacnet-ip", {"object_type": "analogValue", "object_id": 1, "property_name": "presentValue", "priority": 17},
     False),
    ("mqtt", {"topic": "a/b", "command_topic": "a/b/set"}, True),
    ("mqtt", {"topic": "a/b"}, False),
    ("mqtt", {"topic": "a/b", "command_topic": "a/#"}, False),
    ("simulation", {"kind": "power"}, False),
])
def test_only_what_a_device_lets_us_write_takes_a_set_value(protocol, address, writable):
    assert (not_writable(protocol, PointSpec(1, "ANALOG_VALUE", address)) is None) == writable


def test_a_virtual_point_never_takes_a_set_value():
    address = {"slave_id": 1, "function_code": 3, "offset": 0, "number_of_registers": 1, "format": ">h"}
    assert not_writable("modbus-tcp", PointSpec(1, "ANALOG_VALUE", address), is_virtual=True) == \
        "API.POINT_IS_NOT_WRITABLE"
