"""Offline meters: daily values read by hand, uploaded as an Excel file, spread over the hours of each day.

Two pure pieces, no database I/O (that is :mod:`aggregation.store`'s):

- :func:`read_offline_meter_workbook` parses the uploaded ``.xlsx`` bytes into ``(date, value)`` rows or a
  list of cell errors (all or nothing: any error and no row is returned, so the caller writes nothing);
- :func:`daily_to_hourly` spreads each LOCAL day's energy evenly over that day's UTC hours, flagged
  :data:`~aggregation.series.ESTIMATED` (a daily reading says nothing about the shape within the day).

Times follow :mod:`aggregation.series`: ``int64`` POSIX seconds (UTC), an hour named by its start. Energy is in
the meter's unit (kWh, m3...) and ``NaN`` means unknown.

**Local days.** A local calendar day in the IANA zone ``tz_name`` runs from its first instant (local
midnight; when midnight does not exist because the clocks jump at 00:00, the instant they jump to; when it
occurs twice, the first time) to the next day's first instant. So consecutive days tile time exactly, with
neither gap nor overlap, and a day lasts 24 hours, or 23/25 on daylight saving change days (23.5/24.5 in a
zone with a 30-minute shift such as Australia/Lord_Howe).

**Spreading rule (one rule for every zone).** A day's energy is spread uniformly over its duration: the UTC
hour ``[h, h + 3600)`` receives ``value / (day_seconds / overlap)`` where ``overlap`` is the number of
seconds of that hour inside the local day. In a whole-hour zone every hour lies wholly inside one day, so
each of the day's 23, 24 or 25 hours gets ``value / hours_in_day``. In a zone whose offset is not a whole
number of hours (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide +09:30/+10:30,
America/St_Johns -03:30...) local midnight falls inside a UTC hour: that hour is shared by the two days and
receives its fraction of each (Kolkata: local midnight is 18:30 UTC, so a day covers 25 UTC hours, 23 full
ones at ``value / 24`` and two half ones at ``value / 48``; the shared hour gets ``v1 / 48 + v2 / 48``).
The hours of a day therefore sum to its value (to rounding) and a run of consecutive days sums to the sum
of its values: no hour is counted twice.

**Edges of a run (half-hour zones).** An hour shared with a day that is NOT in the input holds only the
given day's part. A caller that stores a second upload (the next month) must not overwrite such an hour
with the next upload's part alone: spread the union of the stored and the new days, or add the parts.
:func:`local_day_bounds` tells which hours are shared (a bound that is not a multiple of 3600).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from aggregation.series import ESTIMATED, HOUR, Hourly

Days = npt.NDArray[np.datetime64]
DayInput = npt.NDArray[np.datetime64] | Sequence[str | date | np.datetime64]

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


# --------------------------------------------------------------------------------------------- daily to hourly


def local_day_bounds(days: DayInput, tz_name: str | tzinfo) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The first instant of each local day and of the day after it, as UTC POSIX seconds.

    Parameters
    ----------
    days : numpy datetime64 array, or a sequence of ISO ``YYYY-MM-DD`` strings, ``datetime.date`` or
        ``numpy.datetime64`` values
        Local calendar dates in ``tz_name``, any order, duplicates allowed here.
    tz_name : str or tzinfo
        An IANA zone name (``"Asia/Shanghai"``, ``"Europe/London"``), as ``tbl_timezones.tz_name`` holds, or
        a zone already resolved (:func:`myems_api.zones.entity_zone`; a fixed offset is a zone too).

    Returns
    -------
    starts, ends : int64 arrays, same length as ``days``
        ``[starts[i], ends[i])`` is day ``i`` in UTC seconds (see the module docstring for midnights that do
        not exist or occur twice). ``ends[i] - starts[i]`` is 86400 on a normal day, 82800/90000 on a DST
        change day, and 0 for a date the zone skipped entirely (Pacific/Apia 2011-12-30).

    Raises
    ------
    ValueError
        An unknown zone, or a day that is not a valid date (see :func:`daily_to_hourly`).
    """
    zone = _zone(tz_name)
    parsed = _as_days(days)
    if parsed.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    # Only the few distinct boundary dates go through zoneinfo; the days then index them.
    boundaries, inverse = np.unique(np.concatenate([parsed, parsed + np.timedelta64(1, "D")]), return_inverse=True)
    seconds = np.array([_first_instant(d.item(), zone) for d in boundaries], dtype=np.int64)
    instants = seconds[inverse]
    return instants[: parsed.size], instants[parsed.size:]


