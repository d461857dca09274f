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

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from myems_api.db import power_station_tables as tables
from myems_api.engine.family import ADMIN, Binding, Family, Items
from myems_api.engine.fields import Choice, Derived, Field, Name, Number, Ref, Text
from myems_api.resources.asset_parts import at_least_zero, part_rows
from myems_api.resources.equipment import DATA_SOURCE_POINTS
from myems_api.resources.microgrids import COUNTED, MEASURED, STATE, station_aliases
from myems_api.resources.power_plants import station_fields
from myems_api.resources.tariffs import PEAK_TYPES, TIME_OF_DAY
from myems_api.svg import has_diagram, stored_svg, svg_id_alias

POWER_CODE = "API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER"


def equipment(key: str, served: str, table: sa.Table, *fields: Field, **kwargs: Any) -> Items:
    """One kind of a container's named equipment rows (see :func:`myems_api.resources.asset_parts.part_rows`)."""
    return part_rows("ENERGY_STORAGE_CONTAINER", tables.CONTAINER, tables.CONTAINER_PART_POINTS, key, served, table,
                     *fields, **kwargs)


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
dcdcs, firecontrols, hvacs, stses = (
    equipment(key, served, table, points={})
    for key, served, table in (("dcdcs", "dcdc", tables.energy_storage_container_dcdcs),
                               ("firecontrols", "firecontrol", tables.energy_storage_container_firecontrols),
                               ("hvacs", "hvac", tables.energy_storage_container_hvacs),
                               ("stses", "sts", tables.energy_storage_container_stses)))
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
    items=(batteries, grids, loads, power_conversion_systems, dcdcs, firecontrols, hvacs, stses, schedules),
    bindings=(Binding("sensors", "sensor", tables.energy_storage_containers_sensors, tables.CONTAINER, "sensor_id"),
              Binding("commands", "command", tables.energy_storage_containers_commands, tables.CONTAINER,
                      "command_id"),
              Binding("datasources", "data_source", tables.energy_storage_containers_data_sources,
                      tables.CONTAINER, "data_source_id")),
    reached=(DATA_SOURCE_POINTS,),
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
    reached=(replace(DATA_SOURCE_POINTS, through=("containers", "datasources")),),
    checks=(has_diagram,),
    reshape_in=station_aliases,
    delete_bindings=True,
    portable=True,
)

FAMILIES = (energy_storage_containers, energy_storage_power_stations)
