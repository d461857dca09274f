"""``myems db init``: create the schema and seed reference data and the administrator; safe to repeat."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.auth import Passwords
from myems_api.db import energy, historical, reference, schema
from myems_api.db.engines import Databases

ADMIN_NAME = "administrator"
FAR_FUTURE = datetime(2100, 1, 1)


@dataclass(frozen=True)
class InitResult:
    created_tables: list[str]
    admin_created: bool
    admin_password: str | None  # only when generated here: shown once, never stored in clear


def stores(databases: Databases) -> tuple[tuple[sa.Engine, sa.MetaData], ...]:
    """Each store's engine with the tables it holds."""
    return ((databases.system, schema.metadata), (databases.engines["historical"], historical.metadata),
            (databases.engines["energy"], energy.metadata))


def create_schema(databases: Databases) -> list[str]:
    """Each store's tables in its own database (stores sharing a URL share one); answers what was created."""
    created: list[str] = []
    for engine, metadata in stores(databases):
        existing = set(sa.inspect(engine).get_table_names())
        metadata.create_all(engine, checkfirst=True)
        created.extend(set(metadata.tables) - existing)
    return sorted(created)


def _seed_missing(conn: Connection, table: sa.Table, key: str, rows: list[dict[str, object]]) -> None:
    present = set(conn.execute(sa.select(table.c[key])).scalars())
    missing = [row for row in rows if row[key] not in present]
    if missing:
        conn.execute(sa.insert(table), missing)


def seed_reference(conn: Connection) -> None:
    _seed_missing(conn, schema.timezones, "name", [
        {"name": n, "description": d, "utc_offset": o, "tz_name": z} for n, d, o, z in reference.TIMEZONES])
    _seed_missing(conn, schema.protocols, "code", [{"name": n, "code": c} for n, c in reference.PROTOCOLS])
    for name, route, parent in reference.MENUS:
        if conn.execute(sa.select(schema.menus.c.id).where(schema.menus.c.route == route)).first():
            continue
        parent_id = None
        if parent:
            parent_id = conn.execute(sa.select(schema.menus.c.id).where(schema.menus.c.route == parent)).scalar()
        conn.execute(sa.insert(schema.menus).values(name=name, route=route, parent_menu_id=parent_id,
                                                    is_hidden=False))


def ensure_admin(conn: Connection, passwords: Passwords, password: str = "") -> tuple[bool, str | None]:
    """Create ``administrator`` if missing; the password is given or generated (and then returned once)."""
    users = schema.users
    if conn.execute(sa.select(users.c.id).where(users.c.name == ADMIN_NAME)).first():
        return False, None
    generated = None if password else secrets.token_urlsafe(12)
    conn.execute(sa.insert(users).values(
        name=ADMIN_NAME, uuid=str(uuid.uuid4()), display_name="Administrator", email="administrator@myems.local",
        password_hash=passwords.hash(password or generated or ""), is_admin=True, is_read_only=False,
        privilege_id=None, account_expiration_datetime_utc=FAR_FUTURE,
        password_expiration_datetime_utc=FAR_FUTURE, failed_login_count=0))
    return True, generated


ROOT_SPACE_NAME, DEFAULT_GATEWAY_NAME = "Headquarters", "Default Gateway"


def ensure_myems_defaults(conn: Connection, utc_offset: str = "+00:00") -> None:
    """What MyEMS's install creates and its clients assume: the root space with id 1 (the admin UI and the
    Postman collection select it) in the configured offset's time zone, and a gateway for the first data
    sources. Only into an empty table: a database already holding spaces or gateways keeps its own."""
    spaces, gateways, zones = schema.spaces, schema.gateways, schema.timezones
    if conn.execute(sa.select(spaces.c.id).limit(1)).first() is None:
        zone = conn.execute(sa.select(zones.c.id).where(zones.c.utc_offset == utc_offset).order_by(zones.c.id)
                            .limit(1)).scalar()
        zone = zone or conn.execute(sa.select(zones.c.id).where(zones.c.name == "UTC")).scalar()
        conn.execute(sa.insert(spaces).values(
            id=1, name=ROOT_SPACE_NAME, uuid=str(uuid.uuid4()), parent_space_id=None, area=0, timezone_id=zone,
            is_input_counted=True, is_output_counted=True, description="The root of the space tree"))
    if conn.execute(sa.select(gateways.c.id).limit(1)).first() is None:
        conn.execute(sa.insert(gateways).values(id=1, name=DEFAULT_GATEWAY_NAME, uuid=str(uuid.uuid4()),
                                                token=secrets.token_hex(32), description=None))


def init_database(databases: Databases, passwords: Passwords, admin_password: str = "",
                  utc_offset: str = "+00:00", myems_defaults: bool = True) -> InitResult:
    """The schema, reference data, the administrator and (unless ``myems_defaults`` is off, as for tests that
    build their own space tree) MyEMS's root space and default gateway."""
    created = create_schema(databases)
    with databases.system.begin() as conn:
        seed_reference(conn)
        admin_created, generated = ensure_admin(conn, passwords, admin_password)
        if myems_defaults:
            ensure_myems_defaults(conn, utc_offset)
    return InitResult(created, admin_created, generated)
