"""Notice kinds: the notices' extension point. Each kind of message is one `NoticeKind`, registered here.

A kind declares what it is owed (a query: one row per ledger item not told yet), whom it goes to
(a unit, or the province), how one addressee's rows become what its templates render, its
subject (a vocabulary id), whether the unit answers it (Reply-To the province's role addresses),
what it attaches, and its two templates (`<name>.txt.j2`, `<name>.html.j2`). The planner
(`owed.owed_notices`), the composer and the run iterate the registry: none of them names a kind.

Every module of this package is loaded with it, and each registers its kind with `register`: a
new kind is a module here, its query, its templates and its words in `core/vocabulary/notices.toml`. A
kind kept elsewhere (a test's) calls `register` the same way, in the process that notifies.

The query's contract: the columns `kind` (the item's kind, one of the kind's `items`),
`notice_unit` (to whom: a unit's code, or the province's), `notice_dataset`, `notice_period`,
`run_id` (the ledger's key; '' where it does not apply) and `submission_id` (or null), each row
not yet in the ledger (`told(...)`: a macro expanded inside a query of the ledger, so its
arguments are qualified, `reports.period`, never a bare `period`); any other column is the
content's. Columns named `…_at` (a moment) or `…_date` (a day) reach the templates as datetimes
and dates. The daily kinds' queries read the day as `getvariable('as_of')` and `reports_as_of`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.vocabulary import say

if TYPE_CHECKING:  # the types of the hooks' arguments only: owed.py and run.py import this module
    from chiso.notices.contacts import Directory, Recipient
    from chiso.notices.owed import Notice, Owed
    from core.catalog import Catalog
    from core.settings import Settings

NOTICES = Path(__file__).resolve().parent.parent
QUERIES = NOTICES / "queries"
TEMPLATES = NOTICES / "templates"
# When a kind is planned: after each ingest run, or by the daily notify (as of a day).
WHEN = ("after_ingest", "daily")


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True)
class NoticeKind:
    name: str  # the message's kind: the ledger's `message_kind`, the header X-Chiso-Notice, the .eml's name
    items: tuple[str, ...]  # the ledger kinds of the items it settles, in the order its message tells them
    query: Path  # what it is owed: one row per item (the contract above)
    when: str | tuple[str, ...]  # one of WHEN, or several: claimed by whichever runs first (the ledger tells once)
    # Whom it goes to, or several of these (each address once): "unit", the addresses of the unit it is
    # owed to; "approvers", that unit's approvers (`Directory.approvers`); else a role of contacts.csv ("province").
    audience: str | tuple[str, ...]
    subject: str  # the vocabulary id of its subject (Vietnamese, the units' language)
    # The subject's fields from (unit name, content); None: the unit's name and a count of each item kind told.
    subject_fields: Callable[[str, dict], dict] | None = None
    # What the templates render from one addressee's rows; None: the rows by item kind ({item: [rows]}).
    content: Callable[[list[dict], Owed], dict] | None = None
    reply_to: bool = False  # the unit answers it: Reply-To the province's role addresses
    attachments: Callable[[Notice, Catalog, Settings], list[Attachment]] | None = None
    # Its content's links to the portal (content, unit code, portal URL or "", names of what is attached).
    link: Callable[[dict, str, str, set[str]], None] | None = None
    templates: Path = TEMPLATES  # holds <name>.txt.j2 and <name>.html.j2 (the layout and parts are shared)

    @property
    def moments(self) -> tuple[str, ...]:
        return (self.when,) if isinstance(self.when, str) else self.when

    @property
    def audiences(self) -> tuple[str, ...]:
        return (self.audience,) if isinstance(self.audience, str) else self.audience

    def recipients(self, people: Directory, unit_code: str) -> list[Recipient]:
        """Who is told what `unit_code` (a unit, or the province's code) is owed."""
        return people.of_audience(self.audiences, unit_code)

    def content_of(self, rows: list[dict], owed: Owed) -> dict:
        return self.content(rows, owed) if self.content else by_item(rows, self.items)

    def subject_of(self, unit_name: str, content: dict) -> str:
        fields = self.subject_fields(unit_name, content) if self.subject_fields else counted(unit_name, content, self)
        return say(self.subject, **fields).vi

    def attached(self, notice: Notice, catalog: Catalog, settings: Settings) -> list[Attachment]:
        return self.attachments(notice, catalog, settings) if self.attachments else []

    def linked(self, content: dict, unit_code: str, portal_url: str, attached: set[str]) -> None:
        if self.link:
            self.link(content, unit_code, portal_url, attached)


_REGISTRY: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> NoticeKind:
    """Add a kind; its name is the ledger's `message_kind`, so two kinds cannot share one."""
    if not kind.moments or not set(kind.moments) <= set(WHEN):
        raise ValueError(f"notice kind {kind.name}: when must be among {', '.join(WHEN)}, not {kind.when!r}")
    if kind.name in _REGISTRY and _REGISTRY[kind.name] != kind:
        raise ValueError(f"a notice kind named {kind.name} is registered already")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def of(name: str) -> NoticeKind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no notice kind {name!r} is registered (known: {', '.join(_REGISTRY)})") from None


def every(when: str | None = None) -> list[NoticeKind]:
    """The registered kinds (planned after each ingest, or daily), in the order they were registered."""
    return [kind for kind in _REGISTRY.values() if when is None or when in kind.moments]


def by_item(rows: list[dict], items: tuple[str, ...]) -> dict:
    return {item: [row for row in rows if row["kind"] == item] for item in items}


def counted(unit_name: str, content: dict, kind: NoticeKind) -> dict:
    """`{unit_name}` and `{summary}`: "2 files refused, 1 late report" (`notice.count_<item>`), Vietnamese."""
    told = [item for item in kind.items if content.get(item)]
    summary = ", ".join(say(f"notice.count_{item}", count=len(content[item])).vi for item in told)
    return {"unit_name": unit_name, "summary": summary}


# The built-in kinds, each a module of this package, registered through `register` like any other.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
