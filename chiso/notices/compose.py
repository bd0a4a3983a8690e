"""A notice as an e-mail: a plain-text and an HTML part, rendered from the same content.

Templates live in `templates/` (`<kind>.txt.j2`, `<kind>.html.j2`); every word in them comes
from the vocabulary. Every template but the plain-text ones (`*.txt.j2`) is autoescaped: file
names and cell values are the clerks' text, never markup; in the text part `S&T` stays `S&T`. Headers follow
RFC 5322 with the `email` package's encoding of Vietnamese names and subjects (RFC 2047).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chiso.notices.contacts import Recipient
from chiso.notices.plan import Notice
from core.vocabulary import Text, entries, say

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Headers are folded only past RFC 5322's 998 characters: the `email` package's folding of long
# non-ASCII headers cuts words across encoded-words, and its own parser then reads a space inside
# the word (its older API drops one between words); one encoded-word a header reads back exactly.
POLICY = SMTP.clone(max_line_length=998)
# Keys of a notice's content that hold a moment (`…_at`) or a day (the others).
DAYS = ("due_date", "oldest_due", "as_of")


@dataclass(frozen=True)
class Letterhead:
    """What every message shares: who sends it, who answers the units' replies, where to resend."""

    sender: str
    reply_to: list[Recipient]
    portal_url: str


def compose(notice: Notice, head: Letterhead, attachment: Path | None = None) -> EmailMessage:
    content = _dated(notice.content)
    attached = attachment if attachment is not None and attachment.is_file() else None
    values = {
        "unit_code": notice.unit_code,
        "unit_name": notice.unit_name,
        "portal_url": head.portal_url.rstrip("/"),
        "attachment": attached.name if attached else "",
        **content,
    }
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject(notice.message_kind, notice.unit_name, content)
    message["From"] = head.sender
    message["To"] = [Address(r["name"], addr_spec=r["email"]) for r in notice.recipients]
    if head.reply_to and notice.message_kind in ("ingest", "reminder"):
        message["Reply-To"] = [Address(r.name, addr_spec=r.email) for r in head.reply_to]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = notice.message_id
    # RFC 3834: no out-of-office reply loops; and what the engineer reading an .eml needs.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Chiso-Notice"] = notice.message_kind
    message["X-Chiso-Unit"] = notice.unit_code
    message.set_content(environment().get_template(f"{notice.message_kind}.txt.j2").render(values))
    message.add_alternative(environment().get_template(f"{notice.message_kind}.html.j2").render(values), subtype="html")
    if attached:
        message.add_attachment(attached.read_text(encoding="utf-8"), subtype="html", filename=attached.name)
    return message


def subject(message_kind: str, unit_name: str, content: dict) -> str:
    """In Vietnamese, the units' language (the body has both)."""
    if message_kind == "digest":
        return say("notice.subject_digest", week=content["week"]).vi
    if message_kind == "unattributed":
        return say("notice.subject_unattributed", count=len(content["files"])).vi
    kinds = ("rejected", "late", "warnings") if message_kind == "ingest" else ("due_soon", "overdue")
    summary = ", ".join(say(f"notice.count_{kind}", count=len(content[kind])).vi for kind in kinds if content[kind])
    return say(f"notice.subject_{message_kind}", unit_name=unit_name, summary=summary).vi


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Escaped unless it is a plain-text template: a new template is safe by default.
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["say"] = say
    # Dates shown beside both languages' labels follow the Vietnamese convention.
    env.filters["day"] = lambda value: value.strftime("%d/%m/%Y")
    env.filters["moment"] = lambda value: value.strftime("%d/%m/%Y %H:%M")
    env.filters["rule_label"] = rule_label
    return env


def rule_label(finding: dict) -> Text:
    """The rule's words for a reason (`rule 6`), the warning's kind for a warning (`Late`), both languages."""
    if finding["rule"].isdigit():
        return say("verdict.rule", rule=finding["rule"])
    if f"warning_kind.{finding['check']}" in entries():
        return say(f"warning_kind.{finding['check']}")
    return Text(finding["rule"], finding["rule"])


def _dated(value, key: str = ""):
    """The plan's ISO text back to dates and moments, for the vocabulary's date formats."""
    if isinstance(value, dict):
        return {k: _dated(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v, key) for v in value]
    if isinstance(value, str) and key.endswith("_at"):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and key in DAYS:
        return date.fromisoformat(value)
    return value
