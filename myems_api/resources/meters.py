"""Points, meters, offline meters, virtual meters and sensors.

Rules a user of a real EMS expects, each refused with its code and nothing written:

- a meter's energy item belongs to the meter's energy category; hourly low limit <= high limit;
- a master meter may not close a cycle (a meter cannot be its own ancestor);
- a meter has at most one ENERGY_VALUE point (binding one more, or turning a bound point into one);
- a virtual meter's equation parses safely, uses only its declared variables, each of which names an
  existing meter, offline meter or virtual meter, and the virtual meters do not depend on themselves;
- deleting anything still used answers which relation blocks it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import schema
from myems_api.engine.checks import no_cycle
from myems_api.engine.family import ADMIN, Binding, BoundBy, Children, Family, Guard, Items
from myems_api.engine.fields import Bool, Choice, Context, Derived, Int, JsonText, Name, Number, Ref, Text
from myems_api.engine.store import FamilyStore
from myems_api.errors import ApiError
from myems_api.expressions import ExpressionError, parse
from myems_api.http import Endpoint, read_data
from myems_api.resources.point_address import check_address, substitutions

OBJECT_TYPES = ("ENERGY_VALUE", "ANALOG_VALUE", "DIGITAL_VALUE")
METER_TABLES = {"meter": schema.meters, "offline_meter": schema.offline_meters,
                "virtual_meter": schema.virtual_meters}


class ObjectType(Choice):
    """The seed spells digital points BINARY_VALUE; they are stored as DIGITAL_VALUE."""

    def parse(self, raw: Any, ctx: Context) -> Any:
        return super().parse("DIGITAL_VALUE" if raw == "BINARY_VALUE" else raw, ctx)


def _exists(conn: Connection, table: sa.Table, **where: Any) -> bool:
    return conn.execute(sa.select(table.c.id).where(*(table.c[k] == v for k, v in where.items()))).first() is not None


# ---------------------------------------------------------------------------------------------- points
def check_limits(point: Mapping[str, Any]) -> str | None:
    if point["low_limit"] > point["high_limit"]:
        return "API.INVALID_LOW_LIMIT_VALUE"
    if point.get("higher_limit") is not None and point["higher_limit"] < point["high_limit"]:
        return "API.INVALID_HIGHER_LIMIT_VALUE"
    if point.get("lower_limit") is not None and point["lower_limit"] > point["low_limit"]:
        return "API.INVALID_LOWER_LIMIT_VALUE"
    if point["is_virtual"] and point["object_type"] != "ANALOG_VALUE":
        return "API.VIRTUAL_POINT_SHOULD_BE_ANALOG_VALUE"
    return None


def check_point_address(conn: Connection, point: Mapping[str, Any], point_id: int | None) -> str | None:
    protocol = conn.execute(sa.select(schema.data_sources.c.protocol).where(
        schema.data_sources.c.id == point["data_source_id"])).scalar()
    if not check_address(point["address"], protocol, bool(point["is_virtual"])):
        return "API.INVALID_ADDRESS"
    if point["is_virtual"]:
        subs = substitutions(json.loads(point["address"])) or {}
        if point_id is not None and point_id in subs.values():
            return "API.VIRTUAL_POINT_CANNOT_SUBSTITUTE_ITSELF"
        if not all(_exists(conn, schema.points, id=v) for v in subs.values()):
            return "API.POINT_NOT_FOUND"
    return None


def substituted_by_virtual_points(conn: Connection, point_id: int) -> str | None:
    """A point a virtual point's expression reads cannot be deleted."""
    p = schema.points
    for address in conn.execute(sa.select(p.c.address).where(p.c.is_virtual.is_(True), p.c.id != point_id)).scalars():
        if point_id in (substitutions(json.loads(address)) or {}).values():
            return "API.THERE_IS_RELATION_WITH_VIRTUAL_POINTS"
    return None


def check_one_energy_point_per_meter(conn: Connection, point: Mapping[str, Any], point_id: int | None) -> str | None:
    """Turning a bound point into an ENERGY_VALUE may not give its meter a second one."""
    if point_id is None or point["object_type"] != "ENERGY_VALUE":
        return None
    mp, p = schema.meters_points, schema.points
    meters = sa.select(mp.c.meter_id).where(mp.c.point_id == point_id)
    other = (sa.select(p.c.id).join(mp, mp.c.point_id == p.c.id)
             .where(mp.c.meter_id.in_(meters), p.c.id != point_id, p.c.object_type == "ENERGY_VALUE"))
    return "API.METER_ALREADY_HAS_AN_ENERGY_VALUE_POINT" if conn.execute(other.limit(1)).first() else None


def bind_point_to_meter(conn: Connection, meter_id: int, point_id: int) -> str | None:
    p, mp = schema.points, schema.meters_points
    kind = conn.execute(sa.select(p.c.object_type).where(p.c.id == point_id)).scalar()
    if kind != "ENERGY_VALUE":
        return None
    has_one = (sa.select(p.c.id).join(mp, mp.c.point_id == p.c.id)
               .where(mp.c.meter_id == meter_id, p.c.object_type == "ENERGY_VALUE"))
    return "API.METER_ALREADY_HAS_AN_ENERGY_VALUE_POINT" if conn.execute(has_one.limit(1)).first() else None


# Rows that name a meter (of any kind) by uuid: energy flow links and equipment's fraction parameters.
NAMED_BY_UUID = tuple(
    Guard(table, column, code, by="uuid")
    for table, code in ((schema.energy_flow_diagram_links, "API.THERE_IS_RELATION_WITH_ENERGY_FLOW_DIAGRAM_LINKS"),
                        (schema.equipment_parameters, "API.THERE_IS_RELATION_WITH_EQUIPMENT_PARAMETERS"),
                        (schema.combined_equipment_parameters,
                         "API.THERE_IS_RELATION_WITH_COMBINED_EQUIPMENT_PARAMETERS"))
    for column in ("meter_uuid", "numerator_meter_uuid", "denominator_meter_uuid") if column in table.c)

POINT_PARAMETERS = (
    Guard(schema.equipment_parameters, "point_id", "API.THERE_IS_RELATION_WITH_EQUIPMENT_PARAMETERS"),
    Guard(schema.combined_equipment_parameters, "point_id", "API.THERE_IS_RELATION_WITH_COMBINED_EQUIPMENT_PARAMETERS"),
)

LIMITS = ("high_limit", "low_limit", "higher_limit", "lower_limit")

points = Family(
    "point", "points", schema.points,
    fields=(
        Text("name", unique=True, unique_with=("data_source_id",)), Ref("data_source"),
        ObjectType("object_type", choices=OBJECT_TYPES), Text("units", max_len=32, required=False, null=True),
        Number("high_limit"), Number("low_limit"),
        Number("higher_limit", required=False, null=True), Number("lower_limit", required=False, null=True),
        Number("ratio", required=False, default=1.0), Number("offset_constant", required=False, default=0.0),
        Bool("is_trend", required=False, default=True), Bool("is_virtual", required=False, default=False),
        JsonText("address", max_len=8192), Text("description", max_len=4096, required=False, null=True),
        Text("faults", max_len=65535, required=False, null=True),
        Text("definitions", max_len=65535, required=False, null=True),
    ),
    checks=(check_limits,),
    db_checks=(check_point_address, check_one_energy_point_per_meter),
    delete_checks=(substituted_by_virtual_points,),
    guards=POINT_PARAMETERS,
    portable=True,
)


# ---------------------------------------------------------------------------------------------- meters
def check_hourly_limits(meter: Mapping[str, Any]) -> str | None:
    return "API.INVALID_HOURLY_LOW_LIMIT_VALUE" if meter["hourly_low_limit"] > meter["hourly_high_limit"] else None


def check_item_in_category(conn: Connection, meter: Mapping[str, Any], meter_id: int | None) -> str | None:
    item_id = meter.get("energy_item_id")
    if item_id is None:
        return None
    category = conn.execute(sa.select(schema.energy_items.c.energy_category_id).where(
        schema.energy_items.c.id == item_id)).scalar()
    if category is not None and category != meter["energy_category_id"]:
        return "API.ENERGY_ITEM_DOES_NOT_BELONG_TO_ENERGY_CATEGORY"
    return None




