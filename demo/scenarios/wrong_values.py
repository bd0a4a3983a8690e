"""Rules 6 to 9, a file whose values are wrong: not a number, negative, not whole, over 100 %
(6); one line given twice (7); a mandatory line or disaggregation left out (8); a part greater
than its whole (9)."""

from __future__ import annotations

from functools import partial

from demo.model import Report, ReportRow, Slot
from demo.scenarios.sending import of_form, quarterly, send_broken_report
from demo.script import InboxScript
from demo.story import (
    DEPARTMENT_FORM,
    ESTABLISHMENTS,
    ESTABLISHMENTS_WITH_IT,
    FUNDING_ALLOCATED,
    FUNDING_DISBURSED,
    HOTELS,
    IT_SURVEY,
    NEWS_ITEMS,
    ONLINE_PROCEDURES_SHARE,
    RESTAURANTS,
    SCHOOLS,
    TASK_GROUPS_ASSIGNED,
    TASK_GROUPS_DEPLOYED,
)

NEWS_ITEMS_TWICE = [(7, "Tin trên Báo Hà Giang"), (4, "Tin trên Cổng TTĐT")]  # one line per channel
CARRIED_OVER_NOTE = "Bao gồm kinh phí năm trước chuyển sang"
SWAPPED_FIRST = (RESTAURANTS, HOTELS, SCHOOLS)  # which disaggregation's columns a clerk swaps, first that can be


def in_the_second_half_year(slot: Slot) -> bool:
    """A quarterly slot of the third or fourth quarter, when much of the funding is disbursed."""
    return quarterly(slot) and slot[2][-1] in "34"


def set_value(indicator: str, value: object, report: Report, script: InboxScript) -> None:
    """The indicator's value written as `value` (its row added if the report had none)."""
    for row in report.rows:
        if row.indicator == indicator:
            row.value = value
            return
    report.rows.append(ReportRow(indicator, None, value))


def give_news_items_twice(report: Report, script: InboxScript) -> None:
    report.rows = [row for row in report.rows if row.indicator != NEWS_ITEMS]
    report.rows += [ReportRow(NEWS_ITEMS, None, value, note) for value, note in NEWS_ITEMS_TWICE]


def paste_a_row_twice(indicator: str, disaggregation: str, report: Report, script: InboxScript) -> None:
    index = next(
        position
        for position, row in enumerate(report.rows)
        if (row.indicator, row.disaggregation) == (indicator, disaggregation)
    )
    row = report.rows[index]
    report.rows.insert(index + 1, ReportRow(row.indicator, row.disaggregation, row.value))


def leave_out_indicator(indicator: str, report: Report, script: InboxScript) -> None:
    report.rows = [row for row in report.rows if row.indicator != indicator]


def leave_out_disaggregation(disaggregation: str, report: Report, script: InboxScript) -> None:
    report.rows = [row for row in report.rows if row.disaggregation != disaggregation]


def row_of(report: Report, indicator: str, disaggregation: str | None = None) -> ReportRow:
    return next(row for row in report.rows if (row.indicator, row.disaggregation) == (indicator, disaggregation))


def deploy_more_groups_than_assigned(report: Report, script: InboxScript) -> None:
    row_of(report, TASK_GROUPS_DEPLOYED).value = row_of(report, TASK_GROUPS_ASSIGNED).value + 1


def disburse_more_than_allocated(report: Report, script: InboxScript) -> None:
    disbursed = row_of(report, FUNDING_DISBURSED)
    disbursed.value = round(row_of(report, FUNDING_ALLOCATED).value * 1.12, 1)
    disbursed.note = CARRIED_OVER_NOTE


def swap_establishment_columns(report: Report, script: InboxScript) -> None:
    """The counts of all establishments and of those with IT written in each other's column."""

    def can_swap(kind: str) -> bool:
        return row_of(report, ESTABLISHMENTS_WITH_IT, kind).value < row_of(report, ESTABLISHMENTS, kind).value

    kind = next((kind for kind in SWAPPED_FIRST if can_swap(kind)), SWAPPED_FIRST[0])
    total, with_it = row_of(report, ESTABLISHMENTS, kind), row_of(report, ESTABLISHMENTS_WITH_IT, kind)
    if with_it.value < total.value:
        total.value, with_it.value = with_it.value, total.value
    else:
        with_it.value = total.value + 1


def send_files_with_wrong_numbers(script: InboxScript) -> None:
    """Rule 6, then rule 7."""
    send = partial(send_broken_report, script, rules=("6",))
    send(
        partial(set_value, NEWS_ITEMS, "mười hai"),
        scenario="value written in words ('mười hai')",
        fits=quarterly,
        corrected=True,
    )
    send(
        partial(set_value, FUNDING_DISBURSED, -15.5),
        scenario=f"negative value ({FUNDING_DISBURSED} -15.5, 'thu hồi')",
        fits=quarterly,
        corrected=False,
    )
    send(
        partial(set_value, NEWS_ITEMS, "12,5"),
        scenario="'12,5' for a count (semicolon file)",
        fits=quarterly,
        corrected=True,
        style_for=script.semicolon_csv_style_for,
    )
    send(
        partial(set_value, ONLINE_PROCEDURES_SHARE, 120),
        scenario="percent 120",
        fits=of_form(DEPARTMENT_FORM),
        corrected=False,
    )
    send = partial(send_broken_report, script, rules=("7",))
    send(
        give_news_items_twice,
        scenario=f"{NEWS_ITEMS} given twice",
        fits=quarterly,
        corrected=False,
        style_for=script.xlsx_style_for,
    )
    send(
        partial(paste_a_row_twice, ESTABLISHMENTS_WITH_IT, HOTELS),
        scenario=f"{ESTABLISHMENTS_WITH_IT}/{HOTELS} row pasted twice",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )


def send_incomplete_or_inconsistent_files(script: InboxScript) -> None:
    """Rule 8, then rule 9."""
    send = partial(send_broken_report, script, rules=("8",))
    send(
        partial(leave_out_indicator, FUNDING_DISBURSED),
        scenario=f"mandatory {FUNDING_DISBURSED} left out",
        fits=quarterly,
        corrected=True,
    )
    send(
        partial(leave_out_disaggregation, RESTAURANTS),
        scenario=f"{IT_SURVEY} without the {RESTAURANTS} disaggregation",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )
    send = partial(send_broken_report, script, rules=("9",))
    send(
        deploy_more_groups_than_assigned,
        scenario=f"{TASK_GROUPS_DEPLOYED} > {TASK_GROUPS_ASSIGNED}",
        fits=quarterly,
        corrected=False,
    )
    send(
        disburse_more_than_allocated,
        scenario=f"{FUNDING_DISBURSED} > {FUNDING_ALLOCATED}",
        fits=in_the_second_half_year,
        corrected=True,
    )
    send(
        swap_establishment_columns,
        scenario=f"{ESTABLISHMENTS_WITH_IT} > {ESTABLISHMENTS} (columns swapped)",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )
