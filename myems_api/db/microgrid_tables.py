"""Tables of microgrids (and their batteries, PV, grids, loads, ...) and virtual power plants.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.

A microgrid's parts (``tbl_microgrids_<kind>``) each name their microgrid, are named uniquely within it and
name the points and meters that measure them (``<what>_point_id``, ``<what>_meter_id``); its schedule rows
say, per time of day, what power it should exchange. As everywhere, integrity is the service's (no foreign
keys): the resource specs in :mod:`myems_api.resources.microgrids` check references and refuse deletes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from myems_api.db.schema import MYSQL, coefficient, link, links, metadata, name_col, pk, ref, svg_text, uuid_col


def _description() -> sa.Column[str]:
    return sa.Column("description", sa.Text, nullable=True)


microgrids = sa.Table(
    "tbl_microgrids", metadata, pk(), name_col(), uuid_col(),
    sa.Column("address", sa.String(255), nullable=False), sa.Column("postal_code", sa.String(64), nullable=False),
    coefficient("latitude"), coefficient("longitude"), coefficient("capacity"),
    coefficient("rated_power", nullable=True),
    # MyEMS's classification codes; it keeps lookup tables for them that the API reference does not serve.
    sa.Column("architecture_type_id", sa.Integer, nullable=True), sa.Column("owner_type_id", sa.Integer, nullable=True),
    ref("contact_id"), ref("cost_center_id"), svg_text(nullable=True), ref("svg_diagram_id", nullable=True),
    _description(), **MYSQL,
)
microgrids_links = links("microgrids", "microgrid_id", ("sensor", "user", "data_source"))


def part(kind: str, *columns: sa.Column[Any]) -> sa.Table:
    """A microgrid's part of one kind: its name unique within the microgrid, its capacity, what measures it."""
    return sa.Table(
        f"tbl_microgrids_{kind}", metadata, pk(), name_col(unique=False), uuid_col(), ref("microgrid_id"),
        *columns, coefficient("capacity"), sa.UniqueConstraint("microgrid_id", "name"), **MYSQL,
    )


microgrid_batteries = part(
    "batteries", ref("battery_state_point_id"), ref("soc_point_id"), ref("power_point_id"),
    ref("charge_meter_id"), ref("discharge_meter_id"),
    coefficient("rated_power", nullable=True), coefficient("nominal_voltage", nullable=True))
microgrid_evchargers = part("evchargers", ref("power_point_id"), ref("meter_id"))
microgrid_generators = part("generators", ref("power_point_id"), ref("meter_id"))
microgrid_grids = part("grids", ref("power_point_id", nullable=True), ref("buy_meter_id"), ref("sell_meter_id"))
microgrid_heatpumps = part("heatpumps", ref("power_point_id"), ref("electricity_meter_id"), ref("heat_meter_id"),
                           ref("cooling_meter_id"))
microgrid_loads = part("loads", ref("power_point_id"), ref("meter_id"))
microgrid_photovoltaics = part("photovoltaics", ref("power_point_id"), ref("meter_id"))
microgrid_power_conversion_systems = part(
    "power_conversion_systems", ref("run_state_point_id"),
    ref("today_charge_energy_point_id", nullable=True), ref("today_discharge_energy_point_id", nullable=True),
    ref("total_charge_energy_point_id", nullable=True), ref("total_discharge_energy_point_id", nullable=True))

microgrid_schedules = sa.Table(
    "tbl_microgrids_schedules", metadata, pk(), ref("microgrid_id"),
    sa.Column("start_time_of_day", sa.String(8), nullable=False),
    sa.Column("end_time_of_day", sa.String(8), nullable=False),
    sa.Column("peak_type", sa.String(16), nullable=False), coefficient("power"), **MYSQL,
)

virtual_power_plants = sa.Table(
    "tbl_virtual_power_plants", metadata, pk(), name_col(), uuid_col(), ref("cost_center_id"),
    ref("balancing_price_point_id"), svg_text(nullable=True), ref("svg_diagram_id", nullable=True),
    _description(), **MYSQL,
)
virtual_power_plants_microgrids = link("tbl_virtual_power_plants_microgrids", "virtual_power_plant_id",
                                       "microgrid_id")


# Each part's points, as v6.7.0 names the tables (``tbl_microgrids_bmses_points``, keyed by ``bms_id``).
PART_POINTS = {kind: link(f"tbl_microgrids_{short}es_points" if short.endswith("s") else
                          f"tbl_microgrids_{short}s_points", f"{short}_id", "point_id")
               for kind, short in (("batteries", "bms"), ("evchargers", "evcharger"), ("generators", "generator"),
                                   ("grids", "grid"), ("heatpumps", "heatpump"), ("loads", "load"),
                                   ("photovoltaics", "pv"), ("power_conversion_systems", "pcs"))}
