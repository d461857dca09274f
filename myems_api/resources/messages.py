"""Messages: web messages and notifications for users; email, text and wechat messages queued for delivery;
and the email servers that deliver email (the sender is :mod:`myems_api.mail`, ``myems messages``).

Web messages and notifications belong to a user (``user_id``). A user lists, reads, changes and deletes
only their own; an admin may act on anyone's by id and list another user's with ``?user_id=``; anyone
else's message answers 404, as if it did not exist. API keys are not users and get 403. Lists take
``?startdatetime=&enddatetime=`` (local time, on ``created_datetime``; start included, end excluded;
either optional) and ``?status=`` (``all`` for every status); web messages also ``?priority=``.

- Web messages: ``new`` -> ``read`` or ``acknowledged``; ``read`` -> ``new`` or ``acknowledged``;
  ``acknowledged`` (and ``timeout``, set by the system) are final. ``reply`` is required with
  ``acknowledged`` and refused with any other status. A PUT changes only ``status`` and ``reply``; repeating
  the stored state is a no-op, anything else on a final message answers 400 ``API.INVALID_STATUS_TRANSITION``.
  ``/webmessagesnew``: the caller's new messages (GET), all of them marked ``read`` or ``acknowledged``
  (PUT), a message for a user created by an admin (POST). ``/webmessagesbatch``: ``{"ids": "1,2"}`` (or
  a list, bare or inside ``data``, with an optional ``status``, default ``read``, and ``reply``) marks the
  messages whose status allows it (PUT) or deletes them (DELETE); every id must be the caller's (or the
  caller an admin) or nothing changes and the answer is 404. At most 1000 ids.
- Notifications: ``unread``, ``read`` or ``archived``, in any order; a list without ``?status=`` leaves
  archived ones out. Created by the system (:func:`notify`), not through the API.
- Email messages (``/emailmessages`` and ``/users/emailmessages``, one table, admins only): created and
  updated from JSON or from ``multipart/form-data`` with a ``req`` part holding the JSON (the seed's form,
  quoted or not) and an optional ``file`` part, the attachment: at most ``MYEMS_MAX_UPLOAD_BYTES`` (413
  ``API.FILE_TOO_LARGE``), of a type judged from its content (415). ``PUT /emailmessages`` names the message
  by ``data.id`` (the seed's form); ``PUT /emailmessages/{id}`` too. Status ``new`` (queued), ``sending``,
  ``sent`` or ``failed`` (with ``last_error``), or ``timeout``; putting a message back to ``new`` re-queues it
  with a fresh attempt count. ``POST /users/emailmessages`` is public: the password-reset (or sign-up) mail.
  The server makes the token (a client-chosen one is ignored: it would let anyone reset anyone's password),
  puts it where the message says ``{token}`` (or appends it), keeps its hash for an hour
  (:func:`redeem_reset_token`), and answers 201 without the message. One request per address a minute,
  60 a minute in all (429); the message is at most 16 KiB.
- Text and wechat messages: created, listed, read and deleted by admins; a PUT changes only the status.
- Email servers: ``password`` is write-only (never answered; kept when a PUT leaves it out) and, with
  ``requires_authentication``, required together with ``user_name``. It is stored as given: the sender must
  present it, and encrypting it needs a deployment secret the configuration does not have yet.
  ``security`` is ``none``, ``starttls`` or ``ssl`` (implicit TLS); the sender uses the first server.

``created_datetime`` and ``scheduled_datetime`` of queued messages, and a web message's ``created_datetime``,
are POSIX milliseconds as the seed documents them (input: local time text); email and text messages also
answer the seed's spelling ``create_datetime``. Both default to now.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.auth import utcnow
from myems_api.db import schema
from myems_api.db.message_tables import (
    email_message_sessions,
    email_messages,
    email_servers,
    notifications,
    text_messages,
    web_messages,
    wechat_messages,
)
from myems_api.engine.family import ACCOUNT, ADMIN, PUBLIC, Caller, Family, Filter, datetime_range
from myems_api.engine.fields import (
    Bool,
    Choice,
    Context,
    Email,
    Field,
    Int,
    Invalid,
    JsonText,
    LocalDateTime,
    Text,
    parse_id,
)
from myems_api.engine.store import FamilyStore
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.http import Endpoint, read_data, read_json
from myems_api.uploads import EXTENSIONS, safe_file_name, sniff

MAX_BATCH = 1000
RESET_TOKEN_LIFETIME = timedelta(hours=1)
RESET_MESSAGE_MAX = 16_384
RESET_PER_ADDRESS_SECONDS = 60
RESET_PER_MINUTE = 60


# ---------------------------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Secret(Field):
    """Write-only text kept as given (an SMTP password): never rendered, never trimmed."""

    readable: bool = False
    max_len: int = 255

    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, str) or len(raw) > self.max_len:
            raise Invalid(self.key)
        return raw or None


@dataclass(frozen=True)
class Attachment(Field):
    """A file's bytes: only a multipart ``file`` part gives them (JSON cannot carry bytes); never rendered."""

    readable: bool = False
    db_column: str = ""

    @property
    def column(self) -> str:
        return self.db_column or self.key

    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, bytes) or not raw:
            raise Invalid(self.key)
        return raw


