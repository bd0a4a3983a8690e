"""The data engineers' alerts: a failed task of a chiso DAG e-mails them, with its log link.

Airflow's own `SmtpNotifier` (the SMTP provider) sends them, through the Airflow connection
`chiso_smtp` made from CHISO_SMTP_URL, the setting the notices use: `engineer_alerts` exports
it as `AIRFLOW_CONN_CHISO_SMTP` in the failed task's process, where the failure callback
(`chiso.airflow_glue.tasks.alert_engineers`) makes the notifier, unless the deployment defines that
variable itself.
"""

from __future__ import annotations

import json
import logging
import os

from airflow.providers.smtp.notifications.smtp import SmtpNotifier

from chiso.notices.contacts import engineers
from chiso.notices.delivery import parse_smtp_url
from core.catalog import Catalog, CatalogError
from core.settings import SettingError, Settings
from core.vocabulary import say

log = logging.getLogger(__name__)
CONNECTION_ID = "chiso_smtp"
CONNECTION_VARIABLE = f"AIRFLOW_CONN_{CONNECTION_ID.upper()}"


def airflow_connection(smtp_url: str, sender: str) -> str:
    """CHISO_SMTP_URL as an Airflow SMTP connection (JSON), for `AIRFLOW_CONN_CHISO_SMTP`.

    Airflow's hook cannot do STARTTLS "when offered": it is required with a login (no password
    goes in clear) and off without one (a relay on the local network); smtps:// is TLS.
    """
    target = parse_smtp_url(smtp_url)
    extra = {
        "from_email": sender,
        "timeout": max(1, int(target.timeout)),
        "retry_limit": 0,
        "disable_ssl": not target.implicit_tls,
        "disable_tls": target.implicit_tls or not target.user,
    }
    connection = {"conn_type": "smtp", "host": target.host, "port": target.port, "extra": extra}
    if target.user:
        connection |= {"login": target.user, "password": target.password or ""}
    return json.dumps(connection)


def engineer_alerts(settings: Settings) -> list:
    """The `on_failure_callback` of a chiso DAG's tasks: empty without SMTP or without engineers.

    A setting or catalog that cannot be read costs the alerts, never the DAG: it is logged.
    """
    if not settings.smtp_url:
        return []
    try:
        to = [recipient.email for recipient in engineers(Catalog(settings.catalog_dir))]
        connection = airflow_connection(settings.smtp_url, settings.smtp_from)
    except (SettingError, CatalogError) as error:
        log.warning("no e-mail alerts for failed tasks: %s", error)
        return []
    if not to:
        return []
    os.environ.setdefault(CONNECTION_VARIABLE, connection)
    return [
        SmtpNotifier(
            to=to,
            from_email=settings.smtp_from,
            smtp_conn_id=CONNECTION_ID,
            subject=str(say("alert.subject", dag_id="{{ ti.dag_id }}", task_id="{{ ti.task_id }}")),
            html_content=alert_html(),
        )
    ]


def alert_html() -> str:
    """The alert's body, a Jinja template Airflow renders with the failed task's context."""
    rows = [
        (say("alert.run"), "{{ ti.run_id | e }}"),
        (say("alert.attempt"), "{{ ti.try_number }}"),
        (say("alert.error"), "{{ exception | default('') | string | e }}"),
        (say("alert.log"), '<a href="{{ ti.log_url }}">{{ ti.log_url | e }}</a>'),
    ]
    cells = "".join(f"<tr><td>{label.vi} / {label.en}</td><td>{value}</td></tr>" for label, value in rows)
    title = say("alert.subject", dag_id="{{ ti.dag_id | e }}", task_id="{{ ti.task_id | e }}")
    return f'<html><body><p><b>{title.vi}</b><br>{title.en}</p><table cellpadding="4">{cells}</table></body></html>'
