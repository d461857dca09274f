"""Tables of microgrids (and their batteries, PV, grids, loads, ...) and virtual power plants.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations
