"""Excel exports of reports: one renderer for every report family, "model in, xlsx bytes out".

MyEMS answers a report as JSON and, unless ``quickmode``, as ``excel_bytes_base64``: a workbook of the same
numbers. Rather than one hand-written exporter per family (MyEMS has dozens, each slightly different), a family
describes its workbook as an :class:`ExcelReport` (a title block, a summary table, a period table, a chart and
its own extra tables) and :func:`render` lays every one out the same way. :func:`from_result` builds that model
from the MyEMS-shaped ``reporting_period`` / ``base_period`` blocks most families already produce, so a family
only adds its specifics (``extra`` tables).

Layout of the single sheet:

- ``A1``: the title (bold, 14 pt); from row 3 the facts, label (bold) in column A and value in column B; a blank
  row.
- Each table in turn (summary, detail, then ``extra``): its title (bold), a header row (bold, light fill), its
  rows, a blank row. A table without rows shows an italic "No data" note instead of rows.
- The chart (line or clustered column) at the detail table's title row, one empty column right of it (and of
  any wider table below it that the chart would reach): one series per detail column after the first (at most
  :data:`MAX_CHART_SERIES`), the first column as categories, the report title as its title, the series' unit
  (``"name (unit)"`` headers) on the y axis when they share one; a trailing "Total" row is not charted. No
  chart without data rows: an empty chart makes a file Excel may refuse to open.

Cells: numbers stay numbers (``number_format`` per table, per column overrides such as ``"0.00%"`` for
increment rates); ``None``, NaN and infinities are empty cells; text starting with ``=`` is stored as text, never
as a formula (a category named ``=HYPERLINK(...)`` must not become live in someone's spreadsheet); characters
XML cannot hold are dropped.

The workbook is saved to memory, never to a file in the working directory (openpyxl spools each sheet
through a file in the system temporary folder, which it removes). The document properties carry a fixed
date rather than "now", so the same report gives the same workbook content.
"""

from __future__ import annotations

import base64
import io
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | float | int | None

PERCENT = "0.00%"
MAX_CHART_SERIES = 20
CHART_SIZE = (24.0, 12.0)  # cm
CHART_ROWS = 24  # rows of the default height (0.53 cm) the chart spans
NO_DATA = "No data"
TOTAL_LABEL = "Total"
CHART_TYPES = ("line", "column")

LABEL_WIDTH = (22, 50)  # column A: period labels, names, fact labels (min, max characters)
NUMBER_WIDTH = (16, 40)  # the other columns
MAX_TEXT = 32_767  # Excel's limit for one cell
MAX_SHEET_NAME = 31
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FIXED_TIME = datetime(*ZIP_EPOCH)  # the document properties' "created" and "modified"

PEAK_KEYS = (("toppeaks", "Top-peak"), ("onpeaks", "On-peak"), ("midpeaks", "Mid-peak"),
             ("offpeaks", "Off-peak"), ("deeps", "Deep valley"))
