"""The acquisition worker end to end: data sources and points configured through the API, read from real peers
on loopback (a pymodbus server, a mosquitto broker fed by a paho publisher, a bacpypes3 device), and found in
the trend tables, the latest values, and the API's online status and counters.

The peers are the existing integration tests' own (imported, not copied); the stores are SQLite (and MariaDB
too when ``MYEMS_TEST_MYSQL_URL`` is set), through the shared ``app`` and ``admin`` fixtures.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from acquisition.drivers import open_driver
from acquisition.drivers.mqtt import MqttListener
from acquisition.readings import Driver, Listener
from acquisition.worker import Acquisition
from acquisition.writer import TrendWriter
from myems_api.db import historical
from tests import peers
from tests.client import Api
from tests.integration.test_bacnet_ip import DEVICE_ID
from tests.integration.test_bacnet_ip import device as bacnet_device
from tests.integration.test_modbus_tcp import EXPECTED as MODBUS_EXPECTED
from tests.integration.test_modbus_tcp import HOLDING_POINTS, OTHER_POINTS
from tests.integration.test_modbus_tcp import Peer as ModbusPeer
from tests.integration.test_mqtt_listener import publisher

needs_mosquitto = pytest.mark.skipif(peers.mosquitto_binary() is None,
                                     reason="needs Debian's mosquitto (CI installs it)")

INTERVAL = 0.2
LIMITS = {"high_limit": 1e10, "low_limit": -1e10}
Expected = dict[int, tuple[str, float]]  # point id: (object type, the value it must have)


# ---------------------------------------------------------------------------- configuration through the API
def gateway(admin: Api) -> dict[str, Any]:
    return admin.create("/gateways", {"name": "Gateway"})


def data_source(admin: Api, gateway_id: int, protocol: str, connection: Mapping[str, Any]) -> dict[str, Any]:
    return admin.create("/datasources", {"name": protocol, "gateway_id": gateway_id, "protocol": protocol,
                                         "connection": json.dumps(connection)})


def api_point(admin: Api, source: Mapping[str, Any], name: str, kind: str, address: Mapping[str, Any],
              **extra: Any) -> int:
    created = admin.create("/points", {"name": name, "data_source_id": source["id"], "object_type": kind,
                                       "units": "kW", **LIMITS, "address": json.dumps(address), **extra})
    return int(created["id"])


# The Modbus peer's registers (tests/integration/test_modbus_tcp.py), one point per kind of decoding.
MODBUS_KINDS = {"ENERGY_VALUE": [HOLDING_POINTS[1]],  # >i ABCD
                "ANALOG_VALUE": [HOLDING_POINTS[0], HOLDING_POINTS[7], OTHER_POINTS[0], OTHER_POINTS[-1]],
                "DIGITAL_VALUE": [OTHER_POINTS[2], OTHER_POINTS[3]]}  # coils 0 (on) and 1 (off)


def modbus_points(admin: Api, port: int, gateway_id: int) -> tuple[dict[str, Any], Expected]:
    source = data_source(admin, gateway_id, "modbus-tcp", {"host": "127.0.0.1", "port": port, "timeout": 1.0,
                                                           "interval_in_seconds": INTERVAL})
    expected: Expected = {}
    for kind, specs in MODBUS_KINDS.items():
        for spec in specs:
            point_id = api_point(admin, source, f"modbus-{spec.id}", kind, spec.address, ratio=spec.ratio,
                                 offset_constant=spec.offset_constant)
            expected[point_id] = (kind, MODBUS_EXPECTED[spec.id])
    return source, expected


# The BACnet device's objects (tests/integration/test_bacnet_ip.py), addressed as MyEMS spells them.
BACNET = [("ANALOG_VALUE", "analogValue", 1, 12.5), ("ANALOG_VALUE", "analog-input", 2, -3.25),
          ("DIGITAL_VALUE", "binaryValue", 3, 1.0), ("ENERGY_VALUE", "multiStateValue", 4, 3.0)]


def bacnet_points(admin: Api, port: int, gateway_id: int) -> tuple[dict[str, Any], Expected]:
    source = data_source(admin, gateway_id, "bacnet-ip", {"host": "127.0.0.1", "port": port, "device_id": DEVICE_ID,
                                                          "interval_in_seconds": INTERVAL})
    expected: Expected = {}
    for kind, object_type, object_id, value in BACNET:
        address = {"object_type": object_type, "object_id": object_id, "property_name": "present-value"}
        expected[api_point(admin, source, f"bacnet-{object_id}", kind, address)] = (kind, value)
    return source, expected


class MqttFeed:
    """Two MQTT points on one source: one named in the payload (``point_id``), one by its topic and value path.
    ``send`` publishes (QoS 1, acknowledged) a few messages for each and answers what each point must hold."""

    def __init__(self, admin: Api, port: int, gateway_id: int) -> None:
        self.port = port
        self.source = data_source(admin, gateway_id, "mqtt", {"host": "127.0.0.1", "port": port, "topic": "site/#",
                                                              "qos": 1})
        self.energy = api_point(admin, self.source, "mqtt-energy", "ENERGY_VALUE", {"topic": "site/gateway"})
        self.power = api_point(admin, self.source, "mqtt-power", "ANALOG_VALUE",
                               {"topic": "site/meter/7", "value_path": "data.kw"}, ratio=2.0)
        self.sent: dict[int, list[float]] = {self.energy: [], self.power: []}

    async def send(self, rounds: int = 3) -> Expected:
        with publisher(self.port) as pub:
            for i in range(rounds):
                energy, power = 1000.0 + i, 10.0 + i
                await pub.publish("site/gateway", {"point_id": self.energy, "value": energy,
                                                   "utc_date_time": f"2026-01-01T00:0{i}:00Z"})
                await pub.publish("site/meter/7", {"data": {"kw": power}})
                self.sent[self.energy].append(energy)
                self.sent[self.power].append(2.0 * power)
                await asyncio.sleep(0.01)  # the power point is stamped on receipt: one row per message
        return {self.energy: ("ENERGY_VALUE", self.sent[self.energy][-1]),
                self.power: ("ANALOG_VALUE", self.sent[self.power][-1])}


# ---------------------------------------------------------------------------- the peers
@pytest.fixture
def modbus() -> Iterator[int]:
    peer = ModbusPeer()
    try:
        peer.start()
        yield peer.port
    finally:
        peer.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    with peers.mosquitto(tmp_path) as port:
        yield port


# ---------------------------------------------------------------------------- the worker
class Worker:
    """The worker as ``myems acquisition`` runs it (``open_driver``), with fast reloads, flushes and status;
    the drivers it opens are kept so a test can wait for the MQTT subscription before publishing."""

    def __init__(self, app: Any, tmp_path: Path) -> None:
        self.opened: dict[str, list[Driver | Listener]] = {}
        writer = TrendWriter(app.databases.engines["historical"], tmp_path / "spool.jsonl")
        self.acq = Acquisition(app.databases.system, writer, reload_seconds=0.2, flush_seconds=0.1,
                               status_seconds=0.2, opener=self.open)

    def open(self, protocol: str, connection: Mapping[str, Any]) -> Driver | Listener:
        driver = open_driver(protocol, connection)
        self.opened.setdefault(protocol, []).append(driver)
        return driver

    def subscribed(self) -> bool:
        return any(isinstance(d, MqttListener) and d.stats.extra["subscribed"] for d in self.opened.get("mqtt", []))


@asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[asyncio.Task[None]]:
    """``Acquisition.run`` as a task; stopped on exit (its final flush writes the last readings and status)."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.acq.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)  # re-raises whatever ended the worker