@dataclass(frozen=True)
class Level(Choice):
    """A choice written in capitals (``HIGH``) that clients may send in any case."""

    def parse(self, raw: Any, ctx: Context) -> Any:
        return super().parse(raw.strip().upper() if isinstance(raw, str) else raw, ctx)


def _created(key: str = "created_datetime") -> LocalDateTime:
    return LocalDateTime(key, epoch_ms=True, required=False)


def _status(choices: tuple[str, ...], default: str) -> Choice:
    return Choice("status", choices=choices, required=False, default=default)


def _status_filter(choices: tuple[str, ...], hidden: tuple[str, ...] = ()) -> Filter:
    return Filter("status", "status", Choice("status", choices=choices), every="all", hidden=hidden)


def _queued_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """A queued message is created now and due now unless it says otherwise."""
    now = utcnow()
    values["created_datetime_utc"] = values.get("created_datetime_utc") or now
    values["scheduled_datetime_utc"] = values.get("scheduled_datetime_utc") or now
    return {}


def _with_seed_spelling(obj: dict[str, Any]) -> dict[str, Any]:
    """The seed documents ``create_datetime`` for email and text messages; MyEMS answers ``created_...``."""
    obj["create_datetime"] = obj.get("created_datetime")
    return obj


LINE = r"[^\r\n]+"  # a mail header's value: one line
RULE = Int("rule_id", min=1, required=False, null=True)
RECIPIENT_NAME = Text("recipient_name", pattern=LINE, required=False, null=True)
ACK_CODE = Text("acknowledge_code", max_len=64, required=False, null=True)
BODY = 65_535


# ---------------------------------------------------------------------------------------------- email servers
SECURITY = ("none", "starttls", "ssl")
HOST = r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]"


def _credentials(server: Mapping[str, Any]) -> str | None:
    if not server.get("requires_authentication"):
        return None
    if not server.get("user_name"):
        return "API.INVALID_USER_NAME"
    return None if server.get("password") else "API.INVALID_PASSWORD"


email_servers_family = Family(
    "email_server", "email_servers", email_servers,
    fields=(Text("host", pattern=HOST), Int("port", min=1, max=65535),
            Bool("requires_authentication", required=False, default=False),
            Text("user_name", required=False, null=True), Secret("password", required=False, null=True),
            Email("from_addr"), Choice("security", choices=SECURITY, required=False, default="none")),
    checks=(_credentials,),
    read_policy=ADMIN,
)

# ---------------------------------------------------------------------------------------------- email messages
EMAIL_STATUSES = ("new", "sending", "sent", "failed", "timeout")


def _attachment_named(message: Mapping[str, Any]) -> str | None:
    """A name without a file (or a file without a name) would mail nothing, or a nameless file."""
    named, attached = bool(message.get("attachment_file_name")), message.get("attachment_file_object") is not None
    return None if named == attached else "API.INVALID_ATTACHMENT_FILE_NAME"


def _requeue(values: dict[str, Any]) -> None:
    """A message put back to ``new`` is tried again from scratch."""
    if values.get("status") == "new":
        values.update(attempts=0, last_error=None, next_attempt_datetime_utc=None)


email_messages_family = Family(
    "email_message", "email_messages", email_messages,
    fields=(RULE, RECIPIENT_NAME, Email("recipient_email"), Text("subject", pattern=LINE),
            Text("message", max_len=BODY),
            Text("attachment_file_name", required=False, null=True),
            Attachment("attachment", required=False, null=True, db_column="attachment_file_object"),
            _created(), _created("scheduled_datetime"),
            _status(tuple(s for s in EMAIL_STATUSES if s != "sending"), "new"),
            Int("attempts", writable=False), Text("last_error", writable=False),
            LocalDateTime("sent_datetime", epoch_ms=True, writable=False)),
    ops=frozenset(),  # served by MessageRoutes: multipart bodies, and the seed's PUT on the collection
    checks=(_attachment_named,),
    filters=(*datetime_range("created_datetime_utc"), _status_filter(EMAIL_STATUSES)),
    read_policy=ADMIN,
    on_create=_queued_defaults,
    on_update=_requeue,
    reshape_out=_with_seed_spelling,
)

# ---------------------------------------------------------------------------------------------- text, wechat
SMS_STATUSES = ("new", "sent", "acknowledged", "timeout", "failed")

def _queued_family(singular: str, plural: str, table: sa.Table, recipient: tuple[Field, ...],
                   **more: Any) -> Family:
    """Text and wechat messages: queued for a recipient by a rule; admins manage them, a PUT sets the status."""
    return Family(
        singular, plural, table,
        fields=(RULE, RECIPIENT_NAME, *recipient, ACK_CODE, _created(), _created("scheduled_datetime"),
                _status(SMS_STATUSES, "new")),
        ops=frozenset({"list", "get", "create", "update", "delete"}),
        updatable=frozenset({"status"}),
        filters=(*datetime_range("created_datetime_utc"), _status_filter(SMS_STATUSES)),
        read_policy=ADMIN,
        on_create=_queued_defaults,
        **more,
    )


text_messages_family = _queued_family(
    "text_message", "text_messages", text_messages,
    (Text("recipient_mobile", max_len=32, pattern=r"\+?[0-9][0-9 ()-]{2,31}"), Text("message", max_len=BODY)),
    reshape_out=_with_seed_spelling,
)

wechat_messages_family = _queued_family(
    "wechat_message", "wechat_messages", wechat_messages,
    (Text("recipient_openid", max_len=64, pattern=r"[A-Za-z0-9_-]+"),
     Text("message_template_id", max_len=128, pattern=r"[A-Za-z0-9_-]+"), JsonText("message_data", max_len=BODY)),
)

# ---------------------------------------------------------------------------------------------- web messages
WEB_STATUSES = ("new", "read", "acknowledged", "timeout")
WEB_NEXT = {"new": {"read", "acknowledged"}, "read": {"new", "acknowledged"}}  # final: acknowledged, timeout
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def _reply_with_acknowledgement(message: Mapping[str, Any]) -> str | None:
    acknowledged = message.get("status") == "acknowledged"
    return None if acknowledged == bool(message.get("reply")) else "API.INVALID_REPLY"


def _web_status(conn: Connection, message: Mapping[str, Any], message_id: int | None) -> str | None:
    """New messages are ``new``; afterwards only the moves of ``WEB_NEXT`` (or repeating the stored state),
    a reply going with ``acknowledged`` and only with it."""
    if message_id is None:
        return _reply_with_acknowledgement(message) if message.get("status") == "new" else "API.INVALID_STATUS"
    t = web_messages
    stored = conn.execute(sa.select(t.c.status, t.c.reply).where(t.c.id == message_id)).one()
    if (message["status"], message.get("reply")) == (stored.status, stored.reply):
        return None
    if stored.status not in WEB_NEXT:
        return "API.INVALID_STATUS_TRANSITION"  # acknowledged and timeout are final
    return _reply_with_acknowledgement(message)


