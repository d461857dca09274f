"""``myems aggregation``: one run, a loop, or a backfill, built from the configuration."""

from __future__ import annotations

import logging
from datetime import datetime

from aggregation.runner import Aggregation
from myems_api.config import Config
from myems_api.db.engines import Databases
from myems_api.service_loop import run_until_stopped

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
        return run_until_stopped(aggregation.run_once, interval, log, "aggregation run")
    finally:
        databases.dispose()