def daily_to_hourly(days: DayInput, values: npt.ArrayLike, tz_name: str | tzinfo) -> Hourly:
    """Spread each local day's energy evenly over the UTC hours of that day, flagged ESTIMATED.

    Parameters
    ----------
    days : numpy datetime64 array, or a sequence of ISO ``YYYY-MM-DD`` strings, ``datetime.date`` or
        ``numpy.datetime64`` values
        Local calendar dates in ``tz_name``, in any order, each at most once. A datetime64 array of a finer
        unit, a ``datetime`` or a ``datetime64`` scalar is accepted only at midnight (a whole day); strings
        must be exactly ``YYYY-MM-DD``.
    values : array_like of float, same length as ``days``
        Each day's energy in the meter's unit (kWh, m3...). ``NaN`` (and ``+/-inf``, not a quantity) means
        unknown. Any finite value is spread as given, negative included (the workbook reader refuses those).
    tz_name : str
        The IANA zone of the meter's site, e.g. ``"Asia/Shanghai"``.

    Returns
    -------
    Hourly
        The UTC hour starts touched by the days, sorted and unique; hours of days not given are absent (no
        hours are invented between non-consecutive days). ``energy`` is the sum of each day's share of the
        hour (module docstring): ``value / hours_in_day`` for an hour wholly inside a day. An hour touching an
        unknown day is NaN with flags 0 (a shared hour is unknown if either part is); every other hour has
        flags ``ESTIMATED``.

    Raises
    ------
    ValueError
        ``days`` and ``values`` differ in length or are not 1-D; a day is NaT, unparsable or not a whole day;
        a day occurs twice (duplicates are refused rather than resolved "last wins": two values for one day
        are an error in the upload, which :func:`read_offline_meter_workbook` reports per cell); a day does
        not exist in the zone (a skipped date: it has no hours to hold energy); ``tz_name`` is unknown.

    Examples
    --------
    A normal day in Asia/Shanghai (UTC+8) starts at 16:00 UTC the day before: 24 hours of ``value / 24``.
    Europe/London's spring-forward day has 23 hours of ``value / 23``, its fall-back day 25 of ``value / 25``.
    """
    parsed = _as_days(days)
    energy_in = np.asarray(values, dtype=np.float64)
    if energy_in.ndim != 1 or energy_in.shape != parsed.shape:
        raise ValueError(f"days and values must be 1-D of the same length, got {parsed.shape} and {energy_in.shape}")
    unique_days, counts = np.unique(parsed, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"duplicate days: {', '.join(str(d) for d in unique_days[counts > 1][:5])}")
    starts, ends = local_day_bounds(parsed, tz_name)
    lengths = ends - starts
    if (lengths <= 0).any():
        raise ValueError(f"days that do not exist in {tz_name}: {', '.join(str(d) for d in parsed[lengths <= 0][:5])}")
    if parsed.size == 0:
        return Hourly(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.uint8))

    # Every (day, UTC hour) pair the day touches: hours from floor(start) to ceil(end), flattened.
    first_hour = starts - starts % HOUR
    end_hour = ends + (-ends) % HOUR
    n_hours = (end_hour - first_hour) // HOUR
    day_of = np.repeat(np.arange(parsed.size), n_hours)
    position = np.arange(day_of.size, dtype=np.int64) - np.repeat(np.cumsum(n_hours) - n_hours, n_hours)
    hour = first_hour[day_of] + position * HOUR
    overlap = np.minimum(hour + HOUR, ends[day_of]) - np.maximum(hour, starts[day_of])
    # value / (length / overlap): exactly value / 24 (/ 23, / 25, / 48) for whole and half hours.
    share = energy_in[day_of] / (lengths[day_of].astype(np.float64) / overlap.astype(np.float64))
    unknown_pair = ~np.isfinite(share)

    hours, slot = np.unique(hour, return_inverse=True)
    energy = np.bincount(slot, weights=np.where(unknown_pair, 0.0, share), minlength=hours.size)
    unknown = np.bincount(slot, weights=unknown_pair.astype(np.float64), minlength=hours.size) > 0
    energy[unknown] = np.nan
    flags = np.where(unknown, 0, ESTIMATED).astype(np.uint8)
    return Hourly(hours.astype(np.int64), energy.astype(np.float64), flags)


def _zone(tz_name: str | tzinfo) -> tzinfo:
    if isinstance(tz_name, tzinfo):
        return tz_name  # a zone already resolved (a fixed offset when the site names no IANA zone)
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone: {tz_name!r}") from exc


