"""Energy storage containers (with their equipment and schedule) and energy storage power stations.

A container has a unique name, ``rated_capacity`` and ``rated_power`` >= 0, a contact and a cost center,
optionally a stored SVG (``svg_id``, must exist, answered as ``svg_diagram``), and binds sensors. It owns
rows of five kinds, written in its transaction, served one by one at
``/energystoragecontainers/{id}/<kind>[/{row id}]``, and carried by export, import and clone:

- ``batteries``: ``battery_state_point_id``, ``soc_point_id``, ``power_point_id``, ``charge_meter_id``,
  ``discharge_meter_id``, ``rated_capacity``, ``rated_power``, ``nominal_voltage``;
- ``grids``: ``power_point_id``, ``buy_meter_id``, ``sell_meter_id``, ``capacity``;
- ``loads``: ``power_point_id``, ``meter_id``, ``rated_input_power``;
- ``powerconversionsystems``: ``run_state_point_id``, ``rated_output_power`` and the today/total
  charge/discharge energy points;
- ``schedules``: ``start_time_of_day``, ``end_time_of_day``, ``peak_type``, ``power``.

Rules, each refused with its code and nothing written:

- names are unique among the container's rows of one kind (case-insensitive); capacities, rated powers and
  voltages are numbers >= 0;
- every point and meter named exists (``API.<FIELD>_NOT_FOUND``) and is of the right kind, by the rules
  microgrid parts follow (:mod:`myems_api.resources.microgrids`): power and SOC points are ANALOG_VALUE
  (``API.INVALID_<FIELD>_OBJECT_TYPE``); state points (battery state, run state) DIGITAL_VALUE or
  ANALOG_VALUE (a state code); energy points (today/total charge and discharge) ENERGY_VALUE or
  ANALOG_VALUE; charge/discharge, buy/sell and load meters are electricity meters
  (``API.<FIELD>_IS_NOT_AN_ELECTRICITY_METER``: the category has an electrical energy unit *and* a name that
  says electricity, as :func:`myems_api.resources.microgrids.is_electricity` decides: cooling and heat are
  metered in kWh too), and a pair's two meters differ
  (``API.CHARGE_METER_AND_DISCHARGE_METER_CANNOT_BE_THE_SAME``: one meter cannot count both directions);
- schedules: times of day ``HH:MM:SS``; each row is the half-open interval [start, end) with start before
  end within one day (a row ending at 23:59:59 runs to the end of the day); rows of one container do not
  overlap (adjacent rows may share a boundary); ``peak_type`` is one of the tariffs' (toppeak, onpeak,
  midpeak, offpeak, deep); ``power`` is in kW, **positive = discharge to the site, negative = charge from
  it, 0 = hold**, and its magnitude is at most the container's ``rated_power``
  (``API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER``, also when lowering the rating);
- deleting a container deletes its rows and sensor bindings in one transaction; a container still in a
  power station, and a point or meter a row references, cannot be deleted (the relation is named:
  ``API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_CONTAINER_BATTERIES``, ...).

A power station is a station (see :mod:`myems_api.resources.power_plants`) that binds containers
(``/containers``, body ``energy_storage_container_id``) and users (``/users``, body ``user_id``; listed to
admins only, as users are; copied by clones but not exported, as accounts are an instance's own).
Deleting it deletes its bindings, not the containers.

The seed's "GET an Energy Storage Container Battery" (and Grid, Load, ...) lists all rows at
``.../batteries``, which is served; a single row is at ``.../batteries/{bid}``. Its sensor binding example
sends ``{"energy_storage_container_id": 1}``: a sensor is bound with ``{"sensor_id": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import power_station_tables as tables
from myems_api.db import schema
from myems_api.engine.family import ADMIN, Binding, Family, Items, ItemsCheck
from myems_api.engine.fields import Choice, Derived, Field, Name, Number, Ref, Text
from myems_api.resources.microgrids import COUNTED, MEASURED, STATE, has_diagram, is_electricity, svg_id_alias
from myems_api.resources.power_plants import station_fields, stored_svg
from myems_api.resources.tariffs import PEAK_TYPES, TIME_OF_DAY

ItemsDbCheck = Callable[[Connection, list[dict[str, Any]], Mapping[str, Any], int | None], str | None]
POWER_CODE = "API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER"


def point(key: str) -> Ref:
    return Ref(key, family="point")


def meter(key: str) -> Ref:
    return Ref(key, family="meter")


def at_least_zero(key: str) -> Number:
    return Number(key, min=0)


def rows_fit(kind: str, pairs: tuple[tuple[str, str], ...] = ()) -> ItemsCheck:
    """Names unique among the rows; each (a, b) pair of meters names two different meters."""
    def check(rows: list[dict[str, Any]], container: Mapping[str, Any]) -> str | None:
        names = [r["name"].casefold() for r in rows]
        if len(set(names)) != len(names):
            return f"API.ENERGY_STORAGE_CONTAINER_{kind}_NAME_IS_ALREADY_IN_USE"
        for a, b in pairs:
            if any(r[f"{a}_id"] == r[f"{b}_id"] for r in rows):
                return f"API.{a.upper()}_AND_{b.upper()}_CANNOT_BE_THE_SAME"
        return None
    return check


def kinds_fit(points: Mapping[str, tuple[str, ...]], meters: tuple[str, ...]) -> ItemsDbCheck:
    """Each referenced point has one of its field's object types; each meter is an electricity meter."""
    def check(conn: Connection, rows: list[dict[str, Any]], container: Mapping[str, Any],
              container_id: int | None) -> str | None:
        p, m, c = schema.points, schema.meters, schema.energy_categories
        point_ids = {r[f"{key}_id"] for r in rows for key in points}
        object_types = dict(conn.execute(sa.select(p.c.id, p.c.object_type).where(p.c.id.in_(point_ids))).all())
        meter_ids = {r[f"{key}_id"] for r in rows for key in meters}
        categories = {row.id: is_electricity(row.name, row.unit_of_measure) for row in conn.execute(
            sa.select(m.c.id, c.c.name, c.c.unit_of_measure).join(c, c.c.id == m.c.energy_category_id)
            .where(m.c.id.in_(meter_ids)))}
        for r in rows:
            wrong = next((key for key, allowed in points.items() if object_types.get(r[f"{key}_id"]) not in allowed),
                         None)
            if wrong:
                return f"API.INVALID_{wrong.upper()}_OBJECT_TYPE"
            wrong = next((key for key in meters if not categories.get(r[f"{key}_id"])), None)
            if wrong:
                return f"API.{wrong.upper()}_IS_NOT_AN_ELECTRICITY_METER"
        return None
    return check


