"""What a page and the API both do with an uploaded file: check it (dry run), or send it.

Every rule is the pipeline's: a dry run is `chiso.ingest.judge` on the snapshot's history (a
file type the readers refuse gets `chiso validate`'s rule 1 reason without GX). A send is judged
the same way before it lands, and keeps that verdict until the warehouse confirms or replaces it
(`portal.provisional`). The portal adds one check of its own, at its own door: a unit sends only
its own reports.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from chiso.checker import history, unread_verdict
from chiso.verdict import Verdict
from core.catalog import Catalog
from core.faults import fault_point
from core.settings import Settings
from core.text import unit_code
from expectations.findings import Finding
from portal.accounts import Account, Accounts
from portal.admission import Admission
from portal.dryrun import DryRuns, shown_as
from portal.errors import PortalError
from portal.provisional import Provisional
from portal.render import say
from portal.security import HashGate, LoginLimiter
from portal.uploads import (
    KeptFiles,
    Send,
    Staged,
    accepted_suffix,
    client_name,
    kept_copy,
    land,
    stage,
    staging_folder,
    uploaded_file,
)
from transforms.sandbox import ReadingBudget, read_one
from transforms.submission import RawSubmission, Unreadable

log = logging.getLogger("portal")


@dataclasses.dataclass
class Portal:
    """Everything a request needs, made once when the server starts."""

    settings: Settings
    catalog: Catalog
    accounts: Accounts
    dry_runs: DryRuns
    logins: LoginLimiter
    admission: Admission
    hashes: HashGate = dataclasses.field(init=False)  # password hashes: a few at once (CHISO_PORTAL_HASHES)
    kept: KeptFiles = dataclasses.field(default_factory=KeptFiles)  # checked files a clerk may send at once

    def __post_init__(self) -> None:
        self.hashes = HashGate(self.settings.portal_hashes, self.settings.portal_hash_wait)


def foreign_unit(declared: object, account: Account, catalog: Catalog) -> str | None:
    """The unit code a file declares when it is not the account's own (None: its own, or none given)."""
    code = unit_code(declared, catalog.unit_codes_by_number)
    return code if code is not None and code != account.unit_code else None


def other_unit_reason(declared: str, account: Account) -> Finding:
    text = say("portal.other_unit", declared=declared, unit_code=account.unit_code)
    return Finding("sender", "other_unit", "critical", text.vi, text.en, [], [declared])


def _refused_type(name: str) -> Verdict:
    """A file the readers would refuse for its type: rule 1, in the pipeline's words, and nothing written."""
    suffix = Path(name).suffix.lower() or "-"
    submission = RawSubmission(Path(name), name, "", 0, datetime.now(), suffix.lstrip(".") or "none")
    submission.read_error = Unreadable("file_type", suffix=suffix)
    return unread_verdict(submission)


async def dry_run(portal: Portal, account: Account, form: FormData, session: str | None = None) -> Verdict:
    """The verdict the ingest would give the uploaded file now; nothing is kept (see `check`)."""
    verdict, _ = await check(portal, account, form, session)
    return verdict


async def check(portal: Portal, account: Account, form: FormData, session: str | None) -> tuple[Verdict, str | None]:
    """The verdict, and, for a page's session whose file would be accepted, the one-time id under which
    that file is kept a few minutes to be sent without a second upload (`send`'s field `kept`)."""
    upload = uploaded_file(form)
    name = client_name(upload)
    suffix = accepted_suffix(name)
    if suffix is None:
        return _refused_type(name), None
    staged = await stage(upload, staging_folder(portal.settings), suffix, portal.settings.max_file_bytes)
    fault_point("portal.staged")
    copy = kept_copy(staged) if session and not account.is_province else None
    try:
        verdict = await _judged(portal, account, staged, name)
    except BaseException:
        if copy is not None:
            copy.path.unlink(missing_ok=True)
        raise
    if copy is None or session is None:  # a copy is made for a page's session only: never one without the other
        return verdict, None
    if verdict.status != "accepted":
        copy.path.unlink(missing_ok=True)
        return verdict, None
    return verdict, portal.kept.keep(copy, account.account_id, session)


