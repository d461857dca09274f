"""Energy categories, energy items, cost centers, contacts, products and time zones: pure specs, no custom code."""

from __future__ import annotations

from myems_api.db import schema
from myems_api.engine.family import READ_ONLY, Binding, Family
from myems_api.engine.fields import Email, Name, Number, Ref, Text

energy_categories = Family(
    "energy_category", "energy_categories", schema.energy_categories,
    fields=(Name(), Text("unit_of_measure", max_len=32), Number("kgce", min=0), Number("kgco2e", min=0)),
    portable=True,
)

energy_items = Family(
    "energy_item", "energy_items", schema.energy_items,
    fields=(Name(), Ref("energy_category")),
    portable=True,
)

cost_centers = Family(
    "cost_center", "cost_centers", schema.cost_centers,
    fields=(Name(), Text("external_id", max_len=64, required=False, null=True)),
    bindings=(Binding("tariffs", "tariff", schema.cost_centers_tariffs, "cost_center_id", "tariff_id"),),
    portable=True,
)

contacts = Family(
    "contact", "contacts", schema.contacts,
    fields=(Name(), Email(), Text("phone", max_len=64, pattern=r"[0-9+()\-. ]{3,64}"),
            Text("description", max_len=4096, required=False, null=True)),
    portable=True,
)

products = Family(  # not served by MyEMS v6.7.0, which edits them in its database; its production reports name them
    "product", "products", schema.products,
    fields=(Name(), Text("unit_of_measure", max_len=32), Text("tag", max_len=128, required=False, null=True),
            Number("standard_product_coefficient", min=0)),
    portable=True,
)

timezones = Family(
    "timezone", "timezones", schema.timezones,
    fields=(Name(), Text("description", max_len=255),
            Text("utc_offset", max_len=6, pattern=r"[+-](0\d|1[0-4]):[0-5]\d")),
    ops=READ_ONLY | {"update"},
)

FAMILIES = (energy_categories, energy_items, cost_centers, contacts, products, timezones)
