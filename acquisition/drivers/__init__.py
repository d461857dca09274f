"""One driver per protocol, behind :class:`acquisition.readings.Driver` (polled) or ``Listener`` (pushed).

Imported lazily: a site that only polls Modbus never loads the BACnet stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from acquisition.readings import Driver, Listener

POLLED = ("simulation", "modbus-tcp", "bacnet-ip")
PUSHED = ("mqtt",)


def open_driver(protocol: str, connection: Mapping[str, Any]) -> Driver | Listener:
    """The driver of a data source; ``ValueError`` for a protocol no driver serves."""
    if protocol == "simulation":
        from acquisition.drivers.simulation import SimulationDriver
        return SimulationDriver(connection)
    if protocol == "modbus-tcp":
        from acquisition.drivers.modbus_tcp import ModbusTcpDriver
        return ModbusTcpDriver(str(connection["host"]), int(connection["port"]),
                               timeout=float(connection.get("timeout", 3.0)))
    if protocol == "bacnet-ip":
        from acquisition.drivers.bacnet_ip import BacnetIpDriver
        return BacnetIpDriver(str(connection["host"]), int(connection.get("port", 47808)),
                              device_id=connection.get("device_id"))
    if protocol == "mqtt":
        from acquisition.drivers.mqtt import MqttListener
        return MqttListener(str(connection["host"]), int(connection["port"]), str(connection["topic"]),
                            qos=int(connection.get("qos", 1)), username=connection.get("username"),
                            password=connection.get("password"))
    raise ValueError(f"no driver for protocol {protocol!r}")
