"""Tenants, stores and shopfloors: the parts of a site someone occupies, pays for, and is metered for.

Each has an area, a contact and a cost center, and binds meters, offline meters, virtual meters, points,
sensors, working calendars and commands; a shopfloor also binds equipment. A tenant's lease ends after it
starts (``API.INVALID_LEASE_END_DATETIME``); a store's latitude and longitude are on the globe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from myems_api.db import schema
from myems_api.engine.family import Family, bindings_to
from myems_api.engine.fields import Bool, Derived, LocalDateTime, Name, Number, Ref, Text


def site_fields(prefix: str, *own: Any) -> tuple[Any, ...]:
    return (
        Name(), *own, Number("area", min=0), Bool("is_input_counted"),
        Ref("contact"), Ref("cost_center"),
        Text("description", max_len=4096, required=False, null=True),
        Derived("qrcode", template=prefix + ":{}"),
    )


def check_lease(tenant: Mapping[str, Any]) -> str | None:
    ends_after_start = tenant["lease_end_datetime_utc"] > tenant["lease_start_datetime_utc"]
    return None if ends_after_start else "API.INVALID_LEASE_END_DATETIME"


def lease_aliases(payload: dict[str, Any]) -> dict[str, Any]:
    """Older admin UIs (and the seed's PUT) send the lease times as ``lease_*_datetime_utc``, in local time."""
    for key in ("lease_start_datetime", "lease_end_datetime"):
        if key not in payload and f"{key}_utc" in payload:
            payload[key] = payload.pop(f"{key}_utc")
    return payload


def _text(key: str, code: str) -> Text:
    return Text(key, code=code)


tenants = Family(
    "tenant", "tenants", schema.tenants,
    fields=site_fields(
        "tenant",
        _text("buildings", "BUILDINGS_VALUE"), _text("floors", "FLOORS_VALUE"), _text("rooms", "ROOMS_VALUE"),
        Ref("tenant_type"), Bool("is_key_tenant"), _text("lease_number", "LEASE_NUMBER_VALUE"),
        LocalDateTime("lease_start_datetime"), LocalDateTime("lease_end_datetime"), Bool("is_in_lease"),
    ),
    checks=(check_lease,),
    bindings=bindings_to("tenant_id", schema.tenants_links),
    reshape_in=lease_aliases,
    portable=True,
)

stores = Family(
    "store", "stores", schema.stores,
    fields=site_fields(
        "store",
        Text("address", max_len=255, code="ADDRESS_VALUE"),
        Number("latitude", min=-90, max=90, code="LATITUDE_VALUE"),
        Number("longitude", min=-180, max=180, code="LONGITUDE_VALUE"),
        Ref("store_type"),
    ),
    bindings=bindings_to("store_id", schema.stores_links),
    portable=True,
)

shopfloors = Family(
    "shopfloor", "shopfloors", schema.shopfloors,
    fields=site_fields("shopfloor"),
    bindings=bindings_to("shopfloor_id", schema.shopfloors_links),
    portable=True,
)

FAMILIES = (tenants, stores, shopfloors)
