"""A point's ``address`` checked against its data source's protocol, so workers never meet a bad one.

- Modbus (``modbus-tcp``, ``modbus-rtu``): ``slave_id`` 1-247, ``function_code`` 1-4, ``offset`` 0-65535,
  ``number_of_registers`` (1-125 registers for function codes 3/4, 1-2000 bits for 1/2) and, for
  registers, ``format``: a struct format such as ``>f``, ``<H``, ``>d`` whose size fills exactly those
  registers (MyEMS's ``data_format`` names ``float``, ``double``, ``int16`` ... are accepted too), with an
  optional ``byte_order`` of ``ABCD`` (default), ``CDAB``, ``BADC`` or ``DCBA``.
- BACnet/IP: ``object_type`` (``analogValue`` or ``analog-value`` style), ``object_id`` 0-4194303,
  ``property_name``, optional ``property_array_index`` (integer or null) and ``priority`` (1-16, of set
  values written to it).
- MQTT: ``topic`` and an optional ``value_path`` (dotted keys into the JSON payload); a ``command_topic``
  makes the point take set values (see :mod:`acquisition.setpoints`).
- Virtual points (``is_virtual``): ``expression`` over variables and ``substitutions`` naming a point id
  for each variable (see myems_api.expressions).
- Any other protocol: a JSON object.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable, Mapping
from typing import Any

from myems_api.expressions import ExpressionError, parse

DATA_FORMATS = {"float": ">f", "double": ">d", "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
                "int64": ">q", "uint64": ">Q", "float32": ">f", "float64": ">d", "bool": ">H"}
BYTE_ORDERS = ("ABCD", "CDAB", "BADC", "DCBA")
STRUCT_FORMAT = re.compile(r"[<>!=@]?[hHiIlLqQefd]")
BACNET_TYPES = {"analogvalue", "analoginput", "analogoutput", "binaryvalue", "binaryinput", "binaryoutput",
                "multistatevalue", "multistateinput", "multistateoutput", "accumulator", "pulseconverter"}


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value: Any, max_len: int = 255) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= max_len


def _modbus(a: Mapping[str, Any]) -> bool:
    if not (_int_in(a.get("slave_id"), 1, 247) and _int_in(a.get("function_code"), 1, 4)
            and _int_in(a.get("offset"), 0, 65535)):
        return False
    count: int = a.get("number_of_registers", 0)
    if not _int_in(count, 1, 65536 - a["offset"]):  # the last address read is at most 65535
        return False
    if a["function_code"] in (1, 2):
        return _int_in(count, 1, 2000)
    fmt = a.get("format") or DATA_FORMATS.get(str(a.get("data_format", "")).lower())
    if not _int_in(count, 1, 125) or not isinstance(fmt, str) or not STRUCT_FORMAT.fullmatch(fmt):
        return False
    size = struct.calcsize(">" + fmt.lstrip("<>!=@"))  # standard sizes: "l" is 4 bytes on every host
    return size == 2 * count and a.get("byte_order", "ABCD") in BYTE_ORDERS


def _bacnet(a: Mapping[str, Any]) -> bool:
    kind = str(a.get("object_type", "")).replace("-", "").lower()
    index = a.get("property_array_index")
    return (kind in BACNET_TYPES and _int_in(a.get("object_id"), 0, 4_194_303) and _text(a.get("property_name"))
            and (index is None or _int_in(index, 0, 2**31)))


def _mqtt(a: Mapping[str, Any]) -> bool:
    return _text(a.get("topic"), 1024) and ("value_path" not in a or _text(a["value_path"]))


RULES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "modbus-tcp": _modbus, "modbus-rtu": _modbus, "bacnet-ip": _bacnet, "mqtt": _mqtt,
}


def substitutions(address: Mapping[str, Any]) -> dict[str, Any] | None:
    """A virtual point's variable -> point id map (MyEMS sends it as a JSON string)."""
    raw = address.get("substitutions")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def check_virtual(address: Mapping[str, Any]) -> bool:
    subs = substitutions(address)
    try:
        expression = parse(address.get("expression", ""))
    except ExpressionError:
        return False
    return subs is not None and expression.variables <= set(subs) and all(
        _int_in(v, 1, 2**63 - 1) for v in subs.values())


def check_address(address_text: str, protocol: str | None, is_virtual: bool) -> bool:
    address = json.loads(address_text)
    if not isinstance(address, dict):
        return False
    if is_virtual:
        return check_virtual(address)
    rule = RULES.get(protocol or "")
    return rule is None or rule(address)
