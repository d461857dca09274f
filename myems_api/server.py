"""Run the app under gunicorn. Each worker builds its own app, so each has its own connection pool."""

from __future__ import annotations

import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from myems_api.app import create_app
from myems_api.config import Config


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, but a worker that just took a connection steps back from the listener for a moment.

    All workers wait on one listening socket and whichever wakes first takes the connection; a burst of
    keep-alive clients (a load balancer's pool, a benchmark) can then land on one worker while the others
    idle, halving throughput (measured: 8 connections split 8/0 gave ~2,100 req/s, 4/4 ~3,900). Pausing
    half a millisecond per connection already held lets idle siblings take the next ones.
    """

    def accept(self, listener: Any) -> None:
        super().accept(listener)
        time.sleep(min(self.nr_conns, 10) * 0.0005)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config_obj = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.config_obj)


def gunicorn_options(bind: str, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": bind, "workers": max(1, workers), "threads": max(1, threads),
        "worker_class": f"{__name__}.BalancedThreadWorker",
        "keepalive": 30, "preload_app": False, "accesslog": None, "errorlog": "-", "loglevel": "info",
        "proc_name": "myems-api", "limit_request_line": 8190, "timeout": 60,
        # One control socket per user ($HOME/.gunicorn) would be shared by every server on the machine.
        "control_socket_disable": True,
    }


def serve(config: Config, bind: str = "127.0.0.1:8000", workers: int = 2, threads: int = 1) -> None:
    GunicornServer(config, gunicorn_options(bind, workers, threads)).run()
