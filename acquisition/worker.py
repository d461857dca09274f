"""The acquisition process: one asyncio loop polling (or listening to) every data source it owns.

- Each data source runs in its own task at its ``interval_in_seconds``; a slow or dead device only delays
  itself (drivers answer bad readings rather than raise).
- The configuration is re-read every ``reload_seconds``: new sources start, removed ones stop, and a
  source whose connection or points changed restarts with the new ones. No restart needed.
- Readings go to the :class:`~acquisition.writer.TrendWriter`, flushed every ``flush_seconds`` (the most
  a crash can lose) or when a batch is full; database work runs in a thread, never on the loop.
- After each flush, the data sources (and their gateways) that gave a good reading get ``last_seen``, and
  every ``status_seconds`` the per-source counters are saved for ``GET /datasources/{id}/status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from acquisition import setpoints
from acquisition.drivers import open_driver
from acquisition.readings import Driver, Listener, PointSpec, Reading, SourceStats, WriteError, Writer, utc_now
from acquisition.sources import Shard, SourceSpec, load_sources
from acquisition.writer import TrendWriter
from myems_api.db import schema
from myems_api.db.upsert import upsert

log = logging.getLogger("myems.acquisition")

Opener = Callable[[str, Mapping[str, Any]], Driver | Listener]


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))


class Acquisition:
    def __init__(self, system: Engine, writer: TrendWriter, protocols: Collection[str] = (),
                 shard: Shard | None = None, reload_seconds: float = 30.0, flush_seconds: float = 1.0,
                 status_seconds: float = 10.0, opener: Opener = open_driver, set_seconds: float = 1.0,
                 set_timeout: float = 60.0) -> None:
        self.system = system
        self.writer = writer
        self.protocols = tuple(protocols)
        self.shard = shard or Shard()
        self.reload_seconds = reload_seconds
        self.flush_seconds = flush_seconds
        self.status_seconds = status_seconds
        self.opener = opener
        self.set_seconds, self.set_timeout = set_seconds, set_timeout
        self.running: dict[int, tuple[SourceSpec, asyncio.Event, asyncio.Task[None]]] = {}
        self.drivers: dict[int, Driver | Listener] = {}  # open drivers by source, for writes
        self.locks: dict[int, asyncio.Lock] = {}  # one request at a time per source: reads and writes
        self.stats: dict[int, SourceStats] = {}
        self.seen: set[int] = set()
        self._last_status = 0.0

    # ------------------------------------------------------------------ the loop
    async def run(self, stop: asyncio.Event) -> None:
        flusher = asyncio.create_task(self._flush_loop(stop))
        setter = asyncio.create_task(self._set_loop(stop))
        try:
            while not stop.is_set():
                try:
                    await self.reload()
                except sa.exc.DBAPIError as exc:  # the system store is away: keep polling what we know
                    log.warning("cannot read the configuration (%s); keeping %d sources", type(exc).__name__,
                                len(self.running))
                await _sleep_unless(stop, self.reload_seconds)
        finally:
            await setter
            for source_id in list(self.running):
                await self._stop_source(source_id)
            await flusher

    async def poll_once(self) -> int:
        """Reads every polled source once, writes, and answers the readings taken (``myems acquisition --once``).
        Sources that push (MQTT) are skipped: there is nothing to wait for once."""
        sources = await asyncio.to_thread(load_sources, self.system, self.protocols, self.shard)
        taken = 0
        for spec in sources.values():
            driver = self.opener(spec.protocol, spec.connection)
            if isinstance(driver, Listener):
                continue
            try:
                stats = self.stats.setdefault(spec.id, SourceStats())
                taken += len(await self._take(spec, driver, stats, {p.id: p.object_type for p in spec.points}))
            finally:
                await driver.close()
        await asyncio.to_thread(self.flush, True)
        return taken

    async def reload(self) -> None:
        sources = await asyncio.to_thread(load_sources, self.system, self.protocols, self.shard)
        for source_id, (spec, _, _) in list(self.running.items()):
            if sources.get(source_id) != spec:
                log.info("data source %s changed or left: stopping it", spec.name)
                await self._stop_source(source_id)
        for source_id, spec in sources.items():
            if source_id not in self.running:
                log.info("data source %s (%s, %d points): starting", spec.name, spec.protocol, len(spec.points))
                stop = asyncio.Event()
                task = asyncio.create_task(self._source(spec, stop), name=f"source-{source_id}")
                self.running[source_id] = (spec, stop, task)

    async def _stop_source(self, source_id: int) -> None:
        _, stop, task = self.running.pop(source_id)
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()

    async def _source(self, spec: SourceSpec, stop: asyncio.Event) -> None:
        try:
            driver = self.opener(spec.protocol, spec.connection)
        except (ValueError, KeyError, TypeError, ImportError) as exc:
            log.error("data source %s: cannot open a %s driver (%s)", spec.name, spec.protocol, exc)
            return
        stats = self.stats.setdefault(spec.id, SourceStats())
        kinds = {p.id: p.object_type for p in spec.points}
        self.drivers[spec.id] = driver
        try:
            if isinstance(driver, Listener):
                self.stats[spec.id] = driver.stats  # a listener counts its own messages and errors
                await driver.listen(spec.points, lambda rs: self._record(spec.id, kinds, rs), stop)
            else:
                await self._poll(spec, driver, stats, kinds, stop)
        finally:
            self.drivers.pop(spec.id, None)
            close = getattr(driver, "close", None)  # listeners disconnect when stopped; drivers close here
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    async def _poll(self, spec: SourceSpec, driver: Driver, stats: SourceStats, kinds: dict[int, str],
                    stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            await self._take(spec, driver, stats, kinds)
            await _sleep_unless(stop, spec.interval - (time.monotonic() - started))

    async def _take(self, spec: SourceSpec, driver: Driver, stats: SourceStats,
                    kinds: Mapping[int, str]) -> Sequence[Reading]:
        """One read of every point: counted, timed, and handed to the writer (bad readings if it failed)."""
        started = time.monotonic()
        try:
            async with self.locks.setdefault(spec.id, asyncio.Lock()):
                readings = await driver.read(spec.points)
        except Exception as exc:  # noqa: BLE001 - a driver bug must not end the source's polling
            log.exception("data source %s: read failed", spec.name)
            stats.errors += 1
            stats.last_error = f"{type(exc).__name__}: {exc}"[:255]
            readings = [Reading.bad(p.id) for p in spec.points]
        stats.reads += 1
        stats.last_latency_ms = round((time.monotonic() - started) * 1000, 1)
        if readings and not any(r.good for r in readings):
            stats.errors += 1
        self._record(spec.id, kinds, readings)
        return readings

    def _record(self, source_id: int, kinds: Mapping[int, str], readings: Sequence[Reading]) -> None:
        self.writer.add((kinds[r.point_id], r) for r in readings if r.point_id in kinds)
        if any(r.good for r in readings):
            self.seen.add(source_id)

    # ------------------------------------------------------------------ set values (device writes)
    async def _set_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.apply_set_values()
            except sa.exc.DBAPIError as exc:
                log.warning("cannot read queued set values (%s)", type(exc).__name__)
            await _sleep_unless(stop, self.set_seconds)

    async def apply_set_values(self) -> int:
        """Performs the queued writes of the sources this worker runs, oldest first; answers how many."""
        owned = {i: spec for i, (spec, _, _) in self.running.items() if i in self.drivers}
        if not owned:
            return 0
        queued = await asyncio.to_thread(setpoints.claim_queued, self.system, list(owned), self.set_timeout)
        for request_id, source_id, point_id, value in queued:
            spec, driver = owned[source_id], self.drivers.get(source_id)
            point = next((p for p in spec.points if p.id == point_id), None)
            outcome = await self._write(spec, driver, point, value)
            await asyncio.to_thread(setpoints.finish, self.system, request_id, *outcome)
        return len(queued)

    async def _write(self, spec: SourceSpec, driver: Driver | Listener | None, point: PointSpec | None,
                     value: float) -> tuple[str, str | None, float | None]:
        """(status, reason, value read back) of one write."""
        if point is None or not isinstance(driver, Writer):
            return "failed", "the point or its driver is not running in this worker", None
        try:
            raw = setpoints.raw_value(spec.protocol, point, value)
            async with self.locks.setdefault(spec.id, asyncio.Lock()):
                read_back = await asyncio.wait_for(driver.write(point, raw), self.set_timeout)
        except ValueError as exc:
            return "failed", str(exc), None
        except TimeoutError:
            return "timed_out", f"no outcome within {self.set_timeout:g} s", None
        except WriteError as exc:
            log.warning("data source %s: writing point %s failed: %s", spec.name, point.id, exc)
            return "failed", str(exc)[:255], None
        log.info("data source %s: point %s set to %s (read back %s)", spec.name, point.id, value, read_back)
        return "done", None, read_back

    # ------------------------------------------------------------------ flushing
    async def _flush_loop(self, stop: asyncio.Event) -> None:
        while True:
            await _sleep_unless(stop, self.flush_seconds)
            final = stop.is_set()  # read once: a stop arriving during a flush gets one more, final flush
            await asyncio.to_thread(self.flush, final)
            if final:
                return

    def flush(self, final: bool = False) -> None:
        """Writes pending readings, then notes who was seen and (now and then, and at the end) the counters."""
        try:
            self.writer.flush()
        except Exception:  # noqa: BLE001 - the loop must go on; the writer already spooled what it could
            log.exception("writing readings failed")
        seen, self.seen = self.seen, set()
        try:
            self._mark_seen(seen)
            if final or time.monotonic() - self._last_status >= self.status_seconds:
                self._save_status()
                self._last_status = time.monotonic()
        except sa.exc.DBAPIError as exc:
            log.warning("cannot update last seen / status (%s)", type(exc).__name__)
            self.seen |= seen

    def _mark_seen(self, source_ids: set[int]) -> None:
        if not source_ids:
            return
        ds, gw = schema.data_sources, schema.gateways
        now = utc_now().replace(microsecond=0)
        with self.system.begin() as conn:
            conn.execute(sa.update(ds).where(ds.c.id.in_(source_ids)).values(last_seen_datetime_utc=now))
            gateways = sa.select(ds.c.gateway_id).where(ds.c.id.in_(source_ids)).scalar_subquery()
            conn.execute(sa.update(gw).where(gw.c.id.in_(gateways)).values(last_seen_datetime_utc=now))

    def _save_status(self) -> None:
        if not self.stats:
            return
        now = utc_now().replace(microsecond=0)
        rows = [{"data_source_id": source_id, "reads": s.reads, "errors": s.errors,
                 "last_latency_ms": s.last_latency_ms, "last_error": s.last_error or None,
                 "updated_datetime_utc": now} for source_id, s in self.stats.items()]
        with self.system.begin() as conn:
            upsert(conn, schema.data_source_status, rows)
