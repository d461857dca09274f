"""Tables of uploaded files (cost, data repair, knowledge, offline meter, energy plan) and user sign-up flows.

They share :data:`myems_api.db.schema.metadata`; ``schema`` imports this module so they are always registered.
"""

from __future__ import annotations
