"""Remind the units of their reports before and after the due dates; the province's weekly digest.

Daily at CHISO_REMINDER_SCHEDULE (08:00 in the province's time by default). Each unit gets one
message a day at most: the reports due within its data set's `reminder_days_before` days, and
those overdue, that it has not been reminded of yet; the first run of each ISO week also sends
the province its digest. The tasks are the notice group `chiso_ingest` has too
(chiso.airflow_glue.tasks.notice_tasks): claiming and recording take the warehouse pool; delivering takes
none and never fails: what it could not deliver waits for the next run. A failed task e-mails the
data engineers.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag

from chiso.airflow_glue.tasks import dag_arguments, notice_tasks, province_time
from core.settings import load_settings

SETTINGS = load_settings()


@dag(
    schedule=CronTriggerTimetable(SETTINGS.reminder_schedule, timezone=province_time(SETTINGS)),
    **dag_arguments(SETTINGS, retries=1, retry_delay=timedelta(minutes=5), execution_timeout=timedelta(minutes=30)),
    params={"as_of": Param(None, type=["null", "string"], format="date", description="the day (default today)")},
    doc_md=__doc__,
)
def chiso_reminders():
    notice_tasks(SETTINGS, owed="scheduled")


chiso_reminders()
