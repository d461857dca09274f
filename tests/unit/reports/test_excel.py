"""The Excel exporter: every workbook is loaded back with openpyxl and its cells, formats and chart checked.

The example results are written by hand in the two MyEMS shapes the report builders produce: multi-series
(space / equipment reports, ``reporting_period.names``) and single-series (meter reports,
``total_in_category``), with and without a base period, and empty.
"""

from __future__ import annotations

import base64
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import (
    MAX_CHART_SERIES,
    NO_DATA,
    Cell,
    ExcelReport,
    Table,
    from_result,
    render,
    render_base64,
)

JANUARY = [f"2024-01-{day:02d}T00:00:00" for day in range(1, 32)]
DECEMBER = [f"2023-12-{day:02d}T00:00:00" for day in range(1, 32)]
FACTS = (("Space", "Building A"), ("Reporting Period", "2024-01-01T00:00:00 - 2024-02-01T00:00:00"))


def load(data: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def row_of(sheet: Worksheet, text: str, start: int = 1) -> int:
    """The first row at or after ``start`` whose column A holds ``text``."""
    for row in range(start, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == text:
            return row
    raise AssertionError(f"{text!r} not in column A")


def values(sheet: Worksheet, row: int, width: int) -> tuple[Any, ...]:
    return tuple(sheet.cell(row=row, column=column).value for column in range(1, width + 1))


def multi_series(*, base: bool = True) -> dict[str, Any]:
    """A space energy category report for January 2024: electricity and water, daily."""
    electricity = [100.0 + day for day in range(31)]
    water = [None, *([2.5] * 30)]
    result: dict[str, Any] = {
        "space": {"name": "Building A", "area": 1000.0},
        "reporting_period": {
            "names": ["Electricity", "Water"],
            "units": ["kWh", "m³"],
            "timestamps": [JANUARY, JANUARY],
            "values": [electricity, water],
            "subtotals": [sum(electricity), 75.0],
            "subtotals_per_unit_area": [sum(electricity) / 1000, 0.075],
            "increment_rates": [0.25, None],
            "subtotals_in_kgce": [sum(electricity) * 0.1229, 0.0],
            "subtotals_in_kgco2e": [sum(electricity) * 0.581, 0.0],
            "toppeaks": [500.0, 0.0],
            "onpeaks": [1500.0, 0.0],
            "midpeaks": [1000.0, 0.0],
            "offpeaks": [565.0, 0.0],
            "deeps": [0.0, 0.0],
        },
        "base_period": {"timestamps": [[], []], "values": [[], []], "subtotals": [0.0, 0.0]},
    }
    if base:
        result["base_period"] = {"timestamps": [DECEMBER, DECEMBER], "values": [[80.0] * 31, [2.0] * 31],
                                 "subtotals": [2480.0, 62.0]}
    return result


def single_series(*, base: bool = True) -> dict[str, Any]:
    """A meter energy report: one electricity meter, three days."""
    result: dict[str, Any] = {
        "meter": {"name": "Main incomer", "energy_category_name": "Electricity", "unit_of_measure": "kWh"},
        "reporting_period": {"total_in_category": 60.5, "total_in_kgce": 7.4, "total_in_kgco2e": 35.2,
                             "increment_rate": 0.1, "timestamps": JANUARY[:3], "values": [20.0, None, 40.5]},
        "base_period": {"total_in_category": 0.0, "timestamps": [], "values": []},
    }
    if base:
        result["base_period"] = {"total_in_category": 55.0, "timestamps": DECEMBER[:3], "values": [15.0, 20.0, 20.0]}
    return result


def simple_report(**changes: Any) -> ExcelReport:
    fields: dict[str, Any] = {
        "title": "Space Energy Category Report",
        "facts": FACTS,
        "summary": Table("Summary", ("Name", "Unit", "Total"), (("Electricity", "kWh", 3565.0),)),
        "detail": Table("Reporting period", ("Period", "Electricity (kWh)", "Gas (kWh)"),
                        (("2024-01", 1.0, 2.0), ("2024-02", 3.0, None), ("Total", 4.0, 2.0))),
    }
    fields.update(changes)
    return ExcelReport(**fields)


# ------------------------------------------------------------------------------------------------ layout

def test_the_title_is_in_a1_in_bold_14_point() -> None:
    sheet = load(render(simple_report()))
    assert sheet["A1"].value == "Space Energy Category Report"
    assert sheet["A1"].font.bold
    assert sheet["A1"].font.size == 14


def test_the_facts_start_on_row_3_as_bold_labels_and_values() -> None:
    sheet = load(render(simple_report()))
    assert values(sheet, 3, 2) == ("Space", "Building A")
    assert values(sheet, 4, 2) == ("Reporting Period", "2024-01-01T00:00:00 - 2024-02-01T00:00:00")
    assert sheet["A3"].font.bold
    assert not sheet["B3"].font.bold
    assert values(sheet, 5, 2) == (None, None)


def test_each_table_has_a_bold_title_a_filled_bold_header_and_a_blank_row_after_it() -> None:
    sheet = load(render(simple_report()))
    assert values(sheet, 6, 1) == ("Summary",)
    assert sheet["A6"].font.bold
    assert values(sheet, 7, 3) == ("Name", "Unit", "Total")
    assert all(sheet.cell(row=7, column=c).font.bold for c in (1, 2, 3))
    assert sheet["B7"].fill.fill_type == "solid"
    assert values(sheet, 8, 3) == ("Electricity", "kWh", 3565.0)
    assert values(sheet, 9, 3) == (None, None, None)
    assert values(sheet, 10, 1) == ("Reporting period",)


def test_tables_follow_the_title_directly_when_there_are_no_facts() -> None:
    sheet = load(render(simple_report(facts=())))
    assert sheet["A3"].value == "Summary"


def test_the_detail_table_keeps_numbers_as_numbers_and_nulls_as_empty_cells() -> None:
    sheet = load(render(simple_report()))
    header = row_of(sheet, "Period")
    assert values(sheet, header + 1, 3) == ("2024-01", 1.0, 2.0)
    assert values(sheet, header + 2, 3) == ("2024-02", 3.0, None)
    assert values(sheet, header + 3, 3) == ("Total", 4.0, 2.0)
    assert sheet.cell(row=header + 1, column=2).data_type == "n"
    assert sheet.cell(row=header + 1, column=2).number_format == "0.00"


def test_extra_tables_come_after_the_detail_table() -> None:
    extra = (Table("Statistics", ("Name", "Mean"), (("Electricity", 2.0),), number_format="0.000"),)
    sheet = load(render(simple_report(extra=extra)))
    title = row_of(sheet, "Statistics")
    assert title > row_of(sheet, "Total")
    assert values(sheet, title + 2, 2) == ("Electricity", 2.0)
    assert sheet.cell(row=title + 2, column=2).number_format == "0.000"


def test_column_formats_override_the_table_number_format_column_by_column() -> None:
    table = Table("Summary", ("Name", "Total", "Rate"), (("Electricity", 10, 0.5),), column_formats=(None, None, "0%"))
    sheet = load(render(simple_report(summary=table)))
    row = row_of(sheet, "Electricity")
    assert sheet.cell(row=row, column=2).number_format == "0.00"
    assert sheet.cell(row=row, column=3).number_format == "0%"


def test_the_label_column_is_about_22_wide_and_number_columns_about_16() -> None:
    sheet = load(render(simple_report()))
    assert sheet.column_dimensions["A"].width == 22
    assert sheet.column_dimensions["C"].width == 16


# ------------------------------------------------------------------------------------------------ chart

def test_a_line_chart_shows_one_series_per_detail_column_without_the_total_row() -> None:
    sheet = load(render(simple_report()))
    assert len(sheet._charts) == 1
    chart = sheet._charts[0]
    assert isinstance(chart, LineChart)
    assert len(chart.series) == 2
    header = row_of(sheet, "Period")
    assert chart.series[0].val.numRef.f == f"'Report'!$B${header + 1}:$B${header + 2}"
    categories = chart.series[0].cat.numRef or chart.series[0].cat.strRef
    assert categories.f == f"'Report'!$A${header + 1}:$A${header + 2}"


def test_a_column_chart_is_a_clustered_vertical_bar_chart() -> None:
    sheet = load(render(simple_report(chart="column")))
    chart = sheet._charts[0]
    assert isinstance(chart, BarChart)
    assert chart.type == "col"
    assert chart.grouping == "clustered"


def test_the_chart_is_anchored_right_of_the_detail_table_at_its_title_row() -> None:
    sheet = load(render(simple_report()))
    anchor = sheet._charts[0].anchor._from
    assert anchor.col == 4  # 0-based: column E, one empty column after the 3-column table
    assert anchor.row + 1 == row_of(sheet, "Reporting period")


def test_the_chart_moves_right_of_a_wider_table_it_would_otherwise_cover() -> None:
    wide = Table("Peak split", ("Name", "Unit", "Top", "On", "Mid", "Off", "Deep"), (("A", "kWh", 1, 2, 3, 4, 5),))
    sheet = load(render(simple_report(extra=(wide,))))
    assert sheet._charts[0].anchor._from.col == 8  # column I: after the 7 columns of the table below
    far_below = Table("Later", ("Period", *"BCDEFGHIJK"), ())
    filler = tuple(Table(f"Filler {i}", ("Name",), (("x",),)) for i in range(10))
    sheet = load(render(simple_report(extra=(*filler, far_below))))
    assert sheet._charts[0].anchor._from.col == 4


def test_the_chart_is_titled_with_the_report_and_its_y_axis_with_the_shared_unit() -> None:
    sheet = load(render(simple_report()))
    chart = sheet._charts[0]
    assert chart.title.tx.rich.p[0].r[0].t == "Space Energy Category Report"
    assert chart.y_axis.title.tx.rich.p[0].r[0].t == "kWh"
    assert chart.x_axis.delete is False
    assert chart.y_axis.delete is False


def test_the_y_axis_has_no_title_when_the_series_units_differ() -> None:
    detail = Table("Reporting period", ("Period", "Electricity (kWh)", "Water (m³)"), (("2024-01", 1.0, 2.0),))
    chart = load(render(simple_report(detail=detail)))._charts[0]
    assert chart.y_axis.title is None


def test_the_chart_keeps_at_most_20_series() -> None:
    header = ("Period", *(f"Meter {i} (kWh)" for i in range(30)))
    rows: tuple[tuple[Cell, ...], ...] = tuple((f"2024-01-{d:02d}", *([float(d)] * 30)) for d in range(1, 4))
    sheet = load(render(simple_report(detail=Table("Reporting period", header, rows))))
    assert len(sheet._charts[0].series) == MAX_CHART_SERIES == 20
    assert sheet.cell(row=row_of(sheet, "2024-01-03"), column=31).value == 3.0


def test_no_chart_is_drawn_when_the_report_asks_for_none() -> None:
    assert load(render(simple_report(chart=None)))._charts == []


def test_no_chart_is_drawn_for_a_detail_table_with_only_a_total_row_or_only_labels() -> None:
    only_total = Table("Reporting period", ("Period", "Electricity (kWh)"), (("Total", 0.0),))
    only_labels = Table("Reporting period", ("Period",), (("2024-01",),))
    assert load(render(simple_report(detail=only_total)))._charts == []
    assert load(render(simple_report(detail=only_labels)))._charts == []


def test_an_unknown_chart_type_is_refused() -> None:
    with pytest.raises(ValueError, match="chart"):
        render(simple_report(chart="pie"))


# ------------------------------------------------------------------------------------------------ cells

def test_text_starting_with_an_equals_sign_stays_text_and_never_becomes_a_formula() -> None:
    facts = (("Space", "=HYPERLINK(\"http://example.invalid\")"),)
    summary = Table("Summary", ("Name",), (("=1+1",),))
    sheet = load(render(simple_report(title="=SUM(1,2)", facts=facts, summary=summary)))
    assert sheet["A1"].value == "=SUM(1,2)"
    assert sheet["A1"].data_type == "s"
    assert sheet["B3"].value == "=HYPERLINK(\"http://example.invalid\")"
    assert sheet["B3"].data_type == "s"
    cell = sheet.cell(row=row_of(sheet, "=1+1"), column=1)
    assert cell.data_type == "s"


def test_nan_and_infinities_become_empty_cells() -> None:
    detail = Table("Reporting period", ("Period", "A (kWh)", "B (kWh)", "C (kWh)"),
                   (("2024-01", math.nan, math.inf, 1),))
    sheet = load(render(simple_report(detail=detail)))
    assert values(sheet, row_of(sheet, "2024-01"), 4) == ("2024-01", None, None, 1)


def test_characters_xml_cannot_hold_are_dropped() -> None:
    sheet = load(render(simple_report(title="Report\x00\x07 one", facts=(("Space", "A\x1fB"),))))
    assert sheet["A1"].value == "Report one"
    assert sheet["B3"].value == "AB"


def test_the_sheet_name_is_made_valid_for_excel() -> None:
    name = "Energy [2024/01]: a very long sheet name"
    book = openpyxl.load_workbook(io.BytesIO(render(simple_report(sheet_name=name))))
    assert book.sheetnames == ["Energy  2024 01   a very long s"]
    assert openpyxl.load_workbook(io.BytesIO(render(simple_report(sheet_name="?*")))).sheetnames == ["Report"]


def test_chinese_category_names_round_trip() -> None:
    result = multi_series()
    result["reporting_period"]["names"] = ["电", "自来水"]
    result["reporting_period"]["units"] = ["千瓦时", "立方米"]
    sheet = load(render(from_result("空间能耗分类报表", (("空间", "一号楼"),), result)))
    assert sheet["A1"].value == "空间能耗分类报表"
    assert values(sheet, 3, 2) == ("空间", "一号楼")
    assert values(sheet, row_of(sheet, "Period"), 3) == ("Period", "电 (千瓦时)", "自来水 (立方米)")
    summary = row_of(sheet, "Name") + 1
    assert values(sheet, summary, 2) == ("电", "千瓦时")
    assert sheet._charts[0].y_axis.title is None


def test_very_long_names_are_kept_whole_and_their_columns_are_capped() -> None:
    name = "Chilled water plant, building A, north wing, level 3, air handling unit 12 " * 3
    result = multi_series()
    result["reporting_period"]["names"] = [name, "Water"]
    sheet = load(render(from_result("A" * 300, FACTS, result)))
    assert sheet["A1"].value == "A" * 300
    assert sheet.cell(row=row_of(sheet, "Period"), column=2).value == f"{name} (kWh)"
    assert sheet.cell(row=row_of(sheet, "Name") + 1, column=1).value == name
    assert sheet.column_dimensions["A"].width == 50
    assert sheet.column_dimensions["B"].width == 40
    assert len(sheet._charts) == 1


# ----------------------------------------------------------------------------------------- multi-series

def test_a_multi_series_summary_has_one_row_per_series_with_base_rate_area_and_emissions() -> None:
    sheet = load(render(from_result("Space Energy Category Report", FACTS, multi_series())))
    header = row_of(sheet, "Name")
    assert sheet.cell(row=header - 1, column=1).value == "Summary"
    assert values(sheet, header, 8) == ("Name", "Unit", "Reporting period", "Base period", "Increment rate",
                                        "Per unit area", "kgce", "kgCO2e")
    electricity = values(sheet, header + 1, 8)
    assert electricity[:5] == ("Electricity", "kWh", 3565.0, 2480.0, 0.25)
    assert electricity[5] == pytest.approx(3.565)
    assert electricity[6] == pytest.approx(3565 * 0.1229)
    assert electricity[7] == pytest.approx(3565 * 0.581)
    assert values(sheet, header + 2, 8) == ("Water", "m³", 75.0, 62.0, None, 0.075, 0.0, 0.0)
    assert sheet.cell(row=header + 1, column=5).number_format == "0.00%"
    assert sheet.cell(row=header + 1, column=3).number_format == "0.00"


def test_a_multi_series_detail_has_a_row_per_period_and_a_total_row() -> None:
    sheet = load(render(from_result("Space Energy Category Report", FACTS, multi_series())))
    header = row_of(sheet, "Period")
    assert sheet.cell(row=header - 1, column=1).value == "Reporting period"
    assert values(sheet, header, 3) == ("Period", "Electricity (kWh)", "Water (m³)")
    assert values(sheet, header + 1, 3) == ("2024-01-01T00:00:00", 100.0, None)
    assert values(sheet, header + 31, 3) == ("2024-01-31T00:00:00", 130.0, 2.5)
    assert values(sheet, header + 32, 3) == ("Total", 3565.0, 75.0)
    assert len(sheet._charts[0].series) == 2


def test_a_multi_series_base_period_is_an_extra_detail_table() -> None:
    sheet = load(render(from_result("Space Energy Category Report", FACTS, multi_series())))
    title = row_of(sheet, "Base period")
    assert values(sheet, title + 1, 3) == ("Period", "Electricity (kWh)", "Water (m³)")
    assert values(sheet, title + 2, 3) == ("2023-12-01T00:00:00", 80.0, 2.0)
    assert values(sheet, title + 33, 3) == ("Total", 2480.0, 62.0)
    assert len(sheet._charts) == 1


def test_a_multi_series_peak_split_is_an_extra_table_when_it_has_energy() -> None:
    sheet = load(render(from_result("Space Energy Category Report", FACTS, multi_series())))
    title = row_of(sheet, "Peak split")
    assert values(sheet, title + 1, 7) == ("Name", "Unit", "Top-peak", "On-peak", "Mid-peak", "Off-peak",
                                           "Deep valley")
    assert values(sheet, title + 2, 7) == ("Electricity", "kWh", 500.0, 1500.0, 1000.0, 565.0, 0.0)
    assert values(sheet, title + 3, 7) == ("Water", "m³", 0.0, 0.0, 0.0, 0.0, 0.0)


def test_a_peak_split_of_zeros_or_no_peak_split_adds_no_table() -> None:
    zeros = multi_series()
    for key in ("toppeaks", "onpeaks", "midpeaks", "offpeaks", "deeps"):
        zeros["reporting_period"][key] = [0.0, None]
    report = from_result("Space Energy Category Report", FACTS, zeros)
    assert [t.title for t in report.extra] == ["Base period"]
    for key in ("toppeaks", "onpeaks", "midpeaks", "offpeaks", "deeps"):
        del zeros["reporting_period"][key]
    assert [t.title for t in from_result("Report", FACTS, zeros).extra] == ["Base period"]


def test_a_multi_series_result_without_a_base_period_has_no_base_column_or_table() -> None:
    sheet = load(render(from_result("Space Energy Category Report", FACTS, multi_series(base=False))))
    header = row_of(sheet, "Name")
    assert values(sheet, header, 7) == ("Name", "Unit", "Reporting period", "Increment rate", "Per unit area",
                                        "kgce", "kgCO2e")
    assert values(sheet, header + 1, 4) == ("Electricity", "kWh", 3565.0, 0.25)
    with pytest.raises(AssertionError):
        row_of(sheet, "Base period")
    assert len(sheet._charts) == 1


def test_missing_subtotals_are_summed_and_a_missing_increment_rate_is_worked_out_from_the_base() -> None:
    result = multi_series()
    rp = result["reporting_period"]
    for key in ("subtotals", "increment_rates", "subtotals_per_unit_area", "subtotals_in_kgce",
                "subtotals_in_kgco2e"):
        del rp[key]
    report = from_result("Report", FACTS, result)
    assert report.summary is not None
    assert report.summary.header == ("Name", "Unit", "Reporting period", "Base period", "Increment rate")
    electricity, water = report.summary.rows
    assert electricity[:4] == ("Electricity", "kWh", 3565.0, 2480.0)
    assert electricity[4] == pytest.approx(3565 / 2480 - 1)
    assert water[:4] == ("Water", "m³", 75.0, 62.0)
    assert water[4] == pytest.approx(75 / 62 - 1)


def test_ragged_series_lists_are_padded_with_empty_cells() -> None:
    result = {"reporting_period": {"names": ["A", "B"], "units": ["kWh"], "timestamps": [JANUARY[:2], JANUARY[:1]],
                                   "values": [[1.0, 2.0], [5.0]], "subtotals": [3.0]}}
    sheet = load(render(from_result("Report", (), result)))
    header = row_of(sheet, "Period")
    assert values(sheet, header, 3) == ("Period", "A (kWh)", "B")
    assert values(sheet, header + 2, 3) == (JANUARY[1], 2.0, None)
    assert values(sheet, header + 3, 3) == ("Total", 3.0, 5.0)


# ---------------------------------------------------------------------------------------- single-series

def test_a_single_series_summary_is_one_row_with_the_measure_label() -> None:
    sheet = load(render(from_result("Meter Energy Report", (("Meter", "Main incomer"),), single_series(),
                                    measure_label="Consumption")))
    header = row_of(sheet, "Name")
    assert values(sheet, header, 7) == ("Name", "Unit", "Reporting period", "Base period", "Increment rate",
                                        "kgce", "kgCO2e")
    assert values(sheet, header + 1, 7) == ("Consumption", "kWh", 60.5, 55.0, 0.1, 7.4, 35.2)
    assert sheet.cell(row=header + 1, column=5).number_format == "0.00%"
    assert values(sheet, header + 2, 1) == (None,)


def test_a_single_series_detail_is_labelled_with_the_meter_unit_and_ends_with_the_total() -> None:
    sheet = load(render(from_result("Meter Energy Report", (), single_series())))
    header = row_of(sheet, "Period")
    assert values(sheet, header, 2) == ("Period", "Value (kWh)")
    assert values(sheet, header + 1, 2) == (JANUARY[0], 20.0)
    assert values(sheet, header + 2, 2) == (JANUARY[1], None)
    assert values(sheet, header + 3, 2) == (JANUARY[2], 40.5)
    assert values(sheet, header + 4, 2) == ("Total", 60.5)
    chart = sheet._charts[0]
    assert len(chart.series) == 1
    assert chart.y_axis.title.tx.rich.p[0].r[0].t == "kWh"
    base = row_of(sheet, "Base period")
    assert values(sheet, base + 2, 2) == (DECEMBER[0], 15.0)
    assert values(sheet, base + 5, 2) == ("Total", 55.0)


def test_a_single_series_result_without_a_base_period_or_unit_still_renders() -> None:
    result = single_series(base=False)
    del result["meter"]
    del result["reporting_period"]["increment_rate"]
    sheet = load(render(from_result("Meter Energy Report", (), result)))
    header = row_of(sheet, "Name")
    assert values(sheet, header, 5) == ("Name", "Unit", "Reporting period", "kgce", "kgCO2e")
    assert values(sheet, header + 1, 5) == ("Total", None, 60.5, 7.4, 35.2)
    assert values(sheet, row_of(sheet, "Period"), 2) == ("Period", "Value")
    with pytest.raises(AssertionError):
        row_of(sheet, "Base period")
    assert sheet._charts[0].y_axis.title is None


def test_a_single_series_total_is_summed_when_the_result_has_none() -> None:
    result = single_series(base=False)
    del result["reporting_period"]["total_in_category"]
    report = from_result("Meter Energy Report", (), result)
    assert report.detail is not None
    assert report.detail.rows[-1] == ("Total", 60.5)


# ------------------------------------------------------------------------------------------- empty data

def test_an_empty_multi_series_result_renders_the_title_block_and_no_data_notes_without_a_chart() -> None:
    result: dict[str, Any] = {
        "reporting_period": {"names": [], "units": [], "timestamps": [], "values": [], "subtotals": []},
        "base_period": {"timestamps": [], "values": [], "subtotals": []},
    }
    sheet = load(render(from_result("Space Energy Category Report", FACTS, result)))
    assert sheet["A1"].value == "Space Energy Category Report"
    assert values(sheet, 3, 2) == FACTS[0]
    summary = row_of(sheet, "Summary")
    assert values(sheet, summary + 1, 3) == ("Name", "Unit", "Reporting period")
    assert sheet.cell(row=summary + 2, column=1).value == NO_DATA
    assert sheet.cell(row=summary + 2, column=1).font.italic
    detail = row_of(sheet, "Reporting period")
    assert values(sheet, detail + 1, 2) == ("Period", None)
    assert sheet.cell(row=detail + 2, column=1).value == NO_DATA
    assert sheet._charts == []


def test_series_without_periods_have_summary_rows_but_an_empty_detail_and_no_chart() -> None:
    result = {"reporting_period": {"names": ["Electricity"], "units": ["kWh"], "timestamps": [[]], "values": [[]],
                                   "subtotals": [0.0]},
              "base_period": {"timestamps": [[]], "values": [[]], "subtotals": [0.0]}}
    sheet = load(render(from_result("Report", FACTS, result)))
    assert values(sheet, row_of(sheet, "Name") + 1, 3) == ("Electricity", "kWh", 0.0)
    assert sheet.cell(row=row_of(sheet, "Period") + 1, column=1).value == NO_DATA
    assert sheet._charts == []


def test_an_empty_single_series_result_and_an_empty_result_render_valid_workbooks() -> None:
    meter = {"meter": {"unit_of_measure": "kWh"},
             "reporting_period": {"total_in_category": 0.0, "timestamps": [], "values": []},
             "base_period": {"total_in_category": 0.0, "timestamps": [], "values": []}}
    sheet = load(render(from_result("Meter Energy Report", (), meter)))
    assert values(sheet, row_of(sheet, "Name") + 1, 3) == ("Total", "kWh", 0.0)
    assert sheet.cell(row=row_of(sheet, "Period") + 1, column=1).value == NO_DATA
    assert sheet._charts == []
    nothing = load(render(from_result("Report", (), {})))
    assert nothing["A1"].value == "Report"
    assert nothing._charts == []


def test_a_report_with_no_tables_is_just_its_title_block() -> None:
    sheet = load(render(ExcelReport(title="Report", facts=(("Space", "A"),))))
    assert sheet["A1"].value == "Report"
    assert values(sheet, 3, 2) == ("Space", "A")
    assert sheet.max_row == 3
    assert sheet._charts == []


# ------------------------------------------------------------------------------------------- the bytes

def test_render_base64_decodes_to_the_workbook_render_gives() -> None:
    report = from_result("Space Energy Category Report", FACTS, multi_series())
    encoded = render_base64(report)
    assert encoded.isascii()
    decoded = openpyxl.load_workbook(io.BytesIO(base64.b64decode(encoded)))
    rendered = openpyxl.load_workbook(io.BytesIO(render(report)))
    assert [list(r) for r in decoded.active.iter_rows(values_only=True)] == \
        [list(r) for r in rendered.active.iter_rows(values_only=True)]


def test_the_same_report_always_renders_the_same_content() -> None:
    report = from_result("Space Energy Category Report", FACTS, multi_series())
    first = render(report)
    again = openpyxl.load_workbook(io.BytesIO(render(report)))
    book = openpyxl.load_workbook(io.BytesIO(first))
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == \
        [list(r) for r in again.active.iter_rows(values_only=True)]
    assert book.properties.modified == again.properties.modified
    assert book.properties.title == "Space Energy Category Report"
    assert book.properties.creator == "myems-ng"


def test_rendering_leaves_no_file_in_the_working_directory_or_the_temporary_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    scratch = tmp_path / "scratch"
    work.mkdir()
    scratch.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = os.listdir(work)
    data = render(from_result("Space Energy Category Report", FACTS, multi_series()))
    render_base64(from_result("Meter Energy Report", (), single_series()))
    assert os.listdir(work) == before == []
    assert os.listdir(scratch) == []
    assert data.startswith(b"PK")
