"""Modbus read planning and decoding (acquisition.modbus_plan): pure, no device."""

from __future__ import annotations

import math
import struct
from datetime import datetime
from typing import Any

import pytest

from acquisition.modbus_plan import DecodeError, Request, address_of, decode, plan, readings
from acquisition.readings import PointSpec

UTC0 = datetime(2024, 1, 1, 0, 0, 0)


def reg(point_id: int, offset: int, fmt: str = ">f", slave_id: int = 1, function_code: int = 3,
        byte_order: str | None = None, **spec: Any) -> PointSpec:
    """A register point; ``number_of_registers`` follows from the format."""
    address: dict[str, Any] = {"slave_id": slave_id, "function_code": function_code, "offset": offset,
                               "number_of_registers": struct.calcsize(">" + fmt.lstrip("<>!=@")) // 2,
                               "format": fmt}
    if byte_order:
        address["byte_order"] = byte_order
    return PointSpec(point_id, "ANALOG_VALUE", address, **spec)


def bit(point_id: int, offset: int, function_code: int = 1, count: int = 1, slave_id: int = 1) -> PointSpec:
    return PointSpec(point_id, "DIGITAL_VALUE", {"slave_id": slave_id, "function_code": function_code,
                                                 "offset": offset, "number_of_registers": count})


def shape(requests: list[Request]) -> list[tuple[int, int, int, int, list[tuple[int, int]]]]:
    return [(r.slave_id, r.function_code, r.start, r.count, [(p.id, pos) for p, pos in r.points]) for r in requests]


def only(point: PointSpec) -> Request:
    (request,) = plan([point])
    return request


# ---------------------------------------------------------------------------- coalescing
def test_adjacent_points_are_one_request_with_their_positions() -> None:
    points = [reg(1, 100), reg(2, 102, ">H"), reg(3, 103, ">d")]
    assert shape(plan(points)) == [(1, 3, 100, 7, [(1, 0), (2, 2), (3, 3)])]


def test_points_are_sorted_by_offset_and_overlaps_share_registers() -> None:
    points = [reg(1, 12), reg(2, 10, ">h"), reg(3, 10, ">H"), reg(4, 11, ">i")]
    assert shape(plan(points)) == [(1, 3, 10, 4, [(2, 0), (3, 0), (4, 1), (1, 2)])]


@pytest.mark.parametrize(("second", "expected"), [
    (10, [(0, 12)]),  # gap of 8 registers after 0-1: bridged
    (11, [(0, 2), (11, 2)]),  # gap of 9: a new request
])
def test_a_gap_up_to_eight_registers_is_bridged(second: int, expected: list[tuple[int, int]]) -> None:
    assert [(r.start, r.count) for r in plan([reg(1, 0), reg(2, second)])] == expected


def test_the_gap_is_a_parameter() -> None:
    points = [reg(1, 0), reg(2, 2), reg(3, 5)]
    assert [(r.start, r.count) for r in plan(points, register_gap=0)] == [(0, 4), (5, 2)]


def test_a_request_never_spans_more_than_125_registers() -> None:
    points = [reg(i, 2 * i) for i in range(63)]  # 126 registers back to back
    requests = plan(points)
    assert [(r.start, r.count) for r in requests] == [(0, 124), (124, 2)]
    assert [len(r.points) for r in requests] == [62, 1]
    assert [(r.start, r.count) for r in plan([*points[:62], reg(99, 124, ">h")])] == [(0, 125)]


def test_slaves_and_function_codes_are_separate_requests_in_order() -> None:
    points = [reg(1, 0, slave_id=2), reg(2, 2, function_code=4), reg(3, 0), reg(4, 2), bit(5, 0), bit(6, 1, 2)]
    assert shape(plan(points)) == [
        (1, 1, 0, 1, [(5, 0)]), (1, 2, 1, 1, [(6, 0)]), (1, 3, 0, 4, [(3, 0), (4, 2)]),
        (1, 4, 2, 2, [(2, 0)]), (2, 3, 0, 2, [(1, 0)]),
    ]


