"""MySQL DDL rendered from the metadata: what ``sql/mysql/schema.sql`` holds for DBAs."""

from __future__ import annotations

from sqlalchemy.dialects import mysql
from sqlalchemy.schema import CreateIndex, CreateTable

from myems_api.db import schema

HEADER = "-- Generated from myems_api/db/schema.py by `myems db ddl`; do not edit by hand.\n\n"


def mysql_ddl() -> str:
    dialect = mysql.dialect()
    parts = [HEADER]
    for table in schema.metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n\n")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n\n")
    return "".join(parts).rstrip() + "\n"
