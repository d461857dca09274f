"""Modbus read planning and decoding: which requests to send for a set of points, and what each answer means.

Pure functions, no I/O, so the rules below are tested without a device (the driver in
``acquisition.drivers.modbus_tcp`` only sends what :func:`plan` returns and hands answers to :func:`readings`).

A point's ``address`` is the one the API validates (``myems_api.resources.point_address``): ``slave_id``,
``function_code`` (1 coils, 2 discrete inputs, 3 holding registers, 4 input registers), ``offset`` (0-based
protocol address of the first register or bit), ``number_of_registers`` (a bit count for function codes 1/2),
and for registers a struct ``format`` (or a MyEMS ``data_format`` name) plus an optional ``byte_order``.

Byte orders name where a value's bytes sit on the wire, ``A`` being its most significant byte; the registers
of a point are first put back into ``ABCD`` order, and that byte string is what the struct format unpacks:

- ``ABCD`` (default): as sent, big-endian words in big-endian order.
- ``CDAB``: the words are in reverse order (least significant word first), bytes within a word as sent.
- ``BADC``: the words are in order, the two bytes of every word are swapped.
- ``DCBA``: all bytes reversed (both of the above).

A format's own byte order char applies to that ``ABCD`` byte string: ``">f"`` with ``ABCD`` reads a plain
big-endian float, ``"<f"`` with ``ABCD`` reads the same four wire bytes as a little-endian float, which is
the same as ``">f"`` with ``DCBA``. A format without an explicit order (``"f"``, ``"@f"``, ``"=f"``) is read
big-endian with standard sizes (Modbus is big-endian; the host's byte order must not change a point's value).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acquisition.readings import PointSpec, Reading, judged
from myems_api.resources.point_address import BYTE_ORDERS, DATA_FORMATS, STRUCT_FORMAT

BIT_FUNCTIONS = (1, 2)
REGISTER_FUNCTIONS = (3, 4)
MAX_REGISTERS = 125  # per read request, function codes 3/4 (Modbus application protocol, 6.3/6.4)
MAX_BITS = 2000  # per read request, function codes 1/2 (6.1/6.2)
REGISTER_GAP = 8  # unused registers read to save a request; a larger gap starts a new request
BIT_GAP = 64


class DecodeError(ValueError):
    """A point whose address or answer cannot give a value: the point reads bad."""


@dataclass(frozen=True)
class Address:
    """A point's Modbus address, checked: ``count`` registers or bits from ``offset``; ``fmt`` is explicit."""

    slave_id: int
    function_code: int
    offset: int
    count: int
    fmt: str = ""  # struct format with an explicit byte order char; empty for bits
    byte_order: str = "ABCD"

    @property
    def end(self) -> int:
        return self.offset + self.count


@dataclass(frozen=True)
class Request:
    """One read request: ``count`` registers or bits from ``start`` on one slave with one function code.

    ``points`` pairs each point with its position: the index of its first register or bit in the answer.
    """

    slave_id: int
    function_code: int
    start: int
    count: int
    points: tuple[tuple[PointSpec, int], ...]

    @property
    def is_bits(self) -> bool:
        return self.function_code in BIT_FUNCTIONS


