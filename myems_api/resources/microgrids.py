"""Microgrids, their parts and schedules, and virtual power plants that aggregate microgrids.

**Shape.** A microgrid's parts (batteries, EV chargers, generators, grid connections, heat pumps, loads,
photovoltaics, power conversion systems) and its schedule rows are families of their own, each with a
``microgrid_id`` reference: served at ``/microgrid<kind>`` (CRUD) and listed at ``/microgrids/{id}/<kind>``.
They are the microgrid's *owned children*: deleting the microgrid deletes them, its sensor and user bindings
with it, in one transaction (anything still using a part, or a virtual power plant still binding the
microgrid, refuses the whole delete); its export lists them, its import creates them and its clone copies
them, with its sensor bindings. User bindings are copied by clones but not exported: accounts are an
instance's own. A virtual power plant binds microgrids (``/virtualpowerplants/{id}/microgrids``);
deleting it removes those bindings, never the microgrids.

**Validation** (each refused with its code, nothing written):

- names are unique: microgrids and virtual power plants everywhere, parts within their microgrid;
- capacities, rated powers and voltages are numbers >= 0; latitude in [-90, 90], longitude in [-180, 180];
- every point and meter reference exists (``API.<KEY>_NOT_FOUND``) and is of the right kind:
  power, SOC and balancing price points are ``ANALOG_VALUE``; state points (battery state, PCS run state)
  ``DIGITAL_VALUE`` or ``ANALOG_VALUE`` (a state code); energy points (a PCS's today/total charge and
  discharge) ``ENERGY_VALUE`` or ``ANALOG_VALUE`` (``API.INVALID_<KEY>_OBJECT_TYPE``);
- meters of electrical energy (charge/discharge, buy/sell, a heat pump's electricity meter, the meter of
  a load, generator, EV charger or photovoltaic) are **electricity meters**: the meter's energy category
  has an electrical energy unit (Wh, kWh, MWh, GWh, any case) *and* a name that says electricity
  (containing ``electric``, ``électric``, ``eletric``, ``elektri``, ``strom`` or ``电``, any case),
  else ``API.<KEY>_IS_NOT_AN_ELECTRICITY_METER``. The unit alone would let chilled water in kWh pass, the
  name alone a misnamed category in m³. A battery's charge and discharge meters, and a grid's buy and sell
  meters, are two different meters;
- a microgrid or virtual power plant has a diagram: inline ``svg`` text (the seed's form, inert SVG only,
  see :mod:`myems_api.svg`) and/or ``svg_id`` naming a stored SVG (``/svgs``; answered as ``svg_diagram``),
  which must exist; neither is ``API.INVALID_SVG``;
- ``architecture_type_id`` and ``owner_type_id`` are MyEMS's classification codes, kept as given
  (positive integers); the API reference serves no table for them to check against.

**Schedules.** A row says what power the microgrid should exchange from ``start_time_of_day`` up to
``end_time_of_day`` (``HH:MM:SS``, half-open: a row ending ``07:00:00`` and the next starting ``07:00:00``
do not overlap, nor do MyEMS's inclusive ``06:59:59`` rows). Start is before end within one day; rows of
one microgrid do not overlap (``API.MICROGRID_SCHEDULES_OVERLAP``); ``peak_type`` is a tariff peak type
(``toppeak``, ``onpeak``, ``midpeak``, ``offpeak``, ``deep``). ``power`` is in kW with this sign convention:
**positive = the microgrid delivers power to the site (its storage discharges), negative = it draws power
(its storage charges)**, 0 = idle; when the microgrid states a ``rated_power``, ``|power|`` may not exceed it
either way (``API.SCHEDULE_POWER_EXCEEDS_MICROGRID_RATED_POWER``, also refused when lowering the rating).
The seed creates schedules at ``/microgridschedules`` without saying whose they are: there
``microgrid_id`` is required (``API.INVALID_MICROGRID_ID``), and ``POST /microgrids/{id}/schedules`` takes
it from the path. The seed's "DELETE a Microgrid Schedule" example points at ``/microgridheatpumps/{id}``,
which deletes a heat pump; schedules are deleted at ``/microgridschedules/{id}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import microgrid_tables as mt
from myems_api.db import schema
from myems_api.engine.family import ADMIN, Check, Children, DbCheck, Family, bindings_to, bound_through
from myems_api.engine.fields import Choice, Derived, Field, Int, Name, Number, Ref, Text
from myems_api.resources.equipment import DATA_SOURCE_POINTS
from myems_api.resources.tariffs import PEAK_TYPES, TIME_OF_DAY
from myems_api.svg import Svg, has_diagram, svg_id_alias

ANALOG, DIGITAL, ENERGY = "ANALOG_VALUE", "DIGITAL_VALUE", "ENERGY_VALUE"
MEASURED = (ANALOG,)  # power, state of charge, price
STATE = (DIGITAL, ANALOG)  # a state, or a state code
COUNTED = (ENERGY, ANALOG)  # an energy reading

ELECTRIC_UNITS = frozenset({"wh", "kwh", "mwh", "gwh"})
ELECTRIC_NAMES = ("electric", "électric", "eletric", "elektri", "strom", "电")
POWER_CODE = "API.SCHEDULE_POWER_EXCEEDS_MICROGRID_RATED_POWER"


# ---------------------------------------------------------------------------------------------- checks
def is_electricity(category_name: str, unit_of_measure: str) -> bool:
    """An energy category of electricity: an electrical energy unit and a name that says so (see above)."""
    unit = re.sub(r"[\s·.*\-]", "", unit_of_measure).casefold()
    name = category_name.casefold()
    return unit in ELECTRIC_UNITS and any(word in name for word in ELECTRIC_NAMES)


def point_kinds(kinds: Mapping[str, tuple[str, ...]]) -> DbCheck:
    """Each named point (``<key>_id``) has one of its allowed object types."""
    p = schema.points

    def check(conn: Connection, entity: Mapping[str, Any], entity_id: int | None) -> str | None:
        wanted = {key: entity.get(f"{key}_id") for key in kinds}
        ids = {point_id for point_id in wanted.values() if point_id is not None}
        found = dict(conn.execute(sa.select(p.c.id, p.c.object_type).where(p.c.id.in_(ids))).all()) if ids else {}
        for key, point_id in wanted.items():
            if point_id in found and found[point_id] not in kinds[key]:
                return f"API.INVALID_{key.upper()}_OBJECT_TYPE"
        return None

    return check


def electricity_meters(*keys: str) -> DbCheck:
    """Each named meter (``<key>_id``) measures electricity (see :func:`is_electricity`)."""
    m, c = schema.meters, schema.energy_categories

    def check(conn: Connection, entity: Mapping[str, Any], entity_id: int | None) -> str | None:
        wanted = {key: entity.get(f"{key}_id") for key in keys}
        ids = {meter_id for meter_id in wanted.values() if meter_id is not None}
        rows = conn.execute(sa.select(m.c.id, c.c.name, c.c.unit_of_measure)
                            .join(c, c.c.id == m.c.energy_category_id).where(m.c.id.in_(ids))).all() if ids else []
        electric = {r.id for r in rows if is_electricity(r.name, r.unit_of_measure)}
        for key, meter_id in wanted.items():
            if meter_id is not None and meter_id not in electric:
                return f"API.{key.upper()}_IS_NOT_AN_ELECTRICITY_METER"
        return None

    return check


def different(first: str, second: str) -> Check:
    """Two references (``<first>_id``, ``<second>_id``) name different entities."""
    code = f"API.{first.upper()}_AND_{second.upper()}_CANNOT_BE_THE_SAME"

    def check(entity: Mapping[str, Any]) -> str | None:
        same = entity.get(f"{first}_id") is not None and entity.get(f"{first}_id") == entity.get(f"{second}_id")
        return code if same else None

    return check


def station_aliases(payload: dict[str, Any]) -> dict[str, Any]:
    """The seed's ``capacity`` and v6.7.0's ``rated_capacity`` (a wind farm's ``rated_power``) name one
    rating: either fills the other when only one is sent; ``svg_id`` names the stored diagram."""
    if "capacity" not in payload:
        for key in ("rated_capacity", "rated_power"):
            if payload.get(key) is not None:
                payload["capacity"] = payload[key]
                break
    elif "rated_capacity" not in payload:
        payload["rated_capacity"] = payload["capacity"]
    return svg_id_alias(payload)


def schedules_within_rated_power(conn: Connection, microgrid: Mapping[str, Any],
                                 microgrid_id: int | None) -> str | None:
    """Lowering a microgrid's rated power may not leave a schedule row above it."""
    rated = microgrid.get("rated_power")
    if microgrid_id is None or rated is None:
        return None
    s = mt.microgrid_schedules
    biggest = conn.execute(sa.select(sa.func.max(sa.func.abs(s.c.power)))
                           .where(s.c.microgrid_id == microgrid_id)).scalar()
    return POWER_CODE if biggest is not None and float(biggest) > rated else None


def starts_before_end(schedule: Mapping[str, Any]) -> str | None:
    # HH:MM:SS strings order as the times they name
    return None if schedule["start_time_of_day"] < schedule["end_time_of_day"] else "API.INVALID_END_TIME_OF_DAY"


def no_overlap(conn: Connection, schedule: Mapping[str, Any], schedule_id: int | None) -> str | None:
    s = mt.microgrid_schedules
    clash = sa.select(s.c.id).where(s.c.microgrid_id == schedule["microgrid_id"],
                                    s.c.start_time_of_day < schedule["end_time_of_day"],
                                    s.c.end_time_of_day > schedule["start_time_of_day"])
    if schedule_id is not None:
        clash = clash.where(s.c.id != schedule_id)
    return "API.MICROGRID_SCHEDULES_OVERLAP" if conn.execute(clash.limit(1)).first() else None


def within_rated_power(conn: Connection, schedule: Mapping[str, Any], schedule_id: int | None) -> str | None:
    m = mt.microgrids
    rated = conn.execute(sa.select(m.c.rated_power).where(m.c.id == schedule["microgrid_id"])).scalar()
    return POWER_CODE if rated is not None and abs(schedule["power"]) > float(rated) else None


# ---------------------------------------------------------------------------------------------- families
def _description() -> Text:
    return Text("description", max_len=4096, required=False, null=True)


def _diagram() -> tuple[Field, ...]:
    return Svg(required=False, null=True), Ref("svg_diagram", family="svg", code="SVG_ID", required=False, null=True)


# Accounts are an instance's own: listed to admins only (as GET /users is), copied by clones, never exported.
microgrid_bindings = tuple(replace(b, read_policy=ADMIN, exported=False) if b.target == "user" else b
                           for b in bindings_to("microgrid_id", mt.microgrids_links))


def part(singular: str, plural: str, table: sa.Table, points: Mapping[str, tuple[str, ...]],
         meters: Mapping[str, bool], optional: tuple[str, ...] = (), extra: tuple[Field, ...] = (),
         checks: tuple[Check, ...] = ()) -> Family:
    """One kind of microgrid part: its point references (key -> allowed object types), its meter references
    (key -> must be electricity) and any ``optional`` among them, its capacity and ``extra`` fields."""
    references = [Ref(key, family=family, required=key not in optional, null=key in optional)
                  for keys, family in ((points, "point"), (meters, "meter")) for key in keys]
    electric = tuple(key for key, must in meters.items() if must)
    return Family(
        f"microgrid_{singular}", f"microgrid_{plural}", table,
        fields=(Text("name", unique=True, unique_with=("microgrid_id",)), Ref("microgrid"), *references,
                Number("capacity", min=0), *extra),
        checks=checks,
        db_checks=(point_kinds(points), *((electricity_meters(*electric),) if electric else ())),
        bindings=(bound_through("points", "point", mt.PART_POINTS[plural]),),
        delete_bindings=True,
    )


PCS_ENERGY_POINTS = ("today_charge_energy_point", "today_discharge_energy_point",
                     "total_charge_energy_point", "total_discharge_energy_point")

PARTS = (
    part("battery", "batteries", mt.microgrid_batteries,
         {"battery_state_point": STATE, "soc_point": MEASURED, "power_point": MEASURED},
         {"charge_meter": True, "discharge_meter": True},
         extra=(Number("rated_power", min=0, required=False, null=True),
                Number("nominal_voltage", min=0, required=False, null=True)),
         checks=(different("charge_meter", "discharge_meter"),)),
    part("evcharger", "evchargers", mt.microgrid_evchargers, {"power_point": MEASURED}, {"meter": True}),
    part("generator", "generators", mt.microgrid_generators, {"power_point": MEASURED}, {"meter": True}),
    part("grid", "grids", mt.microgrid_grids, {"power_point": MEASURED}, {"buy_meter": True, "sell_meter": True},
         optional=("power_point",), checks=(different("buy_meter", "sell_meter"),)),
    part("heatpump", "heatpumps", mt.microgrid_heatpumps, {"power_point": MEASURED},
         {"electricity_meter": True, "heat_meter": False, "cooling_meter": False}),
    part("load", "loads", mt.microgrid_loads, {"power_point": MEASURED}, {"meter": True}),
    part("photovoltaic", "photovoltaics", mt.microgrid_photovoltaics, {"power_point": MEASURED}, {"meter": True}),
    part("power_conversion_system", "power_conversion_systems", mt.microgrid_power_conversion_systems,
         {"run_state_point": STATE, **dict.fromkeys(PCS_ENERGY_POINTS, COUNTED)}, {}, optional=PCS_ENERGY_POINTS),
)

microgrid_schedules = Family(
    "microgrid_schedule", "microgrid_schedules", mt.microgrid_schedules,
    fields=(Ref("microgrid"), Text("start_time_of_day", max_len=8, pattern=TIME_OF_DAY),
            Text("end_time_of_day", max_len=8, pattern=TIME_OF_DAY), Choice("peak_type", choices=PEAK_TYPES),
            Number("power")),
    checks=(starts_before_end,),
    db_checks=(no_overlap, within_rated_power),
)

microgrids = Family(
    "microgrid", "microgrids", mt.microgrids,
    fields=(
        Name(), Text("address", code="ADDRESS_VALUE"), Text("postal_code", max_len=64, code="POSTAL_CODE_VALUE"),
        Number("latitude", min=-90, max=90, code="LATITUDE_VALUE"),
        Number("longitude", min=-180, max=180, code="LONGITUDE_VALUE"),
        Number("capacity", min=0), Number("rated_power", min=0, required=False, null=True),
        Int("architecture_type_id", min=1, required=False, null=True),
        Int("owner_type_id", min=1, required=False, null=True),
        Ref("contact"), Ref("cost_center"), *_diagram(), _description(),
        Derived("qrcode", template="microgrid:{}"),
    ),
    checks=(has_diagram,),
    db_checks=(schedules_within_rated_power,),
    bindings=microgrid_bindings,
    children=(*(Children(p.plural.removeprefix("microgrid_").replace("_", ""), p.singular, via="microgrid",
                         owned=True, create_verbs=("POST",)) for p in PARTS),
              Children("schedules", "microgrid_schedule", via="microgrid", owned=True, create_verbs=("POST",))),
    reached=(DATA_SOURCE_POINTS,),
    reshape_in=station_aliases,
    delete_bindings=True,
    portable=True,
)

virtual_power_plants = Family(
    "virtual_power_plant", "virtual_power_plants", mt.virtual_power_plants,
    fields=(Name(), Ref("cost_center"), Ref("balancing_price_point", family="point"), *_diagram(), _description(),
            Derived("qrcode", template="virtualpowerplant:{}")),
    checks=(has_diagram,),
    db_checks=(point_kinds({"balancing_price_point": MEASURED}),),
    bindings=bindings_to("virtual_power_plant_id", {"microgrid": mt.virtual_power_plants_microgrids}),
    reshape_in=svg_id_alias,
    delete_bindings=True,
    portable=True,
)

FAMILIES: tuple[Family, ...] = (microgrids, *PARTS, microgrid_schedules, virtual_power_plants)