def _used_in_virtual_meters(meter_type: str) -> Guard:
    return Guard(schema.virtual_meter_variables, "meter_id", "API.THERE_IS_RELATION_WITH_VIRTUAL_METERS",
                 match=(("meter_type", meter_type),))



def meter_fields(master: bool) -> tuple[Any, ...]:
    fields = [
        Name(), Ref("energy_category"), Bool("is_counted"),
        Number("hourly_low_limit", min=0), Number("hourly_high_limit", min=0),
        Ref("cost_center"), Ref("energy_item", required=False, null=True),
        Text("description", max_len=4096, required=False, null=True),
    ]
    if master:
        fields.append(Ref("master_meter", family="meter", required=False, null=True))
    return tuple(fields)


meters = Family(
    "meter", "meters", schema.meters,
    fields=(*meter_fields(master=True), Derived("qrcode", template="meter:{}")),
    checks=(check_hourly_limits,),
    db_checks=(check_item_in_category, no_cycle(schema.meters, "master_meter_id",
                                                  "API.CANNOT_SET_EXISTING_SUBMETER_AS_MASTER_METER")),
    bindings=(Binding("points", "point", schema.meters_points, "meter_id", "point_id", check=bind_point_to_meter),
              Binding("commands", "command", schema.meters_commands, "meter_id", "command_id")),
    # Where a meter is used: the entities whose ``meters`` binding holds it.
    bound_by=tuple(BoundBy(plural.replace("_", ""), singular, "meters") for singular, plural in (
        ("space", "spaces"), ("equipment", "equipments"), ("combined_equipment", "combined_equipments"),
        ("tenant", "tenants"), ("store", "stores"), ("shopfloor", "shopfloors"))),
    children=(Children("submeters", "meter", via="master_meter"),),
    guards=(_used_in_virtual_meters("meter"), *NAMED_BY_UUID),
    portable=True,
)

offline_meters = Family(
    "offline_meter", "offline_meters", schema.offline_meters,
    fields=meter_fields(master=False),
    checks=(check_hourly_limits,),
    db_checks=(check_item_in_category,),
    guards=(_used_in_virtual_meters("offline_meter"), *NAMED_BY_UUID),
    portable=True,
)


# ---------------------------------------------------------------------------------------------- virtual meters
def check_equation(variables: list[dict[str, Any]], meter: Mapping[str, Any]) -> str | None:
    try:
        expression = parse(meter["equation"])
    except ExpressionError:
        return "API.INVALID_EXPRESSION"
    names = [v["name"] for v in variables]
    if len(set(names)) != len(names):
        return "API.DUPLICATE_VARIABLE_NAME"
    return None if expression.variables <= set(names) else "API.UNKNOWN_VARIABLE_IN_EXPRESSION"


def check_variables_exist(conn: Connection, variables: list[dict[str, Any]], meter: Mapping[str, Any],
                          meter_id: int | None) -> str | None:
    for v in variables:
        if not _exists(conn, METER_TABLES[v["meter_type"]], id=v["meter_id"]):
            return f"API.{v['meter_type'].upper()}_NOT_FOUND"
    pending = [v["meter_id"] for v in variables if v["meter_type"] == "virtual_meter"]
    seen: set[int] = set()
    var = schema.virtual_meter_variables
    while pending:
        current = pending.pop()
        if current == meter_id:
            return "API.VIRTUAL_METER_EXPRESSION_HAS_A_CYCLE"
        if current in seen:
            continue
        seen.add(current)
        pending.extend(conn.execute(sa.select(var.c.meter_id).where(
            var.c.virtual_meter_id == current, var.c.meter_type == "virtual_meter")).scalars())
    return None


def resolve_variable(conn: Connection, variable: dict[str, Any]) -> dict[str, Any]:
    """A variable may name its meter by ``meter_uuid`` (as exported): that wins over a ``meter_id``."""
    table = METER_TABLES.get(variable.get("meter_type"))  # type: ignore[arg-type]
    if table is not None and variable.get("meter_uuid"):
        found = conn.execute(sa.select(table.c.id).where(table.c.uuid == str(variable["meter_uuid"]))).scalar()
        if found is None:
            raise ApiError(404, f"API.{variable['meter_type'].upper()}_NOT_FOUND")
        variable["meter_id"] = found
    return variable


