"""Offline meters: daily values spread over local days' UTC hours, and the uploaded workbook's parser.

Golden cases are worked out by hand from the zones' offsets; the properties check energy conservation
(a day's hours, and a run of days' hours, sum to the values) in whole-hour, DST and half-hour zones.
Workbooks are built in memory with openpyxl.
"""

from __future__ import annotations

import calendar
import io
import math
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from aggregation import offline
from aggregation.offline import (
    DUPLICATE_COLUMN,
    DUPLICATE_DATE,
    FILE_TOO_LARGE,
    INVALID_DATE,
    INVALID_FILE,
    INVALID_VALUE,
    MISSING_DATE_COLUMN,
    MISSING_VALUE_COLUMN,
    NO_DATA,
    TOO_MANY_ERRORS,
    TOO_MANY_ROWS,
    CellError,
    ParsedWorkbook,
    daily_to_hourly,
    local_day_bounds,
    read_offline_meter_workbook,
)
from aggregation.series import ESTIMATED, HOUR

NAN = math.nan


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """POSIX seconds of a UTC wall time."""
    return calendar.timegm((year, month, day, hour, minute, 0))


def hour_starts(first: int, count: int) -> list[int]:
    return [first + i * HOUR for i in range(count)]


# ------------------------------------------------------------------------------------------------ golden days


def test_a_normal_shanghai_day_is_24_hours_of_a_24th_from_16_utc_the_day_before() -> None:
    result = daily_to_hourly(["2026-03-01"], [48.0], "Asia/Shanghai")
    assert result.hours.tolist() == hour_starts(utc(2026, 2, 28, 16), 24)
    assert result.energy.tolist() == [2.0] * 24
    assert result.flags.tolist() == [ESTIMATED] * 24
    assert result.hours.dtype == np.int64 and result.energy.dtype == np.float64 and result.flags.dtype == np.uint8


def test_the_london_spring_forward_day_has_23_hours_of_a_23rd() -> None:
    result = daily_to_hourly(["2026-03-29"], [46.0], "Europe/London")
    assert result.hours.tolist() == hour_starts(utc(2026, 3, 29, 0), 23)  # GMT midnight to BST midnight (23:00Z)
    assert result.energy.tolist() == [46.0 / 23] * 23
    assert result.flags.tolist() == [ESTIMATED] * 23


def test_the_london_fall_back_day_has_25_hours_of_a_25th() -> None:
    result = daily_to_hourly(["2026-10-25"], [50.0], "Europe/London")
    assert result.hours.tolist() == hour_starts(utc(2026, 10, 24, 23), 25)  # BST midnight to GMT midnight
    assert result.energy.tolist() == [2.0] * 25


def test_a_kolkata_day_covers_25_utc_hours_with_half_an_hour_at_each_end() -> None:
    result = daily_to_hourly(["2026-03-01"], [48.0], "Asia/Kolkata")  # local midnight is 18:30Z the day before
    assert result.hours.tolist() == hour_starts(utc(2026, 2, 28, 18), 25)
    assert result.energy.tolist() == [1.0] + [2.0] * 23 + [1.0]
    assert math.fsum(result.energy) == 48.0
    assert result.flags.tolist() == [ESTIMATED] * 25


def test_two_kolkata_days_share_their_boundary_hour_half_and_half() -> None:
    result = daily_to_hourly(["2026-03-01", "2026-03-02"], [48.0, 96.0], "Asia/Kolkata")
    assert result.hours.tolist() == hour_starts(utc(2026, 2, 28, 18), 49)
    shared = result.hours.tolist().index(utc(2026, 3, 1, 18))
    assert result.energy[shared] == 48.0 / 48 + 96.0 / 48
    assert math.fsum(result.energy) == 144.0


def test_an_adelaide_summer_day_is_split_at_13_30_utc() -> None:
    starts, ends = local_day_bounds(["2026-01-15"], "Australia/Adelaide")  # +10:30 in January
    assert starts.tolist() == [utc(2026, 1, 14, 13, 30)] and ends.tolist() == [utc(2026, 1, 15, 13, 30)]
    result = daily_to_hourly(["2026-01-15"], [24.0], "Australia/Adelaide")
    assert result.hours[0] == utc(2026, 1, 14, 13) and len(result.hours) == 25
    assert result.energy[0] == result.energy[-1] == 0.5


