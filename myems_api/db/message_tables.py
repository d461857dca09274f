"""Tables of web, email, text and wechat messages, notifications and email servers.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations
