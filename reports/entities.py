"""What a report is about: the entity named in the query (by id or uuid), its zone, and who may see it.

The query names the entity as MyEMS does, ``<kind>id`` or ``<kind>uuid`` (``meterid``/``meteruuid``,
``spaceid``, ``equipmentid``, ``combinedequipmentid``...): a malformed id answers 400
``API.INVALID_<KIND>_ID``, an unknown one 404 ``API.<KIND>_NOT_FOUND``.

Access: administrators and API keys report on everything. Any other user only on entities inside the
space subtrees their privilege names (``{"spaces": [ids]}``): a space in such a subtree, or an entity
bound to one; anything else answers 403 ``API.FORBIDDEN_ENTITY``. A user without a privilege sees nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.auth import Principal
from myems_api.db import schema
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.zones import entity_zone

TABLES: dict[str, sa.Table] = {
    "meter": schema.meters, "offline_meter": schema.offline_meters, "virtual_meter": schema.virtual_meters,
    "space": schema.spaces, "equipment": schema.equipments, "combined_equipment": schema.combined_equipments,
    "tenant": schema.tenants, "store": schema.stores, "shopfloor": schema.shopfloors,
}
# The tables that bind an entity of a kind into a space (a space is in itself).
IN_SPACE: dict[str, sa.Table] = {"meter": schema.spaces_meters, "offline_meter": schema.spaces_offline_meters,
                                 "virtual_meter": schema.spaces_virtual_meters, **schema.spaces_links}
# Meters and equipment also belong to a space through what holds them (a chiller's meter, in a plant, in a
# space): (binding table, holder column, holder kind) per kind.
_HOLDERS = {"equipment": schema.equipments_links, "combined_equipment": schema.combined_equipments_links,
            "tenant": schema.tenants_links, "store": schema.stores_links, "shopfloor": schema.shopfloors_links}
VIA: dict[str, tuple[tuple[sa.Table, str, str], ...]] = {
    kind: tuple((links[kind], f"{holder}_id", holder) for holder, links in _HOLDERS.items() if kind in links)
    for kind in ("meter", "offline_meter", "virtual_meter", "equipment")}


@dataclass(frozen=True)
class ReportEntity:
    kind: str
    id: int
    row: Mapping[str, Any]  # its columns
    zone: tzinfo

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def area(self) -> float | None:
        area = self.row.get("area")
        return float(area) if area else None


def param_name(kind: str) -> str:
    return kind.replace("_", "")


def resolve(conn: Connection, kind: str, params: Mapping[str, str], fallback: tzinfo) -> ReportEntity:
    """The entity the query names by ``<kind>id`` or ``<kind>uuid``."""
    table = TABLES[kind]
    raw_id, raw_uuid = params.get(param_name(kind) + "id"), params.get(param_name(kind) + "uuid")
    if raw_id is not None and raw_id.strip():
        text = raw_id.strip()
        if not text.isdecimal() or not 0 < int(text) < 2**63:
            raise bad_request(f"API.INVALID_{kind.upper()}_ID")
        where = table.c.id == int(text)
    elif raw_uuid is not None and raw_uuid.strip():
        where = table.c.uuid == raw_uuid.strip()
    else:
        raise bad_request(f"API.INVALID_{kind.upper()}_ID")
    row = conn.execute(sa.select(table).where(where)).mappings().first()
    if row is None:
        raise not_found(f"API.{kind.upper()}_NOT_FOUND")
    return ReportEntity(kind, int(row["id"]), dict(row), entity_zone(conn, kind, int(row["id"]), fallback))


def check_access(conn: Connection, principal: Principal | None, entity: ReportEntity) -> None:
    """403 unless the caller may see the entity (module docstring)."""
    allowed = visible_spaces(conn, principal)
    if allowed is None:
        return
    if not allowed.intersection(spaces_holding(conn, entity.kind, entity.id)):
        raise ApiError(403, "API.FORBIDDEN_ENTITY")


def visible_spaces(conn: Connection, principal: Principal | None) -> set[int] | None:
    """The space ids a caller may report on; None means every space (admins and API keys)."""
    if principal is None:
        return set()
    if principal.kind == "apikey" or principal.is_admin:
        return None
    roots = privilege_spaces(conn, principal.privilege_id)
    return subtree(conn, roots)


def privilege_spaces(conn: Connection, privilege_id: int | None) -> list[int]:
    if privilege_id is None:
        return []
    data = conn.execute(sa.select(schema.privileges.c.data).where(schema.privileges.c.id == privilege_id)).scalar()
    try:
        spaces = json.loads(data or "{}").get("spaces", [])
    except (ValueError, AttributeError):
        return []
    return [s for s in spaces if isinstance(s, int) and not isinstance(s, bool)] if isinstance(spaces, list) else []


def subtree(conn: Connection, roots: list[int]) -> set[int]:
    """The spaces ``roots`` and every space below them."""
    s = schema.spaces
    children: dict[int | None, list[int]] = {}
    for space_id, parent in conn.execute(sa.select(s.c.id, s.c.parent_space_id)):
        children.setdefault(parent, []).append(space_id)
    known = {i for ids in children.values() for i in ids}
    found: set[int] = set()
    stack = [r for r in roots if r in known]
    while stack:
        space_id = stack.pop()
        if space_id not in found:
            found.add(space_id)
            stack.extend(children.get(space_id, []))
    return found


def spaces_holding(conn: Connection, kind: str, entity_id: int) -> set[int]:
    """The spaces an entity is bound to, directly or through what holds it (a chiller in a plant)."""
    if kind == "space":
        return {entity_id}
    found: set[int] = set()
    link = IN_SPACE.get(kind)
    if link is not None:
        found.update(conn.execute(sa.select(link.c.space_id).where(link.c[f"{kind}_id"] == entity_id)).scalars())
    for table, holder_column, holder_kind in VIA.get(kind, ()):
        holders = conn.execute(sa.select(table.c[holder_column]).where(table.c[f"{kind}_id"] == entity_id))
        for holder in holders.scalars():
            found |= spaces_holding(conn, holder_kind, int(holder))
    return found


UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def report_user(conn: Connection, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    """Whose report a user-scoped report is (``useruuid``; the caller's own without it). An API key must name a
    user (400 ``API.INVALID_USER_UUID``); administrators and API keys may name anyone, anyone else only
    themself (403 ``API.FORBIDDEN_USER``); an unknown uuid answers 404 ``API.USER_NOT_FOUND``."""
    u = schema.users
    columns = (u.c.id, u.c.name, u.c.display_name, u.c.uuid, u.c.is_admin, u.c.privilege_id)
    if principal is None:
        raise ApiError(403, "API.FORBIDDEN_USER")
    raw = params.get("useruuid")
    if raw is None or not str(raw).strip():
        if principal.kind != "user":
            raise bad_request("API.INVALID_USER_UUID")
        where = u.c.id == principal.id
    else:
        text = str(raw).strip()
        if not UUID.fullmatch(text):
            raise bad_request("API.INVALID_USER_UUID")
        where = u.c.uuid == text
    row = conn.execute(sa.select(*columns).where(where)).mappings().first()
    if row is None:
        raise not_found("API.USER_NOT_FOUND")
    if principal.kind == "user" and not principal.is_admin and int(row["id"]) != principal.id:
        raise ApiError(403, "API.FORBIDDEN_USER")
    return dict(row)
