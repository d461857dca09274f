"""The energy store's tables: hourly energy per meter and per entity, and the aggregation's leases.

Its own MetaData, because the store may live on another server (``MYEMS_ENERGY_DB_URL``). Every table has
a natural primary key and is written by idempotent upserts, so a rerun, a recomputation after late data
or two overlapping runs converge on the same rows.

- ``tbl_meter_hourly``: one row per meter (of a ``meter_type``: meter, offline_meter, virtual_meter) and
  hour (``start_datetime_utc``), the energy in the meter's unit and quality ``flags`` (see
  :mod:`aggregation.series`).
- ``tbl_entity_hourly``: roll-ups per entity (space, equipment, combined_equipment, tenant, store,
  shopfloor), direction (input/output), energy category and energy item (``energy_item_id`` 0 is the
  category's total) and hour: energy, cost and carbon (kg CO2e).
- ``tbl_offline_meter_daily``: the daily values of offline meters, from their uploaded files (a later
  file's day replaces an earlier one's); their hourly rows are spread from these.
- ``tbl_energy_plan_hourly``: the plan per object (a meter of a ``meter_type`` or an entity), energy category
  and hour, from energy plan files (a later file's hour replaces an earlier one's; ``file_id`` says which).
- ``tbl_space_production_hourly``: what a space produced per product and hour (MyEMS's ``tbl_space_hourly`` of
  its production database), from the days entered through ``POST /reports/enterproduction``.
- ``tbl_aggregation_leases``: who runs the aggregation now; claimed by a conditional UPDATE.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from myems_api.db.schema import MYSQL

metadata = sa.MetaData()

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ENERGY = sa.Numeric(21, 6, asdecimal=False)  # MyEMS's DECIMAL(21, 6): a small meter's hours keep their decimals


def _key(name: str, type_: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, primary_key=True, autoincrement=False)


meter_hourly = sa.Table(
    "tbl_meter_hourly", metadata,
    _key("meter_type", sa.String(16)), _key("meter_id", ID), _key("start_datetime_utc", sa.DateTime()),
    sa.Column("actual_value", ENERGY, nullable=False),
    sa.Column("flags", sa.SmallInteger, nullable=False, default=0),
    **MYSQL,
)

entity_hourly = sa.Table(
    "tbl_entity_hourly", metadata,
    # Key order: a report reads either the category totals (item 0) or the items of one entity, so each is
    # one contiguous range of the key.
    _key("entity_type", sa.String(24)), _key("entity_id", ID), _key("direction", sa.String(8)),
    _key("energy_item_id", ID), _key("energy_category_id", ID), _key("start_datetime_utc", sa.DateTime()),
    sa.Column("actual_value", ENERGY, nullable=False),
    sa.Column("cost", ENERGY, nullable=True), sa.Column("carbon", ENERGY, nullable=True),
    **MYSQL,
)

# Each entity's UTC days of ``tbl_entity_hourly``, kept by the roll-up: reports over long spans (batches of a
# thousand tenants) read whole days here and only the partial days at either end hourly. ``maximum``: the day's
# largest hour.
entity_daily = sa.Table(
    "tbl_entity_daily", metadata,
    _key("entity_type", sa.String(24)), _key("entity_id", ID), _key("direction", sa.String(8)),
    _key("energy_item_id", ID), _key("energy_category_id", ID), _key("utc_date", sa.Date()),
    sa.Column("actual_value", ENERGY, nullable=False), sa.Column("maximum", ENERGY, nullable=False),
    sa.Column("cost", ENERGY, nullable=True), sa.Column("carbon", ENERGY, nullable=True),
    **MYSQL,
)

offline_meter_daily = sa.Table(
    "tbl_offline_meter_daily", metadata,
    _key("offline_meter_id", ID), _key("local_date", sa.Date()),
    sa.Column("actual_value", ENERGY, nullable=False),
    sa.Column("file_id", ID, nullable=False),
    **MYSQL,
)

energy_plan_hourly = sa.Table(
    "tbl_energy_plan_hourly", metadata,
    _key("object_type", sa.String(24)), _key("object_id", ID), _key("energy_category_id", ID),
    _key("start_datetime_utc", sa.DateTime()),
    sa.Column("actual_value", ENERGY, nullable=False),
    sa.Column("file_id", ID, nullable=False, index=True),
    **MYSQL,
)

space_production_hourly = sa.Table(
    "tbl_space_production_hourly", metadata,
    _key("space_id", ID), _key("product_id", ID), _key("start_datetime_utc", sa.DateTime()),
    sa.Column("product_count", ENERGY, nullable=False),
    **MYSQL,
)

leases = sa.Table(
    "tbl_aggregation_leases", metadata,
    _key("name", sa.String(64)),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("expires_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)
