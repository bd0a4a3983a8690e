"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it keeps every message it accepts.

It can offer STARTTLS or speak TLS from the first byte (with a throwaway certificate), ask for a
login, refuse chosen recipients, and be stopped and started again on the same port (a mail
server that is down for one run).
"""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from needs import missing


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool  # the session was encrypted (STARTTLS or TLS from the start)
    login: str | None  # the user it logged in as

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class Mailbox:
    """The aiosmtpd handler: accepts what it is sent, except the recipients it is told to refuse."""

    def __init__(self):
        self.received: list[Received] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.login_data.decode() if session.authenticated and session.login_data else None
        received = Received(
            envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, bool(session.ssl), login
        )
        self.received.append(received)
        return "250 OK"


class MailServer:
    def __init__(self, port: int | None = None, **options):
        self.port = port or free_port()
        self.options = options
        self.mailbox = Mailbox()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.mailbox.received]

    def start(self) -> MailServer:
        controller_class = _controller()
        self.controller = controller_class(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _controller():
    """aiosmtpd's Controller; without aiosmtpd the SMTP tests are skipped, except in CI, where they fail."""
    try:
        from aiosmtpd.controller import Controller  # in the helper: a missing dev dependency skips, not errors
    except ImportError:
        missing("aiosmtpd is not installed (a dev dependency: make setup)")
    return Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM): the client trusts it with `?cafile=`."""
    from cryptography import x509  # in the helper: only the TLS tests need it
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
