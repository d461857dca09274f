"""SQLAlchemy Core metadata: the single definition of every table (``sql/mysql/`` is rendered from it).

Rules that keep the schema portable to MySQL-compatible distributed engines (see DESIGN.md): an explicit
primary key everywhere, no foreign keys or cascades (the service enforces integrity), unique constraints
for natural keys, naive UTC ``DATETIME`` columns. Names are unique case-insensitively on both dialects.
Table names follow MyEMS (``tbl_...``) so a DBA moving from MyEMS finds familiar ground.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.mysql

metadata = sa.MetaData()

MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}


def pk() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                     autoincrement=True)


def ref(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable,
                     index=True)


def name_type(length: int = 255) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="NOCASE"), "sqlite")


def name_col(unique: bool = True) -> sa.Column[str]:
    return sa.Column("name", name_type(), nullable=False, unique=unique)


def uuid_col() -> sa.Column[str]:
    return sa.Column("uuid", sa.String(36), nullable=False, unique=True)


def coefficient(name: str, nullable: bool = False) -> sa.Column[float]:
    """MyEMS's DECIMAL(21, 6): limits and ratios of 15 integer digits (a high limit of 1e14 fits)."""
    return sa.Column(name, sa.Numeric(21, 6, asdecimal=False), nullable=nullable)


privileges = sa.Table(
    "tbl_privileges", metadata, pk(), name_col(), uuid_col(),
    sa.Column("data", sa.Text, nullable=False), **MYSQL,
)

