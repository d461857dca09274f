"""Tables of energy storage containers and power stations, photovoltaic power stations and wind farms.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
A container owns its batteries, grids, loads, power conversion systems and schedules (rows keyed by the
container, names unique within it) and binds sensors; a power station binds containers and users. Points
and meters are referenced by id; no foreign keys (the service checks references, see DESIGN.md).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from myems_api.db.schema import MYSQL, coefficient, link, metadata, name_col, name_type, pk, ref, svg_text, uuid_col

CONTAINER = "energy_storage_container_id"
STATION = "energy_storage_power_station_id"


def _owned(name: str, *columns: sa.Column[Any]) -> sa.Table:
    """A container's named sub-entity: one row per (container, name)."""
    return sa.Table(name, metadata, pk(), ref(CONTAINER), sa.Column("name", name_type(), nullable=False), *columns,
                    sa.UniqueConstraint(CONTAINER, "name"), **MYSQL)


energy_storage_containers = sa.Table(
    "tbl_energy_storage_containers", metadata, pk(), name_col(), uuid_col(),
    coefficient("rated_capacity"), coefficient("rated_power"), ref("contact_id"), ref("cost_center_id"),
    ref("svg_diagram_id", nullable=True), sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

energy_storage_container_batteries = _owned(
    "tbl_energy_storage_containers_batteries",
    ref("battery_state_point_id"), ref("soc_point_id"), ref("power_point_id"),
    ref("charge_meter_id"), ref("discharge_meter_id"),
    coefficient("rated_capacity"), coefficient("rated_power"), coefficient("nominal_voltage"),
)

energy_storage_container_grids = _owned(
    "tbl_energy_storage_containers_grids",
    ref("power_point_id"), ref("buy_meter_id"), ref("sell_meter_id"), coefficient("capacity"),
)

energy_storage_container_loads = _owned(
    "tbl_energy_storage_containers_loads",
    ref("power_point_id"), ref("meter_id"), coefficient("rated_input_power"),
)

energy_storage_container_power_conversion_systems = _owned(
    "tbl_energy_storage_containers_power_conversion_systems",
    ref("run_state_point_id"), coefficient("rated_output_power"),
    ref("today_charge_energy_point_id"), ref("today_discharge_energy_point_id"),
    ref("total_charge_energy_point_id"), ref("total_discharge_energy_point_id"),
)

energy_storage_container_schedules = sa.Table(
    "tbl_energy_storage_containers_schedules", metadata, pk(), ref(CONTAINER),
    sa.Column("start_time_of_day", sa.String(8), nullable=False),
    sa.Column("end_time_of_day", sa.String(8), nullable=False),
    sa.Column("peak_type", sa.String(16), nullable=False),
    coefficient("power"), **MYSQL,
)

energy_storage_containers_sensors = link("tbl_energy_storage_containers_sensors", CONTAINER, "sensor_id")


def station_columns() -> list[sa.Column[Any]]:
    """What every power station has: where it is, how big, who answers for it, and its diagram (an SVG
    document of its own, as the seed's examples send it, and/or a stored SVG referenced by id)."""
    return [pk(), name_col(), uuid_col(),
            sa.Column("address", sa.String(255), nullable=False),
            sa.Column("postal_code", sa.String(32), nullable=False),
            coefficient("latitude"), coefficient("longitude"), coefficient("capacity"),
            ref("contact_id"), ref("cost_center_id"), svg_text(nullable=True), ref("svg_diagram_id", nullable=True),
            sa.Column("description", sa.Text, nullable=True)]


energy_storage_power_stations = sa.Table("tbl_energy_storage_power_stations", metadata, *station_columns(), **MYSQL)
energy_storage_power_stations_containers = link("tbl_energy_storage_power_stations_containers", STATION, CONTAINER)
energy_storage_power_stations_users = link("tbl_energy_storage_power_stations_users", STATION, "user_id")

photovoltaic_power_stations = sa.Table("tbl_photovoltaic_power_stations", metadata, *station_columns(), **MYSQL)
wind_farms = sa.Table("tbl_wind_farms", metadata, *station_columns(), **MYSQL)
