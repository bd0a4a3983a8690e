"""Rule 1, files that cannot be read: an empty file, an old .xls, a scanned .pdf, a Word
report, a workbook cut short in an e-mail. Most clerks then send the right file."""

from __future__ import annotations

from functools import partial

from demo.scenarios.sending import of_form, quarterly, send_unusable_file
from demo.script import InboxScript
from demo.story import DEPARTMENT_FORM, DISTRICT_FORM


def send_unreadable_files(script: InboxScript) -> None:
    send = partial(send_unusable_file, script)
    send("empty", scenario="empty file (0 bytes)", fits=quarterly, corrected=True)
    send("xls", scenario="Excel 97-2003 .xls (unsupported type)", fits=quarterly, corrected=True, corrected_kind="xlsx")
    send("pdf", scenario="scanned report as .pdf (unsupported type)", fits=of_form(DEPARTMENT_FORM), corrected=False)
    send("docx", scenario="Word report .docx (unsupported type)", fits=of_form(DISTRICT_FORM), corrected=True)
    send("truncated_xlsx", scenario="truncated .xlsx (cut e-mail attachment)", fits=quarterly, corrected=False)
