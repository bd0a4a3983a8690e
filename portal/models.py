"""The JSON the API answers with: what the OpenAPI schema (`/api/v1/openapi.json`) documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from chiso.approval.requests import Answer
from chiso.verdict import Verdict
from core.kinds import APPROVAL_ACTIONS, APPROVAL_STATES, COMPLETENESS_STATUSES, SEVERITIES, SUBMISSION_STATUSES
from expectations.findings import Finding
from portal.approvals import SlotView
from portal.desk import MAX_PAGE_SIZE, MAX_SQL_CHARS, PAGE_SIZE, Page, json_value
from portal.provisional import REPLACED_BECAUSE, VERDICT_STATES, Outcome, Provisional, replaced_text
from portal.render import zoned
from portal.uploads import Send
from portal.views import FileView, Obligation


@dataclass(frozen=True)
class OneOf:
    """A `str` field's metadata (`Annotated[str, OneOf(codes)]`): pydantic takes only one of `codes`, and the
    schema lists them as its `enum` — the very schema of `Literal[*codes]`, for codes that core.kinds declares
    at run time (a static type checker cannot read a `Literal` built from a variable: to it, the value is a
    `str`)."""

    codes: tuple[str, ...]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.literal_schema(list(self.codes))


# The schema's enumerations, from the declared kinds.
Severity = Annotated[str, OneOf(SEVERITIES.codes)]
SendStatus = Annotated[str, OneOf(("pending", *SUBMISSION_STATUSES.codes))]
CompletenessStatus = Annotated[str, OneOf(COMPLETENESS_STATUSES.codes)]
ApprovalState = Annotated[str, OneOf(APPROVAL_STATES.codes)]
ApprovalActionCode = Annotated[str, OneOf(APPROVAL_ACTIONS.codes)]
VerdictState = Annotated[str, OneOf(VERDICT_STATES)]
ReplacedBecause = Annotated[str, OneOf(REPLACED_BECAUSE)]
# A dry run judges the file alone: it is never superseded (that is decided when the ingest loads it).
DryRunStatus = Literal["accepted", "rejected", "duplicate"]


class FindingOut(BaseModel):
    rule: str = Field(description="`1`..`9` (the spec's rules), a warning's kind (`late`, `outlier`, ...), or `sender`")
    check: str = Field(description="the check's name: the same in every language")
    severity: Severity
    rows: list[int] = Field(description="the file's rows at fault (the row numbers a spreadsheet shows)")
    values: list[str] = Field(description="the values at fault, as written in the file")
    vi: str = Field(description="what is wrong and how to fix it, in Vietnamese")
    en: str = Field(description="the same in English")

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return cls(
            rule=finding.rule,
            check=finding.check,
            severity=finding.severity,
            rows=list(finding.rows or []),
            values=[str(value) for value in finding.values or []],
            vi=finding.vi,
            en=finding.en,
        )


class VerdictOut(BaseModel):
    """A dry run's verdict: what the ingest would decide of the file now. Nothing is stored."""

    file_name: str
    status: DryRunStatus
    dataset_code: str | None
    unit_code: str | None
    period: str | None
    reasons: list[FindingOut] = Field(description="why the file would be rejected: every reason, not just the first")
    warnings: list[FindingOut] = Field(description="what is flagged on a file that would be accepted")

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictOut:
        return cls(
            file_name=verdict.file_name,
            # `Verdict.status` is any submission status; the model refuses one a dry run cannot give.
            status=cast(DryRunStatus, verdict.status),
            dataset_code=verdict.dataset_code,
            unit_code=verdict.unit_code,
            period=verdict.period,
            reasons=[FindingOut.of(f) for f in verdict.reasons],
            warnings=[FindingOut.of(f) for f in verdict.warnings],
        )


class ProvisionalOut(BaseModel):
    """The verdict a send got at once: its bytes judged as the loader would, before they landed."""

    status: DryRunStatus
    reasons: list[FindingOut]
    warnings: list[FindingOut]
    judged_at: datetime = Field(description="when it was judged, with the province's UTC offset")

    @classmethod
    def of(cls, provisional: Provisional, zone) -> ProvisionalOut:
        return cls(
            status=cast(DryRunStatus, provisional.status),
            reasons=[FindingOut.of(f) for f in provisional.reasons],
            warnings=[FindingOut.of(f) for f in provisional.warnings],
            judged_at=zoned(provisional.judged_at, zone),
        )


class ReplacedOut(BaseModel):
    """Why the warehouse's verdict is not the one given at once."""

    because: ReplacedBecause
    vi: str
    en: str

    @classmethod
    def of(cls, replaced: Outcome) -> ReplacedOut:
        text = replaced_text(replaced)
        return cls(because=str(replaced.because), vi=text.vi, en=text.en)


