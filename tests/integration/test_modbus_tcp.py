"""The Modbus TCP driver against real pymodbus servers on loopback, each run by its own thread's event loop."""

from __future__ import annotations

import asyncio
import math
import struct
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from acquisition.drivers.modbus_tcp import ModbusTcpDriver
from acquisition.modbus_plan import plan
from acquisition.readings import PointSpec, Reading
from tests.peers import free_port

ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")
# Where each byte of the big-endian value (A = most significant) goes on the wire, by value size and byte order.
WIRE: dict[int, dict[str, tuple[int, ...]]] = {
    2: {"ABCD": (0, 1), "CDAB": (0, 1), "BADC": (1, 0), "DCBA": (1, 0)},
    4: {"ABCD": (0, 1, 2, 3), "CDAB": (2, 3, 0, 1), "BADC": (1, 0, 3, 2), "DCBA": (3, 2, 1, 0)},
    8: {"ABCD": (0, 1, 2, 3, 4, 5, 6, 7), "CDAB": (6, 7, 4, 5, 2, 3, 0, 1), "BADC": (1, 0, 3, 2, 5, 4, 7, 6),
        "DCBA": (7, 6, 5, 4, 3, 2, 1, 0)},
}
TYPES = ((">f", -1234.5678), (">i", -123456789), (">I", 3_000_000_000), (">h", -12345), (">d", math.e))
COILS = [True, False, True, True, False, False, True, False]
DISCRETE = [False, True, True, False]


def wire_registers(fmt: str, value: float, order: str) -> list[int]:
    """The registers a device sends for ``value``: the format's bytes placed per byte order."""
    packed = struct.pack(fmt, value)
    wire = bytes(packed[i] for i in WIRE[len(packed)][order])
    return [int.from_bytes(wire[i:i + 2], "big") for i in range(0, len(wire), 2)]


def point(point_id: int, slave_id: int, function_code: int, offset: int, count: int, **extra: Any) -> PointSpec:
    """A point; ``ratio``, ``offset_constant`` and limits go to the spec, anything else to the address."""
    spec = {k: extra.pop(k) for k in ("ratio", "offset_constant", "high_limit", "low_limit") if k in extra}
    address = {"slave_id": slave_id, "function_code": function_code, "offset": offset, "number_of_registers": count}
    return PointSpec(point_id, "ANALOG_VALUE", {**address, **extra}, **spec)


def holding_block() -> tuple[list[int], list[PointSpec], dict[int, float]]:
    """Every type in every byte order, back to back from address 0 of slave 1."""
    registers: list[int] = []
    points: list[PointSpec] = []
    expected: dict[int, float] = {}
    for order in ORDERS:
        for fmt, value in TYPES:
            point_id = 100 + len(points)
            words = wire_registers(fmt, value, order)
            points.append(point(point_id, 1, 3, len(registers), len(words), format=fmt, byte_order=order))
            expected[point_id] = struct.unpack(fmt, struct.pack(fmt, value))[0]
            registers += words
    return registers, points, expected


HOLDING, HOLDING_POINTS, HOLDING_EXPECTED = holding_block()
INPUT = {0: [4321], 50: wire_registers("<f", 2.5, "ABCD"), 60: wire_registers(">f", math.nan, "ABCD")}
OTHER_POINTS = [
    point(1, 1, 4, 0, 1, format=">H", ratio=0.5, offset_constant=10.0),
    point(2, 1, 4, 50, 2, format="<f"),  # the format's '<' unpacks the ABCD bytes
    *(point(10 + i, 1, 1, i, 1) for i in range(len(COILS))),
    *(point(20 + i, 1, 2, i, 1) for i in range(len(DISCRETE))),
    point(30, 2, 3, 0, 2, data_format="float", byte_order="CDAB"),
]
OTHER_EXPECTED = {1: 4321 * 0.5 + 10, 2: 2.5, 30: -1.25, **{10 + i: float(b) for i, b in enumerate(COILS)},
                  **{20 + i: float(b) for i, b in enumerate(DISCRETE)}}
POINTS = [*HOLDING_POINTS, *OTHER_POINTS]
EXPECTED = {**HOLDING_EXPECTED, **OTHER_EXPECTED}


def registers(start: int, values: list[int]) -> SimData:
    return SimData(start, values=values, datatype=DataType.REGISTERS)


