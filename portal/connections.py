"""A deadline for a request's headers, which uvicorn does not have.

uvicorn times out an idle keep-alive connection (`timeout_keep_alive`, armed after an answer) but
nothing else: a client that connects and sends nothing, or trickles its headers a byte at a time,
holds a connection for ever. `with_header_deadline(seconds)` is uvicorn's own protocol class (httptools,
or h11) that also closes a connection whose request has not begun `seconds` after the connection
opened or after the previous answer. The body has its own deadline in `uploads.read_form`.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("portal")


def with_header_deadline(seconds: float) -> type[asyncio.Protocol]:
    class HeaderDeadline(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        _deadline: asyncio.TimerHandle | None = None
        _cycle_before: object = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not self._cycle_before:  # a request's headers are in: it has begun
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not getattr(self, "pipeline", None):
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._cycle_before = self.cycle
            self._deadline = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.cycle is not self._cycle_before or self.transport.is_closing():
                return
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
            log.info("closed the connection of %s: no whole request within %s s", client, seconds)
            self.transport.close()

    return HeaderDeadline
