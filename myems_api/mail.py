"""``myems messages``: delivers queued email messages through the configured email server, with smtplib.

- The server is the first row of ``tbl_email_servers`` (``/emailservers``). ``security`` ``starttls`` requires
  STARTTLS (a server that does not offer it fails the attempt: credentials never go out in clear), ``ssl``
  is implicit TLS; certificates are verified. It logs in when ``requires_authentication``.
- A message is due when its ``status`` is ``new``, its ``scheduled_datetime`` has come and its next
  attempt time, if any, has passed. A runner claims it with a conditional UPDATE (``new`` -> ``sending``,
  leased for ``lease``), so several runners never send one message twice; a message whose runner died
  mid-send is taken over when the lease ends (it may then go out twice: at least once, never lost).
- Delivered: ``sent``, with ``sent_datetime``. Refused for good by the server (an SMTP 5xx answer to the
  message: unknown recipient, rejected content): ``failed`` at once, the answer in ``last_error``. Anything
  else (4xx, connection refused, timeout, TLS, login): back to ``new`` with the error, tried again after
  ``retry_delay`` doubling per attempt, ``failed`` once ``max_attempts`` attempts have failed. When the
  server cannot be reached, the batch's other messages take the same failed attempt without another try.
- The body goes as HTML when it looks like HTML (MyEMS's mails are), else as plain text; the attachment
  with its file name and a type guessed from it.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.auth import utcnow
from myems_api.db.message_tables import email_messages, email_servers
from myems_api.service_loop import run_until_stopped

log = logging.getLogger("myems.messages")

HTML = re.compile(r"<(html|body|br|p|div|table|a)\b", re.IGNORECASE)
MAX_ERROR = 1024
# Answers about the message itself: the connection stays usable for the next one.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass(frozen=True)
class SenderSettings:
    """How hard the sender tries, and how it trusts the server (tests pass their own certificate authority)."""

    max_attempts: int = 5
    retry_delay: timedelta = timedelta(minutes=1)
    lease: timedelta = timedelta(minutes=10)
    batch: int = 100
    timeout_seconds: float = 30.0
    tls_context: ssl.SSLContext | None = None  # default: the system's trusted certificates


@dataclass
class Report:
    """What one pass did: the command prints it, tests read it."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)


def describe(exc: BaseException) -> str:
    """An SMTP failure as one line for ``last_error``: the server's own answer where there is one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{addr}: {code} {_text(answer)}" for addr, (code, answer) in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR]


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def permanent(exc: BaseException) -> bool:
    """The server refused the message for good (5xx): retrying would only be refused again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError) and exc.smtp_code >= 500


