"""The portal's security primitives, on the standard library: password hashes, tokens, login limits, headers.

Passwords are hashed with scrypt (memory-hard: 64 MiB and ~0.2 s a hash here), its cost stored
in the hash so that it can be raised later. Tokens (sessions, API, set-password links) are 256
random bits; only their SHA-256 is stored, so a copy of the accounts file opens no session.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from html import unescape

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
_SCRYPT_MAXMEM = 2**27
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
# Checked against when an e-mail is unknown, so a login takes as long whether the account exists or not.
_DECOY_HASH_SALT = secrets.token_bytes(16)

# No script at all; styles only from the portal's own stylesheet; never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32)


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (base64)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored`; an account without a password matches nothing."""
    if not stored:
        _scrypt(password, _DECOY_HASH_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    found = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(found, base64.b64decode(digest))


def password_problem(password: str, email: str) -> str | None:
    """The policy's objection to a password (a vocabulary id), or None; the same when a password is set
    and at login, where a password the policy refuses is a wrong one (never truncated, never hashed)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return "portal.password_short"
    if len(password) > MAX_PASSWORD_CHARS:
        return "portal.password_long"
    if not password.strip():
        return "portal.password_blank"
    if password.strip().casefold() == email.strip().casefold():
        return "portal.password_is_email"
    return None


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: 256 random bits need no slow hash, only not to be kept in clear."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str | None, expected: str | None) -> bool:
    if not (given and expected):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class LoginLimiter:
    """Login attempts per client address and per account, reserved *before* the password hash runs.

    `reserve` counts an attempt at once, under a lock, so concurrent attempts can never pass the
    limits together: a burst of N attempts on one account gets at most `free_per_account` hashes.
    The client's limit is checked first (a client past it touches no account's counter); then the
    account's: `free_per_account` failures in the window go unhindered, each further one must
    wait a delay that doubles from 1 s up to `max_delay` — a known address can be slowed down,
    never locked out for long, and a set-password link (`chiso accounts reset`) clears its count.
    A success gives the account's and the attempt's reservations back.

    In memory, per server process: `chiso serve` runs one process (see docs/portal.md).
    """

    def __init__(
        self,
        per_client: int = 20,
        free_per_account: int = 5,
        max_delay: float = 60.0,
        window_seconds: float = 900.0,
    ):
        self.per_client = per_client
        self.free_per_account = free_per_account
        self.max_delay = max_delay
        self.window = window_seconds
        self._clients: dict[str, deque[float]] = defaultdict(deque)
        self._accounts: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def reserve(self, email: str, client: str) -> int:
        """Count an attempt now; 0 when it may go ahead, else the seconds to wait (nothing counted)."""
        now = time.monotonic()
        with self._lock:
            tried = self._recent(self._clients, client, now)
            if len(tried) >= self.per_client:
                return math.ceil(tried[0] + self.window - now)
            failed = self._recent(self._accounts, email, now)
            if len(failed) >= self.free_per_account:
                ready = failed[-1] + self.delay(len(failed))
                if ready > now:
                    return math.ceil(ready - now)
            tried.append(now)
            failed.append(now)
        return 0

    def delay(self, failures: int) -> float:
        """Seconds an account waits after its last failure, once past its free failures."""
        return min(self.max_delay, 2.0 ** (failures - self.free_per_account))

    def succeeded(self, email: str, client: str) -> None:
        """A good password: the account starts afresh, and the attempt is not held against the client."""
        with self._lock:
            self._accounts.pop(email, None)
            tried = self._clients.get(client)
            if tried:
                tried.pop()

    def release(self, email: str, client: str) -> None:
        """An attempt reserved and never judged (no hash slot free): as if it had not been made."""
        with self._lock:
            for counts, key in ((self._clients, client), (self._accounts, email)):
                if counts.get(key):
                    counts[key].pop()

    def forget(self, email: str) -> None:
        """The account's password was set through a link: its delay ends."""
        with self._lock:
            self._accounts.pop(email, None)

    def _recent(self, counts: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        attempts = counts[key]
        while attempts and attempts[0] <= now - self.window:
            attempts.popleft()
        return attempts


class Busy(Exception):
    """No password-hash slot came free in time: answer 503 with Retry-After."""


class HashGate:
    """At most `slots` password hashes at once (scrypt takes 64 MiB and ~0.2 s each); a request waits
    `wait` seconds at most for a slot, then gets `Busy` (503) — the server's memory stays bounded
    whatever the number of logins arriving, and no queue grows without end."""

    def __init__(self, slots: int = 2, wait: float = 5.0):
        self.slots = slots
        self.wait = wait
        self._semaphore = asyncio.Semaphore(slots)

    async def run(self, function, *args):
        """`function(*args)` in a worker thread, once a slot is free."""
        if self._semaphore.locked():
            try:
                await asyncio.wait_for(self._semaphore.acquire(), self.wait)
            except TimeoutError:
                raise Busy() from None
        else:
            await self._semaphore.acquire()
        try:
            return await asyncio.to_thread(function, *args)
        finally:
            self._semaphore.release()


def report_policy(html: str) -> str:
    """The monitoring report's CSP: still no script; its inline styles allowed by their hashes alone."""
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    attributes = {unescape(value) for value in re.findall(r'\sstyle="([^"]*)"', html)}
    hashes = " ".join(f"'sha256-{_b64(hashlib.sha256(text.encode()).digest())}'" for text in [*blocks, *attributes])
    return (
        f"default-src 'none'; style-src 'unsafe-hashes' {hashes}; img-src 'self' data:; form-action 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