def _user_exists(conn: Connection, message: Mapping[str, Any], message_id: int | None) -> str | None:
    """A new message names an existing user (an old one may outlive its user: messages are history)."""
    if message_id is not None:
        return None
    u = schema.users
    found = conn.execute(sa.select(u.c.id).where(u.c.id == message.get("user_id"))).first()
    return None if found is not None else "API.USER_NOT_FOUND"


def _user_display_names(conn: Connection, objects: list[dict[str, Any]]) -> None:
    u = schema.users
    ids = {o["user_id"] for o in objects}
    names = {row.id: row.display_name for row in conn.execute(sa.select(u.c.id, u.c.display_name)
                                                                  .where(u.c.id.in_(ids)))}
    for o in objects:
        o["user_display_name"] = names.get(o["user_id"])


def _web_defaults(values: dict[str, Any]) -> dict[str, Any]:
    values["created_datetime_utc"] = values.get("created_datetime_utc") or utcnow()
    return {}


web_messages_family = Family(
    "web_message", "web_messages", web_messages,
    fields=(Int("user_id", min=1), Text("subject"), Text("message", max_len=BODY),
            Level("priority", choices=PRIORITIES, required=False, default="LOW"), _created(),
            _created("start_datetime"), _created("end_datetime"),
            LocalDateTime("update_datetime", epoch_ms=True, writable=False),
            _status(WEB_STATUSES[:3], "new"), Text("reply", max_len=BODY, required=False, null=True)),
    ops=frozenset({"list", "get", "update", "delete"}),  # created at /webmessagesnew (MessageRoutes)
    owner="user_id",
    updatable=frozenset({"status", "reply"}),
    db_checks=(_user_exists, _web_status),
    filters=(*datetime_range("created_datetime_utc"), _status_filter(WEB_STATUSES),
             Filter("priority", "priority", Level("priority", choices=PRIORITIES), every="all")),
    enrich=_user_display_names,
    read_policy=ACCOUNT,
    write_policy=ACCOUNT,
    on_create=_web_defaults,
    on_update=lambda values: values.update(update_datetime_utc=utcnow()),
)

# ---------------------------------------------------------------------------------------------- notifications
NOTIFICATION_STATUSES = ("unread", "read", "archived")

notifications_family = Family(
    "notification", "notifications", notifications,
    fields=(Int("user_id", min=1), LocalDateTime("created_datetime", writable=False),
            _status(NOTIFICATION_STATUSES, "unread"), Text("subject"), Text("message", max_len=BODY),
            Text("url", max_len=1024, required=False, null=True)),
    ops=frozenset({"list", "get", "update", "delete"}),  # created by the system: notify()
    owner="user_id",
    updatable=frozenset({"status"}),
    filters=(*datetime_range("created_datetime_utc"), _status_filter(NOTIFICATION_STATUSES, hidden=("archived",))),
    read_policy=ACCOUNT,
    write_policy=ACCOUNT,
)

FAMILIES = (email_servers_family, email_messages_family, text_messages_family, wechat_messages_family,
            web_messages_family, notifications_family)


# ---------------------------------------------------------------------------------------------- for other modules
def notify(conn: Connection, user_id: int, subject: str, message: str, url: str | None = None) -> int:
    """A new, unread notification for a user (rules and jobs call this on their own transaction)."""
    result = conn.execute(sa.insert(notifications).values(
        user_id=user_id, created_datetime_utc=utcnow(), status="unread", subject=subject, message=message, url=url))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def post_web_message(conn: Connection, user_id: int, subject: str, message: str, priority: str = "LOW") -> int:
    """A new web message for a user (rules call this on their own transaction)."""
    now = utcnow()
    result = conn.execute(sa.insert(web_messages).values(
        user_id=user_id, subject=subject, message=message, priority=priority, created_datetime_utc=now,
        start_datetime_utc=now, status="new", reply=None))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_token_expiry(conn: Connection, email: str, token: str) -> datetime | None:
    """When an unexpired reset token sent to ``email`` expires (``GET /users/forgotpassword``); it is not spent."""
    s = email_message_sessions
    expires: datetime | None = conn.execute(sa.select(s.c.expires_datetime_utc).where(
        s.c.token_hash == _token_hash(token), s.c.recipient_email == email.strip().lower(),
        s.c.expires_datetime_utc > utcnow())).scalar()
    return expires


