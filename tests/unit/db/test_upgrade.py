"""``myems db upgrade`` brings an older database to the schema without losing a row."""

from __future__ import annotations

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
