"""Spaces: one tree under a single root space, with what each space is bound to.

- The first space without a parent is the root; a second one is refused (``API.ROOT_SPACE_ALREADY_EXISTS``).
- A new parent may not be the space itself or one of its descendants
  (``API.PARENT_SPACE_WOULD_CREATE_A_CYCLE``); deleting a space with children or bindings is refused.
- ``GET /spaces/tree`` answers one root node, as MyEMS v6.7.0 does: the whole tree for admins and API keys,
  for other users the first subtree named by their privilege (``{"spaces": [ids]}``), 404 without one.
- ``GET /spaces/{id}/treemetersenergycategories``: the energy categories of the meters, offline meters and
  virtual meters bound to the space or any space below it.
- A space binds tenants, stores, shopfloors, equipment, combined equipment, microgrids and energy storage
  power stations, besides meters, points, sensors, working calendars and commands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from myems_api.auth import Principal
from myems_api.db import schema
from myems_api.engine.checks import no_cycle
from myems_api.engine.family import READ, Binding, Children, Family, bindings_to
from myems_api.engine.fields import Bool, Derived, Name, Number, Ref, Text
from myems_api.engine.store import FamilyStore
from myems_api.errors import ApiError
from myems_api.http import Endpoint

s = schema.spaces


def check_single_root(conn: Connection, space: Mapping[str, Any], space_id: int | None) -> str | None:
    if space.get("parent_space_id") is not None:
        return None
    other_root = sa.select(s.c.id).where(s.c.parent_space_id.is_(None))
    if space_id is not None:
        other_root = other_root.where(s.c.id != space_id)
    return "API.ROOT_SPACE_ALREADY_EXISTS" if conn.execute(other_root.limit(1)).first() else None




def _bind(name: str, target: str, table: sa.Table, column: str) -> Binding:
    return Binding(name, target, table, "space_id", column)


spaces = Family(
    "space", "spaces", schema.spaces,
    fields=(
        Name(), Ref("parent_space", family="space", required=False, null=True),
        Derived("parent_space_id", db_column="parent_space_id"),
        Number("area", min=0), Number("number_of_occupants", min=0, required=False, null=True),
        Ref("timezone", shows=("utc_offset",)), Bool("is_input_counted"), Bool("is_output_counted"),
        Ref("contact", required=False, null=True), Ref("cost_center", required=False, null=True),
        Number("latitude", min=-90, max=90, required=False, null=True),
        Number("longitude", min=-180, max=180, required=False, null=True),
        Text("description", max_len=4096, required=False, null=True),
        Derived("qrcode", template="space:{}"),
    ),
    db_checks=(check_single_root,
               no_cycle(schema.spaces, "parent_space_id", "API.PARENT_SPACE_WOULD_CREATE_A_CYCLE")),
    bindings=(
        _bind("meters", "meter", schema.spaces_meters, "meter_id"),
        _bind("offlinemeters", "offline_meter", schema.spaces_offline_meters, "offline_meter_id"),
        _bind("virtualmeters", "virtual_meter", schema.spaces_virtual_meters, "virtual_meter_id"),
        _bind("points", "point", schema.spaces_points, "point_id"),
        _bind("sensors", "sensor", schema.spaces_sensors, "sensor_id"),
        _bind("commands", "command", schema.spaces_commands, "command_id"),
        _bind("workingcalendars", "working_calendar", schema.spaces_working_calendars, "working_calendar_id"),
        *bindings_to("space_id", schema.spaces_links),
    ),
    children=(Children("children", "space", via="parent_space", with_current=True),),
    portable=True,
)

FAMILIES = (spaces,)


def outermost(listed: list[int], parents: dict[int, int | None]) -> list[int]:
    """The listed spaces that are not inside another listed one, in order, once each (a privilege naming a
    building and one of its floors gives the building)."""
    named = set(listed)

    def inside_another(space_id: int) -> bool:
        seen: set[int] = set()
        current = parents.get(space_id)
        while current is not None and current not in seen:
            if current in named:
                return True
            seen.add(current)
            current = parents.get(current)
        return False

    return [i for i in dict.fromkeys(listed) if not inside_another(i)]


class SpaceTree:
    """``GET /spaces/tree``: as MyEMS v6.7.0, one root node ``{id, name, uuid, latitude, longitude,
    children}`` (``children`` left out of leaves): the root space for admins and API keys, the first
    outermost space of their privilege for other users (404 ``API.PRIVILEGE_NOT_FOUND`` without one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/spaces/tree").add("GET", READ, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal: Principal = req.context.principal
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(s.c.id, s.c.name, s.c.uuid, s.c.parent_space_id, s.c.latitude,
                                          s.c.longitude).order_by(s.c.id)).all()
            allowed = None if principal.kind == "apikey" or principal.is_admin else self._privileged(conn, principal)
        nodes = {r.id: {"id": r.id, "name": r.name, "uuid": r.uuid, "latitude": r.latitude,
                        "longitude": r.longitude, "children": []} for r in rows}
        roots: list[dict[str, Any]] = []
        for r in rows:
            parent = nodes.get(r.parent_space_id) if r.parent_space_id is not None else None
            (parent["children"] if parent else roots).append(nodes[r.id])
        for node in nodes.values():
            if not node["children"]:
                del node["children"]
        if allowed is None:
            if not roots:
                raise ApiError(404, "API.SPACE_NOT_FOUND")
            resp.media = roots[0]
            return
        visible = [nodes[i] for i in allowed if i in nodes]
        if not visible:
            raise ApiError(404, "API.SPACE_NOT_FOUND_IN_PRIVILEGE" if principal.privilege_id
                           else "API.PRIVILEGE_NOT_FOUND")
        resp.media = visible[0]

    @staticmethod
    def _privileged(conn: Connection, principal: Principal) -> list[int]:
        """The privilege's space ids, minus those already inside another listed subtree."""
        data = conn.execute(sa.select(schema.privileges.c.data).where(
            schema.privileges.c.id == principal.privilege_id)).scalar() if principal.privilege_id else None
        try:
            listed = [int(i) for i in json.loads(data or "{}").get("spaces", [])]
        except (ValueError, TypeError, AttributeError):
            return []
        parents = dict(conn.execute(sa.select(s.c.id, s.c.parent_space_id)).all())
        return outermost(listed, parents)


