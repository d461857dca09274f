#!/usr/bin/env python3
"""Throughput/latency benchmark of the admin API as deployed: ``myems serve`` (gunicorn gthread) on MariaDB.

Why this shape: the figure that matters is what a real deployment serves, so the API runs as the real
``myems serve`` subprocess against a real MariaDB and the load comes from ``wrk`` (C, keep-alive), which
costs the machine far less than a Python client would. Because the load generator, the workers and the
database usually share the same few cores, the CPU each side burns is read from ``/proc`` around every
run: that says whether the API is CPU-bound in Python, waiting on MariaDB, or starved by the client.

Usage::

    python tests/bench/bench_api.py [--duration 20] [--connections 8] [--workers 2] [--threads 1]
                                    [--url MYSQL_URL] [--profile DIR]

The database is ``--url``, else ``$MYEMS_TEST_MYSQL_URL``, else a throwaway MariaDB started here (a
child process, stopped at the end). Its tables are dropped and recreated: never point it at real data.
``MYEMS_*`` variables in the environment (e.g. ``MYEMS_AUTH_CACHE_SECONDS=0``) reach the server.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
ADMIN_NAME = "administrator"
ADMIN_PASSWORD = "Bench-admin-1"
GOAL_RPS = 4000.0
GOAL_P99_MS = 10.0
REFERENCE_RPS = 844.0  # the reference MyEMS implementation, GET /energycategories
CLK_TCK = os.sysconf("SC_CLK_TCK")

# wrk's own summary is rounded text; this prints the exact figures as one JSON line we can parse.
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%.1f,"p99_us":%.1f,"max_us":%.1f,' ..
    '"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


class BenchError(RuntimeError):
    """The benchmark could not be set up; the message says which step failed."""


# ---------------------------------------------------------------------------------------------- processes
def cpu_times(pid: int) -> tuple[float, float]:
    """(utime, stime) of a live process, all its threads, from /proc; zeros when it has gone.
    The split matters: system time is the kernel's share (loopback TCP, epoll, pipes)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            stat = f.read().rsplit(")", 1)[1].split()  # the command name may contain spaces
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0.0
    return int(stat[11]) / CLK_TCK, int(stat[12]) / CLK_TCK  # fields 14 and 15 of proc(5)


def cpu_seconds(pid: int) -> float:
    return sum(cpu_times(pid))


def system_seconds(pids: list[int]) -> float:
    return sum(cpu_times(pid)[1] for pid in pids)


def machine_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine (all cores) from /proc/stat: with our own processes
    subtracted, what is left is the background load that competed with this run."""
    with open("/proc/stat", encoding="ascii") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def child_pids(pid: int) -> list[int]:
    """Direct children (the gunicorn workers of the master), by scanning /proc for the parent pid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return sorted(found)


def connections_per_process(pids: list[int], port: int) -> list[int]:
    """Established client connections on local ``port`` held by each pid. Workers accept from a shared
    socket, so wrk's few keep-alive connections can land unevenly, which caps a run at one worker's GIL."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "01":  # 01 = ESTABLISHED
                    inodes.add(cols[9])
    counts = []
    for pid in pids:
        with contextlib.suppress(OSError):
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            counts.append(sum(link[8:-1] in inodes for link in links if link.startswith("socket:[")))
    return counts


def find_mariadbd(port: int) -> int | None:
    """The mariadbd/mysqld serving ``port``: the one whose command line names the port, else the only one."""
    candidates: list[tuple[int, str]] = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if Path(cmdline.split(" ", 1)[0]).name in ("mariadbd", "mysqld"):
            candidates.append((int(entry), cmdline))
    for pid, cmdline in candidates:
        if f"--port={port}" in cmdline:
            return pid
    return candidates[0][0] if len(candidates) == 1 else None


def stop(proc: subprocess.Popen[Any], name: str, grace: float = 15.0) -> None:
    """SIGTERM, wait, then SIGKILL: gunicorn and mariadbd both shut down cleanly on SIGTERM."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        print(f"bench: {name} ignored SIGTERM for {grace:.0f}s; killing", file=sys.stderr)
        proc.kill()
        proc.wait()


