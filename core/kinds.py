"""Every kind of thing chiso names by a word — a submission's status, a finding's severity, a
report's completeness, a warning, a chart, a role — declared once, with what the code needs to
know of it (its words' id, its colour, whether it counts as done…). The kinds of notice are the
application's (each a module of chiso/notices/kinds/, with its query and templates); the ledger's
lookup tables take them from that registry.

The report, the portal and the notices iterate these declarations instead of keeping their own
lists; the warehouse keeps each family with a `table` as a lookup table, filled from here each
time it opens (warehouse.kinds), that its columns reference by a foreign key. A new kind is one
member here (and its words in core/vocabulary/stages.toml); `tests/core/test_kinds.py` fails while the
declaration, the lookup tables, the suites and the vocabulary disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

from core.vocabulary import Text, say


@dataclass(frozen=True)
class Kind:
    """One member of a family; `code` is the word stored in the data."""

    code: str


K = TypeVar("K", bound=Kind)


@dataclass(frozen=True)
class Family(Generic[K]):
    """The kinds of one thing, in the order they are shown.

    `table` and `key`: the warehouse's lookup table and its key column (`None`: kept elsewhere);
    `words`: the vocabulary section holding each member's words (`<words>.<code>`), if any.
    """

    name: str
    members: tuple[K, ...]
    table: str | None = None
    key: str = "code"
    words: str | None = None

    def __iter__(self) -> Iterator[K]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, code: str) -> K:
        for member in self.members:
            if member.code == code:
                return member
        raise KeyError(f"{code!r} is not a {self.name}: one of {', '.join(self.codes)}")

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(member.code for member in self.members)

    def codes_where(self, field: str, value: object = True) -> tuple[str, ...]:
        """The codes of the members whose `field` is `value` (true, unless said)."""
        return tuple(member.code for member in self.members if getattr(member, field) == value)

    def word_id(self, code: str) -> str | None:
        return f"{self.words}.{code}" if self.words else None

    def text(self, code: str) -> Text:
        word_id = self.word_id(self[code].code)
        if word_id is None:
            raise KeyError(f"a {self.name} has no words")
        return say(word_id)

    def rows(self) -> list[dict[str, object]]:
        """The lookup table's rows: the key, the position, the words' id and words if it has any, then each field."""
        rows = []
        for position, member in enumerate(self.members, 1):
            row: dict[str, object] = {self.key: member.code, "position": position}
            if self.words:
                words = self.text(member.code)
                row |= {"word_id": self.word_id(member.code), "name": words.vi, "name_en": words.en}
            row |= {
                field.name: _stored(getattr(member, field.name)) for field in fields(member) if field.name != "code"
            }
            rows.append(row)
        return rows


def _stored(value: object) -> object:
    """A field as its lookup table keeps it: a tuple of codes as a list (a DuckDB list column)."""
    return list(value) if isinstance(value, tuple) else value


# ---------------------------------------------------------------- a received file's verdict


@dataclass(frozen=True)
class SubmissionStatus(Kind):
    has_values: bool  # its values are loaded (indicator_facts): it counts for completeness and the figures


SUBMISSION_STATUSES = Family(
    "submission status",
    (
        SubmissionStatus("accepted", has_values=True),
        SubmissionStatus("rejected", has_values=False),
        SubmissionStatus("duplicate", has_values=False),
        SubmissionStatus("superseded", has_values=True),
    ),
    table="submission_statuses",
    key="status",
    words="status",
)


@dataclass(frozen=True)
class Severity(Kind):
    rejects: bool  # a finding of this severity refuses the file
    warns: bool  # listed among a file's warnings (the others among its reasons)


SEVERITIES = Family(
    "severity",
    (
        Severity("critical", rejects=True, warns=False),
        Severity("warning", rejects=False, warns=True),
        Severity("info", rejects=False, warns=False),  # the duplicate note: told as a reason, refuses nothing
    ),
    table="severities",
    key="severity",
    words="severity",
)


@dataclass(frozen=True)
class WarningKind(Kind):
    """A check of severity `warning` in the suites; its tag's colours in the report."""

    background: str
    colour: str


WARNING_KINDS = Family(
    "warning kind",
    (
        WarningKind("late", background="#fff3d6", colour="#8a5a00"),
        WarningKind("correction", background="#e6f4ea", colour="#1e6b3a"),
        WarningKind("outlier", background="#e3edf8", colour="var(--accent-dark)"),
        WarningKind("formula_text", background="#efe7f7", colour="#5b2c83"),
        WarningKind("outdated_template", background="#eceff3", colour="var(--ink)"),
    ),
    table="warning_kinds",
    key="warning",
    words="warning_kind",
)


# ---------------------------------------------------------------- an expected report's state (the completeness view)


@dataclass(frozen=True)
class CompletenessStatus(Kind):
    """Colours differ in lightness as well as hue, so the heatmap reads in grey print and for the colour-blind."""

    colour: str
    due: bool  # its due date has passed: it counts in the rates' denominator
    done: bool  # an accepted file arrived: it counts as received
    chased: bool  # overdue with nothing accepted: what the province chases now


