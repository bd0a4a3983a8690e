"""`chiso demo-data`: write the demo inbox (the whole plan, with the mistakes real clerks make)."""

from __future__ import annotations

from argparse import Namespace

from chiso.demo import generate_demo_inbox


def run(args: Namespace) -> int:
    files = generate_demo_inbox(args.directory, seed=args.seed)
    print(f"wrote {len(files)} demo files to {args.directory}")
    return 0
