"""``myems aggregation``: one run, a loop, or a backfill, built from the configuration."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from aggregation.runner import Aggregation
from myems_api.config import Config
from myems_api.db.engines import Databases

log = logging.getLogger("myems.aggregation")


def run_aggregation(config: Config, loop: bool = False, interval: float = 60.0, since: datetime | None = None,
                    until: datetime | None = None) -> int:
    databases = Databases(config.store_urls, config.db_pool_size)
    offset = config.tz.utcoffset(None)
    aggregation = Aggregation(databases, show_progress=since is not None,
                              utc_offset_minutes=int(offset.total_seconds() // 60) if offset else 0)
    try:
        if since is not None:
            report = aggregation.backfill(since, until)
            print(f"backfill: {report.meters} meters, {report.hours_written} hours written in {report.seconds:.1f} s"
                  + (f"; {len(report.errors)} errors (see the log)" if report.errors else ""))
            return 1 if report.errors else 0
        if not loop:
            report = aggregation.run_once()
            return 1 if report.errors else 0
        stop = threading.Event()

        def stopping(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)
        while not stop.is_set():
            try:
                aggregation.run_once()
            except Exception:  # noqa: BLE001 - a loop that runs for years logs a failed run and goes on
                log.exception("aggregation run failed; retrying in %.0f s", interval)
            stop.wait(interval)
        return 0
    finally:
        databases.dispose()
