"""Commands reach a real mosquitto broker on loopback; without a broker the API says so (503)."""

from __future__ import annotations

import dataclasses
import queue

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.client import Api
from tests.conftest import ADMIN_PASSWORD, make_app
from tests.peers import free_port, mosquitto, mosquitto_binary

SEED_COMMAND = {"name": "turn_up_light", "topic": "myems/point/2", "payload": "{address:1, slave_id:1, set_value: $s1}",
                "set_value": 2.0, "description": "turn up light"}
needs_mosquitto = pytest.mark.skipif(mosquitto_binary() is None, reason="needs Debian's mosquitto (CI installs it)")


@pytest.fixture
def broker_port(tmp_path):
    with mosquitto(tmp_path) as port:
        yield port


def admin_with_broker(config, port: int) -> Api:
    app = make_app(dataclasses.replace(config, mqtt_host="127.0.0.1", mqtt_port=port, mqtt_timeout_seconds=3))
    return Api(app).login("administrator", ADMIN_PASSWORD)


def subscribe(port: int, topic: str) -> tuple[mqtt.Client, queue.Queue[tuple[str, bytes]]]:
    received: queue.Queue[tuple[str, bytes]] = queue.Queue()
    subscribed = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, message: received.put((message.topic, message.payload))
    client.on_subscribe = lambda c, u, mid, codes, props: subscribed.put(True)
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.subscribe(topic, qos=1)
    subscribed.get(timeout=5)
    return client, received


@needs_mosquitto
def test_sending_a_command_publishes_its_payload_with_the_set_value(config, broker_port):
    admin = admin_with_broker(config, broker_port)
    command = admin.create("/commands", SEED_COMMAND)
    client, received = subscribe(broker_port, "myems/point/2")
    try:
        result = admin.put(f"/commands/{command['id']}/send", {"set_value": 3.5})
        assert result.status_code == 200, result.json
        assert received.get(timeout=5) == ("myems/point/2", b"{address:1, slave_id:1, set_value: 3.5}")
    finally:
        client.disconnect()
        client.loop_stop()


@needs_mosquitto
def test_a_command_without_a_body_sends_its_own_set_value(config, broker_port):
    admin = admin_with_broker(config, broker_port)
    command = admin.create("/commands", SEED_COMMAND)
    result = admin.put(f"/commands/{command['id']}/send")
    assert result.status_code == 200, result.json
    assert result.json["payload"] == "{address:1, slave_id:1, set_value: 2.0}"


def test_sending_without_a_configured_broker_answers_503(admin):
    command = admin.create("/commands", SEED_COMMAND)
    result = admin.put(f"/commands/{command['id']}/send", {"set_value": 2.0})
    assert result.status_code == 503
    assert result.json["description"] == "API.MQTT_BROKER_NOT_CONFIGURED"


def test_sending_to_an_unreachable_broker_answers_503(config):
    admin = admin_with_broker(config, free_port())
    command = admin.create("/commands", SEED_COMMAND)
    result = admin.put(f"/commands/{command['id']}/send", {"set_value": 2.0})
    assert result.status_code == 503
    assert result.json["description"] == "API.MQTT_BROKER_UNREACHABLE"


def test_a_payload_needing_a_value_without_one_is_refused(admin):
    command = admin.create("/commands", {**SEED_COMMAND, "set_value": None})
    result = admin.put(f"/commands/{command['id']}/send", {"set_value": "high"})
    assert result.status_code == 400
    assert result.json["description"] == "API.INVALID_SET_VALUE"


def test_sending_an_unknown_command_is_not_found(admin):
    assert admin.put("/commands/987654/send", {"set_value": 1}).status_code == 404