class SendOut(BaseModel):
    """A file sent: the verdict it got at once (`provisional`), and the warehouse's once the ingest has
    judged it (`status` is `pending` until then; `verdict_state` says which one to show)."""

    id: int = Field(description="the send's number")
    file_name: str = Field(description="the name the file was sent under (kept as data only)")
    sent_at: datetime = Field(description="when it was received: ISO 8601 with the province's UTC offset")
    size_bytes: int
    sha256: str
    status: SendStatus
    submission_id: int | None = Field(description="the warehouse's number for the file, once ingested")
    dataset_code: str | None
    unit_code: str
    period: str | None
    received_at: datetime | None = Field(description="the receipt time the ingest recorded, with the province's offset")
    reasons: list[FindingOut]
    warnings: list[FindingOut]
    verdict_state: VerdictState | None = Field(
        description="`being_loaded`: only `provisional` is known yet; `confirmed`: the warehouse's verdict agrees"
        " with it; `replaced`: it does not (`replaced`: why). None: the send has no provisional verdict"
        " (sent before they were kept, or its check failed)"
    )
    provisional: ProvisionalOut | None
    replaced: ReplacedOut | None

    @classmethod
    def of(cls, send: Send, file: FileView | None, zone) -> SendOut:
        became = file.outcome if file else None
        return cls(
            id=send.send_id,
            file_name=send.client_file_name,
            sent_at=zoned(send.sent_at, zone),
            size_bytes=send.size_bytes,
            sha256=send.sha256,
            status=file.status if file else "pending",
            submission_id=file.submission_id if file else None,
            dataset_code=file.dataset_code if file else None,
            unit_code=send.unit_code,
            period=file.period if file else None,
            received_at=zoned(file.received_at, zone) if file else None,
            reasons=[FindingOut.of(f) for f in file.reasons] if file else [],
            warnings=[FindingOut.of(f) for f in file.warnings] if file else [],
            verdict_state=became.state if became else None,
            provisional=ProvisionalOut.of(file.provisional, zone) if file and file.provisional else None,
            replaced=ReplacedOut.of(became) if became and became.because else None,
        )


class ObligationOut(BaseModel):
    """A report the unit owes: one data set for one period, with its status in `completeness`."""

    dataset_code: str
    dataset_name: str
    dataset_name_en: str
    unit_code: str
    period: str
    due_date: date
    days_left: int | None = Field(
        description="days until the due date (negative: overdue), province time; null once the report is"
        " received (status on_time or late): see received_at"
    )
    status: CompletenessStatus = Field(
        description="on_time / late: done, accepted by or after the due date; missing: overdue, nothing received;"
        " rejected_only: only rejected files so far; not_due: nothing yet, not overdue"
    )
    received_at: datetime | None = Field(
        description="when the first accepted file was received (ISO 8601, province offset); null while owed"
    )
    files: int
    rejected_files: int
    template: str = Field(description="where to download the unit's workbook for it")

    @classmethod
    def of(cls, obligation: Obligation, names: dict[str, dict], zone) -> ObligationOut:
        row = names.get(obligation.dataset_code, {})
        return cls(
            dataset_code=obligation.dataset_code,
            dataset_name=row.get("dataset_name", obligation.dataset_code),
            dataset_name_en=row.get("dataset_name_en", obligation.dataset_code),
            unit_code=obligation.unit_code,
            period=obligation.period,
            due_date=obligation.due_date,
            days_left=obligation.days_left,
            status=obligation.status,
            received_at=zoned(obligation.first_accepted_at, zone),
            files=obligation.files,
            rejected_files=obligation.rejected_files,
            template=f"/api/v1/templates/{obligation.dataset_code}/{obligation.period}",
        )


class ValueChangeOut(BaseModel):
    indicator_code: str
    disaggregation: str = Field(description="the disaggregation's code; empty for the indicator's total")
    approved_value: float | None = Field(description="the value the last approval covered; null: none then")
    value_now: float | None = Field(description="the value of the file in force; null: none now")


