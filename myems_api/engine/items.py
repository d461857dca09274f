"""Rows an entity owns and writes with itself (an :class:`Items` spec): parse, check, write, render, copy.

Everything here runs on the caller's connection, inside the entity's own transaction. Rows of a served
spec keep the id a document gave them (``SOURCE_ID``) until written, so that rows linking to them (a
link's source node) can be pointed at the new rows: ``replace`` answers old id -> new id.

A row's ``Ref`` fields (a battery's SOC point) come in as ``<key>_id``, must name an existing entity
(``API.<KEY>_NOT_FOUND``), and render as ``<key>_id`` plus ``<key>: {id, name, uuid}``; on import the
object's uuid, when given, wins over the id (ids differ between instances).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.engine.family import Binding, Items
from myems_api.engine.fields import Context, Field, Invalid, Ref
from myems_api.errors import bad_request, not_found, refused

MAX_ITEMS = 1000
SOURCE_ID = "__source_id"
IdMap = dict[Any, int]


def _field_code(f: Field) -> str:
    if f.code:
        return f"API.INVALID_{f.code.upper()}"
    return f"API.INVALID_{f.key.upper()}_ID" if isinstance(f, Ref) else f"API.INVALID_{f.key.upper()}"


class OwnedRows:
    def __init__(self, spec: Items, ctx: Context, tables: Mapping[str, sa.Table] | None = None) -> None:
        self.spec = spec
        self.ctx = ctx
        self.tables = dict(tables or {})  # the tables of the families the rows' Ref fields name
        self.table = spec.table
        self.parent = self.table.c[spec.parent_column]
        self.siblings: dict[str, OwnedRows] = {}  # the owner's other kinds of rows, by key (set by the store)

    @property
    def key(self) -> str:
        return self.spec.key

    def parse(self, payload: Mapping[str, Any], conn: Connection,
              imported: bool = False) -> list[dict[str, Any]] | None:
        """The payload's rows as column values; None when the payload does not mention them.

        ``imported``: the rows come from an export, so references given as objects with a uuid resolve by it.
        """
        if self.key not in payload:
            return None
        raw = payload[self.key]
        if raw is None:
            return []
        if not isinstance(raw, list) or len(raw) > MAX_ITEMS or not all(isinstance(r, dict) for r in raw):
            raise bad_request(f"API.INVALID_{self.key.upper()}")
        if self.spec.resolve:
            raw = [self.spec.resolve(conn, dict(item)) for item in raw]
        if imported and self.spec.refs:
            raw = [self._by_uuid(conn, dict(item)) for item in raw]
        return [self._row(item) for item in raw]

    def _by_uuid(self, conn: Connection, item: dict[str, Any]) -> dict[str, Any]:
        for f in self.spec.refs:
            target, table = item.get(f.key), self.tables[f.target]
            if isinstance(target, dict) and target.get("uuid") and "uuid" in table.c:
                found = conn.execute(sa.select(table.c.id).where(table.c.uuid == str(target["uuid"]))).scalar()
                if found is None:
                    raise not_found(f"API.{f.key.upper()}_NOT_FOUND")
                item[f.input_key] = found
        return item

    def parse_one(self, payload: Mapping[str, Any], conn: Connection) -> dict[str, Any]:
        row = (self.parse({self.key: [dict(payload)]}, conn) or [{}])[0]
        row.pop(SOURCE_ID, None)
        return row

    def _row(self, item: Mapping[str, Any]) -> dict[str, Any]:
        source = item.get("id")
        row: dict[str, Any] = {SOURCE_ID: source if isinstance(source, int | str) else None} if self.spec.served else {}
        for f in self.spec.fields:
            code = _field_code(f)
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
        if not code:
            code = self._missing_reference(conn, rows)
        if not code and self.spec.db_check:
            code = self.spec.db_check(conn, rows, parent, parent_id)
        if code:
            raise refused(code)

    def _missing_reference(self, conn: Connection, rows: list[dict[str, Any]]) -> str | None:
        for f in self.spec.refs:
            wanted = {r[f.column] for r in rows if r.get(f.column) is not None}
            table = self.tables[f.target]
            if wanted and wanted - set(conn.execute(sa.select(table.c.id).where(table.c.id.in_(wanted))).scalars()):
                return f"API.{f.key.upper()}_NOT_FOUND"
        return None

    def existing(self, conn: Connection, parent_id: int) -> list[dict[str, Any]]:
        stmt = sa.select(self.table).where(self.parent == parent_id).order_by(self.table.c.id)
        return [dict(r) for r in conn.execute(stmt).mappings()]

    def replace(self, conn: Connection, parent_id: int, rows: list[dict[str, Any]],
                maps: Mapping[str, IdMap] | None = None) -> IdMap:
        """Writes ``rows`` in place of the old ones; ``maps`` holds the new ids of rewritten linked rows.

        A row's bindings (a battery's points) stay with the row of the same name among the new ones."""
        kept = self._bindings_by_name(conn, parent_id)
        self.delete(conn, parent_id)
        rows = [self.link(conn, parent_id, dict(r), maps or {}) for r in rows]
        if not self.spec.served:
            if rows:
                conn.execute(sa.insert(self.table), [{**r, self.spec.parent_column: parent_id} for r in rows])
            return {}
        new_ids: IdMap = {}
        for r in rows:
            source = r.pop(SOURCE_ID, None)
            new_id = self.insert(conn, parent_id, r)
            if source is not None:
                new_ids[source] = new_id
            for binding, links in kept.get(r.get("name"), {}).items():
                self._bind_rows(conn, binding, new_id, links)
        return new_ids

    def _bindings_by_name(self, conn: Connection, parent_id: int) -> dict[Any, dict[Binding, list[dict[str, Any]]]]:
        """Each named row's binding rows (without their ids and owner), for rows about to be rewritten."""
        if not self.spec.bindings or "name" not in self.table.c:
            return {}
        names = dict(conn.execute(sa.select(self.table.c.id, self.table.c.name).where(self.parent == parent_id)).all())
        found: dict[Any, dict[Binding, list[dict[str, Any]]]] = defaultdict(dict)
        for binding in self.spec.bindings:
            link = binding.table
            for row in conn.execute(sa.select(link).where(link.c[binding.owner_column].in_(list(names)))).mappings():
                links = found[names[row[binding.owner_column]]].setdefault(binding, [])
                links.append({k: v for k, v in row.items() if k not in ("id", binding.owner_column)})
        return found

    @staticmethod
    def _bind_rows(conn: Connection, binding: Binding, row_id: int, links: list[dict[str, Any]]) -> None:
        if links:
            conn.execute(sa.insert(binding.table), [{**link, binding.owner_column: row_id} for link in links])

    def copy_bindings(self, conn: Connection, new_ids: IdMap) -> None:
        """The bindings of copied rows, onto their copies (``new_ids``: old row id -> new row id)."""
        for binding in self.spec.bindings:
            link = binding.table
            rows = conn.execute(sa.select(link).where(link.c[binding.owner_column].in_(list(new_ids)))).mappings()
            for row in list(rows):
                self._bind_rows(conn, binding, new_ids[row[binding.owner_column]],
                                [{k: v for k, v in row.items() if k not in ("id", binding.owner_column)}])

    def insert(self, conn: Connection, parent_id: int, row: Mapping[str, Any]) -> int:
        values = {**row, self.spec.parent_column: parent_id}
        key = conn.execute(sa.insert(self.table).values(values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def link(self, conn: Connection, parent_id: int, row: dict[str, Any], maps: Mapping[str, IdMap]) -> dict[str, Any]:
        """Points the row's links at the owner's rows: rewritten ones through ``maps``, the others as stored."""
        for column, other_key in self.spec.links_to:
            code = f"API.INVALID_{column.upper()}"
            if other_key in maps:
                if row[column] not in maps[other_key]:
                    raise bad_request(code)
                row[column] = maps[other_key][row[column]]
                continue
            other = self.siblings[other_key]
            found = sa.select(other.table.c.id).where(other.table.c.id == row[column], other.parent == parent_id)
            if conn.execute(found).first() is None:
                raise bad_request(code)
        return row

    def linked_from(self, conn: Connection, parent_id: int, row_id: int | None = None) -> str | None:
        """The error code when the owner's other rows link to this kind's rows (or to one of them)."""
        for other in self.siblings.values():
            for column, other_key in other.spec.links_to:
                if other_key != self.key:
                    continue
                used = sa.select(other.table.c.id).where(other.parent == parent_id)
                if row_id is not None:
                    used = used.where(other.table.c[column] == row_id)
                if conn.execute(used.limit(1)).first() is not None:
                    return f"API.THERE_IS_RELATION_WITH_{other.key.upper()}"
        return None

    def delete(self, conn: Connection, parent_id: int, row_id: int | None = None) -> int:
        """The owner's rows (or one of them) with their bindings; answers how many rows went."""
        where = [self.parent == parent_id, *([self.table.c.id == row_id] if row_id is not None else [])]
        for binding in self.spec.bindings:
            link = binding.table
            conn.execute(sa.delete(link).where(link.c[binding.owner_column].in_(
                sa.select(self.table.c.id).where(*where))))
        return int(conn.execute(sa.delete(self.table).where(*where)).rowcount)

    def copy(self, conn: Connection, from_id: int, to_id: int, maps: Mapping[str, IdMap]) -> IdMap:
        rows = [{**{k: v for k, v in r.items() if k not in ("id", self.spec.parent_column)}, SOURCE_ID: r["id"]}
                for r in self.existing(conn, from_id)]
        if not self.spec.served:
            rows = [{k: v for k, v in r.items() if k != SOURCE_ID} for r in rows]
        new_ids = self.replace(conn, to_id, rows, maps)
        self.copy_bindings(conn, new_ids)
        return new_ids

    def attach(self, conn: Connection, objects: list[dict[str, Any]]) -> None:
        """Render each object's rows into ``object[key]``: one query for all the objects."""
        if not objects:
            return
        stmt = sa.select(self.table).where(self.parent.in_([o["id"] for o in objects])).order_by(self.table.c.id)
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in conn.execute(stmt).mappings():
            rendered = {"id": row["id"]} if self.spec.served else {}
            rendered.update({f.input_key if isinstance(f, Ref) else f.key: f.render(row[f.column], self.ctx)
                             for f in self.spec.fields})
            grouped[row[self.spec.parent_column]].append(rendered)
        self._name_references(conn, [row for rows in grouped.values() for row in rows])
        if self.spec.enrich:
            self.spec.enrich(conn, [row for rows in grouped.values() for row in rows])
        for o in objects:
            o[self.key] = grouped.get(o["id"], [])

    def _name_references(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """``<key>: {id, name[, uuid]}`` beside each ``<key>_id``: one query per target family."""
        by_target: dict[str, set[int]] = defaultdict(set)
        for f in self.spec.refs:
            by_target[f.target].update(r[f.input_key] for r in rows if r[f.input_key] is not None)
        named: dict[str, dict[int, dict[str, Any]]] = {}
        for target, ids in by_target.items():
            table = self.tables[target]
            columns = [table.c.id, table.c.name] + ([table.c.uuid] if "uuid" in table.c else [])
            found = conn.execute(sa.select(*columns).where(table.c.id.in_(ids))).all() if ids else []
            named[target] = {r[0]: dict(zip(("id", "name", "uuid"), r, strict=False)) for r in found}
        for row in rows:
            for f in self.spec.refs:
                row[f.key] = named[f.target].get(row[f.input_key])
