"""BACnet/IP data sources read with bacpypes3, one local BACnet application (own UDP port) per data source.

A read never raises and never stalls its caller for a device problem:

- points are asked with ReadPropertyMultiple, ``max_per_request`` properties a request; a device that rejects
  or aborts it (not implemented, or unable to answer that much) is remembered and read with ReadProperty,
  one request a property, from then on;
- answers are matched to points by (object identifier, property, array index), never by position; a
  property answered with an error, or with something that is not a number, marks only its points bad;
- every request is bounded by ``asyncio.wait_for(timeout)`` (bacpypes3 waits on a silent device for
  longer); a device that does not answer in time is not asked again within the same read, so a dead address
  costs one timeout per read.

Values become floats: analog values as they are, binary ``active``/``inactive`` as 1/0, multi-state values
as their state number. Object types and property names are accepted in either spelling ("analogValue",
"analog-value", "analogvalue"), as the API validates them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bacpypes3.apdu import AbortPDU, AbortReason, ErrorPDU, ErrorRejectAbortNack, RejectPDU
from bacpypes3.app import Application
from bacpypes3.basetypes import PropertyIdentifier, PropertyReference
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.pdu import Address
from bacpypes3.primitivedata import ObjectIdentifier, ObjectType

from acquisition.readings import PointSpec, Reading, WriteError, judged, utc_now

log = logging.getLogger(__name__)

Key = tuple[int, int, int, int | None]  # object type, instance, property, array index: how answers are matched


def _spellings(enumeration: Any) -> dict[str, int]:
    """Every name of a bacpypes3 enumeration folded to one spelling ("analog-value", "analogValue")."""
    names: Mapping[str, int] = enumeration._enum_map
    return {_fold(name): value for name, value in names.items()}


def _fold(name: str) -> str:
    return name.replace("-", "").replace("_", "").lower()


OBJECT_TYPES = _spellings(ObjectType)
PROPERTIES = _spellings(PropertyIdentifier)


@dataclass(frozen=True)
class Target:
    """One property to read, as bacpypes3 wants it and as its answer is matched."""

    object_identifier: ObjectIdentifier
    prop: PropertyIdentifier
    index: int | None

    @property
    def key(self) -> Key:
        kind, instance = self.object_identifier
        return int(kind), int(instance), int(self.prop), self.index

    def reference(self) -> PropertyReference:
        if self.index is None:
            return PropertyReference(propertyIdentifier=self.prop)
        return PropertyReference(propertyIdentifier=self.prop, propertyArrayIndex=self.index)


def target(address: Mapping[str, Any]) -> Target | None:
    """The property a point's address names; None when the address is unusable (never sent to the device)."""
    kind = OBJECT_TYPES.get(_fold(str(address.get("object_type", ""))))
    prop = PROPERTIES.get(_fold(str(address.get("property_name", ""))))
    instance, index = address.get("object_id"), address.get("property_array_index")
    if kind is None or prop is None or not _int_in(instance, 0, 4_194_303):
        return None
    if index is not None and not _int_in(index, 0, 2**32 - 1):
        return None
    return Target(ObjectIdentifier((ObjectType(kind), instance)), PropertyIdentifier(prop), index)


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def number(value: Any) -> float | None:
    """A property value as a float: Real/Double as is, enumerations (binary PV) and unsigned (multi-state) as
    their integer; None for errors, text, constructed values and non-finite numbers."""
    if not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


class Outcome(Enum):
    DONE = "done"  # answered (each property maybe with its own error)
    REFUSED = "refused"  # this request failed as a whole: ask its properties one by one
    UNSUPPORTED = "unsupported"  # the device does not do ReadPropertyMultiple
    SILENT = "silent"  # no answer in time: ask nothing more this read


