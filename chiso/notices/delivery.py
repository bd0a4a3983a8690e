"""Deliver composed messages: to the SMTP server of CHISO_SMTP_URL, or as .eml files to the outbox.

`smtp://host[:port]` upgrades with STARTTLS when the server offers it; `smtps://host[:port]` is
TLS from the first byte. `user:password@` logs in (percent-encode special characters), and only
over TLS, or to a loopback address. Query options: `timeout` (seconds, default 10: a server that
hangs costs one timeout, not the run) and `cafile` (a CA bundle, for a province's own CA).

A server that cannot be reached, refuses the login or hangs stops the delivery: that message
and the ones after it wait for the next run. A message the server refuses by itself (every
recipient refused, too large) waits while the others go.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from core.faults import fault_point
from core.settings import SettingError

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 10.0
PORTS = {"smtp": 25, "smtps": 465}
OPTIONS = ("timeout", "cafile")
# Refused by the server for this message alone: the other messages may still go.
MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None

    @property
    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


def parse_smtp_url(url: str) -> SmtpTarget:
    """CHISO_SMTP_URL as a target; a value that cannot be used says why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in PORTS or not parts.hostname:
        raise SettingError(f"CHISO_SMTP_URL must look like smtp://host:port or smtps://host:port, not {url!r}")
    try:
        port = parts.port or PORTS[parts.scheme]
    except ValueError:
        raise SettingError(f"CHISO_SMTP_URL has a port that is not a number: {url!r}") from None
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SettingError(f"CHISO_SMTP_URL knows the options {', '.join(OPTIONS)}, not {', '.join(unknown)}")
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise SettingError(f"CHISO_SMTP_URL: timeout must be a number of seconds, not {options['timeout']!r}") from None
    user, password = (unquote(text) if text else None for text in (parts.username, parts.password))
    if not f"{user or ''}{password or ''}".isascii():
        raise SettingError("CHISO_SMTP_URL: the login and password must be ASCII (what SMTP AUTH sends)")
    return SmtpTarget(parts.hostname, port, parts.scheme == "smtps", user, password, timeout, options.get("cafile"))


@dataclass
class Delivery:
    """What became of each message: accepted (with the addresses accepted) or waiting (with why)."""

    sent: list[tuple[EmailMessage, list[str]]]
    waiting: list[tuple[EmailMessage, str]]


def deliver(messages: list[EmailMessage], smtp_url: str, outbox: Path, stamp: str) -> Delivery:
    """Deliver `messages` through `smtp_url`, or write them to `outbox` when it is empty."""
    if not smtp_url:
        return write_outbox(messages, outbox, stamp)
    return deliver_smtp(messages, parse_smtp_url(smtp_url))


def deliver_smtp(messages: list[EmailMessage], target: SmtpTarget) -> Delivery:
    delivery = Delivery([], [])
    client = None
    try:
        for index, message in enumerate(messages):
            try:
                client = client or connect(target, _domain(message))
                refused = client.send_message(message)
            except MESSAGE_REFUSED as error:
                log.warning("the SMTP server refused %s: %s", message["Message-ID"], error)
                delivery.waiting.append((message, str(error)))
                continue
            except (OSError, smtplib.SMTPException) as error:
                # Down, gone, hanging or refusing us: everything not delivered yet waits for the next run.
                log.warning(
                    "SMTP %s:%s unavailable (%s): %d messages wait",
                    target.host,
                    target.port,
                    error,
                    len(messages) - index,
                )
                delivery.waiting += [(m, f"{type(error).__name__}: {error}") for m in messages[index:]]
                client = None
                break
            accepted = [a for a in _addresses(message) if a not in refused]
            delivery.sent.append((message, accepted))
            fault_point("notices.delivered")
    finally:
        if client is not None:
            _quit(client)
    return delivery


def connect(target: SmtpTarget, local_name: str) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=target.cafile)
    client: smtplib.SMTP
    if target.implicit_tls:
        client = smtplib.SMTP_SSL(
            target.host, target.port, local_hostname=local_name, timeout=target.timeout, context=context
        )
    else:
        # The name said in EHLO is given: asking the resolver for ours can take seconds.
        client = smtplib.SMTP(target.host, target.port, local_hostname=local_name, timeout=target.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
    if target.user:
        if not (isinstance(client.sock, ssl.SSLSocket) or target.loopback):
            client.close()
            raise smtplib.SMTPNotSupportedError(f"{target.host} offers no TLS: chiso will not send a password in clear")
        client.login(target.user, target.password or "")
    return client


def write_outbox(messages: list[EmailMessage], outbox: Path, stamp: str) -> Delivery:
    """Each message as `<stamp>_<kind>_<unit>_<id>.eml`, written beside and renamed into place."""
    delivery = Delivery([], [])
    for index, message in enumerate(messages):
        name = f"{stamp}_{message['X-Chiso-Notice']}_{message['X-Chiso-Unit']}_{_short_id(message)}.eml"
        target = outbox / name
        partial = outbox / f".{name}.partial"
        try:
            outbox.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(message.as_bytes())
            os.replace(partial, target)
        except OSError as error:
            log.warning("cannot write to the outbox %s (%s): %d messages wait", outbox, error, len(messages) - index)
            delivery.waiting += [(m, f"{type(error).__name__}: {error}") for m in messages[index:]]
            break
        delivery.sent.append((message, _addresses(message)))
        fault_point("notices.delivered")
    return delivery


def _addresses(message: EmailMessage) -> list[str]:
    return [address for _, address in getaddresses(message.get_all("To", []))]


def _domain(message: EmailMessage) -> str:
    """The sender's domain: the name chiso gives itself in EHLO."""
    senders = getaddresses(message.get_all("From", []))
    return (senders[0][1].rpartition("@")[2] if senders else "") or "localhost"


def _short_id(message: EmailMessage) -> str:
    return hashlib.sha1(message["Message-ID"].encode()).hexdigest()[:8]


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
