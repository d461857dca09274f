"""Readings into the historical store, batched, and never lost while the database is away.

Rows go through :func:`myems_api.db.trends.store_readings`, the write path ``POST /points/values`` shares.

``TrendWriter`` buffers readings and writes them in batches. When the database cannot be reached it
appends the batch to a local append-only spool (JSON lines, fsynced) and, on a later flush, replays the
spool in order before anything newer; the spool is deleted once replayed. A crash loses at most what sits
in the buffer: the caller flushes at least every ``max_delay`` seconds (one second by default).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.db.trends import Reading, Sample, store_readings

log = logging.getLogger("myems.acquisition.writer")

def _unreachable(exc: BaseException) -> bool:
    """Any database failure but a refused value counts as an outage: spooling is never the wrong call.
    (mysql-connector reports a refused connection as a plain DatabaseError 2003.)"""
    return isinstance(exc, sa.exc.DBAPIError) and not isinstance(exc, sa.exc.DataError | sa.exc.IntegrityError)


class TrendWriter:
    def __init__(self, engine: Engine, spool: Path, batch_size: int = 5000) -> None:
        self.engine = engine
        self.spool = spool
        self.batch_size = batch_size
        self.pending: list[Sample] = []
        self.written = 0
        self.spooled = 0

    def add(self, samples: Iterable[Sample]) -> None:
        self.pending.extend(samples)

    @property
    def full(self) -> bool:
        return len(self.pending) >= self.batch_size

    def flush(self) -> int:
        """Writes the spool (if any) then the buffer; answers rows written now. Never raises for an outage."""
        batch, self.pending = self.pending, []
        written = 0
        try:
            if self.spool.exists():
                written += self._replay()
            written += self._write(batch)
        except sa.exc.DBAPIError as exc:
            if not _unreachable(exc):
                raise
            log.warning("historical store unreachable (%s): spooling %d readings to %s", type(exc).__name__,
                        len(batch), self.spool)
            self._append(batch)
        return written

    def _write(self, batch: Sequence[Sample]) -> int:
        for start in range(0, len(batch), self.batch_size):
            with self.engine.begin() as conn:
                store_readings(conn, batch[start:start + self.batch_size])
        self.written += len(batch)
        return len(batch)

    def _append(self, batch: Sequence[Sample]) -> None:
        if not batch:
            return
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        with self.spool.open("a", encoding="utf-8") as f:
            for kind, r in batch:
                f.write(json.dumps({"k": kind, "p": r.point_id, "t": r.utc.isoformat(), "v": r.value,
                                    "g": r.good}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.spooled += len(batch)

    def _replay(self) -> int:
        """Writes the spool in order, chunk by chunk; upserts make a replay after a partial one harmless."""
        chunk: list[Sample] = []
        written = 0
        for sample in _read_spool(self.spool):
            chunk.append(sample)
            if len(chunk) >= self.batch_size:
                written += self._write(chunk)
                chunk = []
        written += self._write(chunk)
        self.spool.unlink()
        log.info("replayed %d spooled readings", written)
        return written


def _read_spool(path: Path) -> Iterator[Sample]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                item = json.loads(line)
                yield item["k"], Reading(int(item["p"]), datetime.fromisoformat(item["t"]), item["v"], item["g"])
            except (ValueError, KeyError, TypeError):
                log.error("spool %s line %d is not a reading (a torn write?): skipped", path, number)
