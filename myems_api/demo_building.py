"""The demo's campus: two buildings with floors, tenants, a store, a workshop, a chiller plant, an energy
flow diagram and a switchboard. Pure data, references by name; :mod:`myems_api.demo_site` writes it.
"""

from __future__ import annotations

from typing import Any


def _meter(name: str, category: str, high: float, master: str | None = None, item: str | None = None) -> Any:
    spec = {"name": name, "energy_category": category, "is_counted": True, "hourly_low_limit": 0,
            "hourly_high_limit": high, "cost_center": "Facilities"}
    spec.update({"master_meter": master} if master else {})
    spec.update({"energy_item": item} if item else {})
    return ("meter", spec)


def _space(name: str, parent: str | None, area: float, **more: Any) -> Any:
    return ("space", {"name": name, "parent_space": parent, "area": area, "timezone": "GMT Standard Time",
                      "is_input_counted": True, "is_output_counted": False, "contact": "Facility Manager",
                      "cost_center": "Facilities", **more})


def _equipment(family: str, name: str, parameters: list[dict[str, Any]], output: bool = False) -> Any:
    return (family, {"name": name, "is_input_counted": True, "is_output_counted": output,
                     "cost_center": "Facilities", "parameters": parameters})


def _tenant(name: str, kind: str, floors: str, rooms: str, area: float, key: bool) -> Any:
    return ("tenant", {"name": name, "buildings": "Building A", "floors": floors, "rooms": rooms, "area": area,
                       "tenant_type": kind, "is_input_counted": True, "is_key_tenant": key,
                       "lease_number": f"L-{rooms}", "lease_start_datetime": "2025-01-01T00:00:00",
                       "lease_end_datetime": "2030-01-01T00:00:00", "is_in_lease": True,
                       "contact": "Facility Manager", "cost_center": "Production"})


SWITCHBOARD_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">'
    '<desc>Main switchboard: incomer feeding two building feeders</desc>'
    '<rect x="130" y="10" width="60" height="24" fill="none" stroke="black"/>'
    '<text x="160" y="27" text-anchor="middle" font-size="10">Incomer</text>'
    '<line x1="160" y1="34" x2="160" y2="60" stroke="black"/><line x1="60" y1="60" x2="260" y2="60" stroke="black"/>'
    '<line x1="60" y1="60" x2="60" y2="90" stroke="black"/><line x1="260" y1="60" x2="260" y2="90" stroke="black"/>'
    '<text x="60" y="105" text-anchor="middle" font-size="10">Feeder A</text>'
    '<text x="260" y="105" text-anchor="middle" font-size="10">Feeder B</text></svg>'
)

