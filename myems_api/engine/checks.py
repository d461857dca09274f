"""Database checks that several families share, built from a table and its columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.engine.family import DbCheck


def no_cycle(table: sa.Table, parent_column: str, code: str) -> DbCheck:
    """A parent reference (master meter, parent space) may not make the entity its own ancestor.

    Walks up from the new parent, one row at a time; meeting the entity means the chain would loop.
    """
    parent = table.c[parent_column]

    def check(conn: Connection, entity: Mapping[str, Any], entity_id: int | None) -> str | None:
        seen: set[int] = set()
        current = entity.get(parent_column)
        while current is not None and current not in seen:
            if current == entity_id:
                return code
            seen.add(current)
            current = conn.execute(sa.select(parent).where(table.c.id == current)).scalar()
        return None

    return check
