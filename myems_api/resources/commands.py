"""Commands: an MQTT topic and payload a user can send to a device, ``$s1`` standing for a set value."""

from __future__ import annotations

import falcon

from myems_api.db import schema
from myems_api.engine.family import ADMIN, Family
from myems_api.engine.fields import Invalid, Name, Number, Text
from myems_api.engine.store import FamilyStore
from myems_api.errors import ApiError
from myems_api.http import Endpoint, read_data
from myems_api.mqtt import Broker, BrokerUnavailable

commands = Family(
    "command", "commands", schema.commands,
    fields=(Name(), Text("topic", max_len=255), Text("payload", max_len=65535),
            Number("set_value", required=False, null=True),
            Text("description", max_len=4096, required=False, null=True)),
    portable=True,
)

FAMILIES = (commands,)


class CommandSend:
    """``PUT /commands/{id}/send``: publishes the payload, ``$s1`` replaced by ``set_value``, at QoS 1.

    ``set_value`` comes from the body or else the command; a payload with ``$s1`` and no value is refused.
    """

    def __init__(self, store: FamilyStore, broker: Broker | None, max_body: int) -> None:
        self.store = store
        self.broker = broker
        self.max_body = max_body

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/commands/{id}/send").add("PUT", ADMIN, self.on_put)]

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        command = self.store.get(self.store.parse_id(id))
        data = read_data(req, self.max_body, optional=True)
        value = data.get("set_value", command["set_value"])
        payload = command["payload"]
        if "$s1" in payload or "${s1}" in payload:
            try:
                number = Number("set_value").parse(value, self.store.ctx)
            except Invalid as exc:
                raise ApiError(400, "API.INVALID_SET_VALUE") from exc
            text = str(int(number)) if float(number).is_integer() else repr(number)  # 7, not 7.0, as MyEMS sends
            payload = payload.replace("${s1}", text).replace("$s1", text)
        if self.broker is None:
            raise ApiError(503, "API.MQTT_BROKER_NOT_CONFIGURED")
        try:
            self.broker.publish(command["topic"], payload)
        except BrokerUnavailable as exc:
            raise ApiError(503, exc.code) from exc
        resp.media = {"topic": command["topic"], "payload": payload, "qos": 1, "published": True}