def free_port(preferred: int = 0) -> int:
    """``preferred`` when it is free on loopback, else any free port."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT from a last run is fine
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise BenchError("no free loopback port")


def ensure_tool(binary: str, package: str) -> str | None:
    """Path of ``binary``, installing the Debian ``package`` once if we are root and it is missing."""
    path = shutil.which(binary)
    if path or os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    print(f"bench: installing {package} with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], env=env,
                   check=False, stdout=subprocess.DEVNULL)
    return shutil.which(binary)


# ---------------------------------------------------------------------------------------------- MariaDB
@dataclass
class Database:
    url: str
    pid: int | None  # for CPU accounting; None when it cannot be identified


def start_mariadb(stack: contextlib.ExitStack, port: int) -> Database:
    """scripts/mariadb-throwaway.sh in Python, so mariadbd is our child and stopped by ``stack``."""
    if not ensure_tool("mariadbd", "mariadb-server"):
        raise BenchError("mariadbd not found (apt-get install mariadb-server)")
    workdir = Path(tempfile.mkdtemp(prefix="myems-bench-mariadb."))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    sock = workdir / "s.sock"
    install = subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={workdir / 'data'}",
                              "--user=root", "--skip-test-db"], capture_output=True, text=True, check=False)
    if install.returncode:
        raise BenchError(f"mariadb-install-db failed:\n{install.stdout}{install.stderr}")
    port = free_port(port)
    proc = subprocess.Popen([
        "mariadbd", "--no-defaults", f"--datadir={workdir / 'data'}", f"--socket={sock}",
        f"--pid-file={workdir / 'm.pid'}", f"--port={port}", "--bind-address=127.0.0.1", "--user=root",
        "--skip-name-resolve", "--innodb-buffer-pool-size=128M", "--innodb-flush-log-at-trx-commit=2",
        "--max-connections=500", f"--log-error={workdir / 'err.log'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(stop, proc, "mariadbd", 30.0)
    _wait_mariadb(proc, sock, workdir / "err.log")
    sql = ("CREATE DATABASE myems_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
           "CREATE USER 'myems'@'127.0.0.1' IDENTIFIED BY 'myems-bench';"
           "GRANT ALL PRIVILEGES ON myems_bench.* TO 'myems'@'127.0.0.1'; FLUSH PRIVILEGES;")
    subprocess.run(["mariadb", "--no-defaults", f"--socket={sock}", "-u", "root", "-e", sql], check=True)
    print(f"bench: throwaway MariaDB on 127.0.0.1:{port} (pid {proc.pid})", file=sys.stderr)
    return Database(f"mysql+mysqlconnector://myems:myems-bench@127.0.0.1:{port}/myems_bench", proc.pid)


def _wait_mariadb(proc: subprocess.Popen[Any], sock: Path, err_log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ping = subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={sock}", "ping"],
                              capture_output=True, check=False)
        if ping.returncode == 0:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log = err_log.read_text(errors="replace") if err_log.exists() else ""
    raise BenchError(f"mariadbd did not come up:\n{log[-3000:]}")


def reset_schema(url: str, env: dict[str, str]) -> None:
    """Drop every table, then ``myems db init``: each run starts from the same empty schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for table in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f"DROP TABLE `{table}`"))
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))
    finally:
        engine.dispose()
    init = subprocess.run([sys.executable, "-m", "myems_api.cli", "db", "init"], env=env, cwd=REPO,
                          capture_output=True, text=True, check=False)
    if init.returncode:
        raise BenchError(f"myems db init failed:\n{init.stdout}{init.stderr}")


