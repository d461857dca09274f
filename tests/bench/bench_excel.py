#!/usr/bin/env python3
"""Excel exporter benchmark: a daily report of one year rendered to .xlsx bytes, with its chart.

Builds a MyEMS-shaped multi-series result (``--series`` energy categories x ``--days`` daily periods, a base
period of the same length, a peak split), then times :func:`from_result` and :func:`render` (build the sheet,
zip it in memory) and :func:`render_base64`. Loads the workbook back once to check the Total row and the chart.
Goal: the year of 365 rows x 5 series with a chart well under 250 ms.

Usage::

    python tests/bench/bench_excel.py [--series 5] [--days 365] [--repeat 10] [--chart line|column]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reports.excel import ExcelReport, from_result, render, render_base64  # noqa: E402

GOAL_MS = 250.0


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best and median wall time in ms over ``repeat`` runs, after one warm-up run."""
    call()
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        runs.append((time.perf_counter() - began) * 1000)
    return min(runs), statistics.median(runs)


def daily_result(series: int, days: int) -> dict[str, Any]:
    start = date(2023, 1, 1)
    labels = [f"{start + timedelta(days=d):%Y-%m-%d}T00:00:00" for d in range(days)]
    base_labels = [f"{start - timedelta(days=days - d):%Y-%m-%d}T00:00:00" for d in range(days)]
    values = [[(100.0 + 10 * k + (d * 7919 % 97) / 10) if d % 50 else None for d in range(days)]
              for k in range(series)]
    base = [[90.0 + 10 * k + (d * 104729 % 89) / 10 for d in range(days)] for k in range(series)]
    totals = [sum(v for v in row if v is not None) for row in values]
    base_totals = [sum(row) for row in base]
    return {
        "reporting_period": {
            "names": [f"Category {k}" for k in range(series)], "units": ["kWh"] * series,
            "timestamps": [labels] * series, "values": values, "subtotals": totals,
            "increment_rates": [(t - b) / b for t, b in zip(totals, base_totals, strict=True)],
            "subtotals_per_unit_area": [t / 12_000 for t in totals],
            "subtotals_in_kgce": [t * 0.1229 for t in totals], "subtotals_in_kgco2e": [t * 0.581 for t in totals],
            "toppeaks": [t * 0.1 for t in totals], "onpeaks": [t * 0.4 for t in totals],
            "midpeaks": [t * 0.3 for t in totals], "offpeaks": [t * 0.2 for t in totals],
            "deeps": [0.0] * series,
        },
        "base_period": {"timestamps": [base_labels] * series, "values": base, "subtotals": base_totals},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--chart", choices=("line", "column"), default="line")
    args = parser.parse_args()

    result = daily_result(args.series, args.days)
    facts = (("Space", "Building A"), ("Reporting Period", "2023-01-01T00:00:00 - 2024-01-01T00:00:00"))

    def build() -> ExcelReport:
        report = from_result("Space Energy Category Report", facts, result)
        return ExcelReport(title=report.title, facts=report.facts, summary=report.summary, detail=report.detail,
                           chart=args.chart, extra=report.extra)

    report = build()
    data = render(report)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = sum(1 for row in sheet.iter_rows() for cell in row if cell.value is not None)
    charts = sheet._charts
    assert len(charts) == 1 and len(charts[0].series) == min(args.series, 20), "chart missing or incomplete"
    totals = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Total"]
    assert len(totals) == 2, "reporting and base Total rows expected"
    print(f"openpyxl {openpyxl.__version__}; {args.days} daily rows x {args.series} series (+ base period, "
          f"peak split), {args.chart} chart")
    print(f"workbook: {len(data):,} bytes, {cells:,} non-empty cells, {sheet.max_row:,} rows")
    print(f"  (best / median of {args.repeat} runs, ms)")

    adapt = timed(build, args.repeat)
    rendered = timed(lambda: render(report), args.repeat)
    encoded = timed(lambda: render_base64(report), args.repeat)
    print(f"  {'from_result':24} {adapt[0]:8.2f} / {adapt[1]:8.2f}")
    print(f"  {'render':24} {rendered[0]:8.2f} / {rendered[1]:8.2f}")
    print(f"  {'render_base64':24} {encoded[0]:8.2f} / {encoded[1]:8.2f}")
    whole = adapt[1] + encoded[1]
    verdict = "met" if whole < GOAL_MS else "NOT met"
    print(f"\nresult -> excel_bytes_base64 (median): {whole:.1f} ms; goal < {GOAL_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