def redeem_reset_token(conn: Connection, email: str, token: str) -> bool:
    """True, once, when ``token`` is an unexpired reset token sent to ``email`` (``PUT /users/forgotpassword``).

    The token is spent: a second call with it answers False. Expired tokens are cleared on the way.
    """
    s = email_message_sessions
    conn.execute(sa.delete(s).where(s.c.expires_datetime_utc <= utcnow()))
    spent = conn.execute(sa.delete(s).where(s.c.token_hash == _token_hash(token),
                                            s.c.recipient_email == email.strip().lower()))
    return spent.rowcount == 1


# ---------------------------------------------------------------------------------------------- routes
def _principal(req: falcon.Request) -> Caller | None:
    principal: Caller | None = req.context.get("principal")
    return principal


def _both(first: sa.ColumnElement[bool], second: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool]:
    return first if second is None else sa.and_(first, second)


def _bounded(stream: Any, limit: int, code: str) -> bytes:
    data: bytes = stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, code)
    return data


def _form_data(raw: bytes) -> dict[str, Any]:
    """The ``req`` part's ``{"data": {...}}``; curl users may leave the seed's quotes around it."""
    try:
        body: Any = json.loads(raw.decode("utf-8"))
        if isinstance(body, str):
            body = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request("API.INVALID_JSON") from exc
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("API.INVALID_DATA")
    return data


