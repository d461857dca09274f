"""Real protocol peers on loopback for integration tests, each a child process stopped after use."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
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


def mariadb_binaries() -> dict[str, str] | None:
    """The server, its installer and its client (Debian puts the server in /usr/sbin); None when one is missing."""
    found = {name: shutil.which(name) or next((p for p in (f"/usr/sbin/{name}",) if Path(p).exists()), None)
             for name in ("mariadbd", "mariadb-install-db", "mariadb")}
    return None if None in found.values() else {name: str(path) for name, path in found.items()}


class MariaDB:
    """A throwaway MariaDB on loopback that a test can stop and start again on the same data and port.

    The data directory is initialised once in ``workdir`` (as scripts/mariadb-throwaway.sh does), with a
    database and a password user reachable over TCP; :attr:`url` is its SQLAlchemy URL. The unix socket (root's
    admin path) lives in a short temporary directory: pytest's ``tmp_path`` can exceed the 107-byte limit.
    """

    database, user, password = "myems_test", "myems", "myems-test"

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        binaries = mariadb_binaries()
        if binaries is None:
            raise RuntimeError("mariadbd, mariadb-install-db and mariadb are needed (Debian: mariadb-server)")
        self.binaries = binaries
        self.workdir = workdir
        self.datadir = workdir / "data"
        self.port = port or free_port()
        self.socket_dir = Path(tempfile.mkdtemp(prefix="mdb-"))
        self.socket = self.socket_dir / "s.sock"
        self.log = workdir / "err.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mysql+mysqlconnector://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def initialise(self) -> None:
        """A fresh data directory, the server started, and the test database and user created."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        install = subprocess.run(
            [self.binaries["mariadb-install-db"], "--no-defaults", f"--datadir={self.datadir}", "--user=root",
             "--skip-test-db"], capture_output=True, timeout=60, check=False)
        if install.returncode:
            raise RuntimeError(f"mariadb-install-db failed: {install.stdout!r} {install.stderr!r}")
        self.start()
        sql = (f"CREATE DATABASE IF NOT EXISTS {self.database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
               f"CREATE USER IF NOT EXISTS '{self.user}'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
               f"GRANT ALL PRIVILEGES ON {self.database}.* TO '{self.user}'@'127.0.0.1'; FLUSH PRIVILEGES;")
        subprocess.run([self.binaries["mariadb"], "--no-defaults", f"--socket={self.socket}", "-u", "root", "-e", sql],
                       capture_output=True, timeout=30, check=True)

    def start(self, timeout: float = 30.0) -> None:
        """Starts the server on the existing data directory and port; returns once it accepts connections."""
        if self.running:
            return
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binaries["mariadbd"], "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
                 f"--pid-file={self.workdir / 'm.pid'}", f"--port={self.port}", "--bind-address=127.0.0.1",
                 "--user=root", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                 "--innodb-flush-log-at-trx-commit=2", f"--log-error={self.log}"],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {self.log.read_text(errors='replace')[-2000:]}")
            with socket.socket() as probe:
                if self.socket.exists() and probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mariadbd not ready within {timeout} s")
            time.sleep(0.05)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a clean shutdown) and wait for the process; killed if it outlives ``timeout``."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def mariadb(workdir: Path) -> Iterator[MariaDB]:
    """A running :class:`MariaDB` in ``workdir`` (``.url``, ``.stop()``, ``.start()``), always stopped at the end."""
    server = MariaDB(workdir)
    try:
        server.initialise()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.socket_dir, ignore_errors=True)
