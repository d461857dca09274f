"""The loop a long-running worker command runs (``myems aggregation --loop``, ``myems messages``): one pass,
then a pause, until SIGTERM or Ctrl-C, a failed pass logged and retried rather than ending a service that
runs for years."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType


def run_until_stopped(one_pass: Callable[[], object], interval: float, log: logging.Logger, what: str) -> int:
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    while not stop.is_set():
        try:
            one_pass()
        except Exception:  # noqa: BLE001 - the service goes on; the next pass may well succeed
            log.exception("%s failed; retrying in %.0f s", what, interval)
        stop.wait(interval)
    return 0
