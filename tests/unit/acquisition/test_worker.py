"""The acquisition worker over simulated data sources: it reads every point, writes, marks sources and
gateways seen, follows configuration changes without a restart, and survives a failing driver."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from acquisition.drivers import open_driver
from acquisition.readings import PointSpec, Reading
from acquisition.sources import Shard, load_sources
from acquisition.worker import Acquisition
from acquisition.writer import TrendWriter
from myems_api.db import historical
from tests.client import Api, count

ENERGY = {"generator": "energy_counter", "daily_total": 2400}
POWER = {"generator": "power", "peak": 180}


def source(admin: Api, name: str, interval: float = 0.05) -> dict[str, Any]:
    gateways = admin.get("/gateways").json
    gateway = gateways[0] if gateways else admin.create("/gateways", {"name": "Gateway"})
    return admin.create("/datasources", {"name": name, "gateway_id": gateway["id"], "protocol": "simulation",
                                         "connection": json.dumps({"interval_in_seconds": interval})})


def point(admin: Api, source_id: int, name: str, address: dict[str, Any], kind: str = "ANALOG_VALUE",
          high: float = 1e9) -> dict[str, Any]:
    return admin.create("/points", {"name": name, "data_source_id": source_id, "object_type": kind, "units": "kW",
                                    "high_limit": high, "low_limit": 0, "address": json.dumps(address)})


def worker(app: Any, tmp_path: Any, **kw: Any) -> Acquisition:
    writer = TrendWriter(app.databases.engines["historical"], tmp_path / "spool.jsonl")
    return Acquisition(app.databases.system, writer, **{"reload_seconds": 0.1, "flush_seconds": 0.05, **kw})


async def run_for(acq: Acquisition, seconds: float, during: Any = None) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(acq.run(stop))
    await asyncio.sleep(seconds / 2)
    if during:
        await asyncio.to_thread(during)
    await asyncio.sleep(seconds / 2)
    stop.set()
    await asyncio.wait_for(task, 10)


def test_one_pass_reads_every_point_writes_and_marks_the_source_and_gateway_seen(app, admin, tmp_path):
    s = source(admin, "Sim")
    energy = point(admin, s["id"], "E", ENERGY, kind="ENERGY_VALUE")
    point(admin, s["id"], "P", POWER)
    acq = worker(app, tmp_path)
    assert asyncio.run(acq.poll_once()) == 2
    assert count(app, historical.energy_values, point_id=energy["id"]) == 1
    assert count(app, historical.latest_values) == 2
    assert admin.get(f"/datasources/{s['id']}").json["status"] == "online"
    assert admin.get(f"/gateways/{s['gateway']['id']}").json["status"] == "online"


def test_values_outside_the_limits_are_written_flagged_bad(app, admin, tmp_path):
    s = source(admin, "Sim")
    p = point(admin, s["id"], "P", {"generator": "constant", "value": 500}, high=100)
    asyncio.run(worker(app, tmp_path).poll_once())
    with app.databases.engines["historical"].connect() as conn:
        row = conn.execute(sa.select(historical.analog_values).where(
            historical.analog_values.c.point_id == p["id"])).one()
    assert (row.actual_value, row.is_bad) == (500, True)


def test_the_loop_polls_at_the_interval_and_picks_up_new_points_without_a_restart(app, admin, tmp_path):
    s = source(admin, "Sim", interval=0.05)
    first = point(admin, s["id"], "P1", POWER)
    added: dict[str, Any] = {}
    acq = worker(app, tmp_path)
    asyncio.run(run_for(acq, 1.2, during=lambda: added.update(point(admin, s["id"], "P2", POWER))))
    assert count(app, historical.analog_values, point_id=first["id"]) >= 5
    assert count(app, historical.analog_values, point_id=added["id"]) >= 1
    status = admin.get(f"/datasources/{s['id']}/status").json
    assert status["reads"] >= 5 and status["errors"] == 0 and status["data_source"]["id"] == s["id"]


def test_a_removed_source_stops_being_polled(app, admin, tmp_path):
    s = source(admin, "Sim")
    p = point(admin, s["id"], "P", POWER)

    def remove() -> None:
        assert admin.delete(f"/points/{p['id']}").status_code == 204
        assert admin.delete(f"/datasources/{s['id']}").status_code == 204

    acq = worker(app, tmp_path)
    asyncio.run(run_for(acq, 1.0, during=remove))
    assert acq.running == {}


class Exploding:
    """A driver with a bug: the worker must log it, count an error, write bad readings and keep polling."""

    def __init__(self) -> None:
        self.calls = 0

    async def read(self, points: Sequence[PointSpec]) -> list[Reading]:
        self.calls += 1
        raise RuntimeError("driver bug")

    async def close(self) -> None:
        return None


def test_a_driver_that_raises_costs_only_its_own_readings(app, admin, tmp_path):
    bad, good = source(admin, "Buggy"), source(admin, "Fine")
    bad_point, good_point = point(admin, bad["id"], "B", POWER), point(admin, good["id"], "G", POWER)
    exploding = Exploding()
    acq = worker(app, tmp_path, opener=lambda protocol, conn: exploding if conn.get("buggy") else open_driver(
        protocol, conn))
    admin.put(f"/datasources/{bad['id']}", {"connection": json.dumps({"interval_in_seconds": 0.05, "buggy": True})})
    asyncio.run(run_for(acq, 0.8))
    assert exploding.calls >= 3 and acq.stats[bad["id"]].errors >= 3
    assert count(app, historical.analog_values, point_id=good_point["id"]) >= 3
    with app.databases.engines["historical"].connect() as conn:
        flags = conn.execute(sa.select(historical.analog_values.c.is_bad).where(
            historical.analog_values.c.point_id == bad_point["id"])).scalars().all()
    assert flags and all(flags)


def test_shards_split_the_sources_between_workers(app, admin):
    ids = []
    for i in range(4):
        s = source(admin, f"S{i}")
        point(admin, s["id"], f"P{i}", POWER)
        ids.append(s["id"])
    halves = [set(load_sources(app.databases.system, shard=Shard(i, 2))) for i in (0, 1)]
    assert halves[0] | halves[1] == set(ids) and not halves[0] & halves[1]
    assert set(load_sources(app.databases.system, protocols=["modbus-tcp"])) == set()


@pytest.mark.parametrize("text", ["2/2", "x", "1/0", "-1/3"])
def test_a_shard_must_be_i_of_n(text):
    with pytest.raises(ValueError):
        Shard.parse(text)
