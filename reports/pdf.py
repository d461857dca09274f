"""PDF files of reports (``exportpdf=true``) and the tenant bill's invoice, with fpdf2.

A report's PDF is its Excel description (:class:`reports.excel.ExcelReport`) laid out on A4 pages: the title,
the facts, then each table with its header repeated on every page; numbers in the table's precision. The
built-in Helvetica covers Latin-1: other characters (CJK names) are shown as "?" rather than failing the export.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from reports.excel import Cell, ExcelReport, Table

FIXED_TIME = datetime(2000, 1, 1)  # the document's creation date: the same report gives the same bytes
_HEADER = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))


def _text(value: Cell, decimals: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _decimals(number_format: str) -> int:
    return len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0


def document(title: str, facts: Sequence[tuple[str, str]]) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label, value in facts:
        pdf.cell(45, 5, _text(label))
        pdf.cell(0, 5, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    return pdf


def table(pdf: FPDF, shown: Table) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _text(shown.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    with pdf.table(headings_style=_HEADER, text_align="RIGHT", first_row_as_headings=True) as grid:
        grid.row([_text(h) for h in shown.header])
        for row in shown.rows:
            grid.row([_text(v, _decimals(shown.format_of(n))) for n, v in enumerate(row)])
    pdf.ln(4)


def render(report: ExcelReport) -> bytes:
    pdf = document(report.title, report.facts)
    for shown in (report.summary, report.detail, *report.extra):
        if shown is not None and shown.header:
            table(pdf, shown)
    return bytes(pdf.output())


def render_base64(report: ExcelReport) -> str:
    return base64.b64encode(render(report)).decode("ascii")
