"""Tables of field operations: control modes, IoT SIM cards, maintenance tickets, and the audit log.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations

import sqlalchemy as sa

from myems_api.db.schema import MYSQL, coefficient, metadata, name_col, name_type, pk, ref, uuid_col

control_modes = sa.Table(
    "tbl_control_modes", metadata, pk(), name_col(), uuid_col(),
    sa.Column("is_active", sa.Boolean, nullable=False, default=True), **MYSQL,
)

control_modes_times = sa.Table(
    "tbl_control_modes_times", metadata, pk(), ref("control_mode_id"),
    sa.Column("start_time_of_day", sa.String(8), nullable=False),
    sa.Column("end_time_of_day", sa.String(8), nullable=False),
    coefficient("power_value", nullable=True), ref("power_point_id", nullable=True),
    sa.Column("power_equation", sa.Text, nullable=True), sa.Column("description", sa.String(255), nullable=True),
    **MYSQL,
)

iot_sim_cards = sa.Table(
    "tbl_iot_sim_cards", metadata, pk(), sa.Column("iccid", sa.String(255), nullable=False, unique=True),
    *(sa.Column(name, sa.String(255), nullable=True)
      for name in ("imsi", "operator", "status", "active_time", "open_time", "expiration_time")),
    coefficient("used_traffic", nullable=True), coefficient("total_traffic", nullable=True),
    sa.Column("description", sa.String(255), nullable=True), **MYSQL,
)

tickets = sa.Table(
    "tbl_tickets", metadata, pk(), uuid_col(), sa.Column("title", name_type(), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False), sa.Column("priority", sa.String(16), nullable=False),
    ref("space_id", nullable=True), ref("equipment_id", nullable=True),
    ref("user_id", nullable=True), sa.Column("created_datetime_utc", sa.DateTime, nullable=False, index=True),
    sa.Column("updated_datetime_utc", sa.DateTime, nullable=False), **MYSQL,
)

# Every write through the API: who (a user's uuid, or an API key's id), when, from where, what, and how it
# ended. MyEMS's tbl_logs columns, and ours after them.
logs = sa.Table(
    "tbl_logs", metadata, pk(),
    sa.Column("user_uuid", sa.String(36), nullable=True, index=True), ref("api_key_id", nullable=True),
    sa.Column("request_datetime_utc", sa.DateTime, nullable=False, index=True),
    sa.Column("request_method", sa.String(8), nullable=False),
    sa.Column("resource_type", sa.String(255), nullable=False),
    sa.Column("resource_id", sa.BigInteger, nullable=True),
    sa.Column("request_body", sa.Text, nullable=True),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("remote_address", sa.String(64), nullable=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("outcome", sa.String(128), nullable=False),
    **MYSQL,
)

# A value to write to a device, as ``PUT /pointsetvalues/{id}`` queues it and the acquisition worker that owns
# the point's data source performs it: ``queued`` -> ``running`` -> ``done`` | ``failed`` | ``timed_out``.
point_set_values = sa.Table(
    "tbl_points_set_values", metadata, pk(), ref("point_id"), ref("data_source_id"),
    coefficient("set_value"), sa.Column("utc_date_time", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("reason", sa.String(255), nullable=True), coefficient("read_back_value", nullable=True),
    sa.Column("done_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("requested_by", sa.String(64), nullable=True), **MYSQL,
)
