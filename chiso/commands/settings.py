"""`chiso settings`: every setting's variable and its value here, or the documentation's table."""

from __future__ import annotations

import re
from argparse import Namespace

from core.settings import declared, load_settings, markdown_table


def run(args: Namespace) -> int:
    if args.markdown:
        print(markdown_table())
        return 0
    values = load_settings()
    for name, _, meta, _ in declared():
        print(f"{meta['env']:<22} {_hide_password(str(getattr(values, name)))}")
    return 0


def _hide_password(value: str) -> str:
    """`smtp://user:<password>@host` is shown as `smtp://user:***@host`."""
    return re.sub(r"(//[^/:@]*:)[^/]*@", r"\1***@", value)
