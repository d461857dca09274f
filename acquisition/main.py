"""``myems acquisition``: build the worker from the configuration and run it until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from pathlib import Path

from acquisition.sources import Shard
from acquisition.worker import Acquisition
from acquisition.writer import TrendWriter
from myems_api.config import Config
from myems_api.db.engines import Databases

log = logging.getLogger("myems.acquisition")


def run_acquisition(config: Config, protocols: Sequence[str] = (), shard: Shard | None = None, once: bool = False,
                    reload_seconds: float = 30.0, flush_seconds: float = 1.0) -> int:
    shard = shard or Shard()
    databases = Databases(config.store_urls, config.db_pool_size)
    spool = Path(config.spool_folder) / f"acquisition-{shard.index}-of-{shard.count}.jsonl"
    writer = TrendWriter(databases.engines["historical"], spool)
    worker = Acquisition(databases.system, writer, protocols, shard, reload_seconds=reload_seconds,
                         flush_seconds=flush_seconds)
    try:
        if once:
            taken = asyncio.run(worker.poll_once())
            print(f"read {taken} values; {writer.written} written, {writer.spooled} spooled to {spool}")
            return 0
        asyncio.run(_until_signalled(worker))
        return 0
    finally:
        databases.dispose()


async def _until_signalled(worker: Acquisition) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("acquisition started (protocols: %s, shard %d/%d)", ", ".join(worker.protocols) or "all",
             worker.shard.index, worker.shard.count)
    await worker.run(stop)
    log.info("acquisition stopped: %d readings written, %d spooled", worker.writer.written, worker.writer.spooled)
