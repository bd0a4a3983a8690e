"""What the portal answers when it refuses a request: a status and a vocabulary text, nothing internal."""

from __future__ import annotations

from fastapi import HTTPException

from core.vocabulary import Text
from portal.render import say


class PortalError(HTTPException):
    """A refusal people read: the vocabulary's `key`, in both languages (`detail` is the English)."""

    def __init__(self, status_code: int, key: str, headers: dict[str, str] | None = None, **fields: object):
        self.text: Text = say(key, **fields)
        super().__init__(status_code, detail=self.text.en, headers=headers)


class LoginNeeded(Exception):
    """A page asked for without a live session: the browser is sent to the login page."""


# The words of the statuses HTTP itself produces (unknown route, wrong method, a body that does not parse).
STATUS_TEXTS = {
    400: "portal.error_400",
    401: "portal.error_401",
    403: "portal.error_403",
    404: "portal.error_404",
    405: "portal.error_405",
    413: "portal.error_413",
    422: "portal.error_422",
    429: "portal.error_429",
    503: "portal.error_503",
}


def text_of(status_code: int, error: Exception | None = None) -> Text:
    if isinstance(error, PortalError):
        return error.text
    return say(STATUS_TEXTS.get(status_code, "portal.error_500"))
