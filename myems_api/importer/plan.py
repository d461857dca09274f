"""What each MyEMS v6.7.0 table becomes here.

Most configuration tables share MyEMS's name and columns, so they are found, not listed: every table of
MyEMS's system, user, FDD and reporting databases that has a namesake here is copied column for column, ids
and uuids kept. Only the differences are declared: a column named otherwise (``svg_id`` is our
``svg_diagram_id``), a value we keep otherwise (a salted SHA-512 password), a uuid MyEMS never gave (points,
privileges, calendars get one derived from their id, the same on every run; time zones take our IANA name by
their MyEMS name; an API key's token is kept as its hash), and the tables whose rows we do
not carry, each with its reason. A column ``<thing>_id`` must name a row of MyEMS's ``tbl_<things>``: a row
naming a missing object is skipped, with that reason, never half-linked.

Time series are streamed: trend values, latest values, hourly energy of meters, offline and virtual meters,
and the entities' hourly energy (MyEMS's energy database), cost (billing) and carbon, which here are the
columns of one ``tbl_entity_hourly`` row. Asset tables (microgrids, storage and PV stations) are not
carried: our asset reports compute them from their bound meters. A space's production hours (MyEMS's production
database) come with its products. MyEMS's baseline, plan, prediction and model databases are not read: baselines
and predictions come from our models, plans from plan files.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from myems_api.auth import Passwords, token_hash
from myems_api.db import energy, file_tables, historical, message_tables, reference, schema
from myems_api.db.upsert import Merge
from myems_api.importer.source import Source

# A derivation fills target columns from the source row; it answers why the row is skipped, or None.
Derive = Callable[[dict[str, Any], dict[str, Any], Source], str | None]
NAMESPACE = uuid.UUID("6d1b5f1e-4f4c-4c89-9d67-3c1d8e1a7a10")
CONFIG_GROUPS = ("system", "user", "fdd", "reporting", "production")
UNKNOWN_TIME = datetime(1970, 1, 1)  # a time MyEMS never kept


def kept(old: sa.ColumnElement[Any], _new: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return old


@dataclass(frozen=True)
class Copy:
    group: str                      # MyEMS database: system, user, historical, energy, billing, carbon, ...
    table: str                      # its table
    target: sa.Table
    stream: bool = False            # time series: batches committed as they go, resumed from a checkpoint
    columns: Mapping[str, str] = field(default_factory=dict)   # target column -> source column, where named otherwise
    fixed: Mapping[str, Any] = field(default_factory=dict)     # target column -> value
    derive: Derive | None = None
    reads: tuple[str, ...] = ()     # source columns only ``derive`` reads
    checks: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # source column -> (group, table) it names
    since: str | None = None        # the source's time column, limited by --since
    total: str | None = None        # target column whose sum must equal the source's actual_value
    scope: tuple[sa.ColumnElement[bool], ...] = ()  # the target rows this copy owns, besides its fixed key columns
    merge: Mapping[str, Merge] = field(default_factory=dict)
    newer_only: str | None = None

    @property
    def name(self) -> str:
        return f"{self.group}.{self.table}"

    @property
    def source_total(self) -> str | None:
        """The source column summed against ``total`` (MyEMS's ``actual_value`` of energy, cost and carbon)."""
        return None if self.total is None else self.columns.get(self.total, self.total)

    @property
    def bulk(self) -> bool:
        """Rows go to the target unchanged (no derivation, no merge): a bulk load may carry them."""
        return self.stream and self.derive is None and not self.merge and self.newer_only is None


NOT_CARRIED: dict[str, str] = {
    **{f"production.{table}": "production per shopfloor, equipment, shift or team: v6.7.0 reports a space's only"
       for table in ("tbl_shifts", "tbl_teams", "tbl_equipment_hourly", "tbl_shopfloor_hourly",
                     "tbl_shopfloors_products", "tbl_shopfloors_teams")},
    "user.tbl_sessions": "sessions are not carried: users log in again",
    "system.tbl_points_set_values": "set values MyEMS had not written are not replayed on the devices",
    "system.tbl_versions": "MyEMS's own version row",
    "reporting.tbl_email_messages": "sent report emails: MyEMS's delivery history",
    "reporting.tbl_template_files": "report templates are not used here",
    "historical.tbl_text_value": "text trends are not kept here",
    "historical.tbl_text_value_latest": "text trends are not kept here",
    "fdd.tbl_text_messages_inbox": "received text messages are not kept here",
    "fdd.tbl_wechat_messages_inbox": "received WeChat messages are not kept here",
    "fdd.tbl_wechat_configs": "WeChat delivery is configured here by settings",
    "billing.tbl_meter_hourly": "meter cost is priced at report time from the tariffs",
    "carbon.tbl_meter_hourly": "meter carbon is computed at report time from the emission factors",
    "billing.tbl_offline_meter_hourly": "meter cost is priced at report time from the tariffs",
    "carbon.tbl_offline_meter_hourly": "meter carbon is computed at report time from the emission factors",
    "billing.tbl_virtual_meter_hourly": "meter cost is priced at report time from the tariffs",
    "carbon.tbl_virtual_meter_hourly": "meter carbon is computed at report time from the emission factors",
}
ASSETS = re.compile(r"^tbl_(microgrid|energy_storage_container|energy_storage_power_station|"
                    r"photovoltaic_power_station|wind_farm|virtual_power_plant)_")
ASSETS_REASON = "asset hours are computed here from the assets' bound meters"
ENTITY = re.compile(r"^tbl_(space|equipment|combined_equipment|tenant|store|shopfloor)_(input|output)_"
                    r"(category|item)_hourly$")
ALIASES = {"tbl_text_messages_outbox": message_tables.text_messages,
           "tbl_wechat_messages_outbox": message_tables.wechat_messages}


def stable_uuid(table: str) -> Derive:
    def derive(src: dict[str, Any], out: dict[str, Any], _source: Source) -> None:
        out["uuid"] = str(uuid.uuid5(NAMESPACE, f"{table}:{src['id']}"))
        return None
    return derive


def legacy_password(src: dict[str, Any], out: dict[str, Any], _source: Source) -> str | None:
    if not src.get("salt") or not src.get("password"):
        return "no password hash"
    out["password_hash"] = Passwords.legacy(str(src["salt"]), str(src["password"]))
    out.setdefault("created_datetime_utc", UNKNOWN_TIME)
    return None


def api_key(src: dict[str, Any], out: dict[str, Any], _source: Source) -> str | None:
    """MyEMS keeps an API key's token itself; we keep its hash, so integrators' keys go on working."""
    if not src.get("token"):
        return "no token"
    out["token_hash"] = token_hash(str(src["token"]))
    out["uuid"] = str(uuid.uuid5(NAMESPACE, f"tbl_api_keys:{src['id']}"))
    return None


def pcs_energy_points(src: dict[str, Any], out: dict[str, Any], _source: Source) -> str | None:
    missing = [c for c in ("today_charge_energy_point_id", "today_discharge_energy_point_id",
                           "total_charge_energy_point_id", "total_discharge_energy_point_id") if out.get(c) is None]
    return "no charge and discharge energy points (MyEMS v6.7.0 keeps none)" if missing else None


def zone_name(src: dict[str, Any], out: dict[str, Any], _source: Source) -> str | None:
    """MyEMS's time zones with its ids; the IANA name ours keeps beside each comes from our list."""
    tz_name = ZONES.get(str(src.get("name")))
    if tz_name is None:
        return "a time zone not in our list"
    out["tz_name"] = tz_name
    return None


ZONES = {name: tz_name for name, _, _, tz_name in reference.TIMEZONES}
SVG = {"svg_diagram_id": "svg_id"}
PARTS_CAPACITY = {"batteries": "rated_capacity", "evchargers": "rated_output_power",
                  "generators": "rated_output_power", "heatpumps": "rated_input_power", "loads": "rated_input_power",
                  "photovoltaics": "rated_power", "power_conversion_systems": "rated_output_power"}
COLUMNS: dict[str, Mapping[str, str]] = {
    "tbl_svgs": {"svg": "source_code"},
    "tbl_logs": {"path": "resource_type"},
    "tbl_microgrids": {**SVG, "capacity": "rated_capacity"},
    **{f"tbl_microgrids_{part}": {"capacity": column} for part, column in PARTS_CAPACITY.items()},
    **{table: {**SVG, "capacity": "rated_capacity"} for table in (
        "tbl_energy_storage_power_stations", "tbl_photovoltaic_power_stations", "tbl_wind_farms")},
    **{table: SVG for table in ("tbl_equipments", "tbl_combined_equipments", "tbl_distribution_systems",
                                "tbl_virtual_power_plants")},
}
DERIVES: dict[str, tuple[Derive, tuple[str, ...]]] = {
    "tbl_users": (legacy_password, ("salt", "password")),
    "tbl_new_users": (legacy_password, ("salt", "password")),
    "tbl_energy_storage_containers_power_conversion_systems": (pcs_energy_points, ()),
    "tbl_timezones": (zone_name, ()),
    "tbl_api_keys": (api_key, ("token",)),
    **{table: (stable_uuid(table), ()) for table in ("tbl_points", "tbl_privileges", "tbl_working_calendars")},
}
FIXED: dict[str, Mapping[str, Any]] = {"tbl_logs": {"outcome": "imported"}}


def referenced(column: str, source: Source) -> tuple[str, str] | None:
    """The MyEMS table a ``<thing>_id`` column names (``space_id``: ``tbl_spaces``), if there is one."""
    if not column.endswith("_id"):
        return None
    thing = column[:-3]
    for table in (f"tbl_{thing}s", f"tbl_{thing[:-1]}ies", f"tbl_{thing}es"):
        for group in CONFIG_GROUPS:
            if (group, table) in source.columns:
                return group, table
    return None


def configuration(source: Source) -> list[Copy]:
    copies = []
    for group, table in sorted(source.columns):
        target = ALIASES.get(table, schema.metadata.tables.get(table))
        if group not in CONFIG_GROUPS or target is None or f"{group}.{table}" in NOT_CARRIED:
            continue
        derive, reads = DERIVES.get(table, (None, ()))
        checks = {c: found for c in source.columns[group, table] if (found := referenced(c, source))
                  and found != (group, table)}
        copies.append(Copy(group, table, target, columns=COLUMNS.get(table, {}), fixed=FIXED.get(table, {}),
                           derive=derive, reads=reads, checks=checks))
    return copies


def _item_category(src: dict[str, Any], out: dict[str, Any], source: Source) -> str | None:
    category = source.pairs("system", "tbl_energy_items", "id", "energy_category_id").get(src["energy_item_id"])
    if category is None:
        return "energy_item_id: no such row in tbl_energy_items"
    out["energy_category_id"] = category
    return None


def entity_hours(source: Source) -> list[Copy]:
    """MyEMS's per-entity hourly tables, energy first so that cost and carbon land on its rows."""
    eh = energy.entity_hourly
    copies = []
    for group, value in (("energy", "actual_value"), ("billing", "cost"), ("carbon", "carbon")):
        for g, table in sorted(source.columns):
            match = ENTITY.match(table)
            if g != group or not match:
                continue
            kind, direction, dimension = match.groups()
            fixed: dict[str, Any] = {"entity_type": kind, "direction": direction}
            if dimension == "category":
                fixed["energy_item_id"] = 0
            if value != "actual_value":
                fixed["actual_value"] = 0.0  # only where MyEMS has a cost with no energy row
            columns = {"entity_id": f"{kind}_id", **({value: "actual_value"} if value != "actual_value" else {})}
            item = dimension == "item"
            copies.append(Copy(
                group, table, eh, stream=True, columns=columns, fixed=fixed,
                derive=_item_category if item else None, checks={f"{kind}_id": ("system", f"tbl_{kind}s")},
                since="start_datetime_utc", total=value, scope=(eh.c.energy_item_id != 0,) if item else (),
                merge={"actual_value": kept} if value != "actual_value" else {}))
    return copies


def _file(kind: str, offset: int) -> Derive:
    """MyEMS keeps each kind of file in its own table; here they share ``tbl_files``, so ids but those of
    offline meter files move by a fixed offset per kind (the same on every run)."""
    def derive(src: dict[str, Any], out: dict[str, Any], source: Source) -> str | None:
        blob = bytes(src["file_object"])
        out.update(id=src["id"] + offset, kind=kind, size=len(blob), sha256=hashlib.sha256(blob).hexdigest(),
                   media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   status=str(src.get("status") or "done").lower()[:16])
        if kind == "knowledge":
            out["status"] = "done"
            out["user_id"] = source.pairs("user", "tbl_users", "uuid", "id").get(src.get("upload_user_uuid"))
        return None
    return derive


FILES = (("historical", "tbl_offline_meter_files", "offline_meter", 0),
         ("historical", "tbl_cost_files", "cost", 10**9),
         ("historical", "tbl_data_repair_files", "data_repair", 2 * 10**9),
         ("historical", "tbl_energy_plan_files", "energy_plan", 3 * 10**9),
         ("system", "tbl_knowledge_files", "knowledge", 4 * 10**9))


def time_series(source: Source) -> list[Copy]:
    points = {"point_id": ("system", "tbl_points")}
    copies = [Copy("historical", t.name, t, stream=True, checks=points, since="utc_date_time")
              for t in historical.TRENDS.values()]
    copies += [Copy("historical", f"{t.name}_latest", historical.latest_values, stream=True, checks=points,
                    newer_only="utc_date_time") for t in historical.TRENDS.values()]
    for table, kind in (("tbl_meter_hourly", "meter"), ("tbl_offline_meter_hourly", "offline_meter"),
                        ("tbl_virtual_meter_hourly", "virtual_meter")):
        copies.append(Copy("energy", table, energy.meter_hourly, stream=True, columns={"meter_id": f"{kind}_id"},
                           fixed={"meter_type": kind, "flags": 0}, checks={f"{kind}_id": ("system", f"tbl_{kind}s")},
                           since="start_datetime_utc", total="actual_value"))
    copies += entity_hours(source)
    copies.append(Copy("production", "tbl_space_hourly", energy.space_production_hourly, stream=True,
                       checks={"space_id": ("system", "tbl_spaces"), "product_id": ("production", "tbl_products")},
                       since="start_datetime_utc", total="product_count"))
    copies += [Copy(group, table, file_tables.files, stream=True, derive=_file(kind, offset),
                    reads=("file_object", "status", *(("upload_user_uuid",) if kind == "knowledge" else ())))
               for group, table, kind, offset in FILES]
    return [c for c in copies if (c.group, c.table) in source.columns]


def build_plan(source: Source, groups: tuple[str, ...]) -> tuple[list[Copy], dict[str, str]]:
    """The copies to run, in order, and every other source table with why it is not carried."""
    copies = [c for c in configuration(source) + time_series(source) if c.group in groups]
    planned = {c.name for c in copies}
    left: dict[str, str] = {}
    for group, table in sorted(source.columns):
        name = f"{group}.{table}"
        if group not in groups or name in planned:
            continue
        left[name] = NOT_CARRIED.get(name) or (ASSETS_REASON if ASSETS.match(table) and group in (
            "energy", "billing", "carbon") else "no counterpart here")
    return copies, left
