"""MySQL DDL rendered from the metadata: what ``sql/mysql/schema.sql`` holds for DBAs."""

from __future__ import annotations

from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateIndex, CreateTable

from myems_api.db import historical, schema

HEADER = "-- Generated from myems_api/db/schema.py by `myems db ddl`; do not edit by hand.\n\n"


def mysql_ddl() -> str:
    """The system store's tables, then the historical store's (which may live on another server)."""
    dialect = mysql.dialect()
    parts = [HEADER]
    tables = schema.metadata.sorted_tables + [None] + historical.metadata.sorted_tables
    for table in tables:
        if table is None:
            parts.append("-- The historical store (MYEMS_HISTORICAL_DB_URL): trend values and latest values.\n\n")
            continue
        parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n\n")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n\n")
    return "".join(parts).rstrip() + "\n"
