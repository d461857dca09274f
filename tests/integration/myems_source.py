"""A MyEMS v6.7.0 installation for the import tests: its databases created from the schema file (not
hand-copied DDL) and filled from one of our sites, row for row, the way MyEMS keeps each thing (salted SHA-512
passwords, ``svg_id``, ``rated_capacity``, per-entity hourly tables in three databases...)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from myems_api.db import energy, historical, schema
from myems_api.db.engines import Databases
from myems_api.importer.plan import ALIASES, COLUMNS, CONFIG_GROUPS, NAMESPACE

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "myems-v6.7-schema.txt"
LINE = re.compile(r"^(\w+)\.(\w+): (.*); key \((\w+)\)$")
GROUP = re.compile(r"^myems_(\w+?)_db$")
OURS_ONLY = ("tbl_tariffs_blocks", "tbl_energy_storage_containers_sensors", "tbl_api_keys")  # v6.7.0 has no table
READ = ("system", "user", "historical", "energy", "billing", "carbon", "fdd", "reporting", "production")


def _type(text: str) -> Any:
    name, _, args = text.partition("(")
    sizes = [int(a) for a in args.rstrip(")").split(",")] if args else []
    return {"BIGINT": sa.BigInteger(), "INT": sa.Integer(), "BOOL": sa.Boolean(), "DATETIME": sa.DateTime(),
            "DATE": sa.Date(), "TIME": sa.Time(), "TEXT": sa.Text(), "LONGTEXT": mysql.LONGTEXT(),
            "LONGBLOB": mysql.LONGBLOB(), "DECIMAL": sa.Numeric(*sizes, asdecimal=False),
            "VARCHAR": sa.String(*sizes), "CHAR": sa.String(*sizes)}[name]


def myems_tables(prefix: str) -> dict[tuple[str, str], sa.Table]:
    """(group, table) -> the table as MyEMS v6.7.0 declares it, in ``<prefix><group>_db``."""
    metadata = sa.MetaData()
    found = {}
    for line in SCHEMA.read_text().splitlines():
        database, table, columns, key = LINE.match(line).groups()  # type: ignore[union-attr]
        group = GROUP.match(database).group(1)  # type: ignore[union-attr]
        if group not in READ:
            continue
        cols = []
        for spec in columns.split(", "):
            name, kind, *rest = spec.split()
            cols.append(sa.Column(name, _type(kind), nullable="NOT" not in rest, primary_key=name == key,
                                  autoincrement=name == key))
        found[group, table] = sa.Table(table, metadata, *cols, schema=f"{prefix}{group}_db",
                                       mysql_engine="InnoDB", mysql_charset="utf8mb4")
    return found


def create_source(server: sa.Engine, prefix: str) -> dict[tuple[str, str], sa.Table]:
    tables = myems_tables(prefix)
    with server.begin() as conn:
        for group in READ:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{prefix}{group}_db`")
            conn.exec_driver_sql(f"CREATE DATABASE `{prefix}{group}_db` CHARACTER SET utf8mb4")
    for table in tables.values():
        table.create(server)
    return tables


def myems_password(password: str, salt: str) -> str:
    return hashlib.sha512(salt.encode() + password.encode()).hexdigest()


def _filler(column: sa.Column[Any]) -> Any:
    """A NOT NULL value MyEMS needs where our row has none."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime(2020, 1, 1)
    if isinstance(kind, sa.String | sa.Text):
        return ""
    if isinstance(kind, sa.LargeBinary):
        return b""
    return 0


def _myems_row(table: sa.Table, ours: dict[str, Any], renamed: dict[str, str], nullable: set[str],
               fixes: dict[str, Any]) -> dict[str, Any]:
    """The row as MyEMS keeps it; where MyEMS requires a value ours lacks, ``fixes`` gets it for our row too
    (the site then is what a MyEMS installation could hold)."""
    row = {}
    for column in table.columns:
        name = column.name if column.name in ours else renamed.get(column.name, "")
        value = ours.get(name)
        if value is None and not column.nullable:
            value = _filler(column)
            if name in ours and not name.endswith("_id"):
                fixes[name] = value
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            value = fixes[name] = value[:length]  # our gateway tokens are longer than MyEMS's uuids
        row[column.name] = value
    kept = {c.name for c in table.columns} | set(renamed.values())
    fixes.update({name: None for name, value in ours.items() if name not in kept and value is not None
                  and name in nullable})  # ours only (an inline SVG, a postal code v6.7.0 dropped)
    return row


