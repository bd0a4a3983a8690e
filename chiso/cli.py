"""The `chiso` command's arguments. Each command runs from its own module, imported after parsing."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import traceback
from datetime import date, datetime, time
from pathlib import Path
from textwrap import shorten

from chiso.failures import explain
from chiso.outputs import OUTPUTS, export_formats
from core.kinds import ACCOUNT_ROLES, APPROVAL_ACTIONS
from core.settings import Settings, declared

DEBUG_ENV = Settings.__dataclass_fields__["debug"].metadata["env"]

EXAMPLES = """\
examples:
  chiso ingest var/inbox --warehouse var/warehouse/chiso.duckdb
  chiso ingest report.xlsx other.csv --warehouse wh.duckdb --as-of 2017-07-15
  chiso validate "Bao cao quy 2 - So KHCN.xlsx" --as-of 2017-07-15
  chiso query "select * from indicator_values limit 10" --warehouse var/warehouse/snapshot/chiso.duckdb
  chiso lineage --indicator CNTT_TYLE --period 2018   # the files and rows behind a figure
  chiso inbox                       # the scheduled job: inbox -> archive/quarantine, then publish the snapshot
  chiso demo-data var/inbox         # write the demo inbox (the whole plan 2016-2020)
  chiso report                      # the HTML monitoring report, from the snapshot
  chiso export completeness --format xlsx
  chiso template DP-HUYEN --unit 026 --period 2017Q3   # the workbook a clerk fills in
  chiso notify                      # tell the units what is owed: refusals, late files, reminders, digest
  chiso settings                    # every setting, its variable and its value here
  chiso serve --port 8000           # the reporting units' portal on 127.0.0.1:8000
  chiso accounts add --unit 026 --email vanthu@dongvan.example.vn   # prints a one-time link to set the password
  chiso rebuild --into /tmp/rebuilt.duckdb   # the warehouse again from the archive and the quarantine
"""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2017-07-15") from None


def _timestamp(text: str) -> datetime:
    """A time as typed (`2026-03-31 17:00`, `2026-03-31T17:00`); a day alone stands for its end."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time.max)
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a time: write it as YYYY-MM-DD or 'YYYY-MM-DD HH:MM', e.g. '2026-03-31 17:00'"
        ) from None


AS_OF_HELP = "the day of ingestion for due dates and not-yet-ended periods (default: today, province time)"
WAREHOUSE_HELP = "DuckDB file to read (default: the snapshot, CHISO_SNAPSHOT)"


def ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders (searched recursively)")
    parser.add_argument("--warehouse", type=Path, help="DuckDB file to load (default: CHISO_WAREHOUSE)")
    parser.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    parser.add_argument("--move", action="store_true", help="move each file to the archive or quarantine afterwards")
    parser.add_argument("--publish", action="store_true", help="publish the analysts' snapshot afterwards")
    parser.add_argument(
        "--snapshot",
        type=Path,
        help="where --publish writes the snapshot (default: CHISO_SNAPSHOT; required with --warehouse)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--notify", action="store_true", help="then tell the units (refused, late, warnings), as `chiso notify` does"
    )


def validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    parser.add_argument(
        "--warehouse", type=Path, help="compare with this warehouse's history (default: the snapshot, if any)"
    )


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return number


def query_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", metavar="SQL")
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="DuckDB file to read (default: the snapshot, CHISO_SNAPSHOT); never the loader's own (CHISO_WAREHOUSE)",
    )
    parser.add_argument(
        "--max-rows",
        type=_positive,
        default=100,
        help="rows to fetch and print (default 100); a line on stderr says when the result had more",
    )


