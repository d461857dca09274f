"""The pure rules behind tariffs and data sources: coverage of a day, contiguous bands, validity, connections.

Rows are given as the checks see them: parsed column values (times as ``HH:MM:SS``, amounts as floats).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from myems_api.resources.acquisition_config import check_connection
from myems_api.resources.tariffs import check_block, check_timeofuse, check_validity

TOU = {"tariff_type": "timeofuse"}
BLOCK = {"tariff_type": "block"}
SEED_DAY = [("00:00:00", "05:59:59"), ("06:00:00", "07:59:59"), ("08:00:00", "10:59:59"), ("11:00:00", "17:59:59"),
            ("18:00:00", "20:59:59"), ("21:00:00", "21:59:59"), ("22:00:00", "23:59:59")]
SEED_BANDS = [(0.0, 10000.0), (10000.0, 30000.0), (30000.0, 100000.0)]


def day(*spans: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"start_time_of_day": start, "end_time_of_day": end, "peak_type": "offpeak", "price": 0.5}
            for start, end in spans]


def blocks(*spans: tuple[float, float]) -> list[dict[str, Any]]:
    return [{"start_amount": start, "end_amount": end, "price": 0.5} for start, end in spans]


def source(protocol: str, connection: Any) -> dict[str, Any]:
    return {"protocol": protocol, "connection": json.dumps(connection)}


# ---------------------------------------------------------------------------- time of use
@pytest.mark.parametrize("spans", [
    pytest.param(SEED_DAY, id="the seed's day"),
    pytest.param(list(reversed(SEED_DAY)), id="the seed's day reversed"),
    pytest.param([("00:00:00", "23:59:59")], id="one row for the whole day"),
    pytest.param([("00:00:00", "00:00:00"), ("00:00:01", "23:59:58"), ("23:59:59", "23:59:59")],
                 id="one-second rows at both ends"),
])
def test_rows_covering_the_day_exactly_once_pass(spans):
    assert check_timeofuse(day(*spans), TOU) is None


@pytest.mark.parametrize(("spans", "code"), [
    pytest.param([], "API.TIMEOFUSE_ITEMS_REQUIRED", id="no rows"),
    pytest.param([("00:00:01", "23:59:59")], "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP", id="missing the first second"),
    pytest.param([("00:00:00", "23:59:58")], "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP", id="missing the last second"),
    pytest.param([("00:00:00", "05:59:59"), ("06:00:01", "23:59:59")], "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP",
                 id="a one-second gap"),
    pytest.param(SEED_DAY[:3] + SEED_DAY[4:], "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP", id="a row left out"),
    pytest.param([("00:00:00", "06:00:00"), ("06:00:00", "23:59:59")], "API.TIMEOFUSE_ITEMS_OVERLAP",
                 id="rows sharing a second"),
    pytest.param(SEED_DAY + [("08:00:00", "10:59:59")], "API.TIMEOFUSE_ITEMS_OVERLAP", id="a row repeated"),
    pytest.param([("00:00:00", "23:59:59"), ("12:00:00", "12:59:59")], "API.TIMEOFUSE_ITEMS_OVERLAP",
                 id="a row inside another"),
    pytest.param([("00:00:00", "05:59:59"), ("23:59:59", "06:00:00")], "API.INVALID_END_TIME_OF_DAY",
                 id="a row ending before it starts"),
])
def test_rows_that_do_not_cover_the_day_exactly_once_answer_their_code(spans, code):
    assert check_timeofuse(day(*spans), TOU) == code


# ---------------------------------------------------------------------------- blocks
@pytest.mark.parametrize("spans", [
    pytest.param(SEED_BANDS, id="the seed's bands"),
    pytest.param(list(reversed(SEED_BANDS)), id="the seed's bands reversed"),
    pytest.param([(0.0, 1e11)], id="one band"),
    pytest.param([(0.0, 0.5), (0.5, 1.25)], id="fractional amounts"),
])
def test_contiguous_bands_from_zero_pass(spans):
    assert check_block(blocks(*spans), BLOCK) is None


@pytest.mark.parametrize(("spans", "code"), [
    pytest.param([], "API.BLOCK_ITEMS_REQUIRED", id="no bands"),
    pytest.param([(100.0, 10000.0)], "API.BLOCK_ITEMS_LEAVE_A_GAP", id="not starting at 0"),
    pytest.param([(0.0, 10000.0), (15000.0, 30000.0)], "API.BLOCK_ITEMS_LEAVE_A_GAP", id="a gap"),
    pytest.param([(0.0, 10000.0), (9999.5, 30000.0)], "API.BLOCK_ITEMS_OVERLAP", id="an overlap"),
    pytest.param([(0.0, 10000.0), (0.0, 10000.0)], "API.BLOCK_ITEMS_OVERLAP", id="a band repeated"),
    pytest.param([(0.0, 0.0)], "API.INVALID_END_AMOUNT", id="an empty band"),
    pytest.param([(0.0, 10000.0), (10000.0, 5000.0)], "API.INVALID_END_AMOUNT", id="a band ending before it starts"),
])
def test_bands_that_are_not_contiguous_from_zero_answer_their_code(spans, code):
    assert check_block(blocks(*spans), BLOCK) == code


# ---------------------------------------------------------------------------- validity
JAN_1 = datetime(2020, 1, 1)


@pytest.mark.parametrize(("through", "code"), [
    (JAN_1 + timedelta(seconds=1), None),
    (datetime(2021, 1, 1), None),
    (JAN_1, "API.INVALID_VALID_THROUGH_DATETIME"),
    (JAN_1 - timedelta(seconds=1), "API.INVALID_VALID_THROUGH_DATETIME"),
])
def test_valid_through_must_come_after_valid_from(through, code):
    tariff = {"valid_from_datetime_utc": JAN_1, "valid_through_datetime_utc": through}
    assert check_validity(tariff) == code


# ---------------------------------------------------------------------------- connections
@pytest.mark.parametrize(("protocol", "connection"), [
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 65535, "interval_in_seconds": 60, "timeout": 0.5}),
    ("modbus-rtu", {"port": "/dev/ttyUSB0", "baudrate": 9600}),
    ("bacnet-ip", {"host": "192.168.1.20"}),
    ("bacnet-ip", {"host": "192.168.1.20", "port": 47808, "device_id": 4194303}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "myems/#", "qos": 1}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": 2, "username": "u", "password": "p"}),
    ("simulation", {}),
    ("simulation", {"anything": [1, {"goes": None}]}),
    ("iec61850", {"ied": "IED1"}),
])
def test_a_connection_fitting_its_protocol_passes(protocol, connection):
    assert check_connection(source(protocol, connection)) is None


@pytest.mark.parametrize(("protocol", "connection"), [
    ("modbus-tcp", {"port": 502}),
    ("modbus-tcp", {"host": "10.1.2.88"}),
    ("modbus-tcp", {"host": " ", "port": 502}),
    ("modbus-tcp", {"host": "h" * 256, "port": 502}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 0}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 65536}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": "502"}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": True}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502, "timeout": 0}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502, "interval_in_seconds": False}),
    ("modbus-rtu", {"port": "/dev/ttyUSB0", "baudrate": 10}),
    ("bacnet-ip", {"port": 47808}),
    ("bacnet-ip", {"host": "192.168.1.20", "port": 0}),
    ("bacnet-ip", {"host": "192.168.1.20", "device_id": 4194304}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t"}),
    ("mqtt", {"host": "broker.local", "port": 1883, "qos": 0}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": 3}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": True}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": 0, "username": ""}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": 0, "password": 1234}),
    ("simulation", [1, 2]),
    ("simulation", 42),
    ("simulation", None),
    ("simulation", "text"),
    ("modbus-tcp", ["10.1.2.88", 502]),
])
def test_a_connection_not_fitting_its_protocol_is_invalid(protocol, connection):
    assert check_connection(source(protocol, connection)) == "API.INVALID_CONNECTION"


def test_a_connection_is_read_from_its_json_text():
    assert check_connection({"protocol": "modbus-tcp", "connection": "{\"host\":\"10.1.2.88\", \"port\":502}"}) is None
    assert check_connection({"protocol": "modbus-tcp", "connection": "{\"host\":\"10.1.2.88\"}"}) == (
        "API.INVALID_CONNECTION")
