"""MQTT data sources: a paho-mqtt 2.x client on its own network thread, readings handed to the asyncio loop.

Delivery, and what survives what:

- The client keeps a persistent session (MQTT 3.1.1, ``clean_session`` False, a stable client id), so
  QoS 1 messages the broker queued while the listener was away (a network drop, a worker restart, a
  ``stop`` and a later ``listen``) are delivered when it comes back. The broker keeps that session only as
  long as it lives: a broker restart loses it unless the broker itself persists sessions.
- The topic is subscribed again on every (re)connect, so a broker that lost the session still serves it.
- Messages are acknowledged by hand, on the asyncio loop, after ``emit`` took their readings; a message
  whose readings never reached ``emit`` (the listener stopped first) is left unacknowledged, and the broker
  delivers it again to the next session. Delivery is at least once: a connection lost between ``emit``
  and the acknowledgement means the reading may come twice.
- Retained messages replayed on subscribing are skipped (counted as ``retained``): their age is unknown,
  and whatever was published while the listener was subscribed came live or from the session queue.
- Paho reconnects by itself with a doubling backoff (``reconnect_min`` up to ``reconnect_max`` seconds).
  ``stop`` ends ``listen`` at once when connected; during a backoff it can take up to a second (paho sleeps
  in one second steps), and during a connect to a silent host up to ``connect_timeout``.

Nothing a device sends raises: problems are counted in ``stats.extra`` under their kind (see
``acquisition.mqtt_payloads``) and logged at warning level.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from acquisition.mqtt_payloads import MALFORMED, MAX_PAYLOAD, PROBLEM_KINDS, Parsed, Problem, SourcePoints, parse
from acquisition.readings import PointSpec, Reading, SourceStats, WriteError, utc_now

log = logging.getLogger(__name__)

Emit = Callable[[Sequence[Reading]], None]
COUNTERS = ("messages", "readings", *PROBLEM_KINDS, "retained", "connects", "unreachable", "refused", "disconnects",
            "subscribed", "emit_failures")


def stable_client_id(host: str, port: int, topic: str, username: str | None) -> str:
    """The same data source gets the same id on every start, which is what keeps its broker session.

    23 characters at most, the limit MQTT 3.1.1 brokers must accept."""
    digest = hashlib.sha256(f"{host}:{port}:{topic}:{username or ''}".encode()).hexdigest()
    return f"myems-acq-{digest[:12]}"


class MqttListener:
    """One MQTT data source; implements ``Listener``.

    ``stats.reads`` counts messages; ``stats.errors`` messages with a problem, failed connects and failed
    ``emit`` calls; ``stats.extra`` the named counters of :data:`COUNTERS`. Give each data source its own
    ``client_id`` (e.g. ``myems-ds-<id>``) and run one ``listen`` at a time: two clients with one id make the
    broker drop them in turn.
    """

    def __init__(self, host: str, port: int, topic: str, qos: int = 1, username: str | None = None,
                 password: str | None = None, client_id: str | None = None, max_payload: int = MAX_PAYLOAD, *,
                 keepalive: int = 30, reconnect_min: float = 1.0, reconnect_max: float = 60.0,
                 connect_timeout: float = 5.0) -> None:
        self.host, self.port, self.topic, self.qos = host, port, topic, qos
        self.username, self.password = username, password
        self.client_id = client_id or stable_client_id(host, port, topic, username)
        self.max_payload = max_payload
        self.keepalive, self.connect_timeout = keepalive, connect_timeout
        self.reconnect_min, self.reconnect_max = reconnect_min, reconnect_max
        self.stats = SourceStats(extra=dict.fromkeys(COUNTERS, 0))
        self._lock = threading.Lock()  # counters change on the network thread and on the loop thread
        self._session: _Session | None = None  # while listening: the client commands are published with

    @classmethod
    def from_connection(cls, connection: Mapping[str, Any], **kwargs: Any) -> MqttListener:
        """From a data source's checked ``connection`` (see myems_api.resources.acquisition_config)."""
        return cls(str(connection["host"]), int(connection["port"]), str(connection["topic"]),
                   int(connection.get("qos", 1)), connection.get("username"), connection.get("password"), **kwargs)

    def count(self, name: str, n: int = 1, error: str = "") -> None:
        with self._lock:
            self.stats.extra[name] = self.stats.extra.get(name, 0) + n
            if error:
                self.stats.errors += 1
                self.stats.last_error = error

    async def listen(self, points: Sequence[PointSpec], emit: Emit, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        session = _Session(self, SourcePoints.of(points), emit, loop)
        session.client.connect_async(self.host, self.port, self.keepalive)
        session.client.loop_start()
        self._session = session
        try:
            await stop.wait()
        finally:
            self._session = None
            session.open = False
            await loop.run_in_executor(None, session.close)

    async def write(self, point: PointSpec, raw: float) -> float | None:
        """Publishes ``{"point_id", "value", "utc_date_time"}`` on the point's ``command_topic`` (QoS 1) and
        waits for the broker's acknowledgement; nothing is read back."""
        session, topic = self._session, point.address.get("command_topic")
        if session is None or not session.client.is_connected():
            raise WriteError("not connected to the broker")
        if not isinstance(topic, str) or not topic:
            raise WriteError("the point names no command_topic")
        payload = json.dumps({"point_id": point.id, "value": raw,
                              "utc_date_time": utc_now().isoformat(timespec="seconds")})
        info = session.client.publish(topic, payload, qos=1)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, info.wait_for_publish, self.connect_timeout)
        except (RuntimeError, ValueError) as exc:
            raise WriteError(f"publish failed: {exc}") from exc
        if not info.is_published():
            raise WriteError("the broker did not acknowledge the command in time")
        return None