def test_a_lord_howe_half_hour_dst_day_lasts_23_and_a_half_hours() -> None:
    starts, ends = local_day_bounds(["2026-10-04"], "Australia/Lord_Howe")  # +10:30 -> +11:00 at 02:00
    assert (ends - starts).tolist() == [23 * HOUR + HOUR // 2]
    result = daily_to_hourly(["2026-10-04"], [47.0], "Australia/Lord_Howe")
    assert math.isclose(math.fsum(result.energy), 47.0, rel_tol=1e-12)


def test_a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() -> None:
    # Sao Paulo jumped from 00:00 to 01:00 on 2018-11-04: the day starts at 01:00-02:00 = 03:00Z, lasts 23 hours.
    starts, ends = local_day_bounds(["2018-11-04"], "America/Sao_Paulo")
    assert starts.tolist() == [utc(2018, 11, 4, 3)] and ends.tolist() == [utc(2018, 11, 5, 2)]
    assert daily_to_hourly(["2018-11-04"], [23.0], "America/Sao_Paulo").energy.tolist() == [1.0] * 23


def test_a_nan_day_gives_nan_hours_without_flags() -> None:
    result = daily_to_hourly(["2026-03-01", "2026-03-02"], [NAN, 24.0], "Asia/Shanghai")
    assert np.isnan(result.energy[:24]).all() and result.flags[:24].tolist() == [0] * 24
    assert result.energy[24:].tolist() == [1.0] * 24 and result.flags[24:].tolist() == [ESTIMATED] * 24


def test_an_infinite_value_counts_as_unknown() -> None:
    assert np.isnan(daily_to_hourly(["2026-03-01"], [math.inf], "UTC").energy).all()


def test_a_shared_hour_next_to_a_nan_day_is_unknown() -> None:
    result = daily_to_hourly(["2026-03-01", "2026-03-02"], [48.0, NAN], "Asia/Kolkata")
    shared = result.hours.tolist().index(utc(2026, 3, 1, 18))
    assert np.isnan(result.energy[shared]) and result.flags[shared] == 0
    assert result.energy[shared - 1] == 2.0 and result.flags[shared - 1] == ESTIMATED


def test_days_may_come_unsorted_and_with_gaps_and_hours_come_back_sorted() -> None:
    result = daily_to_hourly(["2026-03-05", "2026-03-01"], [24.0, 48.0], "UTC")
    assert result.hours.tolist() == hour_starts(utc(2026, 3, 1), 24) + hour_starts(utc(2026, 3, 5), 24)
    assert result.energy.tolist() == [2.0] * 24 + [1.0] * 24


@pytest.mark.parametrize("days", [
    np.array(["2026-03-01", "2026-03-02"], dtype="datetime64[D]"),
    np.array(["2026-03-01T00:00:00", "2026-03-02T00:00:00"], dtype="datetime64[s]"),
    ["2026-03-01", "2026-03-02"],
    np.array(["2026-03-01", "2026-03-02"]),
    [date(2026, 3, 1), date(2026, 3, 2)],
    [datetime(2026, 3, 1), np.datetime64("2026-03-02")],
], ids=["datetime64[D]", "datetime64[s]-midnight", "iso-strings", "numpy-strings", "dates", "mixed"])
def test_days_may_be_datetime64_iso_strings_or_dates(days: Any) -> None:
    result = daily_to_hourly(days, [24.0, 48.0], "Europe/Berlin")
    assert result.hours[0] == utc(2026, 2, 28, 23) and len(result.hours) == 48


def test_no_days_give_no_hours() -> None:
    result = daily_to_hourly([], [], "Asia/Shanghai")
    assert result.hours.size == result.energy.size == result.flags.size == 0


@pytest.mark.parametrize("days, values, zone, message", [
    (["2026-03-01", "2026-03-01"], [1.0, 2.0], "UTC", "duplicate days: 2026-03-01"),
    (["2026-03-01"], [1.0, 2.0], "UTC", "same length"),
    (["2026-03-01"], [1.0], "Mars/Olympus_Mons", "unknown time zone"),
    (["2026-3-1"], [1.0], "UTC", "not an ISO date"),
    (["20260301"], [1.0], "UTC", "not an ISO date"),
    (["2026-03-01T05:00"], [1.0], "UTC", "not an ISO date"),
    (["2026-02-30"], [1.0], "UTC", "not an ISO date"),
    ([datetime(2026, 3, 1, 8)], [1.0], "UTC", "not a whole local day"),
    (np.array(["2026-03-01T08"], dtype="datetime64[h]"), [1.0], "UTC", "whole days"),
    (np.array(["NaT"], dtype="datetime64[D]"), [1.0], "UTC", "NaT"),
    ([20260301], [1.0], "UTC", "not a date"),
    ("2026-03-01", [1.0], "UTC", "not a single string"),
    (["2011-12-30"], [1.0], "Pacific/Apia", "do not exist in Pacific/Apia"),  # Samoa skipped the day
])
def test_bad_days_values_or_zones_are_refused(days: Any, values: list[float], zone: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        daily_to_hourly(days, values, zone)


# ------------------------------------------------------------------------------------------------ properties

ZONES = ["UTC", "Asia/Shanghai", "Europe/London", "America/New_York", "America/Sao_Paulo", "America/St_Johns",
         "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tehran", "Australia/Adelaide", "Australia/Lord_Howe",
         "Pacific/Chatham", "Pacific/Auckland", "America/Santiago", "Africa/Cairo", "Etc/GMT+12", "Pacific/Kiritimati"]
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
ENERGY = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), day=DAYS, value=ENERGY)
def test_the_hours_of_a_day_sum_to_its_value_in_any_zone(zone: str, day: date, value: float) -> None:
    result = daily_to_hourly([day], [value], zone)
    assert math.isclose(math.fsum(result.energy), value, rel_tol=1e-12, abs_tol=1e-9)
    assert (np.diff(result.hours) == HOUR).all() and (result.hours % HOUR == 0).all()
    assert len(result.hours) in (23, 24, 25, 26) and (result.flags == ESTIMATED).all()


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), first=DAYS, values=st.lists(ENERGY, min_size=1, max_size=60))
def test_consecutive_days_never_double_count_a_shared_hour(zone: str, first: date, values: list[float]) -> None:
    days = [first + timedelta(days=i) for i in range(len(values))]
    result = daily_to_hourly(days, values, zone)
    assert math.isclose(math.fsum(result.energy), math.fsum(values), rel_tol=1e-12, abs_tol=1e-9)
    # The run's hours are contiguous and each appears once; each equals the sum of the days' separate parts.
    assert (np.diff(result.hours) == HOUR).all()
    parts: dict[int, float] = {}
    for day, value in zip(days, values, strict=True):
        alone = daily_to_hourly([day], [value], zone)
        for hour, energy in zip(alone.hours.tolist(), alone.energy.tolist(), strict=True):
            parts[hour] = parts.get(hour, 0.0) + energy
    assert sorted(parts) == result.hours.tolist()
    assert np.allclose(result.energy, [parts[h] for h in result.hours.tolist()], rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(zone=st.sampled_from(ZONES), first=DAYS, n=st.integers(1, 40))
def test_consecutive_local_days_tile_time_without_gap_or_overlap(zone: str, first: date, n: int) -> None:
    starts, ends = local_day_bounds([first + timedelta(days=i) for i in range(n)], zone)
    assert (starts[1:] == ends[:-1]).all() and (ends > starts).all()


# ------------------------------------------------------------------------------------------------ workbooks


def xlsx(rows: Sequence[Sequence[Any]], sheet_before: bool = False) -> bytes:
    """An .xlsx in memory whose first sheet holds ``rows`` (row 1 first); None cells stay empty."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if sheet_before:  # a second sheet made active: the reader still reads the first one
        other = workbook.create_sheet("other")
        other.append(["nothing", "here"])
        workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(data: bytes) -> list[CellError]:
    parsed = read_offline_meter_workbook(data)
    assert parsed.rows == [] or parsed.errors == []
    return parsed.errors


def test_a_good_file_gives_its_rows_in_file_order() -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 2), 12.5], [date(2026, 3, 1), 10], ["2026-03-03", 0]])
    assert read_offline_meter_workbook(data) == ParsedWorkbook(
        rows=[(date(2026, 3, 2), 12.5), (date(2026, 3, 1), 10.0), (date(2026, 3, 3), 0.0)], errors=[],
        sheet_title="Sheet")


@pytest.mark.parametrize("header, date_col, value_col", [
    (["Date", "Value"], 0, 1), (["DATE", "Energy"], 0, 1), ([" date ", "value "], 0, 1), (["日期", "数值"], 0, 1),
    (["Day", "Consumption"], 0, 1), (["date", "Value (kWh)"], 0, 1), (["日期", "能耗（kWh）"], 0, 1),
    (["Remark", "Value", "Date"], 2, 1), (["value", "date"], 1, 0),
], ids=lambda x: "|".join(x) if isinstance(x, list) else str(x))
def test_header_aliases_find_the_columns_in_any_order_ignoring_case_and_units(
        header: list[str], date_col: int, value_col: int) -> None:
    row: list[Any] = ["a remark"] * len(header)
    row[date_col], row[value_col] = date(2026, 3, 1), 7.0
    assert read_offline_meter_workbook(xlsx([header, row])).rows == [(date(2026, 3, 1), 7.0)]


def test_excel_date_and_midnight_datetime_cells_and_iso_text_dates_are_read() -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 1], [datetime(2026, 3, 2), 2], ["2026-03-03", 3],
                 ["2026/03/04", 4], [" 2026-03-05 ", 5], ["2026-03-06 00:00:00", 6], ["2026-3-7", 7],
                 ["2026-03-08T00:00", "8.5"]])
    assert read_offline_meter_workbook(data).rows == [
        (date(2026, 3, d), float(d)) for d in range(1, 8)] + [(date(2026, 3, 8), 8.5)]


@pytest.mark.parametrize("cell", [
    "yesterday", "2026-02-30", "01/03/2026", "20260301", "2026-03-01 08:00", 46082, 46082.0, True,
    datetime(2026, 3, 1, 8, 30), time(8, 0), None, "  ", date(1960, 1, 1), "2206-03-01",
], ids=repr)
def test_a_bad_date_cell_is_reported_with_its_row_and_column(cell: Any) -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 1.0], [cell, 2.0]])
    assert errors_of(data) == [CellError(3, "A", INVALID_DATE)]


@pytest.mark.parametrize("cell", [
    -1, -0.5, "-5", "abc", "1,234", "#DIV/0!", True, None, " ", "nan", "inf", "1e999", date(2026, 1, 1),
], ids=repr)
def test_a_bad_value_cell_is_reported_with_its_row_and_column(cell: Any) -> None:
    data = xlsx([["value", "remark", "date"], [cell, "", date(2026, 3, 1)]])
    assert errors_of(data) == [CellError(2, "A", INVALID_VALUE)]


def test_a_negative_value_is_refused_and_nothing_is_returned() -> None:
    parsed = read_offline_meter_workbook(xlsx([["date", "value"], [date(2026, 3, 1), 5], [date(2026, 3, 2), -3]]))
    assert parsed == ParsedWorkbook(rows=[], errors=[CellError(3, "B", INVALID_VALUE)], sheet_title="Sheet")


def test_every_bad_cell_is_reported_in_row_order_with_both_cells_of_a_row() -> None:
    data = xlsx([["remark", "date", "", "energy"], ["ok", "2026-03-01", None, 1], ["x", "bad", None, 2],
                 ["y", "2026-03-03", None, "bad"], ["z", "worse", None, -1]])
    assert errors_of(data) == [CellError(3, "B", INVALID_DATE), CellError(4, "D", INVALID_VALUE),
                               CellError(5, "B", INVALID_DATE), CellError(5, "D", INVALID_VALUE)]


def test_a_date_given_twice_is_reported_at_each_later_row_whatever_its_form() -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 1], ["2026-03-02", 2], ["2026-03-01", 3],
                 [datetime(2026, 3, 1), 4]])
    assert errors_of(data) == [CellError(4, "A", DUPLICATE_DATE), CellError(5, "A", DUPLICATE_DATE)]


def test_a_missing_header_is_reported_at_the_first_row() -> None:
    assert errors_of(xlsx([[date(2026, 3, 1), 1.0], [date(2026, 3, 2), 2.0]])) == [
        CellError(1, "", MISSING_DATE_COLUMN), CellError(1, "", MISSING_VALUE_COLUMN)]


def test_a_header_without_a_value_column_is_reported() -> None:
    assert errors_of(xlsx([["date", "reading"], [date(2026, 3, 1), 1.0]])) == [CellError(1, "", MISSING_VALUE_COLUMN)]


def test_two_value_columns_are_ambiguous() -> None:
    assert errors_of(xlsx([["date", "value", "Energy"], [date(2026, 3, 1), 1.0, 1.0]])) == [
        CellError(1, "C", DUPLICATE_COLUMN)]


def test_an_empty_sheet_misses_its_header() -> None:
    assert errors_of(xlsx([])) == [CellError(1, "", MISSING_DATE_COLUMN), CellError(1, "", MISSING_VALUE_COLUMN)]


def test_a_header_without_data_has_nothing_to_import() -> None:
    assert errors_of(xlsx([["date", "value"], [None, None]])) == [CellError(2, "", NO_DATA)]


@pytest.mark.parametrize("data", [
    b"", b"not a workbook", b"date,value\n2026-03-01,1\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
], ids=["empty", "text", "csv", "xls-signature"])
def test_bytes_that_are_not_a_workbook_give_one_error_at_row_0(data: bytes) -> None:
    assert read_offline_meter_workbook(data) == ParsedWorkbook(rows=[], errors=[CellError(0, "", INVALID_FILE)])


def test_a_zip_that_is_not_a_workbook_gives_one_error_at_row_0() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert errors_of(buffer.getvalue()) == [CellError(0, "", INVALID_FILE)]


def test_a_truncated_workbook_gives_one_error_at_row_0() -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 1.0]])
    assert errors_of(data[: len(data) // 2]) == [CellError(0, "", INVALID_FILE)]


def test_a_file_over_the_size_limit_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 1.0]])
    monkeypatch.setattr(offline, "MAX_FILE_BYTES", len(data) - 1)
    assert errors_of(data) == [CellError(0, "", FILE_TOO_LARGE)]


def test_a_workbook_that_inflates_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline, "MAX_UNCOMPRESSED_BYTES", 1000)
    assert errors_of(xlsx([["date", "value"], [date(2026, 3, 1), 1.0]])) == [CellError(0, "", FILE_TOO_LARGE)]


def test_rows_past_the_limit_are_reported_where_reading_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline, "MAX_ROWS", 3)
    rows: list[list[Any]] = [["date", "value"]] + [[date(2026, 3, d), 1.0] for d in range(1, 4)]
    assert read_offline_meter_workbook(xlsx(rows)).errors == []
    rows += [[None, None], [date(2026, 3, 4), 1.0], [date(2026, 3, 5), 1.0]]
    assert errors_of(xlsx(rows)) == [CellError(6, "", TOO_MANY_ROWS)]


def test_too_many_errors_stop_the_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline, "MAX_ERRORS", 3)
    rows = [["date", "value"]] + [["bad", "bad"]] * 5
    assert errors_of(xlsx(rows)) == [CellError(2, "A", INVALID_DATE), CellError(2, "B", INVALID_VALUE),
                                     CellError(3, "A", INVALID_DATE), CellError(3, "", TOO_MANY_ERRORS)]


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    data = xlsx([[None, None], ["  ", None], ["date", "value", "remark"], [date(2026, 3, 1), 1.0, None],
                 [None, None, None], ["", " ", "a remark alone"], [date(2026, 3, 2), 2.0], [None, None],
                 ["oops", 3.0], [None, None]])
    assert errors_of(data) == [CellError(9, "A", INVALID_DATE)]
    good = xlsx([[None], ["date", "value"], [None, None], [date(2026, 3, 1), 1.0], [], [date(2026, 3, 2), 2.0]])
    assert read_offline_meter_workbook(good).rows == [(date(2026, 3, 1), 1.0), (date(2026, 3, 2), 2.0)]


def test_a_formula_excel_never_calculated_has_no_value() -> None:
    assert errors_of(xlsx([["date", "value"], [date(2026, 3, 1), "=1+1"]])) == [CellError(2, "B", INVALID_VALUE)]


def test_the_first_worksheet_is_read_even_when_another_is_active() -> None:
    data = xlsx([["date", "value"], [date(2026, 3, 1), 4.0]], sheet_before=True)
    assert read_offline_meter_workbook(data).rows == [(date(2026, 3, 1), 4.0)]


def test_a_parsed_workbook_feeds_daily_to_hourly() -> None:
    data = xlsx([["日期", "数值"], ["2026-03-29", 46.0], ["2026-03-28", 24.0]])
    rows = read_offline_meter_workbook(data).rows
    result = daily_to_hourly([d for d, _ in rows], [v for _, v in rows], "Europe/London")
    assert len(result.hours) == 24 + 23 and math.fsum(result.energy) == 70.0
