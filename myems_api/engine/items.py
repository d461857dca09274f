"""Rows an entity owns and writes with itself (an :class:`Items` spec): parse, check, write, render, copy.

Everything here runs on the caller's connection, inside the entity's own transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.engine.family import Items
from myems_api.engine.fields import Context, Invalid
from myems_api.errors import bad_request, refused

MAX_ITEMS = 1000


class OwnedRows:
    def __init__(self, spec: Items, ctx: Context) -> None:
        self.spec = spec
        self.ctx = ctx
        self.table = spec.table
        self.parent = self.table.c[spec.parent_column]

    @property
    def key(self) -> str:
        return self.spec.key

    def parse(self, payload: Mapping[str, Any], conn: Connection) -> list[dict[str, Any]] | None:
        """The payload's rows as column values; None when the payload does not mention them."""
        if self.key not in payload:
            return None
        raw = payload[self.key]
        if raw is None:
            return []
        if not isinstance(raw, list) or len(raw) > MAX_ITEMS or not all(isinstance(r, dict) for r in raw):
            raise bad_request(f"API.INVALID_{self.key.upper()}")
        if self.spec.resolve:
            raw = [self.spec.resolve(conn, dict(item)) for item in raw]
        return [self._row(item) for item in raw]

    def _row(self, item: Mapping[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for f in self.spec.fields:
            code = f"API.INVALID_{(f.code or f.key).upper()}"
            value = item.get(f.input_key)
            if value is None:
                if f.required:
                    raise bad_request(code)
                row[f.column] = f.default
                continue
            try:
                row[f.column] = f.parse(value, self.ctx)
            except Invalid as exc:
                raise bad_request(code) from exc
        return row

    def check(self, conn: Connection, rows: list[dict[str, Any]], parent: Mapping[str, Any],
              parent_id: int | None) -> None:
        code = self.spec.check(rows, parent) if self.spec.check else None
        if not code and self.spec.db_check:
            code = self.spec.db_check(conn, rows, parent, parent_id)
        if code:
            raise refused(code)

    def existing(self, conn: Connection, parent_id: int) -> list[dict[str, Any]]:
        stmt = sa.select(self.table).where(self.parent == parent_id).order_by(self.table.c.id)
        return [dict(r) for r in conn.execute(stmt).mappings()]

    def replace(self, conn: Connection, parent_id: int, rows: list[dict[str, Any]]) -> None:
        self.delete(conn, parent_id)
        if rows:
            conn.execute(sa.insert(self.table), [{**r, self.spec.parent_column: parent_id} for r in rows])

    def delete(self, conn: Connection, parent_id: int) -> None:
        conn.execute(sa.delete(self.table).where(self.parent == parent_id))

    def copy(self, conn: Connection, from_id: int, to_id: int) -> None:
        rows = [{k: v for k, v in r.items() if k != "id"} for r in self.existing(conn, from_id)]
        self.replace(conn, to_id, rows)

    def attach(self, conn: Connection, objects: list[dict[str, Any]]) -> None:
        """Render each object's rows into ``object[key]``: one query for all the objects."""
        if not objects:
            return
        stmt = sa.select(self.table).where(self.parent.in_([o["id"] for o in objects])).order_by(self.table.c.id)
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(stmt).mappings():
            grouped[row[self.spec.parent_column]].append(
                {f.key: f.render(row[f.column], self.ctx) for f in self.spec.fields})
        if self.spec.enrich:
            self.spec.enrich(conn, [row for rows in grouped.values() for row in rows])
        for o in objects:
            o[self.key] = grouped.get(o["id"], [])