def lineage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--indicator", help="the figure's indicator (a derived one lists its numerator's and denominator's values)"
    )
    parser.add_argument("--period", required=True, help="a year (2018) or a quarter (2018Q3)")
    parser.add_argument("--scope", default="province", help="province (default), or a unit type: department, district")
    parser.add_argument("--disaggregation", help="one disaggregation (default: every one of the indicator)")
    parser.add_argument("--dataset", help="with --unit: a cell of the completeness grid instead of a figure")
    parser.add_argument("--unit", help="with --dataset: the reporting unit of the completeness cell")
    parser.add_argument(
        "--geography",
        choices=["as-reported", "current", "past"],
        default="as-reported",
        help="the figure as reported (default), or in the current or past geography of `chiso report --geography`:"
        " each value re-expressed in that geography's unit, with its unit and value as reported and its weight",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="DuckDB file to read (default: the snapshot, CHISO_SNAPSHOT); never the loader's own (CHISO_WAREHOUSE)",
    )


def inbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-notify", action="store_true", help="leave the units' notices to the next notify")


def notify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the day of the reminders and the digest (default: today, province time)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send and record nothing")


def demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument("--seed", type=int, default=2017, help="random seed (default 2017): same seed, same files")


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", type=Path, help=WAREHOUSE_HELP)
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="HTML file to write (default: CHISO_REPORTS/report.html)"
    )
    parser.add_argument(
        "--official",
        action="store_true",
        help="figures from the official ones only (reports the province accepted, unchanged since; default FILE:"
        " CHISO_REPORTS/report-official.html); without it every figure received, each marked official or provisional",
    )
    parser.add_argument(
        "--geography",
        choices=["as-reported", "current", "past"],
        default="as-reported",
        help="the geography of the figures: as-reported (default: each unit as it was), current (history"
        " re-expressed in today's units: merged units added, split units allocated by weight) or past (today's data"
        " in the units of the day before the latest reform, where the succession allows); each figure marked"
        " allocated or incomplete (default FILE: CHISO_REPORTS/report-current-geography.html, …); not with --official",
    )
    past = parser.add_mutually_exclusive_group()
    past.add_argument(
        "--publication",
        type=int,
        metavar="N",
        help="the report exactly as it was at publication N (the publications table; default FILE:"
        " CHISO_REPORTS/publication-N/report.html)",
    )
    past.add_argument(
        "--as-of",
        type=_timestamp,
        metavar="TIMESTAMP",
        help="the report as published at that time (province time, e.g. 2026-03-31 or '2026-03-31 17:00'):"
        " the last publication by then",
    )


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "view", metavar="VIEW", help="a view or table of the warehouse, e.g. completeness, indicator_values"
    )
    parser.add_argument(
        "--format",
        required=True,
        choices=tuple(export_formats()),
        help="; ".join(output.format_help for output in OUTPUTS.values() if output.formats),
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="file to write (default: named after VIEW, here)")
    parser.add_argument("--warehouse", type=Path, help=WAREHOUSE_HELP)


def template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="the data set (report form) code, e.g. DP-HUYEN")
    parser.add_argument("--unit", metavar="CODE", help="the reporting unit's code, e.g. 026 or SKHCN")
    parser.add_argument("--period", required=True, metavar="PERIOD", help="the period code, e.g. 2017Q3 or 2017")
    parser.add_argument("--all", action="store_true", help="one workbook for every unit that sends the data set")
    parser.add_argument(
        "--example", action="store_true", help="fill it with plausible values that pass every rule (a file to try)"
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="PATH", help="file to write, or folder (with --all); default: here"
    )


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")