async def _judged(portal: Portal, account: Account, staged: Staged, name: str) -> Verdict:
    verdict, _ = await portal.dry_runs.judged(staged.path, staged.sha256)
    return await _as_told_to(portal, account, shown_as(verdict, name))


async def _as_told_to(portal: Portal, account: Account, verdict: Verdict) -> Verdict:
    """The verdict as the account may see it."""
    if account.is_province:
        return verdict
    # A check tells a unit nothing of another unit's files: not that these bytes were received, nor their number.
    reasons = [reason for reason in verdict.reasons if reason.check != "duplicate_file"]
    declared = foreign_unit(verdict.unit_code, account, portal.catalog)
    if declared:
        return dataclasses.replace(
            verdict, status="rejected", reasons=[other_unit_reason(declared, account), *reasons], warnings=[]
        )
    if len(reasons) < len(verdict.reasons) and not await run_in_threadpool(_own_duplicate, portal, account, verdict):
        text = say("portal.duplicate_unnumbered")
        reasons.append(Finding("duplicate", "duplicate_file", "info", text.vi + ".", text.en + ".", [], []))
        return dataclasses.replace(verdict, reasons=reasons)
    return verdict


async def _provisional(portal: Portal, account: Account, staged: Staged) -> Provisional | None:
    """The verdict the loader will give the staged bytes, judged now (`portal.provisional`); None when the
    check itself failed: the file is sent all the same, and its verdict waits for the loader."""
    copy = kept_copy(staged)  # the dry run deletes what it judged; the staged file is the one to land
    try:
        verdict, history_through = await portal.dry_runs.judged(copy.path, copy.sha256)
        told = await _as_told_to(portal, account, shown_as(verdict, staged.client_name))
    except Exception:
        log.exception("the check of a send failed; it is sent without a provisional verdict")
        return None
    finally:
        copy.path.unlink(missing_ok=True)
    return Provisional.of(told, history_through, portal.dry_runs.rules_digest)


def _own_duplicate(portal: Portal, account: Account, verdict: Verdict) -> bool:
    """Whether the file a duplicate repeats was received for the account's own unit."""
    (original,) = next(r.values for r in verdict.reasons if r.check == "duplicate_file")
    with history(portal.settings.snapshot) as db:
        found = db.execute("select unit_code from submission_records where submission_id = ?", [int(original)])
        return found.fetchone() == (account.unit_code,)


async def send(portal: Portal, account: Account, form: FormData, session: str | None = None) -> Send:
    """Land the uploaded file (or, from a page's session, the checked file kept under `kept`) in the inbox
    for the ingest, refused at once when it is another unit's."""
    settings = portal.settings
    kept_id = form.get("kept")
    if session is not None and isinstance(kept_id, str) and kept_id and form.get("file") is None:
        staged = portal.kept.take(kept_id, account.account_id, session)
        if staged is None:
            raise PortalError(410, "portal.staged_gone")
    else:
        upload = uploaded_file(form)
        name = client_name(upload)
        suffix = accepted_suffix(name)
        if suffix is None:
            raise PortalError(422, "unreadable.file_type", suffix=Path(name).suffix.lower() or "-")
        staged = await stage(upload, staging_folder(settings), suffix, settings.max_file_bytes)
        fault_point("portal.staged")
    try:
        submission = await run_in_threadpool(read_one, staged.path, ReadingBudget.of(settings), portal.catalog.timezone)
        declared = foreign_unit(submission.declared.get("unit_code"), account, portal.catalog)
        if declared:
            raise PortalError(403, "portal.other_unit", declared=declared, unit_code=account.unit_code)
        provisional = await _provisional(portal, account, staged)
        return await run_in_threadpool(land, settings, portal.accounts, account, staged, provisional)
    finally:
        staged.path.unlink(missing_ok=True)