def _first_instant(day: date, zone: tzinfo) -> int:
    """POSIX seconds of the day's first instant: local midnight, fold=0 (see the module docstring).

    For a midnight in a gap, fold=0 applies the offset from before the jump, which names the instant the
    clocks jump to; for a midnight that occurs twice it names the first occurrence.
    """
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def _as_days(days: DayInput) -> Days:
    """``days`` as a 1-D datetime64[D] array, refusing NaT, partial days and loose strings."""
    if isinstance(days, np.ndarray) and np.issubdtype(days.dtype, np.datetime64):
        if days.ndim != 1:
            raise ValueError(f"days must be 1-D, got shape {days.shape}")
        whole = days.astype("datetime64[D]")
        if np.isnat(whole).any():
            raise ValueError("days contain NaT")
        if (whole.astype(days.dtype) != days).any():
            raise ValueError("days must be whole days (datetime64 at midnight)")
        return whole
    if isinstance(days, str | bytes):
        raise ValueError("days must be a sequence of dates, not a single string")
    return np.array([_one_day(item) for item in days], dtype="datetime64[D]").reshape(-1)


def _one_day(item: object) -> np.datetime64:
    if isinstance(item, np.datetime64):
        return _as_days(np.array([item]))[0]  # type: ignore[no-any-return]
    if isinstance(item, datetime):
        if item.tzinfo is not None or item.time() != datetime.min.time():
            raise ValueError(f"not a whole local day: {item!r}")
        return np.datetime64(item.date(), "D")
    if isinstance(item, date):
        return np.datetime64(item, "D")
    if isinstance(item, str):
        parsed = _parse_iso_date(item)
        if parsed is None:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {item!r}")
        return np.datetime64(parsed, "D")
    raise ValueError(f"not a date: {item!r}")


def _parse_iso_date(text: str) -> date | None:
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------- the workbook

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload itself (an .xlsx is a zip): 10 MiB
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # the zip members' declared sizes, summed: guards against zip bombs
MAX_ROWS = 40_000  # data rows (non-empty rows below the header): over a century of days
MAX_COLUMNS = 64  # columns read; a header further right is not looked for
MAX_ERRORS = 100  # cell errors collected before reading stops (then API.TOO_MANY_ERRORS)
FIRST_DAY = date(1970, 1, 1)  # dates outside [FIRST_DAY, LAST_DAY] are typos (0226, 2206...)
LAST_DAY = date(2099, 12, 31)

# Header names, compared after trimming, case folding and dropping a trailing "(unit)" / "（单位）".
DATE_HEADERS = frozenset({"date", "day", "date local", "date_local", "日期", "日"})
VALUE_HEADERS = frozenset({"value", "energy", "consumption", "actual value", "actual_value", "数值", "值", "能耗",
                           "用量", "能耗值"})

INVALID_FILE = "API.INVALID_FILE"
FILE_TOO_LARGE = "API.FILE_TOO_LARGE"
MISSING_DATE_COLUMN = "API.MISSING_DATE_COLUMN"
MISSING_VALUE_COLUMN = "API.MISSING_VALUE_COLUMN"
DUPLICATE_COLUMN = "API.DUPLICATE_COLUMN"
INVALID_DATE = "API.INVALID_DATE"
INVALID_VALUE = "API.INVALID_VALUE"
DUPLICATE_DATE = "API.DUPLICATE_DATE"
NO_DATA = "API.NO_DATA"
TOO_MANY_ROWS = "API.TOO_MANY_ROWS"
TOO_MANY_ERRORS = "API.TOO_MANY_ERRORS"

_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TEXT_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")


@dataclass(frozen=True)
class CellError:
    """One problem in the upload: 1-based Excel ``row`` and ``column`` letter (``""`` when not one cell).

    ``row`` is 0 for the file as a whole (not a workbook, too large); ``code`` is an ``API.*`` message key.
    """

    row: int
    column: str
    code: str