class ApprovalOut(BaseModel):
    """A slot (unit × data set × period) and its approval state, derived from the approval log."""

    dataset_code: str
    unit_code: str
    period: str
    state: ApprovalState = Field(
        description="received: a file in force, not approved; approved: by the unit's approver;"
        " accepted: by the province (official, locked); returned: sent back to the unit with a reason"
    )
    official: bool = Field(description="its figures are official (in `official_values`)")
    locked: bool = Field(description="a new file for it is refused until the province reopens it")
    submission_id: int | None = Field(description="the file in force (the warehouse's number)")
    received_at: datetime | None
    changed_since_approval: bool = Field(
        description="a newer file changed the values after the last approval: the unit must approve again"
    )
    changes: list[ValueChangeOut] = Field(description="the values that changed since approval, old and new")
    last_action: ApprovalActionCode | None
    last_action_by: str | None
    last_action_at: datetime | None
    last_reason: str | None = Field(description="the reason of the last action (a return's, a reopening's)")
    actions: list[ApprovalActionCode] = Field(description="what this token's account may do on it now")

    @classmethod
    def of(cls, slot: SlotView, zone) -> ApprovalOut:
        return cls(
            dataset_code=slot.dataset_code,
            unit_code=slot.unit_code,
            period=slot.period,
            state=slot.state,
            official=slot.official,
            locked=slot.locked,
            submission_id=slot.submission_id,
            received_at=zoned(slot.received_at, zone),
            changed_since_approval=slot.changed_since_approval,
            changes=[ValueChangeOut(**{k: c[k] for k in ValueChangeOut.model_fields}) for c in slot.changes],
            last_action=slot.last_action,
            last_action_by=slot.last_action_by,
            last_action_at=zoned(slot.last_action_at, zone),
            last_reason=slot.last_reason,
            actions=slot.actions,
        )


class ApprovalActionIn(BaseModel):
    """An approval action on one slot; a province token names the unit, a unit's token acts on its own."""

    model_config = {"extra": "forbid"}

    action: ApprovalActionCode
    unit_code: str | None = Field(default=None, max_length=20, description="the unit (a province token: required)")
    reason: str | None = Field(
        default=None, max_length=1000, description="why: required to return and to reopen, kept in the log"
    )
    until: date | None = Field(
        default=None,
        description="reopen only: the last day files are taken, for a report its data set's deadline closed"
        " (`lock_after_days`; default 14 days from today)",
    )


class LoggedActionOut(BaseModel):
    """One action of the approval log."""

    action_id: int
    dataset_code: str
    unit_code: str
    period: str
    action: ApprovalActionCode
    state: ApprovalState = Field(description="the slot's state after it")
    by_email: str
    acted_at: datetime
    reason: str | None
    submission_id: int | None = Field(description="the file in force it was taken on")


class ApprovalAnswerOut(BaseModel):
    """What became of an action: `done` (recorded, in `actions`), `refused` (why, in `vi`/`en`), or `waiting`
    (queued for the warehouse's writer: ask `GET /api/v1/approval-requests/{request_id}` again)."""

    request_id: str
    outcome: Literal["done", "refused", "waiting"]
    vi: str | None
    en: str | None
    actions: list[LoggedActionOut]

    @classmethod
    def of(cls, request_id: str, answer: Answer | None, zone) -> ApprovalAnswerOut:
        if answer is None:
            return cls(request_id=request_id, outcome="waiting", vi=None, en=None, actions=[])
        actions = [
            LoggedActionOut(
                **{key: row[key] for key in LoggedActionOut.model_fields if key != "acted_at"},
                # a warehouse time (the province's wall clock), kept as ISO text in the answer
                acted_at=zoned(datetime.fromisoformat(row["acted_at"]), zone),
            )
            for row in answer.actions
        ]
        text = answer.text
        return cls(
            request_id=request_id,
            outcome="done" if answer.done else "refused",
            vi=text.vi if text else None,
            en=text.en if text else None,
            actions=actions,
        )


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where the field is: `path`, `query` or `body`, then its name")
    msg: str


class ErrorOut(BaseModel):
    """A refusal: its reason in both languages (what was sent is never echoed back)."""

    detail: str = Field(description="what went wrong, in English")
    vi: str = Field(description="the same in Vietnamese")
    en: str
    errors: list[FieldError] = Field(default=[], description="422 only: the fields that are not valid")


class QueryIn(BaseModel):
    """SQL for the analysts' desk (a province token only), and the page of its answer wanted."""

    model_config = {"extra": "forbid"}

    sql: str = Field(min_length=1, max_length=MAX_SQL_CHARS, description="one read-only statement on the snapshot")
    page: int = Field(default=1, ge=1, le=1_000_000, description="the page of the answer, from 1")
    page_size: int = Field(default=PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="rows a page")


class QueryOut(BaseModel):
    """One page of a query's answer; at most CHISO_DESK_ROWS rows of it are kept (`truncated`: it had more)."""

    columns: list[str]
    rows: list[list[Any]] = Field(description="the page's rows, each a list in the order of `columns`")
    page: int
    page_size: int
    pages: int = Field(description="pages of the rows kept")
    rows_kept: int = Field(description="rows kept of the answer, at most CHISO_DESK_ROWS")
    truncated: bool = Field(description="the answer had more rows than CHISO_DESK_ROWS: those past it are not kept")

    @classmethod
    def of(cls, page: Page) -> QueryOut:
        return cls(
            columns=page.columns,
            rows=[[json_value(value) for value in row] for row in page.rows],
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
            rows_kept=page.kept,
            truncated=page.truncated,
        )
