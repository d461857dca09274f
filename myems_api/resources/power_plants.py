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

from myems_api.db import power_station_tables as tables
from myems_api.engine.family import Family
from myems_api.engine.fields import Derived, Field, Name, Number, Ref, Text
from myems_api.resources.microgrids import has_diagram, svg_id_alias
from myems_api.svg import Svg


def stored_svg() -> Ref:
    """A stored SVG, sent as ``svg_id`` (or ``svg_diagram_id``) and answered as ``svg_diagram``."""
    return Ref("svg_diagram", family="svg", code="SVG_ID", required=False, null=True)


def station_fields(prefix: str) -> tuple[Field, ...]:
    """A station's fields; ``prefix`` names its QR code (``windfarm:<uuid>``)."""
    return (
        Name(),
        Text("address", code="ADDRESS_VALUE"),
        Text("postal_code", max_len=32, code="POSTAL_CODE_VALUE"),
        Number("latitude", min=-90, max=90, code="LATITUDE_VALUE"),
        Number("longitude", min=-180, max=180, code="LONGITUDE_VALUE"),
        Number("capacity", min=0, code="CAPACITY_VALUE"),
        Ref("contact"), Ref("cost_center"),
        Svg(required=False, null=True), stored_svg(),
        Text("description", max_len=4096, required=False, null=True),
        Derived("qrcode", template=prefix + ":{}"),
    )


photovoltaic_power_stations = Family(
    "photovoltaic_power_station", "photovoltaic_power_stations", tables.photovoltaic_power_stations,
    fields=station_fields("photovoltaicpowerstation"),
    checks=(has_diagram,),
    reshape_in=svg_id_alias,
    portable=True,
)

wind_farms = Family(
    "wind_farm", "wind_farms", tables.wind_farms,
    fields=station_fields("windfarm"),
    checks=(has_diagram,),
    reshape_in=svg_id_alias,
    portable=True,
    item_post_imports=True,  # the seed's "POST Import a Wind Farm" goes to /windfarms/{id}
)

FAMILIES = (photovoltaic_power_stations, wind_farms)
