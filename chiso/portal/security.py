"""The portal's security primitives, on the standard library: password hashes, tokens, login limits, headers.

Passwords are hashed with scrypt (memory-hard: 64 MiB and ~0.2 s a hash here), its cost stored
in the hash so that it can be raised later. Tokens (sessions, API, set-password links) are 256
random bits; only their SHA-256 is stored, so a copy of the accounts file opens no session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from html import unescape

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
_SCRYPT_MAXMEM = 2**27
MIN_PASSWORD_CHARS = 10
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


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: 256 random bits need no slow hash, only not to be kept in clear."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


class LoginLimiter:
    """Failed logins per e-mail and per client address in a sliding window; past the limit, wait.

    In memory, per server process: `chiso serve` runs one process (see docs/portal.md).
    """

    def __init__(self, per_email: int = 5, per_client: int = 20, window_seconds: float = 900.0):
        self.limits = {"email": per_email, "client": per_client}
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, email: str, client: str) -> int:
        """Seconds to wait before another try is heard (0: go ahead)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for kind, key in (("email", email), ("client", client)):
                failures = self._recent((kind, key), now)
                if len(failures) >= self.limits[kind]:
                    wait = max(wait, failures[0] + self.window - now)
        return int(wait) + 1 if wait else 0

    def failed(self, email: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (("email", email), ("client", client)):
                self._failures[key].append(now)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(("email", email), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures


def report_policy(html: str) -> str:
    """The monitoring report's CSP: still no script; its inline styles allowed by their hashes alone."""
    blocks = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    attributes = {unescape(value) for value in re.findall(r'\sstyle="([^"]*)"', html)}
    hashes = " ".join(f"'sha256-{_b64(hashlib.sha256(text.encode()).digest())}'" for text in [*blocks, *attributes])
    return (
        f"default-src 'none'; style-src 'unsafe-hashes' {hashes}; img-src 'self' data:; form-action 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