@dataclass(frozen=True)
class ParsedWorkbook:
    """The ``(date, value)`` rows in file order, or, when ``errors`` is not empty, no rows at all.

    ``sheet_title`` is the first worksheet's name: an upload may name its offline meter there.
    """

    rows: list[tuple[date, float]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    sheet_title: str = ""


class _TooManyErrors(Exception):
    pass


class _Errors:
    """Collects cell errors and stops the read (``_TooManyErrors``) after :data:`MAX_ERRORS`."""

    def __init__(self) -> None:
        self.items: list[CellError] = []

    def add(self, row: int, column: str, code: str) -> None:
        self.items.append(CellError(row, column, code))
        if len(self.items) >= MAX_ERRORS:
            raise _TooManyErrors


def read_offline_meter_workbook(data: bytes) -> ParsedWorkbook:
    """Parse an offline meter upload: an ``.xlsx`` of one row per local day, under a header row.

    Parameters
    ----------
    data : bytes
        The uploaded file, read in memory (no temporary file). At most :data:`MAX_FILE_BYTES` (10 MiB), and
        its zip members may declare at most :data:`MAX_UNCOMPRESSED_BYTES` (100 MiB) together.

    Returns
    -------
    ParsedWorkbook
        ``rows``: ``(datetime.date, float)`` in file order, when there is no error; otherwise ``rows`` is
        empty and ``errors`` lists every problem found (the caller writes nothing).

    Notes
    -----
    Layout. The FIRST worksheet is read (cached values of formulas; a formula Excel never calculated reads
    as empty). Its first non-empty row is the header: the cell whose text is a date alias
    (:data:`DATE_HEADERS`: ``date``, ``day``, ``日期``...) names the date column and the one with a value
    alias (:data:`VALUE_HEADERS`: ``value``, ``energy``, ``consumption``, ``数值``, ``能耗``...) the value
    column; comparison ignores case, surrounding blanks and a trailing unit in brackets (``Value (kWh)``,
    ``数值（kWh）``). Other columns (remarks) are ignored. Only the first :data:`MAX_COLUMNS` columns are read.

    Rows. A row whose date and value cells are both blank is skipped. A date cell is valid when it is an
    Excel date or a date-time at midnight, or text ``YYYY-MM-DD`` / ``YYYY/MM/DD`` (optionally followed by a
    midnight time ``00:00[:00]``), within 1970-01-01 .. 2099-12-31; a number (a serial without a date format),
    a time of day or any other text is not. A value is valid when it is a finite number >= 0, or text
    holding one (``"12.5"``); blanks, booleans, ``#DIV/0!`` and the like are not. At most :data:`MAX_ROWS`
    (40,000) data rows.

    Errors (``CellError(row, column, code)``, rows 1-based as Excel shows them, columns as letters):

    - ``(0, "", API.INVALID_FILE)``: not an ``.xlsx`` workbook (an ``.xls``, a CSV, a damaged file), alone;
    - ``(0, "", API.FILE_TOO_LARGE)``: over the size limits, alone;
    - ``(header row, "", API.MISSING_DATE_COLUMN / API.MISSING_VALUE_COLUMN)``: no such header (row 1 when
      the sheet is empty); ``(header row, letter, API.DUPLICATE_COLUMN)`` for a second alias of one kind;
    - ``(row, date letter, API.INVALID_DATE)``, ``(row, value letter, API.INVALID_VALUE)``: one per bad cell;
    - ``(row, date letter, API.DUPLICATE_DATE)``: a date already given in an earlier row (each later one);
    - ``(header row + 1, "", API.NO_DATA)``: a header but no data row;
    - ``(row, "", API.TOO_MANY_ROWS)``: the first data row over the limit; reading stops there;
    - ``(row, "", API.TOO_MANY_ERRORS)``: after :data:`MAX_ERRORS` errors reading stops at that row.
    """
    opened = sheet_rows(data)
    if isinstance(opened, CellError):
        return ParsedWorkbook(errors=[opened])
    lines, title = opened
    rows, errors = _parse_rows(iter(lines))
    return ParsedWorkbook(errors=errors, sheet_title=title) if errors else ParsedWorkbook(rows=rows, sheet_title=title)


def sheet_rows(data: bytes) -> tuple[list[tuple[int, tuple[Any, ...]]], str] | CellError:
    """The first worksheet's ``(row number, cell values)`` and its title, or the one error that stops the read:
    ``API.FILE_TOO_LARGE`` over the limits, ``API.INVALID_FILE`` for anything that is not an ``.xlsx``
    workbook. Every uploaded workbook (offline meter, energy plan, data repair files) is opened here."""
    if len(data) > MAX_FILE_BYTES:
        return CellError(0, "", FILE_TOO_LARGE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                return CellError(0, "", FILE_TOO_LARGE)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return CellError(0, "", INVALID_FILE)
    from openpyxl import load_workbook  # imported here: only the upload path needs openpyxl, the kernels do not

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                return [], ""
            sheet = workbook.worksheets[0]
            lines = list(enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1))
            return lines, str(sheet.title)
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - a damaged or foreign file fails anywhere inside openpyxl, in any way
        return CellError(0, "", INVALID_FILE)


def _parse_rows(lines: Iterator[tuple[int, tuple[Any, ...]]]) -> tuple[list[tuple[date, float]], list[CellError]]:
    """Header then data rows, from ``(row number, cell values)`` pairs."""
    errors = _Errors()
    header_row, header = next(((n, cells) for n, cells in lines if not _blank_row(cells)), (1, ()))
    date_col, value_col = _find_columns(header_row, header, errors)
    if date_col is None or value_col is None:
        return [], errors.items
    rows: list[tuple[date, float]] = []
    first_row: dict[date, int] = {}
    data_rows = 0
    for n, cells in lines:
        raw_date = cells[date_col] if date_col < len(cells) else None
        raw_value = cells[value_col] if value_col < len(cells) else None
        if _blank(raw_date) and _blank(raw_value):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            errors.items.append(CellError(n, "", TOO_MANY_ROWS))
            break
        try:
            _check_row(n, raw_date, raw_value, (date_col, value_col), first_row, rows, errors)
        except _TooManyErrors:
            errors.items.append(CellError(n, "", TOO_MANY_ERRORS))
            break
    if data_rows == 0:
        errors.items.append(CellError(header_row + 1, "", NO_DATA))
    return rows, errors.items


def _check_row(n: int, raw_date: object, raw_value: object, columns: tuple[int, int], first_row: dict[date, int],
               rows: list[tuple[date, float]], errors: _Errors) -> None:
    """Check one data row: append it to ``rows`` when both cells are valid, else add its errors."""
    day, value = _cell_date(raw_date), _cell_value(raw_value)
    new_day = day is not None and day not in first_row
    if day is None:
        errors.add(n, _letter(columns[0]), INVALID_DATE)
    elif not new_day:
        errors.add(n, _letter(columns[0]), DUPLICATE_DATE)
    else:
        first_row[day] = n
    if value is None:
        errors.add(n, _letter(columns[1]), INVALID_VALUE)
    elif day is not None and new_day:
        rows.append((day, value))


def _find_columns(header_row: int, header: Sequence[Any], errors: _Errors) -> tuple[int | None, int | None]:
    """The 0-based date and value column indexes named by the header row (None when missing)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _header_name(cell)
        kind = "date" if name in DATE_HEADERS else "value" if name in VALUE_HEADERS else None
        if kind is None:
            continue
        if kind in found:
            errors.items.append(CellError(header_row, _letter(index), DUPLICATE_COLUMN))
        else:
            found[kind] = index
    if "date" not in found:
        errors.items.append(CellError(header_row, "", MISSING_DATE_COLUMN))
    if "value" not in found:
        errors.items.append(CellError(header_row, "", MISSING_VALUE_COLUMN))
    if errors.items:
        return None, None
    return found["date"], found["value"]


def _header_name(cell: object) -> str | None:
    if not isinstance(cell, str):
        return None
    return _UNIT_SUFFIX.sub("", cell.strip()).strip().casefold()


def _cell_date(cell: object) -> date | None:
    """A valid date cell's date (module rules), else None."""
    day: date | None
    if isinstance(cell, datetime):
        day = cell.date() if cell.time() == datetime.min.time() and cell.tzinfo is None else None
    elif isinstance(cell, date):
        day = cell
    elif isinstance(cell, str):
        match = _TEXT_DATE.fullmatch(cell.strip())
        try:
            day = date(int(match[1]), int(match[3]), int(match[4])) if match else None
        except ValueError:
            day = None
    else:
        day = None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def _cell_value(cell: object) -> float | None:
    """A valid value cell's number (finite, >= 0), else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        number = float(cell)
    elif isinstance(cell, str) and _NUMBER.fullmatch(cell.strip()):
        number = float(cell.strip())
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def named_row(conn: Any, table: Any, cell: object, *columns: Any) -> Any:
    """The row (``columns``) of ``table`` a workbook cell names by id, uuid or name (an id first when it is
    both), or None."""
    import sqlalchemy as sa  # the kernels above need no database

    text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell or "").strip()
    if not text:
        return None
    where = [table.c.uuid == text, table.c.name == text]
    if text.isdecimal() and len(text) < 19:
        where.append(table.c.id == int(text))
    rows = conn.execute(sa.select(table.c.id, *columns).where(sa.or_(*where)).order_by(table.c.id)).all()
    return next((r for r in rows if str(r[0]) == text), rows[0] if rows else None)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _blank_row(cells: Iterable[object]) -> bool:
    return all(_blank(cell) for cell in cells)


def _letter(index: int) -> str:
    """The Excel letter of 0-based column ``index`` (0 -> A, 25 -> Z, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