def name_variables(conn: Connection, variables: list[dict[str, Any]]) -> None:
    """Adds each variable's ``meter_name`` and ``meter_uuid``, one query per meter type."""
    for meter_type, table in METER_TABLES.items():
        ids = {v["meter_id"] for v in variables if v["meter_type"] == meter_type}
        if not ids:
            continue
        found = {r.id: r for r in conn.execute(sa.select(table.c.id, table.c.name, table.c.uuid).where(
            table.c.id.in_(ids)))}
        for v in variables:
            if v["meter_type"] == meter_type and v["meter_id"] in found:
                v["meter_name"], v["meter_uuid"] = found[v["meter_id"]].name, found[v["meter_id"]].uuid


def expression_in(payload: dict[str, Any]) -> dict[str, Any]:
    """The seed nests ``{"expression": {"equation", "variables"}}``; the engine keeps them flat."""
    expression = payload.pop("expression", None)
    if isinstance(expression, dict):
        payload.update({k: expression[k] for k in ("equation", "variables") if k in expression})
    elif expression is not None:
        payload["equation"] = expression  # not an object: refused by the equation check
    return payload


def expression_out(meter: dict[str, Any]) -> dict[str, Any]:
    meter["expression"] = {"equation": meter["equation"], "variables": meter.pop("variables")}  # v6.7.0: both
    return meter


virtual_meters = Family(
    "virtual_meter", "virtual_meters", schema.virtual_meters,
    fields=(Name(), Ref("energy_category"), Bool("is_counted"), Ref("cost_center"),
            Ref("energy_item", required=False, null=True), Text("equation", max_len=1024),
            Text("description", max_len=4096, required=False, null=True)),
    items=(Items("variables", schema.virtual_meter_variables, "virtual_meter_id", fields=(
        Text("name", max_len=32, pattern=r"[A-Za-z_]\w*", code="VARIABLE_NAME"),
        Choice("meter_type", choices=tuple(METER_TABLES)), Int("meter_id", min=1),
    ), check=check_equation, db_check=check_variables_exist, resolve=resolve_variable, enrich=name_variables),),
    db_checks=(check_item_in_category,),
    guards=(_used_in_virtual_meters("virtual_meter"), *NAMED_BY_UUID),
    reshape_in=expression_in, reshape_out=expression_out,
    portable=True,
)


# ---------------------------------------------------------------------------------------------- sensors
sensors = Family(
    "sensor", "sensors", schema.sensors,
    fields=(Name(), Text("description", max_len=4096, required=False, null=True)),
    bindings=(Binding("points", "point", schema.sensors_points, "sensor_id", "point_id"),),
    portable=True,
)

FAMILIES = (points, meters, offline_meters, virtual_meters, sensors)


class PointLimits:
    """``PUT /pointlimits/{id}``: changes only a point's limits, whatever else the body carries."""

    def __init__(self, store: FamilyStore, max_body: int) -> None:
        self.store = store
        self.max_body = max_body

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/pointlimits/{id}").add("PUT", ADMIN, self.on_put)]

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        point_id = self.store.parse_id(id)
        data = read_data(req, self.max_body)
        limits = {key: data[key] for key in LIMITS if key in data}
        if not limits:
            raise ApiError(400, "API.INVALID_LIMITS")
        self.store.update(point_id, limits)
        resp.media = self.store.get(point_id)



def metering_by_uuid(conn: Connection, uuids: set[str]) -> dict[str, dict[str, Any]]:
    """Meters, offline meters and virtual meters named by uuid (as equipment parameters and energy flow links
    name them): ``{uuid: {id, name, uuid, type}}``, one query per kind."""
    found: dict[str, dict[str, Any]] = {}
    wanted = {u for u in uuids if u}
    for meter_type, table in METER_TABLES.items():
        if not wanted:
            break
        for r in conn.execute(sa.select(table.c.id, table.c.name, table.c.uuid).where(table.c.uuid.in_(wanted))):
            found[r.uuid] = {"id": r.id, "name": r.name, "uuid": r.uuid, "type": meter_type}
        wanted -= set(found)
    return found
