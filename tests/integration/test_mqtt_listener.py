"""The MQTT listener against a real mosquitto on loopback, fed by a separate paho client publishing QoS 1."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from acquisition.drivers.mqtt import MqttListener
from acquisition.readings import PointSpec, Reading
from tests import peers

pytestmark = pytest.mark.skipif(peers.mosquitto_binary() is None, reason="needs Debian's mosquitto (CI installs it)")

POINTS = [
    PointSpec(1, "ANALOG_VALUE", {"topic": "site/gateway"}),
    PointSpec(2, "ANALOG_VALUE", {"topic": "site/gateway"}, ratio=2.0, offset_constant=1.0),
    PointSpec(3, "ANALOG_VALUE", {"topic": "site/gateway"}, high_limit=100.0),
    PointSpec(4, "ENERGY_VALUE", {"topic": "site/meter/4", "value_path": "data.values.1"}),
    PointSpec(5, "ANALOG_VALUE", {"topic": "site/raw/5"}),
]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    with peers.mosquitto(tmp_path) as port:
        yield port


class Publisher:
    """A separate client: every publish waits for the broker's acknowledgement."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
        self.client.connect("127.0.0.1", port, 30)
        self.client.loop_start()

    def _publish(self, topic: str, payload: Any, qos: int, retain: bool) -> None:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(topic, raw, qos=qos, retain=retain)
        info.wait_for_publish(5)
        assert info.is_published()

    async def publish(self, topic: str, payload: Any, qos: int = 1, retain: bool = False) -> None:
        await asyncio.to_thread(self._publish, topic, payload, qos, retain)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def publisher(port: int) -> Iterator[Publisher]:
    client = Publisher(port)
    try:
        yield client
    finally:
        client.close()


class Collected:
    def __init__(self) -> None:
        self.readings: list[Reading] = []

    def emit(self, readings: Sequence[Reading]) -> None:
        self.readings.extend(readings)

    def by_point(self) -> dict[int, Reading]:
        return {r.point_id: r for r in self.readings}


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@asynccontextmanager
async def listening(listener: MqttListener, subscribed: int = 1) -> AsyncIterator[Collected]:
    """The listener running as a task, yielded once subscribed; stopped (and checked) on exit."""
    got = Collected()
    stop = asyncio.Event()
    task = asyncio.create_task(listener.listen(POINTS, got.emit, stop))
    try:
        await until(lambda: task.done() or listener.stats.extra["subscribed"] >= subscribed)
        assert not task.done(), task
        yield got
    finally:
        stop.set()
        await asyncio.wait_for(task, 3)


def test_each_payload_form_becomes_readings_for_the_right_points(broker: int) -> None:
    listener = MqttListener("127.0.0.1", broker, "site/#")

    async def scenario() -> Collected:
        async with listening(listener) as got, asyncio.timeout(10):
            with publisher(broker) as pub:
                await pub.publish("site/gateway", {"point_id": 1, "value": 3.2,
                                                   "utc_date_time": "2026-01-01T01:15:00.123+01:00"})
                await pub.publish("site/gateway", [{"point_id": 2, "value": 10}, {"point_id": 3, "value": "150"}])
                await pub.publish("site/meter/4", {"data": {"values": [1.5, 7.25]}})
                await pub.publish("site/raw/5", b"42")
                await until(lambda: len(got.readings) == 5)
        return got

    got = asyncio.run(scenario()).by_point()
    assert {i: (r.value, r.good) for i, r in got.items()} == {
        1: (3.2, True), 2: (21.0, True), 3: (150.0, False), 4: (7.25, True), 5: (42.0, True)}
    assert got[1].utc == datetime(2026, 1, 1, 0, 15, 0, 123000)
    assert listener.stats.extra["messages"] == 4 and listener.stats.extra["readings"] == 5
    assert listener.stats.errors == 0


def test_bad_messages_are_counted_and_skipped_and_the_next_valid_one_arrives(broker: int) -> None:
    listener = MqttListener("127.0.0.1", broker, "site/#", max_payload=1024, client_id="test-bad")

    async def scenario() -> Collected:
        async with listening(listener) as got, asyncio.timeout(10):
            with publisher(broker) as pub:
                await pub.publish("site/gateway", b"{not json")
                await pub.publish("site/gateway", {"point_id": 1, "value": 1, "pad": "x" * 2000})
                await pub.publish("site/gateway", {"point_id": 99, "value": 1})
                await pub.publish("site/gateway", {"point_id": 1, "value": True})
                await pub.publish("site/gateway", {"point_id": 1, "value": 5})
                await until(lambda: len(got.readings) == 1)
        return got

    got = asyncio.run(scenario())
    assert [(r.point_id, r.value) for r in got.readings] == [(1, 5.0)]
    extra = listener.stats.extra
    assert (extra["messages"], extra["malformed"], extra["oversized"], extra["unknown_point"],
            extra["invalid_value"]) == (5, 1, 1, 1, 1)
    assert listener.stats.errors == 4 and listener.stats.last_error.startswith("invalid_value")


