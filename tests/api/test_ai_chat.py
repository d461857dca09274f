"""POST /ai/deepseek/chat against a small local HTTP server standing in for the remote model."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.client import Api, refused
from tests.conftest import ADMIN_PASSWORD, make_app

BODY = {"messages": [{"role": "user", "content": "Why did Monday use more?"}],
        "report_context": {"reportTitle": "Space energy", "values": [1, 2, 3]}, "language": "en"}


class FakeModel(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []
    reply: tuple[int, bytes] = (200, b"")

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        FakeModel.seen.append({"auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))})
        status, payload = FakeModel.reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def model() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeModel.seen = []
    FakeModel.reply = (200, json.dumps({"choices": [{"message": {"role": "assistant", "content": "Heating."}}]})
                       .encode())
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"
    server.shutdown()


@pytest.fixture
def chat(config, model) -> Iterator[Any]:
    app = make_app(dataclasses.replace(config, ai_chat_url=model, ai_api_key="sk-test", ai_timeout_seconds=5))
    yield Api(app).login("administrator", ADMIN_PASSWORD)
    app.databases.dispose()


def test_without_a_configured_model_the_chat_answers_503(admin):
    refused(admin.post("/ai/deepseek/chat", body=json.dumps(BODY)), 503, "API.AI_NOT_CONFIGURED")


def test_the_chat_sends_the_report_and_messages_and_answers_the_models_reply(chat):
    result = chat.post("/ai/deepseek/chat", body=json.dumps(BODY))
    assert result.status_code == 200, result.json
    assert result.json == {"message": {"role": "assistant", "content": "Heating."}}
    (sent,) = FakeModel.seen
    assert sent["auth"] == "Bearer sk-test" and sent["body"]["model"] == "deepseek-chat"
    roles = [m["role"] for m in sent["body"]["messages"]]
    assert roles == ["system", "user", "user"] and "Space energy" in sent["body"]["messages"][1]["content"]


@pytest.mark.parametrize("body, code", [
    ({**BODY, "messages": "hello"}, "API.INVALID_MESSAGES"),
    ({**BODY, "report_context": None}, "API.INVALID_REPORT_CONTEXT"),
    ({**BODY, "messages": [{"role": "system", "content": "x"}]}, "API.INVALID_MESSAGE_ROLE"),
    ({**BODY, "messages": [{"role": "user", "content": "  "}]}, "API.INVALID_MESSAGE_CONTENT"),
    ({**BODY, "messages": BODY["messages"] * 6}, "API.DEEPSEEK_TOO_MANY_MESSAGES"),
])
def test_a_bad_chat_request_is_refused_before_anything_is_sent(chat, body, code):
    refused(chat.post("/ai/deepseek/chat", body=json.dumps(body)), 400, code)
    assert FakeModel.seen == []


@pytest.mark.parametrize("reply, code", [
    ((500, b"{}"), "API.DEEPSEEK_UPSTREAM_ERROR"),
    ((200, b"not json"), "API.DEEPSEEK_INVALID_RESPONSE"),
    ((200, b'{"choices": []}'), "API.DEEPSEEK_INVALID_RESPONSE"),
])
def test_a_failing_model_answers_502_with_its_code(chat, reply, code):
    FakeModel.reply = reply
    refused(chat.post("/ai/deepseek/chat", body=json.dumps(BODY)), 502, code)


def test_an_unreachable_model_answers_502(config):
    app = make_app(dataclasses.replace(config, ai_chat_url="http://127.0.0.1:9/v1", ai_timeout_seconds=2))
    try:
        session = Api(app).login("administrator", ADMIN_PASSWORD)
        refused(session.post("/ai/deepseek/chat", body=json.dumps(BODY)), 502, "API.DEEPSEEK_REQUEST_FAILED")
    finally:
        app.databases.dispose()
