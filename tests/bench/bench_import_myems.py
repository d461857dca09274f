#!/usr/bin/env python3
"""``myems db import-myems`` benchmark: a MyEMS v6.7.0 ``tbl_energy_value`` of N rows (default 10 million)
imported MariaDB to MariaDB, on the server of ``--url`` or ``$MYEMS_TEST_MYSQL_URL``.

Usage::

    python tests/bench/bench_import_myems.py [--rows 10000000] [--points 100] [--url MYSQL_URL]

The source is MyEMS's eight databases created from the schema file (``<database>_bench_src_<group>_db``),
its points and a trend table of ``--rows`` counter readings (one a minute per point) generated on the server;
the target is ``<database>_bench_target``, created as ``myems db init`` does. Both are dropped and made anew.
The import runs in a child process and prints its report; then rows/s over the whole import (stream, sum
check, aggregation marks), the trend table's own rows/s, and the child's peak RSS. Goals: >= 100,000 rows/s,
< 300 MiB. ``--upsert`` measures the fallback used where the target refuses ``LOAD DATA LOCAL INFILE``.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from myems_api.db import energy, historical, schema  # noqa: E402
from myems_api.db.engines import Databases  # noqa: E402
from myems_api.importer import copier  # noqa: E402
from myems_api.importer.main import ImportOptions, run_import  # noqa: E402
from myems_api.importer.source import database_names  # noqa: E402
from tests.integration.myems_source import _filler, create_source  # noqa: E402


def make_source(server: sa.Engine, prefix: str, rows: int, points: int) -> None:
    tables = create_source(server, prefix)
    point_table = tables["system", "tbl_points"]
    with server.begin() as conn:
        conn.execute(point_table.insert(), [
            {**{c.name: _filler(c) for c in point_table.columns if not c.nullable}, "id": i, "name": f"p{i}",
             "object_type": "ENERGY_VALUE"} for i in range(1, points + 1)])
        trend = f"`{prefix}historical_db`.`tbl_energy_value`"
        for start in range(0, rows, 1_000_000):  # the sequence engine: no rows pass through Python
            end = min(rows, start + 1_000_000) - 1
            conn.exec_driver_sql(
                f"INSERT INTO {trend} (point_id, utc_date_time, actual_value) "
                f"SELECT 1 + seq % {points}, TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (seq DIV {points}) MINUTE, "
                f"(seq DIV {points}) * 0.25 FROM `{prefix}historical_db`.seq_{start}_to_{end}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--url", default=os.environ.get("MYEMS_TEST_MYSQL_URL", ""))
    parser.add_argument("--upsert", action="store_true",
                        help="write as on a target with local_infile=OFF: batched upserts, no LOAD DATA")
    args = parser.parse_args()
    if not args.url.startswith("mysql"):
        parser.error("needs a MariaDB URL (--url or MYEMS_TEST_MYSQL_URL)")
    url = sa.engine.make_url(args.url)
    server_url = url.set(database="")
    prefix = f"{url.database}_bench_src_"
    target_url = url.set(database=f"{url.database}_bench_target").render_as_string(hide_password=False)
    server = sa.create_engine(server_url)
    began = time.perf_counter()
    make_source(server, prefix, args.rows, args.points)
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{url.database}_bench_target`")
        conn.exec_driver_sql(f"CREATE DATABASE `{url.database}_bench_target` CHARACTER SET utf8mb4")
    server.dispose()
    print(f"source: {args.rows:,} trend rows of {args.points} points made in {time.perf_counter() - began:.1f} s")
    target = sa.create_engine(target_url)
    for metadata in (schema.metadata, historical.metadata, energy.metadata):
        metadata.create_all(target)
    target.dispose()
    child = os.fork()
    if child == 0:  # the import alone in this process: its peak RSS is the import's
        if args.upsert:
            copier.BulkLoader.open = classmethod(lambda cls, url: None)  # type: ignore[method-assign,assignment]
        databases = Databases({"system": target_url, "historical": target_url, "energy": target_url})
        out = io.StringIO()
        began = time.perf_counter()
        status = run_import(databases, ImportOptions(server_url.render_as_string(hide_password=False),
                                                     database_names(prefix), groups=("historical",)), out)
        elapsed = time.perf_counter() - began
        print("\n".join(line for line in out.getvalue().splitlines() if not line.startswith("not carried")))
        print(f"import: exit {status}, {args.rows:,} rows in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s "
              "(stream, sum check and aggregation marks)", flush=True)
        databases.dispose()
        os._exit(status)
    _, status = os.waitpid(child, 0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"import peak RSS {peak:.0f} MiB (goals: >= 100,000 rows/s, < 300 MiB)")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    raise SystemExit(main())
