"""``myems aggregation``: one run, a loop, or a backfill, built from the configuration."""

from __future__ import annotations

import logging
from datetime import datetime

from aggregation.rules import RuleRun, run_rules
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
        minutes = aggregation.utc_offset_minutes

        def one_pass() -> None:  # the loop also runs the due rules and advanced reports on what it rolled up
            aggregation.run_once()
            run_jobs(config, databases, minutes)

        return run_until_stopped(one_pass, interval, log, "aggregation run")
    finally:
        databases.dispose()


def run_rules_command(config: Config, loop: bool = False, interval: float = 60.0) -> int:
    """``myems rules``: the due rules once, or in a loop."""
    databases = Databases(config.store_urls, config.db_pool_size)
    offset = config.tz.utcoffset(None)
    minutes = int(offset.total_seconds() // 60) if offset else 0
    try:
        if not loop:
            runs, files = run_jobs(config, databases, minutes)
            for run in runs:
                print(f"rule {run.rule_id}: " + (run.error or f"raised {len(run.raised)}, cleared {len(run.cleared)}, "
                                                 f"holding {len(run.holding)}"))
            print(f"advanced reports: {len(files)} rendered")
            return 1 if any(run.error for run in runs) else 0
        return run_until_stopped(lambda: run_jobs(config, databases, minutes), interval, log, "rules pass")
    finally:
        databases.dispose()


def run_jobs(config: Config, databases: Databases, minutes: int) -> tuple[list[RuleRun], list[int]]:
    """The due fault detection rules, then the due advanced reports."""
    from myems_api.app import report_engines
    from reports.catalog import routes
    from reports.scheduled import run_due_reports

    runs = run_rules(databases, utc_offset_minutes=minutes)
    files = run_due_reports(report_engines(config, databases), {r.path: r for r in routes() if r.method == "GET"})
    return runs, files
