"""Delivery against a real SMTP server on 127.0.0.1: plain, STARTTLS, TLS, login, refusals, down, hanging."""

from __future__ import annotations

import socket
import threading
import time
from email.message import EmailMessage

import pytest

from chiso.notices.delivery import deliver, deliver_smtp, parse_smtp_url
from core.settings import SettingError
from mailserver import MailServer, free_port, self_signed, server_tls


def message(to: str, subject: str = "Sở Y tế: 1 tệp bị từ chối", number: int = 1) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = "chiso <chiso@hagiang.example>"
    mail["To"] = to
    mail["Message-ID"] = f"<{number}.test@hagiang.example>"
    mail["X-Chiso-Notice"] = "ingest"
    mail["X-Chiso-Unit"] = "SYT"
    mail.set_content("Kính gửi: Sở Y tế")
    return mail


def test_the_url_names_host_port_tls_login_and_options():
    plain = parse_smtp_url("smtp://127.0.0.1:1025")
    assert (plain.host, plain.port, plain.implicit_tls, plain.user, plain.timeout) == (
        "127.0.0.1",
        1025,
        False,
        None,
        10,
    )
    url = "smtps://chiso%40hagiang.example:p%40ss:word@mail.example?timeout=3&cafile=/ca"  # pragma: allowlist secret
    tls = parse_smtp_url(url)
    assert (tls.host, tls.port, tls.implicit_tls) == ("mail.example", 465, True)
    assert (tls.user, tls.password, tls.timeout, tls.cafile) == ("chiso@hagiang.example", "p@ss:word", 3.0, "/ca")
    assert parse_smtp_url("smtp://relay").port == 25


@pytest.mark.parametrize(
    "url, says",
    [
        ("mail.example:25", "smtp://host:port"),
        ("http://mail.example", "smtp://host:port"),
        ("smtp://mail.example:tls", "port"),
        ("smtp://mail.example?tls=yes", "knows the options timeout, cafile"),
        ("smtp://mail.example?timeout=soon", "timeout must be a number"),
        ("smtp://chiso:m%E1%BA%ADt@mail.example", "ASCII"),  # pragma: allowlist secret
    ],
)
def test_a_url_that_cannot_be_used_says_why(url, says):
    with pytest.raises(SettingError, match=says):
        parse_smtp_url(url)


def test_plain_smtp_delivers_and_reports_the_accepted_addresses(mail_server):
    delivery = deliver_smtp([message("vanthu@syt.hagiang.example")], parse_smtp_url(mail_server.url))
    assert [accepted for _, accepted in delivery.sent] == [["vanthu@syt.hagiang.example"]] and delivery.waiting == []
    [received] = mail_server.mailbox.received
    assert received.rcpt_tos == ["vanthu@syt.hagiang.example"] and not received.tls
    assert received.message["Subject"] == "Sở Y tế: 1 tệp bị từ chối"


def test_starttls_is_used_when_offered_and_the_certificate_is_checked(tmp_path):
    cert, key = self_signed(tmp_path)
    server = MailServer(tls_context=server_tls(cert, key)).start()
    try:
        trusted = deliver_smtp([message("a@syt.hagiang.example")], parse_smtp_url(f"{server.url}&cafile={cert}"))
        untrusted = deliver_smtp([message("a@syt.hagiang.example", number=2)], parse_smtp_url(server.url))
    finally:
        server.stop()
    assert len(trusted.sent) == 1 and [r.tls for r in server.mailbox.received] == [True]
    # A certificate the client cannot verify: the message waits rather than going in clear.
    assert untrusted.sent == [] and "CERTIFICATE_VERIFY_FAILED" in untrusted.waiting[0][1]


def test_smtps_is_tls_from_the_first_byte(tmp_path):
    cert, key = self_signed(tmp_path)
    server = MailServer(ssl_context=server_tls(cert, key)).start()
    try:
        url = f"smtps://127.0.0.1:{server.port}?timeout=2&cafile={cert}"
        delivery = deliver_smtp([message("a@syt.hagiang.example")], parse_smtp_url(url))
        in_clear = deliver_smtp(
            [message("a@syt.hagiang.example", number=2)], parse_smtp_url(url.replace("smtps", "smtp"))
        )
    finally:
        server.stop()
    assert len(delivery.sent) == 1 and len(server.mailbox.received) == 1
    assert in_clear.sent == [] and len(in_clear.waiting) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_login_is_given_and_a_wrong_one_leaves_the_message_waiting():
    def check(mechanism, login, password):
        return (login, password) == (b"chiso@hagiang.example", b"p@ss:w/rd")

    server = MailServer(auth_callback=check, auth_require_tls=False, auth_required=True).start()
    try:
        login = "chiso%40hagiang.example:p%40ss%3Aw%2Frd"
        good = deliver_smtp(
            [message("a@syt.hagiang.example")], parse_smtp_url(f"smtp://{login}@127.0.0.1:{server.port}")
        )
        bad = deliver_smtp(
            [message("a@syt.hagiang.example", number=2)],
            parse_smtp_url(f"smtp://chiso:wrong@127.0.0.1:{server.port}"),  # pragma: allowlist secret
        )
    finally:
        server.stop()
    assert len(good.sent) == 1 and server.mailbox.received[0].login == "chiso@hagiang.example"
    assert bad.sent == [] and "Authentication" in bad.waiting[0][1]


def test_a_refused_recipient_holds_back_only_its_own_message(mail_server):
    mail_server.mailbox.refused = {"gone@syt.hagiang.example"}
    messages = [
        message("gone@syt.hagiang.example", number=1),
        message("vanthu@syt.hagiang.example, gone@syt.hagiang.example", number=2),
        message("vanthu@026.hagiang.example", number=3),
    ]
    delivery = deliver_smtp(messages, parse_smtp_url(mail_server.url))
    assert [m["Message-ID"] for m, _ in delivery.waiting] == ["<1.test@hagiang.example>"]
    assert [(m["Message-ID"], accepted) for m, accepted in delivery.sent] == [
        ("<2.test@hagiang.example>", ["vanthu@syt.hagiang.example"]),
        ("<3.test@hagiang.example>", ["vanthu@026.hagiang.example"]),
    ]


def test_a_server_that_is_down_leaves_every_message_waiting_at_once():
    started = time.perf_counter()
    delivery = deliver_smtp(
        [message("a@syt.hagiang.example", number=n) for n in range(3)],
        parse_smtp_url(f"smtp://127.0.0.1:{free_port()}"),
    )
    assert delivery.sent == [] and len(delivery.waiting) == 3
    assert "ConnectionRefusedError" in delivery.waiting[0][1]
    assert time.perf_counter() - started < 2


def test_a_server_that_hangs_costs_one_timeout_not_the_run():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    started = time.perf_counter()
    try:
        url = f"smtp://127.0.0.1:{listener.getsockname()[1]}?timeout=0.5"
        delivery = deliver_smtp([message("a@syt.hagiang.example", number=n) for n in range(3)], parse_smtp_url(url))
    finally:
        listener.close()
    assert delivery.sent == [] and len(delivery.waiting) == 3 and "timed out" in delivery.waiting[0][1]
    assert time.perf_counter() - started < 2


def test_without_smtp_the_messages_are_eml_files_in_the_outbox(tmp_path):
    delivery = deliver([message("a@syt.hagiang.example")], "", tmp_path / "outbox", "20170711-080000")
    [written] = (tmp_path / "outbox").iterdir()
    assert written.name.startswith("20170711-080000_ingest_SYT_") and written.suffix == ".eml"
    assert b"Subject: =?utf-8?" in written.read_bytes() and len(delivery.sent) == 1
