"""Messages as the seed's "Web Message", "Notification", "Email Message", "Email Server", "Text Message",
"Wechat Message" sections and the User section's ``/users/emailmessages`` document them: who may see and
change which message, status moves, batches, ranges, attachments and the public password-reset mail."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.app import EmsApp
from myems_api.config import Config
from myems_api.db import message_tables as mt
from myems_api.resources.messages import notify, post_web_message, redeem_reset_token
from tests.client import Api, count, refused
from tests.conftest import ADMIN_PASSWORD, make_app

SEED = Path(__file__).resolve().parents[1] / "data" / "seed-endpoints.txt"
SECTIONS = ("/emailmessages", "/emailservers", "/notifications", "/textmessages", "/users/emailmessages",
            "/webmessages", "/wechatmessages")
PASSWORD = "Message-pass-1"
MISSING = 987654

# ---------------------------------------------------------------------------- seed payloads
SERVER = {"host": "smtp.126.com", "port": 25, "requires_authentication": True, "user_name": "myems",
          "password": "!MyEMS1", "from_addr": "myems@126.com"}
SERVER_UPDATE = {**SERVER, "host": "smtp.myems.io", "from_addr": "myems@myems.io"}
EMAIL = {"rule_id": 1, "recipient_name": "myems", "recipient_email": "myems@163.com",
         "subject": "report_01_2021_12_24", "message": "report_01_2021_12_24",
         "created_datetime": "2021-12-24T00:00:00", "scheduled_datetime": "2021-12-24T00:00:00"}
TEXT = {"rule_id": 1, "recipient_name": "myems", "recipient_mobile": "13888888888",
        "message": "report_01_2021年12月24日", "acknowledge_code": "123456",
        "created_datetime": "2021-12-24T00:00:00", "scheduled_datetime": "2021-12-24T00:00:00"}
WECHAT = {"rule_id": 1, "recipient_name": "myems", "recipient_openid": "oia2TjuEGTNoeX76QEjQNrcURxG8",
          "message_template_id": "Doclyl5uP7Aciu-qZ7mJNPtWkbkYnWBWVja26EGbNyk",
          "message_data": "{\"space_id\":1, \"high_limit\":1000.000}", "acknowledge_code": "9e52ad6d",
          "created_datetime": "2021-12-24T00:00:00", "scheduled_datetime": "2021-12-24T00:00:00"}
RESET = {"token": "f2f1956d1951a9ba7cabb33307b8beaa4c252434aa1378a4766133a46eb1b5c2", "recipient_email":
         "demo@myems.io", "subject": "Forgot Password", "message": "demo message",
         "scheduled_datetime": "2023-05-24T11:10:53", "created_datetime": "2023-05-24T11:10:53"}
DEC_24_MS = 1640304000000  # 2021-12-24T00:00:00 at the tests' UTC offset, in POSIX milliseconds
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


# ---------------------------------------------------------------------------- helpers
def multipart(data: dict[str, Any] | None, file: tuple[str, bytes] | None = None, quoted: bool = False,
              file_first: bool = True) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body as curl's ``--form 'file=@x' --form 'req=...'`` sends it."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    if file is not None:
        parts.append(f'Content-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + file[1])
    if data is not None:
        text = json.dumps({"data": data})
        parts.insert(len(parts) if file_first else 0,
                     b'Content-Disposition: form-data; name="req"\r\n\r\n'
                     + (json.dumps(text) if quoted else text).encode())
    body = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def send_form(client: Api, method: str, path: str, data: dict[str, Any] | None,
              file: tuple[str, bytes] | None = None, **kwargs: Any) -> Any:
    body, content_type = multipart(data, file, **kwargs)
    return client.request(method, path, body=body, headers={"Content-Type": content_type})


def attachment(app: EmsApp, message_id: int) -> tuple[str | None, bytes | None]:
    t = mt.email_messages
    with app.databases.system.connect() as conn:
        row = conn.execute(sa.select(t.c.attachment_file_name, t.c.attachment_file_object)
                           .where(t.c.id == message_id)).one()
    return row.attachment_file_name, row.attachment_file_object


def ids(result: Any) -> list[int]:
    assert result.status_code == 200, result.json
    return [item["id"] for item in result.json]


def user(admin: Api, name: str, is_admin: bool = False) -> Api:
    admin.create("/users", {"name": name, "display_name": name.title(), "email": f"{name}@example.com",
                            "is_admin": is_admin, "password": PASSWORD})
    return admin.login(name, PASSWORD)


@pytest.fixture
def alice(admin: Api) -> Api:
    return user(admin, "alice")


@pytest.fixture
def bob(admin: Api) -> Api:
    return user(admin, "bob")


@pytest.fixture
def api_key(admin: Api) -> Api:
    key = admin.create("/apikeys", {"name": "integration", "expires_datetime_utc": "2100-01-01T00:00:00"})
    return admin.with_headers({"API-Key": key["token"]})


def web_message(admin: Api, owner: Api, **changes: Any) -> dict[str, Any]:
    return admin.create("/webmessagesnew", {"user_id": owner.user["id"], "subject": "Alarm",
                                            "message": "Space 1 is over its limit", **changes})


@pytest.fixture
def small_upload_app(config: Config) -> Iterator[EmsApp]:
    app = make_app(dataclasses.replace(config, max_upload_bytes=64))
    yield app
    app.databases.dispose()


# ---------------------------------------------------------------------------- the seed's routes
def test_every_seed_endpoint_of_the_message_sections_is_served(app):
    pairs = [tuple(line.split()) for line in SEED.read_text().splitlines() if line.strip()]
    wanted = [(verb, path) for verb, path in pairs if path.startswith(SECTIONS)]
    missing = [f"{verb} {path}" for verb, path in wanted
               if (found := app._router.find(path.replace("{id}", "1"))) is None
               or verb not in getattr(found[0], "policies", {})]
    assert len(wanted) == 36
    assert missing == []


# ---------------------------------------------------------------------------- email servers
def test_an_email_server_is_created_read_updated_and_deleted_as_the_seed_sends_it(admin):
    created = admin.create("/emailservers", SERVER)
    assert {k: created[k] for k in ("host", "port", "requires_authentication", "user_name", "from_addr")} == \
        {k: SERVER[k] for k in ("host", "port", "requires_authentication", "user_name", "from_addr")}
    assert created["security"] == "none"
    path = f"/emailservers/{created['id']}"
    assert admin.get(path).json == created
    assert admin.get("/emailservers").json == [created]
    updated = admin.put(path, SERVER_UPDATE)
    assert updated.status_code == 200, updated.json
    assert (updated.json["host"], updated.json["from_addr"]) == ("smtp.myems.io", "myems@myems.io")
    assert admin.delete(path).status_code == 204
    refused(admin.get(path), 404, "API.EMAIL_SERVER_NOT_FOUND")


def test_an_email_servers_password_is_never_answered_and_a_put_without_it_keeps_it(admin, app):
    created = admin.create("/emailservers", SERVER)
    path = f"/emailservers/{created['id']}"
    for answer in (created, admin.get(path).json, *admin.get("/emailservers").json):
        assert "password" not in answer and SERVER["password"] not in json.dumps(answer)
    without_password = {k: v for k, v in SERVER_UPDATE.items() if k != "password"}
    assert admin.put(path, without_password).status_code == 200
    with app.databases.system.connect() as conn:
        stored = conn.execute(sa.select(mt.email_servers.c.password)).scalar_one()
    assert stored == SERVER["password"]


@pytest.mark.parametrize(("changes", "code"), [
    ({"password": None}, "API.INVALID_PASSWORD"),
    ({"password": ""}, "API.INVALID_PASSWORD"),
    ({"user_name": None}, "API.INVALID_USER_NAME"),
    ({"port": 0}, "API.INVALID_PORT"),
    ({"port": 65536}, "API.INVALID_PORT"),
    ({"port": "twenty-five"}, "API.INVALID_PORT"),
    ({"host": "smtp 126.com"}, "API.INVALID_HOST"),
    ({"host": ""}, "API.INVALID_HOST"),
    ({"from_addr": "myems"}, "API.INVALID_FROM_ADDR"),
    ({"requires_authentication": "yes"}, "API.INVALID_REQUIRES_AUTHENTICATION"),
    ({"security": "tls"}, "API.INVALID_SECURITY"),
])
def test_an_email_server_with_a_bad_field_is_refused_with_its_code(admin, changes, code):
    refused(admin.post("/emailservers", {**SERVER, **changes}), 400, code)
    assert admin.get("/emailservers").json == []


def test_a_server_without_authentication_needs_no_credentials(admin):
    created = admin.create("/emailservers", {"host": "127.0.0.1", "port": 1025, "requires_authentication": False,
                                             "from_addr": "ems@example.com", "security": "starttls"})
    assert (created["user_name"], created["security"]) == (None, "starttls")


def test_only_admins_see_email_servers(admin, alice, api_key):
    created = admin.create("/emailservers", SERVER)
    for caller in (alice, api_key):
        refused(caller.get("/emailservers"), 403, "API.FORBIDDEN")
        refused(caller.get(f"/emailservers/{created['id']}"), 403, "API.FORBIDDEN")


# ---------------------------------------------------------------------------- email messages
def test_an_email_message_is_created_from_the_seeds_form_with_its_attachment(admin, app):
    result = send_form(admin, "POST", "/emailmessages", EMAIL, ("meterenergy.pdf", PDF))
    assert result.status_code == 201, result.json
    created = result.json
    assert result.headers["location"] == f"/emailmessages/{created['id']}"
    assert {k: created[k] for k in ("rule_id", "recipient_name", "recipient_email", "subject", "message")} == \
        {k: EMAIL[k] for k in ("rule_id", "recipient_name", "recipient_email", "subject", "message")}
    assert (created["created_datetime"], created["scheduled_datetime"]) == (DEC_24_MS, DEC_24_MS)
    assert created["create_datetime"] == DEC_24_MS  # the seed's spelling
    assert (created["status"], created["attempts"], created["attachment_file_name"]) == ("new", 0, "meterenergy.pdf")
    assert "attachment" not in created and "attachment_file_object" not in created
    assert attachment(app, created["id"]) == ("meterenergy.pdf", PDF)
    assert admin.get(f"/emailmessages/{created['id']}").json == created


def test_the_seeds_quoted_req_part_and_a_req_part_before_the_file_are_read_too(admin, app):
    quoted = send_form(admin, "POST", "/emailmessages", EMAIL, ("a.txt", b"hello"), quoted=True)
    assert quoted.status_code == 201, quoted.json
    first = send_form(admin, "POST", "/emailmessages", EMAIL, ("b.txt", b"hello"), file_first=False)
    assert first.status_code == 201, first.json
    assert attachment(app, first.json["id"]) == ("b.txt", b"hello")


def test_an_email_message_is_created_from_json_due_now_when_no_time_is_given(admin):
    created = admin.create("/emailmessages", {k: v for k, v in EMAIL.items()
                                              if k not in ("created_datetime", "scheduled_datetime")})
    assert created["attachment_file_name"] is None and created["status"] == "new"
    assert created["created_datetime"] == created["scheduled_datetime"] > DEC_24_MS


def test_an_attachment_over_the_upload_limit_answers_413_and_stores_nothing(small_upload_app):
    admin = Api(small_upload_app).login("administrator", ADMIN_PASSWORD)
    result = send_form(admin, "POST", "/emailmessages", EMAIL, ("big.txt", b"x" * 200))
    assert result.status_code == 413, result.json
    assert result.json["description"] in ("API.FILE_TOO_LARGE", "API.REQUEST_BODY_TOO_LARGE")
    assert count(small_upload_app, mt.email_messages) == 0
    fits = send_form(admin, "POST", "/emailmessages", EMAIL, ("small.txt", b"x" * 64))
    assert fits.status_code == 201, fits.json


@pytest.mark.parametrize(("body", "status", "code"), [
    (multipart(EMAIL, ("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00")), 415, "API.INVALID_FILE_TYPE"),
    (multipart(None, ("a.txt", b"hello")), 400, "API.INVALID_DATA"),
    (multipart({**EMAIL, "recipient_email": "nobody"}, ("a.txt", b"hello")), 400, "API.INVALID_RECIPIENT_EMAIL"),
    (multipart({**EMAIL, "attachment": "aGVsbG8="}), 400, "API.INVALID_ATTACHMENT"),
    (multipart({**EMAIL, "attachment_file_name": "ghost.xlsx"}), 400, "API.INVALID_ATTACHMENT_FILE_NAME"),
    ((b"--x\r\nnot a form", "multipart/form-data; boundary=x"), 400, None),
])
def test_a_bad_form_is_refused_and_stores_nothing(admin, app, body, status, code):
    result = admin.request("POST", "/emailmessages", body=body[0], headers={"Content-Type": body[1]})
    assert result.status_code == status, result.json
    if code:
        refused(result, status, code)
    assert count(app, mt.email_messages) == 0


@pytest.mark.parametrize(("changes", "code"), [
    ({"recipient_email": "myems"}, "API.INVALID_RECIPIENT_EMAIL"),
    ({"subject": "Report\r\nBcc: everyone@example.com"}, "API.INVALID_SUBJECT"),
    ({"subject": None}, "API.INVALID_SUBJECT"),
    ({"message": "x" * 70_000}, "API.INVALID_MESSAGE"),
    ({"scheduled_datetime": "tomorrow"}, "API.INVALID_SCHEDULED_DATETIME"),
    ({"status": "sending"}, "API.INVALID_STATUS"),
    ({"rule_id": "one"}, "API.INVALID_RULE_ID"),
])
def test_an_email_message_with_a_bad_field_is_refused_with_its_code(admin, changes, code):
    refused(admin.post("/emailmessages", {**EMAIL, **changes}), 400, code)
    assert admin.get("/emailmessages").json == []


def test_the_seeds_put_on_the_collection_updates_the_message_its_data_names(admin, app):
    created = admin.create("/emailmessages", EMAIL)
    changed = {**EMAIL, "id": created["id"], "subject": "report_02", "recipient_name": "Ops"}
    result = send_form(admin, "PUT", "/emailmessages", changed, ("report.pdf", PDF))
    assert result.status_code == 200, result.json
    assert (result.json["subject"], result.json["recipient_name"]) == ("report_02", "Ops")
    assert attachment(app, created["id"]) == ("report.pdf", PDF)
    by_id = admin.put(f"/emailmessages/{created['id']}", {**EMAIL, "subject": "report_03"})
    assert by_id.status_code == 200 and by_id.json["subject"] == "report_03"
    assert attachment(app, created["id"]) == ("report.pdf", PDF)  # kept: the JSON put sent no file
    refused(admin.put("/emailmessages", EMAIL), 400, "API.INVALID_EMAIL_MESSAGE_ID")
    refused(admin.put("/emailmessages", {**EMAIL, "id": MISSING}), 404, "API.EMAIL_MESSAGE_NOT_FOUND")


def test_putting_a_failed_message_back_to_new_requeues_it_with_a_fresh_attempt_count(admin, app):
    created = admin.create("/emailmessages", EMAIL)
    t = mt.email_messages
    with app.databases.system.begin() as conn:
        conn.execute(sa.update(t).values(status="failed", attempts=5, last_error="451 try later"))
    assert admin.get(f"/emailmessages/{created['id']}").json["last_error"] == "451 try later"
    requeued = admin.put(f"/emailmessages/{created['id']}", {"status": "new"})
    assert requeued.status_code == 200, requeued.json
    assert (requeued.json["status"], requeued.json["attempts"], requeued.json["last_error"]) == ("new", 0, None)


def test_email_messages_are_listed_by_datetime_range_and_status(admin, app):
    made = [admin.create("/emailmessages", {**EMAIL, "created_datetime": f"2021-12-{day}T00:00:00"})["id"]
            for day in (10, 15, 20)]
    with app.databases.system.begin() as conn:
        conn.execute(sa.update(mt.email_messages).where(mt.email_messages.c.id == made[1]).values(status="sent"))
    assert ids(admin.get("/emailmessages?startdatetime=2021-12-11T00:00:00&enddatetime=2021-12-20T00:00:00")) == \
        [made[1]]
    assert ids(admin.get("/emailmessages?startdatetime=2021-12-15T00:00:00")) == made[1:]
    assert ids(admin.get("/emailmessages?enddatetime=2021-12-15T00:00:01")) == made[:2]
    assert ids(admin.get("/emailmessages?status=new")) == [made[0], made[2]]
    assert ids(admin.get("/emailmessages?status=all")) == made
    assert ids(admin.get("/users/emailmessages?startdatetime=2021-12-14T00:00:00&enddatetime=2021-12-16T00:00:00")) \
        == [made[1]]
    refused(admin.get("/emailmessages?startdatetime=yesterday"), 400, "API.INVALID_START_DATETIME")
    refused(admin.get("/emailmessages?enddatetime=2021-13-01T00:00:00"), 400, "API.INVALID_END_DATETIME")
    refused(admin.get("/emailmessages?status=lost"), 400, "API.INVALID_STATUS")


def test_an_email_message_is_deleted_at_either_path(admin):
    first, second = (admin.create("/emailmessages", EMAIL)["id"] for _ in range(2))
    assert admin.delete(f"/emailmessages/{first}").status_code == 204
    assert admin.delete(f"/users/emailmessages/{second}").status_code == 204
    refused(admin.get(f"/emailmessages/{first}"), 404, "API.EMAIL_MESSAGE_NOT_FOUND")
    refused(admin.delete(f"/users/emailmessages/{second}"), 404, "API.EMAIL_MESSAGE_NOT_FOUND")
    refused(admin.get("/emailmessages/abc"), 400, "API.INVALID_EMAIL_MESSAGE_ID")


def test_users_emailmessages_serves_the_same_messages_and_the_seeds_update(admin):
    created = admin.create("/emailmessages", EMAIL)
    assert admin.get(f"/users/emailmessages/{created['id']}").json == created
    seed_update = {"recipient_name": "Demo", "recipient_email": "demo@myems.io", "subject": "Forgot Password",
                   "message": "demo message", "status": "new", "scheduled_datetime": "2023-05-24T11:10:53",
                   "created_datetime": "2023-05-24T11:10:53"}
    updated = admin.put(f"/users/emailmessages/{created['id']}", seed_update)
    assert updated.status_code == 200, updated.json
    assert (updated.json["recipient_email"], updated.json["subject"]) == ("demo@myems.io", "Forgot Password")


def test_normal_users_and_api_keys_cannot_read_or_write_email_messages(admin, alice, api_key):
    created = admin.create("/emailmessages", EMAIL)
    for caller in (alice, api_key):
        refused(caller.get("/emailmessages"), 403, "API.FORBIDDEN")
        refused(caller.get(f"/users/emailmessages/{created['id']}"), 403, "API.FORBIDDEN")
        refused(caller.post("/emailmessages", EMAIL), 403, "API.FORBIDDEN")
        refused(caller.delete(f"/emailmessages/{created['id']}"), 403, "API.FORBIDDEN")


# ---------------------------------------------------------------------------- the password-reset mail
def reset_messages(app: EmsApp) -> list[Any]:
    with app.databases.system.connect() as conn:
        return list(conn.execute(sa.select(mt.email_messages)).all())


def test_a_password_reset_mail_is_queued_for_anyone_with_a_token_the_server_made(api, admin, alice, app):
    template = {**RESET, "recipient_email": "alice@example.com",
                "message": '<a href="https://ems.example.com/reset?token={token}">Reset</a>'}
    result = api.post("/users/emailmessages", template)
    assert result.status_code == 201, result.json
    assert result.json == {"recipient_email": "alice@example.com", "status": "new"}
    assert "location" not in result.headers  # nothing for the caller to read back
    [queued] = reset_messages(app)
    assert (queued.recipient_name, queued.subject, queued.status) == ("Alice", "Forgot Password", "new")
    token = queued.message.split("token=")[1].split('"')[0]
    assert len(token) == 128 and token != RESET["token"] and token not in result.text
    with app.databases.system.begin() as conn:
        assert not redeem_reset_token(conn, "alice@example.com", RESET["token"])  # the client's own token
        assert not redeem_reset_token(conn, "bob@example.com", token)
        assert redeem_reset_token(conn, "Alice@Example.com", token)
        assert not redeem_reset_token(conn, "alice@example.com", token)  # spent


def test_a_reset_mail_without_a_token_placeholder_carries_the_token_at_its_end(api, app):
    assert api.post("/users/emailmessages", RESET).status_code == 201
    [queued] = reset_messages(app)
    body, _, token = queued.message.rpartition("\n\n")
    assert body == "demo message" and len(token) == 128
    with app.databases.system.begin() as conn:
        assert redeem_reset_token(conn, "demo@myems.io", token)


def test_reset_mails_are_limited_to_one_per_address_a_minute(api, app):
    assert api.post("/users/emailmessages", RESET).status_code == 201
    refused(api.post("/users/emailmessages", RESET), 429, "API.TOO_MANY_REQUESTS")
    assert api.post("/users/emailmessages", {**RESET, "recipient_email": "other@myems.io"}).status_code == 201
    assert len(reset_messages(app)) == 2


@pytest.mark.parametrize(("changes", "code"), [
    ({"recipient_email": "not-an-address"}, "API.INVALID_RECIPIENT_EMAIL"),
    ({"subject": ""}, "API.INVALID_SUBJECT"),
    ({"message": None}, "API.INVALID_MESSAGE"),
    ({"message": "x" * 20_000}, "API.INVALID_MESSAGE"),
])
def test_a_bad_reset_mail_request_is_refused_and_queues_nothing(api, app, changes, code):
    refused(api.post("/users/emailmessages", {**RESET, **changes}), 400, code)
    assert reset_messages(app) == []


# ---------------------------------------------------------------------------- text and wechat messages
@pytest.mark.parametrize(("path", "seed", "code"), [("/textmessages", TEXT, "API.TEXT_MESSAGE_NOT_FOUND"),
                                                    ("/wechatmessages", WECHAT, "API.WECHAT_MESSAGE_NOT_FOUND")])
def test_a_queued_message_is_created_listed_by_range_read_and_deleted_as_the_seed_sends_it(admin, path, seed, code):
    created = admin.create(path, seed)
    assert {k: created[k] for k in seed if not k.endswith("datetime")} == \
        {k: v for k, v in seed.items() if not k.endswith("datetime")}
    assert (created["created_datetime"], created["scheduled_datetime"], created["status"]) == \
        (DEC_24_MS, DEC_24_MS, "new")
    later = admin.create(path, {**seed, "created_datetime": "2021-12-30T00:00:00"})
    assert admin.get(f"{path}/{created['id']}").json == created
    assert ids(admin.get(f"{path}?startdatetime=2021-12-24T00:00:00&enddatetime=2021-12-25T00:00:00")) == \
        [created["id"]]
    assert ids(admin.get(path)) == [created["id"], later["id"]]
    assert admin.delete(f"{path}/{created['id']}").status_code == 204
    refused(admin.get(f"{path}/{created['id']}"), 404, code)


@pytest.mark.parametrize(("path", "seed"), [("/textmessages", TEXT), ("/wechatmessages", WECHAT)])
def test_a_queued_messages_put_changes_only_its_status(admin, path, seed):
    created = admin.create(path, seed)
    result = admin.put(f"{path}/{created['id']}", {**seed, "status": "acknowledged", "recipient_name": "Eve"})
    assert result.status_code == 200, result.json
    assert (result.json["status"], result.json["recipient_name"]) == ("acknowledged", "myems")
    refused(admin.put(f"{path}/{created['id']}", {"status": "read"}), 400, "API.INVALID_STATUS")


@pytest.mark.parametrize(("path", "seed", "changes", "code"), [
    ("/textmessages", TEXT, {"recipient_mobile": "call me"}, "API.INVALID_RECIPIENT_MOBILE"),
    ("/textmessages", TEXT, {"message": ""}, "API.INVALID_MESSAGE"),
    ("/textmessages", TEXT, {"acknowledge_code": "x" * 65}, "API.INVALID_ACKNOWLEDGE_CODE"),
    ("/wechatmessages", WECHAT, {"message_data": "{not json"}, "API.INVALID_MESSAGE_DATA"),
    ("/wechatmessages", WECHAT, {"recipient_openid": "o/../x"}, "API.INVALID_RECIPIENT_OPENID"),
    ("/wechatmessages", WECHAT, {"created_datetime": "2021-02-30T00:00:00"}, "API.INVALID_CREATED_DATETIME"),
])
def test_a_queued_message_with_a_bad_field_is_refused_with_its_code(admin, path, seed, changes, code):
    refused(admin.post(path, {**seed, **changes}), 400, code)
    assert admin.get(path).json == []


def test_only_admins_read_text_and_wechat_messages(admin, alice, api_key):
    for path, seed in (("/textmessages", TEXT), ("/wechatmessages", WECHAT)):
        created = admin.create(path, seed)
        for caller in (alice, api_key):
            refused(caller.get(path), 403, "API.FORBIDDEN")
            refused(caller.get(f"{path}/{created['id']}"), 403, "API.FORBIDDEN")


# ---------------------------------------------------------------------------- web messages
def test_an_admin_posts_a_web_message_that_its_user_reads_in_the_seeds_shape(admin, alice):
    result = admin.post("/webmessagesnew", {"user_id": alice.user["id"], "subject": "Alarm",
                                            "message": "Space 1 is over its limit", "priority": "high"})
    assert result.status_code == 201, result.json
    created = result.json
    assert result.headers["location"] == f"/webmessages/{created['id']}"
    assert {k: created[k] for k in ("user_id", "user_display_name", "subject", "status", "reply", "priority")} == \
        {"user_id": alice.user["id"], "user_display_name": "Alice", "subject": "Alarm", "status": "new",
         "reply": None, "priority": "HIGH"}
    assert isinstance(created["created_datetime"], float)  # POSIX milliseconds, as the seed documents
    assert alice.get(f"/webmessages/{created['id']}").json == created
    assert alice.get("/webmessages").json == [created]
    assert alice.get("/webmessagesnew").json == [created]


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"user_id": MISSING}, 404, "API.USER_NOT_FOUND"),
    ({"user_id": "me"}, 400, "API.INVALID_USER_ID"),
    ({"subject": None}, 400, "API.INVALID_SUBJECT"),
    ({"priority": "URGENT"}, 400, "API.INVALID_PRIORITY"),
    ({"status": "acknowledged", "reply": "done"}, 400, "API.INVALID_STATUS"),
    ({"reply": "too early"}, 400, "API.INVALID_REPLY"),
])
def test_a_web_message_with_a_bad_field_is_not_created(admin, alice, app, changes, status, code):
    refused(admin.post("/webmessagesnew", {"user_id": alice.user["id"], "subject": "s", "message": "m", **changes}),
            status, code)
    assert count(app, mt.web_messages) == 0


def test_a_user_cannot_read_change_or_delete_another_users_web_message(admin, alice, bob, app):
    mine = web_message(admin, alice)
    path = f"/webmessages/{mine['id']}"
    refused(bob.get(path), 404, "API.WEB_MESSAGE_NOT_FOUND")
    refused(bob.put(path, {"status": "read"}), 404, "API.WEB_MESSAGE_NOT_FOUND")
    refused(bob.delete(path), 404, "API.WEB_MESSAGE_NOT_FOUND")
    assert bob.get("/webmessages").json == [] and bob.get("/webmessagesnew").json == []
    assert bob.get(f"/webmessages?user_id={alice.user['id']}").json == []  # only admins name another user
    assert bob.put("/webmessagesnew", {"status": "read"}).json == {"updated": 0}
    refused(bob.put("/webmessagesbatch", body=json.dumps({"ids": str(mine["id"])})), 404, "API.WEB_MESSAGE_NOT_FOUND")
    refused(bob.delete("/webmessagesbatch", body=json.dumps({"ids": str(mine["id"])})), 404,
            "API.WEB_MESSAGE_NOT_FOUND")
    assert alice.get(path).json == mine  # untouched


def test_an_admin_reads_changes_and_lists_another_users_web_messages(admin, alice, bob):
    mine = web_message(admin, alice)
    assert admin.get(f"/webmessages/{mine['id']}").json == mine
    assert admin.get("/webmessages").json == []  # an admin's own list is their own messages
    assert ids(admin.get(f"/webmessages?user_id={alice.user['id']}")) == [mine["id"]]
    refused(admin.get("/webmessages?user_id=abc"), 400, "API.INVALID_USER_ID")
    assert admin.put(f"/webmessages/{mine['id']}", {"status": "read"}).json["status"] == "read"
    assert admin.delete(f"/webmessages/{mine['id']}").status_code == 204


def test_an_api_key_is_not_a_user_and_reads_no_web_messages_or_notifications(api_key):
    for path in ("/webmessages", "/webmessagesnew", "/notifications", "/webmessages/1", "/notifications/1"):
        refused(api_key.get(path), 403, "API.FORBIDDEN")


def test_a_web_message_moves_from_new_to_read_and_to_acknowledged_with_a_reply(admin, alice):
    path = f"/webmessages/{web_message(admin, alice)['id']}"
    assert alice.put(path, {"status": "read"}).json["status"] == "read"
    assert alice.put(path, {"status": "new"}).json["status"] == "new"  # marked unread again
    refused(alice.put(path, {"status": "acknowledged"}), 400, "API.INVALID_REPLY")
    refused(alice.put(path, {"status": "read", "reply": "ok"}), 400, "API.INVALID_REPLY")
    refused(alice.put(path, {"status": "archived"}), 400, "API.INVALID_STATUS")
    acknowledged = alice.put(path, {"status": "acknowledged", "reply": "this is my reply"})
    assert (acknowledged.json["status"], acknowledged.json["reply"]) == ("acknowledged", "this is my reply")
    assert alice.put(path, {"status": "acknowledged", "reply": "this is my reply"}).status_code == 200  # a retry
    refused(alice.put(path, {"status": "read"}), 400, "API.INVALID_STATUS_TRANSITION")
    refused(alice.put(path, {"status": "acknowledged", "reply": "changed my mind"}), 400,
            "API.INVALID_STATUS_TRANSITION")
    assert alice.get(path).json["reply"] == "this is my reply"


def test_a_web_message_put_changes_only_its_status_and_reply(admin, alice, bob):
    created = web_message(admin, alice)
    result = alice.put(f"/webmessages/{created['id']}", {"status": "read", "subject": "Forged",
                                                         "user_id": bob.user["id"], "message": "x"})
    assert result.status_code == 200, result.json
    assert {"start_datetime", "end_datetime"} <= created.keys()
    assert created["update_datetime"] is None and result.json["update_datetime"] is not None  # as v6.7.0 keeps it
    assert result.json == {**created, "status": "read", "update_datetime": result.json["update_datetime"]}
    assert abs(result.json["update_datetime"] / 1000 - time.time()) < 60


def test_web_messages_are_listed_by_datetime_range_status_and_priority(admin, alice):
    made = [web_message(admin, alice, created_datetime=f"2021-12-{day}T00:00:00", priority=priority)["id"]
            for day, priority in ((11, "LOW"), (15, "HIGH"), (21, "HIGH"))]
    alice.put(f"/webmessages/{made[1]}", {"status": "read"})
    seed_range = "startdatetime=2021-12-11T00:00:00&enddatetime=2021-12-21T00:00:00"
    assert ids(alice.get(f"/webmessages?{seed_range}")) == made[:2]
    assert ids(alice.get(f"/webmessages?{seed_range}&status=read&priority=all")) == [made[1]]
    assert ids(alice.get(f"/webmessages?{seed_range}&status=all&priority=high")) == [made[1]]
    assert ids(alice.get("/webmessagesnew")) == [made[0], made[2]]
    refused(alice.get("/webmessages?priority=urgent"), 400, "API.INVALID_PRIORITY")
    refused(alice.get("/webmessages?startdatetime=11/12/2021"), 400, "API.INVALID_START_DATETIME")


def test_mark_all_as_read_changes_only_the_callers_new_messages(admin, alice, bob):
    first, second = web_message(admin, alice), web_message(admin, alice)
    acknowledged = web_message(admin, alice)
    alice.put(f"/webmessages/{acknowledged['id']}", {"status": "acknowledged", "reply": "ok"})
    bobs = web_message(admin, bob)
    result = alice.put("/webmessagesnew", {"status": "read"}, headers={"Content-Type": "text/plain"})
    assert result.json == {"updated": 2}
    assert [m["status"] for m in alice.get("/webmessages").json] == ["read", "read", "acknowledged"]
    assert alice.get("/webmessagesnew").json == []
    assert bob.get(f"/webmessages/{bobs['id']}").json["status"] == "new"
    assert {first["id"], second["id"]} <= set(ids(alice.get("/webmessages?status=read")))


def test_acknowledge_all_needs_a_reply_and_gives_it_to_each_new_message(admin, alice):
    made = [web_message(admin, alice)["id"] for _ in range(2)]
    refused(alice.put("/webmessagesnew", {"status": "acknowledged"}), 400, "API.INVALID_REPLY")
    refused(alice.put("/webmessagesnew", {"status": "new"}), 400, "API.INVALID_STATUS")
    refused(alice.put("/webmessagesnew", {}), 400, "API.INVALID_STATUS")
    assert alice.put("/webmessagesnew", {"status": "acknowledged", "reply": "OK"}).json == {"updated": 2}
    assert [(m["id"], m["status"], m["reply"]) for m in alice.get("/webmessages").json] == \
        [(made[0], "acknowledged", "OK"), (made[1], "acknowledged", "OK")]


def test_a_batch_marks_the_listed_messages_read_as_the_seed_sends_their_ids(admin, alice):
    made = [web_message(admin, alice)["id"] for _ in range(3)]
    seed_body = json.dumps({"ids": f"{made[0]},{made[1]}"})
    result = alice.put("/webmessagesbatch", body=seed_body, headers={"Content-Type": "text/plain"})
    assert result.json == {"updated": 2}
    assert [m["status"] for m in alice.get("/webmessages").json] == ["read", "read", "new"]
    wrapped = alice.put("/webmessagesbatch", {"ids": made, "status": "acknowledged", "reply": "seen"})
    assert wrapped.json == {"updated": 3}
    again = alice.put("/webmessagesbatch", {"ids": made})  # acknowledged is final: nothing to mark read
    assert again.json == {"updated": 0}


def test_a_batch_deletes_the_listed_messages_all_or_none(admin, alice, bob):
    made = [web_message(admin, alice)["id"] for _ in range(3)]
    bobs = web_message(admin, bob)["id"]
    mixed = json.dumps({"ids": f"{made[0]},{bobs}"})
    refused(alice.delete("/webmessagesbatch", body=mixed), 404, "API.WEB_MESSAGE_NOT_FOUND")
    assert len(alice.get("/webmessages").json) == 3
    result = alice.delete("/webmessagesbatch", body=json.dumps({"ids": f"{made[0]},{made[2]}"}))
    assert result.status_code == 204
    assert ids(alice.get("/webmessages")) == [made[1]]
    assert admin.delete("/webmessagesbatch", body=json.dumps({"data": {"ids": [bobs]}})).status_code == 204
    assert bob.get("/webmessages").json == []


@pytest.mark.parametrize("body", [{"ids": "1,abc"}, {"ids": ""}, {"ids": []}, {"ids": None}, {},
                                  {"ids": ",".join(str(i) for i in range(1, 1002))}, {"ids": "0"},
                                  {"ids": [1.5]}, {"data": {"ids": {"1": 1}}}])
def test_a_batch_with_bad_ids_is_refused(alice, body):
    for verb in ("PUT", "DELETE"):
        refused(alice.request(verb, "/webmessagesbatch", body=json.dumps(body)), 400, "API.INVALID_WEB_MESSAGE_ID")


def test_a_batch_that_is_not_a_json_object_is_refused(alice):
    refused(alice.put("/webmessagesbatch", body="[1, 2]"), 400, "API.INVALID_DATA")
    refused(alice.put("/webmessagesbatch", body="{"), 400, "API.INVALID_JSON")


def test_rules_post_web_messages_with_the_module_function(app, alice):
    with app.databases.system.begin() as conn:
        message_id = post_web_message(conn, alice.user["id"], "Alarm", "Over the limit", "CRITICAL")
    assert alice.get(f"/webmessages/{message_id}").json["priority"] == "CRITICAL"


def test_a_users_messages_outlive_the_user_and_do_not_block_their_delete(admin, alice):
    created = web_message(admin, alice)
    assert admin.delete(f"/users/{alice.user['id']}").status_code == 204
    orphan = admin.get(f"/webmessages/{created['id']}").json
    assert orphan["user_display_name"] is None
    assert admin.delete(f"/webmessages/{created['id']}").status_code == 204


# ---------------------------------------------------------------------------- notifications
def notification(app: EmsApp, owner: Api, subject: str = "Report ready", url: str | None = "/reports/1") -> int:
    with app.databases.system.begin() as conn:
        return notify(conn, owner.user["id"], subject, "Your monthly report is ready", url)


def test_a_user_reads_marks_and_deletes_their_notifications_in_the_seeds_shape(app, alice):
    created = notification(app, alice)
    path = f"/notifications/{created}"
    shown = alice.get(path).json
    assert {k: shown[k] for k in ("id", "status", "subject", "message", "url")} == {
        "id": created, "status": "unread", "subject": "Report ready", "message": "Your monthly report is ready",
        "url": "/reports/1"}
    assert isinstance(shown["created_datetime"], str) and "T" in shown["created_datetime"]  # local time text
    assert alice.get("/notifications").json == [shown]
    seed_update = alice.put(path, {"status": "read"}, headers={"Content-Type": "application/json"})
    assert seed_update.json == {**shown, "status": "read"}
    assert alice.put(path, {"status": "unread"}).json["status"] == "unread"
    refused(alice.put(path, {"status": "deleted"}), 400, "API.INVALID_STATUS")
    assert alice.delete(path).status_code == 204
    refused(alice.get(path), 404, "API.NOTIFICATION_NOT_FOUND")


def test_a_notifications_put_changes_only_its_status(app, alice, bob):
    created = notification(app, alice)
    result = alice.put(f"/notifications/{created}", {"status": "read", "subject": "Forged",
                                                     "user_id": bob.user["id"], "url": "https://evil.example"})
    assert (result.json["subject"], result.json["url"], result.json["user_id"]) == \
        ("Report ready", "/reports/1", alice.user["id"])


def test_archived_notifications_are_left_out_unless_asked_for(app, alice):
    kept, archived = notification(app, alice), notification(app, alice, "Old news")
    alice.put(f"/notifications/{archived}", {"status": "archived"})
    assert ids(alice.get("/notifications")) == [kept]
    assert ids(alice.get("/notifications?status=archived")) == [archived]
    assert ids(alice.get("/notifications?status=all")) == [kept, archived]
    assert ids(alice.get("/notifications?startdatetime=2000-01-01T00:00:00&enddatetime=2000-01-02T00:00:00")) == []
    assert ids(alice.get("/notifications?startdatetime=2000-01-01T00:00:00&status=unread")) == [kept]
    refused(alice.get("/notifications?status=lost"), 400, "API.INVALID_STATUS")


def test_a_user_cannot_read_change_or_delete_another_users_notification(app, admin, alice, bob):
    created = notification(app, alice)
    path = f"/notifications/{created}"
    refused(bob.get(path), 404, "API.NOTIFICATION_NOT_FOUND")
    refused(bob.put(path, {"status": "archived"}), 404, "API.NOTIFICATION_NOT_FOUND")
    refused(bob.delete(path), 404, "API.NOTIFICATION_NOT_FOUND")
    assert bob.get("/notifications").json == []
    assert alice.get(path).json["status"] == "unread"
    assert admin.get(path).json["id"] == created  # an admin may read anyone's by id
    refused(alice.get("/notifications/abc"), 400, "API.INVALID_NOTIFICATION_ID")