def test_a_failing_emit_is_counted_and_the_listener_goes_on(broker: int) -> None:
    listener = MqttListener("127.0.0.1", broker, "site/#", client_id="test-emit")
    got: list[float | None] = []

    def emit(readings: Sequence[Reading]) -> None:
        got.extend(r.value for r in readings)
        if len(got) == 1:
            raise RuntimeError("the writer is full")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(listener.listen(POINTS, emit, stop))
        async with asyncio.timeout(10):
            await until(lambda: listener.stats.extra["subscribed"] == 1)
            with publisher(broker) as pub:
                await pub.publish("site/gateway", {"point_id": 1, "value": 1})
                await pub.publish("site/gateway", {"point_id": 1, "value": 2})
                await until(lambda: len(got) == 2)
            stop.set()
            await task

    asyncio.run(scenario())
    assert got == [1.0, 2.0] and listener.stats.extra["emit_failures"] == 1
    assert "the writer is full" in listener.stats.last_error


def test_retained_replays_are_skipped(broker: int) -> None:
    listener = MqttListener("127.0.0.1", broker, "site/#", client_id="test-retained")

    async def scenario() -> Collected:
        with publisher(broker) as pub:
            await pub.publish("site/gateway", {"point_id": 1, "value": 1}, retain=True)
            async with listening(listener) as got, asyncio.timeout(10):
                await until(lambda: listener.stats.extra["retained"] == 1)
                await pub.publish("site/gateway", {"point_id": 1, "value": 2})
                await until(lambda: len(got.readings) == 1)
        return got

    assert [r.value for r in asyncio.run(scenario()).readings] == [2.0]


def test_the_broker_restarting_mid_stream_costs_a_reconnect_not_the_stream(tmp_path: Path) -> None:
    for name in ("first", "second"):
        (tmp_path / name).mkdir()

    async def scenario() -> tuple[MqttListener, Collected]:
        with ExitStack() as brokers:
            port = brokers.enter_context(peers.mosquitto(tmp_path / "first"))
            listener = MqttListener("127.0.0.1", port, "site/#", client_id="test-restart", reconnect_min=0.1,
                                    reconnect_max=0.5)
            async with listening(listener) as got, asyncio.timeout(15):
                with publisher(port) as pub:
                    await pub.publish("site/gateway", {"point_id": 1, "value": 1})
                    await until(lambda: len(got.readings) == 1)
                brokers.close()
                await until(lambda: listener.stats.extra["disconnects"] == 1)
                brokers.enter_context(peers.mosquitto(tmp_path / "second", port=port))  # the same port
                await until(lambda: listener.stats.extra["subscribed"] == 2)
                with publisher(port) as pub:
                    await pub.publish("site/gateway", {"point_id": 1, "value": 2})
                    await pub.publish("site/gateway", [{"point_id": 2, "value": 3}])
                    await until(lambda: len(got.readings) == 3)
        return listener, got

    listener, got = asyncio.run(scenario())
    assert [(r.point_id, r.value) for r in got.readings] == [(1, 1.0), (1, 2.0), (2, 7.0)]
    assert listener.stats.extra["connects"] == 2


def test_the_session_keeps_qos1_messages_published_while_the_listener_was_stopped(broker: int) -> None:
    async def scenario() -> Collected:
        async with listening(MqttListener("127.0.0.1", broker, "site/#", client_id="test-session")):
            pass
        with publisher(broker) as pub:
            await pub.publish("site/gateway", {"point_id": 1, "value": 9})
        async with listening(MqttListener("127.0.0.1", broker, "site/#", client_id="test-session")) as got, \
                asyncio.timeout(10):
            await until(lambda: len(got.readings) == 1)
        return got

    assert [(r.point_id, r.value) for r in asyncio.run(scenario()).readings] == [(1, 9.0)]


def test_stop_returns_promptly_connected_or_not(broker: int) -> None:
    async def stop_after(listener: MqttListener, ready: Callable[[], bool]) -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(listener.listen(POINTS, lambda readings: None, stop))
        await until(ready)
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 5)
        return time.monotonic() - started

    connected = MqttListener("127.0.0.1", broker, "site/#", client_id="test-stop")
    assert asyncio.run(stop_after(connected, lambda: connected.stats.extra["subscribed"] == 1)) < 0.5
    assert connected.stats.extra["disconnects"] == 1
    nobody = MqttListener("127.0.0.1", peers.free_port(), "site/#", client_id="test-stop-2", reconnect_min=5)
    assert asyncio.run(stop_after(nobody, lambda: nobody.stats.extra["unreachable"] == 1)) < 1.5  # in its backoff
    assert nobody.stats.last_error == "broker unreachable"
