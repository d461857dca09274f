"""Modbus TCP data sources read with pymodbus's asyncio client, one connection per data source.

A read never raises and never stalls its caller for a device problem:

- every request is bounded by ``timeout``; an error response or a timeout marks only that request's points
  bad, and a slave that timed out is not asked again within the same read (so a silent slave costs one
  timeout per read, not one per request);
- a lost connection is reopened at once; a failed connect marks the rest of the read bad and starts a
  backoff (``backoff_min`` doubling up to ``backoff_max`` seconds) during which reads answer bad at once
  without touching the network; the first successful connect ends it.

Requests bridge small gaps between points (see ``acquisition.modbus_plan.plan``). A device that refuses
such a read with ILLEGAL DATA ADDRESS (it does not define an address in the gap) has the request re-asked
as gap-free requests at once, and that slave and function code are planned gap-free from then on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.constants import ExcCodes
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.pdu import ModbusPDU

from acquisition.modbus_plan import BIT_GAP, REGISTER_GAP, DecodeError, Request, address_of, encode, plan, readings
from acquisition.readings import PointSpec, Reading, WriteError, utc_now

log = logging.getLogger(__name__)


class ModbusTcpDriver:
    """One Modbus TCP data source (a device or a gateway to several slaves); implements ``Driver``.

    ``requests_sent`` counts the requests put on the wire and ``connects`` the connection attempts, for the
    worker's statistics (and for tests to check coalescing and backoff); ``last_error`` says what failed last.
    """

    def __init__(self, host: str, port: int = 502, timeout: float = 3.0, *, backoff_min: float = 1.0,
                 backoff_max: float = 60.0, register_gap: int = REGISTER_GAP, bit_gap: int = BIT_GAP,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.register_gap, self.bit_gap = register_gap, bit_gap
        self.clock = clock
        self.requests_sent = 0
        self.connects = 0
        self.last_error = ""
        self._client: AsyncModbusTcpClient | None = None
        self._backoff = 0.0  # the current delay after a failed connect; 0 while connects succeed
        self._retry_at = 0.0  # clock() before which no connect is attempted
        self._strict: set[tuple[int, int]] = set()  # (slave, function code) read gap-free

    async def read(self, points: Sequence[PointSpec]) -> list[Reading]:
        """One reading per point, in order; unreadable points (or unusable addresses) come back bad."""
        answers: dict[int, Reading] = {}
        silent: set[int] = set()
        pending = deque(self._plan(points))
        while pending:
            request = pending.popleft()
            if request.slave_id in silent:
                continue
            client = await self._connection()
            if client is None:
                break
            outcome = await self._run(client, request)
            if outcome is None:
                silent.add(request.slave_id)
                continue
            got, retry = outcome
            answers.update((r.point_id, r) for r in got)
            pending.extendleft(reversed(retry))
        utc = utc_now()
        return [answers.get(p.id) or Reading.bad(p.id, utc) for p in points]

    async def write(self, point: PointSpec, raw: float) -> float | None:
        """Writes ``raw`` (already unscaled) to the point's coil or holding registers, then answers the value
        read back (scaled); :class:`WriteError` when the device refuses or does not answer."""
        try:
            address = address_of(point)
        except DecodeError as exc:
            raise WriteError(str(exc)) from exc
        client = await self._connection()
        if client is None:
            raise WriteError(self.last_error or "device unreachable")
        slave = address.slave_id
        if address.function_code == 1:
            sending = client.write_coil(address.offset, bool(raw), device_id=slave)
        else:
            words = encode(address, raw)
            sending = (client.write_register(address.offset, words[0], device_id=slave) if len(words) == 1
                       else client.write_registers(address.offset, words, device_id=slave))
        self.requests_sent += 1
        try:
            response = await asyncio.wait_for(sending, self.timeout)
        except (TimeoutError, ModbusException) as exc:
            await self.close()
            raise WriteError(f"slave {slave}: no answer to the write within {self.timeout} s") from exc
        if response.isError():
            raise WriteError(f"slave {slave}: refused the write ({response})")
        (reading,) = await self.read([point])
        return reading.value

    async def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def _connection(self) -> AsyncModbusTcpClient | None:
        """The open connection, a new one, or None while backing off or when connecting fails."""
        if self._client is not None:
            if self._client.connected:
                return self._client
            await self.close()
        if self.clock() < self._retry_at:
            return None
        client = AsyncModbusTcpClient(self.host, port=self.port, timeout=self.timeout, retries=0,
                                      reconnect_delay=0)
        self.connects += 1
        try:
            connected, why = await asyncio.wait_for(client.connect(), self.timeout), "refused or unreachable"
        except (TimeoutError, OSError, ModbusException) as exc:
            connected, why = False, repr(exc)
        if not connected:
            client.close()
            self._backoff = min(max(2 * self._backoff, self.backoff_min), self.backoff_max)
            self._retry_at = self.clock() + self._backoff
            self.last_error = f"connect: {why}"
            log.warning("modbus %s:%s unreachable, next try in %.1f s", self.host, self.port, self._backoff)
            return None
        self._client, self._backoff, self.last_error = client, 0.0, ""
        return client

    def _plan(self, points: Sequence[PointSpec]) -> list[Request]:
        """The coalesced requests, gap-free for the (slave, function code) pairs that refused gaps."""
        strict: list[PointSpec] = []
        loose: list[PointSpec] = []
        for p in points:
            key = (p.address.get("slave_id"), p.address.get("function_code"))
            (strict if key in self._strict else loose).append(p)
        requests = plan(loose, register_gap=self.register_gap, bit_gap=self.bit_gap)
        requests += plan(strict, register_gap=0, bit_gap=0)
        return sorted(requests, key=lambda r: (r.slave_id, r.function_code, r.start))

    def _split(self, request: Request, response: ModbusPDU) -> list[Request]:
        """Gap-free requests for a bridged read the device refused; none when that would not help.

        A gap-free request splits into itself, so a refused part is never split again.
        """
        if response.exception_code != ExcCodes.ILLEGAL_ADDRESS:
            return []
        parts = plan([p for p, _ in request.points], register_gap=0, bit_gap=0)
        if len(parts) < 2:
            return []
        key = (request.slave_id, request.function_code)
        self._strict.add(key)
        log.info("modbus %s:%s slave %s refuses reads across gaps of function %s: reading gap-free",
                 self.host, self.port, *key)
        return parts

    async def _run(self, client: AsyncModbusTcpClient,
                   request: Request) -> tuple[list[Reading], list[Request]] | None:
        """The request's readings and any requests to ask instead; None when it got no answer in time.

        Its points are bad on an error answer or a lost connection.
        """
        self.requests_sent += 1
        try:
            response = await asyncio.wait_for(_send(client, request), self.timeout)
        except (TimeoutError, ModbusIOException):
            self.last_error = f"slave {request.slave_id}: no answer within {self.timeout} s"
            return None
        except ConnectionException as exc:
            self.last_error = f"connection: {exc!r}"
            await self.close()
            return _bad(request), []
        except Exception as exc:  # a malformed frame from a device is a device problem, not the caller's
            self.last_error = f"request: {exc!r}"
            return _bad(request), []
        if response.isError():
            retry = self._split(request, response)
            if not retry:
                self.last_error = f"slave {request.slave_id}: error answer {response}"
                return _bad(request), []
            return [], retry
        return readings(request, response.bits if request.is_bits else response.registers, utc_now()), []


async def _send(client: AsyncModbusTcpClient, request: Request) -> ModbusPDU:
    calls = {1: client.read_coils, 2: client.read_discrete_inputs,
             3: client.read_holding_registers, 4: client.read_input_registers}
    return await calls[request.function_code](request.start, count=request.count, device_id=request.slave_id)


def _bad(request: Request) -> list[Reading]:
    utc = utc_now()
    return [Reading.bad(point.id, utc) for point, _ in request.points]
