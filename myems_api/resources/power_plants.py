"""Photovoltaic power stations and wind farms: generation sites, each described once as a station.

A station (these two, and the energy storage power stations of :mod:`myems_api.resources.energy_storage`)
has a unique name, an ``address`` and ``postal_code``, a ``latitude`` in [-90, 90] and a ``longitude`` in
[-180, 180], a ``capacity`` >= 0, a contact and a cost center (both must exist), and a diagram, as
microgrids have it (:mod:`myems_api.resources.microgrids`): inline ``svg`` text (the seed's form; inert SVG
only, see :mod:`myems_api.svg`) and/or ``svg_id`` naming a stored SVG (``/svgs``, must exist; answered as
``svg_diagram: {id, name, uuid}``); neither is ``API.INVALID_SVG``.

Export, import and clone are served; the seed imports a wind farm with ``POST /windfarms/{id}``, which is
served as an import (so are ``POST /windfarms/import`` and ``/windfarms/{id}/import``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from myems_api.db import power_station_tables as tables
from myems_api.engine.family import ADMIN, Family, Items, bindings_to
from myems_api.engine.fields import Bool, Derived, Field, Name, Number, Ref, Text
from myems_api.resources.asset_parts import at_least_zero, part_rows, point
from myems_api.resources.equipment import DATA_SOURCE_POINTS
from myems_api.resources.microgrids import COUNTED, MEASURED, STATE, station_aliases
from myems_api.svg import Svg, has_diagram, stored_svg


def station_fields(prefix: str) -> tuple[Field, ...]:
    """A station's fields; ``prefix`` names its QR code (``windfarm:<uuid>``)."""
    return (
        Name(),
        Text("address", code="ADDRESS_VALUE"),
        Text("postal_code", max_len=32, code="POSTAL_CODE_VALUE", required=False, null=True),  # v6.7.0 has none
        Number("latitude", min=-90, max=90, code="LATITUDE_VALUE"),
        Number("longitude", min=-180, max=180, code="LONGITUDE_VALUE"),
        Number("capacity", min=0, code="CAPACITY_VALUE"),
        Ref("contact"), Ref("cost_center"),
        Svg(required=False, null=True), stored_svg(),
        Text("description", max_len=4096, required=False, null=True),
        Derived("qrcode", template=prefix + ":{}"),
        # v6.7.0's fields, optional here so the seed's bodies still pass
        Number("rated_capacity", min=0, required=False, null=True, code="RATED_CAPACITY"),
        Number("rated_power", min=0, required=False, null=True, code="RATED_POWER"),
        Ref("latitude_point", family="point", required=False, null=True),
        Ref("longitude_point", family="point", required=False, null=True),
        *(Ref(f"svg{n}", family="svg", required=False, null=True) for n in range(2, 6)),
        Bool("is_cost_data_displayed", required=False, default=False),
        Text("phase_of_lifecycle", required=False, null=True),
        Text("commissioning_date", max_len=10, pattern=r"\d{4}-\d{2}-\d{2}", required=False, null=True),
        Text("station_code", required=False, null=True),
    )


def pv_part(key: str, served: str, table: sa.Table, *fields: Field, **kwargs: Any) -> Items:
    return part_rows("PHOTOVOLTAIC_POWER_STATION", tables.PV_STATION, tables.PV_PART_POINTS, key, served, table,
                     *fields, **kwargs)


def optional_points(names: tuple[str, ...]) -> tuple[Field, ...]:
    return tuple(point(name, required=False) for name in names)


pv_grids = pv_part("grids", "grid", tables.photovoltaic_power_station_grids, at_least_zero("capacity"),
                   *optional_points(tables.ELECTRICAL_POINTS), points={"power_point": MEASURED},
                   meters=("buy_meter", "sell_meter"), pairs=(("buy_meter", "sell_meter"),))
pv_invertors = pv_part(
    "invertors", "invertor", tables.photovoltaic_power_station_invertors,
    Text("model"), Text("serial_number"), *optional_points(tables.INVERTOR_POINTS),
    points={"invertor_state_point": STATE, "communication_state_point": STATE, "total_energy_point": COUNTED},
    meters=("generation_meter",))
pv_loads = pv_part("loads", "load", tables.photovoltaic_power_station_loads, at_least_zero("rated_input_power"),
                   *optional_points(tables.ELECTRICAL_POINTS), points={"power_point": MEASURED}, meters=("meter",))

photovoltaic_power_stations = Family(
    "photovoltaic_power_station", "photovoltaic_power_stations", tables.photovoltaic_power_stations,
    fields=station_fields("photovoltaicpowerstation"),
    checks=(has_diagram,),
    items=(pv_grids, pv_invertors, pv_loads),
    # Accounts are an instance's own: listed to admins only, copied by clones, never exported.
    bindings=tuple(replace(b, read_policy=ADMIN, exported=False) if b.target == "user" else b
                   for b in bindings_to(tables.PV_STATION, tables.photovoltaic_power_stations_links)),
    reached=(DATA_SOURCE_POINTS,),
    reshape_in=station_aliases,
    delete_bindings=True,
    portable=True,
)

wind_farms = Family(
    "wind_farm", "wind_farms", tables.wind_farms,
    fields=station_fields("windfarm"),
    checks=(has_diagram,),
    reshape_in=station_aliases,
    portable=True,
    item_post_imports=True,  # the seed's "POST Import a Wind Farm" goes to /windfarms/{id}
)

FAMILIES = (photovoltaic_power_stations, wind_farms)
