"""Uploads: the size limit while the body streams, the staged copy, and a send landing in the inbox.

A client's file name is data only: what is written is named by the portal (`<server pid>-<random>`
while staged, `portal-<send id>-<unit>-<random>.<csv|xlsx>` in the inbox), and the name
the clerk gave is kept in `sends.client_file_name`. A staged file whose server process is gone
(killed in the middle of a send or a check) is removed when a server starts (`sweep_staged`).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request

from chiso import arrivals
from chiso.receipts import forget_sender, write_sender
from core.settings import Settings
from portal.accounts import Account, Accounts, now_text
from portal.errors import PortalError
from portal.provisional import Provisional
from portal.provisional import insert as keep_provisional
from transforms.read import ACCEPTED_SUFFIXES

# Room for the multipart framing and the form's few small fields around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
_CHUNK = 64 * 1024
_MAX_CLIENT_NAME = 255


@dataclass(frozen=True)
class Staged:
    """An upload copied to a file the portal named, with what the ingest will see of it."""

    path: Path
    client_name: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class Send:
    send_id: int
    account_id: int
    unit_code: str
    client_file_name: str
    inbox_name: str
    sha256: str
    size_bytes: int
    sent_at: str


SEND_COLUMNS = "send_id, account_id, unit_code, client_file_name, inbox_name, sha256, size_bytes, sent_at"


async def read_form(
    request: Request, max_bytes: int = 0, max_files: int = 1, seconds: float = 0, max_fields: int = 4
) -> FormData:
    """The request's form (a file of at most `max_bytes`, and a few small fields), refused (413) as soon
    as its body passes the limit while it streams, and (408) when it has not all arrived `seconds` after
    the reading began (0: CHISO_PORTAL_BODY_SECONDS). A client that goes away meanwhile raises
    `ClientDisconnect`, which the application logs at INFO, without a traceback."""
    limit = max_bytes + FORM_OVERHEAD_BYTES
    too_large = (
        PortalError(413, "portal.too_large", limit=max_bytes) if max_bytes else PortalError(413, "portal.error_413")
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    seconds = seconds or request.app.state.portal.settings.portal_body_seconds
    deadline = asyncio.get_running_loop().time() + seconds
    received = 0

    async def receive():
        nonlocal received
        try:
            async with asyncio.timeout_at(deadline):
                message = await request.receive()
        except TimeoutError:
            raise PortalError(408, "portal.upload_too_slow", headers={"connection": "close"}, seconds=seconds) from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        received += len(message.get("body", b""))
        if received > limit:
            raise too_large
        return message

    return await Request(request.scope, receive).form(
        max_files=max_files, max_fields=max_fields, max_part_size=FORM_OVERHEAD_BYTES
    )


def uploaded_file(form: FormData) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PortalError(422, "portal.no_file")
    return upload


def client_name(upload: UploadFile) -> str:
    """The name the clerk's computer gave, as text to show: its last part only, never a path."""
    name = PurePath((upload.filename or "").replace("\\", "/")).name.strip()
    name = "".join(char for char in name if char.isprintable())[:_MAX_CLIENT_NAME]
    return name or "-"


def accepted_suffix(name: str) -> str | None:
    """`.csv` or `.xlsx` when the name ends so (any case): the only suffixes a staged file may get."""
    suffix = PurePath(name).suffix.lower()
    return suffix if suffix in ACCEPTED_SUFFIXES else None


