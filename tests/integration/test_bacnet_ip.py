"""The BACnet/IP driver against a real bacpypes3 device on loopback, served in the test's own event loop.

Each test starts its device on a fresh UDP port (bacpypes3 binds with SO_REUSEPORT, so a stale device on a
reused port would silently share requests) and the driver on a free port of its own (a unicast to 127.x on
the sender's own port is answered by the sender).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest
from bacpypes3.app import Application
from bacpypes3.local.analog import AnalogInputObject, AnalogValueObject
from bacpypes3.local.binary import BinaryValueObject
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.multistate import MultiStateValueObject
from bacpypes3.local.networkport import NetworkPortObject

from acquisition.drivers.bacnet_ip import BacnetIpDriver, target
from acquisition.readings import PointSpec, Reading

T = TypeVar("T")
DEVICE_ID = 1001
EXPECTED = {1: 12.5, 2: -3.25, 3: 1.0, 4: 3.0, 5: 0.0, 6: 12.5, 7: 7.0}
# Spellings vary on purpose: the API accepts "analogValue", "analog-value" and "analogvalue" alike.
ADDRESSES: dict[int, tuple[str, int, str, int | None]] = {
    1: ("analogValue", 1, "presentValue", None),
    2: ("analog-input", 2, "present-value", None),
    3: ("binaryValue", 3, "presentValue", None),
    4: ("multiStateValue", 4, "present-value", None),
    5: ("binary-value", 5, "PresentValue", None),
    6: ("analogvalue", 1, "present-value", None),  # the same property as point 1: asked once
    7: ("device", DEVICE_ID, "objectList", 0),  # the object list's length (7 objects): matched with its index
}


def udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a scenario in a fresh loop, failing rather than hanging past 10 s."""
    async def bounded() -> T:
        return await asyncio.wait_for(coroutine, 10)

    return asyncio.run(bounded())


def point(point_id: int, object_type: str, object_id: int, property_name: str = "present-value",
          index: int | None = None, **spec: Any) -> PointSpec:
    address = {"object_type": object_type, "object_id": object_id, "property_name": property_name,
               "property_array_index": index}
    return PointSpec(point_id, "ANALOG_VALUE", address, **spec)


POINTS = [point(i, *address) for i, address in ADDRESSES.items()]


class NoReadPropertyMultiple(Application):  # type: ignore[misc]
    """A device without ReadPropertyMultiple: bacpypes3 answers it with reject unrecognized-service."""

    do_ReadPropertyMultipleRequest = None


@asynccontextmanager
async def device(serve_rpm: bool = True) -> AsyncIterator[int]:
    """A BACnet device on a fresh loopback port with one object of each kind; yields the port."""
    port = udp_port()
    kind = Application if serve_rpm else NoReadPropertyMultiple
    app = kind.from_object_list([
        DeviceObject(objectIdentifier=("device", DEVICE_ID), objectName="peer"),
        NetworkPortObject(f"127.0.0.1:{port}", objectIdentifier=("network-port", 1), objectName="NetworkPort-1"),
    ])
    for obj in (
        AnalogValueObject(objectIdentifier=("analogValue", 1), objectName="av", presentValue=12.5),
        AnalogInputObject(objectIdentifier=("analogInput", 2), objectName="ai", presentValue=-3.25),
        BinaryValueObject(objectIdentifier=("binaryValue", 3), objectName="bv-on", presentValue="active"),
        MultiStateValueObject(objectIdentifier=("multiStateValue", 4), objectName="msv", presentValue=3,
                              numberOfStates=5),
        BinaryValueObject(objectIdentifier=("binaryValue", 5), objectName="bv-off", presentValue="inactive"),
    ):
        app.add_object(obj)
    try:
        yield port
    finally:
        app.close()
        await asyncio.sleep(0)


async def read_with(driver: BacnetIpDriver, *batches: list[PointSpec]) -> list[list[Reading]]:
    try:
        return [await driver.read(points) for points in batches]
    finally:
        await driver.close()


def values(got: list[Reading]) -> dict[int, float | None]:
    return {r.point_id: r.value for r in got}


def test_every_kind_is_read_with_one_request_and_matched_by_identifier() -> None:
    shuffled = [random.Random(seed).sample(POINTS, len(POINTS)) for seed in range(3)]

    async def scenario() -> tuple[list[list[Reading]], BacnetIpDriver]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, DEVICE_ID, local_address="127.0.0.1:0", timeout=2.0)
            return await read_with(driver, *shuffled), driver

    reads, driver = run(scenario())
    for asked, got in zip(shuffled, reads, strict=True):
        assert [r.point_id for r in got] == [p.id for p in asked]
        assert all(r.good for r in got), got
        assert values(got) == EXPECTED
    assert (driver.mode, driver.rpm_supported, driver.requests_sent) == ("rpm", True, 3)


def test_properties_are_split_over_requests_of_at_most_max_per_request() -> None:
    async def scenario() -> tuple[list[Reading], BacnetIpDriver]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0, max_per_request=2)
            return (await read_with(driver, POINTS))[0], driver

    got, driver = run(scenario())
    assert values(got) == EXPECTED
    assert driver.requests_sent == 3  # six distinct properties, two a request


