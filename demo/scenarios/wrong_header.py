"""Rules 2 to 5, a file that says the wrong thing about itself: a required column or header
field missing (2); a unit, data set, indicator or disaggregation the catalog does not know, or a
form the unit may not send (3); a period that cannot be, or lies outside the plan (4); rows
that disagree on the period (5)."""

from __future__ import annotations

from functools import partial

from core.catalog import Catalog
from core.periods import Period
from demo.habits import ROMAN
from demo.model import Report, ReportRow, Slot
from demo.plan import form_lines
from demo.scenarios.sending import of_form, of_unit, quarterly, quarterly_in_year, send_broken_report
from demo.script import InboxScript
from demo.story import (
    DEPARTMENT_FORM,
    DISTRICT_FORM,
    ESTABLISHMENTS,
    ESTABLISHMENTS_WITH_IT,
    IT_SURVEY,
    MISSPELT_UNIT,
    MISTYPED_DISTRICT,
    SCHOOLS,
    TASK_GROUPS_ASSIGNED,
)

MISSPELT_INDICATOR = (TASK_GROUPS_ASSIGNED, "NV_GIA0")  # a zero for the letter O
MISSPELT_DISAGGREGATION = (SCHOOLS, "TRUONG_HOC")
KINDERGARTENS = ("MAMNON", "Trường mầm non")  # a fifth kind of establishment the survey does not have


def leave_out_value_column(report: Report, script: InboxScript) -> None:
    report.left_out = "value"


def leave_out_period_field(report: Report, script: InboxScript) -> None:
    report.left_out = "period"


def write_unit_as(text: str, report: Report, script: InboxScript) -> None:
    report.unit_text = text


def send_on_the_departments_form(report: Report, script: InboxScript) -> None:
    """A district fills in the departments' form, keeping the lines that form has."""
    report.dataset_text = DEPARTMENT_FORM
    on_form = {line.indicator for line in form_lines(script.catalog, DEPARTMENT_FORM)}
    report.rows = [row for row in report.rows if row.indicator in on_form]


def misspell_indicator(report: Report, script: InboxScript) -> None:
    indicator, written = MISSPELT_INDICATOR
    for row in report.rows:
        if row.indicator == indicator:
            row.written_code = written


def misspell_disaggregation(report: Report, script: InboxScript) -> None:
    disaggregation, written = MISSPELT_DISAGGREGATION
    for row in report.rows:
        if row.disaggregation == disaggregation:
            row.disaggregation = written


def add_kindergartens(report: Report, script: InboxScript) -> None:
    code, name = KINDERGARTENS
    total = 20 + script.rng.randint(0, 30)
    report.rows.append(ReportRow(ESTABLISHMENTS, code, total, name))
    report.rows.append(ReportRow(ESTABLISHMENTS_WITH_IT, code, total - script.rng.randint(3, 12), name))


def fifth_quarter(period: Period) -> str:
    return f"Quý 5/{period.year}"


def fourth_quarter_of_the_year(period: Period) -> str:
    return f"{period.code}Q4"


def same_quarter_next_year(period: Period) -> str:
    return f"Quý {ROMAN[period.quarter]}/{period.year + 1}"


def same_quarter_a_decade_earlier(period: Period) -> str:
    """A slipped digit: 2021 typed 2011."""
    return f"Quý {ROMAN[period.quarter]}/{period.year - 10}"


def existed_a_decade_earlier(catalog: Catalog, slot: Slot) -> bool:
    period = Period.parse(slot[2])
    assert period is not None and period.quarter is not None
    return catalog.units[slot[1]]["valid_from"] <= Period.of(period.year - 10, period.quarter).start.isoformat()


def same_quarter_last_year(period: Period) -> str:
    return f"Quý {period.quarter}/{period.year - 1}"


def write_period_as(write, report: Report, script: InboxScript) -> None:
    report.period_text = write(Period.parse(report.period))


def date_last_rows_a_quarter_earlier(report: Report, script: InboxScript) -> None:
    period = Period.parse(report.period)
    earlier = f"{period.year}Q{period.quarter - 1}" if period.quarter > 1 else f"{period.year - 1}Q4"
    for row in report.rows[-2:]:
        row.period = earlier


