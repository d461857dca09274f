"""Tables of uploaded files (cost, data repair, knowledge, offline meter and energy plan files).

One table serves every kind (``kind`` says which): they share their columns and their life cycle
(uploaded as ``new``, processed to ``done`` or ``error``), so one piece of code serves them all. The bytes
live here (MEDIUMBLOB on MySQL: 16 MiB) and, under a uuid name, in the upload folder.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.dialects.mysql

from myems_api.db.schema import MYSQL, metadata, name_col, name_type, pk, ref, uuid_col

files = sa.Table(
    "tbl_files", metadata, pk(), uuid_col(),
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(128), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("upload_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("error", sa.Text, nullable=True),
    ref("user_id", nullable=True),
    ref("offline_meter_id", nullable=True),
    sa.Column("file_object", sa.LargeBinary().with_variant(sa.dialects.mysql.MEDIUMBLOB(), "mysql"), nullable=False),
    **MYSQL,
)

# Files the advanced report scheduler rendered (``reports.scheduled``), as MyEMS's ``tbl_reports_files``.
report_files = sa.Table(
    "tbl_reports_files", metadata, pk(), uuid_col(), ref("report_id", nullable=True),
    sa.Column("create_datetime_utc", sa.DateTime, nullable=False, index=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_type", sa.String(16), nullable=False),
    sa.Column("file_object", sa.LargeBinary().with_variant(sa.dialects.mysql.MEDIUMBLOB(), "mysql"), nullable=False),
    **MYSQL,
)

# People who signed up and wait for an administrator: never a user (no session, no access) until approved,
# when the row moves to ``tbl_users`` with its password hash. Names and emails are unique here and, checked
# by the service, against ``tbl_users``.
new_users = sa.Table(
    "tbl_new_users", metadata, pk(), name_col(), uuid_col(),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("email", name_type(), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)
