"""`chiso validate`: one file's full bilingual verdict, nothing loaded; exit 1 if it would be rejected."""

from __future__ import annotations

from argparse import Namespace

from chiso.checker import check_file
from chiso.context import RunContext
from chiso.verdict import verdict_text
from core.settings import load_settings


def run(args: Namespace) -> int:
    verdict = check_file(args.file, RunContext.of(load_settings(), as_of=args.as_of), warehouse=args.warehouse)
    print(verdict_text(verdict.file_name, verdict.status, verdict.reasons, verdict.warnings), end="")
    return 1 if verdict.status == "rejected" else 0