users = sa.Table(
    "tbl_users", metadata, pk(), name_col(), uuid_col(),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("email", name_type(), nullable=False, unique=True),
    sa.Column("phone", sa.String(20), nullable=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("is_read_only", sa.Boolean, nullable=False, default=False),
    ref("privilege_id", nullable=True),
    sa.Column("account_expiration_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("password_expiration_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("failed_login_count", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until_utc", sa.DateTime, nullable=True),
    **MYSQL,
)

sessions = sa.Table(
    "tbl_sessions", metadata, pk(), ref("user_id"),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("expires_datetime_utc", sa.DateTime, nullable=False, index=True),
    **MYSQL,
)

api_keys = sa.Table(
    "tbl_api_keys", metadata, pk(), name_col(), uuid_col(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("expires_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)

timezones = sa.Table(
    "tbl_timezones", metadata, pk(), name_col(),
    sa.Column("description", sa.String(255), nullable=False),
    sa.Column("utc_offset", sa.String(8), nullable=False),
    sa.Column("tz_name", sa.String(64), nullable=True),
    **MYSQL,
)

protocols = sa.Table(
    "tbl_protocols", metadata, pk(), name_col(),
    sa.Column("code", sa.String(64), nullable=False, unique=True), **MYSQL,
)

menus = sa.Table(
    "tbl_menus", metadata, pk(),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("route", sa.String(255), nullable=False, unique=True),
    ref("parent_menu_id", nullable=True),
    sa.Column("is_hidden", sa.Boolean, nullable=False, default=False),
    **MYSQL,
)

energy_categories = sa.Table(
    "tbl_energy_categories", metadata, pk(), name_col(), uuid_col(),
    sa.Column("unit_of_measure", sa.String(32), nullable=False),
    coefficient("kgce"), coefficient("kgco2e"), **MYSQL,
)

# What a space produces (MyEMS keeps these in its production database, edited there by hand; here they are a
# family, ``/products``): energy per unit produced is reported against them.
products = sa.Table(
    "tbl_products", metadata, pk(), name_col(), uuid_col(),
    sa.Column("unit_of_measure", sa.String(32), nullable=False),
    sa.Column("tag", sa.String(128), nullable=True),
    coefficient("standard_product_coefficient"), **MYSQL,
)

energy_items = sa.Table(
    "tbl_energy_items", metadata, pk(), name_col(), uuid_col(), ref("energy_category_id"), **MYSQL,
)

cost_centers = sa.Table(
    "tbl_cost_centers", metadata, pk(), name_col(), uuid_col(),
    sa.Column("external_id", sa.String(64), nullable=True), **MYSQL,
)

contacts = sa.Table(
    "tbl_contacts", metadata, pk(), name_col(), uuid_col(),
    sa.Column("email", sa.String(255), nullable=False),
    sa.Column("phone", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

tariffs = sa.Table(
    "tbl_tariffs", metadata, pk(), name_col(), uuid_col(), ref("energy_category_id"),
    sa.Column("tariff_type", sa.String(16), nullable=False),
    sa.Column("unit_of_price", sa.String(64), nullable=False),
    sa.Column("valid_from_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("valid_through_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)

tariff_timeofuses = sa.Table(
    "tbl_tariffs_timeofuses", metadata, pk(), ref("tariff_id"),
    sa.Column("start_time_of_day", sa.String(8), nullable=False),
    sa.Column("end_time_of_day", sa.String(8), nullable=False),
    sa.Column("peak_type", sa.String(16), nullable=False),
    coefficient("price"), **MYSQL,
)

tariff_blocks = sa.Table(
    "tbl_tariffs_blocks", metadata, pk(), ref("tariff_id"),
    coefficient("start_amount"), coefficient("end_amount"), coefficient("price"), **MYSQL,
)

cost_centers_tariffs = sa.Table(
    "tbl_cost_centers_tariffs", metadata, pk(), ref("cost_center_id"), ref("tariff_id"),
    sa.UniqueConstraint("cost_center_id", "tariff_id"), **MYSQL,
)

gateways = sa.Table(
    "tbl_gateways", metadata, pk(), name_col(), uuid_col(),
    sa.Column("token", sa.String(128), nullable=False, unique=True),
    sa.Column("last_seen_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

data_sources = sa.Table(
    "tbl_data_sources", metadata, pk(), name_col(), uuid_col(), ref("gateway_id"),
    sa.Column("protocol", sa.String(64), nullable=False, index=True),
    sa.Column("connection", sa.Text, nullable=False),
    sa.Column("last_seen_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

# What the acquisition worker owning a data source last reported: counters since the worker started.
data_source_status = sa.Table(
    "tbl_data_source_status", metadata,
    sa.Column("data_source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
              autoincrement=False),
    sa.Column("reads", sa.BigInteger, nullable=False), sa.Column("errors", sa.BigInteger, nullable=False),
    sa.Column("last_latency_ms", sa.Float, nullable=False), sa.Column("last_error", sa.String(255), nullable=True),
    sa.Column("updated_datetime_utc", sa.DateTime, nullable=False), **MYSQL,
)


def flag(name: str, default: bool = False) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False, default=default)


def link(name: str, owner: str, target: str, *extra: sa.Column[Any]) -> sa.Table:
    """A many-to-many binding table: one row per (owner, target), with the binding's own columns."""
    return sa.Table(name, metadata, pk(), ref(owner), ref(target), *extra, sa.UniqueConstraint(owner, target),
                    **MYSQL)


def links(owner_plural: str, owner: str, targets: tuple[str, ...],
          outputs: tuple[str, ...] = ()) -> dict[str, sa.Table]:
    """``tbl_<owner>_<target>`` binding tables by target family (``meter`` -> ``tbl_tenants_meters``);
    bindings to ``outputs`` say whether the target measures the owner's output (``is_output``)."""
    return {target: link(f"tbl_{owner_plural}_{target}s", owner, f"{target}_id",
                         *([flag("is_output")] if target in outputs else []))
            for target in targets}


points = sa.Table(
    "tbl_points", metadata, pk(), name_col(unique=False), uuid_col(), ref("data_source_id"),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("units", sa.String(32), nullable=True),
    coefficient("high_limit"), coefficient("low_limit"),
    coefficient("higher_limit", nullable=True), coefficient("lower_limit", nullable=True),
    coefficient("ratio"), coefficient("offset_constant"),
    flag("is_trend", True), flag("is_virtual"),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("faults", sa.Text, nullable=True), sa.Column("definitions", sa.Text, nullable=True),  # v6.7.0's
    sa.UniqueConstraint("data_source_id", "name"), **MYSQL,
)


def meter_columns(master: bool) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [ref("energy_category_id"), flag("is_counted", True),
               coefficient("hourly_low_limit"), coefficient("hourly_high_limit"),
               ref("cost_center_id"), ref("energy_item_id", nullable=True),
               sa.Column("description", sa.Text, nullable=True)]
    return [*columns, ref("master_meter_id", nullable=True)] if master else columns


meters = sa.Table("tbl_meters", metadata, pk(), name_col(), uuid_col(), *meter_columns(master=True), **MYSQL)
offline_meters = sa.Table("tbl_offline_meters", metadata, pk(), name_col(), uuid_col(),
                          *meter_columns(master=False), **MYSQL)

virtual_meters = sa.Table(
    "tbl_virtual_meters", metadata, pk(), name_col(), uuid_col(), ref("energy_category_id"),
    flag("is_counted", True), ref("cost_center_id"), ref("energy_item_id", nullable=True),
    sa.Column("equation", sa.String(1024), nullable=False),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

virtual_meter_variables = sa.Table(
    "tbl_variables", metadata, pk(), ref("virtual_meter_id"),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("meter_type", sa.String(16), nullable=False),
    ref("meter_id"), **MYSQL,
)

sensors = sa.Table(
    "tbl_sensors", metadata, pk(), name_col(), uuid_col(), sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

commands = sa.Table(
    "tbl_commands", metadata, pk(), name_col(), uuid_col(),
    sa.Column("topic", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    coefficient("set_value", nullable=True),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

meters_points = link("tbl_meters_points", "meter_id", "point_id")
meters_commands = link("tbl_meters_commands", "meter_id", "command_id")
sensors_points = link("tbl_sensors_points", "sensor_id", "point_id")

svgs = sa.Table(
    "tbl_svgs", metadata, pk(), name_col(), uuid_col(),
    sa.Column("svg", sa.Text().with_variant(sa.dialects.mysql.MEDIUMTEXT(), "mysql"), nullable=False),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

tenant_types = sa.Table(
    "tbl_tenant_types", metadata, pk(), name_col(), uuid_col(),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("simplified_code", sa.String(32), nullable=True), **MYSQL,
)

store_types = sa.Table(
    "tbl_store_types", metadata, pk(), name_col(), uuid_col(),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("simplified_code", sa.String(32), nullable=True), **MYSQL,
)

working_calendars = sa.Table(
    "tbl_working_calendars", metadata, pk(), name_col(), uuid_col(),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

non_working_days = sa.Table(
    "tbl_working_calendars_non_working_days", metadata, pk(), ref("working_calendar_id"),
    sa.Column("date_local", sa.Date, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.UniqueConstraint("working_calendar_id", "date_local"), **MYSQL,
)

rules = sa.Table(
    "tbl_rules", metadata, pk(), name_col(), uuid_col(),
    sa.Column("fdd_code", sa.String(32), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("expression", sa.Text, nullable=False),
    sa.Column("message_template", sa.Text, nullable=False),
    flag("is_enabled", True), flag("is_run_immediately"),
    sa.Column("last_run_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("next_run_datetime_utc", sa.DateTime, nullable=True), **MYSQL,
)

advanced_reports = sa.Table(
    "tbl_reports", metadata, pk(), name_col(), uuid_col(),
    sa.Column("expression", sa.Text, nullable=False),
    flag("is_enabled", True), flag("is_run_immediately"),
    sa.Column("last_run_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("next_run_datetime_utc", sa.DateTime, nullable=True), **MYSQL,
)

spaces = sa.Table(
    "tbl_spaces", metadata, pk(), name_col(), uuid_col(), ref("parent_space_id", nullable=True),
    coefficient("area"), coefficient("number_of_occupants", nullable=True), ref("timezone_id"),
    flag("is_input_counted"), flag("is_output_counted"),
    ref("contact_id", nullable=True), ref("cost_center_id", nullable=True),
    coefficient("latitude", nullable=True), coefficient("longitude", nullable=True),
    sa.Column("description", sa.Text, nullable=True), **MYSQL,
)

spaces_meters = link("tbl_spaces_meters", "space_id", "meter_id")
spaces_offline_meters = link("tbl_spaces_offline_meters", "space_id", "offline_meter_id")
spaces_virtual_meters = link("tbl_spaces_virtual_meters", "space_id", "virtual_meter_id")
spaces_points = link("tbl_spaces_points", "space_id", "point_id")
spaces_sensors = link("tbl_spaces_sensors", "space_id", "sensor_id")
spaces_commands = link("tbl_spaces_commands", "space_id", "command_id")
spaces_working_calendars = link("tbl_spaces_working_calendars", "space_id", "working_calendar_id")

METERING = ("meter", "offline_meter", "virtual_meter")
SITE_TARGETS = (*METERING, "point", "sensor", "working_calendar", "command")


def site_columns(*columns: sa.Column[Any]) -> list[sa.Column[Any]]:
    """What tenants, stores and shopfloors share: area, counted input, contact and cost center."""
    return [pk(), name_col(), uuid_col(), *columns, coefficient("area"), flag("is_input_counted", True),
            ref("contact_id", nullable=True), ref("cost_center_id", nullable=True),
            sa.Column("description", sa.Text, nullable=True)]


def svg_text(nullable: bool = False) -> sa.Column[str]:
    return sa.Column("svg", sa.Text().with_variant(sa.dialects.mysql.MEDIUMTEXT(), "mysql"), nullable=nullable)


def equipment_columns() -> list[sa.Column[Any]]:
    return [pk(), name_col(), uuid_col(), flag("is_input_counted", True), flag("is_output_counted"),
            ref("cost_center_id"), svg_text(nullable=True), sa.Column("camera_url", sa.String(1024), nullable=True),
            sa.Column("description", sa.Text, nullable=True), coefficient("efficiency_indicator", nullable=True),
            ref("svg_diagram_id", nullable=True)]


def parameters_table(name: str, owner: str) -> sa.Table:
    """Named parameters of a piece of equipment: a constant, a point, or a ratio of two meters (by uuid)."""
    return sa.Table(
        name, metadata, pk(), ref(owner), sa.Column("name", name_type(), nullable=False),
        sa.Column("parameter_type", sa.String(16), nullable=False),
        sa.Column("constant", sa.String(255), nullable=True), ref("point_id", nullable=True),
        sa.Column("numerator_meter_uuid", sa.String(36), nullable=True),
        sa.Column("denominator_meter_uuid", sa.String(36), nullable=True),
        sa.UniqueConstraint(owner, "name"), **MYSQL,
    )


equipments = sa.Table("tbl_equipments", metadata, *equipment_columns(), **MYSQL)
equipments_links = links("equipments", "equipment_id", (*METERING, "command", "data_source"), outputs=METERING)
equipment_parameters = parameters_table("tbl_equipments_parameters", "equipment_id")

combined_equipments = sa.Table("tbl_combined_equipments", metadata, *equipment_columns(), **MYSQL)
combined_equipments_links = links("combined_equipments", "combined_equipment_id",
                                  ("equipment", *METERING, "command", "data_source"), outputs=METERING)
combined_equipment_parameters = parameters_table("tbl_combined_equipments_parameters", "combined_equipment_id")

tenants = sa.Table(
    "tbl_tenants", metadata, *site_columns(
        sa.Column("buildings", sa.String(255), nullable=False), sa.Column("floors", sa.String(255), nullable=False),
        sa.Column("rooms", sa.String(255), nullable=False), ref("tenant_type_id"), flag("is_key_tenant"),
        sa.Column("lease_number", sa.String(255), nullable=False),
        sa.Column("lease_start_datetime_utc", sa.DateTime, nullable=False),
        sa.Column("lease_end_datetime_utc", sa.DateTime, nullable=False), flag("is_in_lease", True)),
    **MYSQL,
)
tenants_links = links("tenants", "tenant_id", SITE_TARGETS)

stores = sa.Table(
    "tbl_stores", metadata, *site_columns(
        sa.Column("address", sa.String(255), nullable=False),
        coefficient("latitude", nullable=True), coefficient("longitude", nullable=True), ref("store_type_id")),
    **MYSQL,
)
stores_links = links("stores", "store_id", SITE_TARGETS)

shopfloors = sa.Table("tbl_shopfloors", metadata, *site_columns(), **MYSQL)
shopfloors_links = links("shopfloors", "shopfloor_id", ("equipment", *SITE_TARGETS))

spaces_links = links("spaces", "space_id", ("tenant", "store", "shopfloor", "equipment", "combined_equipment",
                                           "microgrid", "energy_storage_power_station", "distribution_system",
                                           "energy_flow_diagram", "photovoltaic_power_station"))

distribution_systems = sa.Table(
    "tbl_distribution_systems", metadata, pk(), name_col(), uuid_col(), svg_text(nullable=True),
    sa.Column("description", sa.Text, nullable=True), ref("svg_diagram_id", nullable=True), **MYSQL,
)

distribution_circuits = sa.Table(
    "tbl_distribution_circuits", metadata, pk(), name_col(unique=False), uuid_col(), ref("distribution_system_id"),
    sa.Column("distribution_room", sa.String(255), nullable=False),
    sa.Column("switchgear", sa.String(255), nullable=False),
    coefficient("peak_load"), coefficient("peak_current"),
    sa.Column("customers", sa.String(255), nullable=True), sa.Column("meters", sa.String(255), nullable=True),
    sa.UniqueConstraint("distribution_system_id", "name"), **MYSQL,
)
distribution_circuits_links = links("distribution_circuits", "distribution_circuit_id", ("point",))

energy_flow_diagrams = sa.Table("tbl_energy_flow_diagrams", metadata, pk(), name_col(), uuid_col(), **MYSQL)

energy_flow_diagram_nodes = sa.Table(
    "tbl_energy_flow_diagrams_nodes", metadata, pk(), ref("energy_flow_diagram_id"),
    sa.Column("name", name_type(), nullable=False), sa.UniqueConstraint("energy_flow_diagram_id", "name"), **MYSQL,
)

energy_flow_diagram_links = sa.Table(
    "tbl_energy_flow_diagrams_links", metadata, pk(), ref("energy_flow_diagram_id"),
    ref("source_node_id"), ref("target_node_id"), sa.Column("meter_uuid", sa.String(36), nullable=True),
    sa.UniqueConstraint("energy_flow_diagram_id", "source_node_id", "target_node_id"), **MYSQL,
)

# The later domains keep their tables in modules of their own; importing them registers them on ``metadata``.
from myems_api.db import (  # noqa: E402,F401
    file_tables,
    import_tables,
    message_tables,
    microgrid_tables,
    operations_tables,
    power_station_tables,
)