# ---------------------------------------------------------------------------------------------- the API
@dataclass
class Server:
    proc: subprocess.Popen[Any]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The gunicorn master (the ``myems serve`` process itself) and its workers."""
        return [self.proc.pid, *child_pids(self.proc.pid)]

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def start_server(stack: contextlib.ExitStack, env: dict[str, str], workers: int, threads: int,
                 logdir: Path) -> Server:
    """``myems serve`` as a child (via ``python -m`` so the pid is gunicorn's master, not a shim)."""
    port = free_port()
    log = logdir / "serve.log"
    out = stack.enter_context(log.open("w"))
    proc = subprocess.Popen([sys.executable, "-m", "myems_api.cli", "serve", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--threads", str(threads)],
                            env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    stack.callback(stop, proc, "myems serve")
    _wait_ready(server, workers)
    return server


def _wait_ready(server: Server, workers: int, timeout: float = 60.0) -> None:
    """/health answers 200 and every worker has forked, so no run measures a booting worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise BenchError(f"myems serve exited ({server.proc.returncode}):\n{server.log_tail()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _ = call(server.port, "GET", "/health")
            if status == 200 and len(child_pids(server.proc.pid)) >= workers:
                return
        time.sleep(0.2)
    raise BenchError(f"myems serve not ready after {timeout:.0f}s:\n{server.log_tail()}")


def call(port: int, method: str, path: str, data: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One request with a ``{"data": ...}`` body; answers (status, decoded JSON or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = None if data is None else json.dumps({"data": data})
        conn.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def login(port: int) -> dict[str, str]:
    status, user = call(port, "PUT", "/users/login", {"name": ADMIN_NAME, "password": ADMIN_PASSWORD})
    if status != 200:
        raise BenchError(f"login failed: {status} {user}")
    return {"User-UUID": user["uuid"], "Token": user["token"]}


def create_categories(port: int, headers: dict[str, str], count: int) -> list[int]:
    """Seed data through the API itself, as a client would; answers the new ids."""
    ids = []
    for n in range(count):
        status, body = call(port, "POST", "/energycategories", {
            "name": f"Bench category {n:02d}", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.8825,
        }, headers)
        if status != 201:
            raise BenchError(f"POST /energycategories answered {status}: {body}")
        ids.append(int(body["id"]))
    return ids


def check_endpoint(port: int, path: str, headers: dict[str, str]) -> None:
    """Refuse to measure an endpoint that does not answer 200 (401s are fast and would flatter us)."""
    status, body = call(port, "GET", path, headers=headers)
    if status != 200:
        raise BenchError(f"GET {path} answered {status}: {body}")


# ---------------------------------------------------------------------------------------------- load
@dataclass
class Load:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad_status: int  # wrk counts HTTP status >= 400 (its "Non-2xx or 3xx responses")
    socket_errors: int
    cpu_s: float | None  # the load generator's own CPU

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(wrk: str, url: str, headers: dict[str, str], connections: int, threads: int,
            duration: float, workdir: Path) -> Load:
    """wrk with a Lua ``done`` hook for exact figures; its CPU comes from wait4's rusage of that child."""
    script = workdir / "report.lua"
    script.write_text(WRK_LUA)
    out = workdir / "wrk.out"
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
            "-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with out.open("w") as stdout:
        proc = subprocess.Popen([*args, url], stdout=stdout, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # SIGTERM/Ctrl-C mid-run: wrk must not outlive us
            proc.kill()
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text()
    line = next((x for x in text.splitlines() if x.startswith("BENCH_JSON ")), None)
    if proc.returncode or line is None:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{text[-2000:]}")
    r = json.loads(line.removeprefix("BENCH_JSON "))
    return Load("wrk", r["requests"], r["duration_us"] / 1e6, r["p50_us"] / 1000, r["p99_us"] / 1000,
                r["status"], r["connect"] + r["read"] + r["write"] + r["timeout"],
                usage.ru_utime + usage.ru_stime)


def _python_client(port: int, path: str, headers: dict[str, str], deadline: float, out: Any) -> None:
    """One keep-alive connection in its own process (threads would share one GIL with each other)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    bad = errors = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        bad += resp.status >= 400
    conn.close()
    out.put((latencies, bad, errors))


def run_python_load(port: int, path: str, headers: dict[str, str], connections: int,
                    duration: float) -> Load:
    """The fallback when wrk cannot be had: slower and hungrier, so it understates the server."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    deadline = started + duration
    procs = [ctx.Process(target=_python_client, args=(port, path, headers, deadline, queue))
             for _ in range(connections)]
    try:
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
    finally:
        for p in procs:
            if p.is_alive() and time.monotonic() < deadline:  # interrupted: do not wait for the deadline
                p.terminate()
            if p.pid is not None:
                p.join()
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    latencies = sorted(x for lat, _, _ in results for x in lat)
    return Load("python", len(latencies), seconds, _percentile(latencies, 50) * 1000,
                _percentile(latencies, 99) * 1000, sum(r[1] for r in results), sum(r[2] for r in results),
                (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * pct / 100))]


# ---------------------------------------------------------------------------------------------- profile
def start_py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[Any] | None:
    """Sample one worker (non-blocking, so it is not paused) for the length of a run; None without py-spy."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("bench: py-spy not found (pip install py-spy); no profile", file=sys.stderr)
        return None
    return subprocess.Popen([py_spy, "record", "--nonblocking", "--full-filenames", "-r", "250",
                             "-d", str(max(1, int(seconds))), "-p", str(pid), "--format", "raw", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


LAYERS = (("myems_api/", "myems_api (ours)"), ("falcon/", "falcon"), ("gunicorn/", "gunicorn"),
          ("sqlalchemy/", "sqlalchemy"), ("mysql/connector/", "mysql-connector"))


def layer_of(frame: str) -> str:
    """The package a ``function (path:line)`` frame belongs to (needs py-spy's --full-filenames)."""
    for marker, name in LAYERS:
        if marker in frame:
            return name
    return "stdlib/other"


_PREFIX = re.compile(r"\((?:[^()]*/(?:site-packages|lib/python3\.\d+)/|" + re.escape(f"{REPO}/") + ")")


def _short(frame: str) -> str:
    """Drop the site-packages / checkout prefix so the top lists stay readable."""
    return _PREFIX.sub("(", frame, count=1)


def summarize_profile(path: Path, top: int = 15) -> str:
    """Where a worker's CPU samples land: by layer (stdlib time charged to the library that called it),
    and the top functions by self and by inclusive samples."""
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    total = sum(n for _, n in stacks)
    if not total:
        return f"(no samples in {path})"
    by_layer: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in stacks:
        owner = next((layer_of(f) for f in reversed(frames) if layer_of(f) != "stdlib/other"), "stdlib/other")
        leaf = layer_of(frames[-1])
        by_layer[owner if leaf == owner else f"{owner} -> stdlib/C"] += n
        self_[_short(frames[-1])] += n
        for f in set(frames):
            inclusive[_short(f)] += n

    def pct(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    lines = [f"profile {path.name}: {total} samples of threads py-spy saw as active (a wait inside a C call, "
             "e.g. a MariaDB round trip, can count as active)", "  by layer:"]
    lines += [f"    {pct(n)}  {name}" for name, n in by_layer.most_common()]
    lines += ["  top self:"] + [f"    {pct(n)}  {f}" for f, n in self_.most_common(top)]
    lines += ["  top inclusive:"] + [f"    {pct(n)}  {f}" for f, n in inclusive.most_common(top + 10)
                                     if not f.startswith(("process ", "thread "))][:top]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- measuring
@dataclass
class Row:
    endpoint: str
    load: Load
    wall_s: float
    workers_cpu_s: float
    workers_sys_s: float
    mariadb_cpu_s: float | None
    machine_cpu_s: float
    conns: list[int] = field(default_factory=list)  # per worker, sampled 1 s into the run
    profile: str = ""

    @property
    def other_cpu_s(self) -> float:
        """Busy CPU not accounted to the server, MariaDB or the load generator: background load."""
        ours = self.workers_cpu_s + (self.mariadb_cpu_s or 0.0) + (self.load.cpu_s or 0.0)
        return max(0.0, self.machine_cpu_s - ours)


@dataclass
class Bench:
    args: argparse.Namespace
    server: Server
    headers: dict[str, str]
    db_pid: int | None
    wrk: str | None
    workdir: Path
    rows: list[Row] = field(default_factory=list)

    def load(self, path: str, seconds: float) -> Load:
        if self.wrk:
            return run_wrk(self.wrk, self.server.base + path, self.headers, self.args.connections,
                           self.args.wrk_threads, seconds, self.workdir)
        return run_python_load(self.server.port, path, self.headers, self.args.connections, seconds)

    def measure(self, path: str) -> Row:
        """One run with the CPU of the server processes and of mariadbd read before and after."""
        check_endpoint(self.server.port, path, self.headers)
        if self.args.warmup > 0:
            self.load(path, self.args.warmup)  # fills the connection pools, warms caches
        pids = self.server.pids()
        spy_out = self.workdir / f"profile-{len(self.rows)}.txt"
        spy = start_py_spy(pids[1], self.args.duration, spy_out) if self.args.profile else None
        try:
            row = self._run(path, pids)
        except BaseException:
            if spy is not None:  # interrupted: py-spy must not outlive us
                spy.kill()
                spy.wait()
            raise
        if spy is not None:
            spy.wait()
            row.profile = self._keep_profile(spy_out, path)
        self.rows.append(row)
        return row

    def _run(self, path: str, pids: list[int]) -> Row:
        """The measured load, with the server's, MariaDB's and the machine's CPU read around it."""
        cpu0, sys0 = sum(map(cpu_seconds, pids)), system_seconds(pids)
        db0 = cpu_seconds(self.db_pid) if self.db_pid else None
        busy0 = machine_busy_seconds()
        wall0 = time.monotonic()
        conns: list[int] = []
        sampler = threading.Timer(1.0, lambda: conns.extend(connections_per_process(pids[1:], self.server.port)))
        sampler.start()
        load = self.load(path, self.args.duration)
        sampler.cancel()
        wall = time.monotonic() - wall0
        busy = machine_busy_seconds() - busy0
        cpu, sys_ = sum(map(cpu_seconds, pids)) - cpu0, system_seconds(pids) - sys0
        db = cpu_seconds(self.db_pid) - db0 if self.db_pid and db0 is not None else None
        return Row(f"GET {path}", load, wall, cpu, sys_, db, busy, conns)

    def _keep_profile(self, spy_out: Path, path: str) -> str:
        if not spy_out.exists():
            return "(py-spy wrote nothing; it needs ptrace rights over the worker)"
        self.args.profile.mkdir(parents=True, exist_ok=True)
        name = "list" if path.rstrip("/").endswith("categories") else "get"
        kept = self.args.profile / f"py-spy-{name}.txt"
        shutil.copyfile(spy_out, kept)
        return summarize_profile(kept)


# ---------------------------------------------------------------------------------------------- report
def conditions(args: argparse.Namespace, db: Database, wrk: str | None) -> str:
    """What the figures depend on: cores, background load, settings, driver implementation."""
    try:
        import mysql.connector

        driver = f"mysql-connector {mysql.connector.__version__} (C extension: {mysql.connector.HAVE_CEXT})"
    except ImportError:
        driver = "mysql-connector not importable"
    load1, load5, _ = os.getloadavg()
    return "\n".join([
        f"machine : {os.cpu_count()} CPUs, loadavg before start {load1:.2f}/{load5:.2f} (1/5 min), "
        f"Python {sys.version.split()[0]}",
        f"server  : myems serve --workers {args.workers} --threads {args.threads}, "
        f"MYEMS_AUTH_CACHE_SECONDS={os.environ.get('MYEMS_AUTH_CACHE_SECONDS', '(default 2)')}, {driver}",
        f"database: {_redact(db.url)} (mariadbd pid {db.pid or 'unknown'})",
        f"load    : {f'wrk -t{args.wrk_threads}' if wrk else 'python http.client processes'} "
        f"-c{args.connections} -d{args.duration:g}s keep-alive, warm-up {args.warmup:g}s",
    ])


def _redact(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


def _cpu(seconds: float | None, wall: float) -> str:
    return "n/a" if seconds is None else f"{seconds:6.1f} ({100 * seconds / wall:3.0f}%)"


def table(rows: list[Row]) -> str:
    head = (f"{'endpoint':<26} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} "
            f"{'CPU workers s':>14} {'CPU mariadb s':>14} {'CPU load s':>12} {'CPU other s':>12}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lo = r.load
        lines.append(f"{r.endpoint:<26} {lo.rps:8.0f} {lo.p50_ms:7.2f} {lo.p99_ms:7.2f} "
                     f"{lo.bad_status + lo.socket_errors:7d} {_cpu(r.workers_cpu_s, r.wall_s):>14} "
                     f"{_cpu(r.mariadb_cpu_s, r.wall_s):>14} {_cpu(lo.cpu_s, r.wall_s):>12} "
                     f"{_cpu(r.other_cpu_s, r.wall_s):>12}")
    lines.append(f"(CPU: seconds over the run and % of one core; the machine has {os.cpu_count()} cores = "
                 f"{100 * (os.cpu_count() or 1)}%; 'load' is the load generator, 'other' is everything else "
                 "running on the machine)")
    for r in rows:
        n = max(1, r.load.requests)
        db = "n/a" if r.mariadb_cpu_s is None else f"{1e6 * r.mariadb_cpu_s / n:.0f} us"
        lines.append(f"per request, {r.endpoint}: workers {1e6 * r.workers_cpu_s / n:.0f} us "
                     f"(of which kernel {1e6 * r.workers_sys_s / n:.0f} us), mariadb {db}"
                     f"; {r.load.requests} requests, {r.load.socket_errors} socket errors; connections per "
                     f"worker {'/'.join(map(str, r.conns)) or '?'}")
    return "\n".join(lines)


def goal_lines(rows: list[Row]) -> str:
    lines = [f"goal: >= {GOAL_RPS:,.0f} req/s and p99 <= {GOAL_P99_MS:g} ms "
             f"(reference implementation: {REFERENCE_RPS:g} req/s on GET /energycategories)"]
    for r in rows:
        ok = r.load.rps >= GOAL_RPS and r.load.p99_ms <= GOAL_P99_MS
        lines.append(f"  {r.endpoint:<26} {'MET' if ok else 'NOT MET'}  "
                     f"({r.load.rps / GOAL_RPS:.0%} of goal rate, {r.load.rps / REFERENCE_RPS:.1f}x reference)")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=20, help="seconds per endpoint (default 20)")
    p.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections (default 8)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker (default 1, as myems serve)")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each run (default 2)")
    p.add_argument("--categories", type=int, default=10, help="energy categories to create (default 10)")
    p.add_argument("--url", default=os.environ.get("MYEMS_TEST_MYSQL_URL", ""),
                   help="MariaDB URL (default $MYEMS_TEST_MYSQL_URL, else start a throwaway one); "
                        "its tables are DROPPED")
    p.add_argument("--mariadb-port", type=int, default=33406, help="port for a throwaway MariaDB")
    p.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    p.add_argument("--profile", type=Path, metavar="DIR",
                   help="py-spy one worker during each run; raw stacks saved in DIR (figures are perturbed)")
    return p.parse_args(argv)


def server_env(db_url: str) -> dict[str, str]:
    env = {**os.environ, "MYEMS_DB_URL": db_url, "MYEMS_ADMIN_PASSWORD": ADMIN_PASSWORD}
    for key in ("MYEMS_HISTORICAL_DB_URL", "MYEMS_ENERGY_DB_URL"):
        env.pop(key, None)  # every store on the bench database
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _raise_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so the ExitStack still stops every child."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> list[Row]:
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="myems-bench.")))
    if args.url:
        port = urlsplit(args.url.replace("mysql+mysqlconnector", "mysql")).port or 3306
        db = Database(args.url, find_mariadbd(port))
    else:
        db = start_mariadb(stack, args.mariadb_port)
    wrk = None if args.python_load else ensure_tool("wrk", "wrk")
    env = server_env(db.url)
    print(conditions(args, db, wrk), flush=True)
    reset_schema(db.url, env)
    server = start_server(stack, env, args.workers, args.threads, workdir)
    headers = login(server.port)
    ids = create_categories(server.port, headers, args.categories)
    bench = Bench(args, server, headers, db.pid, wrk, workdir)
    for path in ("/energycategories", f"/energycategories/{ids[0]}"):
        row = bench.measure(path)
        print(f"  measured {row.endpoint}: {row.load.rps:.0f} req/s, p99 {row.load.p99_ms:.2f} ms", flush=True)
    if server.proc.poll() is not None:
        raise BenchError(f"myems serve died during the run:\n{server.log_tail()}")
    return bench.rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _raise_on_sigterm()
    try:
        with contextlib.ExitStack() as stack:
            rows = run(args, stack)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    print()
    print(table(rows))
    print(goal_lines(rows))
    for r in rows:
        if r.profile:
            print(f"\n{r.endpoint}\n{r.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
