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
energy_storage_containers_commands = link("tbl_energy_storage_containers_commands", CONTAINER, "command_id")
energy_storage_containers_data_sources = link("tbl_energy_storage_containers_data_sources", CONTAINER,
                                              "data_source_id")

# Equipment that is named and bound to the points that watch it, nothing more.
energy_storage_container_dcdcs = _owned("tbl_energy_storage_containers_dcdcs")
energy_storage_container_firecontrols = _owned("tbl_energy_storage_containers_firecontrols")
energy_storage_container_hvacs = _owned("tbl_energy_storage_containers_hvacs")
energy_storage_container_stses = _owned("tbl_energy_storage_containers_stses")


def part_points(owner_plural: str, short: str) -> sa.Table:
    """A part's points as v6.7.0 names the table (``tbl_energy_storage_containers_bmses_points``, ``bms_id``)."""
    plural = short + ("es" if short.endswith("s") else "s")
    return link(f"tbl_{owner_plural}_{plural}_points", f"{short}_id", "point_id")


CONTAINER_PART_POINTS = {kind: part_points("energy_storage_containers", short) for kind, short in (
    ("batteries", "bms"), ("grids", "grid"), ("loads", "load"), ("powerconversionsystems", "pcs"),
    ("dcdcs", "dcdc"), ("firecontrols", "firecontrol"), ("hvacs", "hvac"), ("stses", "sts"))}


def station_columns() -> list[sa.Column[Any]]:
    """What every power station has: where it is, how big, who answers for it, and its diagram (an SVG
    document of its own, as the seed's examples send it, and/or a stored SVG referenced by id)."""
    return [pk(), name_col(), uuid_col(),
            sa.Column("address", sa.String(255), nullable=False),
            sa.Column("postal_code", sa.String(32), nullable=True),  # v6.7.0's stations have none
            coefficient("latitude"), coefficient("longitude"), coefficient("capacity"),
            ref("contact_id"), ref("cost_center_id"), svg_text(nullable=True), ref("svg_diagram_id", nullable=True),
            sa.Column("description", sa.Text, nullable=True),
            # v6.7.0's: ratings, where the position is read from, more diagrams, its phase and start of service
            coefficient("rated_capacity", nullable=True), coefficient("rated_power", nullable=True),
            *(sa.Column(f"{name}_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
              for name in ("latitude_point", "longitude_point", "svg2", "svg3", "svg4", "svg5")),
            sa.Column("is_cost_data_displayed", sa.Boolean, nullable=True),
            sa.Column("phase_of_lifecycle", sa.String(255), nullable=True),
            sa.Column("commissioning_date", sa.String(10), nullable=True),
            sa.Column("station_code", sa.String(255), nullable=True)]


energy_storage_power_stations = sa.Table("tbl_energy_storage_power_stations", metadata, *station_columns(), **MYSQL)
energy_storage_power_stations_containers = link("tbl_energy_storage_power_stations_containers", STATION, CONTAINER)
energy_storage_power_stations_users = link("tbl_energy_storage_power_stations_users", STATION, "user_id")

photovoltaic_power_stations = sa.Table("tbl_photovoltaic_power_stations", metadata, *station_columns(), **MYSQL)
PV_STATION = "photovoltaic_power_station_id"
photovoltaic_power_stations_links = {
    target: link(f"tbl_photovoltaic_power_stations_{target}s", PV_STATION, f"{target}_id")
    for target in ("user", "data_source")}

# What the power and energy of a PV station's grid connection and loads are read from, phase by phase.
ELECTRICAL_POINTS = tuple(f"{what}_point" for what in (
    "total_active_power", "active_power_a", "active_power_b", "active_power_c",
    "total_reactive_power", "reactive_power_a", "reactive_power_b", "reactive_power_c",
    "total_apparent_power", "apparent_power_a", "apparent_power_b", "apparent_power_c",
    "total_power_factor", "active_energy_import", "active_energy_export", "active_energy_net"))
INVERTOR_POINTS = tuple(f"{what}_point" for what in (
    "today_energy", "efficiency", "temperature", "power_factor", "active_power", "reactive_power", "frequency",
    "uab", "ubc", "uca", "ua", "ub", "uc", "ia", "ib", "ic", "startup_time", "shutdown_time",
    *(f"pv{n}_{x}" for n in range(1, 29) for x in "ui"), "mppt_total_energy", "mppt_power",
    *(f"mppt_{n}_energy" for n in range(1, 11))))


def _pv_part(kind: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(f"tbl_photovoltaic_power_stations_{kind}", metadata, pk(), ref(PV_STATION),
                    sa.Column("name", name_type(), nullable=False), *columns,
                    sa.UniqueConstraint(PV_STATION, "name"), **MYSQL)


def _optional_points(names: tuple[str, ...]) -> list[sa.Column[Any]]:
    """Not indexed: MySQL allows 64 indexes a table, and these tables stay small."""
    return [sa.Column(f"{name}_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
            for name in names]


photovoltaic_power_station_grids = _pv_part(
    "grids", ref("power_point_id"), ref("buy_meter_id"), ref("sell_meter_id"), coefficient("capacity"),
    *_optional_points(ELECTRICAL_POINTS))
photovoltaic_power_station_invertors = _pv_part(
    "invertors", sa.Column("model", sa.String(255), nullable=False),
    sa.Column("serial_number", sa.String(255), nullable=False), ref("invertor_state_point_id"),
    ref("communication_state_point_id"), ref("total_energy_point_id"), ref("generation_meter_id"),
    *_optional_points(INVERTOR_POINTS))
photovoltaic_power_station_loads = _pv_part(
    "loads", ref("power_point_id"), ref("meter_id"), coefficient("rated_input_power"),
    *_optional_points(ELECTRICAL_POINTS))
PV_PART_POINTS = {kind: part_points("photovoltaic_power_stations", short)
                  for kind, short in (("grids", "grid"), ("invertors", "invertor"), ("loads", "load"))}
wind_farms = sa.Table("tbl_wind_farms", metadata, *station_columns(), **MYSQL)
