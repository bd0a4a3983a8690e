"""`chiso demo-data`: write the demo inbox (the whole plan, with the mistakes real clerks make)."""

from __future__ import annotations

from argparse import Namespace

from chiso.commands import UserError


def demo_generator():
    """`demo.generate_demo_inbox`: the demo ships with the source checkout, not with the wheel."""
    try:
        from demo import generate_demo_inbox  # the demo ships with the source checkout only
    except ModuleNotFoundError as error:
        if error.name != "demo":
            raise
        raise UserError(
            "the demo data generator (the `demo` package) is not installed: it ships with the source checkout, "
            "not with the chiso package; run this command from a checkout (`make setup`, then `.venv/bin/chiso`)"
        ) from None
    return generate_demo_inbox


def run(args: Namespace) -> int:
    files = demo_generator()(args.directory, seed=args.seed)
    print(f"wrote {len(files)} demo files to {args.directory}")
    return 0