UNIT_SOURCES = ("meter", "virtual_meter", "offline_meter")

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_NOTE_FONT = Font(italic=True, color="808080")
_HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_UNIT_IN_HEADER = re.compile(r"\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Table:
    """A titled table of the sheet.

    ``column_formats`` overrides ``number_format`` column by column (``None``: the table's format), so that a
    summary can show increment rates as percentages beside totals in units.
    """

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    number_format: str = "0.00"
    column_formats: tuple[str | None, ...] = ()

    def format_of(self, column: int) -> str:
        """The number format of the 0-based ``column``."""
        if column < len(self.column_formats):
            return self.column_formats[column] or self.number_format
        return self.number_format


@dataclass(frozen=True)
class ExcelReport:
    """What a report family wants in its workbook; :func:`render` decides how it looks."""

    title: str
    facts: tuple[tuple[str, str], ...]
    summary: Table | None = None
    detail: Table | None = None
    chart: str | None = "line"
    extra: tuple[Table, ...] = ()
    sheet_name: str = "Report"


# ------------------------------------------------------------------------------------------------ render

def render(report: ExcelReport) -> bytes:
    """The report as an .xlsx file's bytes (built in memory)."""
    if report.chart is not None and report.chart not in CHART_TYPES:
        raise ValueError(f"chart must be one of {CHART_TYPES} or None, not {report.chart!r}")
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = _sheet_name(report.sheet_name)
    workbook.properties.title = _text(report.title)
    workbook.properties.creator = "myems-ng"
    # No "now": the same report gives the same content (openpyxl cannot leave the two dates out: a fixed one).
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME

    widths: dict[int, int] = {}
    _put(sheet, 1, 1, report.title).font = _TITLE_FONT
    row = 3
    for label, value in report.facts:
        _put(sheet, row, 1, label).font = _BOLD
        _put(sheet, row, 2, value)
        _widen(widths, 1, label)
        row += 1
    if report.facts:
        row += 1

    chart_at: tuple[Table, int, _Placed] | None = None
    beside: list[tuple[int, int]] = []  # (title row, width) of the detail table and those after it
    for table in (report.summary, report.detail, *report.extra):
        if table is None:
            continue
        placed = _write_table(sheet, table, row, widths)
        if table is report.detail:
            chart_at = (table, row, placed)
        if chart_at is not None:
            beside.append((row, max([len(table.header), *(len(r) for r in table.rows)])))
        row = placed.next_row + 1
    if chart_at is not None and report.chart is not None:
        table, title_row, placed = chart_at
        # Right of every table the chart's height reaches down to, so that it covers none of them.
        width = max(w for r, w in beside if r < title_row + CHART_ROWS)
        _add_chart(sheet, report, table, placed, f"{get_column_letter(width + 2)}{title_row}")

    for column, width in widths.items():
        low, high = LABEL_WIDTH if column == 1 else NUMBER_WIDTH
        sheet.column_dimensions[get_column_letter(column)].width = max(low, min(high, width + 2))
    if 1 not in widths:
        sheet.column_dimensions["A"].width = LABEL_WIDTH[0]
    return _save(workbook)


def render_base64(report: ExcelReport) -> str:
    """The report as MyEMS's ``excel_bytes_base64``: the .xlsx bytes in base64 (ASCII)."""
    return base64.b64encode(render(report)).decode("ascii")


@dataclass(frozen=True)
class _Placed:
    header_row: int | None  # None: the table has no header
    first_row: int  # first data row
    last_row: int  # last data row (< first_row when there are none)
    next_row: int  # first row after the table


def _write_table(sheet: Worksheet, table: Table, row: int, widths: dict[int, int]) -> _Placed:
    _put(sheet, row, 1, table.title).font = _BOLD
    row += 1
    header_row: int | None = None
    if table.header:
        header_row = row
        for column, name in enumerate(table.header, start=1):
            cell = _put(sheet, row, column, name)
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
            cell.alignment = _HEADER_ALIGNMENT
            _widen(widths, column, name)
        row += 1
    first = row
    if not table.rows:
        _put(sheet, row, 1, NO_DATA).font = _NOTE_FONT
        return _Placed(header_row, first, first - 1, row + 1)
    formats = [table.format_of(i) for i in range(max(len(r) for r in table.rows))]
    for values in table.rows:
        for column, value in enumerate(values, start=1):
            cell_value = _value(value)
            if cell_value is None:
                continue
            cell = _put(sheet, row, column, cell_value)
            if isinstance(cell_value, str):
                _widen(widths, column, cell_value)
            else:
                cell.number_format = formats[column - 1]
        row += 1
    return _Placed(header_row, first, row - 1, row)


def _add_chart(sheet: Worksheet, report: ExcelReport, table: Table, placed: _Placed, anchor: str) -> None:
    """The chart of the detail table's series over its labels (no chart without data to show)."""
    last = placed.last_row
    for values in reversed(table.rows):  # the Total row is no period
        if not values or values[0] != TOTAL_LABEL:
            break
        last -= 1
    series = min(len(table.header) - 1, MAX_CHART_SERIES)
    if placed.header_row is None or series < 1 or last < placed.first_row:
        return
    chart: LineChart | BarChart
    if report.chart == "column":
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
    else:
        chart = LineChart()
    data = Reference(sheet, min_col=2, max_col=1 + series, min_row=placed.header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=placed.first_row, max_row=last))
    chart.title = _text(report.title)[:255] or None
    unit = _shared_unit(table.header[1:1 + series])
    if unit:
        chart.y_axis.title = unit
    # openpyxl 3.1 leaves ``delete`` unset, which current Excel reads as hidden axes.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width = CHART_SIZE[0]
    chart.height = CHART_SIZE[1]
    sheet.add_chart(chart, anchor)


def _shared_unit(headers: Sequence[str]) -> str | None:
    """The unit all series headers name as ``"... (unit)"``, if they all name the same one."""
    units = {m.group(1).strip() if (m := _UNIT_IN_HEADER.search(h)) else "" for h in headers}
    if len(units) == 1:
        unit = units.pop()
        return unit or None
    return None


