"""One declared copy (:class:`~myems_api.importer.plan.Copy`), run: read, check, map, write, count.

Configuration tables are replaced whole in one transaction: the source's rows win over our defaults (the
administrator, the root space), and a failure leaves the table as it was. Time series go batch by batch, each
batch an idempotent upsert followed by its checkpoint, so a killed run resumes with no duplicates and memory
holds one batch. On MySQL targets that allow it, time series that need no derivation go through ``LOAD DATA
LOCAL INFILE ... REPLACE`` straight from the source's text (three times the rows per second of an upsert).

A row is skipped, with its reason counted, when a reference names no row of the source, when a derivation
refuses it, or when it repeats a value the target keeps unique; nothing is ever half-linked.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import mysql.connector
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from aggregation.progress import Progress
from myems_api.db import energy, historical
from myems_api.db.engines import Databases, fold_case
from myems_api.db.import_tables import import_checkpoints
from myems_api.db.upsert import upsert
from myems_api.importer.plan import Copy
from myems_api.importer.source import Source

log = logging.getLogger("myems.importer")
BATCH = 20_000
BLOB_BATCH = 10  # rows holding files: a few megabytes each


class ImportFailure(Exception):
    """A write the target refused (a bulk load that warned): the import stops, the batch is not committed."""


@dataclass
class TableReport:
    source: str
    target: str
    read: int = 0
    written: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    cleared: Counter[str] = field(default_factory=Counter)  # optional references to missing rows, set NULL
    after: int = 0                      # resumed after this source id
    skipped_total: float = 0.0          # actual_value of the skipped rows, over every run
    source_sum: float | None = None     # filled by the verification
    target_sum: float | None = None
    seconds: float = 0.0

    @property
    def skips(self) -> int:
        return sum(self.skipped.values())

    @property
    def sums_match(self) -> bool | None:
        if self.source_sum is None or self.target_sum is None:
            return None
        expected = self.source_sum - self.skipped_total
        return abs(expected - self.target_sum) <= 1e-6 * max(1.0, abs(expected))


def store_of(table: sa.Table) -> str:
    return {id(energy.metadata): "energy", id(historical.metadata): "historical"}.get(id(table.metadata), "system")


def _fallback(column: sa.Column[Any]) -> Any:
    """What a NULL of the source becomes in a NOT NULL column of ours that has a default."""
    default = column.default
    if column.nullable or default is None or not getattr(default, "is_scalar", False):
        return None
    return default.arg  # type: ignore[attr-defined]


@dataclass
class Shape:
    """How one copy's source rows read and map: which source columns, where each lands, what is checked."""

    pairs: list[tuple[str, str]]            # (source column, target column), first in the select
    select: list[tuple[str, Any]]           # (source column, NULL fallback)
    checks: list[tuple[int, str, tuple[str, str], str | None]]  # (row position, column, table it names,
    # the target column it fills where that one may be NULL: a dangling reference there is cleared, not skipped)
    value_at: int | None                    # row position of the value summed for the verification
    keeps_id: bool
    unique: list[tuple[str, ...]]

    @classmethod
    def of(cls, copy: Copy, source: Source) -> Shape:
        available = source.columns[copy.group, copy.table]
        pairs = [(copy.columns.get(c.name, c.name), c.name) for c in copy.target.columns
                 if c.name != "id" and c.name not in copy.fixed and copy.columns.get(c.name, c.name) in available]
        select = [(s, _fallback(copy.target.c[t])) for s, t in pairs]
        for extra in (*copy.reads, *copy.checks):
            if extra in available and extra not in [s for s, _ in select]:
                select.append((extra, None))
        names = ["id", *(s for s, _ in select)]
        optional = {s: t for s, t in pairs if copy.target.c[t].nullable}
        checks = [(names.index(c), c, table, optional.get(c)) for c, table in copy.checks.items() if c in names]
        value_at = names.index(copy.source_total) if copy.source_total in names else None
        unique = [tuple(c.name for c in u.columns) for u in copy.target.constraints
                  if isinstance(u, sa.UniqueConstraint)] + [(c.name,) for c in copy.target.columns if c.unique]
        return cls(pairs, select, checks, value_at, "id" in copy.target.c and "id" not in copy.fixed, unique)


