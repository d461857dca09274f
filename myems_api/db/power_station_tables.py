"""Tables of energy storage containers and power stations, photovoltaic power stations and wind farms.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations
