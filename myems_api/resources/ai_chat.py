"""``POST /ai/deepseek/chat``: a report explained by a language model, proxied to an OpenAI-compatible chat
completions endpoint named in the configuration (``MYEMS_AI_CHAT_URL``, ``MYEMS_AI_MODEL``, the key in
``MYEMS_AI_API_KEY``). Without one it answers 503 ``API.AI_NOT_CONFIGURED``.

The body is MyEMS v6.7.0's, unwrapped: ``messages`` (1 to 5 of ``{"role": "user"|"assistant",
"content"}``), ``report_context`` (the report's JSON, any shape), ``language`` (``zh*`` for Chinese, else
English) and an optional ``report_title``. The model sees a system prompt, the report (cut to 120,000
characters) and the messages; the answer is ``{"message": {"role": "assistant", "content": ...}}``. An
unreachable, failing or malformed upstream answers 502 with its code, never a stack trace.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import falcon

from myems_api.engine.family import READ
from myems_api.errors import ApiError, bad_request
from myems_api.http import Endpoint, read_json

MAX_MESSAGES, MAX_CONTENT, MAX_REPORT = 5, 32_000, 120_000
PROMPTS = {
    "en": "You are an energy and carbon advisor for building and factory operators. Explain the report the "
          "user shares: what stands out, likely causes, and concrete actions to save energy, cost and carbon. "
          "Answer in plain text, without Markdown.",
    "zh": "你是楼宇和工厂能源与碳排放顾问。请解读用户提供的报表：要点、可能原因，以及节能、降本、减碳的具体措施。"
          "请用纯文本回答，不要使用 Markdown。",
}


def chat_messages(body: Any) -> list[dict[str, str]]:
    """The messages to send, from a v6.7.0 request body; a 400 with MyEMS's code for what is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise bad_request("API.INVALID_MESSAGES")
    if body.get("report_context") is None:
        raise bad_request("API.INVALID_REPORT_CONTEXT")
    if len(body["messages"]) > MAX_MESSAGES:
        raise bad_request("API.DEEPSEEK_TOO_MANY_MESSAGES")
    given = []
    for message in body["messages"]:
        if not isinstance(message, dict):
            continue
        if message.get("role") not in ("user", "assistant"):
            raise bad_request("API.INVALID_MESSAGE_ROLE")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            raise bad_request("API.INVALID_MESSAGE_CONTENT")
        given.append({"role": message["role"], "content": content[:MAX_CONTENT]})
    if not given:
        raise bad_request("API.INVALID_MESSAGES")
    language = str(body["language"]) if isinstance(body.get("language"), str) else "zh_CN"
    context = body["report_context"]
    title = body.get("report_title") or (context.get("reportTitle") or context.get("report_title")
                                         if isinstance(context, dict) else None)
    report = json.dumps(context, ensure_ascii=False)
    report = report if len(report) <= MAX_REPORT else report[:MAX_REPORT] + "\n...[truncated]"
    heading = f"Report: {title}\n" if isinstance(title, str) and title else ""
    return [{"role": "system", "content": PROMPTS["zh" if language.lower().startswith("zh") else "en"]},
            {"role": "user", "content": f"{heading}{report}"}, *given]


class AiChat:
    def __init__(self, url: str, model: str, api_key: str, timeout: float, max_body: int) -> None:
        self.url, self.model, self.api_key, self.timeout, self.max_body = url, model, api_key, timeout, max_body

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/ai/deepseek/chat").add("POST", READ, self.on_post)]

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if not self.url:
            raise ApiError(503, "API.AI_NOT_CONFIGURED")
        messages = chat_messages(read_json(req, self.max_body))
        request = urllib.request.Request(
            self.url, method="POST", data=json.dumps({"model": self.model, "messages": messages,
                                                      "temperature": 0.4}).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (configured URL)
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(502, "API.DEEPSEEK_UPSTREAM_ERROR") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ApiError(502, "API.DEEPSEEK_REQUEST_FAILED") from exc
        try:
            content = json.loads(raw)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ApiError(502, "API.DEEPSEEK_INVALID_RESPONSE") from exc
        if not isinstance(content, str):
            raise ApiError(502, "API.DEEPSEEK_INVALID_RESPONSE")
        resp.media = {"message": {"role": "assistant", "content": content}}