def _save(workbook: Workbook) -> bytes:
    """The workbook as bytes, saved to memory (openpyxl may spool sheets through the system temp folder,
    never the working directory)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> Any:
    """Write one value; text is always text (``=...`` must not become a formula)."""
    if isinstance(value, str):
        value = _text(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _widen(widths: dict[int, int], column: int, text: str) -> None:
    widths[column] = max(widths.get(column, 0), len(text))


def _text(value: Any) -> str:
    """Text a cell can hold: no characters XML 1.0 forbids, no more than Excel's limit."""
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return cleaned[:MAX_TEXT]


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", _text(name)).strip().strip("'")[:MAX_SHEET_NAME].strip()
    return cleaned or "Report"


def _value(value: Any) -> Cell:
    """A cell value: numbers as ``int`` / ``float`` (non-finite as empty), anything else as text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real | Decimal):
        as_float = float(value)
        return as_float if math.isfinite(as_float) else None
    return str(value)


# ------------------------------------------------------------------------------------------- from_result

def from_result(title: str, facts: tuple[tuple[str, str], ...], result: Mapping[str, Any], *,
                measure_label: str = "Total") -> ExcelReport:
    """The generic adapter most report families use: builds summary and detail tables from a MyEMS-shaped
    result's ``reporting_period`` (and ``base_period`` when it has data).

    Two shapes are understood: multi-series (``reporting_period.names``: space, equipment, tenant... reports,
    one series per energy category) and single-series (``total_in_category`` and flat ``values``: meter
    reports, unit from ``result["meter"]["unit_of_measure"]``). ``measure_label`` names the single-series
    summary row (e.g. ``"Cost"``); multi-series rows are named by their series.
    """
    reporting = _mapping(result.get("reporting_period"))
    base = _mapping(result.get("base_period"))
    if "names" in reporting:
        summary, detail, extra = _multi_series(reporting, base)
    else:
        summary, detail, extra = _single_series(reporting, base, _unit_of(result), measure_label)
    return ExcelReport(title=title, facts=facts, summary=summary, detail=detail, extra=extra)


_Tables = tuple[Table, Table, tuple[Table, ...]]


def _multi_series(reporting: Mapping[str, Any], base: Mapping[str, Any]) -> _Tables:
    names = [str(name) for name in _list(reporting.get("names"))]
    count = len(names)
    units = [("" if u is None else str(u)) for u in _padded(reporting.get("units"), count)]
    values = [_list(v) for v in _padded(reporting.get("values"), count)]
    labels = [_list(t) for t in _padded(reporting.get("timestamps"), count)]
    totals = _totals(reporting.get("subtotals"), values)
    has_base = _has_series_data(base)
    base_values = [_list(v) for v in _padded(base.get("values"), count)]
    base_totals: list[Cell] = _totals(base.get("subtotals"), base_values) if has_base else [None] * count

    columns: list[tuple[str, list[Cell], str | None]] = [
        ("Name", list(names), None), ("Unit", list(units), None), ("Reporting period", totals, None)]
    if has_base:
        columns.append(("Base period", base_totals, None))
    if "increment_rates" in reporting:
        columns.append(("Increment rate", [_value(v) for v in _padded(reporting["increment_rates"], count)],
                        PERCENT))
    elif has_base:
        columns.append(("Increment rate", [_rate(r, b) for r, b in zip(totals, base_totals, strict=True)], PERCENT))
    for key, name in (("subtotals_per_unit_area", "Per unit area"), ("subtotals_in_kgce", "kgce"),
                      ("subtotals_in_kgco2e", "kgCO2e")):
        if key in reporting:
            columns.append((name, [_value(v) for v in _padded(reporting[key], count)], None))
    summary = _columns_table("Summary", columns, count)

    headers = [_series_header(name, unit) for name, unit in zip(names, units, strict=True)]
    detail = _period_table("Reporting period", headers, labels, values, totals)
    extra: list[Table] = []
    peaks = _peak_table(reporting, names, units)
    if peaks is not None:
        extra.append(peaks)
    if has_base:
        base_labels = [_list(t) for t in _padded(base.get("timestamps"), count)]
        extra.append(_period_table("Base period", headers, base_labels, base_values, base_totals))
    return summary, detail, tuple(extra)


def _single_series(reporting: Mapping[str, Any], base: Mapping[str, Any], unit: str, measure_label: str) -> _Tables:
    values = _list(reporting.get("values"))
    labels = _list(reporting.get("timestamps"))
    total = _total(reporting.get("total_in_category"), values)
    base_values = _list(base.get("values"))
    has_base = bool(base_values or _list(base.get("timestamps")))
    base_total = _total(base.get("total_in_category"), base_values) if has_base else None

    columns: list[tuple[str, list[Cell], str | None]] = [
        ("Name", [measure_label], None), ("Unit", [unit], None), ("Reporting period", [total], None)]
    if has_base:
        columns.append(("Base period", [base_total], None))
    if "increment_rate" in reporting:
        columns.append(("Increment rate", [_value(reporting["increment_rate"])], PERCENT))
    elif has_base:
        columns.append(("Increment rate", [_rate(total, base_total)], PERCENT))
    for key, name in (("total_in_kgce", "kgce"), ("total_in_kgco2e", "kgCO2e")):
        if key in reporting:
            columns.append((name, [_value(reporting[key])], None))
    summary = _columns_table("Summary", columns, 1)

    headers = [_series_header("Value", unit)]
    detail = _period_table("Reporting period", headers, [labels], [values], [total])
    extra: tuple[Table, ...] = ()
    if has_base:
        extra = (_period_table("Base period", headers, [_list(base.get("timestamps"))], [base_values],
                               [base_total]),)
    return summary, detail, extra


def _columns_table(title: str, columns: Sequence[tuple[str, list[Cell], str | None]], count: int) -> Table:
    rows = tuple(tuple(column[1][i] for column in columns) for i in range(count))
    return Table(title=title, header=tuple(c[0] for c in columns), rows=rows,
                 column_formats=tuple(c[2] for c in columns))


def _period_table(title: str, headers: Sequence[str], labels: Sequence[list[Any]], values: Sequence[list[Any]],
                  totals: Sequence[Cell]) -> Table:
    """Period labels down, one column per series, and a "Total" row; no rows at all without periods.

    The series share their periods in MyEMS; the longest label list is taken in case one is short.
    """
    period_labels = max(labels, key=len) if labels else []
    rows: list[tuple[Cell, ...]] = [
        (_label(label), *(_value(series[i]) if i < len(series) else None for series in values))
        for i, label in enumerate(period_labels)]
    if rows:
        rows.append((TOTAL_LABEL, *totals))
    return Table(title=title, header=("Period", *headers), rows=tuple(rows))


def _peak_table(reporting: Mapping[str, Any], names: Sequence[str], units: Sequence[str]) -> Table | None:
    """Energy per peak type and series, when the report has a peak split with any energy in it."""
    present = [(key, name) for key, name in PEAK_KEYS if key in reporting]
    if not present:
        return None
    count = len(names)
    columns = [[_value(v) for v in _padded(reporting[key], count)] for key, _ in present]
    if not any(isinstance(v, int | float) and v != 0 for column in columns for v in column):
        return None
    rows = tuple((names[i], units[i], *(column[i] for column in columns)) for i in range(count))
    return Table(title="Peak split", header=("Name", "Unit", *(name for _, name in present)), rows=rows)


def _series_header(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit else name


def _unit_of(result: Mapping[str, Any]) -> str:
    for key in UNIT_SOURCES:
        unit = _mapping(result.get(key)).get("unit_of_measure")
        if unit is not None:
            return str(unit)
    return ""


def _has_series_data(block: Mapping[str, Any]) -> bool:
    return any(_list(series) for key in ("values", "timestamps") for series in _list(block.get(key)))


def _totals(given: Any, values: Sequence[list[Any]]) -> list[Cell]:
    """The given subtotals, or each series' sum where a subtotal is missing."""
    listed = _list(given)
    return [_total(listed[i] if i < len(listed) else None, series) for i, series in enumerate(values)]


def _total(given: Any, values: Sequence[Any]) -> Cell:
    if given is not None:
        return _value(given)
    known = [v for v in (_value(x) for x in values) if isinstance(v, int | float)]
    return sum(known) if known else None


def _rate(reporting: Cell, base: Cell) -> Cell:
    """MyEMS's increment rate ``(reporting - base) / base``; empty when the base is 0 or unknown."""
    if not isinstance(reporting, int | float) or not isinstance(base, int | float) or base == 0:
        return None
    return (reporting - base) / base


def _label(value: Any) -> Cell:
    return None if value is None else str(value)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _padded(value: Any, count: int) -> list[Any]:
    """``value`` as a list of exactly ``count`` items (missing ones ``None``), so ragged inputs stay aligned."""
    items = _list(value)[:count]
    return items + [None] * (count - len(items))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
