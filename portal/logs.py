"""What the server's log may say: never a secret. `chiso serve` logs through `log_config()`.

uvicorn's access log writes every request's path and query string, and the e-mailed set-password
link carries its one-time token in the path (`/set-password/<token>`). `RedactSecrets`, on every
handler (the access log, uvicorn's own, and the root logger's that our modules reach), replaces
what looks like a secret before a line is written: a set-password link's token, an API token
(`chiso_…`), a bearer header, a query value named like a secret, any run of 40+ token characters.
Passwords never reach a log: no code logs a form, and uvicorn logs no body.
"""

from __future__ import annotations

import copy
import logging
import re

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
_PATTERNS = (
    (re.compile(r"(/set-password/)[^\s/?#\"']+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(Bearer\s+)[^\s\"']+", re.IGNORECASE), rf"\g<1>{REDACTED}"),
    (re.compile(r"chiso_[A-Za-z0-9_-]{8,}"), f"chiso_{REDACTED}"),
    (
        re.compile(r"([?&;][^=&\s]*(?:token|password|passwd|secret|key|link|session)[^=&\s]*=)[^&;\s\"']*", re.I),
        rf"\g<1>{REDACTED}",
    ),
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])"), REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """A handler's filter: the record's message, arguments and traceback text, with their secrets replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):  # uvicorn's access formatter unpacks the tuple: keep its shape
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_config() -> dict:
    """uvicorn's logging, every handler filtered; the root logger (our modules' warnings and errors, with
    their tracebacks) writes through uvicorn's default handler, to standard error."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"secrets": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    # The portal's own loggers (`portal.*`) and the application's (`chiso.*`) at INFO: a client gone
    # mid-upload, staged files swept at start, a notice's account book that cannot be read.
    for name in ("portal", "chiso"):
        config["loggers"][name] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
