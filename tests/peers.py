"""Real protocol peers on loopback for integration tests, each a child process stopped after use."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def mosquitto_binary() -> str | None:
    """Debian installs mosquitto in /usr/sbin, which is not always on PATH."""
    return shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto",) if Path(p).exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def mosquitto(workdir: Path, port: int | None = None) -> Iterator[int]:
    """A mosquitto broker on loopback (a fresh port unless ``port`` is given, as for a restart); yields the
    port. Its log goes to a file in ``workdir``: a pipe nobody reads could fill and stall the broker."""
    binary = mosquitto_binary() or "mosquitto"
    port = port or free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n")
    log_path = workdir / f"mosquitto-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {log_path.read_text(errors='replace')}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
