"""The SQL side of the engine: one :class:`FamilyStore` per family, built once at start-up.

Statements are prepared when the store is built, so a request only binds parameters. Every write that
touches several rows (a create with its checks, an import with its bindings, a clone, a delete with its
relation checks) is one transaction. References render as ``{"id", "name", "uuid"}`` through outer
joins: a list is one query however many references a family has.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from myems_api.engine.family import Binding, BoundBy, Caller, Children, Family, Filter, Reached, Registry
from myems_api.engine.fields import Context, Derived, Field, Invalid, Ref, parse_id
from myems_api.engine.items import IdMap, OwnedRows
from myems_api.errors import ApiError, bad_request, conflict, not_found, refused

MAX_PAGE = 1000


@dataclass(frozen=True)
class Holder:
    """What holds a binding: an entity of the family, or one of its parts (a row of ``table`` that ``where``
    says belongs to the owner ``owner`` names). Codes: ``not_found`` for the holder, ``prefix`` of the
    relation codes (``API.<prefix>_POINT_RELATION_EXISTS``), ``owner_not_found`` when the owner is absent."""

    table: sa.Table
    where: sa.ColumnElement[bool]
    not_found: str
    prefix: str
    owner: sa.Select[Any] | None = None
    owner_not_found: str = ""


class RowShape:
    """How a selected row becomes its JSON object, worked out once per family.

    Plain columns come first in the select, so a row's head zips straight onto their keys; only fields
    whose rendering is not the identity (booleans, datetimes) convert, and each reference's trailing
    ``id, name[, uuid]`` columns fold into one ``{"id", "name", "uuid"}`` object (``null`` when unset).
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.plain_columns: list[sa.ColumnElement[Any]] = []
        self.converters: list[tuple[str, Field, Context]] = []
        self.refs: list[tuple[str, list[sa.ColumnElement[Any]]]] = []

    def plain(self, key: str, column: sa.ColumnElement[Any], convert: Field | None = None,
              ctx: Context | None = None) -> None:
        self.keys.append(key)
        self.plain_columns.append(column.label(key))
        if convert is not None and ctx is not None:
            self.converters.append((key, convert, ctx))

    def ref(self, key: str, target: sa.FromClause, shows: tuple[str, ...] = ()) -> None:
        columns = [target.c.id, target.c.name] + ([target.c.uuid] if "uuid" in target.c else [])
        columns += [target.c[name] for name in shows]
        self.refs.append((key, [c.label(f"{key}__{c.key}") for c in columns]))

    @property
    def columns(self) -> list[sa.ColumnElement[Any]]:
        return self.plain_columns + [c for _, columns in self.refs for c in columns]

    def render(self, row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(self.keys, row, strict=False))
        for key, f, ctx in self.converters:
            out[key] = f.render(out[key], ctx)
        position = len(self.keys)
        for key, columns in self.refs:
            width = len(columns)
            values = row[position:position + width]
            names = [str(c.key).split("__", 1)[1] for c in columns]
            out[key] = None if values[0] is None else dict(zip(names, values, strict=True))
            position += width
        return out