BUILDING: list[tuple[str, dict[str, Any]]] = [
    _meter("Building A Incomer", "Electricity", 600, master="Main Incomer"),
    _meter("Building B Incomer", "Electricity", 400, master="Main Incomer"),
    _meter("Chiller 1", "Electricity", 180, master="Chiller Plant", item="HVAC"),
    _meter("Chiller 2", "Electricity", 180, master="Chiller Plant", item="HVAC"),
    _meter("Chilled Water Pumps", "Electricity", 40, master="Chiller Plant", item="HVAC"),
    _meter("Chilled Water Output", "Chilled Water", 2000),
    _meter("Starbucks Submeter", "Electricity", 60, master="Building A Incomer", item="Plug Loads"),
    ("tenant_type", {"name": "Food & Beverage", "simplified_code": "FB"}),
    ("tenant_type", {"name": "Office", "simplified_code": "OF"}),
    ("store_type", {"name": "Retail", "simplified_code": "RT"}),
    ("working_calendar", {"name": "Office Days", "description": "Weekdays except public holidays",
                          "non_working_days": [{"date_local": "2026-12-25", "description": "Christmas Day"},
                                               {"date_local": "2026-12-26", "description": "Boxing Day"},
                                               {"date_local": "2027-01-01", "description": "New Year's Day"}]}),
    _space("Riverside Campus", None, 24000, latitude=51.5072, longitude=-0.1276),
    _space("Building A", "Riverside Campus", 14000),
    _space("Building A - Level 1", "Building A", 7000),
    _space("Building A - Level 2", "Building A", 7000),
    _space("Building B", "Riverside Campus", 10000),
    _space("Building B - Ground Floor", "Building B", 10000),
    _tenant("Starbucks Coffee", "Food & Beverage", "L1", "A-101", 418.8, key=True),
    _tenant("Acme Consulting", "Office", "L2", "A-201", 1200, key=False),
    ("store", {"name": "Riverside Bookshop", "address": "1 Riverside Walk, Building B", "latitude": 51.5074,
               "longitude": -0.1279, "area": 600, "store_type": "Retail", "is_input_counted": True,
               "contact": "Facility Manager", "cost_center": "Production"}),
    ("shopfloor", {"name": "Building B Workshop", "area": 2500, "is_input_counted": True,
                   "contact": "Facility Manager", "cost_center": "Production"}),
    _equipment("equipment", "Chiller 1", [
        {"name": "Rated cooling capacity (kW)", "parameter_type": "constant", "constant": "1200"}]),
    _equipment("equipment", "Chiller 2", [
        {"name": "Rated cooling capacity (kW)", "parameter_type": "constant", "constant": "1200"}]),
    _equipment("equipment", "Chilled Water Pumps", [
        {"name": "Rated power (kW)", "parameter_type": "constant", "constant": "37"}]),
    _equipment("combined_equipment", "Chiller Plant", [
        {"name": "Plant COP", "parameter_type": "fraction", "numerator_meter": "Chilled Water Output",
         "denominator_meter": "Chiller Plant"},
        {"name": "Plant power", "parameter_type": "point", "point": "Main Incomer Power"}], output=True),
    ("energy_flow_diagram", {"name": "Campus Electricity", "nodes": [
        {"id": 1, "name": "Grid"}, {"id": 2, "name": "Building A"}, {"id": 3, "name": "Building B"},
        {"id": 4, "name": "Chiller Plant"}, {"id": 5, "name": "Starbucks"}], "links": [
        {"source_node_id": 1, "target_node_id": 2, "meter": "Building A Incomer"},
        {"source_node_id": 1, "target_node_id": 3, "meter": "Building B Incomer"},
        {"source_node_id": 1, "target_node_id": 4, "meter": "Chiller Plant"},
        {"source_node_id": 2, "target_node_id": 5, "meter": "Starbucks Submeter"}]}),
    ("distribution_system", {"name": "Main Switchboard", "svg": SWITCHBOARD_SVG,
                             "description": "LV switchboard in the Building A plant room"}),
    ("distribution_circuit", {"name": "Feeder A", "distribution_system": "Main Switchboard",
                              "distribution_room": "Plant Room A", "switchgear": "QF-A1", "peak_load": 600,
                              "peak_current": 910, "customers": "Building A", "meters": "Building A Incomer"}),
    ("distribution_circuit", {"name": "Feeder B", "distribution_system": "Main Switchboard",
                              "distribution_room": "Plant Room A", "switchgear": "QF-B1", "peak_load": 400,
                              "peak_current": 610, "customers": "Building B", "meters": "Building B Incomer"}),
]

# (family, owner, binding, target[, binding fields])
BUILDING_BINDINGS: list[tuple[Any, ...]] = [
    ("space", "Riverside Campus", "meters", "Main Incomer"),
    ("space", "Riverside Campus", "workingcalendars", "Office Days"),
    ("space", "Building A", "meters", "Building A Incomer"),
    ("space", "Building A", "combinedequipments", "Chiller Plant"),
    ("space", "Building A - Level 1", "tenants", "Starbucks Coffee"),
    ("space", "Building A - Level 2", "tenants", "Acme Consulting"),
    ("space", "Building B", "meters", "Building B Incomer"),
    ("space", "Building B - Ground Floor", "stores", "Riverside Bookshop"),
    ("space", "Building B - Ground Floor", "shopfloors", "Building B Workshop"),
    ("space", "Riverside Campus", "offlinemeters", "Gas Meter (monthly reading)"),
    ("tenant", "Starbucks Coffee", "meters", "Starbucks Submeter"),
    ("tenant", "Acme Consulting", "workingcalendars", "Office Days"),
    ("equipment", "Chiller 1", "meters", "Chiller 1", {"is_output": False}),
    ("equipment", "Chiller 2", "meters", "Chiller 2", {"is_output": False}),
    ("equipment", "Chilled Water Pumps", "meters", "Chilled Water Pumps", {"is_output": False}),
    ("combined_equipment", "Chiller Plant", "equipments", "Chiller 1"),
    ("combined_equipment", "Chiller Plant", "equipments", "Chiller 2"),
    ("combined_equipment", "Chiller Plant", "equipments", "Chilled Water Pumps"),
    ("combined_equipment", "Chiller Plant", "meters", "Chiller Plant", {"is_output": False}),
    ("combined_equipment", "Chiller Plant", "meters", "Chilled Water Output", {"is_output": True}),
    ("shopfloor", "Building B Workshop", "equipments", "Chilled Water Pumps"),
    ("distribution_circuit", "Feeder A", "points", "Main Incomer Power"),
]