def equipment(key: str, served: str, table: sa.Table, *fields: Field,
              points: Mapping[str, tuple[str, ...]], meters: tuple[str, ...] = (),
              pairs: tuple[tuple[str, str], ...] = (), relation: str = "") -> Items:
    """One kind of a container's named equipment rows, its references checked for existence and kind."""
    kind = served.upper()
    refs = [point(k) for k in points] + [meter(k) for k in meters]
    return Items(key, table, tables.CONTAINER,
                 (Text("name", code=f"ENERGY_STORAGE_CONTAINER_{kind}_NAME"), *refs, *fields),
                 check=rows_fit(kind, pairs), db_check=kinds_fit(points, meters),
                 served=served, relation=relation)


DAY = 86_400


def _seconds(time_of_day: str) -> int:
    hours, minutes, seconds = (int(part) for part in time_of_day.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def check_schedules(rows: list[dict[str, Any]], container: Mapping[str, Any]) -> str | None:
    """Start before end, no two rows overlapping, |power| within the container's rated power."""
    end_of_previous = 0
    for start, end in sorted((_seconds(r["start_time_of_day"]), _seconds(r["end_time_of_day"])) for r in rows):
        if end <= start:
            return "API.INVALID_END_TIME_OF_DAY"
        end = DAY if end == DAY - 1 else end  # 23:59:59 closes the day
        if start < end_of_previous:
            return "API.ENERGY_STORAGE_CONTAINER_SCHEDULES_OVERLAP"
        end_of_previous = end
    if any(abs(r["power"]) > container["rated_power"] for r in rows):
        return POWER_CODE
    return None


batteries = equipment(
    "batteries", "battery", tables.energy_storage_container_batteries,
    at_least_zero("rated_capacity"), at_least_zero("rated_power"), at_least_zero("nominal_voltage"),
    points={"battery_state_point": STATE, "soc_point": MEASURED, "power_point": MEASURED},
    meters=("charge_meter", "discharge_meter"), pairs=(("charge_meter", "discharge_meter"),),
)
grids = equipment(
    "grids", "grid", tables.energy_storage_container_grids, at_least_zero("capacity"),
    points={"power_point": MEASURED}, meters=("buy_meter", "sell_meter"), pairs=(("buy_meter", "sell_meter"),),
)
loads = equipment(
    "loads", "load", tables.energy_storage_container_loads, at_least_zero("rated_input_power"),
    points={"power_point": MEASURED}, meters=("meter",),
)
power_conversion_systems = equipment(
    "powerconversionsystems", "power_conversion_system", tables.energy_storage_container_power_conversion_systems,
    at_least_zero("rated_output_power"),
    points={"run_state_point": STATE,
            "today_charge_energy_point": COUNTED, "today_discharge_energy_point": COUNTED,
            "total_charge_energy_point": COUNTED, "total_discharge_energy_point": COUNTED},
    relation="POWER_CONVERSION_SYSTEMS",
)
schedules = Items(
    "schedules", tables.energy_storage_container_schedules, tables.CONTAINER,
    (Text("start_time_of_day", max_len=8, pattern=TIME_OF_DAY), Text("end_time_of_day", max_len=8, pattern=TIME_OF_DAY),
     Choice("peak_type", choices=PEAK_TYPES), Number("power")),
    check=check_schedules, served="schedule",
)

energy_storage_containers = Family(
    "energy_storage_container", "energy_storage_containers", tables.energy_storage_containers,
    fields=(
        Name(), at_least_zero("rated_capacity"), at_least_zero("rated_power"), Ref("contact"), Ref("cost_center"),
        stored_svg(), Text("description", max_len=4096, required=False, null=True),
        Derived("qrcode", template="energystoragecontainer:{}"),
    ),
    items=(batteries, grids, loads, power_conversion_systems, schedules),
    bindings=(Binding("sensors", "sensor", tables.energy_storage_containers_sensors, tables.CONTAINER, "sensor_id"),),
    reshape_in=svg_id_alias,
    delete_bindings=True,
    portable=True,
)

energy_storage_power_stations = Family(
    "energy_storage_power_station", "energy_storage_power_stations", tables.energy_storage_power_stations,
    fields=station_fields("energystoragepowerstation"),
    bindings=(
        Binding("containers", "energy_storage_container", tables.energy_storage_power_stations_containers,
                tables.STATION, tables.CONTAINER),
        Binding("users", "user", tables.energy_storage_power_stations_users, tables.STATION, "user_id",
                read_policy=ADMIN, exported=False),
    ),
    checks=(has_diagram,),
    reshape_in=svg_id_alias,
    delete_bindings=True,
    portable=True,
)

FAMILIES = (energy_storage_containers, energy_storage_power_stations)