class Sender:
    """Delivers the due email messages of one system store; one pass at a time (:meth:`run_once`)."""

    def __init__(self, engine: Engine, settings: SenderSettings | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.settings = settings or SenderSettings()
        self.clock = clock

    # ------------------------------------------------------------------ one pass
    def run_once(self) -> Report:
        """Claims the due messages (up to ``batch``) and sends each once."""
        report = Report()
        server = self._server()
        if server is None:
            if self._due(limit=1):
                log.warning("email messages are waiting but no email server is configured (POST /emailservers)")
            return report
        link = _Link(lambda: self._connect(server))
        try:
            for message_id in self._claim():
                self._deliver(message_id, server, link, report)
        finally:
            link.close()
        return report

    def _deliver(self, message_id: int, server: Any, link: _Link, report: Report) -> None:
        """One claimed message: sent, or a failed attempt recorded (see the module's rules)."""
        if link.unreachable is not None:
            self._failed(message_id, link.unreachable, report)
            return
        try:
            message = self._compose(message_id, server)
        except ValueError as exc:  # a header the message cannot carry: no retry will change that
            self._failed(message_id, exc, report, final=True)
            return
        if message is None:
            return
        try:
            link.open().send_message(message)
        except MESSAGE_ERRORS as exc:
            self._failed(message_id, exc, report)
        except (smtplib.SMTPException, OSError) as exc:
            link.drop()  # the connection is in doubt: the next message opens a new one
            self._failed(message_id, exc, report)
        else:
            self._sent(message_id, report)

    def _server(self) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(email_servers).order_by(email_servers.c.id).limit(1)).first()

    def _due_where(self, now: datetime) -> sa.ColumnElement[bool]:
        t = email_messages
        waiting = sa.and_(t.c.status == "new", sa.or_(t.c.next_attempt_datetime_utc.is_(None),
                                                       t.c.next_attempt_datetime_utc <= now))
        abandoned = sa.and_(t.c.status == "sending", t.c.next_attempt_datetime_utc <= now)
        return sa.and_(t.c.scheduled_datetime_utc <= now, sa.or_(waiting, abandoned))

    def _due(self, limit: int) -> list[int]:
        t = email_messages
        stmt = (sa.select(t.c.id).where(self._due_where(self.clock()))
                .order_by(t.c.scheduled_datetime_utc, t.c.id).limit(limit))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def _claim(self) -> list[int]:
        """Each due message is ours only if our conditional UPDATE is the one that moved it to ``sending``."""
        t = email_messages
        claimed = []
        for message_id in self._due(self.settings.batch):
            now = self.clock()
            with self.engine.begin() as conn:
                result = conn.execute(sa.update(t).where(t.c.id == message_id, self._due_where(now)).values(
                    status="sending", next_attempt_datetime_utc=now + self.settings.lease))
            if result.rowcount == 1:
                claimed.append(message_id)
        return claimed

    def _compose(self, message_id: int, server: Any) -> EmailMessage | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(email_messages).where(email_messages.c.id == message_id)).first()
        if row is None:  # deleted while claimed
            return None
        message = EmailMessage()
        message["From"] = server.from_addr
        message["To"] = formataddr((row.recipient_name or "", row.recipient_email))
        message["Subject"] = row.subject
        message["Date"] = format_datetime(self.clock().replace(tzinfo=UTC))
        message["Message-ID"] = make_msgid(domain=server.from_addr.rpartition("@")[2] or None)
        message.set_content(row.message, subtype="html" if HTML.search(row.message) else "plain")
        if row.attachment_file_object is not None:
            guessed = mimetypes.guess_type(row.attachment_file_name or "")[0] or "application/octet-stream"
            maintype, _, subtype = guessed.partition("/")
            message.add_attachment(row.attachment_file_object, maintype=maintype, subtype=subtype,
                                   filename=row.attachment_file_name or "attachment")
        return message

    def _connect(self, server: Any) -> smtplib.SMTP:
        context = self.settings.tls_context or ssl.create_default_context()
        timeout = self.settings.timeout_seconds
        smtp: smtplib.SMTP
        if server.security == "ssl":
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        try:
            smtp.ehlo()
            if server.security == "starttls":
                smtp.starttls(context=context)  # refuses (SMTPNotSupportedError) when the server does not offer it
                smtp.ehlo()
            if server.requires_authentication:
                smtp.login(server.user_name or "", server.password or "")
        except BaseException:
            _close(smtp)
            raise
        return smtp

    # ------------------------------------------------------------------ outcomes
    def _sent(self, message_id: int, report: Report) -> None:
        t = email_messages
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == message_id).values(
                status="sent", sent_datetime_utc=now, attempts=t.c.attempts + 1, last_error=None,
                next_attempt_datetime_utc=None))
        report.sent += 1
        log.info("email message %d sent", message_id)

    def _failed(self, message_id: int, exc: BaseException, report: Report, final: bool = False) -> None:
        t = email_messages
        error = describe(exc)
        now = self.clock()
        with self.engine.begin() as conn:
            attempts = conn.execute(sa.select(t.c.attempts).where(t.c.id == message_id)).scalar()
            if attempts is None:
                return
            attempts += 1
            if final or permanent(exc) or attempts >= self.settings.max_attempts:
                values: dict[str, Any] = {"status": "failed", "next_attempt_datetime_utc": None}
                report.failed += 1
            else:
                delay = self.settings.retry_delay * 2 ** (attempts - 1)
                values = {"status": "new", "next_attempt_datetime_utc": now + delay}
                report.retrying += 1
            conn.execute(sa.update(t).where(t.c.id == message_id).values(
                attempts=attempts, last_error=error, **values))
        report.errors.append(f"{message_id}: {error}")
        log.warning("email message %d: attempt %d failed: %s", message_id, attempts, error)


class _Link:
    """The SMTP connection of one pass: opened on first use; when it cannot be opened, ``unreachable``."""

    def __init__(self, connect: Callable[[], smtplib.SMTP]) -> None:
        self.connect = connect
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: BaseException | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            try:
                self.smtp = self.connect()
            except (smtplib.SMTPException, OSError) as exc:
                self.unreachable = exc
                raise
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            _close(self.smtp)
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            _close(self.smtp, polite=True)
            self.smtp = None


def _close(smtp: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
        else:
            smtp.close()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def run_sender(engine: Engine, loop: bool = True, interval: float = 30.0,
               settings: SenderSettings | None = None) -> int:
    """``myems messages``: one pass (``--once``: exit status 1 if a message failed) or a loop until SIGTERM."""
    sender = Sender(engine, settings)
    if not loop:
        report = sender.run_once()
        print(f"messages: {report.sent} sent, {report.retrying} to retry, {report.failed} failed")
        return 1 if report.failed or report.retrying else 0
    return run_until_stopped(sender.run_once, interval, log, "sending email messages")
