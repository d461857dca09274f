"""Idempotent bulk upserts on both dialects: a row whose key exists is updated, never duplicated.

Time series (trend values, hourly energy) are written this way so that retries, redeliveries, spool
replays and backfills converge on one row per natural key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Connection

Merge = Callable[[sa.ColumnElement[Any], sa.ColumnElement[Any]], sa.ColumnElement[Any]]


def earliest(old: sa.ColumnElement[Any], new: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.case((new < old, new), else_=old)


def incremented(old: sa.ColumnElement[Any], new: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return old + sa.literal_column("1")  # no bound parameter: mysql-connector's executemany rewrite chokes


def upsert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], newer_only: str | None = None,
           merge: Mapping[str, Merge] | None = None) -> None:
    """Inserts ``rows``; on a primary key clash the non-key columns the rows carry take the new values (the
    others keep theirs: a cost row leaves the energy of its hour as it was).

    With ``newer_only`` (a column), an existing row is only replaced by a row whose value there is not
    older: a late reading never overwrites a point's latest value. ``merge`` combines the old and new
    value of some columns instead (:func:`earliest`, :func:`incremented`).
    """
    if not rows:
        return
    keys = {c.name for c in table.primary_key.columns}
    updated = [c.name for c in table.columns if c.name not in keys and c.name in rows[0]]  # others stay
    merge = merge or {}
    if conn.dialect.name == "mysql":
        stmt = mysql.insert(table)
        new = stmt.inserted
        changes: dict[str, sa.ColumnElement[Any]]
        if newer_only is None:
            changes = {name: merge[name](table.c[name], new[name]) if name in merge else new[name]
                       for name in updated}
        else:  # MySQL assigns left to right: compare against the old time before replacing it, last
            newer = new[newer_only] >= table.c[newer_only]
            changes = {name: sa.case((newer, new[name]), else_=table.c[name]) for name in updated
                       if name != newer_only}
            changes[newer_only] = sa.func.greatest(table.c[newer_only], new[newer_only])
        conn.execute(stmt.on_duplicate_key_update(changes), list(rows))
        return
    lite = sqlite.insert(table)
    excluded = lite.excluded
    where = None if newer_only is None else excluded[newer_only] >= table.c[newer_only]
    changes = {name: merge[name](table.c[name], excluded[name]) if name in merge else excluded[name]
               for name in updated}
    conn.execute(lite.on_conflict_do_update(index_elements=sorted(keys), set_=changes, where=where), list(rows))