def test_bits_bridge_64_and_cap_at_2000() -> None:
    points = [bit(1, 0), bit(2, 65), bit(3, 131), bit(4, 10, function_code=2), bit(5, 11, function_code=2)]
    assert shape(plan(points)) == [(1, 1, 0, 66, [(1, 0), (2, 65)]), (1, 1, 131, 1, [(3, 0)]),
                                   (1, 2, 10, 2, [(4, 0), (5, 1)])]
    wide = [bit(1, 0, count=1500), bit(2, 1500, count=500), bit(3, 2000)]
    assert [(r.start, r.count) for r in plan(wide)] == [(0, 2000), (2000, 1)]


def test_points_with_unusable_addresses_are_left_out() -> None:
    bad = [PointSpec(1, "ANALOG_VALUE", {"slave_id": 0, "function_code": 3, "offset": 0,
                                         "number_of_registers": 2, "format": ">f"}),
           reg(2, 65535),  # 2 registers from the last address
           PointSpec(3, "ANALOG_VALUE", {"slave_id": 1, "function_code": 3, "offset": 0,
                                         "number_of_registers": 1, "format": ">f"}),
           reg(4, 0, byte_order="ABDC"),
           PointSpec(5, "ANALOG_VALUE", {"slave_id": 1, "function_code": 5, "offset": 0}),
           PointSpec(6, "ANALOG_VALUE", {})]
    assert plan(bad) == []
    assert shape(plan([*bad, reg(7, 4)])) == [(1, 3, 4, 2, [(7, 0)])]


# ---------------------------------------------------------------------------- byte orders
# Wire registers for one value whose big-endian bytes are A B C D (E F G H).
INT32 = {"ABCD": [0x1122, 0x3344], "CDAB": [0x3344, 0x1122], "BADC": [0x2211, 0x4433], "DCBA": [0x4433, 0x2211]}
NEG32 = {"ABCD": [0xF122, 0x3344], "CDAB": [0x3344, 0xF122], "BADC": [0x22F1, 0x4433], "DCBA": [0x4433, 0x22F1]}
FLOAT32 = {"ABCD": [0xC2F6, 0xE979], "CDAB": [0xE979, 0xC2F6], "BADC": [0xF6C2, 0x79E9], "DCBA": [0x79E9, 0xF6C2]}
FLOAT64 = {"ABCD": [0x4009, 0x21FB, 0x5444, 0x2D18], "CDAB": [0x2D18, 0x5444, 0x21FB, 0x4009],
           "BADC": [0x0940, 0xFB21, 0x4454, 0x182D], "DCBA": [0x182D, 0x4454, 0xFB21, 0x0940]}
ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")


def raw(fmt: str, registers: list[int], byte_order: str) -> float:
    point = reg(1, 0, fmt, byte_order=byte_order)
    return decode(point, registers, only(point))


@pytest.mark.parametrize("order", ORDERS)
def test_int32_uint32_float32_float64_in_every_byte_order(order: str) -> None:
    assert raw(">i", INT32[order], order) == 0x11223344
    assert raw(">I", NEG32[order], order) == 0xF1223344
    assert raw(">i", NEG32[order], order) == 0xF1223344 - 2**32
    assert raw(">f", FLOAT32[order], order) == struct.unpack(">f", bytes.fromhex("c2f6e979"))[0]
    assert raw(">f", FLOAT32[order], order) == pytest.approx(-123.456, abs=1e-4)
    assert raw(">d", FLOAT64[order], order) == math.pi


@pytest.mark.parametrize(("order", "expected"), [("ABCD", -123), ("CDAB", -123), ("BADC", -31233), ("DCBA", -31233)])
def test_int16_swaps_only_bytes(order: str, expected: int) -> None:
    assert raw(">h", [0xFF85], order) == expected


