"""Point set values as real device writes: ``PUT /pointsetvalues/{id}`` through the API, performed by the
acquisition worker against real peers on loopback (a pymodbus server, a bacpypes3 device, a mosquitto
broker), and found on the device afterwards, with the outcome recorded on the request."""

from __future__ import annotations

import asyncio
import json
import struct
import threading
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from pymodbus.client import AsyncModbusTcpClient

from acquisition.drivers.bacnet_ip import BacnetIpDriver
from acquisition.readings import PointSpec
from tests.client import Api
from tests.integration.test_acquisition_end_to_end import (
    INTERVAL,
    Worker,
    api_point,
    broker,  # noqa: F401 (a fixture)
    data_source,
    gateway,
    modbus,  # noqa: F401 (a fixture)
    needs_mosquitto,
    running,
    until,
)
from tests.integration.test_bacnet_ip import DEVICE_ID
from tests.integration.test_bacnet_ip import device as bacnet_device


def outcome(admin: Api, point_id: int) -> dict[str, Any]:
    (latest, *_) = admin.get(f"/pointsetvalues/{point_id}").json
    return dict(latest)


def finished(admin: Api, point_id: int) -> bool:
    return outcome(admin, point_id)["status"] != "queued" and outcome(admin, point_id)["status"] != "running"


async def holding(port: int, offset: int, count: int) -> list[int]:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2)
    await client.connect()
    try:
        return list((await client.read_holding_registers(offset, count=count, device_id=1)).registers)
    finally:
        client.close()


def test_a_set_value_is_written_to_a_modbus_holding_register_and_read_back(app, admin, modbus, tmp_path):  # noqa: F811
    source = data_source(admin, gateway(admin)["id"], "modbus-tcp", {"host": "127.0.0.1", "port": modbus,
                                                                      "timeout": 1.0, "interval_in_seconds": INTERVAL})
    # A 32-bit float at 0-1 of the peer's holding block, scaled: the device holds (value - 1) / 10.
    address = {"slave_id": 1, "function_code": 3, "offset": 0, "number_of_registers": 2, "format": ">f",
               "byte_order": "CDAB"}
    point_id = api_point(admin, source, "setpoint", "ANALOG_VALUE", address, ratio=10.0, offset_constant=1.0)
    worker = Worker(app, tmp_path)

    async def scenario() -> list[int]:
        async with running(worker):
            await until(lambda: source["id"] in worker.acq.drivers, "the source running")
            queued = admin.put(f"/pointsetvalues/{point_id}", {"set_value": 226.0})
            assert queued.status_code == 200 and queued.json["status"] == "queued", queued.json
            await until(lambda: finished(admin, point_id), "the write performed")
        return await holding(modbus, 0, 2)

    registers = asyncio.run(scenario())
    result = outcome(admin, point_id)
    assert (result["status"], result["reason"]) == ("done", None)
    assert result["read_back_value"] == pytest.approx(226.0)
    wire = b"".join(r.to_bytes(2, "big") for r in registers)
    assert struct.unpack(">f", wire[2:] + wire[:2])[0] == pytest.approx(22.5)  # CDAB, unscaled


def test_a_write_the_device_refuses_is_recorded_as_failed_with_its_reason(app, admin, modbus, tmp_path):  # noqa: F811
    source = data_source(admin, gateway(admin)["id"], "modbus-tcp", {"host": "127.0.0.1", "port": modbus,
                                                                      "timeout": 1.0, "interval_in_seconds": INTERVAL})
    address = {"slave_id": 9, "function_code": 3, "offset": 0, "number_of_registers": 1, "format": ">h"}  # no slave 9
    point_id = api_point(admin, source, "nowhere", "ANALOG_VALUE", address)
    worker = Worker(app, tmp_path)

    async def scenario() -> None:
        async with running(worker):
            await until(lambda: source["id"] in worker.acq.drivers, "the source running")
            admin.put(f"/pointsetvalues/{point_id}", {"set_value": 5})
            await until(lambda: finished(admin, point_id), "the write given up")

    asyncio.run(scenario())
    result = outcome(admin, point_id)
    assert result["status"] == "failed" and result["reason"] and result["read_back_value"] is None


