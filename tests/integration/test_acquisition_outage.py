"""The acquisition worker through an outage of its historical store, a real MariaDB stopped and started again.

The system store (configuration, last seen, status) stays on SQLite through the shared ``app`` fixture; only
the historical store (the trend tables) is on the restartable MariaDB, so the outage hits exactly the writer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from acquisition.worker import Acquisition
from acquisition.writer import TrendWriter
from myems_api.config import Config
from myems_api.db import historical
from myems_api.db.trends import Sample, utc_now
from tests import peers
from tests.client import Api
from tests.conftest import ADMIN_PASSWORD, FAST_SCRYPT_N

pytestmark = pytest.mark.skipif(peers.mariadb_binaries() is None,
                                reason="needs mariadbd, mariadb-install-db and mariadb (CI installs mariadb-server)")

INTERVAL = 0.1
OUTAGE = 3.0
POINTS = {  # name: (object type, simulated address)
    "energy": ("ENERGY_VALUE", {"generator": "energy_counter", "daily_total": 2400}),
    "power": ("ANALOG_VALUE", {"generator": "power", "peak": 180}),
    "switch": ("DIGITAL_VALUE", {"generator": "switch"}),
}


@pytest.fixture
def maria(tmp_path: Path) -> Iterator[peers.MariaDB]:
    with peers.mariadb(tmp_path / "mariadb") as server:
        yield server


@pytest.fixture
def config(maria: peers.MariaDB, tmp_path: Path) -> Config:
    """Overrides the shared fixture: system and energy stores on SQLite, the historical store on MariaDB."""
    return Config(db_url=f"sqlite:///{tmp_path / 'system.sqlite'}", historical_db_url=maria.url,
                  scrypt_n=FAST_SCRYPT_N, admin_password=ADMIN_PASSWORD, upload_folder=str(tmp_path / "upload"))


def simulated_source(admin: Api) -> dict[str, int]:
    """One simulated data source polled every INTERVAL seconds with a point of each kind; answers point ids."""
    gateway = admin.create("/gateways", {"name": "Gateway"})
    source = admin.create("/datasources", {"name": "Sim", "gateway_id": gateway["id"], "protocol": "simulation",
                                           "connection": json.dumps({"interval_in_seconds": INTERVAL})})
    return {name: admin.create("/points", {
        "name": name, "data_source_id": source["id"], "object_type": kind, "units": "kWh", "high_limit": 1e9,
        "low_limit": 0, "address": json.dumps(address)})["id"] for name, (kind, address) in POINTS.items()}


class Recording(TrendWriter):
    """The worker's writer, also keeping every sample handed to it: what must end up in the trend tables."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded: list[Sample] = []

    def add(self, samples: Iterable[Sample]) -> None:
        taken = list(samples)
        self.recorded.extend(taken)
        super().add(taken)


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def stored(engine: sa.Engine) -> dict[tuple[int, datetime], tuple[str, float | None, bool]]:
    """Every trend row by (point, time): its table's object type, value and bad flag."""
    rows: dict[tuple[int, datetime], tuple[str, float | None, bool]] = {}
    with engine.connect() as conn:
        for kind, table in historical.TRENDS.items():
            for r in conn.execute(sa.select(table)):
                assert (r.point_id, r.utc_date_time) not in rows, "one (point, time) in two trend tables"
                rows[r.point_id, r.utc_date_time] = (kind, r.actual_value, bool(r.is_bad))
    return rows


def test_every_reading_taken_while_the_historical_store_is_down_is_stored_exactly_once_after_it_returns(
        app: Any, admin: Api, maria: peers.MariaDB, tmp_path: Path) -> None:
    point_ids = simulated_source(admin)
    spool = tmp_path / "spool" / "historical.jsonl"
    writer = Recording(app.databases.engines["historical"], spool)
    acq = Acquisition(app.databases.system, writer, reload_seconds=0.5, flush_seconds=0.2, status_seconds=0.5)
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(acq.run(stop))
        try:
            await until(lambda: writer.written >= 3 * len(POINTS), 5, "readings written before the outage")
            seen["down"] = utc_now()
            await asyncio.to_thread(maria.stop)
            await until(lambda: writer.spooled > 0, 5, "the writer to spool")
            await asyncio.sleep(OUTAGE)
            seen["spooled"], seen["spool_existed"] = writer.spooled, spool.exists()
            seen["alive_in_outage"] = not task.done()
            seen["up"] = utc_now()
            await asyncio.to_thread(maria.start)
            await until(lambda: not spool.exists(), 10, "the spool to be replayed")
            seen["after"] = writer.written
            await until(lambda: writer.written > seen["after"], 5, "a flush after the replay")
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)  # re-raises whatever ended the worker

    asyncio.run(scenario())

    assert seen["alive_in_outage"] and seen["spool_existed"]
    assert seen["spooled"] >= OUTAGE / INTERVAL * len(POINTS) * 0.5, seen  # the outage's readings, roughly
    assert not spool.exists() and writer.pending == []

    recorded = {(r.point_id, r.utc): (kind, r) for kind, r in writer.recorded}
    assert len(recorded) == len(writer.recorded), "two readings of one point at one instant"
    rows = stored(app.databases.engines["historical"])
    assert set(rows) == set(recorded), (len(rows), len(recorded))  # nothing lost, nothing extra
    for key, (kind, reading) in recorded.items():
        row_kind, value, bad = rows[key]
        assert (row_kind, bad) == (kind, not reading.good)
        assert value == pytest.approx(reading.value, abs=1e-6)

    shortest, longest = timedelta(seconds=0.9 * INTERVAL), timedelta(seconds=2.5 * INTERVAL)  # ms-truncated times
    for name, point_id in point_ids.items():
        times = sorted(t for p, t in rows if p == point_id)
        assert times[0] < seen["down"] and times[-1] > seen["up"], name  # the series spans the outage
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert shortest <= min(gaps) and max(gaps) < longest, (name, min(gaps), max(gaps))  # every poll is there
        during = [t for t in times if seen["down"] <= t <= seen["up"]]
        assert len(during) >= OUTAGE / INTERVAL * 0.8, (name, len(during))