def _rows(engine: sa.Engine, table: sa.Table, *where: Any) -> Iterator[dict[str, Any]]:
    with engine.connect() as conn:
        yield from (dict(r) for r in conn.execute(sa.select(table).where(*where)).mappings())


def fill_from(site: Databases, server: sa.Engine, tables: dict[tuple[str, str], sa.Table],
              passwords: dict[str, str]) -> None:
    """Our site's rows written the way MyEMS keeps them; users get MyEMS hashes of ``passwords`` by name."""
    with server.begin() as conn:
        for (group, name), table in tables.items():
            ours = ALIASES.get(name, schema.metadata.tables.get(name))
            if group not in CONFIG_GROUPS or ours is None or name in ("tbl_sessions", "tbl_email_messages"):
                continue
            renamed = {source: target for target, source in COLUMNS.get(name, {}).items()}
            rows = []
            for row in list(_rows(site.system, ours)):
                fixes: dict[str, Any] = {}
                rows.append(_myems_row(table, row, renamed, {c.name for c in ours.columns if c.nullable}, fixes))
                if fixes and "id" in row:
                    with site.system.begin() as fix:
                        fix.execute(sa.update(ours).where(ours.c.id == row["id"]).values(**fixes))
            for row in rows:
                if name in ("tbl_users", "tbl_new_users"):
                    row["salt"] = f"salt-{row['id']}"
                    row["password"] = myems_password(passwords.get(row["name"], "Unknown-1"), row["salt"])
            if rows:
                conn.execute(table.insert(), rows)
        _fill_series(site, conn, tables)
    with site.system.begin() as fix:  # MyEMS gives these no uuid: the site takes the ones the import derives
        for name in OURS_ONLY:
            fix.execute(sa.delete(schema.metadata.tables[name]))
        for name in ("tbl_points", "tbl_privileges", "tbl_working_calendars"):
            table = schema.metadata.tables[name]
            for (row_id,) in fix.execute(sa.select(table.c.id)).all():
                fix.execute(sa.update(table).where(table.c.id == row_id).values(
                    uuid=str(uuid.uuid5(NAMESPACE, f"{name}:{row_id}"))))


def _fill_series(site: Databases, conn: sa.Connection, tables: dict[tuple[str, str], sa.Table]) -> None:
    store = site.engines["historical"]
    for trend in historical.TRENDS.values():
        rows = [{"point_id": r["point_id"], "utc_date_time": r["utc_date_time"], "actual_value": r["actual_value"],
                 "is_bad": r["is_bad"], "is_published": True} for r in _rows(store, trend)]
        if rows:
            conn.execute(tables["historical", trend.name].insert(), rows)
    p, latest = schema.points, historical.latest_values
    kinds = {r["id"]: r["object_type"] for r in _rows(site.system, p)}
    for kind, trend in historical.TRENDS.items():
        rows = [{"point_id": r["point_id"], "utc_date_time": r["utc_date_time"], "actual_value": r["actual_value"]}
                for r in _rows(store, latest) if kinds.get(r["point_id"]) == kind and r["actual_value"] is not None]
        if rows:
            conn.execute(tables["historical", f"{trend.name}_latest"].insert(), rows)
    mh = energy.meter_hourly
    for kind in ("meter", "offline_meter", "virtual_meter"):
        rows = [{f"{kind}_id": r["meter_id"], "start_datetime_utc": r["start_datetime_utc"],
                 "actual_value": r["actual_value"]} for r in _rows(site.engines["energy"], mh, mh.c.meter_type == kind)]
        if rows:
            conn.execute(tables["energy", f"tbl_{kind}_hourly"].insert(), rows)
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in _rows(site.engines["energy"], energy.entity_hourly):
        dimension = "item" if r["energy_item_id"] else "category"
        name = f"tbl_{r['entity_type']}_{r['direction']}_{dimension}_hourly"
        key = {f"{r['entity_type']}_id": r["entity_id"], "start_datetime_utc": r["start_datetime_utc"],
               **({"energy_item_id": r["energy_item_id"]} if r["energy_item_id"] else
                  {"energy_category_id": r["energy_category_id"]})}
        for group, value in (("energy", "actual_value"), ("billing", "cost"), ("carbon", "carbon")):
            if (group, name) in tables and r[value] is not None:
                by_table.setdefault((group, name), []).append({**key, "actual_value": r[value]})
    for found, rows in by_table.items():
        conn.execute(tables[found].insert(), rows)
    production = [{k: r[k] for k in ("space_id", "product_id", "start_datetime_utc", "product_count")}
                  for r in _rows(site.engines["energy"], energy.space_production_hourly)]
    if production:
        conn.execute(tables["production", "tbl_space_hourly"].insert(), production)
