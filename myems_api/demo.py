"""``myems demo``: the newcomer's one command. Embedded SQLite, a demo campus with a week of simulated
history aggregated to hourly energy, the API, and simulated acquisition and aggregation running beside it.

The administrator's password is reset on every demo run (to ``MYEMS_ADMIN_PASSWORD`` or a fresh random
one) so the printed credentials always work; a demo database is never a production one.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import sqlalchemy as sa

from aggregation.runner import Aggregation
from myems_api.app import default_families
from myems_api.auth import Passwords
from myems_api.config import Config
from myems_api.db import schema
from myems_api.db.engines import Databases
from myems_api.db.setup import ADMIN_NAME, init_database
from myems_api.demo_history import seed_history
from myems_api.demo_site import SITE, seed_demo_site
from myems_api.engine.family import Registry
from myems_api.engine.fields import Context


def _reset_admin_password(databases: Databases, passwords: Passwords, password: str) -> None:
    with databases.system.begin() as conn:
        conn.execute(sa.update(schema.users).where(schema.users.c.name == ADMIN_NAME).values(
            password_hash=passwords.hash(password), failed_login_count=0, locked_until_utc=None))


def _call(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the API server exited during start-up")
        try:
            _call(url + "/health")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("the API server did not answer /health in time")


def run_demo(config: Config, bind: str = "127.0.0.1:8000", smoke: bool = False, history_days: int = 35) -> int:
    databases = Databases(config.store_urls)
    passwords = Passwords(n=config.scrypt_n)
    password = config.admin_password or secrets.token_urlsafe(12)
    init_database(databases, passwords, password, config.utc_offset)
    _reset_admin_password(databases, passwords, password)
    seed_demo_site(databases, Registry(default_families()), Context(tz=config.tz))
    seed_history(databases, days=history_days)
    Aggregation(databases).run_once()
    databases.dispose()

    url = f"http://{bind}"
    env = {**os.environ, "MYEMS_DB_URL": config.db_url}
    signal.signal(signal.SIGTERM, _stop)  # a SIGTERM, like Ctrl-C, stops the children before the demo ends
    server = subprocess.Popen([sys.executable, "-m", "myems_api.cli", "serve", "--bind", bind, "--workers", "1"],
                              env=env)
    acquisition = subprocess.Popen([sys.executable, "-m", "myems_api.cli", "acquisition", "--protocol", "simulation",
                                    "--reload-seconds", "10"], env=env)
    aggregation = subprocess.Popen([sys.executable, "-m", "myems_api.cli", "aggregation", "--loop", "--interval", "60"],
                                   env=env)
    try:
        _wait_ready(url, server)
        login = _call(url + "/users/login", "PUT", {"data": {"name": ADMIN_NAME, "password": password}})
        auth = f'-H "User-UUID: {login["uuid"]}" -H "Token: {login["token"]}"'
        body = json.dumps({"data": {"name": ADMIN_NAME, "password": password}})
        print(f"""
MyEMS demo is serving at {url} (database: {config.db_url})

  user:     {ADMIN_NAME}
  password: {password}

Try:
  curl -s {url}/health
  curl -s -X PUT -H "Content-Type: application/json" -d '{body}' {url}/users/login
  curl -s {auth} {url}/energycategories
  curl -s {auth} {url}/spaces/tree
  curl -s {auth} {url}/combinedequipments
  curl -s {auth} {url}/datasources/1/status
""", flush=True)
        if smoke:
            headers = {"User-UUID": login["uuid"], "Token": login["token"]}
            categories = _call(url + "/energycategories", headers=headers)
            expected = sum(1 for family, _ in SITE if family == "energy_category")
            tree = _call(url + "/spaces/tree", headers=headers)  # one root: the campus and its two buildings
            campus_ok = isinstance(tree, dict) and len(tree.get("children", [])) == 2
            ok = (_call(url + "/health")["status"] == "ok" and len(categories) >= expected and campus_ok
                  and _acquired(url, headers))
            print("smoke check:", "passed" if ok else "FAILED", flush=True)
            return 0 if ok else 1
        print("Press Ctrl-C to stop.", flush=True)
        server.wait()
        return server.returncode or 0
    except KeyboardInterrupt:
        print("stopping the demo", flush=True)
        return 0
    finally:
        for process in (aggregation, acquisition, server):
            if process.poll() is None:
                process.terminate()
        for process in (aggregation, acquisition, server):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _acquired(url: str, headers: dict[str, str], seconds: float = 20) -> bool:
    """Simulated acquisition has read the demo's data sources (they show online) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sources = _call(url + "/datasources", headers=headers)
        if sources and all(s["status"] == "online" for s in sources):
            return True
        time.sleep(0.5)
    return False
