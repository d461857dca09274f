"""The demo's energy assets: a campus microgrid (battery, rooftop PV, utility connection), an energy storage
power station with one container and a photovoltaic power station, and an outdoor sensor. Pure data,
references by name; :mod:`myems_api.demo_site` writes it.

Every meter reads a simulated energy counter, so the asset reports fill in while the demo runs.
"""

from __future__ import annotations

import json
from typing import Any

ASSET_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
             '<rect x="5" y="15" width="50" height="30" fill="none" stroke="black"/>'
             '<text x="30" y="34" text-anchor="middle" font-size="9">Grid</text>'
             '<line x1="55" y1="30" x2="145" y2="30" stroke="black"/>'
             '<rect x="145" y="15" width="50" height="30" fill="none" stroke="black"/>'
             '<text x="170" y="34" text-anchor="middle" font-size="9">Storage</text></svg>')


def _point(name: str, kind: str, units: str, high: float, address: dict[str, Any]) -> Any:
    return ("point", {"name": name, "data_source": "Simulated Meters", "object_type": kind, "units": units,
                      "high_limit": high, "low_limit": 0, "is_trend": True, "address": json.dumps(address)})


def _metered(name: str, daily_total: float) -> list[Any]:
    """A meter of electricity and the simulated counter it reads (``<name> Energy``)."""
    return [_point(f"{name} Energy", "ENERGY_VALUE", "kWh", 1e11,
                   {"generator": "energy_counter", "daily_total": daily_total}),
            ("meter", {"name": name, "energy_category": "Electricity", "is_counted": False, "hourly_low_limit": 0,
                       "hourly_high_limit": 1000, "cost_center": "Facilities"})]


SITE_PLACE = {"address": "1 Riverside Walk, London", "postal_code": "SE1 9PX", "latitude": 51.5072,
              "longitude": -0.1276, "contact": "Facility Manager", "cost_center": "Facilities", "svg": ASSET_SVG}