def test_the_format_unpacks_the_abcd_bytes() -> None:
    assert raw("<i", INT32["ABCD"], "ABCD") == raw(">i", INT32["DCBA"], "ABCD") == 0x44332211
    assert raw("<i", INT32["DCBA"], "DCBA") == 0x44332211
    assert raw("<H", [0x3412], "ABCD") == 0x1234
    for fmt in ("i", "@i", "=i", "!i"):
        assert raw(fmt, INT32["ABCD"], "ABCD") == 0x11223344


@pytest.mark.parametrize(("name", "registers", "expected"), [
    ("float", [0x3FC0, 0x0000], 1.5), ("INT16", [0xFFFF], -1), ("uint16", [0xFFFF], 65535),
    ("uint32", [0xFFFF, 0xFFFF], 2**32 - 1), ("double", FLOAT64["ABCD"], math.pi), ("int64", [0, 0, 0, 7], 7),
])
def test_myems_data_format_names(name: str, registers: list[int], expected: float) -> None:
    point = PointSpec(1, "ANALOG_VALUE", {"slave_id": 1, "function_code": 4, "offset": 0, "data_format": name,
                                          "number_of_registers": len(registers)})
    assert decode(point, registers, only(point)) == expected


def test_a_point_is_read_at_its_position_in_the_request() -> None:
    first, second = reg(1, 10, ">h"), reg(2, 12, ">f", byte_order="CDAB")
    (request,) = plan([first, second])
    answer = [0xFFFE, 0x9999, *FLOAT32["CDAB"]]
    assert (decode(first, answer, request), decode(second, answer, request)) == (-2, raw(">f", FLOAT32["ABCD"], "ABCD"))


# ---------------------------------------------------------------------------- bad data
@pytest.mark.parametrize("registers", [[0x7FC0, 0x0000], [0x7F80, 0x0000], [0xFF80, 0x0000]])
def test_nan_and_infinities_are_refused(registers: list[int]) -> None:
    with pytest.raises(ValueError, match="not a measurement"):
        raw(">f", registers, "ABCD")


def test_nan_float64_is_refused() -> None:
    with pytest.raises(DecodeError):
        raw(">d", [0x7FF8, 0, 0, 0], "ABCD")


@pytest.mark.parametrize("answer", [[0x3FC0], [], [0x3FC0, 0x10000], [0x3FC0, -1]])
def test_short_or_impossible_answers_are_refused(answer: list[int]) -> None:
    with pytest.raises(DecodeError):
        raw(">f", answer, "ABCD")


def test_unusable_addresses_are_refused() -> None:
    with pytest.raises(DecodeError, match="65535"):
        address_of(reg(1, 65535))
    with pytest.raises(DecodeError, match="fill"):
        address_of(PointSpec(1, "ANALOG_VALUE", {"slave_id": 1, "function_code": 3, "offset": 0,
                                                 "number_of_registers": 4, "format": ">f"}))


# ---------------------------------------------------------------------------- bits
def test_bits_are_zero_or_one_and_several_bits_an_unsigned_integer() -> None:
    on, off, word = bit(1, 3), bit(2, 4, count=1), bit(3, 5, count=3)
    (request,) = plan([on, off, word])
    answer = [True, False, True, False, True, False, False, False]  # from offset 3, padded to 8 bits
    assert [decode(p, answer, request) for p in (on, off, word)] == [1.0, 0.0, 5.0]


def test_bits_answer_too_short() -> None:
    point = bit(1, 0, count=9)
    with pytest.raises(DecodeError):
        decode(point, [True] * 8, only(point))


# ---------------------------------------------------------------------------- scaling and limits
def test_readings_scale_check_limits_and_flag_undecodable_points() -> None:
    scaled = reg(1, 0, ">h", ratio=0.1, offset_constant=-2.0)
    limited = reg(2, 1, ">h", high_limit=100.0)
    nan = reg(3, 2, ">f")
    (request,) = plan([scaled, limited, nan])
    got = readings(request, [1234, 101, 0x7FC0, 0x0000], UTC0)
    assert [(r.point_id, r.value, r.good, r.utc) for r in got] == [
        (1, pytest.approx(121.4), True, UTC0), (2, 101.0, False, UTC0), (3, None, False, UTC0)]