def _int(a: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = a.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DecodeError(f"{key} must be an integer in {low}..{high}, not {value!r}")
    return value


def _explicit(fmt: str) -> str:
    """The format with an explicit, host independent byte order: none, ``@`` and ``=`` mean big-endian."""
    if fmt[:1] in ("<", ">", "!"):
        return fmt
    return ">" + fmt.lstrip("@=")


def address_of(point: PointSpec) -> Address:
    """The point's checked address; raises :class:`DecodeError` for one no request can read.

    Beyond the API's checks, a point must end within the 65536 addresses and a register format must fill
    exactly its registers with standard sizes (``"l"`` is 4 bytes here, whatever the host's C long).
    """
    a = point.address
    slave_id = _int(a, "slave_id", 1, 247)
    function_code = _int(a, "function_code", 1, 4)
    offset = _int(a, "offset", 0, 65535)
    bits = function_code in BIT_FUNCTIONS
    count = _int(a, "number_of_registers", 1, MAX_BITS if bits else MAX_REGISTERS)
    if offset + count > 65536:
        raise DecodeError(f"{count} from offset {offset} pass the last address 65535")
    if bits:
        return Address(slave_id, function_code, offset, count)
    fmt = a.get("format") or DATA_FORMATS.get(str(a.get("data_format", "")).lower())
    if not isinstance(fmt, str) or not STRUCT_FORMAT.fullmatch(fmt):
        raise DecodeError(f"no usable format in {dict(a)!r}")
    fmt = _explicit(fmt)
    if struct.calcsize(fmt) != 2 * count:
        raise DecodeError(f"format {fmt!r} does not fill {count} registers")
    byte_order = a.get("byte_order", "ABCD")
    if byte_order not in BYTE_ORDERS:
        raise DecodeError(f"unknown byte_order {byte_order!r}")
    return Address(slave_id, function_code, offset, count, fmt, byte_order)


def plan(points: Sequence[PointSpec], *, register_gap: int = REGISTER_GAP, bit_gap: int = BIT_GAP) -> list[Request]:
    """The fewest read requests covering the points, in (slave, function code, start) order.

    Points are grouped by (slave_id, function_code) and sorted by offset; a point joins the current request
    when the gap after what that request covers is at most ``register_gap`` registers (``bit_gap`` bits for
    function codes 1/2; overlapping points have no gap) and the request stays within 125 registers (2000
    bits). A gap of 0 only merges adjacent or overlapping points: use it for devices that refuse to read
    addresses they do not define. Points with an address :func:`address_of` refuses are left out: the
    caller answers them bad.
    """
    groups: dict[tuple[int, int], list[tuple[Address, PointSpec]]] = {}
    for point in points:
        try:
            address = address_of(point)
        except DecodeError:
            continue
        groups.setdefault((address.slave_id, address.function_code), []).append((address, point))
    requests: list[Request] = []
    for (slave_id, function_code), members in sorted(groups.items()):
        bits = function_code in BIT_FUNCTIONS
        gap, limit = (bit_gap, MAX_BITS) if bits else (register_gap, MAX_REGISTERS)
        members.sort(key=lambda m: (m[0].offset, m[0].count))
        start, end, chosen = members[0][0].offset, members[0][0].end, [members[0]]
        for address, point in members[1:]:
            if address.offset - end <= gap and max(end, address.end) - start <= limit:
                end = max(end, address.end)
                chosen.append((address, point))
                continue
            requests.append(_request(slave_id, function_code, start, end, chosen))
            start, end, chosen = address.offset, address.end, [(address, point)]
        requests.append(_request(slave_id, function_code, start, end, chosen))
    return requests


def _request(slave_id: int, function_code: int, start: int, end: int,
             members: list[tuple[Address, PointSpec]]) -> Request:
    return Request(slave_id, function_code, start, end - start, tuple((p, a.offset - start) for a, p in members))


def to_abcd(data: bytes, byte_order: str) -> bytes:
    """The wire bytes of one value put in ``ABCD`` (big-endian) order; an even length is assumed.

    Each reordering is its own inverse, so the same call also turns an ``ABCD`` value into wire order.
    For one register ``CDAB`` changes nothing and ``DCBA`` equals ``BADC``; for four registers ``CDAB``
    reverses the order of all four words.
    """
    words = [data[i:i + 2] for i in range(0, len(data), 2)]
    if byte_order == "ABCD":
        return data
    if byte_order == "CDAB":
        return b"".join(reversed(words))
    if byte_order == "BADC":
        return b"".join(w[::-1] for w in words)
    if byte_order == "DCBA":
        return data[::-1]
    raise DecodeError(f"unknown byte_order {byte_order!r}")


def _registers_value(address: Address, registers: Sequence[int | bool]) -> float:
    if not all(isinstance(r, int) and 0 <= r <= 0xFFFF for r in registers):
        raise DecodeError(f"not 16-bit registers: {list(registers)!r}")
    wire = b"".join(r.to_bytes(2, "big") for r in registers)
    value = float(struct.unpack(address.fmt, to_abcd(wire, address.byte_order))[0])
    if not math.isfinite(value):
        raise DecodeError(f"{value} is not a measurement")
    return value


def decode(point: PointSpec, registers_or_bits: Sequence[int | bool], request: Request) -> float:
    """The raw (unscaled) value of ``point`` in the answer to ``request``.

    ``registers_or_bits`` is the whole answer: 16-bit register values (0-65535) for function codes 3/4,
    bits for 1/2 (a bit answer may be padded to a multiple of 8). Registers are reordered per
    ``byte_order`` and unpacked with the format (see the module docstring); a 64-bit integer beyond 2**53
    loses precision as a float. Bits give 0 or 1; a point of several bits gives the unsigned integer with
    its first (lowest address) bit least significant. Raises :class:`DecodeError` (a ``ValueError``) for an
    address no request can read, an answer too short, and NaN or infinite floats.
    """
    address = address_of(point)
    position = address.offset - request.start
    chunk = registers_or_bits[position:position + address.count]
    if position < 0 or len(chunk) < address.count:
        raise DecodeError(f"point {point.id} is not in the answer to {request.start}+{request.count}")
    if request.is_bits:
        return float(sum(1 << i for i, bit in enumerate(chunk) if bit))
    return _registers_value(address, chunk)


def readings(request: Request, registers_or_bits: Sequence[int | bool], utc: datetime) -> list[Reading]:
    """One reading per point of the request: decoded, scaled and limit-checked, or bad when undecodable."""
    answers = []
    for point, _ in request.points:
        try:
            answers.append(judged(point, decode(point, registers_or_bits, request), utc))
        except DecodeError:
            answers.append(Reading.bad(point.id, utc))
    return answers


def encode(address: Address, raw: float) -> list[int]:
    """The registers that hold ``raw`` at ``address`` (the inverse of :func:`decode`); :class:`DecodeError`
    when the value does not fit the format (a fraction for an integer, out of its range, not finite)."""
    if not math.isfinite(raw):
        raise DecodeError(f"{raw} cannot be written")
    integer = address.fmt[-1] not in "efd"
    if integer and not float(raw).is_integer():
        raise DecodeError(f"{raw} is not an integer, as format {address.fmt!r} needs")
    try:
        packed = struct.pack(address.fmt, int(raw) if integer else raw)
    except (struct.error, OverflowError) as exc:
        raise DecodeError(f"{raw} does not fit format {address.fmt!r}") from exc
    wire = to_abcd(packed, address.byte_order)
    return [int.from_bytes(wire[i:i + 2], "big") for i in range(0, len(wire), 2)]
