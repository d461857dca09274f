"""Field operations: control modes, IoT SIM cards and maintenance tickets.

- **Control modes** (``/controlmodes``): a named schedule of power set points, active or not. Its
  ``times`` rows say, from ``start_time_of_day`` up to ``end_time_of_day`` (``HH:MM:SS``, or MyEMS's
  ``HH:MM``; start before end), the power to hold: a fixed ``power_value`` (kW), a ``power_point_id`` to
  follow, or a ``power_equation`` kept as text. Export, import and clone carry the rows.
- **IoT SIM cards** (``/iotsimcards``): the cellular cards of gateways, by ``iccid`` (unique); the rest
  (IMSI, operator, status, dates as the carrier writes them, traffic) is optional.
- **Tickets** (``/tickets``): MyEMS v6.7.0 forwards these to an external workflow server and answers 500
  without one; here they are kept in our own table. A ticket has a ``title``, a ``status`` (``new``,
  ``read``, ``acknowledged``, MyEMS's message statuses, or ``in_progress``, ``resolved``, ``closed``), a
  ``priority`` and optionally the space, equipment and user it concerns. ``GET /tickets`` takes MyEMS's
  ``startdatetime``, ``enddatetime`` (on the creation time) and ``status`` (``all`` for every one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from myems_api.auth import utcnow
from myems_api.db import operations_tables as tables
from myems_api.engine.family import Family, Filter, Items, datetime_range
from myems_api.engine.fields import Bool, Choice, LocalDateTime, Name, Number, Ref, Text

TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?"


def _seconds(time_of_day: str) -> int:
    hours, minutes, *seconds = (int(part) for part in time_of_day.split(":"))
    return hours * 3600 + minutes * 60 + (seconds[0] if seconds else 0)


def times_in_order(rows: list[dict[str, Any]], mode: Mapping[str, Any]) -> str | None:
    if any(_seconds(r["start_time_of_day"]) >= _seconds(r["end_time_of_day"]) for r in rows):
        return "API.INVALID_END_TIME_OF_DAY"
    return None


control_modes = Family(
    "control_mode", "control_modes", tables.control_modes,
    fields=(Name(), Bool("is_active", required=False, default=True)),
    items=(Items("times", tables.control_modes_times, "control_mode_id", (
        Text("start_time_of_day", max_len=8, pattern=TIME), Text("end_time_of_day", max_len=8, pattern=TIME),
        Number("power_value", required=False, null=True),
        Ref("power_point", family="point", required=False, null=True),
        Text("power_equation", max_len=4096, required=False, null=True),
        Text("description", required=False, null=True)), check=times_in_order),),
    portable=True,
)


def _optional(key: str) -> Text:
    return Text(key, required=False, null=True)


iot_sim_cards = Family(
    "iot_sim_card", "iot_sim_cards", tables.iot_sim_cards,
    fields=(Text("iccid", max_len=255, unique=True, code="ICCID"),
            *(_optional(k) for k in ("imsi", "operator", "status", "active_time", "open_time", "expiration_time")),
            Number("used_traffic", min=0, required=False, null=True),
            Number("total_traffic", min=0, required=False, null=True), _optional("description")),
)

STATUSES = ("new", "read", "acknowledged", "in_progress", "resolved", "closed")


def _stamp_new(values: dict[str, Any]) -> dict[str, Any]:
    values["created_datetime_utc"] = values["updated_datetime_utc"] = utcnow()
    return {}


def _stamp_change(values: dict[str, Any]) -> None:
    values["updated_datetime_utc"] = utcnow()


tickets = Family(
    "ticket", "tickets", tables.tickets,
    fields=(Text("title", code="TICKET_TITLE"), Text("description", max_len=65535, required=False, null=True),
            Choice("status", choices=STATUSES, required=False, default="new"),
            Choice("priority", choices=("low", "medium", "high", "urgent"), required=False, default="medium"),
            Ref("space", required=False, null=True), Ref("equipment", required=False, null=True),
            Ref("user", required=False, null=True),
            LocalDateTime("created_datetime", writable=False), LocalDateTime("updated_datetime", writable=False)),
    filters=(*datetime_range("created_datetime_utc"),
             Filter("status", "status", Choice("status", choices=STATUSES), every="all")),
    on_create=_stamp_new,
    on_update=_stamp_change,
)

FAMILIES = (control_modes, iot_sim_cards, tickets)