def devices() -> list[SimDevice]:
    """Slave 1 with every block; slave 2 with one float. Addresses not defined answer an exception."""
    return [
        SimDevice(id=1, simdata=(
            [SimData(0, values=COILS + [False] * 8, datatype=DataType.BITS)],
            [SimData(0, values=DISCRETE + [False] * 12, datatype=DataType.BITS)],
            [registers(0, HOLDING)],
            [registers(start, values) for start, values in INPUT.items()],
        )),
        SimDevice(id=2, simdata=(
            [SimData(0, values=[False] * 16, datatype=DataType.BITS)],
            [SimData(0, values=[False] * 16, datatype=DataType.BITS)],
            [registers(0, wire_registers(">f", -1.25, "CDAB"))],
            [registers(0, [0])],
        )),
    ]


class Peer:
    """A pymodbus TCP server on a free loopback port, served by an event loop in a background thread."""

    def __init__(self) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=f"modbus-peer-{self.port}", daemon=True)
        self.thread.start()
        self.server: ModbusTcpServer | None = None

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=5)

    async def _serve(self) -> None:
        self.server = ModbusTcpServer(devices(), address=("127.0.0.1", self.port))
        await self.server.serve_forever(background=True)

    def start(self) -> None:
        self._call(self._serve())

    def stop(self) -> None:
        """Stops listening and closes every open connection."""
        if self.server is not None:
            self._call(self.server.shutdown())
            self.server = None

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@pytest.fixture(scope="module")
def peers() -> Iterator[tuple[Peer, Peer]]:
    pair = (Peer(), Peer())
    try:
        for peer in pair:
            peer.start()
        yield pair
    finally:
        for peer in pair:
            peer.close()


def values(got: list[Reading]) -> dict[int, float | None]:
    return {r.point_id: r.value for r in got}


async def read_once(driver: ModbusTcpDriver, points: list[PointSpec]) -> list[Reading]:
    try:
        return await driver.read(points)
    finally:
        await driver.close()


# ---------------------------------------------------------------------------- reading
def test_every_type_and_byte_order_is_read_in_the_coalesced_requests(peers: tuple[Peer, Peer]) -> None:
    driver = ModbusTcpDriver("127.0.0.1", peers[0].port, timeout=1.0)

    async def twice() -> tuple[list[Reading], list[Reading]]:
        try:
            return await driver.read(POINTS), await driver.read(POINTS)
        finally:
            await driver.close()

    first, second = asyncio.run(twice())
    assert [r.point_id for r in first] == [p.id for p in POINTS]
    assert all(r.good for r in first), [r for r in first if not r.good]
    assert values(first) == pytest.approx(EXPECTED) and values(second) == values(first)
    # FC3 slave 1: 1 request for 44 registers; FC4: 2 (a gap of 49); FC1: 1; FC2: 1; FC3 slave 2: 1.
    assert len(plan(POINTS)) == 6
    assert (driver.requests_sent, driver.connects) == (12, 1)


def test_an_error_answer_or_bad_value_costs_only_its_points(peers: tuple[Peer, Peer]) -> None:
    undefined = point(7, 1, 3, 900, 2, format=">f")  # the device answers ILLEGAL DATA ADDRESS
    nan = point(8, 1, 4, 60, 2, format=">f")
    limited = point(9, 2, 3, 0, 2, format=">f", byte_order="CDAB", low_limit=0.0)
    unusable = point(6, 1, 3, 0, 3, format=">f")  # 3 registers for a 4-byte format: never asked
    points = [*OTHER_POINTS, undefined, nan, limited, unusable]
    driver = ModbusTcpDriver("127.0.0.1", peers[0].port, timeout=1.0)
    got = {r.point_id: r for r in asyncio.run(read_once(driver, points))}
    assert {i for i, r in got.items() if not r.good} == {6, 7, 8, 9}
    assert (got[7].value, got[8].value, got[9].value) == (None, None, -1.25)
    assert {i: r.value for i, r in got.items() if r.good} == pytest.approx(OTHER_EXPECTED)
    # FC3 slave 1 (900); FC4 slave 1: 0, then 50-61 bridged (refused, re-asked as 50 and 60); FC1; FC2; slave 2.
    assert len(plan(points)) == 6
    assert driver.requests_sent == 6 + 2