def accounts_arguments(parser: argparse.ArgumentParser) -> None:
    steps = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = steps.add_parser("add", help="add an account; without --password-stdin, print a one-time link")
    add.add_argument("--unit", required=True, metavar="CODE", help="the account's reporting unit (e.g. 026, SKHCN)")
    add.add_argument("--email", required=True, metavar="ADDRESS", help="the login, and where notices go")
    add.add_argument(
        "--role",
        choices=sorted({*ACCOUNT_ROLES.codes, *(role.called for role in ACCOUNT_ROLES.members)}),
        default="unit",
        help="unit (or clerk): sees and sends its own unit's reports (default); province (or reviewer): sees every"
        " unit's, accepts, returns or reopens them; approver: the unit's head, approves its reports (granted on"
        " top of its account if the e-mail has one)",
    )
    add.add_argument("--name", help="the person's name, for notices")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    reset = steps.add_parser(
        "reset", help="print a new one-time link to choose a password (a forgotten one, or a login slowed down)"
    )
    reset.add_argument("--email", required=True, metavar="ADDRESS")
    token = steps.add_parser(
        "token", help="API tokens of a unit's own system: a new one (default), list them, revoke them"
    )
    token.add_argument(
        "token_action",
        nargs="?",
        choices=("new", "list", "revoke"),
        default="new",
        metavar="new|list|revoke",
        help="new (default): print a new token, shown once; list: every token's id, account and date;"
        " revoke: end one (--id) or all of an account's (--email)",
    )
    token.add_argument("--email", metavar="ADDRESS", help="the account (new; list: only its tokens; revoke: all)")
    token.add_argument("--id", metavar="ID", help="revoke: the token id `token list` shows")
    disable = steps.add_parser("disable", help="disable an account: its sessions and tokens stop working")
    disable.add_argument("--email", required=True, metavar="ADDRESS")
    enable = steps.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("--email", required=True, metavar="ADDRESS")
    move = steps.add_parser(
        "move",
        help="move an account to a successor of its unit (catalog/unit_successions.csv), e.g. a ceased"
        " district's clerk to the commune that took over; recorded",
        description="Move an account to a successor of its unit: from then on it sees and sends the new\n"
        "unit's reports (its API tokens and granted roles follow it); every move is recorded in the\n"
        "accounts file's table account_moves. A unit that is not a successor is refused unless --force.",
        epilog="examples:\n"
        "  chiso accounts move --email vanthu@dongvan.example.vn --to 00721        # district 026 -> commune 00721\n"
        "  chiso accounts move --email vanthu@sotttt.example.vn --to SKHCN          # STTTT merged into SKHCN\n"
        "  chiso accounts move --email vanthu@sotttt.example.vn --to SYT --force    # not a successor: forced\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    move.add_argument("--email", required=True, metavar="ADDRESS")
    move.add_argument("--to", required=True, metavar="CODE", help="the unit it moves to: a successor of its unit")
    move.add_argument("--force", action="store_true", help="move it even when CODE is not a successor of its unit")
    steps.add_parser("list", help="list the accounts")


def approval_arguments(parser: argparse.ArgumentParser) -> None:
    steps = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action in APPROVAL_ACTIONS:
        step = steps.add_parser(
            action.code,
            help=f"{APPROVAL_ACTIONS.text(action.code).en} (the {action.role}'s): "
            f"{' or '.join(action.from_states)} -> {action.to_state}"
            + ("; --reason is required" if action.needs_reason else ""),
        )
        step.add_argument("--unit", required=True, metavar="CODE", help="the reporting unit (e.g. 026, SKHCN)")
        step.add_argument("--dataset", required=True, metavar="CODE", help="the data set (e.g. DP-HUYEN)")
        step.add_argument("--period", required=True, metavar="PERIOD", help="the period (e.g. 2017Q2)")
        step.add_argument("--by", required=True, metavar="EMAIL", help="who takes the action (recorded in the log)")
        step.add_argument("--reason", help="why (returning and reopening need one)")
        step.add_argument(
            "--request-id",
            metavar="ID",
            help="the action's id: run again with the same id (a retry after a crash), it is applied once",
        )
        if action.code == "reopen":
            step.add_argument(
                "--until",
                type=date.fromisoformat,
                metavar="DATE",
                help="a slot its data set's deadline closed takes files through this day"
                " (default: chiso.approval.REOPEN_DAYS days from today); an accepted slot still open by its deadline"
                " stays open until the next acceptance",
            )
    status = steps.add_parser("status", help="each slot's approval state, with its last action")
    status.add_argument("--unit", metavar="CODE", help="only this unit's slots")
    status.add_argument("--period", metavar="PERIOD", help="only this period's slots")


def rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--into", type=Path, required=True, metavar="NEW.duckdb", help="the new warehouse's file (must not exist)"
    )
    parser.add_argument(
        "--ledgers-from",
        type=Path,
        metavar="BACKUP.duckdb",
        help="a copy of the warehouse or its snapshot: its approval log (applied between the files in time order)"
        " and its notice ledger and publications, which no file holds",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--markdown", action="store_true", help="print the documentation table instead of the values")


# name -> (what it does, examples, its arguments); each runs `chiso.commands.<name>.run(args)`.
COMMANDS = {
    "ingest": (
        "Read, validate and load report files; print one line per file and the totals.",
        "  chiso ingest var/inbox --warehouse wh.duckdb\n"
        "  chiso ingest a.csv b.xlsx --warehouse wh.duckdb --as-of 2017-07-15\n",
        ingest_arguments,
    ),
    "validate": (
        "Check one file as the pipeline would, print the full bilingual report; exit 1 if it would be rejected.",
        "  chiso validate DP-SN_SKHCN_2017Q2.csv\n  chiso validate report.xlsx --as-of 2017-07-15\n",
        validate_arguments,
    ),
    "query": (
        "Run SQL read-only against a warehouse and print a table. A query is held to CHISO_QUERY_SECONDS"
        " (default 30 s), CHISO_QUERY_MEMORY (2GB) and CHISO_QUERY_THREADS (1); past a limit it stops"
        " with a message (exit 1).",
        '  chiso query "select * from indicator_values limit 5"\n'
        '  chiso query "select status, count(*) from submissions group by 1" --warehouse scratch.duckdb\n',
        query_arguments,
    ),
    "lineage": (
        "Where a figure comes from: a roll-up figure (or a target's actual, the figure of its year and scope)"
        " and every unit value it is computed from, each with its submission, its file as the clerk named it,"
        " when it was received, who sent it and its row in the file; or a completeness cell and its files."
        " Read-only, from the snapshot (the views figure_lineage and completeness_lineage).",
        "  chiso lineage --indicator NV_TYLE_TRIENKHAI --period 2017Q2 --scope department\n"
        "  chiso lineage --indicator CNTT_TYLE --period 2018 --disaggregation TRUONGHOC   # a target's actual\n"
        "  chiso lineage --indicator TT_TIN --period 2018 --scope district\n"
        "  chiso lineage --dataset DP-HUYEN --unit 026 --period 2017Q3   # a cell of the completeness grid\n"
        "  chiso lineage --indicator NV_GIAO --period 2024 --geography current   # 2024 in today's communes\n",
        lineage_arguments,
    ),
    "inbox": (
        "The scheduled job: ingest the inbox, move files to archive/quarantine, publish the snapshot. "
        "Files changed in the last CHISO_SETTLE_SECONDS (default 10) are still arriving and wait for the next run.",
        "  chiso inbox\n  CHISO_HOME=/data chiso inbox --as-of 2021-02-01\n",
        inbox_arguments,
    ),
    "notify": (
        "Send what is owed, as the DAGs' notice tasks do: each unit's notice of its files not told yet"
        " (refused, with every reason; late; accepted with warnings), the reminders due on the day"
        " (before and after due dates), and the province's weekly digest. Each is sent once: the"
        " warehouse's ledger records it; a mail server that is down leaves it for the next run."
        " Without CHISO_SMTP_URL the messages are written as .eml files to CHISO_OUTBOX.",
        "  chiso notify --dry-run                   # print what would be sent; send and record nothing\n"
        "  chiso notify\n"
        "  chiso notify --as-of 2017-07-08          # the reminders of that day\n"
        "  CHISO_SMTP_URL=smtp://127.0.0.1:1025 chiso notify\n",
        notify_arguments,
    ),
    "demo-data": (
        "Write the demo inbox: the whole plan 2016-2020 for all 23 units, with realistic mistakes.",
        "  chiso demo-data var/inbox\n  chiso demo-data /tmp/demo --seed 7\n",
        demo_data_arguments,
    ),
    "report": (
        "Write the HTML monitoring report: one self-contained file (no external asset), readable offline and on A4;"
        " beside it FILE.lineage.html, where each of its figures links: the units' values, files and rows behind it.",
        "  chiso report\n  chiso report --warehouse wh.duckdb --output /tmp/report.html\n"
        "  chiso report --official --output official.html   # official figures only\n"
        "  chiso report --geography current                 # the series in today's units\n"
        "  chiso report --publication 12                    # publication 12's report, as it was then\n"
        "  chiso report --as-of '2026-03-31 17:00'          # the report published at that time\n",
        report_arguments,
    ),
    "export": (
        "Write one view or table of the warehouse as "
        + ", or ".join(output.summary for output in OUTPUTS.values() if output.formats)
        + ".",
        "".join(output.examples for output in OUTPUTS.values() if output.formats),
        export_arguments,
    ),
    "template": (
        "Write the reporting template: a protected workbook pre-filled with a unit's data set and period,"
        " with drop-downs and checks for each value; fill it in Excel or LibreOffice and send it back.",
        "  chiso template DP-HUYEN --unit 026 --period 2017Q3            # writes DP-HUYEN_026_2017Q3.xlsx here\n"
        "  chiso template DP-SN --period 2017Q3 --all -o var/templates   # one workbook per department\n"
        "  chiso template CNTT-NAM --unit 026 --period 2017 -o /tmp/\n"
        "  chiso template DP-HUYEN --unit 026 --period 2017Q3 --example -o var/inbox/   # a filled file that passes\n",
        template_arguments,
    ),
    "serve": (
        "Run the reporting units' portal: pages (log in, what is due, check a file, send it, every verdict)"
        " and the JSON API (/api/v1, schema at /api/v1/openapi.json). It reads the analysts' snapshot and"
        " writes sent files to the inbox; put a TLS reverse proxy in front of it (docs/portal.md).",
        "  chiso serve                                  # http://127.0.0.1:8000\n"
        "  chiso serve --host 0.0.0.0 --port 8080       # every interface: behind a firewall or a proxy only\n",
        serve_arguments,
    ),
    "accounts": (
        "Manage the portal's accounts (CHISO_ACCOUNTS): add one for a unit's clerk or the province,"
        " send a reset link, give a unit's system API tokens and revoke them, disable and enable an account,"
        " move a ceased unit's account to its successor.",
        "  chiso accounts add --unit 026 --email vanthu@dongvan.example.vn      # prints a one-time link\n"
        "  chiso accounts add --unit 026 --role approver --email truongphong@dongvan.example.vn   # the unit's head\n"
        "  echo 'a long passphrase' | chiso accounts add --unit 02 --role reviewer"
        " --email sokhcn@example.vn --password-stdin\n"
        "  chiso accounts reset --email vanthu@dongvan.example.vn               # a new one-time link\n"
        "  chiso accounts token --email vanthu@dongvan.example.vn               # prints a new API token\n"
        "  chiso accounts token list [--email vanthu@dongvan.example.vn]        # ids, accounts, dates\n"
        "  chiso accounts token revoke --id 3f2a9c01b7de                        # or --email ADDRESS: all\n"
        "  chiso accounts disable --email vanthu@dongvan.example.vn\n"
        "  chiso accounts enable --email vanthu@dongvan.example.vn\n"
        "  chiso accounts move --email vanthu@dongvan.example.vn --to 00721     # to a successor of its unit\n"
        "  chiso accounts list\n",
        accounts_arguments,
    ),
    "approval": (
        "Approve a unit's report for a slot (unit × data set × period), accept or return it for the province,"
        " withdraw an approval, reopen an accepted slot; or show the slots' states. Accepted figures are"
        " official (the view official_values) and the slot is locked: a new file for it is refused until"
        " the province reopens it; a data set with lock_after_days closes that many days after its due date,"
        " and the province reopens a closed slot until a date (--until).",
        "  chiso approval approve --unit 026 --dataset DP-HUYEN --period 2017Q2 --by truongphong@dongvan.example.vn\n"
        "  chiso approval accept --unit 026 --dataset DP-HUYEN --period 2017Q2 --by sokhcn@example.vn\n"
        "  chiso approval return --unit 026 --dataset DP-HUYEN --period 2017Q2 --by sokhcn@example.vn"
        " --reason 'NV_CUTHE differs from the last quarter'\n"
        "  chiso approval reopen --unit 026 --dataset DP-HUYEN --period 2017Q2 --by sokhcn@example.vn"
        " --reason 'late file agreed' --until 2018-03-15\n"
        "  chiso approval status --unit 026\n",
        approval_arguments,
    ),
    "rebuild": (
        "Make the warehouse again from the files: the archive, the quarantine and the receipt beside each"
        " stored file, in the order they were received, as of the days they were judged, under their ids."
        " Writes a new file and never touches the live warehouse; progress on stderr (docs/reliability.md).",
        "  chiso rebuild --into /tmp/rebuilt.duckdb\n"
        "  chiso rebuild --into /tmp/rebuilt.duckdb --ledgers-from /backup/chiso.duckdb   # approvals, notices\n"
        "  CHISO_HOME=/data chiso rebuild --into /data/warehouse/rebuilt.duckdb --quiet\n",
        rebuild_arguments,
    ),
    "settings": (
        "Show every setting: its environment variable and its value here (from the environment or its default).",
        "  chiso settings\n  chiso settings --markdown > table.md   # the table of docs/configuration.md\n",
        settings_arguments,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chiso",
        description="Ingest, validate and query the provincial plan's indicator reports.",
        epilog=EXAMPLES + _settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, examples, add_arguments) in COMMANDS.items():
        command = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"examples:\n{examples}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments(command)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


DEBUG_HELP = f"on a failure, print the full traceback as well as the one-line explanation (or {DEBUG_ENV}=1)"


def _settings_help() -> str:
    """The settings, from their one declaration (docs/configuration.md has the same table)."""
    lines = [
        f"  {meta['env']:<22} {shorten(meta['help'].replace('`', ''), 76, placeholder=' …')}"
        for _, _, meta, _ in declared()
    ]
    return (
        "\nsettings (environment variables; see `chiso settings` and docs/configuration.md):\n"
        + "\n".join(lines)
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Run a command. A failure `chiso.failures` knows (a mistake in the command: exit 2; a damaged or
    foreign file, a lock, a full disk, a read-only place, a limit: exit 1) is one line on stderr, its
    traceback only with --debug (or CHISO_DEBUG=1); an error it does not know is a bug and keeps its traceback."""
    args = build_parser().parse_args(argv)
    try:
        # After parsing: `chiso --help` loads no command, and a command loads only its own libraries.
        command = importlib.import_module(f"chiso.commands.{args.command.replace('-', '_')}")
        return command.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        explained = explain(error)
        if explained is None:
            raise
        if args.debug or os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            traceback.print_exception(error, file=sys.stderr)
        status, line = explained
        print(f"chiso: error: {line}", file=sys.stderr)
        return status


def entry() -> int:
    """The console script: `main`, then the process ends without the interpreter's last collection,
    which walks every object GX made (~0.5 s of a one-file `chiso validate`) to free what exit frees anyway."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(entry())
