"""Publishing to the site's MQTT broker (paho-mqtt 2.x), for commands sent to devices.

A publish is QoS 1 and waits for the broker's acknowledgement: a command the broker never took is an
error the caller sees (503), never a silent success.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class BrokerUnavailable(Exception):
    """Not configured, unreachable, refused, or no acknowledgement in time."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Broker:
    host: str
    port: int = 1883
    username: str = ""
    password: str = ""
    timeout_seconds: float = 5.0

    def publish(self, topic: str, payload: str, qos: int = 1) -> None:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"myems-api-{uuid.uuid4().hex[:12]}")
        if self.username:
            client.username_pw_set(self.username, self.password or None)
        client.connect_timeout = self.timeout_seconds
        try:
            client.connect(self.host, self.port, keepalive=30)
        except (OSError, ValueError) as exc:
            raise BrokerUnavailable("API.MQTT_BROKER_UNREACHABLE") from exc
        client.loop_start()
        try:
            info = client.publish(topic, payload, qos=qos)
            info.wait_for_publish(self.timeout_seconds)
            if not info.is_published():
                raise BrokerUnavailable("API.MQTT_PUBLISH_NOT_ACKNOWLEDGED")
        except (RuntimeError, ValueError) as exc:
            raise BrokerUnavailable("API.MQTT_PUBLISH_FAILED") from exc
        finally:
            client.disconnect()
            client.loop_stop()