def subtree(parents: Mapping[int, int | None], root: int) -> set[int]:
    """The space and every space below it, from ``{id: parent id}``."""
    children: dict[int | None, list[int]] = {}
    for space_id, parent in parents.items():
        children.setdefault(parent, []).append(space_id)
    found, pending = set(), [root]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


METERED = ((schema.spaces_meters, schema.meters, "meter_id"),
           (schema.spaces_offline_meters, schema.offline_meters, "offline_meter_id"),
           (schema.spaces_virtual_meters, schema.virtual_meters, "virtual_meter_id"))


class TreeEnergyCategories:
    """``GET /spaces/{id}/treemetersenergycategories``."""

    def __init__(self, spaces: FamilyStore, categories: FamilyStore) -> None:
        self.spaces = spaces
        self.categories = categories

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/spaces/{id}/treemetersenergycategories").add("GET", READ, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        space_id = self.spaces.parse_id(id)
        with self.spaces.reader.connect() as conn:
            parents = dict(conn.execute(sa.select(s.c.id, s.c.parent_space_id)).all())
            if space_id not in parents:
                raise ApiError(404, self.spaces.family.not_found_code)
            spaces = subtree(parents, space_id)
            category_ids: set[int] = set()
            for link, meter, column in METERED:
                category_ids.update(conn.execute(
                    sa.select(meter.c.energy_category_id).distinct().join(link, link.c[column] == meter.c.id)
                    .where(link.c.space_id.in_(spaces))).scalars())
        table = self.categories.table
        resp.media = self.categories.find(where=table.c.id.in_(category_ids)) if category_ids else []