def test_a_set_value_is_written_to_a_bacnet_value_object_at_its_priority(app, admin, tmp_path):
    worker = Worker(app, tmp_path)
    gateway_id = gateway(admin)["id"]
    got: dict[str, Any] = {}

    async def scenario() -> None:
        async with bacnet_device() as port:
            connection = {"host": "127.0.0.1", "port": port, "device_id": DEVICE_ID, "interval_in_seconds": INTERVAL}
            source = data_source(admin, gateway_id, "bacnet-ip", connection)
            address = {"object_type": "analogValue", "object_id": 1, "property_name": "presentValue", "priority": 8}
            point_id = got["point"] = api_point(admin, source, "av", "ANALOG_VALUE", address)
            async with running(worker):
                await until(lambda: source["id"] in worker.acq.drivers, "the source running")
                assert admin.put(f"/pointsetvalues/{point_id}", {"set_value": 42.25}).status_code == 200
                await until(lambda: finished(admin, point_id), "the write performed")
            reader = BacnetIpDriver("127.0.0.1", port)
            try:
                (reading,) = await reader.read([PointSpec(point_id, "ANALOG_VALUE", address)])
            finally:
                await reader.close()
            got["device"] = reading.value

    asyncio.run(scenario())
    result = outcome(admin, got["point"])
    assert result["status"] == "done" and result["read_back_value"] == pytest.approx(42.25)
    assert got["device"] == pytest.approx(42.25)


class Subscriber:
    def __init__(self, port: int, topic: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self.ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-sub-{uuid.uuid4().hex[:8]}")
        self.client.on_subscribe = lambda *args: self.ready.set()
        self.client.on_message = lambda _c, _u, message: self.messages.append(json.loads(message.payload))
        self.client.on_connect = lambda client, *args: client.subscribe(topic, qos=1)
        self.client.connect("127.0.0.1", port, 30)
        self.client.loop_start()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@needs_mosquitto
def test_a_set_value_is_published_on_the_points_command_topic(app, admin, broker, tmp_path):  # noqa: F811
    source = data_source(admin, gateway(admin)["id"], "mqtt", {"host": "127.0.0.1", "port": broker,
                                                               "topic": "site/#", "qos": 1})
    point_id = api_point(admin, source, "valve", "ANALOG_VALUE",
                         {"topic": "site/valve/state", "command_topic": "commands/valve"})
    subscriber = Subscriber(broker, "commands/#")
    worker = Worker(app, tmp_path)

    async def scenario() -> None:
        async with running(worker):
            await until(worker.subscribed, "the worker subscribed")
            await until(subscriber.ready.is_set, "the test subscribed")
            assert admin.put(f"/pointsetvalues/{point_id}", {"set_value": 75}).status_code == 200
            await until(lambda: finished(admin, point_id), "the command published")
            await until(lambda: bool(subscriber.messages), "the command received")

    try:
        asyncio.run(scenario())
    finally:
        subscriber.close()
    assert outcome(admin, point_id)["status"] == "done"
    (message,) = subscriber.messages
    assert (message["point_id"], message["value"]) == (point_id, 75)


def test_no_worker_leaves_the_request_queued_until_it_times_out(app, admin, tmp_path: Path):
    source = data_source(admin, gateway(admin)["id"], "modbus-tcp", {"host": "127.0.0.1", "port": 1})
    point_id = api_point(admin, source, "p", "ANALOG_VALUE", {"slave_id": 1, "function_code": 3, "offset": 0,
                                                              "number_of_registers": 1, "format": ">h"})
    assert admin.put(f"/pointsetvalues/{point_id}", {"set_value": 1}).json["status"] == "queued"
    worker = Worker(app, tmp_path)
    worker.acq.set_timeout = 0.0  # everything queued is already too old

    async def scenario() -> None:
        async with running(worker):
            await until(lambda: source["id"] in worker.acq.drivers, "the source running")
            await until(lambda: finished(admin, point_id), "the request timed out")

    asyncio.run(scenario())
    assert outcome(admin, point_id)["status"] == "timed_out"
