"""``myems db upgrade`` brings an older database to the schema without losing a row."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from myems_api.auth import Passwords
from myems_api.db import energy, schema
from myems_api.db.engines import Databases
from myems_api.db.setup import init_database
from myems_api.db.upgrade import upgrade_schema
from tests.conftest import FAST_SCRYPT_N


def _columns(engine: sa.Engine, table: str) -> dict[str, sa.types.TypeEngine]:
    return {c["name"]: c["type"] for c in sa.inspect(engine).get_columns(table)}


def test_an_older_database_gains_the_missing_column_and_keeps_its_rows(empty_db_url):
    databases = Databases({"system": empty_db_url, "historical": empty_db_url, "energy": empty_db_url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1")
    engine = databases.system
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE tbl_users DROP COLUMN phone")
    assert "phone" not in _columns(engine, "tbl_users")

    done = upgrade_schema(databases)

    assert any("tbl_users" in statement and "phone" in statement for statement in done), done
    assert "phone" in _columns(engine, "tbl_users")
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.users.c.name)).scalars().all() == ["administrator"]
    assert upgrade_schema(databases) == []  # a second run has nothing left to do
    databases.dispose()


def test_narrow_decimal_columns_are_widened_to_myems_precision(empty_db_url):
    databases = Databases({"system": empty_db_url, "historical": empty_db_url, "energy": empty_db_url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1")
    engine = databases.system
    if engine.dialect.name == "sqlite":  # SQLite keeps whatever it is given: there is nothing to widen
        assert upgrade_schema(databases) == []
        return
    table = energy.meter_hourly.name
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE tbl_points MODIFY COLUMN high_limit DECIMAL(18, 6) NOT NULL")
        conn.exec_driver_sql(f"ALTER TABLE {table} MODIFY COLUMN actual_value DECIMAL(18, 3) NOT NULL")

    done = upgrade_schema(databases)

    assert len([s for s in done if "MODIFY" in s]) == 2, done
    high_limit = _columns(engine, "tbl_points")["high_limit"]
    actual = _columns(engine, table)["actual_value"]
    assert (high_limit.precision, high_limit.scale) == (21, 6)
    assert (actual.precision, actual.scale) == (21, 6)
    databases.dispose()


def test_a_new_daily_table_is_filled_from_the_stored_hours(empty_db_url):
    databases = Databases({"system": empty_db_url, "historical": empty_db_url, "energy": empty_db_url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1")
    engine = databases.engines["energy"]
    hours = [datetime(2026, 1, 1, 22) + timedelta(hours=h) for h in range(4)]  # two UTC days
    with engine.begin() as conn:
        conn.execute(sa.insert(energy.entity_hourly), [
            {"entity_type": "tenant", "entity_id": 7, "direction": "input", "energy_item_id": 0,
             "energy_category_id": 1, "start_datetime_utc": h, "actual_value": 1.0 + n, "cost": 0.5, "carbon": None}
            for n, h in enumerate(hours)])
        conn.execute(sa.text("DROP TABLE tbl_entity_daily"))

    assert "FILL tbl_entity_daily FROM tbl_entity_hourly" in upgrade_schema(databases)

    d = energy.entity_daily
    with engine.connect() as conn:
        rows = conn.execute(sa.select(d.c.utc_date, d.c.actual_value, d.c.maximum, d.c.cost, d.c.carbon)
                            .order_by(d.c.utc_date)).all()
    assert [tuple(r) for r in rows] == [(date(2026, 1, 1), 3.0, 2.0, 1.0, None),
                                        (date(2026, 1, 2), 7.0, 4.0, 1.0, None)]
    databases.dispose()