COMPLETENESS_STATUSES = Family(
    "completeness status",
    (
        CompletenessStatus("on_time", colour="#1f8a70", due=True, done=True, chased=False),
        CompletenessStatus("late", colour="#f0b429", due=True, done=True, chased=False),
        CompletenessStatus("rejected_only", colour="#b83227", due=True, done=False, chased=True),
        CompletenessStatus("missing", colour="#cbd2d9", due=True, done=False, chased=True),
        CompletenessStatus("not_due", colour="#eef2f6", due=False, done=False, chased=False),
    ),
    table="completeness_statuses",
    key="status",
    words="completeness",
)


# ---------------------------------------------------------------- the report's charts (catalog/report_charts.csv)


@dataclass(frozen=True)
class ChartKind(Kind):
    """Drawn by a function of chiso/report/charts.py from a query of chiso/report/queries/."""


CHART_KINDS = Family(
    "chart kind",
    (ChartKind("parts"), ChartKind("share_vs_target")),
    table="chart_kinds",
    key="chart_kind",
)


# ---------------------------------------------------------------- who: contacts (catalog) and portal accounts


@dataclass(frozen=True)
class ContactRole(Kind):
    pass


# A reporting unit's clerk (its notices), the province (the weekly digest, files no unit could be
# told about) or a data engineer (failed DAG runs).
CONTACT_ROLES = Family(
    "contact role",
    (ContactRole("unit"), ContactRole("province"), ContactRole("engineer")),
    table="contact_roles",
    key="role",
)


@dataclass(frozen=True)
class AccountRole(Kind):
    sees_every_unit: bool  # reads every unit's files and reports, not only its own
    # An account's own role (`accounts.role`: the portal's schema checks these codes), or a role
    # granted on top of it (`account_grants`): an account may hold several.
    own: bool
    approves: str | None  # the approval actions' role it holds (core: APPROVAL_ACTIONS' `role`)
    # The name the approval's words give it (issue 20: clerk, approver, reviewer), which
    # `chiso accounts add --role` takes as well as the code.
    called: str


# Kept by the portal's own database, not the warehouse. A unit's account is its clerk (sends); the
# province's is its reviewer (accepts, returns, reopens); a unit's approver (its head) is granted.
ACCOUNT_ROLES = Family(
    "account role",
    (
        AccountRole("unit", sees_every_unit=False, own=True, approves=None, called="clerk"),
        AccountRole("province", sees_every_unit=True, own=True, approves="reviewer", called="reviewer"),
        AccountRole("approver", sees_every_unit=False, own=False, approves="approver", called="approver"),
    ),
)


# ---------------------------------------------------------------- approval of a slot (unit × data set × period)


@dataclass(frozen=True)
class ApprovalState(Kind):
    official: bool  # its values are the province's official figures (when unchanged since)
    locked: bool  # a new file for the slot is refused until the province reopens it


APPROVAL_STATES = Family(
    "approval state",
    (
        ApprovalState("received", official=False, locked=False),
        ApprovalState("approved", official=False, locked=False),
        ApprovalState("accepted", official=True, locked=True),
        ApprovalState("returned", official=False, locked=False),
    ),
    table="approval_states",
    key="state",
    words="approval_state",
)


@dataclass(frozen=True)
class ApprovalAction(Kind):
    """One step of the state machine: who takes it, from which states, to which."""

    role: str  # the account role that takes it: the unit's approver, or the province's reviewer
    from_states: tuple[str, ...]
    to_state: str
    needs_reason: bool


APPROVAL_ACTIONS = Family(
    "approval action",
    (
        ApprovalAction(
            "approve", role="approver", from_states=("received", "returned"), to_state="approved", needs_reason=False
        ),
        ApprovalAction("withdraw", role="approver", from_states=("approved",), to_state="received", needs_reason=False),
        ApprovalAction("accept", role="reviewer", from_states=("approved",), to_state="accepted", needs_reason=False),
        ApprovalAction("return", role="reviewer", from_states=("approved",), to_state="returned", needs_reason=True),
        ApprovalAction("reopen", role="reviewer", from_states=("accepted",), to_state="received", needs_reason=True),
    ),
    table="approval_actions",
    key="action",
    words="approval_action",
)


# ---------------------------------------------------------------- a unit's successors (catalog/unit_successions.csv)


@dataclass(frozen=True)
class SuccessionKind(Kind):
    """How a unit that ended passes on to the units after it (docs/configuration.md)."""

    has_successor: bool  # its rows name a to_code (every kind but `end`)
    whole: bool  # the whole of the old unit goes to one successor: its weight is 1


SUCCESSION_KINDS = Family(
    "succession kind",
    (
        SuccessionKind("merge", has_successor=True, whole=True),  # into a unit that also takes others
        SuccessionKind("split", has_successor=True, whole=False),  # among several units, by weights summing to 1
        SuccessionKind("rename", has_successor=True, whole=True),  # the same territory, a new name and code
        SuccessionKind("recode", has_successor=True, whole=True),  # the same territory and name, a new code
        SuccessionKind("end", has_successor=False, whole=False),  # no successor
    ),
    table="succession_kinds",
    key="kind",
)


FAMILIES: tuple[Family, ...] = (
    SUBMISSION_STATUSES,
    SEVERITIES,
    WARNING_KINDS,
    COMPLETENESS_STATUSES,
    CHART_KINDS,
    CONTACT_ROLES,
    ACCOUNT_ROLES,
    APPROVAL_STATES,
    APPROVAL_ACTIONS,
    SUCCESSION_KINDS,
)
