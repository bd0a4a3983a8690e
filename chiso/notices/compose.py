"""A notice as an e-mail: a plain-text and an HTML part, rendered from the same content.

Each kind (chiso/notices/kinds/) says its subject, Reply-To and links, and where its templates
are (`<kind>.txt.j2`, `<kind>.html.j2`: in `templates/` for the built-in kinds, beside the shared
layout and parts); every word in them comes from the vocabulary. Every template but the
plain-text ones (`*.txt.j2`) is autoescaped: file names and cell values are the clerks' text,
never markup; in the text part `S&T` stays `S&T`. Headers follow RFC 5322 with the `email`
package's encoding of Vietnamese names and subjects (RFC 2047).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chiso.notices import kinds, links
from chiso.notices.contacts import Recipient
from chiso.notices.kinds import TEMPLATES, Attachment
from chiso.notices.owed import Notice
from core.vocabulary import Text, entries, grouped, say

# Headers are folded only past RFC 5322's 998 characters: the `email` package's folding of long
# non-ASCII headers cuts words across encoded-words, and its own parser then reads a space inside
# the word (its older API drops one between words); one encoded-word a header reads back exactly.
POLICY = SMTP.clone(max_line_length=998)
# Keys of a notice's content that hold a moment (`…_at`) or a day (`…_date` and these).
DAYS = ("oldest_due", "as_of")


@dataclass(frozen=True)
class Letterhead:
    """What every message shares: whom it is from, who answers the units' replies, where to resend."""

    sender: str
    reply_to: list[Recipient]
    portal_url: str


def compose(notice: Notice, head: Letterhead, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """The message, with the attachments its kind made for it (none in a preview)."""
    kind = kinds.of(notice.message_kind)
    content = _dated(notice.content)
    attached = list(attachments)
    portal_url = head.portal_url.rstrip("/")
    kind.linked(content, notice.unit_code, portal_url, {a.name for a in attached})
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
    message["Subject"] = kind.subject_of(notice.unit_name, content)
    message["From"] = head.sender
    message["To"] = [Address(r["name"], addr_spec=r["email"]) for r in notice.recipients]
    if head.reply_to and kind.reply_to:
        message["Reply-To"] = [Address(r.name, addr_spec=r.email) for r in head.reply_to]
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = notice.message_id
    # RFC 3834: no out-of-office reply loops; and what the engineer reading an .eml needs.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Chiso-Notice"] = notice.message_kind
    message["X-Chiso-Unit"] = notice.unit_code
    templates = environment(kind.templates)
    message.set_content(templates.get_template(f"{kind.name}.txt.j2").render(values))
    message.add_alternative(templates.get_template(f"{kind.name}.html.j2").render(values), subtype="html")
    for part in attached:
        if part.maintype == "text":
            message.add_attachment(part.data.decode("utf-8"), subtype=part.subtype, filename=part.name)
        else:
            message.add_attachment(part.data, maintype=part.maintype, subtype=part.subtype, filename=part.name)
    return message


@cache
def environment(templates: Path = TEMPLATES) -> Environment:
    """The templates of `templates` (a kind's directory), then the shared layout and parts."""
    env = Environment(
        loader=FileSystemLoader(list(dict.fromkeys([templates, TEMPLATES]))),
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
    """The claim's ISO text back to dates and moments, for the vocabulary's date formats."""
    if isinstance(value, dict):
        return {k: _dated(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v, key) for v in value]
    if isinstance(value, str) and key.endswith("_at"):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and (key.endswith("_date") or key in DAYS):
        return date.fromisoformat(value)
    return value