def test_a_device_refusing_reads_across_gaps_is_read_gap_free(peers: tuple[Peer, Peer]) -> None:
    bridged = [point(1, 1, 4, 0, 1, format=">H"), point(2, 1, 4, 5, 1, format=">H"),
               point(3, 1, 4, 50, 2, format="<f"), point(4, 1, 4, 60, 2, format=">f"), point(5, 1, 1, 0, 1)]
    driver = ModbusTcpDriver("127.0.0.1", peers[0].port, timeout=1.0)

    async def twice() -> tuple[list[Reading], list[Reading]]:
        try:
            return await driver.read(bridged), await driver.read(bridged)
        finally:
            await driver.close()

    first, second = asyncio.run(twice())
    assert [r.value for r in first] == [r.value for r in second] == [4321, None, 2.5, None, 1.0]
    # First read: FC1, 0-5 (refused, re-asked as 0 and 5), 50-61 (refused, re-asked as 50 and 60): 7 requests.
    # Second read: FC1 and the four gap-free requests.
    assert [len(plan(bridged)), driver.requests_sent] == [3, 7 + 5]


# ---------------------------------------------------------------------------- failures
def test_a_stopped_server_costs_only_its_points_without_stalling_and_reads_recover(peers: tuple[Peer, Peer]) -> None:
    alive, dying = peers
    timeout, backoff = 0.5, 0.4

    async def scenario() -> None:
        a = ModbusTcpDriver("127.0.0.1", alive.port, timeout=timeout, backoff_min=backoff, backoff_max=2.0)
        b = ModbusTcpDriver("127.0.0.1", dying.port, timeout=timeout, backoff_min=backoff, backoff_max=2.0)
        try:
            assert all(r.good for r in await b.read(POINTS))
            await asyncio.to_thread(dying.stop)
            started = time.monotonic()
            got_a, got_b = await asyncio.gather(a.read(POINTS), b.read(POINTS))
            assert time.monotonic() - started < timeout + 0.3
            assert all(r.good for r in got_a) and values(got_a) == pytest.approx(EXPECTED)
            assert not any(r.good for r in got_b) and len(got_b) == len(POINTS)
            assert b.last_error.startswith("connect")

            connects, sent = b.connects, b.requests_sent
            await asyncio.to_thread(dying.start)
            started = time.monotonic()
            assert not any(r.good for r in await b.read(POINTS))  # still backing off: answered at once
            assert time.monotonic() - started < 0.05
            assert (b.connects, b.requests_sent) == (connects, sent)

            await asyncio.sleep(backoff)
            got_b = await b.read(POINTS)
            assert all(r.good for r in got_b) and values(got_b) == pytest.approx(EXPECTED)
            assert (b.connects, b.last_error) == (connects + 1, "")
        finally:
            await a.close()
            await b.close()
            if dying.server is None:
                dying.start()

    asyncio.run(scenario())


def test_backoff_doubles_up_to_its_cap_and_answers_at_once_meanwhile() -> None:
    now = [0.0]
    driver = ModbusTcpDriver("127.0.0.1", free_port(), timeout=0.5, backoff_min=1.0, backoff_max=4.0,
                             clock=lambda: now[0])
    attempts = []

    async def scenario() -> None:
        for step in range(12):
            got = await driver.read(HOLDING_POINTS[:3])
            assert [r.good for r in got] == [False] * 3
            attempts.append(driver.connects)
            now[0] = step + 1.0

    asyncio.run(scenario())
    # Connect attempts at t=0, 1 (after 1 s), 3 (2 s), 7 (4 s), 11 (4 s, the cap).
    assert attempts == [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5]
    assert driver.requests_sent == 0


def test_a_silent_server_costs_one_timeout_per_read() -> None:
    """A peer that accepts connections but never answers: each slave is asked once per read."""
    timeout = 0.3

    async def scenario() -> None:
        accepted: list[asyncio.StreamWriter] = []

        async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer)

        silent = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        driver = ModbusTcpDriver("127.0.0.1", port, timeout=timeout)
        try:
            points = [p for p in POINTS if p.address["slave_id"] == 1]
            started = time.monotonic()
            got = await driver.read(points)
            assert timeout - 0.05 < time.monotonic() - started < timeout + 0.3
            assert not any(r.good for r in got)
            assert (driver.requests_sent, len(plan(points))) == (1, 5)
            assert "no answer" in driver.last_error
        finally:
            await driver.close()
            for writer in accepted:
                writer.close()
            silent.close()
            await silent.wait_closed()

    asyncio.run(scenario())
