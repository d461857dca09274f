import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from myems_api.cli import build_parser, main
from myems_api.db import reference, schema


def _subcommand_paths(parser: argparse.ArgumentParser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommand_paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", [(), *_subcommand_paths(build_parser())], ids=lambda p: " ".join(p) or "myems")
def test_every_command_answers_help(path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    assert "usage: myems" in capsys.readouterr().out


def _counts(url):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                  for t in (schema.timezones, schema.protocols, schema.menus, schema.users)}
    engine.dispose()
    return counts


def test_db_init_is_idempotent_and_prints_a_generated_password_once(empty_db_url, monkeypatch, capsys):
    db_url = empty_db_url
    monkeypatch.setenv("MYEMS_DB_URL", db_url)
    monkeypatch.delenv("MYEMS_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("MYEMS_SCRYPT_N", "256")
    assert main(["db", "init"]) == 0
    first = capsys.readouterr().out
    assert "with password:" in first
    assert main(["db", "init"]) == 0
    second = capsys.readouterr().out
    assert "password" not in second
    assert _counts(db_url) == {"tbl_timezones": len(reference.TIMEZONES), "tbl_protocols": len(reference.PROTOCOLS),
                               "tbl_menus": len(reference.MENUS), "tbl_users": 1}


def test_a_bad_setting_stops_the_command_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("MYEMS_UTC_OFFSET", "eight")
    assert main(["db", "init"]) == 2
    assert "MYEMS_UTC_OFFSET" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--source", "sqlite:///myems.sqlite"], "must be a mysql+mysqlconnector:// URL"),
    (["--source", "mysql+mysqlconnector://u:p@127.0.0.1:1/myems_system_db"], "names the server only"),
    (["--source", "mysql+mysqlconnector://u:p@127.0.0.1:1/", "--only", "system,assets"], "unknown database group"),
    (["--source", "mysql+mysqlconnector://u:p@127.0.0.1:1/", "--database", "historical=x;y"], "bad name"),
    (["--source", "mysql+mysqlconnector://u:p@127.0.0.1:1/"], "cannot connect to the source"),
])
def test_import_myems_refuses_a_source_it_cannot_read_with_exit_status_2(empty_db_url, monkeypatch, capsys,
                                                                         args, message):
    monkeypatch.setenv("MYEMS_DB_URL", empty_db_url)
    assert main(["db", "import-myems", *args]) == 2
    assert message in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_on_sqlite_and_its_printed_requests_work(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYEMS_")}
    env["MYEMS_SCRYPT_N"] = "1024"
    result = subprocess.run([sys.executable, "-m", "myems_api.cli", "demo", "--smoke", "--history-days", "2",
                             "--bind", f"127.0.0.1:{_free_port()}"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke check: passed" in result.stdout
    assert "password:" in result.stdout and result.stdout.count("curl -s") == 6
    assert (tmp_path / "var" / "demo.sqlite").is_file()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found.add(child)
            pending.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_demo_stops_the_api_acquisition_and_aggregation_with_it(tmp_path, signum):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYEMS_")}
    env["MYEMS_SCRYPT_N"] = "1024"
    demo = subprocess.Popen([sys.executable, "-m", "myems_api.cli", "demo", "--history-days", "1", "--bind",
                             f"127.0.0.1:{_free_port()}"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            if "Press Ctrl-C to stop." in line:
                break
        children = _descendants(demo.pid)
        assert len(children) >= 3  # the API (and its worker), acquisition and aggregation
        demo.send_signal(signum)
        assert demo.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in children if _alive(pid)] == []
    finally:
        if demo.poll() is None:
            demo.kill()
