"""Tariffs: time-of-use (a day covered exactly by start/end rows) or block (contiguous amount bands).

Rows are inclusive on both ends, as MyEMS writes them: a time-of-use day is ``00:00:00``..``05:59:59``,
``06:00:00``..``23:59:59``; block bands run ``0``..``10000``, ``10000``..``30000`` (each band from its
start amount up to its end amount). Items are written with the tariff in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from myems_api.db import schema
from myems_api.engine.family import Family, Items
from myems_api.engine.fields import Choice, LocalDateTime, Name, Number, Ref, Text

PEAK_TYPES = ("toppeak", "onpeak", "midpeak", "offpeak", "deep")
TIME_OF_DAY = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
DAY_SECONDS = 86_400


def _seconds(time_of_day: str) -> int:
    hours, minutes, seconds = (int(part) for part in time_of_day.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _of_type(kind: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda tariff: tariff.get("tariff_type") == kind


def check_timeofuse(rows: list[dict[str, Any]], tariff: Mapping[str, Any]) -> str | None:
    """The rows cover 00:00:00-23:59:59 exactly once."""
    if not rows:
        return "API.TIMEOFUSE_ITEMS_REQUIRED"
    expected = 0
    for start, end in sorted((_seconds(r["start_time_of_day"]), _seconds(r["end_time_of_day"])) for r in rows):
        if end < start:
            return "API.INVALID_END_TIME_OF_DAY"
        if start < expected:
            return "API.TIMEOFUSE_ITEMS_OVERLAP"
        if start > expected:
            return "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP"
        expected = end + 1
    return None if expected == DAY_SECONDS else "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP"


def check_block(rows: list[dict[str, Any]], tariff: Mapping[str, Any]) -> str | None:
    """Bands start at 0 and each starts where the previous ended."""
    if not rows:
        return "API.BLOCK_ITEMS_REQUIRED"
    expected = 0.0
    for start, end in sorted((r["start_amount"], r["end_amount"]) for r in rows):
        if end <= start:
            return "API.INVALID_END_AMOUNT"
        if start < expected:
            return "API.BLOCK_ITEMS_OVERLAP"
        if start > expected:
            return "API.BLOCK_ITEMS_LEAVE_A_GAP"
        expected = end
    return None


def check_validity(tariff: Mapping[str, Any]) -> str | None:
    if tariff["valid_through_datetime_utc"] <= tariff["valid_from_datetime_utc"]:
        return "API.INVALID_VALID_THROUGH_DATETIME"
    return None


tariffs = Family(
    "tariff", "tariffs", schema.tariffs,
    fields=(
        Name(), Ref("energy_category"), Choice("tariff_type", choices=("timeofuse", "block")),
        Text("unit_of_price", max_len=64),
        LocalDateTime("valid_from", db_column="valid_from_datetime_utc", takes_epoch_ms=True),
        LocalDateTime("valid_through", db_column="valid_through_datetime_utc", takes_epoch_ms=True),
    ),
    items=(
        Items("timeofuse", schema.tariff_timeofuses, "tariff_id", fields=(
            Text("start_time_of_day", max_len=8, pattern=TIME_OF_DAY),
            Text("end_time_of_day", max_len=8, pattern=TIME_OF_DAY),
            Choice("peak_type", choices=PEAK_TYPES), Number("price", min=0),
        ), check=check_timeofuse, applies=_of_type("timeofuse")),
        Items("block", schema.tariff_blocks, "tariff_id", fields=(
            Number("start_amount", min=0), Number("end_amount", min=0), Number("price", min=0),
        ), check=check_block, applies=_of_type("block")),
    ),
    checks=(check_validity,),
    portable=True,
)

FAMILIES = (tariffs,)