def send_files_without_a_required_field(script: InboxScript) -> None:
    """Rule 2."""
    send = partial(send_broken_report, script, rules=("2",), fits=quarterly)
    send(
        leave_out_value_column,
        scenario="CSV without the 'Giá trị' column (named 'Số liệu')",
        corrected=True,
        style_for=script.csv_style_for,
    )
    send(
        leave_out_period_field,
        scenario="XLSX header block without 'Kỳ báo cáo'",
        corrected=False,
        style_for=script.xlsx_style_for,
    )


def send_files_with_unknown_codes(script: InboxScript) -> None:
    """Rule 3 (with rule 8 when the misspelt line is a mandatory one)."""
    send = partial(send_broken_report, script, rules=("3",))
    unit, written = MISSPELT_UNIT
    send(
        partial(write_unit_as, written),
        scenario=f"unknown unit code '{written}'",
        fits=of_unit(DEPARTMENT_FORM, unit),
        corrected=True,
    )
    district, typed = MISTYPED_DISTRICT
    send(
        partial(write_unit_as, typed),
        scenario=f"unknown unit code '{typed}' (meant {district})",
        fits=of_unit(DISTRICT_FORM, district),
        corrected=False,
    )
    send(
        send_on_the_departments_form,
        scenario=f"district sends form {DEPARTMENT_FORM} (departments only)",
        fits=of_form(DISTRICT_FORM),
        corrected=True,
    )
    indicator, misspelt = MISSPELT_INDICATOR
    send(
        misspell_indicator,
        rules=("3", "8"),
        scenario=f"indicator misspelt '{misspelt}' (so {indicator} is also missing)",
        fits=quarterly,
        corrected=False,
    )
    disaggregation, misspelt = MISSPELT_DISAGGREGATION
    send(
        misspell_disaggregation,
        rules=("3", "8"),
        scenario=f"unknown disaggregation '{misspelt}' (so {disaggregation} is also missing)",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )
    send(
        add_kindergartens,
        scenario=f"extra disaggregation '{KINDERGARTENS[0]}' (not in the catalog)",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )


def send_files_with_wrong_periods(script: InboxScript) -> None:
    """Rule 4, then rule 5."""
    catalog = script.catalog
    send = partial(send_broken_report, script, rules=("4",))
    send(
        partial(write_period_as, fifth_quarter),
        scenario="period 'Quý 5/…' (no such quarter)",
        fits=quarterly,
        corrected=True,
    )
    send(
        partial(write_period_as, fourth_quarter_of_the_year),
        scenario=f"quarter period on the yearly form {IT_SURVEY}",
        fits=of_form(IT_SURVEY),
        corrected=True,
    )
    if catalog.last_year in {int(slot[2][:4]) for slot in script.slots if quarterly(slot)}:
        send(
            partial(write_period_as, same_quarter_next_year),
            scenario=f"year {catalog.last_year + 1} (outside the plan)",
            fits=quarterly_in_year(catalog.last_year),
            corrected=True,
        )
    else:  # the plan's last year is still to come (a later period would be refused as not ended, too)
        send(
            partial(write_period_as, same_quarter_a_decade_earlier),
            scenario="year typed a decade earlier (outside the plan)",
            # by a unit in existence then: the year is its only fault
            fits=lambda slot: (
                quarterly(slot)
                and int(slot[2][:4]) - 10 < catalog.first_year
                and existed_a_decade_earlier(catalog, slot)
            ),
            corrected=True,
        )
    send(
        partial(write_period_as, same_quarter_last_year),
        scenario=f"year {catalog.first_year - 1} (last year's template, outside the plan)",
        fits=quarterly_in_year(catalog.first_year),
        corrected=False,
    )
    first_quarter = catalog.periods("quarter")[0].code
    send_broken_report(
        script,
        date_last_rows_a_quarter_earlier,
        rules=("5",),
        scenario="CSV rows with two different periods",
        fits=lambda slot: quarterly(slot) and slot[2] != first_quarter,
        corrected=False,
        style_for=script.csv_style_for,
    )
