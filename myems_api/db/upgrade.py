"""``myems db upgrade``: bring an existing database's tables up to the schema the code declares.

Tables the schema has and the database lacks are created; columns are added; DECIMAL and VARCHAR columns
narrower than declared are widened, and NOT NULL columns now optional made nullable, in place on
MySQL/MariaDB. SQLite keeps whatever number or text it is given, so there is nothing to widen; a column it
holds as NOT NULL that is now optional has its table rebuilt (made anew, rows copied over).
Nothing is ever dropped or narrowed: an upgrade keeps every stored value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import energy
from myems_api.db.engines import Databases
from myems_api.db.entity_days import fill_daily
from myems_api.db.setup import stores


def _narrower(stored: Any, declared: sa.types.TypeEngine[Any]) -> bool:
    """The stored type holds less than the declared one: fewer integer digits or decimals, or a shorter text."""
    if isinstance(declared, sa.Numeric) and isinstance(stored, sa.Numeric) and declared.precision:
        stored_scale, declared_scale = stored.scale or 0, declared.scale or 0
        integer_digits = (stored.precision or 0) - stored_scale
        return stored_scale < declared_scale or integer_digits < declared.precision - declared_scale
    if isinstance(declared, sa.String) and isinstance(stored, sa.String) and declared.length and stored.length:
        return stored.length < declared.length
    return False


def _column_ddl(conn: Connection, column: sa.Column[Any]) -> str:
    return str(sa.schema.CreateColumn(column).compile(dialect=conn.dialect)).strip()


def upgrade_table(conn: Connection, table: sa.Table) -> list[str]:
    """The ALTER statements one table needs, executed; answers them as text (for the log)."""
    stored = {c["name"]: c for c in sa.inspect(conn).get_columns(table.name)}
    preparer = conn.dialect.identifier_preparer
    done: list[str] = []
    for column in table.columns:
        if column.name not in stored:
            if not column.nullable and column.server_default is None and conn.dialect.name == "sqlite":
                raise RuntimeError(f"{table.name}.{column.name}: a NOT NULL column needs a default to be added")
            done.append(f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN {_column_ddl(conn, column)}")
        elif conn.dialect.name != "sqlite" and (_narrower(stored[column.name]["type"], column.type)
                                                 or (column.nullable and not stored[column.name]["nullable"])):
            done.append(f"ALTER TABLE {preparer.quote(table.name)} MODIFY COLUMN {_column_ddl(conn, column)}")
    for statement in done:
        conn.exec_driver_sql(statement)
    if conn.dialect.name == "sqlite" and any(c.nullable and not stored[c.name]["nullable"]
                                             for c in table.columns if c.name in stored):
        done.append(_rebuild_sqlite(conn, table))
    return done


def _rebuild_sqlite(conn: Connection, table: sa.Table) -> str:
    """SQLite cannot alter a column: the table is made anew under its name and the rows copied over."""
    q = conn.dialect.identifier_preparer.quote
    old = f"{table.name}_before_upgrade"
    conn.exec_driver_sql(f"ALTER TABLE {q(table.name)} RENAME TO {q(old)}")
    for (index,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                         "AND sql IS NOT NULL", (old,)).all():
        conn.exec_driver_sql(f"DROP INDEX {q(index)}")  # its name is the new table's to take
    table.create(conn)
    columns = ", ".join(q(c.name) for c in table.columns)
    conn.exec_driver_sql(f"INSERT INTO {q(table.name)} ({columns}) SELECT {columns} FROM {q(old)}")
    conn.exec_driver_sql(f"DROP TABLE {q(old)}")
    return f"REBUILD TABLE {table.name}"


def upgrade_schema(databases: Databases) -> list[str]:
    """Every store's tables created or altered to match the schema; answers what was done."""
    done: list[str] = []
    for engine, metadata in stores(databases):
        existing = set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                if table.name in existing:
                    done.extend(upgrade_table(conn, table))
                else:
                    table.create(conn)
                    done.append(f"CREATE TABLE {table.name}")
                    if table is energy.entity_daily:
                        fill_daily(conn)
                        done.append(f"FILL {table.name} FROM {energy.entity_hourly.name}")
    return done