def test_an_unknown_object_or_property_costs_only_its_point() -> None:
    broken = [point(20, "analogValue", 99), point(21, "analogInput", 2, "priorityArray"),
              point(22, "bogusType", 1), point(23, "analogValue", 1, "noSuchProperty")]

    async def scenario() -> tuple[list[Reading], BacnetIpDriver]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0)
            return (await read_with(driver, [*broken, *POINTS]))[0], driver

    got, driver = run(scenario())
    assert {r.point_id for r in got if not r.good} == {20, 21, 22, 23}
    assert all(r.value is None for r in got if not r.good)
    assert {i: v for i, v in values(got).items() if v is not None} == EXPECTED
    assert (driver.mode, driver.requests_sent) == ("rpm", 1)  # per-property errors in one answer


def test_a_request_refused_as_a_whole_is_asked_property_by_property() -> None:
    # bacpypes3 answers a ReadPropertyMultiple naming only unknown objects with one error for the request.
    points = [point(20, "analogValue", 98), point(21, "analogValue", 99), *POINTS[:2]]

    async def scenario() -> tuple[list[Reading], BacnetIpDriver]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0, max_per_request=2)
            return (await read_with(driver, points))[0], driver

    got, driver = run(scenario())
    assert values(got) == {20: None, 21: None, 1: 12.5, 2: -3.25}
    assert (driver.mode, driver.requests_sent) == ("rpm", 2 + 2)  # RPM refused, 2 x RP, RPM answered


def test_a_device_without_read_property_multiple_is_read_property_by_property() -> None:
    async def scenario() -> tuple[list[list[Reading]], BacnetIpDriver]:
        async with device(serve_rpm=False) as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0)
            return await read_with(driver, POINTS, [point(20, "analogValue", 99), *POINTS]), driver

    (first, second), driver = run(scenario())
    assert values(first) == EXPECTED and values(second) == {20: None, **EXPECTED}
    assert (driver.mode, driver.rpm_supported) == ("rp", False)
    assert driver.requests_sent == (1 + 6) + 7  # rejected RPM, then one RP per distinct property


def test_a_dead_address_answers_every_point_bad_within_the_timeout() -> None:
    async def scenario() -> tuple[list[list[Reading]], BacnetIpDriver, float]:
        driver = BacnetIpDriver("127.0.0.1", udp_port(), local_address="127.0.0.1:0", timeout=0.5)
        started = time.monotonic()
        reads = await read_with(driver, POINTS, POINTS)
        return reads, driver, time.monotonic() - started

    reads, driver, elapsed = run(scenario())
    assert all(not r.good and r.value is None for got in reads for r in got)
    assert elapsed < 2 * 0.5 + 0.5
    assert driver.requests_sent == 2  # one unanswered request per read, nothing more asked
    assert driver.rpm_supported is None and "no answer" in driver.last_error


def test_ratio_offset_and_limits_are_applied() -> None:
    points = [point(1, "analogValue", 1, ratio=2.0, offset_constant=1.0),
              point(2, "analogInput", 2, ratio=-4.0, high_limit=10.0),
              point(3, "binaryValue", 3, ratio=0.5, offset_constant=-0.5)]

    async def scenario() -> list[Reading]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0)
            return (await read_with(driver, points))[0]

    got = {r.point_id: r for r in run(scenario())}
    assert (got[1].value, got[1].good) == (26.0, True)
    assert (got[2].value, got[2].good) == (13.0, False)  # kept, flagged bad: above its high limit
    assert (got[3].value, got[3].good) == (0.0, True)


def test_close_releases_the_socket_and_the_next_read_opens_a_new_one() -> None:
    async def scenario() -> list[bool]:
        async with device() as port:
            driver = BacnetIpDriver("127.0.0.1", port, local_address="127.0.0.1:0", timeout=2.0)
            closed = []
            for _ in range(2):
                assert values(await driver.read(POINTS[:1])) == {1: 12.5}
                assert driver._app is not None
                transports = [link.server.local_transport for link in driver._app.link_layers.values()]
                await driver.close()
                closed += [t.is_closing() and t.get_extra_info("socket").fileno() == -1 for t in transports]
            await driver.close()  # a second close is harmless
            return closed

    assert run(scenario()) == [True, True]


@pytest.mark.parametrize("address", [
    {"object_type": "analog-value", "object_id": 1, "property_name": "presentValue"},
    {"object_type": "AnalogValue", "object_id": 1, "property_name": "present-value", "property_array_index": None},
    {"object_type": "analogvalue", "object_id": 1, "property_name": "present_value"},
])
def test_spellings_name_the_same_property(address: dict[str, Any]) -> None:
    found = target(address)
    assert found is not None and found.key == (2, 1, 85, None)


@pytest.mark.parametrize("address", [
    {"object_type": "analogValue", "object_id": 4_194_304, "property_name": "presentValue"},
    {"object_type": "analogValue", "object_id": True, "property_name": "presentValue"},
    {"object_type": "analogValue", "object_id": 1, "property_name": "presentValue", "property_array_index": -1},
    {"object_type": "analogValue", "object_id": 1},
])
def test_unusable_addresses_are_never_sent(address: dict[str, Any]) -> None:
    assert target(address) is None


def test_from_connection_defaults_the_port() -> None:
    driver = BacnetIpDriver.from_connection({"host": "10.0.0.5", "device_id": 7}, timeout=1.0)
    assert (driver.host, driver.port, driver.device_id, driver.timeout) == ("10.0.0.5", 47808, 7, 1.0)