class _Session:
    """One ``listen`` call: the paho client and its callbacks (network thread) feeding the loop thread."""

    def __init__(self, listener: MqttListener, points: SourcePoints, emit: Emit,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.listener, self.points, self.emit, self.loop = listener, points, emit, loop
        self.open = True  # False once stopping: later deliveries are left for the broker to redeliver
        self.name = f"MQTT {listener.host}:{listener.port} {listener.topic!r}"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=listener.client_id, clean_session=False,
                             protocol=mqtt.MQTTv311, manual_ack=True)
        if listener.username:
            client.username_pw_set(listener.username, listener.password)
        client.reconnect_delay_set(listener.reconnect_min, listener.reconnect_max)  # type: ignore[arg-type]
        client.connect_timeout = listener.connect_timeout
        client.on_connect, client.on_disconnect = self.on_connect, self.on_disconnect
        client.on_subscribe, client.on_message = self.on_subscribe, self.on_message
        client.on_connect_fail = self.on_connect_fail
        self.client = client

    def close(self) -> None:
        """Blocking (run in an executor): disconnect first, so the thread ends at once, then join it."""
        self.client.disconnect()
        self.client.loop_stop()

    def on_connect(self, client: mqtt.Client, _userdata: Any, flags: mqtt.ConnectFlags,
                   reason_code: ReasonCode, _properties: Any) -> None:
        if reason_code.is_failure:
            self.listener.count("refused", error=f"connection refused: {reason_code}")
            log.warning("%s refused the connection: %s; retrying", self.name, reason_code)
            return
        self.listener.count("connects")
        log.info("%s connected (session present: %s)", self.name, flags.session_present)
        client.subscribe(self.listener.topic, self.listener.qos)

    def on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        self.listener.count("unreachable", error="broker unreachable")
        log.warning("%s: broker unreachable; retrying", self.name)

    def on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int, reason_codes: list[ReasonCode],
                     _properties: Any) -> None:
        if any(code.is_failure for code in reason_codes):
            self.listener.count("refused", error=f"subscription refused: {reason_codes}")
            log.warning("%s: the broker refused the subscription: %s", self.name, reason_codes)
        else:
            self.listener.count("subscribed")

    def on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: mqtt.DisconnectFlags,
                      reason_code: ReasonCode, _properties: Any) -> None:
        self.listener.count("disconnects")
        if self.open:
            log.warning("%s: connection lost (%s); reconnecting", self.name, reason_code)

    def on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        """Network thread: parse here, count/emit/acknowledge on the loop, in arrival order. Never raises
        (an exception here would end paho's network thread)."""
        try:
            if message.retain:
                parsed = None
            else:
                parsed = parse(message.topic, message.payload, self.points, utc_now(), self.listener.max_payload)
        except Exception as exc:  # a bad topic (invalid UTF-8) or a bug must not end the thread
            parsed = Parsed(problems=[Problem(MALFORMED, f"unreadable message: {exc!r}")])
        try:
            self.loop.call_soon_threadsafe(self.deliver, parsed, message.mid, message.qos)
        except RuntimeError:  # the loop is closed: the message stays unacknowledged, the broker redelivers
            log.debug("%s: loop closed, message %s left unacknowledged", self.name, message.mid)

    def deliver(self, parsed: Parsed | None, mid: int, qos: int) -> None:
        """Loop thread: count, hand the readings over, then acknowledge (``parsed`` None: a retained replay)."""
        if not self.open:
            return
        listener = self.listener
        listener.stats.reads += 1
        listener.count("messages")
        if parsed is None:
            listener.count("retained")
        else:
            self.record(parsed)
            if parsed.readings:
                try:
                    self.emit(parsed.readings)
                except Exception as exc:  # the consumer's failure must not stop the listener
                    listener.count("emit_failures", error=f"emit failed: {exc!r}")
                    log.exception("%s: emit failed; %d readings dropped", self.name, len(parsed.readings))
        self.client.ack(mid, qos)

    def record(self, parsed: Parsed) -> None:
        """Counters, and one warning per message with problems (a message may hold many items)."""
        self.listener.count("readings", len(parsed.readings))
        for i, problem in enumerate(parsed.problems):
            self.listener.count(problem.kind, error="" if i else str(problem))
        if parsed.problems:
            more = f" (and {len(parsed.problems) - 1} more)" if len(parsed.problems) > 1 else ""
            log.warning("%s: %s%s", self.name, parsed.problems[0], more)
