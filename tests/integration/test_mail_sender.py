"""The email sender against real SMTP servers on loopback (aiosmtpd): delivery with attachments, refusals
for good and for now, retries up to the limit, a closed port, login, STARTTLS, leases and the CLI."""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from myems_api.auth import utcnow
from myems_api.cli import main
from myems_api.db import message_tables as mt
from myems_api.mail import Sender, SenderSettings
from tests.api.test_messages import PDF, send_form
from tests.client import Api
from tests.peers import free_port

NOW_SETTINGS = SenderSettings(max_attempts=2, retry_delay=timedelta(0), timeout_seconds=5)
MESSAGE = {"recipient_name": "Facility Team", "recipient_email": "team@example.com", "subject": "Monthly report",
           "message": "The report is attached."}


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the recipients it is told to."""

    refusals: dict[str, str] = field(default_factory=dict)  # recipient -> the SMTP answer to RCPT
    received: list[Any] = field(default_factory=list)
    tls_sessions: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(envelope)
        if session.ssl is not None:
            self.tls_sessions += 1
        return "250 Message accepted for delivery"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.received]


@contextmanager
def smtp_server(inbox: Inbox, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def add_server(admin: Api, port: int, **changes: Any) -> dict[str, Any]:
    return admin.create("/emailservers", {"host": "127.0.0.1", "port": port, "requires_authentication": False,
                                          "from_addr": "ems@example.com", **changes})


def queue(admin: Api, **changes: Any) -> int:
    return int(admin.create("/emailmessages", {**MESSAGE, **changes})["id"])


def message(admin: Api, message_id: int) -> dict[str, Any]:
    return admin.get(f"/emailmessages/{message_id}").json


# ---------------------------------------------------------------------------- delivery
def test_a_due_message_is_delivered_with_its_attachment_and_marked_sent(app, admin):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port)
        sent = send_form(admin, "POST", "/emailmessages", MESSAGE, ("energy report.pdf", PDF))
        assert sent.status_code == 201, sent.json
        later = queue(admin, scheduled_datetime="2100-01-01T00:00:00")
        report = Sender(app.databases.system, NOW_SETTINGS).run_once()
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = inbox.messages()
    assert inbox.received[0].rcpt_tos == ["team@example.com"]
    assert (received["From"], received["To"], received["Subject"]) == \
        ("ems@example.com", "Facility Team <team@example.com>", "Monthly report")
    body = received.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "The report is attached."
    [part] = list(received.iter_attachments())
    assert (part.get_filename(), part.get_content_type(), part.get_content()) == \
        ("energy report.pdf", "application/pdf", PDF)
    delivered = message(admin, sent.json["id"])
    assert (delivered["status"], delivered["attempts"], delivered["last_error"]) == ("sent", 1, None)
    assert delivered["sent_datetime"] is not None
    assert message(admin, later)["status"] == "new"  # not due yet


def test_an_html_body_goes_as_html(app, admin, api):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port)
        assert api.post("/users/emailmessages", {"recipient_email": "demo@myems.io", "subject": "Forgot Password",
                                                 "message": '<html><a href="/reset?token={token}">Reset</a></html>'}
                        ).status_code == 201
        assert Sender(app.databases.system, NOW_SETTINGS).run_once().sent == 1
    [received] = inbox.messages()
    html = received.get_body(("html",))
    assert html is not None and "token=" in html.get_content() and "{token}" not in html.get_content()


def test_a_recipient_refused_for_good_fails_at_once_and_the_next_message_still_goes(app, admin):
    inbox = Inbox(refusals={"nobody@example.com": "550 5.1.1 No such user"})
    with smtp_server(inbox) as port:
        add_server(admin, port)
        refused_id = queue(admin, recipient_email="nobody@example.com")
        good_id = queue(admin)
        report = Sender(app.databases.system, NOW_SETTINGS).run_once()
    assert (report.sent, report.failed) == (1, 1)
    failed = message(admin, refused_id)
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert "550" in failed["last_error"] and "No such user" in failed["last_error"]
    assert message(admin, good_id)["status"] == "sent"
    assert [e.rcpt_tos for e in inbox.received] == [["team@example.com"]]


def test_a_temporary_refusal_is_retried_until_the_attempt_limit(app, admin):
    inbox = Inbox(refusals={"team@example.com": "451 4.3.0 Try again later"})
    with smtp_server(inbox) as port:
        add_server(admin, port)
        message_id = queue(admin)
        sender = Sender(app.databases.system, NOW_SETTINGS)
        first = sender.run_once()
        retrying = message(admin, message_id)
        second = sender.run_once()
        third = sender.run_once()
    assert (first.retrying, retrying["status"], retrying["attempts"]) == (1, "new", 1)
    assert "451" in retrying["last_error"]
    assert (second.failed, third.failed + third.retrying + third.sent) == (1, 0)
    failed = message(admin, message_id)
    assert (failed["status"], failed["attempts"]) == ("failed", 2)
    assert inbox.received == []


def test_a_retry_waits_for_its_delay(app, admin):
    inbox = Inbox(refusals={"team@example.com": "451 4.3.0 Try again later"})
    with smtp_server(inbox) as port:
        add_server(admin, port)
        message_id = queue(admin)
        sender = Sender(app.databases.system, SenderSettings(retry_delay=timedelta(hours=1), timeout_seconds=5))
        assert sender.run_once().retrying == 1
        assert sender.run_once().retrying == 0  # not due again for an hour
    assert message(admin, message_id)["attempts"] == 1


def test_a_closed_port_fails_every_due_message_after_the_attempt_limit(app, admin):
    add_server(admin, free_port())  # nothing listens there
    made = [queue(admin), queue(admin)]
    sender = Sender(app.databases.system, NOW_SETTINGS)
    first = sender.run_once()
    assert first.retrying == 2
    assert all("Connection refused" in message(admin, m)["last_error"] or "ConnectionRefused" in
               message(admin, m)["last_error"] for m in made)
    second = sender.run_once()
    assert second.failed == 2
    assert [(message(admin, m)["status"], message(admin, m)["attempts"]) for m in made] == [("failed", 2)] * 2


def test_without_an_email_server_messages_stay_queued(app, admin):
    message_id = queue(admin)
    report = Sender(app.databases.system, NOW_SETTINGS).run_once()
    assert (report.sent, report.failed, report.retrying) == (0, 0, 0)
    assert (message(admin, message_id)["status"], message(admin, message_id)["attempts"]) == ("new", 0)


def test_a_message_another_runner_holds_is_left_alone_until_its_lease_ends(app, admin):
    inbox = Inbox()
    t = mt.email_messages
    with smtp_server(inbox) as port:
        add_server(admin, port)
        message_id = queue(admin)
        with app.databases.system.begin() as conn:
            conn.execute(sa.update(t).values(status="sending",
                                             next_attempt_datetime_utc=utcnow() + timedelta(minutes=5)))
        sender = Sender(app.databases.system, NOW_SETTINGS)
        assert sender.run_once().sent == 0
        with app.databases.system.begin() as conn:  # the other runner died: its lease ran out
            conn.execute(sa.update(t).values(next_attempt_datetime_utc=utcnow() - timedelta(seconds=1)))
        assert sender.run_once().sent == 1
    assert message(admin, message_id)["status"] == "sent"
    assert len(inbox.received) == 1


# ---------------------------------------------------------------------------- login and TLS
class Accounts:
    def __init__(self, inbox: Inbox, user: str, password: str) -> None:
        self.inbox, self.user, self.password = inbox, user.encode(), password.encode()

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (self.user,
                                                                                                 self.password)
        if ok:
            self.inbox.logins.append(self.user.decode())
        return AuthResult(success=ok, handled=False)  # a refusal answers 535


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only, on purpose
@pytest.mark.parametrize(("password", "status"), [("s3cret!", "sent"), ("wrong", "new")])
def test_the_sender_logs_in_when_the_server_requires_it(app, admin, password, status):
    inbox = Inbox()
    with smtp_server(inbox, authenticator=Accounts(inbox, "ems", "s3cret!"), auth_required=True,
                     auth_require_tls=False) as port:
        add_server(admin, port, requires_authentication=True, user_name="ems", password=password)
        message_id = queue(admin)
        Sender(app.databases.system, NOW_SETTINGS).run_once()
    sent = message(admin, message_id)
    assert sent["status"] == status
    if status == "sent":
        assert inbox.logins == ["ems"]
    else:
        assert "535" in sent["last_error"] and inbox.received == []


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    assert shutil.which("openssl"), "openssl makes the test certificate (.ci/run installs it)"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
                    "-out", str(cert), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_is_used_when_the_server_asks_for_it_and_the_certificate_is_checked(app, admin, certificate):
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    inbox = Inbox()
    with smtp_server(inbox, tls_context=server_side, require_starttls=True) as port:
        add_server(admin, port, security="starttls")
        message_id = queue(admin)
        Sender(app.databases.system, NOW_SETTINGS).run_once()  # the system does not trust this certificate
        assert message(admin, message_id)["status"] == "new"
        assert "CERTIFICATE_VERIFY_FAILED" in message(admin, message_id)["last_error"]
        trusting = SenderSettings(tls_context=ssl.create_default_context(cafile=str(cert)), timeout_seconds=5)
        report = Sender(app.databases.system, trusting).run_once()
    assert report.sent == 1
    assert inbox.tls_sessions == 1 and message(admin, message_id)["status"] == "sent"


def test_a_server_without_starttls_fails_an_attempt_that_asks_for_it(app, admin):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port, security="starttls", requires_authentication=True, user_name="ems",
                   password="s3cret!")
        message_id = queue(admin)
        assert Sender(app.databases.system, NOW_SETTINGS).run_once().retrying == 1
    waiting = message(admin, message_id)
    assert waiting["status"] == "new" and "STARTTLS" in waiting["last_error"]
    assert inbox.received == [] and inbox.logins == []  # the credentials never went out in clear


# ---------------------------------------------------------------------------- the command
def test_myems_messages_once_delivers_the_due_messages(app, admin, config, monkeypatch, capsys):
    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port)
        message_id = queue(admin)
        monkeypatch.setenv("MYEMS_DB_URL", config.db_url)
        assert main(["messages", "--once"]) == 0
    assert "1 sent" in capsys.readouterr().out
    assert message(admin, message_id)["status"] == "sent"
    assert len(inbox.received) == 1


def test_myems_messages_once_exits_1_when_a_message_failed(app, admin, config, monkeypatch):
    add_server(admin, free_port())
    queue(admin)
    monkeypatch.setenv("MYEMS_DB_URL", config.db_url)
    assert main(["messages", "--once", "--max-attempts", "1"]) == 1