class FamilyStore:
    def __init__(self, family: Family, registry: Registry, engine: Engine, ctx: Context,
                 reader: Engine | None = None) -> None:
        self.family = family
        self.registry = registry
        self.engine = engine
        self.reader = reader or engine
        self.ctx = ctx
        self.table = family.table
        self.writable = tuple(f for f in family.fields if f.writable)
        self.select, self._shape = self._build_select()
        self._by_id = self.select.where(self.table.c.id == sa.bindparam("entity_id"))
        self.owned = [OwnedRows(spec, ctx, {r.target: registry[r.target].table for r in spec.refs})
                      for spec in family.items]
        for owned in self.owned:
            owned.siblings = {o.key: o for o in self.owned if o is not owned}
        self.on_change: list[Callable[[int], None]] = []  # called with the id after an update or delete
        self._others: dict[str, FamilyStore] = {}

    def other(self, singular: str) -> FamilyStore:
        """The store of another family on the same engines, built once (statements are prepared then)."""
        if singular not in self._others:
            self._others[singular] = FamilyStore(self.registry[singular], self.registry, self.engine, self.ctx,
                                                 self.reader)
        return self._others[singular]

    def _changed(self, entity_id: int) -> None:
        for listener in self.on_change:
            listener(entity_id)

    # ------------------------------------------------------------------ reading
    def _build_select(self) -> tuple[sa.Select[Any], RowShape]:
        t = self.table
        shape = RowShape()
        shape.plain("id", t.c.id)
        if "name" in t.c and "name" not in {f.key for f in self.family.fields}:
            shape.plain("name", t.c.name)
        joined: sa.FromClause = t
        for f in self.family.fields:
            if not f.readable:
                continue
            if isinstance(f, Ref):
                alias = self.registry[f.target].table.alias(f"ref_{f.key}")
                joined = joined.outerjoin(alias, alias.c.id == t.c[f.column])
                shape.ref(f.key, alias, f.shows)
            else:
                shape.plain(f.key, t.c[f.column], None if type(f).render is Field.render else f, self.ctx)
            if f.key == "name" and self.family.has_uuid:
                shape.plain("uuid", t.c.uuid)
        return sa.select(*shape.columns).select_from(joined).order_by(t.c.id), shape

    def render(self, row: Sequence[Any]) -> dict[str, Any]:
        return self._shape.render(row)

    def find(self, limit: int | None = None, after: int | None = None,
             where: sa.ColumnElement[bool] | None = None) -> list[dict[str, Any]]:
        stmt = self.select
        if where is not None:
            stmt = stmt.where(where)
        if after is not None:
            stmt = stmt.where(self.table.c.id > after)
        if limit is not None:
            stmt = stmt.limit(min(limit, MAX_PAGE))
        with self.reader.connect() as conn:
            objects = [self.render(row) for row in conn.execute(stmt)]
            for owned in self.owned:
                owned.attach(conn, objects)
            if self.family.enrich and objects:
                self.family.enrich(conn, objects)
        return [self.family.reshape_out(o) for o in objects] if self.family.reshape_out else objects

    def get(self, entity_id: int, scope: sa.ColumnElement[bool] | None = None) -> dict[str, Any]:
        """One entity; ``scope`` (see :meth:`scope`) limits which ones the caller may see."""
        stmt = self._by_id if scope is None else self._by_id.where(scope)
        with self.reader.connect() as conn:
            row = conn.execute(stmt, {"entity_id": entity_id}).first()
            if row is None:
                raise not_found(self.family.not_found_code)
            obj = self.render(row)
            for owned in self.owned:
                owned.attach(conn, [obj])
            if self.family.enrich:
                self.family.enrich(conn, [obj])
        return self.family.reshape_out(obj) if self.family.reshape_out else obj

    # ------------------------------------------------------------------ owned rows and list filters
    def scope(self, caller: Caller | None) -> sa.ColumnElement[bool] | None:
        """The rows of an owned family ``caller`` may read, change or delete: an admin's, all (None);
        a user's, their own; anyone else's, none. None too for a family without an owner."""
        if not self.family.owner:
            return None
        if caller is None or caller.kind != "user":
            return sa.false()
        return None if caller.is_admin else self.table.c[self.family.owner] == caller.id

    def list_where(self, params: Mapping[str, Any], caller: Caller | None) -> sa.ColumnElement[bool] | None:
        """What ``GET /x?...`` lists: the family's filters applied to the query parameters and, for an owned
        family, the caller's own rows (an admin may name another owner with ``?<owner>=<id>``)."""
        clauses = [self._filter_clause(f, params.get(f.param)) for f in self.family.filters]
        if self.family.owner:
            if caller is None or caller.kind != "user":
                clauses.append(sa.false())
            else:
                wanted = params.get(self.family.owner)
                owner_id = caller.id
                if caller.is_admin and wanted not in (None, ""):
                    try:
                        owner_id = parse_id(wanted)
                    except Invalid as exc:
                        raise bad_request(f"API.INVALID_{self.family.owner.upper()}") from exc
                clauses.append(self.table.c[self.family.owner] == owner_id)
        found = [c for c in clauses if c is not None]
        return sa.and_(*found) if found else None

    def _filter_clause(self, f: Filter, raw: Any) -> sa.ColumnElement[bool] | None:
        column = self.table.c[f.column]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return column.not_in(f.hidden) if f.hidden else None
        code = f"API.INVALID_{(f.code or f.param).upper()}"
        if not isinstance(raw, str):  # the parameter given twice
            raise bad_request(code)
        if f.every is not None and raw.strip() == f.every:
            return None
        try:
            value = f.field.parse(raw.strip(), self.ctx)
        except Invalid as exc:
            raise bad_request(code) from exc
        clause: sa.ColumnElement[bool] = column >= value if f.op == "ge" else column < value if f.op == "lt" \
            else column == value
        return clause

    def _in_scope(self, conn: Connection, entity_id: int, scope: sa.ColumnElement[bool] | None) -> None:
        if scope is not None and conn.execute(
                sa.select(self.table.c.id).where(self.table.c.id == entity_id, scope)).first() is None:
            raise not_found(self.family.not_found_code)

    # ------------------------------------------------------------------ validation
    def parse_id(self, raw: Any) -> int:
        try:
            return parse_id(raw)
        except Invalid as exc:
            raise bad_request(self.family.invalid_id_code) from exc

    def values(self, payload: Mapping[str, Any], updating: bool = False) -> dict[str, Any]:
        """Payload fields into column values; absent optional fields keep their value on update."""
        values: dict[str, Any] = {}
        for f in self.writable:
            if f.input_key not in payload:
                if f.required and not updating:
                    raise bad_request(self.family.field_code(f))
                if not updating and f.column not in values:  # two fields may name one column (UTC and local)
                    values[f.column] = f.default
                continue
            raw = payload[f.input_key]
            try:
                values[f.column] = None if raw is None and f.null else f.parse(raw, self.ctx)
            except Invalid as exc:
                raise bad_request(self.family.field_code(f)) from exc
        return values

    def _check(self, conn: Connection, values: dict[str, Any], entity_id: int | None = None,
               items: dict[str, list[dict[str, Any]] | None] | None = None) -> None:
        """References exist, unique fields are free, the family's and its items' checks pass."""
        merged = dict(values)
        if entity_id is not None:
            merged = {**self._owner(conn, entity_id), **values}
        self._check_references(conn, values)
        self._check_unique(conn, values, merged, entity_id)
        codes = [check(merged) for check in self.family.checks]
        codes += [db_check(conn, merged, entity_id) for db_check in self.family.db_checks]
        code = next((c for c in codes if c), None)
        if code:
            raise refused(code)
        if items is not None:
            self._check_items(conn, merged, entity_id, items)

    def _check_references(self, conn: Connection, values: Mapping[str, Any]) -> None:
        for f in self.family.refs:
            target_id = values.get(f.column)
            if target_id is not None and not self._exists(conn, self.registry[f.target].table, target_id):
                raise not_found(f"API.{f.key.upper()}_NOT_FOUND")
        for lookup in self.family.lookups:
            target = self.registry[lookup.family].table
            value = values.get(lookup.column)
            found = sa.select(target.c[lookup.target_column]).where(target.c[lookup.target_column] == value)
            # exact match: a case-insensitive collation must not let "MODBUS-TCP" pass for "modbus-tcp"
            if value is not None and value not in conn.execute(found).scalars().all():
                raise bad_request(self.family.field_code(lookup))

    def _check_unique(self, conn: Connection, values: Mapping[str, Any], merged: Mapping[str, Any],
                      entity_id: int | None) -> None:
        t = self.table
        for field in self.writable:
            if field.unique and values.get(field.column) is not None:
                clash = sa.select(t.c.id).where(t.c[field.column] == values[field.column],
                                                *(t.c[c] == merged.get(c) for c in field.unique_with))
                if entity_id is not None:
                    clash = clash.where(t.c.id != entity_id)
                if conn.execute(clash.limit(1)).first() is not None:
                    raise conflict(self.family.duplicate_code(field))

    def _check_items(self, conn: Connection, merged: Mapping[str, Any], entity_id: int | None,
                     items: dict[str, list[dict[str, Any]] | None]) -> None:
        """Checks each kind of owned rows; rows that do not apply to the entity are refused or cleared."""
        for owned in self.owned:
            rows = items.get(owned.key)
            if owned.spec.applies is not None and not owned.spec.applies(merged):
                if rows:
                    raise bad_request(f"API.{owned.key.upper()}_ITEMS_NOT_ALLOWED")
                items[owned.key] = []
                continue
            if rows is None:
                rows = owned.existing(conn, entity_id) if entity_id is not None else []
            owned.check(conn, rows, merged, entity_id)

    @staticmethod
    def _exists(conn: Connection, table: sa.Table, entity_id: int) -> bool:
        return conn.execute(sa.select(table.c.id).where(table.c.id == entity_id)).first() is not None

    def _insert(self, conn: Connection, values: dict[str, Any], wanted_uuid: str | None = None) -> int:
        if self.family.has_uuid:
            values["uuid"] = self._fresh_uuid(conn, wanted_uuid)
        try:
            result = conn.execute(sa.insert(self.table).values(values))
        except sa.exc.IntegrityError as exc:
            raise self._integrity_error() from exc
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _fresh_uuid(self, conn: Connection, wanted: str | None) -> str:
        if wanted:
            try:
                candidate = str(uuidlib.UUID(str(wanted)))
            except ValueError:
                candidate = ""
            taken = conn.execute(sa.select(self.table.c.id).where(self.table.c.uuid == candidate)).first()
            if candidate and taken is None:
                return candidate
        return str(uuidlib.uuid4())

    def _integrity_error(self) -> ApiError:
        unique = next((f for f in self.writable if f.unique), None)
        return conflict(self.family.duplicate_code(unique) if unique else "API.CONFLICT")

    # ------------------------------------------------------------------ writing
    def _items(self, payload: Mapping[str, Any], conn: Connection,
               imported: bool = False) -> dict[str, list[dict[str, Any]] | None]:
        return {owned.key: owned.parse(payload, conn, imported) for owned in self.owned}

    def _write_items(self, conn: Connection, entity_id: int, items: dict[str, list[dict[str, Any]] | None]) -> None:
        """Rewrites the given kinds of rows in declared order; rows linking to rewritten ones must come too."""
        maps: dict[str, IdMap] = {}
        for owned in self.owned:
            rows = items.get(owned.key)
            if rows is None:
                continue
            for other in self.owned:
                if items.get(other.key) is None and any(k == owned.key for _, k in other.spec.links_to):
                    code = owned.linked_from(conn, entity_id)
                    if code:
                        raise conflict(code)
            maps[owned.key] = owned.replace(conn, entity_id, rows, maps)

    def _shape_in(self, payload: Mapping[str, Any]) -> Mapping[str, Any]:
        """The family's own adapter, after the engine's one: a reference may come nested as v6.7.0's clients
        send it (``"energy_category": {"id": 1}``) in place of ``energy_category_id``."""
        nested = {ref.input_key: payload[ref.key]["id"] for ref in self.family.refs
                  if ref.input_key not in payload and isinstance(payload.get(ref.key), dict)
                  and "id" in payload[ref.key]}
        if nested:
            payload = {**payload, **nested}
        return self.family.reshape_in(dict(payload)) if self.family.reshape_in else payload

    def create(self, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        payload = self._shape_in(payload)
        values = self.values(payload)
        extra = self.family.on_create(values) if self.family.on_create else {}
        with self.engine.begin() as conn:
            items = self._items(payload, conn)
            self._check(conn, values, items=items)
            new_id = self._insert(conn, values)
            self._write_items(conn, new_id, items)
        return new_id, extra

    def update(self, entity_id: int, payload: Mapping[str, Any], scope: sa.ColumnElement[bool] | None = None) -> None:
        payload = self._shape_in(payload)
        if self.family.updatable is not None:
            payload = {k: v for k, v in payload.items() if k in self.family.updatable}
        values = self.values(payload, updating=True)
        if self.family.on_update:
            self.family.on_update(values)
        with self.engine.begin() as conn:
            self._in_scope(conn, entity_id, scope)
            items = self._items(payload, conn)
            self._check(conn, values, entity_id, items)
            self._write_items(conn, entity_id, items)
            if values:
                try:
                    conn.execute(sa.update(self.table).where(self.table.c.id == entity_id).values(values))
                except sa.exc.IntegrityError as exc:
                    raise self._integrity_error() from exc
        self._changed(entity_id)

    def delete(self, entity_id: int, scope: sa.ColumnElement[bool] | None = None) -> None:
        with self.engine.begin() as conn:
            if not self._exists(conn, self.table, entity_id):
                raise not_found(self.family.not_found_code)
            self._in_scope(conn, entity_id, scope)
            self._delete(conn, entity_id)
        self._changed(entity_id)

    def _delete(self, conn: Connection, entity_id: int) -> None:
        """The entity, its rows, its owned children (each refused while in use elsewhere) and, where the family
        says so, its bindings: on the caller's transaction, so a refusal half-way leaves everything as it was."""
        self._refuse_if_related(conn, entity_id)
        for view in self.family.owned_children:
            child = self.child_store(view)
            for child_id in child._ids_owned_by(conn, view, entity_id):
                child._delete(conn, child_id)
        for owned in self.owned:
            owned.delete(conn, entity_id)
        for binding in self.family.bindings if self.family.delete_bindings else ():
            conn.execute(sa.delete(binding.table).where(binding.table.c[binding.owner_column] == entity_id))
        conn.execute(sa.delete(self.table).where(self.table.c.id == entity_id))

    def _ids_owned_by(self, conn: Connection, view: Children, owner_id: int) -> list[int]:
        column = self.table.c[self.registry.owner_ref(view).column]
        stmt = sa.select(self.table.c.id).where(column == owner_id).order_by(self.table.c.id)
        return list(conn.execute(stmt).scalars())

    def _relations(self) -> list[tuple[sa.Table, str, str]]:
        """(table, column, code): rows whose column holding the entity's id block its delete with code."""
        singular = self.family.singular
        checks: list[tuple[sa.Table, str, str]] = []
        owned_tables = {owned.table.name for owned in self.owned}  # deleted with the entity, not blockers
        parts = {(view.family, view.via) for view in self.family.owned_children}  # deleted with it too
        for other, ref in self.registry.referrers(singular):
            if other.table.name not in owned_tables and (other.singular, ref.key) not in parts:
                checks.append((other.table, ref.column, other.relation_code))
        for owner, binding in self.registry.binders(singular):
            checks.append((binding.table, binding.target_column, owner.relation_code))
        for binding in self.family.bindings if not self.family.delete_bindings else ():
            checks.append((binding.table, binding.owner_column, self.registry[binding.target].relation_code))
        for other, items, binding in self.registry.row_binders(singular):
            checks.append((binding.table, binding.target_column, f"API.THERE_IS_RELATION_WITH_{other.upper}_"
                           f"{items.relation or items.key.upper()}"))
        for other, items, ref in self.registry.item_referrers(singular):
            if items.table.name not in owned_tables:
                relation = items.relation or items.key.upper()
                checks.append((items.table, ref.column, f"API.THERE_IS_RELATION_WITH_{other.upper}_{relation}"))
        return checks

    def _refuse_if_related(self, conn: Connection, entity_id: int) -> None:
        singular = self.family.singular
        for table, column, code in self._relations():
            if conn.execute(sa.select(table.c[column]).where(table.c[column] == entity_id).limit(1)).first():
                raise conflict(code)
        for delete_check in self.family.delete_checks:
            found = delete_check(conn, entity_id)
            if found:
                raise conflict(found)
        for guard in self.family.guards:
            match = [guard.table.c[k] == v for k, v in guard.match]
            value: Any = entity_id
            if guard.by != "id":
                value = sa.select(self.table.c[guard.by]).where(self.table.c.id == entity_id).scalar_subquery()
            used = sa.select(guard.table.c.id).where(guard.table.c[guard.column] == value, *match).limit(1)
            if conn.execute(used).first():
                raise conflict(guard.code)
        for other, lookup in self.registry.lookers(singular):
            value = sa.select(self.table.c[lookup.target_column]).where(self.table.c.id == entity_id).scalar_subquery()
            used = sa.select(other.table.c.id).where(other.table.c[lookup.column] == value).limit(1)
            if conn.execute(used).first():
                raise conflict(other.relation_code)

    # ------------------------------------------------------------------ export / import / clone
    def export(self, entity_id: int) -> dict[str, Any]:
        doc = self.get(entity_id)
        for binding in self.family.bindings:
            if binding.exported:
                doc[binding.name] = self.bound(entity_id, binding)
        for view in self.family.owned_children:
            child = self.child_store(view)
            doc[view.name] = [child.export(part["id"]) for part in self.children(entity_id, view)]
        with self.reader.connect() as conn:
            for owned in self.owned:
                for binding in owned.spec.bindings if owned.spec.served else ():
                    self._export_row_links(conn, binding, doc.get(owned.key) or [])
        return doc

    def _export_row_links(self, conn: Connection, binding: Binding, rows: list[dict[str, Any]]) -> None:
        """Each served row's bound objects (a container battery's points) as ``{id, uuid, name}``."""
        link, target = binding.table, self.registry[binding.target].table
        columns = [target.c[c] for c in ("id", "uuid", "name") if c in target.c]
        found: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(sa.select(link.c[binding.owner_column], *columns)
                                .join(target, target.c.id == link.c[binding.target_column])
                                .where(link.c[binding.owner_column].in_([r["id"] for r in rows]))
                                .order_by(link.c.id)).mappings():
            found.setdefault(row[binding.owner_column], []).append({c.name: row[c.name] for c in columns})
        for r in rows:
            r[binding.name] = found.get(r["id"], [])

    def _import_row_links(self, conn: Connection, entity_id: int, doc: Mapping[str, Any]) -> None:
        """The bindings an export lists beside each served row, onto the imported row of the same name."""
        for owned in self.owned:
            rows = doc.get(owned.key)
            if not owned.spec.served or not owned.spec.bindings or not isinstance(rows, list):
                continue
            ids = {name: row_id for row_id, name in conn.execute(sa.select(owned.table.c.id, owned.table.c.name)
                                                                  .where(owned.parent == entity_id))}
            for row in rows:
                for binding in owned.spec.bindings:
                    listed = row.get(binding.name) if isinstance(row, dict) else None
                    if not isinstance(listed, list) or row.get("name") not in ids:
                        continue
                    for item in listed:
                        target_id = self._resolve(conn, binding.target, item, f"API.{binding.target.upper()}")
                        self._link(conn, binding, ids[row["name"]], int(target_id or 0), {})

    def import_(self, doc: Any) -> int:
        """Create from an export, on this instance or another: references resolve by uuid, else by id."""
        with self.engine.begin() as conn:
            return self._import(conn, doc)

    def _import(self, conn: Connection, doc: Any, owner: tuple[Ref, int] | None = None) -> int:
        """One document on the caller's transaction; an owned child's ``owner`` reference is its new owner."""
        if not isinstance(doc, dict):
            raise bad_request("API.INVALID_IMPORT_DOCUMENT")
        doc = dict(self._shape_in(doc))
        payload = {f.input_key: doc[f.key] for f in self.writable
                   if not isinstance(f, Ref) and f.key in doc}
        payload.update({owned.key: doc[owned.key] for owned in self.owned if owned.key in doc})
        items = self._items(payload, conn, imported=True)
        for f in self.family.refs:
            if owner is not None and f is owner[0]:
                payload[f.input_key] = owner[1]
            elif f.key in doc or f.input_key in doc:
                reference = doc.get(f.key, doc.get(f.input_key))
                payload[f.input_key] = self._resolve(conn, f.target, reference, f"API.{f.key.upper()}")
        values = self.values(payload)
        if self.family.on_create:
            self.family.on_create(values)
        self._check(conn, values, items=items)
        new_id = self._insert(conn, values, doc.get("uuid"))
        self._write_items(conn, new_id, items)
        self._import_row_links(conn, new_id, doc)
        for binding in self.family.bindings:
            for item in (doc.get(binding.name) or []) if binding.exported else []:
                target_id = self._resolve(conn, binding.target, item, f"API.{binding.target.upper()}")
                self._link(conn, binding, new_id, int(target_id or 0), self._extra_values(binding, item))
        for view in self.family.owned_children:
            parts = doc.get(view.name) or []
            if not isinstance(parts, list):
                raise bad_request(f"API.INVALID_{view.name.upper()}")
            child, ref = self.child_store(view), self.registry.owner_ref(view)
            for part in parts:
                child._import(conn, part, (ref, new_id))
        return new_id

    def _resolve(self, conn: Connection, target: str, reference: Any, code: str) -> int | None:
        if reference is None:
            return None
        table = self.registry[target].table
        if isinstance(reference, dict):
            if reference.get("uuid") and "uuid" in table.c:
                found = conn.execute(sa.select(table.c.id).where(table.c.uuid == str(reference["uuid"]))).first()
                if found is None:
                    raise not_found(f"{code}_NOT_FOUND")
                return int(found[0])
            reference = reference.get("id")
        try:
            target_id = parse_id(reference)
        except Invalid as exc:
            raise bad_request(f"{code.replace('API.', 'API.INVALID_')}_ID") from exc
        if not self._exists(conn, table, target_id):
            raise not_found(f"{code}_NOT_FOUND")
        return target_id

    def clone(self, entity_id: int) -> int:
        with self.engine.begin() as conn:
            return self._clone(conn, entity_id)

    def _clone(self, conn: Connection, entity_id: int, overrides: Mapping[str, Any] | None = None) -> int:
        """A copy on the caller's transaction; an owned child's copy gets its new owner through ``overrides``."""
        t = self.table
        row = conn.execute(sa.select(t).where(t.c.id == entity_id)).mappings().first()
        if row is None:
            raise not_found(self.family.not_found_code)
        # Server-kept state (last seen, tokens, counters) is the original's, not the copy's.
        state = {f.column for f in self.family.fields if not f.writable and not isinstance(f, Derived)}
        values = {c: v for c, v in row.items() if c not in ("id", "uuid", *state)}
        values.update(overrides or {})
        for f in self.writable:
            if f.unique and values.get(f.column) is not None:
                values[f.column] = self._copy_value(conn, f, values)
        if self.family.on_create:
            self.family.on_create(values)  # fresh secrets (tokens) for the copy
        code = next((c for c in (check(conn, values, None) for check in self.family.db_checks) if c), None)
        if code:
            raise refused(code)  # a copy of the root space would be a second root
        new_id = self._insert(conn, values)
        maps: dict[str, IdMap] = {}
        for owned in self.owned:
            maps[owned.key] = owned.copy(conn, entity_id, new_id, maps)
        for binding in self.family.bindings:
            links = conn.execute(sa.select(binding.table).where(
                binding.table.c[binding.owner_column] == entity_id)).mappings().all()
            for link in links:
                copy = {c: v for c, v in link.items() if c != "id"}
                copy[binding.owner_column] = new_id
                conn.execute(sa.insert(binding.table).values(copy))
        for view in self.family.owned_children:
            child, column = self.child_store(view), self.registry.owner_ref(view).column
            for child_id in child._ids_owned_by(conn, view, entity_id):
                child._clone(conn, child_id, {column: new_id})
        return new_id

    def _copy_value(self, conn: Connection, f: Field, values: Mapping[str, Any]) -> str:
        """The copy's value of a unique field: kept where it is free in its scope (an owned child under its new
        owner), else ``<name> (1)``, ``<name> (2)``; codes get ``-1``, ``-2``."""
        limit = getattr(f, "max_len", 255)
        column = self.table.c[f.column]
        scope = [self.table.c[c] == values.get(c) for c in f.unique_with]

        def free(candidate: str) -> bool:
            taken = sa.select(self.table.c.id).where(column == candidate, *scope).limit(1)
            return conn.execute(taken).first() is None

        value = str(values[f.column])
        if free(value):
            return value
        n = 1
        while True:
            suffix = f" ({n})" if f.key == "name" else f"-{n}"
            candidate = value[: limit - len(suffix)] + suffix
            if free(candidate):
                return candidate
            n += 1

    # ------------------------------------------------------------------ views and bindings
    def child_store(self, view: Children) -> FamilyStore:
        return self.other(view.family)

    def children_view(self, entity_id: int, view: Children) -> list[dict[str, Any]] | dict[str, Any]:
        found = self.children(entity_id, view)
        return {"current": self.get(entity_id), "children": found} if view.with_current else found

    def children(self, entity_id: int, view: Children) -> list[dict[str, Any]]:
        child = self.child_store(view)
        ref = next((f for f in child.family.refs if f.key == view.via), None)
        column = ref.column if ref else view.via
        with self.reader.connect() as conn:
            if not self._exists(conn, self.table, entity_id):
                raise not_found(self.family.not_found_code)
        return child.find(where=child.table.c[column] == entity_id)

    def create_child(self, entity_id: int, view: Children, payload: Mapping[str, Any]) -> tuple[FamilyStore, int]:
        """Creates a child under this entity; the owner comes from the path, whatever the body says."""
        child = self.child_store(view)
        ref = next(f for f in child.family.refs if f.key == view.via)
        with self.reader.connect() as conn:
            if not self._exists(conn, self.table, entity_id):
                raise not_found(self.family.not_found_code)
        new_id, _ = child.create({**payload, ref.input_key: entity_id})
        return child, new_id

    def target_store(self, binding: Binding) -> FamilyStore:
        return self.other(binding.target)

    def holder(self) -> Holder:
        return Holder(self.table, sa.true(), self.family.not_found_code, self.family.upper)

    def row_holder(self, owner_id: int, table: sa.Table, owner_column: str, served: str) -> Holder:
        """An owned row or part (a container's battery) as the holder of its own bindings."""
        prefix = f"{self.family.upper}_{served.upper()}"
        return Holder(table, table.c[owner_column] == owner_id, f"API.{prefix}_NOT_FOUND", served.upper(),
                      sa.select(self.table.c.id).where(self.table.c.id == owner_id), self.family.not_found_code)

    def child_holder(self, owner_id: int, view: Children) -> Holder:
        """An owned child (a microgrid's battery) as its owner's part: found only below that owner."""
        child = self.child_store(view)
        column = child.table.c[self.registry.owner_ref(view).column]
        return Holder(child.table, column == owner_id, child.family.not_found_code, child.family.upper,
                      sa.select(self.table.c.id).where(self.table.c.id == owner_id), self.family.not_found_code)

    def _held(self, conn: Connection, holder: Holder, entity_id: int) -> None:
        if holder.owner is not None and conn.execute(holder.owner).first() is None:
            raise not_found(holder.owner_not_found)
        if conn.execute(sa.select(holder.table.c.id).where(holder.table.c.id == entity_id, holder.where)).first() \
                is None:
            raise not_found(holder.not_found)

    def bound(self, entity_id: int, binding: Binding, holder: Holder | None = None) -> list[dict[str, Any]]:
        link = binding.table
        with self.reader.connect() as conn:
            self._held(conn, holder or self.holder(), entity_id)
            links = conn.execute(sa.select(link).where(link.c[binding.owner_column] == entity_id)).mappings().all()
        extras = {row[binding.target_column]: {f.key: f.render(row[f.column], self.ctx) for f in binding.extra}
                  for row in links}
        target = self.target_store(binding)
        items = target.find(where=target.table.c.id.in_(list(extras))) if extras else []
        return [{**item, **extras[item["id"]]} for item in items]

    def _extra_values(self, binding: Binding, payload: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in binding.extra:
            raw = payload.get(f.input_key, f.default)
            if raw is None and f.required:
                raise bad_request(f"API.INVALID_{f.key.upper()}")
            try:
                values[f.column] = f.parse(raw, self.ctx) if raw is not None else None
            except Invalid as exc:
                raise bad_request(f"API.INVALID_{f.key.upper()}") from exc
        return values

    def _link(self, conn: Connection, binding: Binding, owner_id: int, target_id: int,
              extra: dict[str, Any], prefix: str = "") -> None:
        """One binding row: twice is a conflict, and the binding's own check must pass."""
        link = binding.table
        exists = conn.execute(sa.select(link.c.id).where(
            link.c[binding.owner_column] == owner_id, link.c[binding.target_column] == target_id)).first()
        if exists is not None:
            raise conflict(f"API.{prefix or self.family.upper}_{binding.target.upper()}_RELATION_EXISTS")
        code = binding.check(conn, owner_id, target_id) if binding.check else None
        if code:
            raise refused(code)
        conn.execute(sa.insert(link).values({binding.owner_column: owner_id,
                                             binding.target_column: target_id, **extra}))

    def bind(self, entity_id: int, binding: Binding, payload: Mapping[str, Any], holder: Holder | None = None) -> int:
        holder = holder or self.holder()
        target_family = self.registry[binding.target]
        try:
            target_id = parse_id(payload.get(binding.target_key))
        except Invalid as exc:
            raise bad_request(target_family.invalid_id_code) from exc
        extra = self._extra_values(binding, payload)
        with self.engine.begin() as conn:
            self._held(conn, holder, entity_id)
            if not self._exists(conn, target_family.table, target_id):
                raise not_found(target_family.not_found_code)
            self._link(conn, binding, entity_id, target_id, extra, holder.prefix)
        return target_id

    def unbind(self, entity_id: int, binding: Binding, target_id: int, holder: Holder | None = None) -> None:
        holder = holder or self.holder()
        link = binding.table
        with self.engine.begin() as conn:
            self._held(conn, holder, entity_id)
            result = conn.execute(sa.delete(link).where(
                link.c[binding.owner_column] == entity_id, link.c[binding.target_column] == target_id))
            if result.rowcount == 0:
                raise not_found(f"API.{holder.prefix}_{binding.target.upper()}_RELATION_NOT_FOUND")

    # ------------------------------------------------------------------ views reached through bindings
    def reached(self, entity_id: int, view: Reached) -> list[dict[str, Any]]:
        """See :class:`Reached`: the ids are carried hop by hop, one query per hop."""
        family, ids = self.family, [entity_id]
        with self.reader.connect() as conn:
            if not self._exists(conn, self.table, entity_id):
                raise not_found(self.family.not_found_code)
            for name in view.through:
                binding = family.binding(name)
                link = binding.table
                ids = list(conn.execute(sa.select(link.c[binding.target_column]).distinct().where(
                    link.c[binding.owner_column].in_(ids))).scalars()) if ids else []
                family = self.registry[binding.target]
        target = self.other(view.family)
        return target.find(where=target.table.c[view.column].in_(ids)) if ids else []

    def bound_by(self, entity_id: int, view: BoundBy) -> list[dict[str, Any]]:
        binding = self.registry[view.family].binding(view.binding)
        link, target = binding.table, self.other(view.family)
        with self.reader.connect() as conn:
            if not self._exists(conn, self.table, entity_id):
                raise not_found(self.family.not_found_code)
        owners = sa.select(link.c[binding.owner_column]).where(link.c[binding.target_column] == entity_id)
        return target.find(where=target.table.c.id.in_(owners))

    # ------------------------------------------------------------------ owned rows served one by one
    def owned_rows(self, key: str) -> OwnedRows:
        return next(o for o in self.owned if o.key == key)

    def _row_codes(self, owned: OwnedRows) -> tuple[str, str]:
        served = (owned.spec.served or owned.key).upper()
        return f"API.INVALID_{self.family.upper}_{served}_ID", f"API.{self.family.upper}_{served}_NOT_FOUND"

    def parse_row_id(self, owned: OwnedRows, raw: Any) -> int:
        try:
            return parse_id(raw)
        except Invalid as exc:
            raise bad_request(self._row_codes(owned)[0]) from exc

    def _owner(self, conn: Connection, entity_id: int) -> dict[str, Any]:
        current = conn.execute(sa.select(self.table).where(self.table.c.id == entity_id)).mappings().first()
        if current is None:
            raise not_found(self.family.not_found_code)
        return dict(current)

    def rows(self, entity_id: int, owned: OwnedRows) -> list[dict[str, Any]]:
        with self.reader.connect() as conn:
            self._owner(conn, entity_id)
            holder: dict[str, Any] = {"id": entity_id}
            owned.attach(conn, [holder])
        rows: list[dict[str, Any]] = holder[owned.key]
        return rows

    def row(self, entity_id: int, owned: OwnedRows, row_id: int) -> dict[str, Any]:
        found = next((r for r in self.rows(entity_id, owned) if r["id"] == row_id), None)
        if found is None:
            raise not_found(self._row_codes(owned)[1])
        return found

    def write_row(self, entity_id: int, owned: OwnedRows, payload: Mapping[str, Any], row_id: int | None = None) -> int:
        """Adds one row (or replaces ``row_id``), checked together with the owner's other rows."""
        with self.engine.begin() as conn:
            parent = self._owner(conn, entity_id)
            row = owned.parse_one(payload, conn)
            existing = owned.existing(conn, entity_id)
            if row_id is not None and not any(r["id"] == row_id for r in existing):
                raise not_found(self._row_codes(owned)[1])
            others = [r for r in existing if r["id"] != row_id]
            owned.check(conn, [*others, row], parent, entity_id)
            owned.link(conn, entity_id, row, {})
            if row_id is None:
                return owned.insert(conn, entity_id, row)
            conn.execute(sa.update(owned.table).where(owned.table.c.id == row_id).values(row))
            return row_id

    def delete_row(self, entity_id: int, owned: OwnedRows, row_id: int) -> None:
        with self.engine.begin() as conn:
            self._owner(conn, entity_id)
            code = owned.linked_from(conn, entity_id, row_id)
            if code:
                raise conflict(code)
            if owned.delete(conn, entity_id, row_id) == 0:
                raise not_found(self._row_codes(owned)[1])
