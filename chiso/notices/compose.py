"""A notice as an e-mail: a plain-text and an HTML part, rendered from the same content.

Templates live in `templates/` (`<kind>.txt.j2`, `<kind>.html.j2`); every word in them comes
from the vocabulary. Every template but the plain-text ones (`*.txt.j2`) is autoescaped: file
names and cell values are the clerks' text, never markup; in the text part `S&T` stays `S&T`. Headers follow
RFC 5322 with the `email` package's encoding of Vietnamese names and subjects (RFC 2047).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chiso.notices import links
from chiso.notices.contacts import Recipient
from chiso.notices.plan import Notice
from core.vocabulary import Text, entries, grouped, say
from transforms.template.form import TemplateError, template_file_name

log = logging.getLogger(__name__)
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


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    maintype: str
    subtype: str


XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def compose(
    notice: Notice, head: Letterhead, attachment: Path | None = None, attachments: list[Attachment] = ()
) -> EmailMessage:
    """The message; `attachment` a file (the digest's report), `attachments` what is made for it (templates)."""
    content = _dated(notice.content)
    attached = list(attachments)
    if attachment is not None and attachment.is_file():
        attached.insert(0, Attachment(attachment.name, attachment.read_bytes(), "text", "html"))
    portal_url = head.portal_url.rstrip("/")
    _linked(content, notice, portal_url, {a.name for a in attached})
    values = {
        "unit_code": notice.unit_code,
        "unit_name": notice.unit_name,
        "portal_url": portal_url,
        "unit_url": links.due_page(portal_url, notice.unit_code) if portal_url else "",
        "attachment": attached[0].name if attached else "",
        # Where a unit sends without the portal: the province's role addresses (catalog/contacts.csv).
        "send_to": ", ".join(r.email for r in head.reply_to),
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
    for part in attached:
        if part.maintype == "text":
            message.add_attachment(part.data.decode("utf-8"), subtype=part.subtype, filename=part.name)
        else:
            message.add_attachment(part.data, maintype=part.maintype, subtype=part.subtype, filename=part.name)
    return message


def template_attachments(catalog, notice: Notice) -> list[Attachment]:
    """A reminder's attachments: the unit's pre-filled template of each report it owes."""
    # openpyxl only when a reminder is sent: not when the DAGs are parsed
    from transforms.template.workbook import build_template

    made = []
    for report in [*notice.content.get("due_soon", []), *notice.content.get("overdue", [])]:
        dataset, period = report["dataset_code"], report["period"]
        try:
            data = build_template(catalog, dataset, notice.unit_code, period)
        except TemplateError as error:  # the catalog changed since: the reminder goes without it
            log.warning("no template for %s %s %s: %s", dataset, notice.unit_code, period, error)
            continue
        made.append(Attachment(template_file_name(dataset, notice.unit_code, period), data, *XLSX))
    return made


def _linked(content: dict, notice: Notice, portal_url: str, attached: set[str]) -> None:
    """Each file and report of a unit's notice gets its page on the portal (and its template's name)."""
    if notice.message_kind not in ("ingest", "reminder"):
        return
    for kind in ("rejected", "late", "warnings", "due_soon", "overdue"):
        for item in content.get(kind, []):
            item["link"] = links.file_page(portal_url, notice.unit_code, item) if portal_url else ""
            if kind in ("due_soon", "overdue"):
                name = template_file_name(item["dataset_code"], notice.unit_code, item["period"])
                item["template_file"] = name if name in attached else ""
                item["link"] = links.due_page(portal_url, notice.unit_code) if portal_url else ""
                item["template_link"] = (
                    links.template_page(portal_url, item["dataset_code"], item["period"]) if portal_url else ""
                )


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
    env.globals["MARK"] = "\x00"  # where a link goes in a text (the HTML part's `linked`)
    # Dates shown beside both languages' labels follow the Vietnamese convention.
    env.filters["day"] = lambda value: value.strftime("%d/%m/%Y")
    env.filters["moment"] = lambda value: value.strftime("%d/%m/%Y %H:%M")
    env.filters["rule_label"] = rule_label
    env.filters["number"] = lambda value: grouped(value) if isinstance(value, int | float) else value
    env.filters["vn_dates"] = vn_dates
    return env


ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def vn_dates(text: object) -> str:
    """A finding's text with its ISO dates (2017-10-10) as the notices write every date (10/10/2017)."""
    return ISO_DAY.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", str(text))


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
