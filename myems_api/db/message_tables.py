"""Tables of web, email, text and wechat messages, notifications and email servers.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.

Names and columns follow MyEMS (``tbl_email_messages``, ``tbl_web_messages``, ...). A message's user or
rule is a plain id column, not a reference the service guards: messages are a history, and deleting a
user or a rule must not be blocked by the messages once sent to it. Message bodies are MEDIUMTEXT on MySQL
(what the API accepts, 65,535 characters, can take more than TEXT's 65,535 bytes in utf8mb4); an email's
attachment is kept in the row (LONGBLOB), as MyEMS does, and never read by lists.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from myems_api.db.schema import MYSQL, metadata, pk, ref


def _body(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=False)


def _queued(*columns: sa.Column[Any]) -> list[sa.Column[Any]]:
    """What email, text and wechat messages share: the rule that made them, when, and how delivery went."""
    return [
        sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recipient_name", sa.String(255), nullable=True),
        *columns,
        sa.Column("created_datetime_utc", sa.DateTime, nullable=False, index=True),
        sa.Column("scheduled_datetime_utc", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    ]


email_servers = sa.Table(
    "tbl_email_servers", metadata, pk(),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("port", sa.Integer, nullable=False),
    sa.Column("requires_authentication", sa.Boolean, nullable=False, default=False),
    sa.Column("user_name", sa.String(255), nullable=True),
    sa.Column("password", sa.String(255), nullable=True),  # write-only through the API
    sa.Column("from_addr", sa.String(255), nullable=False),
    sa.Column("security", sa.String(16), nullable=False, default="none"),  # none, starttls or ssl
    **MYSQL,
)

email_messages = sa.Table(
    "tbl_email_messages", metadata, pk(),
    *_queued(
        sa.Column("recipient_email", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        _body("message"),
        sa.Column("attachment_file_name", sa.String(255), nullable=True),
        sa.Column("attachment_file_object", sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql"),
                  nullable=True),
    ),
    # Delivery state kept by the sender (myems_api.mail): attempts so far, the last error, when it was sent,
    # and when the message may next be tried (also the lease of a message being sent).
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.String(1024), nullable=True),
    sa.Column("sent_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("next_attempt_datetime_utc", sa.DateTime, nullable=True),
    sa.Index("ix_tbl_email_messages_status_scheduled", "status", "scheduled_datetime_utc"),
    **MYSQL,
)

# A password-reset request's token (its SHA-256 hash): what ``PUT /users/forgotpassword`` redeems.
email_message_sessions = sa.Table(
    "tbl_email_message_sessions", metadata, pk(),
    sa.Column("recipient_email", sa.String(255), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("expires_datetime_utc", sa.DateTime, nullable=False),
    **MYSQL,
)

text_messages = sa.Table(
    "tbl_text_messages", metadata, pk(),
    *_queued(
        sa.Column("recipient_mobile", sa.String(32), nullable=False),
        _body("message"),
        sa.Column("acknowledge_code", sa.String(64), nullable=True),
    ),
    sa.Index("ix_tbl_text_messages_status_scheduled", "status", "scheduled_datetime_utc"),
    **MYSQL,
)

wechat_messages = sa.Table(
    "tbl_wechat_messages", metadata, pk(),
    *_queued(
        sa.Column("recipient_openid", sa.String(64), nullable=False),
        sa.Column("message_template_id", sa.String(128), nullable=False),
        _body("message_data"),
        sa.Column("acknowledge_code", sa.String(64), nullable=True),
    ),
    sa.Index("ix_tbl_wechat_messages_status_scheduled", "status", "scheduled_datetime_utc"),
    **MYSQL,
)

web_messages = sa.Table(
    "tbl_web_messages", metadata, pk(), ref("user_id"),
    sa.Column("subject", sa.String(255), nullable=False),
    _body("message"),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False, index=True),
    # v6.7.0's: when what the message tells of began and ended (a fault), and when its status last changed
    sa.Column("start_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("end_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("update_datetime_utc", sa.DateTime, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reply", sa.Text, nullable=True),
    **MYSQL,
)

# Faults the rules engine raised (``aggregation.rules``): one open row (no ``cleared_datetime_utc``) per rule and
# object at a time, so a condition that goes on firing raises once.
fdd_faults = sa.Table(
    "tbl_fdd_faults", metadata, pk(),
    sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("object_key", sa.String(64), nullable=False),  # "point:7", "meter:3", "virtual_meter:2"
    sa.Column("subject", sa.String(255), nullable=False),
    _body("message"),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("raised_datetime_utc", sa.DateTime, nullable=False),
    sa.Column("cleared_datetime_utc", sa.DateTime, nullable=True),
    sa.Index("ix_tbl_fdd_faults_rule_object", "rule_id", "object_key", "cleared_datetime_utc"),
    sa.Index("ix_tbl_fdd_faults_raised", "raised_datetime_utc"),
    **MYSQL,
)

notifications = sa.Table(
    "tbl_notifications", metadata, pk(), ref("user_id"),
    sa.Column("created_datetime_utc", sa.DateTime, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    _body("message"),
    sa.Column("url", sa.String(1024), nullable=True),
    **MYSQL,
)
