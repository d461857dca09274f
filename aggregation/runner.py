"""``myems aggregation``: incremental, idempotent, resumable runs from trend values to hourly energy.

How a run finds its work: every trend write marks its points dirty from their earliest new reading
(``tbl_point_dirty``, see :mod:`myems_api.db.trends`), so new data and late or repaired data are found
the same way, without scanning trend tables. For each meter whose source point is dirty, the run
recomputes the hours from the last good reading before the mark (an interpolation across a gap changes
the gap's hours) to the newest reading, in chunks of ``chunk_hours`` so memory stays bounded however long
the span, and upserts them. Only then is the mark cleared, and only if no write marked the point again
meanwhile (its version is unchanged).

So a rerun changes nothing, a run killed at any point leaves marks that the next run completes, and late
data is recomputed. One runner at a time holds the ``aggregation`` lease; a second one skips its turn.

Uploaded offline meter files waiting to be processed become hourly rows of their meters (see
:mod:`aggregation.offline_files`). Then every virtual meter is recomputed over the span of hours the run
changed, in dependency order, and every entity's hourly energy, cost and carbon over that span (see
:mod:`aggregation.entities`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import numpy as np

from aggregation import leases
from aggregation.entities import roll_up
from aggregation.normalize import counter_to_hourly, limit_flags, power_to_hourly
from aggregation.offline_files import pending_files, process_file
from aggregation.plan_files import apply_plan_file, pending_plan_files
from aggregation.progress import Progress
from aggregation.repair_files import apply_repair_file, pending_repair_files
from aggregation.series import HOUR, Hourly, hour_range
from aggregation.store import (
    Mark,
    MeterSource,
    Readings,
    clear_marks,
    dirty_marks,
    hourly_series,
    mark_dirty,
    meter_sources,
    virtual_meters,
    write_meter_hourly,
)
from aggregation.virtual import dependency_order, evaluate_hourly
from myems_api.db.engines import Databases
from myems_api.expressions import ExpressionError, parse

log = logging.getLogger("myems.aggregation")
LEASE = "aggregation"


@dataclass
class RunReport:
    skipped: bool = False
    meters: int = 0
    hours_written: int = 0
    marks_cleared: int = 0
    offline_files: int = 0
    entity_rows: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


class Aggregation:
    def __init__(self, databases: Databases, chunk_hours: int = 31 * 24, lease_seconds: float = 600.0,
                 show_progress: bool = False, utc_offset_minutes: int = 0) -> None:
        self.databases = databases
        self.system = databases.system
        self.historical = databases.engines["historical"]
        self.energy = databases.engines["energy"]
        self.readings = Readings(self.historical)
        self.chunk_hours = chunk_hours
        self.lease_seconds = lease_seconds
        self.holder = leases.holder_name()
        self.show_progress = show_progress
        self.utc_offset_minutes = utc_offset_minutes  # local time for tariffs and billing months
        self.changed: tuple[int, int] | None = None  # the span of hours the current run recomputed

    def run_once(self, until: int | None = None) -> RunReport:
        """One pass over the dirty meters (up to ``until``, POSIX seconds, else each meter's newest reading)."""
        started = time.monotonic()
        report = RunReport()
        if not leases.claim(self.energy, LEASE, self.holder, self.lease_seconds):
            log.info("another aggregation runner holds the lease: skipping this turn")
            return RunReport(skipped=True)
        self.changed = None
        try:
            zone = timezone(timedelta(minutes=self.utc_offset_minutes))
            for file_id in pending_repair_files(self.databases):  # before the marks they set are read
                apply_repair_file(self.databases, file_id, zone)
            sources = meter_sources(self.system)
            marks = dirty_marks(self.historical)
            progress = Progress(len(marks), "meters") if self.show_progress else None
            done: list[Mark] = []
            for mark in marks:
                source = sources.get(mark.point_id)
                try:
                    if source is not None:
                        report.hours_written += self.meter(source, mark.since, until)
                        report.meters += 1
                    done.append(mark)  # a point no meter reads from has nothing to aggregate
                except Exception as exc:  # noqa: BLE001 - one meter's failure must not block the others
                    log.exception("meter %s failed; its mark stays for the next run", source and source.meter_id)
                    report.errors.append(f"point {mark.point_id}: {type(exc).__name__}: {exc}")
                if progress:
                    progress.update()
                leases.claim(self.energy, LEASE, self.holder, self.lease_seconds)  # still alive: renew
            self.offline_files(report)
            if self.changed is not None:
                self.virtual_meters(*self.changed)
                report.entity_rows = roll_up(self.system, self.energy, *self.changed, self.utc_offset_minutes)
            if until is None:  # a run bounded by ``until`` has not taken everything in: the marks stay
                report.marks_cleared = clear_marks(self.historical, done)
        finally:
            leases.release(self.energy, LEASE, self.holder)
        report.seconds = time.monotonic() - started
        log.info("aggregation: %d meters, %d hours written, %d marks cleared in %.2f s", report.meters,
                 report.hours_written, report.marks_cleared, report.seconds)
        return report

    def meter(self, source: MeterSource, since: int, until: int | None = None) -> int:
        """Recomputes one meter's hours from the last good reading before ``since``; answers hours written."""
        with self.historical.connect() as conn:
            before = self.readings.bracket(conn, source, since - 1, before=True)  # strictly before the mark
        start = min(since, before) if before is not None else since
        newest = self.readings.latest_time(source) if until is None else until
        if newest is None:
            return 0
        end = newest - newest % HOUR + HOUR  # the hour holding the newest reading (unknown until complete)
        written = 0
        for chunk_start in range(start - start % HOUR, end, self.chunk_hours * HOUR):
            chunk_end = min(chunk_start + self.chunk_hours * HOUR, end)
            hourly = self.normalise(source, chunk_start, chunk_end)
            written += write_meter_hourly(self.energy, "meter", source.meter_id, hourly)
        self._touched(start - start % HOUR, end)
        return written

    def offline_files(self, report: RunReport) -> None:
        """Spreads every waiting offline meter file over its hours; a bad file is marked, never blocking."""
        zone = timezone(timedelta(minutes=self.utc_offset_minutes))
        for file_id in pending_files(self.system):
            try:
                processed = process_file(self.system, self.energy, file_id, zone)
            except Exception as exc:  # noqa: BLE001 - one file's failure must not block the others
                log.exception("offline meter file %s failed; it stays new for the next run", file_id)
                report.errors.append(f"offline meter file {file_id}: {type(exc).__name__}: {exc}")
                continue
            report.offline_files += 1
            if processed.hours is not None:
                self._touched(*processed.hours)
        for file_id in pending_plan_files(self.databases):  # stored, then a crash before they were applied
            apply_plan_file(self.databases, file_id, zone)

    def _touched(self, first: int, end: int) -> None:
        self.changed = (first, end) if self.changed is None else (min(self.changed[0], first),
                                                                   max(self.changed[1], end))

    def virtual_meters(self, start: int, end: int) -> int:
        """Recomputes every virtual meter over the hours this run changed, inputs before the meters reading
        them; a virtual meter whose expression fails is logged and skipped, never blocking the others."""
        meters = {vm.id: vm for vm in virtual_meters(self.system)}
        reads = {vm.id: {mid for _, kind, mid in vm.variables if kind == "virtual_meter"} for vm in meters.values()}
        written = 0
        for chunk_start in range(start, end, self.chunk_hours * HOUR):
            hours = hour_range(chunk_start, min(chunk_start + self.chunk_hours * HOUR, end))
            for vm_id in dependency_order(reads):
                vm = meters[vm_id]
                try:
                    inputs = {name: hourly_series(self.energy, kind, mid, hours) for name, kind, mid in vm.variables}
                    values = evaluate_hourly(parse(vm.equation), inputs)
                except (ExpressionError, KeyError) as exc:
                    log.error("virtual meter %s: %s", vm_id, exc)
                    continue
                flags = np.zeros(len(hours), dtype=np.uint8)
                written += write_meter_hourly(self.energy, "virtual_meter", vm_id, Hourly(hours, values, flags))
        return written

    def normalise(self, source: MeterSource, start: int, end: int) -> Hourly:
        hours = hour_range(start, end)
        times, values, good = self.readings.span(source, start, end)
        if source.kind == "counter":
            hourly = counter_to_hourly(times, values, good, hours, max_value=source.max_value)
        else:
            hourly = power_to_hourly(times, values, good, hours)
        flags = hourly.flags | limit_flags(hourly.energy, source.hourly_low, source.hourly_high)
        return Hourly(hourly.hours, hourly.energy, flags)

    def backfill(self, since: datetime, until: datetime | None = None) -> RunReport:
        """Marks every meter's source point dirty from ``since`` and runs (up to ``until``); both naive UTC."""
        points = list(meter_sources(self.system))
        mark_dirty(self.historical, points, since)
        return self.run_once(None if until is None else int(until.replace(tzinfo=UTC).timestamp()))