ASSETS: list[tuple[str, dict[str, Any]]] = [
    _point("Battery SOC", "ANALOG_VALUE", "%", 100, {"generator": "constant", "value": 72.5}),
    _point("Battery State", "DIGITAL_VALUE", "", 1, {"generator": "switch", "on": 6, "off": 22}),
    _point("Battery Power", "ANALOG_VALUE", "kW", 500, {"generator": "power", "peak": 90}),
    _point("PV Power", "ANALOG_VALUE", "kW", 500, {"generator": "power", "peak": 110}),
    _point("Grid Power", "ANALOG_VALUE", "kW", 2000, {"generator": "power", "peak": 400}),
    *_metered("Battery Charge", 300), *_metered("Battery Discharge", 270),
    *_metered("Grid Import", 1900), *_metered("Grid Export", 60), *_metered("PV Generation", 520),
    *_metered("Storage Charge", 900), *_metered("Storage Discharge", 820),
    *_metered("Storage Grid Import", 950), *_metered("Storage Grid Export", 780), *_metered("Storage Auxiliary", 40),
    ("microgrid", {"name": "Riverside Microgrid", "capacity": 500, "description": "Campus microgrid",
                   **SITE_PLACE}),
    ("microgrid_battery", {"name": "Battery Bank", "microgrid": "Riverside Microgrid",
                           "battery_state_point": "Battery State", "soc_point": "Battery SOC",
                           "power_point": "Battery Power", "charge_meter": "Battery Charge",
                           "discharge_meter": "Battery Discharge", "capacity": 400, "rated_power": 100,
                           "nominal_voltage": 768}),
    ("microgrid_photovoltaic", {"name": "Rooftop PV", "microgrid": "Riverside Microgrid",
                                "power_point": "PV Power", "meter": "PV Generation", "capacity": 120}),
    ("microgrid_grid", {"name": "Utility Connection", "microgrid": "Riverside Microgrid", "power_point": "Grid Power",
                        "buy_meter": "Grid Import", "sell_meter": "Grid Export", "capacity": 500}),
    ("energy_storage_container", {
        "name": "Storage Container 1", "rated_capacity": 1000, "rated_power": 250, "contact": "Facility Manager",
        "cost_center": "Facilities", "description": "Lithium iron phosphate, 4 racks",
        "batteries": [{"name": "Racks 1-4", "battery_state_point": "Battery State", "soc_point": "Battery SOC",
                       "power_point": "Battery Power", "charge_meter": "Storage Charge",
                       "discharge_meter": "Storage Discharge", "rated_capacity": 1000, "rated_power": 250,
                       "nominal_voltage": 768}],
        "grids": [{"name": "Transformer T2", "power_point": "Grid Power", "buy_meter": "Storage Grid Import",
                   "sell_meter": "Storage Grid Export", "capacity": 250}],
        "loads": [{"name": "HVAC and controls", "power_point": "Battery Power", "meter": "Storage Auxiliary",
                   "rated_input_power": 15}],
        "schedules": [
            {"start_time_of_day": "00:00:00", "end_time_of_day": "06:00:00", "peak_type": "offpeak", "power": -200},
            {"start_time_of_day": "17:00:00", "end_time_of_day": "21:00:00", "peak_type": "onpeak", "power": 220}]}),
    ("energy_storage_power_station", {"name": "Riverside Storage Station", "capacity": 1000,
                                      "description": "Peak shaving for the campus", **SITE_PLACE}),
    ("photovoltaic_power_station", {
        "name": "Riverside Solar", "capacity": 150, "rated_capacity": 150, "rated_power": 120,
        "description": "Rooftop arrays of Buildings A and B", **SITE_PLACE,
        "invertors": [{"name": "Inverter 1", "model": "SUN2000-100KTL", "serial_number": "SN-RS-0001",
                       "invertor_state_point": "Battery State", "communication_state_point": "Battery State",
                       "total_energy_point": "PV Generation Energy", "generation_meter": "PV Generation",
                       "active_power_point": "PV Power"}],
        "grids": [{"name": "Solar Export", "power_point": "Grid Power", "buy_meter": "Grid Import",
                   "sell_meter": "Grid Export", "capacity": 150}],
        "loads": [{"name": "Inverter Auxiliary", "power_point": "PV Power", "meter": "Storage Auxiliary",
                   "rated_input_power": 5}]}),
    _point("Outdoor Temperature", "ANALOG_VALUE", "°C", 60, {"generator": "power", "peak": 24}),
    ("sensor", {"name": "Campus Environment", "description": "Outdoor temperature at the main entrance"}),
]

ASSET_BINDINGS: list[tuple[Any, ...]] = [
    *[("meter", name, "points", f"{name} Energy") for name in (
        "Battery Charge", "Battery Discharge", "Grid Import", "Grid Export", "PV Generation", "Storage Charge",
        "Storage Discharge", "Storage Grid Import", "Storage Grid Export", "Storage Auxiliary")],
    ("energy_storage_power_station", "Riverside Storage Station", "containers", "Storage Container 1"),
    ("space", "Riverside Campus", "microgrids", "Riverside Microgrid"),
    ("space", "Riverside Campus", "energystoragepowerstations", "Riverside Storage Station"),
    ("space", "Riverside Campus", "photovoltaicpowerstations", "Riverside Solar"),
    ("sensor", "Campus Environment", "points", "Outdoor Temperature"),
    # The report UI opens on the root space: everything it lists directly bound there too (a space's energy
    # counts each meter once however many of its spaces an entity is bound to).
    *[("space", "Riverside Campus", binding, name) for binding, name in (
        ("equipments", "Chiller 1"), ("equipments", "Chiller 2"), ("equipments", "Chilled Water Pumps"),
        ("combinedequipments", "Chiller Plant"), ("tenants", "Starbucks Coffee"), ("tenants", "Acme Consulting"),
        ("stores", "Riverside Bookshop"), ("shopfloors", "Building B Workshop"), ("meters", "Chiller Plant"),
        ("virtualmeters", "Main Incomer without HVAC"), ("sensors", "Campus Environment"))],
]
