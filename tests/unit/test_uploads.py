"""Upload helpers: a file's type is judged from its bytes, and a client's file name becomes a safe base name."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from myems_api.uploads import PDF, TEXT, XLSX, safe_file_name, sniff


def workbook_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def zip_of(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return out.getvalue()


def test_a_real_workbook_is_judged_xlsx_and_a_zip_without_its_parts_is_not():
    assert sniff(workbook_bytes()) == XLSX
    assert sniff(zip_of("[Content_Types].xml", "docProps/app.xml")) is None
    assert sniff(zip_of("xl/workbook.xml")) is None  # no content types: not an office file


def test_magic_numbers_and_utf8_text_are_recognised_and_binary_is_not():
    assert sniff(b"%PDF-1.4 ...") == PDF
    assert sniff("日期,数值\n".encode()) == TEXT
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls") is None
    assert sniff(b"text with a \x00 byte") is None


@pytest.mark.parametrize("raw,safe", [
    ("na\x00me\r\n.xlsx", "name.xlsx"), ("\u202egnp.xlsx", "gnp.xlsx"), ("a/b\\c.xlsx", "c.xlsx"),
    ("  .hidden.xlsx ", "hidden.xlsx"), ("x" * 300, "x" * 200), (None, "file.xlsx"), ("...", "file.xlsx"),
    ("tab\tbed   name.xlsx", "tabbed name.xlsx"),
])
def test_client_names_lose_directories_controls_and_leading_dots(raw, safe):
    assert safe_file_name(raw, ".xlsx") == safe
