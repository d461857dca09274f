"""Writing values to devices: which points can take one, and the raw value a device is sent.

A point takes a set value when its protocol and address name something a device lets us write:

- Modbus TCP: a holding register block (function code 3, written with the point's format and byte order;
  one register with function 6, more with 16) or a single coil (function code 1, 0 or 1, function 5).
  Input registers and discrete inputs (4, 2) are read-only by the protocol;
- BACnet/IP: the present value of an output or value object (analog, binary, multi-state), written with
  WriteProperty at the address's ``priority`` (1-16, default 8, "manual operator"); inputs are read-only;
- MQTT: a point whose address names a ``command_topic``: the value is published there (QoS 1) as
  ``{"point_id", "value", "utc_date_time"}`` for the device's gateway to act on.

The value asked for is in the point's units: it must lie within the point's limits, and the device is sent
``(value - offset_constant) / ratio``, the inverse of the scaling applied to what is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from acquisition.modbus_plan import DecodeError, address_of, encode
from acquisition.readings import PointSpec, utc_now
from myems_api.db.operations_tables import point_set_values as psv

WRITABLE_BACNET = frozenset({"analogoutput", "analogvalue", "binaryoutput", "binaryvalue", "multistateoutput",
                             "multistatevalue"})
DEFAULT_PRIORITY = 8


def _folded(text: Any) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def not_writable(protocol: str, point: PointSpec, is_virtual: bool = False) -> str | None:
    """Why the point cannot take a set value (an API code), or None when it can."""
    a = point.address
    if is_virtual:
        return "API.POINT_IS_NOT_WRITABLE"
    if protocol == "modbus-tcp":
        try:
            address = address_of(point)
        except DecodeError:
            return "API.POINT_IS_NOT_WRITABLE"
        if address.function_code == 3 or (address.function_code == 1 and address.count == 1):
            return None
        return "API.POINT_IS_NOT_WRITABLE"
    if protocol == "bacnet-ip":
        priority = a.get("priority", DEFAULT_PRIORITY)
        if (_folded(a.get("object_type")) in WRITABLE_BACNET and _folded(a.get("property_name")) == "presentvalue"
                and isinstance(priority, int) and not isinstance(priority, bool) and 1 <= priority <= 16):
            return None
        return "API.POINT_IS_NOT_WRITABLE"
    if protocol == "mqtt":
        topic = a.get("command_topic")
        ok = isinstance(topic, str) and topic and not set(topic) & {"#", "+"}
        return None if ok else "API.POINT_IS_NOT_WRITABLE"
    return "API.POINT_IS_NOT_WRITABLE"


def raw_value(protocol: str, point: PointSpec, value: float) -> float:
    """What the device is sent for ``value`` (in the point's units); ``ValueError`` with an API code when
    the value is outside the point's limits or cannot be encoded for its address."""
    if not point.low_limit <= value <= point.high_limit:
        raise ValueError("API.SET_VALUE_OUT_OF_RANGE")
    if point.ratio == 0:
        raise ValueError("API.POINT_IS_NOT_WRITABLE")
    raw = (value - point.offset_constant) / point.ratio
    if protocol == "modbus-tcp":
        address = address_of(point)
        if address.function_code == 1:
            if raw not in (0, 1):
                raise ValueError("API.INVALID_SET_VALUE")
            return raw
        try:
            encode(address, raw)
        except DecodeError as exc:
            raise ValueError("API.INVALID_SET_VALUE") from exc
        if address.fmt[-1] not in "efd":
            raw = float(int(raw))
    return raw


def check(protocol: str, row: Mapping[str, Any], value: float) -> float:
    """The raw value for a point row of ``tbl_points``, or ``ValueError`` with the API code refusing it."""
    try:
        point = PointSpec.from_row(row)
    except (ValueError, TypeError) as exc:
        raise ValueError("API.POINT_IS_NOT_WRITABLE") from exc
    code = not_writable(protocol, point, bool(row.get("is_virtual")))
    if code:
        raise ValueError(code)
    return raw_value(protocol, point, value)


def claim_queued(engine: Engine, source_ids: list[int], timeout: float) -> list[tuple[int, int, int, float]]:
    """The queued requests of these sources, each claimed (``running``) by a conditional update, so two
    workers never perform one twice; requests queued longer than ``timeout`` seconds become ``timed_out``.
    With nothing queued this is one read: an idle worker takes no write lock."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(psv.c.id, psv.c.data_source_id, psv.c.point_id, psv.c.set_value,
                                      psv.c.utc_date_time)
                            .where(psv.c.status == "queued", psv.c.data_source_id.in_(source_ids))
                            .order_by(psv.c.id).limit(100)).all()
    now = utc_now()
    claimed = []
    for row in rows:
        stale = row.utc_date_time < now - timedelta(seconds=timeout)
        values = {"status": "timed_out", "reason": "not carried out in time", "done_datetime_utc": now} if stale \
            else {"status": "running"}
        with engine.begin() as conn:
            taken = conn.execute(sa.update(psv).where(psv.c.id == row.id, psv.c.status == "queued")
                                 .values(values)).rowcount
        if taken and not stale:
            claimed.append((int(row.id), int(row.data_source_id), int(row.point_id), float(row.set_value)))
    return claimed


def finish(engine: Engine, request_id: int, status: str, reason: str | None, read_back: float | None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(psv).where(psv.c.id == request_id).values(
            status=status, reason=reason, read_back_value=read_back,
            done_datetime_utc=utc_now()))
