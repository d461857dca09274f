"""MyEMS's databases, read-only: the column catalogue, id sets for reference checks, and key-ordered batches.

One MySQL server holds MyEMS's databases (``myems_system_db``, ``myems_user_db``...); the URL names the server,
not a database. The session is read-only and autocommits, so each batch sees the newest rows and no snapshot
is held open on a live installation. Batches follow the primary key (``WHERE id > last ORDER BY id LIMIT n``):
no OFFSET, so the thousandth batch costs what the first did, and memory holds one batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import mysql.connector
from sqlalchemy.engine import make_url

GROUPS = ("system", "user", "historical", "energy", "billing", "carbon", "fdd", "reporting", "production")
NAME = re.compile(r"^\w+$")


class SourceError(Exception):
    """The source cannot be read as MyEMS: a bad URL, no MyEMS database on the server."""


def database_names(prefix: str = "myems_", overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """MyEMS's default database names (``myems_<group>_db``), with a prefix or single names changed."""
    names = {group: f"{prefix}{group}_db" for group in GROUPS}
    for group, name in (overrides or {}).items():
        if group not in names or not NAME.match(name):
            raise SourceError(f"unknown database group or bad name: {group}={name}")
        names[group] = name
    return names


class Source:
    def __init__(self, url: str, names: Mapping[str, str]) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "mysql":
            raise SourceError("the MyEMS source must be a mysql+mysqlconnector:// URL")
        if parsed.database:
            raise SourceError("the source URL names the server only, without a database: the database names "
                              "are MyEMS's (--database GROUP=NAME changes one)")
        self.names = dict(names)
        try:
            self.connection = mysql.connector.connect(
                host=parsed.host or "127.0.0.1", port=parsed.port or 3306, user=parsed.username,
                password=parsed.password or "", charset="utf8mb4", autocommit=True)
        except mysql.connector.Error as exc:
            raise SourceError(f"cannot connect to the source: {exc.msg}") from exc
        self._execute("SET SESSION TRANSACTION READ ONLY")
        self.columns = self._catalogue()
        self._ids: dict[tuple[str, str, bool], set[Any]] = {}
        self._pairs: dict[tuple[str, str, str, str], dict[Any, Any]] = {}

    def close(self) -> None:
        self.connection.close()

    def _execute(self, sql: str, params: Sequence[Any] = (), raw: bool = False) -> list[tuple[Any, ...]]:
        cursor: Any = self.connection.cursor(raw=raw)
        try:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall()) if cursor.with_rows else []
        finally:
            cursor.close()

    def _catalogue(self) -> dict[tuple[str, str], list[str]]:
        """(group, table) -> its columns in order, for every table of the databases that exist."""
        by_name = {name: group for group, name in self.names.items()}
        marks = ", ".join(["%s"] * len(by_name))
        rows = self._execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                             f"WHERE table_schema IN ({marks}) ORDER BY table_schema, table_name, ordinal_position",
                             list(by_name))
        found: dict[tuple[str, str], list[str]] = {}
        for schema_name, table, column in rows:
            found.setdefault((by_name[str(schema_name)], str(table)), []).append(str(column))
        if not found:
            raise SourceError("no MyEMS database found on the source server: " + ", ".join(by_name))
        return found

    def qualified(self, group: str, table: str) -> str:
        name = self.names[group]
        if not (NAME.match(name) and NAME.match(table)):
            raise SourceError(f"bad table name {name}.{table}")
        return f"`{name}`.`{table}`"

    def ids(self, group: str, table: str, raw: bool = False) -> set[Any]:
        """Every id of a table (as bytes when ``raw``): what a reference in another table must name."""
        key = (group, table, raw)
        if key not in self._ids:
            found = set()
            if (group, table) in self.columns:
                found = {r[0] for r in self._execute(f"SELECT id FROM {self.qualified(group, table)}", raw=raw)}
            self._ids[key] = found
        return self._ids[key]

    def pairs(self, group: str, table: str, key: str, value: str) -> dict[Any, Any]:
        """``key`` -> ``value`` over a whole (small) table, e.g. energy item -> its category."""
        cache = (group, table, key, value)
        if cache not in self._pairs:
            rows = [] if (group, table) not in self.columns else self._execute(
                f"SELECT `{key}`, `{value}` FROM {self.qualified(group, table)}")
            self._pairs[cache] = dict(rows)
        return self._pairs[cache]

    def batches(self, group: str, table: str, select: Sequence[tuple[str, Any]], after: int, size: int,
                since: tuple[str, datetime] | None = None, raw: bool = False) -> Iterator[list[tuple[Any, ...]]]:
        """Rows after id ``after`` in key order, ``size`` at a time: ``id`` first, then each column of ``select``
        (a column with a fallback value reads as that value where it is NULL)."""
        expressions, params = ["`id`"], []
        for column, fallback in select:
            if fallback is None:
                expressions.append(f"`{column}`")
            else:
                expressions.append(f"COALESCE(`{column}`, %s)")
                params.append(fallback)
        where = "`id` > %s" + (f" AND `{since[0]}` >= %s" if since else "")
        sql = (f"SELECT {', '.join(expressions)} FROM {self.qualified(group, table)} WHERE {where} "
               f"ORDER BY `id` LIMIT {int(size)}")
        last = after
        while True:
            rows = self._execute(sql, [*params, last, *([since[1]] if since else [])], raw=raw)
            if not rows:
                return
            yield rows
            last = int(rows[-1][0])
            if len(rows) < size:
                return

    def totals(self, group: str, table: str, since: tuple[str, datetime] | None,
               column: str = "actual_value") -> tuple[int, float]:
        """Rows and the sum of ``column`` (from ``since``): what the target must hold after the import."""
        if not NAME.match(column):
            raise SourceError(f"bad column name {column}")
        where, params = ("", []) if since is None else (f" WHERE `{since[0]}` >= %s", [since[1]])
        count, total = self._execute(f"SELECT COUNT(*), COALESCE(SUM(`{column}`), 0) FROM "
                                     f"{self.qualified(group, table)}{where}", params)[0]
        return int(count), float(total)

    def count(self, group: str, table: str, after: int, since: tuple[str, datetime] | None) -> int:
        where = "`id` > %s"
        params: list[Any] = [after]
        if since:
            where += f" AND `{since[0]}` >= %s"
            params.append(since[1])
        return int(self._execute(f"SELECT COUNT(*) FROM {self.qualified(group, table)} WHERE {where}", params)[0][0])
