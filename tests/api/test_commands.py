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
    assert result.json["payload"] == "{address:1, slave_id:1, set_value: 2}"  # a whole number as MyEMS writes it


@needs_mosquitto
def test_a_fractional_set_value_and_the_braced_placeholder_are_sent_as_given(config, broker_port):
    admin = admin_with_broker(config, broker_port)
    command = admin.create("/commands", {**SEED_COMMAND, "name": "braced", "payload": "{v: ${s1}}"})
    result = admin.put(f"/commands/{command['id']}/send", {"set_value": 2.5})
    assert result.status_code == 200, result.json
    assert result.json["payload"] == "{v: 2.5}"


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


def test_commands_are_created_read_updated_and_deleted_as_the_seed_shows(admin):
    created = admin.create("/commands", {k: v for k, v in SEED_COMMAND.items() if k != "set_value"})
    assert created["set_value"] is None and created["topic"] == "myems/point/2"
    updated = admin.put(f"/commands/{created['id']}", {**SEED_COMMAND, "name": "turn_up_light_2"})
    assert updated.status_code == 200 and updated.json["set_value"] == 2.0
    assert [c["name"] for c in admin.get("/commands").json] == ["turn_up_light_2"]
    assert admin.delete(f"/commands/{created['id']}").status_code == 204
    assert admin.get(f"/commands/{created['id']}").json["description"] == "API.COMMAND_NOT_FOUND"


def test_a_command_exports_imports_on_another_instance_and_clones(admin, config, tmp_path):
    command = admin.create("/commands", SEED_COMMAND)
    doc = admin.get(f"/commands/{command['id']}/export").json
    other = Api(make_app(dataclasses.replace(config, db_url=f"sqlite:///{tmp_path / 'other.sqlite'}")))
    imported = other.login("administrator", ADMIN_PASSWORD).post("/commands/import", body=None, json=doc)
    assert imported.status_code == 201, imported.json
    assert (imported.json["uuid"], imported.json["payload"]) == (command["uuid"], command["payload"])
    clone = admin.post(f"/commands/{command['id']}/clone")
    assert clone.status_code == 201 and clone.json["name"] == "turn_up_light (1)"


def test_a_command_bound_to_a_meter_cannot_be_deleted(admin):
    category = admin.create("/energycategories", {"name": "E", "unit_of_measure": "kWh", "kgce": 0.1, "kgco2e": 0.5})
    center = admin.create("/costcenters", {"name": "C"})
    meter = admin.create("/meters", {"name": "M", "energy_category_id": category["id"], "is_counted": True,
                                     "hourly_low_limit": 0, "hourly_high_limit": 10, "cost_center_id": center["id"]})
    command = admin.create("/commands", SEED_COMMAND)
    assert admin.post(f"/meters/{meter['id']}/commands", {"command_id": command["id"]}).status_code == 201
    refused = admin.delete(f"/commands/{command['id']}")
    assert (refused.status_code, refused.json["description"]) == (409, "API.THERE_IS_RELATION_WITH_METERS")
