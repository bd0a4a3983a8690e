"""HTTP hygiene against a real `chiso serve`: redirects never built from the client's Host, one Allow header,
a client that goes away logged quietly, and deadlines for slow headers and slow bodies."""

from __future__ import annotations

import socket
import time

import pytest
from portal_helpers import Home, Server

HEADER_SECONDS, BODY_SECONDS = 2, 3


@pytest.fixture(scope="module")
def server(home):
    """A server with short deadlines, so the slow clients' tests take seconds."""
    plain = home.env
    home.env = lambda **extra: plain(
        CHISO_PORTAL_HEADER_SECONDS=str(HEADER_SECONDS), CHISO_PORTAL_BODY_SECONDS=str(BODY_SECONDS), **extra
    )
    running = Server(home)
    yield running
    running.stop()
    home.env = plain


def raw(server: Server, request: bytes, wait: float = 10.0) -> bytes:
    """Send `request` as is and read until the server closes or answers in full."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as connection:
        connection.sendall(request)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"content-length: 0" in answer.lower():
                    break
        except TimeoutError:
            pass
    return answer


def headers_of(answer: bytes) -> list[tuple[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return [(name.strip().lower(), value.strip()) for name, value in (line.split(":", 1) for line in head)]


@pytest.mark.parametrize("path", ["/login/", "/", "/units/026/", "//evil.example/login/"])
def test_a_redirect_never_names_the_clients_host(server, path):
    answer = raw(server, f"GET {path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode())
    status = answer.split(b" ", 2)[1]
    assert status in (b"303", b"307", b"404"), answer[:200]
    locations = [value for name, value in headers_of(answer) if name == "location"]
    assert status == b"404" or locations, answer[:300]
    for location in locations:
        assert location.startswith("/") and not location.startswith("//") and "evil.example" not in location


def test_a_405_carries_one_allow_header_with_every_method(server):
    for path, methods in (("/", {"GET"}), ("/api/v1/submissions", {"GET", "POST"})):
        answer = raw(server, f"DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 405"), answer[:200]
        allow = [value for name, value in headers_of(answer) if name == "allow"]
        assert len(allow) == 1, allow
        assert {method.strip() for method in allow[0].split(",")} >= methods


def _log_since(server: Server, size: int) -> str:
    return server.log.read_bytes()[size:].decode("utf-8", "replace")


def test_a_client_that_goes_away_mid_upload_is_logged_at_info_without_a_traceback(server, home: Home):
    before = server.log.stat().st_size
    token = home.tokens["vanthu.026@dongvan.example.vn"]
    body_start = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nunit,'
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Authorization: Bearer {token}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n"
            + body_start
        )
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    while "disconnected" not in _log_since(server, before) and time.monotonic() < deadline:
        time.sleep(0.2)
    log = _log_since(server, before)
    assert "INFO" in log and "the client disconnected before its request was whole" in log, log
    assert "Traceback" not in log and "ERROR" not in log, log


def test_slow_headers_are_cut_off(server):
    before = server.log.stat().st_size
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        closed_after = None
        for byte in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40:
            try:
                connection.sendall(bytes([byte]))
                time.sleep(0.25)
                connection.setblocking(False)
                try:
                    if connection.recv(1) == b"":
                        closed_after = time.monotonic() - started
                        break
                except BlockingIOError:
                    pass
                finally:
                    connection.setblocking(True)
            except OSError:
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None and HEADER_SECONDS <= closed_after < HEADER_SECONDS + 3, closed_after
    assert "no whole request within" in _log_since(server, before)
    # A connection that sends nothing at all is closed too.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b"" and time.monotonic() - started < HEADER_SECONDS + 3


def test_a_slow_upload_is_answered_408(server, home: Home):
    token = home.tokens["vanthu.026@dongvan.example.vn"]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(
            b"POST /api/v1/dry-run HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Authorization: Bearer {token}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 5000\r\n\r\n"
            + b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        )
        answer = b""
        for _ in range(40):  # a byte every 0.25 s: never idle, never done
            try:
                connection.sendall(b"1")
            except OSError:
                break
            connection.setblocking(False)
            try:
                answer += connection.recv(65536)
            except BlockingIOError:
                pass
            finally:
                connection.setblocking(True)
            if answer:
                break
            time.sleep(0.25)
        seconds = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert BODY_SECONDS <= seconds < BODY_SECONDS + 3
    assert b"too slowly" in answer