async def until(condition: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = condition()
        if done if isinstance(done, bool) else await done:
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def latest(app: Any) -> dict[int, tuple[float | None, bool, datetime]]:
    table = historical.latest_values
    with app.databases.engines["historical"].connect() as conn:
        return {r.point_id: (r.actual_value, r.is_bad, r.utc_date_time) for r in conn.execute(sa.select(table))}


async def stored(app: Any, expected: Expected) -> bool:
    """Every expected point has its expected latest value (polled points are constant; pushed ones end there)."""
    values = await asyncio.to_thread(latest, app)
    return all(p in values and values[p][0] == pytest.approx(v, rel=1e-6) for p, (_, v) in expected.items())


async def rows_at_least(app: Any, expected: Expected, count: int) -> bool:
    """Every expected point has at least ``count`` trend rows (polls keep coming: waiting for them, not for a
    fixed time, keeps the tests right on a busy machine)."""
    def enough() -> bool:
        return all(sum(len(rows) for rows in trend_rows(app, p).values()) >= count for p in expected)
    return await asyncio.to_thread(enough)


# ---------------------------------------------------------------------------- what must be true afterwards
def trend_rows(app: Any, point_id: int) -> dict[str, list[tuple[datetime, float | None, bool]]]:
    """The point's rows in each trend table that has any."""
    found: dict[str, list[tuple[datetime, float | None, bool]]] = {}
    with app.databases.engines["historical"].connect() as conn:
        for kind, table in historical.TRENDS.items():
            rows = conn.execute(sa.select(table.c.utc_date_time, table.c.actual_value, table.c.is_bad).where(
                table.c.point_id == point_id).order_by(table.c.utc_date_time)).all()
            if rows:
                found[kind] = [tuple(r) for r in rows]
    return found


def assert_acquired(app: Any, admin: Api, expected: Expected, sources: Sequence[Mapping[str, Any]],
                    min_rows: int = 2) -> None:
    """Each point's values in its own trend table only, good, and its latest value the newest of them; each
    source (and its gateway) online, with counters showing reads and no errors."""
    newest = latest(app)
    for point_id, (kind, value) in expected.items():
        rows = trend_rows(app, point_id)
        assert set(rows) == {kind}, (point_id, kind, set(rows))
        assert len(rows[kind]) >= min_rows, (point_id, rows[kind])
        assert all(not bad for _, _, bad in rows[kind]), (point_id, rows[kind])
        last_time, last_value, _ = rows[kind][-1]
        assert last_value == pytest.approx(value, rel=1e-6), (point_id, rows[kind])
        latest_value, latest_bad, latest_time = newest[point_id]
        assert latest_value == pytest.approx(value, rel=1e-6) and (latest_bad, latest_time) == (False, last_time)
    for source in sources:
        shown = admin.get(f"/datasources/{source['id']}").json
        assert shown["status"] == "online", shown
        assert admin.get(f"/gateways/{source['gateway']['id']}").json["status"] == "online"
        status = admin.get(f"/datasources/{source['id']}/status").json
        assert (status["data_source"]["id"], status["status"]) == (source["id"], "online"), status
        assert status["reads"] is not None and status["reads"] > 0, (source["protocol"], status)
        assert status["errors"] == 0, (source["protocol"], status)


# ---------------------------------------------------------------------------- the tests
def test_modbus_registers_and_coils_reach_their_trend_tables_and_the_source_shows_online(
        app: Any, admin: Api, modbus: int, tmp_path: Path) -> None:
    source, expected = modbus_points(admin, modbus, gateway(admin)["id"])
    worker = Worker(app, tmp_path)

    async def scenario() -> None:
        async with running(worker):
            await until(lambda: stored(app, expected), "every Modbus point stored")
            await until(lambda: rows_at_least(app, expected, 2), "two reads of every point")

    asyncio.run(scenario())
    assert_acquired(app, admin, expected, [source])


def test_a_bacnet_device_is_read_through_the_api_configuration_and_shows_online(
        app: Any, admin: Api, tmp_path: Path) -> None:
    worker = Worker(app, tmp_path)
    gateway_id = gateway(admin)["id"]
    got: dict[str, Any] = {}

    async def scenario() -> None:
        async with bacnet_device() as port:
            got["source"], got["expected"] = bacnet_points(admin, port, gateway_id)
            async with running(worker):
                await until(lambda: stored(app, got["expected"]), "every BACnet point stored")
                await until(lambda: rows_at_least(app, got["expected"], 2), "two reads of every point")

    asyncio.run(scenario())
    assert_acquired(app, admin, got["expected"], [got["source"]])


@needs_mosquitto
def test_qos1_mqtt_messages_reach_their_trend_tables_and_the_source_shows_reads(
        app: Any, admin: Api, broker: int, tmp_path: Path) -> None:
    feed = MqttFeed(admin, broker, gateway(admin)["id"])
    worker = Worker(app, tmp_path)
    got: dict[str, Expected] = {}

    async def scenario() -> None:
        async with running(worker):
            await until(worker.subscribed, "the worker's MQTT subscription")
            got["expected"] = await feed.send()
            await until(lambda: stored(app, got["expected"]), "every MQTT point stored")

    asyncio.run(scenario())
    for point_id, values in feed.sent.items():  # every message is one row, none lost or doubled
        assert [v for _, v, _ in next(iter(trend_rows(app, point_id).values()))] == pytest.approx(values)
    assert_acquired(app, admin, got["expected"], [feed.source], min_rows=3)


@needs_mosquitto
def test_one_worker_reads_modbus_mqtt_and_bacnet_sources_of_one_gateway_at_once(
        app: Any, admin: Api, modbus: int, broker: int, tmp_path: Path) -> None:
    gateway_id = gateway(admin)["id"]
    modbus_source, expected = modbus_points(admin, modbus, gateway_id)
    feed = MqttFeed(admin, broker, gateway_id)
    worker = Worker(app, tmp_path)
    sources = [modbus_source]

    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            port = await stack.enter_async_context(bacnet_device())
            bacnet_source, bacnet_expected = bacnet_points(admin, port, gateway_id)
            sources.append(bacnet_source)
            expected.update(bacnet_expected)
            await stack.enter_async_context(running(worker))
            await until(worker.subscribed, "the worker's MQTT subscription")
            expected.update(await feed.send())
            await until(lambda: stored(app, expected), "every point of every source stored")
            await until(lambda: rows_at_least(app, expected, 3), "three reads of every point")

    asyncio.run(scenario())
    sources.append(feed.source)
    assert {type(d).__name__ for ds in worker.opened.values() for d in ds} == {
        "ModbusTcpDriver", "MqttListener", "BacnetIpDriver"}
    assert_acquired(app, admin, expected, sources, min_rows=3)

