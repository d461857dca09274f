"""Where ``myems db import-myems`` stands: one row per MyEMS time-series table it streams.

A killed import, run again, goes on after ``last_id`` (the source's primary key, read in key order); the rows
of the batch it was writing when killed are written again, as idempotent upserts, so nothing is duplicated. A
later run reads only the rows added to the source since, which is how an installation catches up just before
it switches over.
"""

from __future__ import annotations

import sqlalchemy as sa

from myems_api.db.schema import MYSQL, metadata

import_checkpoints = sa.Table(
    "tbl_import_checkpoints", metadata,
    sa.Column("source_table", sa.String(128), primary_key=True),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sa.Column("rows_read", sa.BigInteger, nullable=False, default=0),
    sa.Column("rows_written", sa.BigInteger, nullable=False, default=0),
    sa.Column("rows_skipped", sa.BigInteger, nullable=False, default=0),
    sa.Column("skipped_total", sa.Float(53), nullable=False, default=0.0),  # skipped actual_value (a DOUBLE)
    sa.Column("updated_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)
