"""The historical store's tables: raw trend values per point and the latest value of each point.

Its own MetaData, because the store may live on another server (``MYEMS_HISTORICAL_DB_URL``). Time series
have the natural key (point_id, utc_date_time) and are written by idempotent upserts, so a redelivered
message or a replayed spool never duplicates a row. ``utc_date_time`` keeps milliseconds; ``is_bad`` marks
a value outside the point's limits (kept, not dropped or clamped) or unreadable.

Every write also marks its points dirty from their earliest new reading (``tbl_point_dirty``): that is
how the aggregation finds new and late data without scanning the trend tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from myems_api.db.schema import MYSQL

metadata = sa.MetaData()

MILLISECONDS = sa.DateTime().with_variant(mysql.DATETIME(fsp=3), "mysql")
VALUE = sa.Numeric(21, 6, asdecimal=False)
POINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def trend_table(name: str, keyed_by_time: bool = True) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("point_id", POINT_ID, primary_key=True, autoincrement=False),
        sa.Column("utc_date_time", MILLISECONDS, primary_key=keyed_by_time, nullable=False),
        sa.Column("actual_value", VALUE, nullable=True),
        sa.Column("is_bad", sa.Boolean, nullable=False, default=False),
        **MYSQL,
    )


energy_values = trend_table("tbl_energy_value")
analog_values = trend_table("tbl_analog_value")
digital_values = trend_table("tbl_digital_value")
latest_values = trend_table("tbl_point_latest_value", keyed_by_time=False)  # one row per point

TRENDS = {"ENERGY_VALUE": energy_values, "ANALOG_VALUE": analog_values, "DIGITAL_VALUE": digital_values}

# Points with readings the aggregation has not taken in yet: the earliest such reading's time, and a
# version bumped on every mark, so the aggregation clears a mark only if nothing arrived meanwhile.
dirty_points = sa.Table(
    "tbl_point_dirty", metadata,
    sa.Column("point_id", POINT_ID, primary_key=True, autoincrement=False),
    sa.Column("from_datetime_utc", MILLISECONDS, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, default=1),
    **MYSQL,
)

# What data repair files replaced (every reading of a point from the file's first to its last time), kept
# until the file is undone (``aggregation.repair_files``).
data_repair_changes = sa.Table(
    "tbl_data_repair_changes", metadata,
    sa.Column("file_id", POINT_ID, primary_key=True, autoincrement=False),
    sa.Column("point_id", POINT_ID, primary_key=True, autoincrement=False),
    sa.Column("utc_date_time", MILLISECONDS, primary_key=True),
    sa.Column("actual_value", VALUE, nullable=True),
    sa.Column("is_bad", sa.Boolean, nullable=False, default=False),
    **MYSQL,
)