def _ids(raw: Any) -> list[int]:
    """``"1,2,3"`` (the seed) or ``[1, 2, 3]``: distinct ids, at most MAX_BATCH."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        raise bad_request("API.INVALID_WEB_MESSAGE_ID")
    try:
        return sorted({parse_id(item) for item in items})
    except Invalid as exc:
        raise bad_request("API.INVALID_WEB_MESSAGE_ID") from exc


class MessageRoutes:
    """The message routes a family spec cannot say: email messages with attachments and the seed's PUT on
    the collection, the public password-reset mail, and the web message collection routes."""

    def __init__(self, stores: Mapping[str, FamilyStore], max_body: int, max_upload: int) -> None:
        self.email = stores["email_message"]
        self.web = stores["web_message"]
        self.max_body = max_body
        self.max_upload = max_upload

    def endpoints(self) -> list[Endpoint]:
        found = [
            Endpoint("/webmessagesnew").add("GET", ACCOUNT, self.on_new).add("PUT", ACCOUNT, self.on_all_new)
            .add("POST", ADMIN, self.on_web_create),
            Endpoint("/webmessagesbatch").add("PUT", ACCOUNT, self.on_batch_update)
            .add("DELETE", ACCOUNT, self.on_batch_delete),
        ]
        for base in ("/emailmessages", "/users/emailmessages"):
            collection = Endpoint(base).add("GET", ADMIN, self.on_email_list)
            if base == "/emailmessages":
                collection.add("POST", ADMIN, self.on_email_create).add("PUT", ADMIN, self.on_email_update)
            else:
                collection.add("POST", PUBLIC, self.on_reset_mail)
            item = (Endpoint(base + "/{id}").add("GET", ADMIN, self.on_email_get)
                    .add("PUT", ADMIN, self.on_email_update).add("DELETE", ADMIN, self.on_email_delete))
            for endpoint in (collection, item):
                endpoint.max_body = self.max_upload + self.max_body  # an attachment and the message around it
            found += [collection, item]
        return found

    # ------------------------------------------------------------------ email messages
    def _email_payload(self, req: falcon.Request) -> dict[str, Any]:
        """The message's fields from JSON, or from a form's ``req`` part plus its ``file`` part."""
        content_type = (req.content_type or "").split(";")[0].strip().lower()
        if content_type != "multipart/form-data":
            return read_data(req, self.max_body)
        data: dict[str, Any] | None = None
        attachment: tuple[str, bytes] | None = None
        try:
            for part in req.get_media():
                if part.name == "file":
                    content = _bounded(part.stream, self.max_upload, "API.FILE_TOO_LARGE")
                    if content:
                        media_type = sniff(content)
                        if media_type is None:
                            raise ApiError(415, "API.INVALID_FILE_TYPE")
                        attachment = (safe_file_name(part.filename, EXTENSIONS[media_type]), content)
                elif part.name in ("req", "data"):
                    data = _form_data(_bounded(part.stream, self.max_body, "API.REQUEST_BODY_TOO_LARGE"))
        except ApiError:
            raise
        except falcon.HTTPError as exc:  # a malformed form, or one over falcon's part limits
            raise bad_request("API.INVALID_MULTIPART_BODY") from exc
        if data is None:
            raise bad_request("API.INVALID_DATA")
        if attachment is not None:
            data = {**data, "attachment_file_name": attachment[0], "attachment": attachment[1]}
        return data

    def on_email_list(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.email.find(where=self.email.list_where(req.params, _principal(req)))

    def on_email_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        resp.media = self.email.get(self.email.parse_id(id))

    def on_email_create(self, req: falcon.Request, resp: falcon.Response) -> None:
        new_id, _ = self.email.create(self._email_payload(req))
        resp.status = falcon.HTTP_201
        resp.location = f"/emailmessages/{new_id}"
        resp.media = self.email.get(new_id)

    def on_email_update(self, req: falcon.Request, resp: falcon.Response, id: str | None = None) -> None:
        payload = self._email_payload(req)
        message_id = self.email.parse_id(id if id is not None else payload.get("id"))
        self.email.update(message_id, payload)
        resp.media = self.email.get(message_id)

    def on_email_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.email.delete(self.email.parse_id(id))
        resp.status = falcon.HTTP_204

    def on_reset_mail(self, req: falcon.Request, resp: falcon.Response) -> None:
        """The password-reset (or sign-up) mail, asked for by someone not logged in."""
        data = read_data(req, self.max_body)
        message = data.get("message")
        if isinstance(message, str) and len(message) > RESET_MESSAGE_MAX:
            raise bad_request("API.INVALID_MESSAGE")
        token = secrets.token_hex(64)
        if isinstance(message, str):
            # The admin UI writes its own token into the link it mails: that token is swapped for ours, so
            # the link works and only the server's token (never one a stranger chose) can be redeemed.
            given = data.get("token")
            if isinstance(given, str) and len(given) >= 16 and given in message:
                message = message.replace(given, token)
            elif "{token}" in message:
                message = message.replace("{token}", token)
            else:
                message = f"{message}\n\n{token}"
        payload: dict[str, Any] = {k: data[k] for k in ("recipient_email", "subject", "scheduled_datetime")
                                   if k in data}
        payload["message"] = message
        values = self.email.values(payload)
        email = values["recipient_email"]
        now = utcnow()
        with self.email.engine.begin() as conn:
            self._refuse_flood(conn, email, now)
            u = schema.users
            user = conn.execute(sa.select(u.c.display_name).where(u.c.email == email)).first()
            values.update(recipient_name=user.display_name if user else email.split("@")[0], rule_id=None,
                          attachment_file_name=None, attachment_file_object=None, status="new")
            _queued_defaults(values)
            conn.execute(sa.insert(email_messages).values(values))
            conn.execute(sa.insert(email_message_sessions).values(
                recipient_email=email.lower(), token_hash=_token_hash(token), created_datetime_utc=now,
                expires_datetime_utc=now + RESET_TOKEN_LIFETIME))
        resp.status = falcon.HTTP_201
        resp.media = {"recipient_email": email, "status": "new"}  # never the message: it holds the token

    @staticmethod
    def _refuse_flood(conn: Connection, email: str, now: datetime) -> None:
        s = email_message_sessions
        recent = sa.select(sa.func.count()).select_from(s).where(
            s.c.created_datetime_utc > now - timedelta(seconds=RESET_PER_ADDRESS_SECONDS))
        if conn.execute(recent.where(s.c.recipient_email == email.lower())).scalar_one() \
                or conn.execute(recent).scalar_one() >= RESET_PER_MINUTE:
            raise ApiError(429, "API.TOO_MANY_REQUESTS")

    # ------------------------------------------------------------------ web messages
    def on_new(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.web.find(where=_both(web_messages.c.status == "new",
                                               self.web.list_where(req.params, _principal(req))))

    def on_web_create(self, req: falcon.Request, resp: falcon.Response) -> None:
        new_id, _ = self.web.create(read_data(req, self.max_body))
        resp.status = falcon.HTTP_201
        resp.location = f"/webmessages/{new_id}"
        resp.media = self.web.get(new_id)

    def _target_status(self, data: Mapping[str, Any], default: str | None = None) -> tuple[str, str | None]:
        """The status (and reply) a bulk change asks for, checked as one message's PUT would be."""
        wanted = {k: data[k] for k in ("status", "reply") if k in data}
        if default and "status" not in wanted:
            wanted["status"] = default
        values = self.web.values(wanted, updating=True)
        status, reply = values.get("status"), values.get("reply")
        if status not in ("new", "read", "acknowledged"):
            raise bad_request("API.INVALID_STATUS")
        code = _reply_with_acknowledgement({"status": status, "reply": reply})
        if code:
            raise bad_request(code)
        return status, reply

    def on_all_new(self, req: falcon.Request, resp: falcon.Response) -> None:
        status, reply = self._target_status(read_data(req, self.max_body))
        if status == "new":
            raise bad_request("API.INVALID_STATUS")
        where = _both(web_messages.c.status == "new", self.web.list_where(req.params, _principal(req)))
        with self.web.engine.begin() as conn:
            result = conn.execute(sa.update(web_messages).where(where).values(status=status, reply=reply,
                                                                              update_datetime_utc=utcnow()))
        resp.media = {"updated": result.rowcount}

    def _batch(self, req: falcon.Request) -> tuple[list[int], dict[str, Any]]:
        body = read_json(req, self.max_body)
        data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else body
        if not isinstance(data, dict):
            raise bad_request("API.INVALID_DATA")
        return _ids(data.get("ids")), data

    def _owned(self, conn: Connection, req: falcon.Request, ids: list[int]) -> None:
        """Every id is a message the caller may change, or the whole batch is refused."""
        t = web_messages
        scope = self.web.scope(_principal(req))
        found = sa.select(sa.func.count()).select_from(t).where(t.c.id.in_(ids))
        if conn.execute(found if scope is None else found.where(scope)).scalar_one() != len(ids):
            raise not_found("API.WEB_MESSAGE_NOT_FOUND")

    def on_batch_update(self, req: falcon.Request, resp: falcon.Response) -> None:
        ids, data = self._batch(req)
        status, reply = self._target_status(data, default="read")
        allowed_from = [old for old, moves in WEB_NEXT.items() if status in moves]
        t = web_messages
        with self.web.engine.begin() as conn:
            self._owned(conn, req, ids)
            result = conn.execute(sa.update(t).where(t.c.id.in_(ids), t.c.status.in_(allowed_from))
                                  .values(status=status, reply=reply))
        resp.media = {"updated": result.rowcount}

    def on_batch_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        ids, _ = self._batch(req)
        t = web_messages
        with self.web.engine.begin() as conn:
            self._owned(conn, req, ids)
            conn.execute(sa.delete(t).where(t.c.id.in_(ids)))
        resp.status = falcon.HTTP_204

