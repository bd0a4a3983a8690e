"""Build the self-contained HTML monitoring report from a warehouse, read-only.

One file, no external asset: inline CSS, charts as inline SVG, no script. Every text that
comes from the data (file names, reasons, notes) goes through Jinja2's autoescape.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from chiso.report import charts

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
TEMPLATE = "template.html.j2"

WARNING_KINDS = {
    "late": ("Nộp muộn", "Late"),
    "outlier": ("Giá trị bất thường", "Outlier"),
    "formula_text": ("Ghi chú giống công thức", "Formula-like note"),
}
SUBMISSION_STATUSES = ("accepted", "superseded", "rejected", "duplicate")


def build_report(warehouse: Path, output: Path, generated_at: datetime | None = None) -> Path:
    """Write the report for `warehouse` to `output` (atomically: readers never see half a file)."""
    from warehouse.db import connect_read_only

    with connect_read_only(warehouse) as connection:
        data = collect(connection)
    html = render(data, warehouse_name=warehouse.name, generated_at=generated_at)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def query(connection, name: str) -> list[dict]:
    """Rows of `queries/<name>.sql` as dicts."""
    relation = connection.sql((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def collect(connection) -> dict[str, list[dict]]:
    names = ("plan", "submission_counts", "completeness", "task_groups", "funding", "it_share", "targets",
             "rejections", "warnings")  # fmt: skip
    return {name: query(connection, name) for name in names}


def render(data: dict[str, list[dict]], warehouse_name: str, generated_at: datetime | None = None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,  # every datum is text, never markup: a file named <script>… shows as such
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = charts.number
    environment.filters["amount"] = charts.amount
    environment.filters["percent"] = charts.percent
    environment.filters["when"] = lambda value, fmt="%Y-%m-%d %H:%M": "–" if value is None else value.strftime(fmt)
    return environment.get_template(TEMPLATE).render(**context(data, warehouse_name, generated_at))


def context(data: dict[str, list[dict]], warehouse_name: str, generated_at: datetime | None) -> dict:
    plan = data["plan"][0] if data["plan"] else {}
    timezone = ZoneInfo(plan.get("timezone") or "Asia/Ho_Chi_Minh")
    generated_at = generated_at or datetime.now(timezone)
    generated_at = generated_at.replace(tzinfo=timezone) if generated_at.tzinfo is None else generated_at.astimezone(timezone)
    first, last = plan.get("first_year") or 2016, plan.get("last_year") or 2020
    years = list(range(first, last + 1))
    return {
        "plan": plan,
        "years": years,
        "as_of": plan.get("as_of"),
        "generated_at": generated_at,
        "timezone": str(timezone),
        "warehouse_name": warehouse_name,
        "kpis": _kpis(data["submission_counts"], data["completeness"]),
        "heatmaps": _heatmaps(data["completeness"], years),
        "heatmap_legend": charts.heatmap_legend(),
        "status_labels": charts.STATUS,
        "task_charts": _task_charts(data["task_groups"], years),
        "funding_chart": charts.funding(
            "funding", "Kinh phí KHCN được bố trí và đã giải ngân / S&T funding allocated and disbursed", years,
            {(row["scope"], row["year"]): row for row in data["funding"]},
        ),
        "it_chart": charts.it_share(
            "it-share", "Tỷ lệ ứng dụng CNTT so với chỉ tiêu / IT-application share against target", years,
            data["it_share"],
        ),
        "targets": data["targets"],
        "scopes": charts.SCOPES,
        "rejections": _rejections(data["rejections"]),
        "rejected_reasons": len(data["rejections"]),
        "warnings": [{**row, "kind": WARNING_KINDS.get(row["warning"], (row["warning"], row["warning"]))}
                     for row in data["warnings"]],  # fmt: skip
        "warning_counts": Counter(row["warning"] for row in data["warnings"]),
        "warning_kinds": WARNING_KINDS,
    }


def _kpis(counts: list[dict], completeness: list[dict]) -> dict:
    files = {status: 0 for status in SUBMISSION_STATUSES} | {row["status"]: row["files"] for row in counts}
    statuses = Counter(row["status"] for row in completeness)
    expected = len(completeness) - statuses["not_due"]  # rates over the reports already due
    received = statuses["on_time"] + statuses["late"]
    return {
        "files": sum(files.values()),
        "by_status": files,
        "expected": expected,
        "received": received,
        "on_time": statuses["on_time"],
        "missing": statuses["missing"] + statuses["rejected_only"],
        "reporting_rate": 100 * received / expected if expected else None,
        "on_time_rate": 100 * statuses["on_time"] / expected if expected else None,
    }


def _heatmaps(completeness: list[dict], years: list[int]) -> list[dict]:
    """One heatmap per data set, in catalog order, with its status counts."""
    by_dataset: dict[str, list[dict]] = {}
    for row in completeness:
        by_dataset.setdefault(row["dataset_code"], []).append(row)
    heatmaps = []
    for code, rows in by_dataset.items():
        units = list(dict.fromkeys((row["unit_code"], row["unit_name"]) for row in rows))
        cells = {(row["unit_code"], row["period"]): row for row in rows}
        name = rows[0]["dataset_name"]
        chart = charts.heatmap(f"completeness-{code}", f"{code}: {name}", rows[0]["period_type"], years, units, cells)
        heatmaps.append({"code": code, "name": name, "period_type": rows[0]["period_type"], "chart": chart,
                         "counts": Counter(row["status"] for row in rows), "expected": len(rows)})  # fmt: skip
    return heatmaps


def _task_charts(rows: list[dict], years: list[int]) -> list[dict]:
    panels = []
    for scope in ("department", "district"):
        vi, en = charts.SCOPES[scope]
        by_period = {row["period"]: row for row in rows if row["scope"] == scope}
        title = f"Nhóm nhiệm vụ đột phá: {vi} / Breakthrough task groups: {en}"
        panels.append({"scope": scope, "vi": vi, "en": en,
                       "chart": charts.task_groups(f"task-groups-{scope}", title, years, by_period)})  # fmt: skip
    return panels


def _rejections(rows: list[dict]) -> list[dict]:
    """Reasons grouped under their file, in the order the files arrived."""
    files: dict[int, dict] = {}
    for row in rows:
        entry = files.setdefault(row["submission_id"], {**row, "reasons": []})
        entry["reasons"].append(row)
    return list(files.values())