class BacnetIpDriver:
    """One BACnet/IP device at ``host:port``; implements ``Driver``.

    ``requests_sent`` counts requests put on the wire, ``mode`` says which service reads the device
    ("rpm" until the device refuses ReadPropertyMultiple, then "rp"), ``last_error`` what failed last.
    ``local_address`` is where this driver's own BACnet application binds (port 0: a free port, so drivers
    never share one); ``local_device_id`` is that application's device instance. The device is addressed by
    ``host:port`` alone: ``device_id`` is kept to name it, not to find it.
    """

    def __init__(self, host: str, port: int = 47808, device_id: int | None = None, *,
                 local_address: str = "0.0.0.0:0", timeout: float = 3.0, max_per_request: int = 25,
                 local_device_id: int = 4_194_302) -> None:
        self.host, self.port, self.device_id = host, port, device_id
        self.local_address, self.timeout = local_address, timeout
        self.max_per_request = max(1, max_per_request)
        self.local_device_id = local_device_id
        self.requests_sent = 0
        self.rpm_supported: bool | None = None  # unknown until the device answers or refuses one
        self.last_error = ""
        self._app: Application | None = None
        self._address: Address | None = None

    @classmethod
    def from_connection(cls, connection: Mapping[str, Any], **kwargs: Any) -> BacnetIpDriver:
        """A driver for a ``bacnet-ip`` data source's ``connection`` (host, optional port and device_id)."""
        device_id = connection.get("device_id")
        return cls(str(connection["host"]), int(connection.get("port", 47808)),
                   None if device_id is None else int(device_id), **kwargs)

    @property
    def mode(self) -> str:
        return "rp" if self.rpm_supported is False else "rpm"

    async def read(self, points: Sequence[PointSpec]) -> list[Reading]:
        """One reading per point, in order; unreadable points (or unusable addresses) come back bad."""
        targets = {p.id: target(p.address) for p in points}
        wanted = list({t.key: t for t in targets.values() if t is not None}.values())
        values: dict[Key, float] = {}
        if wanted and await self._connect():
            if self.rpm_supported is False:
                await self._read_each(wanted, values)
            else:
                await self._read_multiple(wanted, values)
        utc = utc_now()
        readings = []
        for p in points:
            t = targets[p.id]
            value = None if t is None else values.get(t.key)
            readings.append(Reading.bad(p.id, utc) if value is None else judged(p, value, utc))
        return readings

    async def write(self, point: PointSpec, raw: float) -> float | None:
        """WriteProperty of ``raw`` at the address's ``priority`` (default 8), then the value read back."""
        t = target(point.address)
        if t is None or not await self._connect():
            raise WriteError(self.last_error or f"no BACnet property in {dict(point.address)!r}")
        kind = t.object_identifier[0]
        value: Any = raw
        if kind in (ObjectType.binaryOutput, ObjectType.binaryValue, ObjectType.binaryInput):
            value = "active" if raw else "inactive"
        elif kind in (ObjectType.multiStateOutput, ObjectType.multiStateValue, ObjectType.multiStateInput):
            value = int(raw)
        priority = int(point.address.get("priority", 8))
        assert self._app is not None and self._address is not None
        self.requests_sent += 1
        try:
            await asyncio.wait_for(self._app.write_property(self._address, t.object_identifier, t.prop, value,
                                                            array_index=t.index, priority=priority), self.timeout)
        except ErrorRejectAbortNack as exc:
            raise WriteError(f"refused: {_describe(exc)}") from exc
        except (TimeoutError, ValueError, TypeError) as exc:
            raise WriteError(f"write failed: {exc!r}"[:255]) from exc
        (reading,) = await self.read([point])
        return reading.value

    async def close(self) -> None:
        """Closes the local application's UDP socket; the next read opens a new one."""
        app, self._app = self._app, None
        if app is None:
            return
        for ssm in list(app.asap.clientTransactions):
            ssm.stop_timer()  # an abandoned request's give-up timer must not fire into a closed application
        for link in app.link_layers.values():
            for task in getattr(link.server, "_transport_tasks", ()):
                task.cancel()  # a bind still pending (bacpypes3 retries failed binds for ever)
        await asyncio.sleep(0)  # lets a finished bind hand over its transport, so close() closes it
        app.close()
        await asyncio.sleep(0)  # the transport closes its socket on the next loop iteration

    async def _connect(self) -> bool:
        """The device's address resolved and the local application up; False (points bad) when not."""
        try:
            if self._address is None:
                self._address = Address(f"{await self._resolve()}:{self.port}")
            if self._app is None:
                self._app = self._application()
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            self.last_error = f"connect: {exc!r}"
            log.warning("bacnet %s:%s: %s", self.host, self.port, self.last_error)
            return False
        return True

    async def _resolve(self) -> str:
        """The host's IPv4 address, resolved without blocking the loop (bacpypes3 would block, and reads
        "host" as this machine)."""
        try:
            return str(ipaddress.IPv4Address(self.host))
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        infos = await asyncio.wait_for(loop.getaddrinfo(self.host, self.port, family=socket.AF_INET,
                                                        type=socket.SOCK_DGRAM), self.timeout)
        if not infos:
            raise OSError(f"cannot resolve {self.host}")
        return str(infos[0][4][0])

    def _application(self) -> Application:
        """A BACnet application of our own whose abandoned requests end soon after ``read`` stops waiting.

        bacpypes3's own give-up (no retries) comes a second after ``wait_for``'s, so it never races the
        cancellation (that race logs an InvalidStateError) and never outlives a read by more than a second.
        """
        device = DeviceObject(objectIdentifier=("device", self.local_device_id), objectName="myems-acquisition",
                              apduTimeout=round(self.timeout * 1000) + 1000, numberOfApduRetries=0)
        port = NetworkPortObject(self.local_address, objectIdentifier=("network-port", 1),
                                 objectName="NetworkPort-1")
        return Application.from_object_list([device, port])

    async def _read_multiple(self, targets: list[Target], values: dict[Key, float]) -> None:
        pending = list(targets)
        while pending:
            batch, pending = pending[:self.max_per_request], pending[self.max_per_request:]
            outcome = await self._rpm(batch, values)
            if outcome is Outcome.SILENT:
                return
            if outcome is Outcome.UNSUPPORTED:
                await self._read_each(batch + pending, values)
                return
            if outcome is Outcome.REFUSED and not await self._read_each(batch, values):
                return

    async def _rpm(self, batch: list[Target], values: dict[Key, float]) -> Outcome:
        """One ReadPropertyMultiple; its answers go to ``values`` by identifier, property and index."""
        assert self._app is not None and self._address is not None
        by_object: dict[ObjectIdentifier, list[PropertyReference]] = {}
        for t in batch:
            by_object.setdefault(t.object_identifier, []).append(t.reference())
        parameters: list[Any] = [item for oid, refs in by_object.items() for item in (oid, refs)]
        self.requests_sent += 1
        try:
            answer = await asyncio.wait_for(self._app.read_property_multiple(self._address, parameters),
                                            self.timeout)
        except TimeoutError:
            return self._silent()
        except ErrorRejectAbortNack as exc:
            return self._refusal(exc)
        except Exception as exc:  # an answer bacpypes3 cannot decode is a device problem, not the caller's
            self.last_error = f"read-property-multiple: {exc!r}"
            return Outcome.REFUSED
        if not isinstance(answer, list):
            self.last_error = f"read-property-multiple: unexpected answer {answer!r}"
            return Outcome.REFUSED
        self.rpm_supported = True
        for oid, prop, index, value in answer:
            result = number(value)
            if result is not None:
                values[(int(oid[0]), int(oid[1]), int(prop), None if index is None else int(index))] = result
        return Outcome.DONE

    def _refusal(self, exc: ErrorRejectAbortNack) -> Outcome:
        """What a ReadPropertyMultiple's error, reject or abort says about the device."""
        if isinstance(exc, AbortPDU) and exc.apduAbortRejectReason == AbortReason.noResponse:
            return self._silent()
        if isinstance(exc, RejectPDU | AbortPDU) and self.rpm_supported is not True:
            self.rpm_supported = False
            self.last_error = f"read-property-multiple refused ({exc.apduAbortRejectReason})"
            log.info("bacnet %s:%s refuses ReadPropertyMultiple (%s): reading with ReadProperty",
                     self.host, self.port, exc.apduAbortRejectReason)
            return Outcome.UNSUPPORTED
        self.last_error = f"read-property-multiple: {_describe(exc)}"
        return Outcome.REFUSED

    def _silent(self) -> Outcome:
        self.last_error = f"no answer within {self.timeout} s"
        return Outcome.SILENT

    async def _read_each(self, targets: list[Target], values: dict[Key, float]) -> bool:
        """ReadProperty per target; False when the device fell silent (the rest is not asked)."""
        assert self._app is not None and self._address is not None
        for t in targets:
            self.requests_sent += 1
            try:
                value = await asyncio.wait_for(
                    self._app.read_property(self._address, t.object_identifier, t.prop, t.index), self.timeout)
            except TimeoutError:
                self._silent()
                return False
            except ErrorRejectAbortNack as exc:
                if isinstance(exc, AbortPDU) and exc.apduAbortRejectReason == AbortReason.noResponse:
                    self._silent()
                    return False
                self.last_error = f"read-property {t.object_identifier} {t.prop}: {_describe(exc)}"
                continue
            except Exception as exc:  # an answer bacpypes3 cannot decode is a device problem
                self.last_error = f"read-property {t.object_identifier} {t.prop}: {exc!r}"
                continue
            result = number(value)
            if result is not None:
                values[t.key] = result
        return True


def _describe(exc: ErrorRejectAbortNack) -> str:
    if isinstance(exc, ErrorPDU):
        return f"error {getattr(exc, 'errorClass', '?')}: {getattr(exc, 'errorCode', '?')}"
    return f"{type(exc).__name__} {getattr(exc, 'apduAbortRejectReason', '')}"
