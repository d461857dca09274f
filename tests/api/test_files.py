"""Uploaded files: every kind is uploaded, listed, fetched, restored and deleted the same way; the size,
type and name of an upload are checked; offline meter files are refused whole when a cell is bad."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from myems_api.db import file_tables
from tests.api.test_meters import new_offline_meter, new_refs
from tests.client import Api, count, refused

KINDS = ["/costfiles", "/datarepairfiles", "/datareapirfiles", "/knowledgefiles", "/offlinemeterfiles",
         "/energyplanfiles"]
XLSX_ONLY = ["/costfiles", "/datarepairfiles", "/energyplanfiles"]


def xlsx(rows: list[list[Any]], title: str = "Sheet") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_DAYS = [["date", "value"], [date(2026, 3, 1), 24.0], [date(2026, 3, 2), 48.0]]


def multipart(data: bytes, file_name: str = "readings.xlsx", field: str = "file",
              fields: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    boundary = "----myemsboundary7d3f"
    parts = []
    for name, value in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(admin: Api, path: str, data: bytes, file_name: str = "readings.xlsx", query: str = "") -> Any:
    body, headers = multipart(data, file_name)
    return admin.post(path + query, body=body, headers=headers)


@pytest.fixture
def folder(config: Any) -> Path:
    return Path(config.upload_folder)


@pytest.fixture
def meter(admin: Api) -> dict[str, Any]:
    return new_offline_meter(admin, new_refs(admin), name="Gas")


def uploaded(admin: Api, path: str, meter: dict[str, Any], data: bytes | None = None, name: str = "x.xlsx") -> Any:
    query = f"?offline_meter_id={meter['id']}" if path == "/offlinemeterfiles" else ""
    result = upload(admin, path, data or xlsx(GOOD_DAYS), name, query)
    assert result.status_code == 201, result.json
    return result


@pytest.mark.parametrize("path", KINDS)
def test_an_uploaded_workbook_is_listed_fetched_and_kept_on_disk_under_its_uuid(admin, app, path, meter, folder):
    result = uploaded(admin, path, meter, name="March readings.xlsx")
    created = result.json
    assert result.headers["Location"].endswith(f"/{created['id']}")
    assert created["file_name"] == "March readings.xlsx"
    # a kind with a job reads the file at once: these days are neither a plan nor a repair
    assert created["status"] == ("new" if path in ("/knowledgefiles", "/offlinemeterfiles") else "error")
    assert created["user_display_name"]
    on_disk = folder / f"{created['uuid']}.xlsx"
    assert on_disk.read_bytes() == xlsx(GOOD_DAYS) or on_disk.stat().st_size == created["size"]
    listed = admin.get(path).json
    assert [f["id"] for f in listed] == [created["id"]]
    assert listed[0]["file_size_bytes"] == created["size"] == on_disk.stat().st_size
    one = admin.get(f"{path}/{created['id']}").json
    assert base64.b64decode(one["file_bytes_base64"]) == on_disk.read_bytes()
    if path == "/knowledgefiles":  # v6.7.0's UI downloads knowledge files from the list
        assert listed[0] == one
    else:
        assert "file_bytes_base64" not in listed[0]


def test_each_kind_lists_only_its_own_files(admin, meter):
    uploaded(admin, "/costfiles", meter)
    uploaded(admin, "/energyplanfiles", meter)
    assert len(admin.get("/costfiles").json) == 1
    assert len(admin.get("/energyplanfiles").json) == 1
    assert admin.get("/knowledgefiles").json == []


def test_the_seeds_datareapirfiles_spelling_serves_the_same_files_as_datarepairfiles(admin, meter):
    created = uploaded(admin, "/datareapirfiles", meter).json
    assert [f["id"] for f in admin.get("/datarepairfiles").json] == [created["id"]]
    assert admin.get(f"/datarepairfiles/{created['id']}").status_code == 200


@pytest.mark.parametrize("path", KINDS)
def test_deleting_a_file_removes_the_row_and_the_file_on_disk(admin, app, path, meter, folder):
    created = uploaded(admin, path, meter).json
    on_disk = folder / f"{created['uuid']}.xlsx"
    assert on_disk.exists()
    assert admin.delete(f"{path}/{created['id']}").status_code == 204
    assert not on_disk.exists()
    refused(admin.get(f"{path}/{created['id']}"), 404, "API.FILE_NOT_FOUND")
    assert count(app, file_tables.files) == 0


def test_restore_writes_the_stored_bytes_back_to_the_upload_folder(admin, app, meter, folder):
    data = xlsx(GOOD_DAYS)
    created = uploaded(admin, "/costfiles", meter, data).json
    on_disk = folder / f"{created['uuid']}.xlsx"
    on_disk.unlink()
    result = admin.get(f"/costfiles/{created['id']}/restore")
    assert result.status_code == 200, result.json
    assert on_disk.read_bytes() == data


def test_a_file_of_another_kind_is_not_found_under_this_kind(admin, meter):
    created = uploaded(admin, "/costfiles", meter).json
    refused(admin.get(f"/knowledgefiles/{created['id']}"), 404, "API.FILE_NOT_FOUND")
    refused(admin.delete(f"/energyplanfiles/{created['id']}"), 404, "API.FILE_NOT_FOUND")
    refused(admin.get(f"/offlinemeterfiles/{created['id']}/restore"), 404, "API.FILE_NOT_FOUND")


@pytest.mark.parametrize("raw_id", ["abc", "0", "-1", "99999999999999999999"])
def test_a_malformed_file_id_is_a_bad_request(admin, raw_id):
    refused(admin.get(f"/costfiles/{raw_id}"), 400, "API.INVALID_FILE_ID")


@pytest.mark.parametrize("path", XLSX_ONLY + ["/offlinemeterfiles"])
@pytest.mark.parametrize("data", [b"%PDF-1.7 a pdf", b"date,value\n2026-03-01,1\n", b"\x89PNG\r\n\x1a\nxx",
                                  b"PK\x03\x04 not really a zip", b"\x00\x01\x02binary"])
def test_a_workbook_kind_refuses_other_content_whatever_the_file_is_called(admin, app, path, data, meter, folder):
    query = f"?offline_meter_id={meter['id']}" if path == "/offlinemeterfiles" else ""
    refused(upload(admin, path, data, "readings.xlsx", query), 415, "API.INVALID_FILE_TYPE")
    assert count(app, file_tables.files) == 0
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_zip_that_is_not_a_workbook_is_refused(admin):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("readme.txt", "hello")
    refused(upload(admin, "/costfiles", out.getvalue()), 415, "API.INVALID_FILE_TYPE")


@pytest.mark.parametrize("data,name,extension", [
    (b"%PDF-1.7\n...", "manual.pdf", ".pdf"), (b"\x89PNG\r\n\x1a\n....", "plan.png", ".png"),
    (b"Chiller maintenance: every 3 months\n", "notes.txt", ".txt")])
def test_knowledge_files_accept_documents_and_images_judged_by_content(admin, app, data, name, extension, folder):
    created = upload(admin, "/knowledgefiles", data, name)
    assert created.status_code == 201, created.json
    assert (folder / f"{created.json['uuid']}{extension}").read_bytes() == data


def test_an_upload_over_the_size_limit_is_refused_with_413_and_nothing_is_kept(config, tmp_path):
    import dataclasses

    from tests.conftest import ADMIN_PASSWORD, make_app
    small = make_app(dataclasses.replace(config, max_upload_bytes=2048))
    try:
        admin = Api(small).login("administrator", ADMIN_PASSWORD)
        result = upload(admin, "/knowledgefiles", b"x" * 3000, "big.txt")
        assert result.status_code == 413, result.json
        assert result.json["title"].startswith("API.")
        assert count(small, file_tables.files) == 0
        assert upload(admin, "/knowledgefiles", b"x" * 2000, "fits.txt").status_code == 201
    finally:
        small.databases.dispose()


def test_a_raw_body_upload_takes_its_name_from_content_disposition(admin):
    result = admin.post("/costfiles", body=xlsx(GOOD_DAYS), headers={
        "Content-Type": "application/octet-stream", "Content-Disposition": 'attachment; filename="tariffs.xlsx"'})
    assert result.status_code == 201, result.json
    assert result.json["file_name"] == "tariffs.xlsx"


@pytest.mark.parametrize("client_name,shown", [
    ("../../etc/passwd.xlsx", "passwd.xlsx"), ("C:\\Users\\me\\Desktop\\costs.xlsx", "costs.xlsx"),
    ("..", "file.xlsx"), ("", "file.xlsx"), ("rm -rf $(x);`y`.xlsx", "rm -rf _(x)__y_.xlsx"),
    ("能耗 三月.xlsx", "能耗 三月.xlsx")])
def test_client_file_names_are_reduced_to_a_safe_base_name_and_never_used_on_disk(admin, client_name, shown, folder):
    result = upload(admin, "/costfiles", xlsx(GOOD_DAYS), client_name)
    assert result.status_code == 201, result.json
    assert result.json["file_name"] == shown
    folder = folder
    assert [p.name for p in folder.iterdir()] == [f"{result.json['uuid']}.xlsx"]


def test_a_very_long_file_name_is_cut_keeping_its_extension(admin):
    result = upload(admin, "/costfiles", xlsx(GOOD_DAYS), "a" * 500 + ".xlsx")
    assert result.status_code == 201, result.json
    assert len(result.json["file_name"]) == 200 and result.json["file_name"].endswith(".xlsx")


def test_a_multipart_body_without_a_file_part_is_refused(admin):
    body, headers = multipart(xlsx(GOOD_DAYS), field="document")
    refused(admin.post("/costfiles", body=body, headers=headers), 400, "API.FILE_PART_MISSING")


def test_a_broken_multipart_body_is_a_bad_request(admin):
    result = admin.post("/costfiles", body=b"--nope\r\ngarbage", headers={
        "Content-Type": "multipart/form-data; boundary=----x"})
    assert result.status_code == 400, result.json


def test_an_empty_upload_is_refused(admin):
    refused(admin.post("/costfiles", body=b"", headers={"Content-Type": "application/octet-stream"}),
            400, "API.EMPTY_FILE")


def test_only_administrators_upload_delete_and_restore_but_users_may_list(admin, api, meter):
    created = uploaded(admin, "/knowledgefiles", meter, b"hello\n", "hello.txt").json
    admin.create("/users", {"name": "reader", "display_name": "Reader", "email": "r@example.com",
                            "password": "secret-pass-1", "is_admin": False, "is_read_only": False,
                            "privilege_id": None, "account_expiration_datetime": "2100-01-01T00:00:00",
                            "password_expiration_datetime": "2100-01-01T00:00:00"})
    user = api.login("reader", "secret-pass-1")
    assert user.get("/knowledgefiles").status_code == 200
    assert user.get(f"/knowledgefiles/{created['id']}").status_code == 200
    body, headers = multipart(b"hi\n", "x.txt")
    assert user.post("/knowledgefiles", body=body, headers=headers).status_code == 403
    assert user.delete(f"/knowledgefiles/{created['id']}").status_code == 403
    assert user.get(f"/knowledgefiles/{created['id']}/restore").status_code == 403
    assert api.get("/knowledgefiles").status_code == 401


# ------------------------------------------------------------------------------------ offline meter files

def test_an_offline_meter_file_names_its_meter_by_id_uuid_or_sheet_title(admin, meter):
    by_id = upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS), query=f"?offline_meter_id={meter['id']}")
    by_uuid = upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS), query=f"?offline_meter_uuid={meter['uuid']}")
    by_title = upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS, title="Gas"))
    for result in (by_id, by_uuid, by_title):
        assert result.status_code == 201, result.json
        assert result.json["offline_meter"] == {"id": meter["id"], "name": "Gas", "uuid": meter["uuid"]}


def test_an_offline_meter_file_may_name_its_meter_in_a_form_field(admin, meter):
    body, headers = multipart(xlsx(GOOD_DAYS), fields={"offline_meter_id": str(meter["id"])})
    result = admin.post("/offlinemeterfiles", body=body, headers=headers)
    assert result.status_code == 201, result.json
    assert result.json["offline_meter"]["id"] == meter["id"]


def test_an_offline_meter_file_for_an_unknown_meter_is_not_found_and_not_kept(admin, app, meter, folder):
    refused(upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS, title="Nope")), 404, "API.OFFLINE_METER_NOT_FOUND")
    refused(upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS), query="?offline_meter_id=999"),
            404, "API.OFFLINE_METER_NOT_FOUND")
    refused(upload(admin, "/offlinemeterfiles", xlsx(GOOD_DAYS), query="?offline_meter_id=x"),
            400, "API.INVALID_OFFLINE_METER_ID")
    assert count(app, file_tables.files) == 0
    folder = folder
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_offline_meter_file_with_bad_cells_is_refused_whole_with_every_row_and_column(admin, app, meter):
    rows = [["date", "value"], [date(2026, 3, 1), 5], ["2026-02-30", 4], [date(2026, 3, 3), -1],
            [date(2026, 3, 1), 2]]
    result = upload(admin, "/offlinemeterfiles", xlsx(rows), query=f"?offline_meter_id={meter['id']}")
    refused(result, 400, "API.INVALID_OFFLINE_METER_FILE")
    assert result.json["errors"] == [
        {"row": 3, "column": "A", "code": "API.INVALID_DATE"},
        {"row": 4, "column": "B", "code": "API.INVALID_VALUE"},
        {"row": 5, "column": "A", "code": "API.DUPLICATE_DATE"}]
    assert count(app, file_tables.files) == 0


def test_an_offline_meter_file_without_a_value_column_says_so(admin, meter):
    result = upload(admin, "/offlinemeterfiles", xlsx([["date", "remark"], [date(2026, 3, 1), "x"]]),
                    query=f"?offline_meter_id={meter['id']}")
    refused(result, 400, "API.INVALID_OFFLINE_METER_FILE")
    assert result.json["errors"] == [{"row": 1, "column": "", "code": "API.MISSING_VALUE_COLUMN"}]
