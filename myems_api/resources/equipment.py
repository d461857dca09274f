"""Equipment and combined equipment (a chiller plant made of chillers, pumps and towers).

Both bind meters, offline meters and virtual meters (``is_output`` says the meter measures what the
equipment delivers, not what it uses) and commands; combined equipment also binds equipment. Their
parameters are rows of their own, served one by one at ``/<family>/{id}/parameters/{pid}`` and exported,
imported and cloned with them:

- ``constant``: a non-empty ``constant`` text;
- ``point``: an existing ``point_id``;
- ``fraction``: ``numerator_meter_uuid`` and ``denominator_meter_uuid``, each a meter, offline meter or
  virtual meter (by uuid, so an export stays valid on another instance).

A parameter keeps only what its type uses: the seed sends ``"constant": "null"`` with a fraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import schema
from myems_api.engine.family import READ, Family, Items, Reached, bindings_to
from myems_api.engine.fields import Bool, Choice, Derived, Int, Name, Number, Ref, Text
from myems_api.engine.store import FamilyStore
from myems_api.http import Endpoint
from myems_api.resources.meters import metering_by_uuid
from myems_api.svg import Svg, stored_svg, svg_id_alias, svg_out

UUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
USES = {"constant": ("constant",), "point": ("point_id",),
        "fraction": ("numerator_meter_uuid", "denominator_meter_uuid")}
TYPED = ("constant", "point_id", "numerator_meter_uuid", "denominator_meter_uuid")

PARAMETER_FIELDS = (
    Text("name", code="PARAMETER_NAME"), Choice("parameter_type", choices=tuple(USES)),
    Text("constant", required=False, null=True, code="CONSTANT_VALUE"),
    Int("point_id", min=1, required=False, null=True),
    Text("numerator_meter_uuid", pattern=UUID, required=False, null=True),
    Text("denominator_meter_uuid", pattern=UUID, required=False, null=True),
)


def keep_typed_fields(conn: Connection, parameter: dict[str, Any]) -> dict[str, Any]:
    used = USES.get(parameter.get("parameter_type"), TYPED)  # type: ignore[arg-type]
    return {k: v for k, v in parameter.items() if k not in TYPED or k in used}


def check_parameters(owner: str) -> Any:
    def check(parameters: list[dict[str, Any]], equipment: Mapping[str, Any]) -> str | None:
        names = [p["name"].casefold() for p in parameters]
        if len(set(names)) != len(names):
            return f"API.{owner}_PARAMETER_NAME_IS_ALREADY_IN_USE"
        for p in parameters:
            missing = next((k for k in USES[p["parameter_type"]] if not p.get(k)), None)
            if missing:
                return f"API.INVALID_{'CONSTANT_VALUE' if missing == 'constant' else missing.upper()}"
        return None
    return check


def parameters_exist(conn: Connection, parameters: list[dict[str, Any]], equipment: Mapping[str, Any],
                     equipment_id: int | None) -> str | None:
    point_ids = {p["point_id"] for p in parameters if p.get("point_id")}
    found = set(conn.execute(sa.select(schema.points.c.id).where(schema.points.c.id.in_(point_ids))).scalars())
    if point_ids - found:
        return "API.POINT_NOT_FOUND"
    meters = metering_by_uuid(conn, {p[k] for p in parameters for k in USES["fraction"] if p.get(k)})
    for p in parameters:
        for key in USES["fraction"]:
            if p.get(key) and p[key] not in meters:
                return f"API.{key.removesuffix('_uuid').upper()}_NOT_FOUND"
    return None


def name_parameter_targets(conn: Connection, parameters: list[dict[str, Any]]) -> None:
    """``point``, ``numerator_meter`` and ``denominator_meter`` objects beside the ids and uuids."""
    point_ids = {p["point_id"] for p in parameters if p.get("point_id")}
    points = {r.id: {"id": r.id, "name": r.name} for r in conn.execute(
        sa.select(schema.points.c.id, schema.points.c.name).where(schema.points.c.id.in_(point_ids)))}
    meters = metering_by_uuid(conn, {p[k] for p in parameters for k in USES["fraction"] if p.get(k)})
    for p in parameters:
        p["point"] = points.get(p["point_id"])
        for key in USES["fraction"]:
            p[key.removesuffix("_uuid")] = meters.get(p[key])


def parameters(table: sa.Table, owner_column: str, owner: str) -> Items:
    return Items("parameters", table, owner_column, PARAMETER_FIELDS, check=check_parameters(owner),
                 db_check=parameters_exist, resolve=keep_typed_fields, enrich=name_parameter_targets,
                 served="parameter")


def equipment_fields(prefix: str) -> tuple[Any, ...]:
    return (
        Name(), Bool("is_input_counted"), Bool("is_output_counted"), Ref("cost_center"),
        Svg(required=False, null=True), stored_svg(),  # inline (the seed) or stored (v6.7.0's svg_id)
        Text("camera_url", max_len=1024, pattern=r"[a-z][a-z0-9+.-]*://\S+", required=False, null=True),
        Text("description", max_len=4096, required=False, null=True),
        Number("efficiency_indicator", required=False, null=True),  # v6.7.0's design efficiency
        Derived("qrcode", template=prefix + ":{}"),
    )


# The points of the data sources an equipment is bound to: what its parameters can name.
DATA_SOURCE_POINTS = Reached("datasourcepoints", "point", "data_source_id", ("datasources",))

equipments = Family(
    "equipment", "equipments", schema.equipments,
    fields=equipment_fields("equipment"),
    bindings=bindings_to("equipment_id", schema.equipments_links),
    items=(parameters(schema.equipment_parameters, "equipment_id", "EQUIPMENT"),),
    reached=(replace(DATA_SOURCE_POINTS, name="addpoints"),),
    reshape_in=svg_id_alias, reshape_out=svg_out(),
    portable=True,
    item_post_clones=True,
)

combined_equipments = Family(
    "combined_equipment", "combined_equipments", schema.combined_equipments,
    fields=equipment_fields("combinedequipment"),
    bindings=tuple(replace(b, unbind_verbs=("DELETE", "POST")) if b.target == "command" else b
                   for b in bindings_to("combined_equipment_id", schema.combined_equipments_links)),
    items=(parameters(schema.combined_equipment_parameters, "combined_equipment_id", "COMBINED_EQUIPMENT"),),
    reached=(DATA_SOURCE_POINTS,),
    reshape_in=svg_id_alias, reshape_out=svg_out(),
    portable=True,
    item_post_clones=True,
)


class EditPoints:
    """``GET /equipments/{id}/editpoints/{pid}``: the points a parameter being edited may name (those of the
    equipment's data sources), the parameter's own point first, as the v6.7.0 admin UI lists them."""

    def __init__(self, store: FamilyStore) -> None:
        self.store = store

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(f"{self.store.family.path}/{{id}}/editpoints/{{pid}}").add("GET", READ, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str, pid: str) -> None:
        store, owned = self.store, self.store.owned_rows("parameters")
        entity_id = store.parse_id(id)
        current = store.row(entity_id, owned, store.parse_row_id(owned, pid)).get("point_id")
        points = store.reached(entity_id, replace(DATA_SOURCE_POINTS, name="editpoints"))
        resp.media = sorted(points, key=lambda p: p["id"] != current)

FAMILIES = (equipments, combined_equipments)