class BulkLoader:
    """``LOAD DATA LOCAL INFILE``, confined to its own temporary folder, on one MySQL target."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.folder = tempfile.mkdtemp(prefix="myems-import-")
        self.connection = mysql.connector.connect(
            host=parsed.host or "127.0.0.1", port=parsed.port or 3306, user=parsed.username,
            password=parsed.password or "", database=parsed.database, charset="utf8mb4",
            allow_local_infile=True, allow_local_infile_in_path=self.folder)

    @classmethod
    def open(cls, url: str) -> BulkLoader | None:
        """A loader, or None where the target is not MySQL or refuses local files (``local_infile`` off)."""
        if make_url(url).get_backend_name() != "mysql":
            return None
        loader = cls(url)
        cursor: Any = loader.connection.cursor()
        cursor.execute("SELECT @@GLOBAL.local_infile")
        enabled = bool(int(cursor.fetchone()[0]))
        cursor.close()
        if not enabled:
            log.info("the target refuses LOAD DATA LOCAL INFILE (local_infile=OFF): time series are upserted")
            loader.close()
            return None
        return loader

    def close(self) -> None:
        self.connection.close()

    def load(self, table: sa.Table, columns: Sequence[str], fixed: Mapping[str, Any],
             rows: Sequence[Sequence[bytes | None]]) -> None:
        path = os.path.join(self.folder, "batch.tsv")
        with open(path, "wb") as out:
            out.write(b"\n".join(b"\t".join(b"\\N" if v is None else v for v in row) for row in rows) + b"\n")
        names = ", ".join(f"`{c}`" for c in columns)
        sets = ", ".join(f"`{c}` = %s" for c in fixed)
        sql = (f"LOAD DATA LOCAL INFILE %s REPLACE INTO TABLE `{table.name}` CHARACTER SET utf8mb4 "
               f"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' ({names})" + (f" SET {sets}" if sets else ""))
        cursor: Any = self.connection.cursor()
        try:
            cursor.execute(sql, (path, *fixed.values()))
            if cursor.warning_count:
                cursor.execute("SHOW WARNINGS LIMIT 3")
                warnings = cursor.fetchall()
                self.connection.rollback()
                raise ImportFailure(f"{table.name}: the target changed values while loading: {warnings}")
            self.connection.commit()
        finally:
            cursor.close()


class Copier:
    def __init__(self, source: Source, databases: Databases, dry_run: bool = False,
                 since: datetime | None = None, restart: bool = False, show_progress: bool = False) -> None:
        self.source, self.databases = source, databases
        self.dry_run, self.since, self.restart, self.show_progress = dry_run, since, restart, show_progress
        self.loaders: dict[str, BulkLoader | None] = {}

    def close(self) -> None:
        for loader in self.loaders.values():
            if loader is not None:
                loader.close()

    def run(self, copy: Copy) -> TableReport:
        shape = Shape.of(copy, self.source)
        report = TableReport(copy.name, copy.target.name)
        began = time.perf_counter()
        if copy.stream:
            self._stream(copy, shape, report)
        else:
            self._mirror(copy, shape, report)
        report.seconds = time.perf_counter() - began
        log.info("%s -> %s: %d read, %d written, %d skipped", copy.name, copy.target.name, report.read,
                 report.written, report.skips)
        return report

    # ------------------------------------------------------------------ reading and mapping
    def _batches(self, copy: Copy, shape: Shape, after: int, raw: bool) -> Any:
        blobs = any(isinstance(c.type, sa.LargeBinary) for c in copy.target.columns)
        since = (copy.since, self.since) if copy.since and self.since else None
        return self.source.batches(copy.group, copy.table, shape.select, after, BLOB_BATCH if blobs else BATCH,
                                   since, raw)

    def _rows(self, copy: Copy, shape: Shape, batch: list[tuple[Any, ...]], raw: bool, report: TableReport,
              seen: dict[tuple[str, ...], set[Any]]) -> list[Any]:
        report.read += len(batch)
        names = ["id", *(s for s, _ in shape.select)]
        rows: list[Any] = []
        for row in batch:
            reason, dangling = self._refused(shape, row, raw)
            out: dict[str, Any] = {}
            if reason is None and not raw:
                src = dict(zip(names, row, strict=True))
                out = {t: src[s] for s, t in shape.pairs}
                for column, text in dangling:
                    out[column] = None
                    report.cleared[text] += 1
                if shape.keeps_id:
                    out["id"] = src["id"]
                out.update(copy.fixed)
                reason = copy.derive(src, out, self.source) if copy.derive else None
                reason = reason or _repeats(shape.unique, out, seen)
            if reason is not None:
                report.skipped[reason] += 1
                if shape.value_at is not None and row[shape.value_at] is not None:
                    report.skipped_total += float(row[shape.value_at])
                continue
            rows.append(row[1:1 + len(shape.pairs)] if raw else out)
        return rows

    def _refused(self, shape: Shape, row: tuple[Any, ...], raw: bool) -> tuple[str | None, list[tuple[str, str]]]:
        """Why the row is skipped (a required reference to a missing row), and the optional ones to clear."""
        dangling = []
        for position, column, (group, table), optional in shape.checks:
            value = row[position]
            if value is None or value in self.source.ids(group, table, raw):
                continue
            text = f"{column}: no such row in {table}"
            if optional is None:
                return text, []
            dangling.append((optional, text))
        return None, dangling

    # ------------------------------------------------------------------ configuration: replaced whole
    def _mirror(self, copy: Copy, shape: Shape, report: TableReport) -> None:
        target = copy.target
        engine = self.databases.engines[store_of(target)]
        seen: dict[tuple[str, ...], set[Any]] = {}
        with engine.begin() as conn:
            cleared = False
            for batch in self._batches(copy, shape, 0, raw=False):
                rows = self._rows(copy, shape, batch, False, report, seen)
                if self.dry_run:
                    continue
                if not cleared:  # an empty source table leaves ours (and its defaults) as they are
                    conn.execute(sa.delete(target))
                    cleared = True
                if rows:
                    conn.execute(sa.insert(target), rows)
                    report.written += len(rows)

    # ------------------------------------------------------------------ time series: streamed, resumable
    def _stream(self, copy: Copy, shape: Shape, report: TableReport) -> None:
        checkpoint = None if self.restart else self._checkpoint(copy.name)
        report.after = int(checkpoint.last_id) if checkpoint else 0
        report.skipped_total = float(checkpoint.skipped_total) if checkpoint else 0.0
        store = store_of(copy.target)
        loader = self._loader(store) if copy.bulk and not self.dry_run else None
        since = (copy.since, self.since) if copy.since and self.since else None
        total = self.source.count(copy.group, copy.table, report.after, since)
        progress = Progress(total, copy.name) if self.show_progress and total else None
        seen: dict[tuple[str, ...], set[Any]] = {}
        for batch in self._batches(copy, shape, report.after, raw=loader is not None):
            rows = self._rows(copy, shape, batch, loader is not None, report, seen)
            if not self.dry_run:
                if loader is not None:
                    if rows:
                        loader.load(copy.target, [t for _, t in shape.pairs], copy.fixed, rows)
                else:
                    with self.databases.engines[store].begin() as conn:
                        upsert(conn, copy.target, rows, newer_only=copy.newer_only, merge=copy.merge)
                report.written += len(rows)
                self._save(copy.name, int(batch[-1][0]), report, checkpoint)
            if progress:
                progress.update(len(batch))

    def _loader(self, store: str) -> BulkLoader | None:
        if store not in self.loaders:
            self.loaders[store] = BulkLoader.open(self.databases.urls[store])
        return self.loaders[store]

    def _checkpoint(self, name: str) -> Any:
        ck = import_checkpoints
        with self.databases.system.connect() as conn:
            return conn.execute(sa.select(ck).where(ck.c.source_table == name)).first()

    def _save(self, name: str, last_id: int, report: TableReport, earlier: Any) -> None:
        base = (earlier.rows_read, earlier.rows_written, earlier.rows_skipped) if earlier else (0, 0, 0)
        with self.databases.system.begin() as conn:
            upsert(conn, import_checkpoints, [{
                "source_table": name, "last_id": last_id, "rows_read": base[0] + report.read,
                "rows_written": base[1] + report.written, "rows_skipped": base[2] + report.skips,
                "skipped_total": report.skipped_total, "updated_datetime_utc": datetime.now(UTC).replace(tzinfo=None)}])


def _repeats(unique: list[tuple[str, ...]], out: dict[str, Any], seen: dict[tuple[str, ...], set[Any]]) -> str | None:
    """A row repeating a unique value (case-folded, as the target compares) of an earlier row: skipped."""
    for columns in unique:
        values = tuple(fold_case(v) if isinstance(v, str) else v for v in (out.get(c) for c in columns))
        if any(v is None for v in values):
            continue
        if values in seen.setdefault(columns, set()):
            return f"repeats the unique {', '.join(columns)} of an earlier row"
    for columns in unique:
        values = tuple(fold_case(v) if isinstance(v, str) else v for v in (out.get(c) for c in columns))
        if all(v is not None for v in values):
            seen[columns].add(values)
    return None
