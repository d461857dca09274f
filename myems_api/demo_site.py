"""The demo site: reference data, metering and the campus of :mod:`myems_api.demo_building`, written
through the engine like any API client.

Going through the family stores means the demo obeys every validation rule the API enforces. Re-running
adds only what is missing. References are given by name and resolved here.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from myems_api.db import schema
from myems_api.db.engines import Databases
from myems_api.demo_assets import ASSET_BINDINGS, ASSETS
from myems_api.demo_building import BUILDING, BUILDING_BINDINGS
from myems_api.engine.family import Registry
from myems_api.engine.fields import Context
from myems_api.engine.store import FamilyStore

DAY_TARIFF = [
    ("00:00:00", "07:59:59", "offpeak", 0.08), ("08:00:00", "10:59:59", "onpeak", 0.21),
    ("11:00:00", "16:59:59", "midpeak", 0.14), ("17:00:00", "20:59:59", "onpeak", 0.21),
    ("21:00:00", "23:59:59", "offpeak", 0.08),
]

SITE: list[tuple[str, dict[str, Any]]] = [
    ("energy_category", {"name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.5810}),
    ("energy_category", {"name": "Water", "unit_of_measure": "m3", "kgce": 0.0857, "kgco2e": 0.3440}),
    ("energy_category", {"name": "Natural Gas", "unit_of_measure": "m3", "kgce": 1.2143, "kgco2e": 2.1622}),
    ("energy_category", {"name": "Chilled Water", "unit_of_measure": "kWh", "kgce": 0.0425, "kgco2e": 0.2000}),
    ("energy_item", {"name": "Lighting", "energy_category": "Electricity"}),
    ("energy_item", {"name": "HVAC", "energy_category": "Electricity"}),
    ("energy_item", {"name": "Plug Loads", "energy_category": "Electricity"}),
    ("energy_item", {"name": "Domestic Hot Water", "energy_category": "Natural Gas"}),
    ("product", {"name": "Widget", "unit_of_measure": "pcs", "tag": "assembly line",
                 "standard_product_coefficient": 1.0}),
    ("cost_center", {"name": "Facilities", "external_id": "CC-1000"}),
    ("cost_center", {"name": "Production", "external_id": "CC-2000"}),
    ("contact", {"name": "Facility Manager", "email": "facilities@example.com", "phone": "+1 555 0100",
                 "description": "First call for building issues"}),
    ("contact", {"name": "Energy Analyst", "email": "energy@example.com", "phone": "+1 555 0101"}),
    ("tariff", {"name": "Electricity time-of-use 2026", "energy_category": "Electricity",
                "tariff_type": "timeofuse", "unit_of_price": "CNY/kWh",
                "valid_from": "2026-01-01T00:00:00", "valid_through": "2027-01-01T00:00:00",
                "timeofuse": [{"start_time_of_day": s, "end_time_of_day": e, "peak_type": p, "price": price}
                              for s, e, p, price in DAY_TARIFF]}),
    ("tariff", {"name": "Water flat 2026", "energy_category": "Water", "tariff_type": "block",
                "unit_of_price": "CNY/m3", "valid_from": "2026-01-01T00:00:00",
                "valid_through": "2027-01-01T00:00:00",
                "block": [{"start_amount": 0, "end_amount": 1_000_000, "price": 2.1}]}),
    ("gateway", {"name": "Main Building Gateway", "description": "Runs the demo's simulated meters"}),
    ("data_source", {"name": "Simulated Meters", "gateway": "Main Building Gateway", "protocol": "simulation",
                     "connection": json.dumps({"interval_in_seconds": 60}), "description": "Demo data"}),
    *[("point", {"name": name, "data_source": "Simulated Meters", "object_type": kind, "units": units,
                 "high_limit": high, "low_limit": 0, "is_trend": True, "address": json.dumps(address)})
      for name, kind, units, high, address in [
          ("Main Incomer Energy", "ENERGY_VALUE", "kWh", 1e11, {"generator": "energy_counter", "daily_total": 2400}),
          ("Main Incomer Power", "ANALOG_VALUE", "kW", 5000, {"generator": "power", "peak": 180}),
          ("Chiller Plant Energy", "ENERGY_VALUE", "kWh", 1e11, {"generator": "energy_counter", "daily_total": 900}),
      ]],
    ("meter", {"name": "Main Incomer", "energy_category": "Electricity", "is_counted": True,
               "hourly_low_limit": 0, "hourly_high_limit": 1000, "cost_center": "Facilities"}),
    ("meter", {"name": "Chiller Plant", "energy_category": "Electricity", "is_counted": True,
               "hourly_low_limit": 0, "hourly_high_limit": 400, "cost_center": "Facilities", "energy_item": "HVAC",
               "master_meter": "Main Incomer"}),
    ("offline_meter", {"name": "Gas Meter (monthly reading)", "energy_category": "Natural Gas", "is_counted": True,
                       "hourly_low_limit": 0, "hourly_high_limit": 500, "cost_center": "Facilities",
                       "energy_item": "Domestic Hot Water"}),
    ("virtual_meter", {"name": "Main Incomer without HVAC", "energy_category": "Electricity", "is_counted": False,
                       "cost_center": "Facilities",
                       "expression": {"equation": "x1-x2", "variables": [
                           {"name": "x1", "meter_type": "meter", "meter": "Main Incomer"},
                           {"name": "x2", "meter_type": "meter", "meter": "Chiller Plant"}]}}),
]

BINDINGS = [("cost_center", "Facilities", "tariffs", "Electricity time-of-use 2026"),
            ("cost_center", "Facilities", "tariffs", "Water flat 2026"),
            ("meter", "Main Incomer", "points", "Main Incomer Energy"),
            ("meter", "Main Incomer", "points", "Main Incomer Power"),
            ("meter", "Chiller Plant", "points", "Chiller Plant Energy")]


def _id_by_name(store: FamilyStore, name: str) -> int | None:
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(store.table.c.id).where(store.table.c.name == name)).scalar()
    return None if found is None else int(found)


def _meter_uuid(stores: dict[str, FamilyStore], name: str) -> str | None:
    for kind in ("meter", "offline_meter", "virtual_meter"):
        table = stores[kind].table
        with stores[kind].engine.connect() as conn:
            found = conn.execute(sa.select(table.c.uuid).where(table.c.name == name)).scalar()
        if found is not None:
            return str(found)
    return None


def _resolved(spec: dict[str, Any], store: FamilyStore, stores: dict[str, FamilyStore]) -> dict[str, Any]:
    """The spec with references by name turned into ids, and meters in owned rows into uuids."""
    payload: dict[str, Any] = json.loads(json.dumps(spec))
    for ref in store.family.refs:
        if ref.key in payload:
            name = payload.pop(ref.key)
            payload[ref.input_key] = None if name is None else _id_by_name(stores[ref.target], name)
    for variable in payload.get("expression", {}).get("variables", []):
        variable["meter_id"] = _id_by_name(stores[variable["meter_type"]], variable.pop("meter"))
    for row in [*payload.get("parameters", []), *payload.get("links", [])]:
        for key in ("meter", "numerator_meter", "denominator_meter"):
            if key in row:
                row[f"{key}_uuid"] = _meter_uuid(stores, row.pop(key))
        if "point" in row:
            row["point_id"] = _id_by_name(stores["point"], row.pop("point"))
    for item in store.family.items:  # owned rows naming points and meters (a container's batteries)
        for row in payload.get(item.key, []):
            for key in [k for k in row if k.endswith(("_point", "_meter")) or k in ("meter", "point")]:
                target = "point" if key.endswith("point") else "meter"
                row[f"{key}_id"] = _id_by_name(stores[target], row.pop(key))
    return payload


def _root_space_id(databases: Databases) -> int:
    spaces = schema.spaces
    with databases.system.connect() as conn:
        root = conn.execute(sa.select(spaces.c.id).where(spaces.c.parent_space_id.is_(None))).scalar()
    return int(root) if root is not None else 1


def seed_demo_site(databases: Databases, registry: Registry, ctx: Context) -> None:
    stores = {f.singular: FamilyStore(f, registry, databases.system, ctx) for f in registry}
    for singular, spec in [*SITE, *BUILDING, *ASSETS]:
        store = stores[singular]
        if _id_by_name(store, spec["name"]) is not None:
            continue
        if singular == "space" and spec.get("parent_space") is None:  # the campus is the root space, id 1
            store.update(_root_space_id(databases), _resolved(spec, store, stores))
            continue
        store.create(_resolved(spec, store, stores))
    for singular, owner, binding_name, target, *fields in [*BINDINGS, *BUILDING_BINDINGS, *ASSET_BINDINGS]:
        store = stores[singular]
        owner_id = _id_by_name(store, owner)
        binding = store.family.binding(binding_name)
        target_id = _id_by_name(stores[binding.target], target)
        if owner_id and target_id and all(t["id"] != target_id for t in store.bound(owner_id, binding)):
            store.bind(owner_id, binding, {binding.target_key: target_id, **(fields[0] if fields else {})})
