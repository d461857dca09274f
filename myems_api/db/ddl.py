"""MySQL DDL rendered from the metadata: what ``sql/mysql/schema.sql`` holds for DBAs."""

from __future__ import annotations

from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateIndex, CreateTable

from myems_api.db import energy, historical, schema

HEADER = "-- Generated from myems_api/db/schema.py by `myems db ddl`; do not edit by hand.\n\n"


def mysql_ddl() -> str:
    """The system store's tables, then the historical and energy stores' (which may live elsewhere)."""
    dialect = mysql.dialect()
    parts = [HEADER]
    sections = [("", schema.metadata),
                ("-- The historical store (MYEMS_HISTORICAL_DB_URL): trend values and latest values.\n\n",
                 historical.metadata),
                ("-- The energy store (MYEMS_ENERGY_DB_URL): hourly energy per meter and entity.\n\n",
                 energy.metadata)]
    for header, metadata in sections:
        parts.append(header)
        for table in metadata.sorted_tables:
            parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n\n")
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n\n")
    return "".join(parts).rstrip() + "\n"