async def stage(upload: UploadFile, folder: Path, suffix: str, max_bytes: int) -> Staged:
    """Copy the upload to a new file in `folder` under a random name, hashing it on the way."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}-{secrets.token_hex(16)}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("xb") as target:
            while block := await upload.read(_CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise PortalError(413, "portal.too_large", limit=max_bytes)
                digest.update(block)
                target.write(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path, client_name(upload), digest.hexdigest(), size)


def staging_folder(settings: Settings) -> Path:
    """Beside the inbox's files, on the same file system (so the landing is one rename), and hidden
    from the ingest, which skips names starting with a dot."""
    return settings.inbox / ".portal"


def sweep_staged(folder: Path) -> int:
    """Remove the staged uploads of server processes that are gone (or of this one, which is starting):
    a send or a check cut short by a crash leaves nothing behind once a server starts again."""
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        owner = path.name.partition("-")[0]
        if not owner.isdigit() or int(owner) == os.getpid() or not _alive(int(owner)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


KEPT_SECONDS = 600  # a checked file may be sent without choosing it again for this long


@dataclass(frozen=True)
class _Kept:
    staged: Staged
    account_id: int
    session: str  # the SHA-256 of the session token the check was made in
    expires: float


class KeptFiles:
    """Files a clerk checked and found acceptable, kept a few minutes so that "Send this file" needs no
    second upload. Each is a staged file (`inbox/.portal/<pid>-<random>.<ext>`, so `sweep_staged`
    removes it if the server dies) under a one-time id bound to the account and the session; it is
    deleted once sent or once expired (every keep and take sweeps the expired ones)."""

    def __init__(self, seconds: float = KEPT_SECONDS):
        self.seconds = seconds
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def keep(self, staged: Staged, account_id: int, session: str) -> str:
        self.sweep()
        kept_id = secrets.token_urlsafe(24)
        with self._lock:
            self._kept[kept_id] = _Kept(staged, account_id, session, time.monotonic() + self.seconds)
        return kept_id

    def take(self, kept_id: str, account_id: int, session: str) -> Staged | None:
        """The staged file, once: None when unknown, expired, or another account's or session's."""
        self.sweep()
        with self._lock:
            kept = self._kept.get(kept_id)
            if kept is None or kept.account_id != account_id or kept.session != session:
                return None
            del self._kept[kept_id]
        return kept.staged

    def sweep(self) -> int:
        now = time.monotonic()
        with self._lock:
            gone = [key for key, kept in self._kept.items() if kept.expires <= now]
            expired = [self._kept.pop(key) for key in gone]
        for kept in expired:
            kept.staged.path.unlink(missing_ok=True)
        return len(expired)

    def __len__(self) -> int:
        return len(self._kept)


def kept_copy(staged: Staged) -> Staged:
    """A second name for a staged file (a hard link, same folder, same naming), which outlives the first."""
    path = staged.path.with_name(f"{os.getpid()}-{secrets.token_hex(16)}{staged.path.suffix}")
    os.link(staged.path, path)
    return replace(staged, path=path)


def land(
    settings: Settings, accounts: Accounts, account: Account, staged: Staged, provisional: Provisional | None = None
) -> Send:
    """Move a staged file into the inbox under the portal's name and record the send (with the verdict it got
    at once, `portal.provisional`), all or nothing.

    The inbox name carries random letters as well as the send id: an accounts file restored from a
    backup restarts the ids, and an inbox name must never meet an earlier file's in the warehouse.
    """
    suffix = staged.path.suffix
    with accounts.connect() as db:
        db.execute("begin immediate")  # the next send id is ours until commit
        landed, inbox_name = None, ""
        try:
            send_id = db.execute("select coalesce(max(send_id), 0) + 1 from sends").fetchone()[0]
            inbox_name = f"portal-{send_id:07d}-{account.unit_code}-{secrets.token_hex(4)}{suffix}"
            send = Send(
                send_id,
                account.account_id,
                account.unit_code,
                staged.client_name,
                inbox_name,
                staged.sha256,
                staged.size_bytes,
                now_text(),
            )
            # Who sent it, beside it before it appears (chiso.receipts): the loader's sent_by, the receipt's send.
            write_sender(settings.inbox / inbox_name, _sender_record(send, account))
            landed = settings.inbox / inbox_name
            os.link(staged.path, landed)  # appears whole, and never replaces a file already there
            db.execute(f"insert into sends ({SEND_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)", list(vars(send).values()))
            if provisional is not None:
                keep_provisional(db, send_id, provisional)
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            if landed is not None:
                landed.unlink(missing_ok=True)
            if inbox_name:
                forget_sender(settings.inbox / inbox_name)
            raise
        finally:
            staged.path.unlink(missing_ok=True)
    # Whole the moment it appears: judged at once, and Airflow's inbox watcher starts an ingest.
    arrivals.announce(settings.inbox, inbox_name)
    return send


def _sender_record(send: Send, account: Account) -> dict[str, object]:
    fields = ("send_id", "unit_code", "client_file_name", "sha256", "size_bytes", "sent_at")
    return {"sent_by": account.email, **{name: getattr(send, name) for name in fields}}


def _send_of(row) -> Send:
    return Send(*row)


def sends_of(accounts: Accounts, unit_code: str | None, limit: int = 500) -> list[Send]:
    """The latest sends of a unit (of every unit: None), newest first."""
    condition, parameters = ("where unit_code = ?", [unit_code]) if unit_code else ("", [])
    with accounts.connect() as db:
        rows = db.execute(
            f"select {SEND_COLUMNS} from sends {condition} order by send_id desc limit ?", [*parameters, limit]
        ).fetchall()
    return [Send(*row) for row in rows]


def send_by_id(accounts: Accounts, send_id: int) -> Send | None:
    with accounts.connect() as db:
        try:
            row = db.execute(f"select {SEND_COLUMNS} from sends where send_id = ?", [send_id]).fetchone()
        except (OverflowError, sqlite3.Error):
            return None
    return Send(*row) if row else None


def sends_named(accounts: Accounts, inbox_names: Iterable[str | None]) -> dict[str, Send]:
    """The sends that landed under these inbox names, by inbox name (a file copied in has none; a file
    without a recorded source path has no inbox name: None)."""
    wanted = sorted({name for name in inbox_names if name and name.startswith("portal-")})
    found: dict[str, Send] = {}
    with accounts.connect() as db:
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ", ".join("?" * len(part))
            rows = db.execute(f"select {SEND_COLUMNS} from sends where inbox_name in ({marks})", part).fetchall()
            found.update((send.inbox_name, send) for send in map(_send_of, rows))
    return found


def senders(accounts: Accounts) -> dict[int, str]:
    """Account id -> e-mail, to say who sent what."""
    with accounts.connect() as db:
        return dict(db.execute("select account_id, email from accounts").fetchall())
